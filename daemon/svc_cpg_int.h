/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svc_cpg_int.h - what the cpg service's files share: the per-connection
 * record, the service state and the helpers the request handlers use.
 *
 * Connection states (shared spec cpg.md 4.2), with synod's deviation that
 * a connection returns to UNJOINED once the CONFCHG of its own leave has
 * been sent to it:
 *
 *   UNJOINED        JOIN ok -> JOIN_STARTED (PROCJOIN broadcast)
 *   JOIN_STARTED    own PROCJOIN delivered -> JOIN_COMPLETED
 *   JOIN_COMPLETED  LEAVE ok -> LEAVE_STARTED (PROCLEAVE broadcast)
 *   LEAVE_STARTED   own leave CONFCHG sent -> UNJOINED
 *   any joined      close/crash -> PROCLEAVE reason PROCDOWN
 */
#ifndef SYN_DAEMON_SVC_CPG_INT_H
#define SYN_DAEMON_SVC_CPG_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/cpg_groups.h"
#include "cluster.h"
#include "ipc.h"
#include "loop.h"
#include "store.h"
#include "svc_cpg.h"

enum cpg_conn_state {
	CPG_UNJOINED = 0,
	CPG_JOIN_STARTED,
	CPG_JOIN_COMPLETED,
	CPG_LEAVE_STARTED,
};

struct cpg_conn {
	struct cpg_conn *next, *prev; /* the connection list (until FINALIZE) */
	struct syn_conn *conn;
	bool listed;
	enum cpg_conn_state state;
	struct syn_cpg_name group;
	uint32_t pid;
	uint32_t flags;
	bool initial_totem_sent;
	uint64_t transitions;	   /* CONFCHGs sent to this connection */
	uint64_t partial_snapshot; /* transitions at the last FIRST fragment */
	bool partial_open;	   /* a fragmented message is being sent */
	uint32_t partial_msglen, partial_sent;
	struct cpg_zc *zc; /* zero-copy buffers (svc_cpg_zc.c) */
};

/* An encoded cluster message waiting for the send (sync or full queue). */
struct cpg_out {
	struct cpg_out *next;
	size_t len;
	uint8_t data[];
};

struct cpg_iter {
	struct cpg_iter *next;
	uint64_t handle;
	struct cpg_conn *owner;
	struct syn_cpg_entry *entries;
	size_t n, pos;
};

/* corosync 3.1.7's cpg exec handlers: the <n> of runtime.services.cpg.<n>.tx/.rx */
#define CPG_HANDLERS 7

struct syn_svc_cpg {
	struct syn_loop *loop;
	struct syn_store *icmap;
	uint64_t tx[CPG_HANDLERS], rx[CPG_HANDLERS];
	bool stats_dirty;
	struct syn_timer stats_timer;
	struct syn_cluster *cluster;
	struct syn_ipc *ipc;
	struct syn_cpg *core;
	uint32_t self;
	struct cpg_conn *conns;
	struct cpg_out *out, **out_tail;
	const void *joinlist; /* not yet accepted by the cluster */
	size_t joinlist_len;
	struct syn_timer retry_timer;
	bool gated;
	bool activated; /* at least one sync completed */
	uint64_t ring_seq;
	uint32_t ring_rep;
	uint32_t *members; /* of the last activation */
	size_t n_members;
	struct cpg_iter *iters;
	uint64_t next_iter;
	uint64_t next_zc; /* the last zero-copy token handed out */
};

/* Queue a cluster message (PROCJOIN, PROCLEAVE, MCAST, PARTIAL); 0 or -ENOMEM. */
int syn_svc_cpg_send(struct syn_svc_cpg *svc, const uint8_t *msg, size_t len);
/* Encode and queue a PROCJOIN / PROCLEAVE. */
int syn_svc_cpg_send_proc(struct syn_svc_cpg *svc, enum syn_cpg_msg_kind kind,
			  const struct syn_cpg_name *group, uint32_t pid, uint32_t reason);
void syn_svc_cpg_request(void *svc, struct syn_conn *conn, void *priv, int32_t id, const void *msg,
			 size_t len);
void syn_svc_cpg_iter_drop_owner(struct syn_svc_cpg *svc, struct cpg_conn *cc);

/* JOIN_STARTED or JOIN_COMPLETED: the connection's messages are broadcast. */
bool syn_svc_cpg_may_send(const struct cpg_conn *cc);
/* Encode and queue an MCAST of the connection's group and pid; 0 or -ENOMEM. */
int syn_svc_cpg_mcast_send(struct syn_svc_cpg *svc, const struct cpg_conn *cc, const void *msg,
			   uint32_t len);

/* Zero-copy buffers (svc_cpg_zc.c); each request gets its one answer. */
#define SYN_CPG_ZC_MAX 64 /* buffers per connection */
struct syn_cpg_req_zc_alloc;
struct syn_cpg_req_zc_free;
struct syn_cpg_req_zc_execute;
void syn_svc_cpg_zc_alloc(struct syn_svc_cpg *svc, struct syn_conn *conn, struct cpg_conn *cc,
			  const struct syn_cpg_req_zc_alloc *req);
void syn_svc_cpg_zc_free(struct syn_conn *conn, struct cpg_conn *cc,
			 const struct syn_cpg_req_zc_free *req);
void syn_svc_cpg_zc_execute(struct syn_svc_cpg *svc, struct syn_conn *conn, struct cpg_conn *cc,
			    const struct syn_cpg_req_zc_execute *req);
/* Free every buffer of a closing connection. */
void syn_svc_cpg_zc_drop(struct cpg_conn *cc);

#endif /* SYN_DAEMON_SVC_CPG_INT_H */
