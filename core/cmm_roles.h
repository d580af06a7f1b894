/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmm_roles.h - the pure logic of the Cluster Membership Manager (CMM):
 * roles (master, vice-master) computed deterministically from agreed
 * views, ordered sync and request messages, canonical notification diffs,
 * non-quorate partitions, stale and invalid cluster signalling.
 *
 * One struct syn_cmm per node.  The caller (the daemon, or a test that
 * plays several nodes) feeds it:
 *   - every agreed view with the quorate flag for that view
 *     (syn_cmm_view); for a quorate view it returns a SYNC message the
 *     caller broadcasts in agreed order;
 *   - every CMM message delivered in agreed order (syn_cmm_deliver);
 *   - the stale timer's expiry (syn_cmm_stale_expired).
 * It reports through the environment: notifications for local clients
 * (in generation order), its own persistent record whenever it changes,
 * and the result of every ordered request.
 *
 * Invariants: every member of a view computes the same primary state from
 * the same ordered messages; a notification is emitted only after the
 * state it describes is installed; the core never reads a clock, never
 * allocates except through env.alloc, and returns 0 or -errno.
 *
 * The election and validity rules are those of the synod CMM reference
 * (sections 6.2, 8.3, 8.4); docs/cmm.md describes the message formats.
 */
#ifndef SYN_CORE_CMM_ROLES_H
#define SYN_CORE_CMM_ROLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SYN_CMM_NODES_MAX 1024
/* SYN_CMM_MSG_TABLE etc.: the message formats (proto/net_cmm.h). */
#include "proto/net_cmm.h"

/* Largest message syn_cmm produces (a SYNC with a full table). */
#define SYN_CMM_MSG_MAX (64 + 10 * SYN_CMM_NODES_MAX)

enum syn_cmm_status {
	SYN_CMM_OUT = 0,
	SYN_CMM_IN = 1,
	SYN_CMM_VICE = 2,
	SYN_CMM_MASTER = 3,
};

/* Notification kinds: the cmm_cmchanges_t values of cmm.h. */
enum syn_cmm_event {
	SYN_CMM_EV_ME = 250,
	SYN_CMM_EV_MD = 251,
	SYN_CMM_EV_VE = 252,
	SYN_CMM_EV_VD = 253,
	SYN_CMM_EV_J = 254,
	SYN_CMM_EV_L = 255,
	SYN_CMM_EV_STALE = 256,
	SYN_CMM_EV_INV = 257,
	SYN_CMM_EV_VAL = 258,
};

/* Requests; the argument of SETQUALIF is a cmm_qualif_t value. */
enum syn_cmm_op {
	SYN_CMM_OP_RELEASE = 1,
	SYN_CMM_OP_REMOVE = 2,
	SYN_CMM_OP_SETQUALIF = 3,
	SYN_CMM_OP_SEIZE = 4,
	SYN_CMM_OP_RELOAD = 5,
};

enum syn_cmm_qualif {
	SYN_CMM_QUALIFIED = -150,
	SYN_CMM_SYNCHRO_READY = -149,
	SYN_CMM_DISQUALIFIED = -148,
	SYN_CMM_SYNCHRO_NEEDED = -147,
};

/* One configured node (static, from the node table). */
struct syn_cmm_node_conf {
	uint32_t nodeid;
	bool eligible;
	bool frozen;
	bool excluded;
	bool disqualified;   /* initial level when nothing is persisted */
	bool synchro_needed; /* idem */
};

/* The per-node persistent record (reference section 8.2). */
struct syn_cmm_record {
	uint64_t epoch;
	uint32_t last_master;
	uint32_t incarnation;
	uint8_t last_role; /* enum syn_cmm_status */
	bool disqualified;
	bool synchro_needed;
	bool valid; /* false: nothing persisted yet, use the table's levels */
};

struct syn_cmm_entry {
	uint32_t nodeid;
	uint32_t incarnation;
	uint8_t status;
	bool disqualified;
	bool synchro_needed;
	bool removed;
};

/* A cluster state; entries follow the table order (ascending node id). */
struct syn_cmm_state {
	bool valid; /* false: never part of a primary view */
	uint64_t epoch;
	uint64_t view_seq;
	uint32_t master; /* 0 = none */
	uint32_t vice;
	size_t n;
	struct syn_cmm_entry e[SYN_CMM_NODES_MAX];
};

