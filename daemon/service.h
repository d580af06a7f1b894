/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * service.h - the one interface through which every daemon service (cmap,
 * cfg, cpg, cmm, quorum, votequorum, bcast) is started, fed and stopped.
 *
 * A service module exports one start function of type syn_service_start_fn.
 * It builds its state from the environment and fills a struct syn_service:
 * its IPC definition, the cluster channel it owns (its message type on the
 * ordered broadcast, fixed in proto/net_cluster.h) and its hooks.  The
 * daemon (main.c) is a table of start functions; the cluster layer
 * (cluster.h) keeps the IPC part and hands the bus part (channel and the
 * three hooks below) to the node core (core/node.h), which feeds the
 * registered services:
 *
 *   view_changed   every installed view, with the previous one (empty
 *                  before the first), in table order;
 *   deliver        every message of the service's channel, the sender's
 *                  own included, in the one total order all members see;
 *   quorum_changed every verdict of the quorum provider on a view (or, with
 *                  no provider, every view as quorate), in table order;
 *   shutdown       the daemon is about to stop (leave the cluster cleanly);
 *   fini           free everything (after the IPC server is gone).
 *
 * Hooks are optional.  None runs inside a syn_cluster_send() call.
 */
#ifndef SYN_DAEMON_SERVICE_H
#define SYN_DAEMON_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <qb/qbloop.h>

#include "proto/net_cluster.h"

struct syn_cluster;
struct syn_node_view;
struct syn_ipc;
struct syn_link_status;
struct syn_loop;
struct syn_node_addrs;
struct syn_service_def;
struct syn_store;

/* What the daemon itself does for a service (cfg's requests). */
struct syn_daemon_hooks {
	void *ctx;
	/* Read the configuration file again; requester asked for it. */
	int (*reload)(void *ctx, uint32_t requester);
	/* Stop the daemon. */
	void (*shutdown)(void *ctx, const char *why);
};

struct syn_service_env {
	/* the daemon's loop: every timer, deferred job and clock read (loop.h) */
	struct syn_loop *loop;
	struct syn_store *icmap;
	/*
	 * The nodelist's resolved addresses (node_addrs.h), owned by the
	 * daemon for its whole life; a config reload replaces the contents,
	 * so read it when needed and keep no entry pointer across events.
	 */
	const struct syn_node_addrs *node_addrs;
	struct syn_store *stats;
	struct syn_ipc *ipc;
	struct syn_cluster *cluster;
	const struct syn_daemon_hooks *daemon;
};

struct syn_service {
	const char *name;		   /* corosync's engine name, e.g. "cmap" */
	const struct syn_service_def *ipc; /* NULL: no IPC service */
	enum syn_cluster_msg_type channel; /* 0: sends nothing */
	void *ctx;
	void (*view_changed)(void *ctx, const struct syn_node_view *view,
			     const struct syn_node_view *prev);
	void (*deliver)(void *ctx, uint32_t sender, const void *msg, size_t len);
	void (*quorum_changed)(void *ctx, bool quorate, const struct syn_node_view *view);
	void (*shutdown)(void *ctx);
	void (*fini)(void *ctx);
};

/* What a start function returns; the failures are the daemon's exit codes. */
enum syn_start_result {
	SYN_START_OK = 0,	       /* *out filled */
	SYN_START_NOT_CONFIGURED = 1,  /* the configuration does not ask for it */
	SYN_START_FAILED = 15,	       /* corosync's "service failed to start" */
	SYN_START_QUORUM_REFUSED = 20, /* corosync's quorum provider refusal */
};

/* Start a service; failures are logged with their reason. */
typedef enum syn_start_result (*syn_service_start_fn)(const struct syn_service_env *env,
						      struct syn_service *out);

#endif /* SYN_DAEMON_SERVICE_H */
