/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sdnotify.h - the daemon's side of systemd's readiness protocol
 * (sd_notify(3)): READY=1 once clients can be served, STATUS= lines that
 * say what the node sees, STOPPING=1 when shutdown starts.
 *
 * Readiness has two conditions, reported separately by the daemon as
 * they happen, in either order: the first view is installed (with its
 * quorum verdict, so a client finds quorum information populated) and
 * the IPC services accept clients.  READY=1 goes out once, when the
 * second of the two arrives.  STATUS= is sent only when its text
 * changes.  Everything is a no-op when NOTIFY_SOCKET is unset (not run
 * by systemd, or by a test), and a failed send is never fatal: systemd
 * then times the start out, which is its own report.
 *
 * The daemon feeds it through a service of its own (syn_sdnotify_service),
 * registered last, and calls syn_sdnotify_stopping() itself.  The state
 * lives in caller storage (init, no fini: nothing is owned).
 */
#ifndef SYN_DAEMON_SDNOTIFY_H
#define SYN_DAEMON_SDNOTIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "service.h"

#define SYN_SDNOTIFY_STATUS_MAX 128

struct syn_sdnotify {
	bool enabled; /* NOTIFY_SOCKET was set at init */
	bool view_installed;
	bool serving;
	bool ready_sent;
	bool stopping_sent;
	size_t n_members;		      /* of the last view seen */
	bool quorate;			      /* its quorum verdict */
	const struct syn_ipc *ipc;	      /* asked whether clients are served */
	char status[SYN_SDNOTIFY_STATUS_MAX]; /* last STATUS= text sent */
};

/* Reads NOTIFY_SOCKET; sends STATUS= saying the daemon is starting. */
void syn_sdnotify_init(struct syn_sdnotify *n);

/*
 * A view with n_members members is installed and quorate is its quorum
 * verdict (true without a quorum provider).  Updates STATUS=; the first
 * call with n_members > 0 is one of the two readiness conditions.
 */
void syn_sdnotify_view(struct syn_sdnotify *n, size_t n_members, bool quorate);

/* The IPC services accept clients: the other readiness condition. */
void syn_sdnotify_serving(struct syn_sdnotify *n);

/*
 * Fills out with a service (no IPC, no channel) that reports every quorum
 * verdict with its view, and whether ipc serves clients by then, to n.
 * Registered after the other services, it sees a verdict once the quorum
 * service has opened IPC to clients on it.  n and ipc must outlive it.
 */
void syn_sdnotify_service(struct syn_sdnotify *n, const struct syn_ipc *ipc,
			  struct syn_service *out);

/* Shutdown starts (why: "signal 15", "cfg shutdown"...).  Sent once. */
void syn_sdnotify_stopping(struct syn_sdnotify *n, const char *why);

#endif /* SYN_DAEMON_SDNOTIFY_H */
