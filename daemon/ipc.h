/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ipc.h - the daemon's libqb IPC glue: one qb_ipcs service per synod
 * service, connection authorization, request validation, responses, and
 * per-connection event queues with a bound.
 *
 * A service module supplies a struct syn_service_def: its IPC name, the
 * minimum size of each request id, a request handler and a close hook.
 * Connections are accepted from root, and from the uids and gids that
 * uidgid grants, except for a root_only service: there only uid 0.
 * Every request goes through the intake (ipc_intake.h) first: a size
 * claim that is not what the client committed, above the 1 MiB buffer
 * (enforced on every connection), an unknown id or a request shorter than
 * its id's minimum gets corosync's generic rejection (a bare response
 * header, CS_ERR_INVALID_PARAM) before the handler runs, except for the
 * ids a service never answers (unanswered_ids): those are dropped.  Handlers get a
 * private copy of exactly the bytes sent and may read their fixed part
 * without checks.
 *
 * Events a client does not read wait in a FIFO of at most
 * SYN_CONN_EVENT_QUEUE_MAX events / SYN_CONN_EVENT_QUEUE_BYTES bytes;
 * when a client overflows it, it is disconnected with a warning and the
 * counters stats.ipcs.global.overload_disconnects and the connection's
 * `overload` grow.  Events are never dropped while the connection lives,
 * and never reordered.
 *
 * All queues together hold at most the daemon-wide bound given to
 * syn_ipc_create() (corosync.conf system.ipc_event_queue_total_bytes,
 * default SYN_IPC_EVENT_QUEUE_TOTAL_DEFAULT).  Bytes are counted with a
 * small per-event overhead, close to what the queue costs in memory.
 * When an event would pass the bound, the connections with the largest
 * queues are disconnected, largest first (the same warning and counters),
 * until it fits; if the receiving connection's own queue is the largest,
 * it is the one to go.  A client whose queue is not the largest keeps
 * every event, in order.  An evicted client's queue is freed at once.
 * stats.ipcs.global.queued_bytes and queued_bytes_peak show the total.
 *
 * Each connection publishes stats.ipcs.service<S>.<pid>.<token>.* in the
 * stats store.  Counters are copied there at most every
 * SYN_STATS_FLUSH_MS, so a client tracking its own counters does not feed
 * back into a busy loop, and a tracker sees the true previous value.
 */
#ifndef SYN_DAEMON_IPC_H
#define SYN_DAEMON_IPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <qb/qbloop.h>

#include "store.h"

#define SYN_CONN_EVENT_QUEUE_MAX 65536
#define SYN_CONN_EVENT_QUEUE_BYTES (64u * 1024 * 1024)
#define SYN_STATS_FLUSH_MS 100

/*
 * The daemon-wide bound.  The default lets one client use its whole
 * per-connection queue and leaves as much again for everybody else, while
 * any number of slow clients together stay within 128 MiB.
 */
#define SYN_IPC_EVENT_QUEUE_TOTAL_KEY "system.ipc_event_queue_total_bytes"
#define SYN_IPC_EVENT_QUEUE_TOTAL_DEFAULT (2 * SYN_CONN_EVENT_QUEUE_BYTES)
#define SYN_IPC_EVENT_QUEUE_TOTAL_MIN (1024u * 1024)

struct syn_ipc;
struct syn_conn;
struct syn_loop;

struct syn_service_def {
	const char *name;  /* libqb IPC service name, e.g. "cmap" */
	int32_t id;	   /* corosync service id, e.g. 0 */
	size_t priv_size;  /* per-connection state handed to the hooks, zeroed */
	bool root_only;	   /* refuse every uid but 0, whatever uidgid grants */
	size_t n_requests; /* valid request ids are 0 .. n_requests - 1 */
	/*
	 * Bit i set: request id i never gets a response (cpg MCAST), so a
	 * rejected one is dropped, logged and counted instead of answered:
	 * an answer would be read as the reply to the client's next call.
	 */
	uint32_t unanswered_ids;
	const size_t *min_request_size;
	void (*request)(void *svc, struct syn_conn *conn, void *priv, int32_t id, const void *msg,
			size_t len);
	void (*closed)(void *svc, struct syn_conn *conn, void *priv);
	/* Optional: a connection was accepted (before its first request). */
	void (*opened)(void *svc, struct syn_conn *conn, void *priv);
};

/*
 * The daemon-wide bound from the configuration in icmap: the default when
 * the key is absent, else a decimal byte count of at least
 * SYN_IPC_EVENT_QUEUE_TOTAL_MIN.  0, or -EINVAL with a message in err.
 */
int syn_ipc_queue_total_read(const struct syn_store *icmap, size_t *bytes, char *err,
			     size_t err_len);
struct syn_ipc *syn_ipc_create(struct syn_loop *loop, struct syn_store *icmap,
			       struct syn_store *stats, size_t queue_total_bytes);
/* Disconnects every client (running the close hooks) and frees all. */
void syn_ipc_destroy(struct syn_ipc *ipc);
int syn_ipc_service_add(struct syn_ipc *ipc, const struct syn_service_def *def, void *svc);
/*
 * Accept clients from now on.  Until then every connection is refused
 * with -EAGAIN (CS_ERR_TRY_AGAIN to the client): the daemon calls this
 * once its first view is installed and quorum settled on it.
 */
void syn_ipc_accept_clients(struct syn_ipc *ipc);

/* True once syn_ipc_accept_clients() was called. */
bool syn_ipc_accepting(const struct syn_ipc *ipc);

/*
 * Flow control of one service (corosync's libqb rate limit): while gated,
 * clients see the shared flow-control flag 2 (cpg_mcast_joined answers
 * CS_ERR_TRY_AGAIN without sending) and the service's requests are read
 * at low priority.  def is the one given to syn_ipc_service_add.
 */
void syn_ipc_service_gate(struct syn_ipc *ipc, const struct syn_service_def *def, bool gated);

/* Send the one response to the request being handled. */
int syn_conn_respond(struct syn_conn *conn, const void *msg, size_t len);
/* Send a bare response header {id, 24, error}. */
int syn_conn_respond_error(struct syn_conn *conn, int32_t id, int32_t error);
/* Queue an event (the iovec forms one message); 0 or -errno. */
int syn_conn_event(struct syn_conn *conn, const struct iovec *iov, size_t iov_len);
/* Count a request the service found malformed (stats invalid_request). */
void syn_conn_count_invalid(struct syn_conn *conn);
pid_t syn_conn_pid(const struct syn_conn *conn);
/* The client's effective uid, from the socket credentials at connect. */
uid_t syn_conn_uid(const struct syn_conn *conn);

/*
 * Copy pending counter changes into the stats store now, so a read of key
 * (NULL: of no particular key, e.g. an iteration) sees current values (as
 * corosync computes them on read).
 */
void syn_ipc_stats_refresh(struct syn_ipc *ipc, const char *key);
/* Who else keeps counters in the stats map (the membership layer). */
struct syn_stats_provider {
	void (*refresh)(void *ctx, const char *key); /* write current values now */
	void (*clear_knet)(void *ctx);		     /* stats.clear.knet */
	void *ctx;
};
void syn_ipc_set_stats_provider(struct syn_ipc *ipc, const struct syn_stats_provider *p);
/* Clear the link counters of the provider, if any. */
void syn_ipc_stats_clear_knet(struct syn_ipc *ipc);
/* Reset the IPC counters of every connection (stats.clear.ipc). */
void syn_ipc_stats_clear(struct syn_ipc *ipc);

#endif /* SYN_DAEMON_IPC_H */
