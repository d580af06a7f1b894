/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fake_conn.h - a test double of the daemon's IPC glue (daemon/ipc.h) for
 * driving a service's request handler without libqb or sockets.
 *
 * It implements the glue functions a service calls (syn_conn_respond,
 * syn_conn_respond_error, syn_conn_event, syn_conn_count_invalid,
 * syn_conn_pid, syn_ipc_stats_clear, syn_ipc_service_gate) and checks
 * every message the service sends against the framing rules of the
 * shared spec ipc-wire.md 1.4-1.5 and section 4: exactly one response per
 * request (none to cpg MCAST),
 * header.size equal to the bytes sent, a response id and size that fit
 * the request, events only to open connections.  Any violation aborts,
 * which is what a fuzzer needs.
 *
 * Connections are a fixed array; opening one publishes its
 * stats.ipcs.* keys in the stats store and closing one runs the
 * service's close hook and then deletes them, in the glue's order.
 */
#ifndef SYN_TESTS_FAKE_CONN_H
#define SYN_TESTS_FAKE_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc.h"
#include "store.h"

#define SYN_FAKE_CONN_MAX 4

/* The stores and service the fake connections talk to (borrowed). */
void syn_fake_env_init(struct syn_store *icmap, struct syn_store *stats,
		       const struct syn_service_def *def, void *svc);
/* Close every open connection; frees nothing the caller owns. */
void syn_fake_env_fini(void);
/* The struct syn_ipc pointer to hand to the service. */
struct syn_ipc *syn_fake_ipc(void);

/* Open connection slot index (closing it first if open). */
struct syn_conn *syn_fake_conn_open(unsigned int index);
void syn_fake_conn_close(struct syn_conn *conn);
struct syn_conn *syn_fake_conn_get(unsigned int index);
bool syn_fake_conn_is_open(const struct syn_conn *conn);

/*
 * Deliver one request as the glue would: validate id, minimum size and
 * header.size (generic rejection otherwise), run the handler, then check
 * that exactly one well-formed response was sent.  msg is copied into an
 * exactly sized, aligned buffer first so overreads are caught.
 */
/*
 * Commit a request into the connection's ring model and hand it to the
 * intake and the handler; place 1 puts its data at a page start, 2 splits
 * its chunk header over the ring's end, anything else leaves it where the
 * ring is.
 */
void syn_fake_conn_deliver(struct syn_conn *conn, const void *msg, size_t len, unsigned int place);

/*
 * Checks of another service than cmap (the default): how many responses
 * a request gets (cpg MCAST: none), what a response and an event may
 * hold.  The fake still checks the framing (one header, size equal to the
 * bytes, events only to open connections) before calling them.
 */
struct syn_fake_oracle {
	unsigned int (*responses)(int32_t req_id);
	void (*response)(int32_t req_id, const void *req, size_t req_len, const void *res,
			 size_t len);
	void (*event)(const void *first, size_t first_len, size_t total);
};
/* Use oracle (borrowed) from now on; NULL: cmap's checks again. */
void syn_fake_env_set_oracle(const struct syn_fake_oracle *oracle);

/* Copy every open connection's counters to the stats store (the glue's flush). */
void syn_fake_env_flush(void);

/* Counters of one connection, for tests. */
uint64_t syn_fake_conn_invalid(const struct syn_conn *conn);
uint64_t syn_fake_conn_events(const struct syn_conn *conn);
/* The last response: its bytes (valid until the next request) and length. */
const void *syn_fake_conn_last_response(const struct syn_conn *conn, size_t *len);

#endif /* SYN_TESTS_FAKE_CONN_H */