struct syn_cmm_env {
	void *ctx;
	/* Zeroed allocation and its release; both required. */
	void *(*alloc)(void *ctx, size_t size);
	void (*free)(void *ctx, void *ptr);
	void (*emit)(void *ctx, enum syn_cmm_event kind, uint32_t nodeid);
	/* The local record changed: persist it before acting further. */
	void (*record)(void *ctx, const struct syn_cmm_record *rec);
	/*
	 * An ordered request was applied (on every node): result 0 or
	 * -EPERM, -ECANCELED, -EINVAL, -ESRCH, -ENOTCONN (no cluster), or
	 * -EAGAIN (arrived during a sync: send it again once settled).
	 */
	void (*request_done)(void *ctx, uint32_t sender, uint32_t req_id, int result);
	/* A sync phase ended (the state is installed); may be NULL. */
	void (*settled)(void *ctx);
	/* A RELOAD replaced the node table (on every member); may be NULL. */
	void (*table_changed)(void *ctx);
};

struct syn_cmm;

/*
 * table: n configured nodes (copied, sorted here); rec: this node's
 * persisted record (NULL or !valid for none).  -EINVAL for a bad table
 * (self absent, duplicate or invalid ids, n > SYN_CMM_NODES_MAX).
 */
int syn_cmm_create(const struct syn_cmm_env *env, uint32_t self,
		   const struct syn_cmm_node_conf *table, size_t n,
		   const struct syn_cmm_record *rec, struct syn_cmm **out);
void syn_cmm_destroy(struct syn_cmm *c);

/*
 * A new agreed view.  For a quorate view the SYNC message to broadcast is
 * written to msg (capacity msg_cap >= SYN_CMM_MSG_MAX) and its length to
 * *msg_len; for a non-quorate view *msg_len is 0 and the local roles of
 * the view's members are dropped at once.  The caller arms the stale
 * timer when syn_cmm_wants_stale_timer() says so.
 */
int syn_cmm_view(struct syn_cmm *c, uint64_t ring_seq, const uint32_t *members, size_t n,
		 bool quorate, void *msg, size_t msg_cap, size_t *msg_len);
/* A CMM message in agreed order; malformed ones return -EBADMSG. */
int syn_cmm_deliver(struct syn_cmm *c, uint32_t sender, const void *msg, size_t len);
/* Encode a request of this node; *len gets its size. */
int syn_cmm_request_encode(const struct syn_cmm *c, enum syn_cmm_op op, uint32_t req_id,
			   uint32_t target, int32_t arg, void *msg, size_t cap, size_t *len);
/*
 * Encode this node's RELOAD request carrying a new node table (n entries,
 * any order); applied in agreed order by syn_cmm_deliver, result through
 * env.request_done: 0, -EPERM (not the master), -EINVAL (see cmm_table.c).
 */
int syn_cmm_reload_encode(const struct syn_cmm *c, uint32_t req_id,
			  const struct syn_cmm_node_conf *table, size_t n, void *msg, size_t cap,
			  size_t *len);
/*
 * An agreed view went by before the caller could tell whether it was
 * quorate (its flag is agreed through messages, cmm_verdict.h).  Nothing
 * changes for local clients, but until the next primary state is
 * installed this node no longer claims in its SYNC that it holds the
 * master role: it cannot know whether it was master of a primary
 * partition through that view, and a false claim would be reported as a
 * split brain at the next merge.
 */
void syn_cmm_view_skipped(struct syn_cmm *c);
/* The stale timeout expired: STALE(0) once per episode. */
void syn_cmm_stale_expired(struct syn_cmm *c);

/* Queries on the local state (what local clients see). */
const struct syn_cmm_state *syn_cmm_local(const struct syn_cmm *c);
const struct syn_cmm_node_conf *syn_cmm_conf(const struct syn_cmm *c, uint32_t nodeid);
const struct syn_cmm_entry *syn_cmm_entry(const struct syn_cmm *c, uint32_t nodeid);
bool syn_cmm_stale(const struct syn_cmm *c);
bool syn_cmm_quorate(const struct syn_cmm *c);
bool syn_cmm_syncing(const struct syn_cmm *c);
bool syn_cmm_wants_stale_timer(const struct syn_cmm *c);
/* sflag bits of cmm.h for an entry of the local state. */
uint32_t syn_cmm_sflag(const struct syn_cmm *c, const struct syn_cmm_entry *e);

#endif /* SYN_CORE_CMM_ROLES_H */
