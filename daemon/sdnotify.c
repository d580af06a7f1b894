/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sdnotify.c - see sdnotify.h.  Messages go through libsystemd's
 * sd_notify(), which reads NOTIFY_SOCKET on every call.  The variable is
 * left in the environment: the daemon starts no other program that could
 * inherit it by mistake.
 */
#include "sdnotify.h"

#include "cluster.h"
#include "ipc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <qb/qblog.h>
#include <systemd/sd-daemon.h>

static void send_state(const struct syn_sdnotify *n, const char *state)
{
	int rc;

	if (!n->enabled)
		return;
	rc = sd_notify(0, state);
	if (rc < 0)
		qb_log(LOG_WARNING, "Cannot notify the service manager: %s", strerror(-rc));
}

/* What the daemon is doing, from the state recorded so far. */
static void describe(const struct syn_sdnotify *n, char *out, size_t len)
{
	if (!n->view_installed)
		snprintf(out, len, "Starting: waiting for the first view");
	else
		snprintf(out, len, "Members: %zu, %s%s", n->n_members,
			 n->quorate ? "quorate" : "not quorate",
			 n->serving ? "" : ", starting services");
}

/*
 * Sends STATUS= if its text changed, preceded by READY=1 in the same
 * datagram the first time both readiness conditions hold.
 */
static void update(struct syn_sdnotify *n)
{
	char text[SYN_SDNOTIFY_STATUS_MAX], msg[SYN_SDNOTIFY_STATUS_MAX + 32];
	bool ready = !n->ready_sent && n->view_installed && n->serving;

	if (n->stopping_sent)
		return;
	describe(n, text, sizeof(text));
	if (!ready && strcmp(text, n->status) == 0)
		return;
	snprintf(n->status, sizeof(n->status), "%s", text);
	snprintf(msg, sizeof(msg), "%sSTATUS=%s", ready ? "READY=1\n" : "", n->status);
	n->ready_sent = n->ready_sent || ready;
	send_state(n, msg);
}

void syn_sdnotify_init(struct syn_sdnotify *n)
{
	const char *socket = getenv("NOTIFY_SOCKET");

	memset(n, 0, sizeof(*n));
	n->enabled = socket && socket[0];
	update(n);
}

void syn_sdnotify_view(struct syn_sdnotify *n, size_t n_members, bool quorate)
{
	if (n_members == 0)
		return;
	n->view_installed = true;
	n->n_members = n_members;
	n->quorate = quorate;
	update(n);
}

void syn_sdnotify_serving(struct syn_sdnotify *n)
{
	n->serving = true;
	update(n);
}

void syn_sdnotify_stopping(struct syn_sdnotify *n, const char *why)
{
	char msg[SYN_SDNOTIFY_STATUS_MAX + 32];

	if (n->stopping_sent)
		return;
	n->stopping_sent = true;
	snprintf(n->status, sizeof(n->status), "Shutting down: %s", why);
	snprintf(msg, sizeof(msg), "STOPPING=1\nSTATUS=%s", n->status);
	send_state(n, msg);
}

static void on_quorum(void *ctx, bool quorate, const struct syn_node_view *view)
{
	struct syn_sdnotify *n = ctx;

	/* serving first: READY=1 then goes out with the view's status */
	if (n->ipc && syn_ipc_accepting(n->ipc))
		syn_sdnotify_serving(n);
	syn_sdnotify_view(n, view->n_members, quorate);
}

void syn_sdnotify_service(struct syn_sdnotify *n, const struct syn_ipc *ipc,
			  struct syn_service *out)
{
	n->ipc = ipc;
	*out = (struct syn_service){.name = "sdnotify", .ctx = n, .quorum_changed = on_quorum};
}
