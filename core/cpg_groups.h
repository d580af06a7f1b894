/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cpg_groups.h - the pure core of closed process groups: the replicated
 * process table, the node-to-node CPG messages and the view-change sync
 * (shared spec cpg.md sections 4.10 and 6.3).  No sockets, clocks, libqb
 * or globals; the daemon (and the tests) feed it views and the messages
 * the cluster delivers in agreed order, and route the events it emits to
 * local connections.
 *
 * Every node applies the same totally ordered messages to its own copy of
 * the table, so members of one view hold the same table between view
 * changes.  The table is sorted by (nodeid, pid); equal keys (one process
 * in several groups) keep their insertion order, as corosync's do, which
 * decides the iteration order tools print.  After a merge two nodes may
 * hold such ties in different orders (as corosync's do); no group's
 * member list depends on it, since a process is in a group only once.
 *
 * States and transitions:
 *
 *   state     event                       action                        next
 *   ACTIVE    PROCJOIN/LEAVE/MCAST/PARTIAL apply now, emit events        ACTIVE
 *   ACTIVE    view V                      continuing := old ∩ V;        SYNCING
 *                                         return JOINLIST(V) to send
 *   SYNCING   JOINLIST(V) from a member   store it (one per sender)     SYNCING
 *             (the last one missing)      activate (below)              ACTIVE
 *   SYNCING   JOINLIST of another view    ignore (resubmitted, stale)   SYNCING
 *   SYNCING   other message               hold it, in order             SYNCING
 *   SYNCING   view V' (abort)             apply the held messages (MCAST SYNCING
 *                                         only from group members), drop
 *                                         stored JOINLISTs, continuing
 *                                         := continuing ∩ V', NODEDOWN
 *                                         of nodes not continuing,
 *                                         JOINLIST(V')
 *
 * Activation, identical on every member (all delivered the same JOINLISTs
 * in the same order): a member is continuing when it was in every view
 * since the last activation, its JOINLIST carries the boot nonce recorded
 * for it then (a restarted daemon is not continuing), and the same path
 * as ours: the hash of the last activated ring and of every ring
 * installed since, in order.  Equal paths mean the two nodes made the
 * same view transitions since their common configuration, so the
 * membership's extended virtual synchrony gives them the same messages
 * in every ring of the path, the held messages of aborted syncs
 * included.  A node that reached this view by another path (it missed a
 * view we installed, as corosync's transitional configuration says) has
 * seen other messages: its processes leave (NODEDOWN) and join again
 * (NODEUP), so no configuration is shared across different histories.
 * Then
 *   1. NODEDOWN: entries of non-continuing nodes are removed, one CONFCHG
 *      per group (groups in name order);
 *   2. NODEUP: entries of other nodes' JOINLISTs not in the table are
 *      added (latest JOINLIST first, its last entry first), one CONFCHG
 *      per group that gained members;
 *   3. zombies: entries of other nodes missing from their own JOINLIST
 *      are removed, one CONFCHG each, reason PROCDOWN;
 *   4. the activated hook (TOTEM_CONFCHG), then the held messages.
 * Afterwards the table is exactly the union of the JOINLISTs, on every
 * member.  Deviation from corosync 3.1.7: every member sends a JOINLIST
 * (an empty one is the barrier), JOINLISTs name their view so a stale
 * one never resurrects a member, and messages delivered during a sync
 * are applied after it instead of racing with the JOINLISTs.  When a
 * newer view aborts the sync, its held messages are applied against a
 * table not yet synced with the other members, so a held MCAST or PARTIAL
 * is delivered only when its sending process (not just its node) is in
 * the group: the membership delivers a message cut by a view change in
 * the next ring, where it may come from a process of another partition
 * this node never saw join.  Then the processes of nodes that left this
 * node's history (not in every view since the last activation) leave at
 * once: a chain of aborted syncs must not keep two partitions in one
 * configuration while each applies messages the other never sees.
 */
#ifndef SYN_CORE_CPG_GROUPS_H
#define SYN_CORE_CPG_GROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SYN_CPG_GROUP_NAME_MAX 128

enum syn_cpg_reason {
	SYN_CPG_REASON_UNDEFINED = 0,
	SYN_CPG_REASON_JOIN = 1,
	SYN_CPG_REASON_LEAVE = 2,
	SYN_CPG_REASON_NODEDOWN = 3,
	SYN_CPG_REASON_NODEUP = 4,
	SYN_CPG_REASON_PROCDOWN = 5,
};

/* enum syn_cpg_msg_kind: the message formats (proto/net_cpg.h). */
#include "proto/net_cpg.h"

/* A group name: length-counted bytes; only the first len bytes count. */
struct syn_cpg_name {
	uint32_t len;
	uint8_t value[SYN_CPG_GROUP_NAME_MAX];
};

struct syn_cpg_member {
	uint32_t nodeid;
	uint32_t pid;
	uint32_t reason;
};

struct syn_cpg_entry {
	uint32_t nodeid;
	uint32_t pid;
	struct syn_cpg_name group;
};

/* One delivered message (MCAST, or one PARTIAL fragment when partial). */
struct syn_cpg_delivery {
	const struct syn_cpg_name *group;
	uint32_t nodeid;
	uint32_t pid;
	bool partial;
	uint32_t msglen;  /* whole message */
	uint32_t fraglen; /* bytes in data (= msglen unless partial) */
	uint32_t type;	  /* partial: FIRST 1, CONTINUED 2, LAST 3 */
	const void *data;
};

struct syn_cpg_env {
	void *ctx;
	/* Allocation hook; both NULL means malloc/free. */
	void *(*alloc)(void *ctx, size_t size);
	void (*free)(void *ctx, void *ptr);
	/* Membership of group changed; lists valid for the call only. */
	void (*confchg)(void *ctx, const struct syn_cpg_name *group,
			const struct syn_cpg_member *members, size_t n_members,
			const struct syn_cpg_member *left, size_t n_left,
			const struct syn_cpg_member *joined, size_t n_joined);
	/* A message for the local members of d->group. */
	void (*deliver)(void *ctx, const struct syn_cpg_delivery *d);
	/* The sync of this view is complete (after its CONFCHGs). */
	void (*activated)(void *ctx, uint64_t ring_seq, uint32_t ring_rep, const uint32_t *members,
			  size_t n_members);
};

struct syn_cpg;

/* nonce: differs at every daemon start (a restarted node is not continuing). */
int syn_cpg_create(const struct syn_cpg_env *env, uint32_t local_nodeid, uint64_t nonce,
		   struct syn_cpg **out);
void syn_cpg_destroy(struct syn_cpg *c);

/*
 * A new view (members ascending).  Starts the sync and returns the
 * JOINLIST to broadcast in *msg (owned by the core, valid until the next
 * syn_cpg_view or syn_cpg_destroy).  0 or -ENOMEM.
 */
int syn_cpg_view(struct syn_cpg *c, uint64_t ring_seq, uint32_t ring_rep, const uint32_t *members,
		 size_t n_members, const void **msg, size_t *len);
/* One CPG message delivered in agreed order.  0, -EINVAL (malformed), -ENOMEM. */
int syn_cpg_deliver(struct syn_cpg *c, uint32_t sender, const void *msg, size_t len);

bool syn_cpg_syncing(const struct syn_cpg *c);
/* The process table, in table order; valid until the next call. */
size_t syn_cpg_table(const struct syn_cpg *c, const struct syn_cpg_entry **entries);
bool syn_cpg_has_entry(const struct syn_cpg *c, uint32_t nodeid, uint32_t pid,
		       const struct syn_cpg_name *group);
bool syn_cpg_name_eq(const struct syn_cpg_name *a, const struct syn_cpg_name *b);

/*
 * Encoders of the messages a node broadcasts (little-endian, field by
 * field).  Each returns the encoded size, or 0 when cap is too small or
 * the name longer than 128 bytes; call with buf NULL for the size.
 */
size_t syn_cpg_encode_proc(uint8_t *buf, size_t cap, enum syn_cpg_msg_kind kind,
			   const struct syn_cpg_name *group, uint32_t pid, uint32_t reason);
size_t syn_cpg_encode_mcast(uint8_t *buf, size_t cap, const struct syn_cpg_name *group,
			    uint32_t pid, const void *data, uint32_t len);
size_t syn_cpg_encode_partial(uint8_t *buf, size_t cap, const struct syn_cpg_name *group,
			      uint32_t pid, uint32_t msglen, uint32_t type, const void *data,
			      uint32_t fraglen);
size_t syn_cpg_encode_joinlist(uint8_t *buf, size_t cap, uint64_t ring_seq, uint32_t ring_rep,
			       uint64_t nonce, uint64_t path, const struct syn_cpg_entry *entries,
			       size_t n);

#endif /* SYN_CORE_CPG_GROUPS_H */
