/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmm_node.h - the CMM as a service of one node on the node bus: it
 * decides when an agreed view reaches the role logic (cmm_roles.h) and
 * with which quorate flag, so that the daemon and the simulator drive the
 * same code.
 *
 * Inputs: the node's agreed views (syn_cmm_node_view), every message of
 * the CMM channel in agreed order (syn_cmm_node_deliver: VERDICT messages
 * and the role logic's SYNC, REQUEST and TABLE), and votequorum's local
 * verdicts (syn_cmm_node_quorum).  Outputs: messages for the CMM channel
 * through env.send, plus the role logic's callbacks (env.cmm).
 *
 * Two modes: follow votequorum (the quorate flag of a view is agreed
 * through VERDICT messages, cmm_verdict.h), or, without votequorum, a
 * view is quorate when it holds a strict majority of the node table.
 *
 * What it does not do: IPC, the persistent record's storage, logging,
 * timers.  The caller arms the stale timer from the role logic
 * (syn_cmm_wants_stale_timer on syn_cmm_node_roles) after every input.
 * The state table is in cmm_node.c.
 */
#ifndef SYN_CORE_CMM_NODE_H
#define SYN_CORE_CMM_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmm_roles.h"

enum syn_cmm_node_mode {
	SYN_CMM_NODE_FOLLOW_VOTEQUORUM = 0,
	SYN_CMM_NODE_MAJORITY = 1,
};

/* Where the current view stands (the rows of the state table). */
enum syn_cmm_node_phase {
	SYN_CMM_NODE_NO_VIEW = 0,  /* no view delivered yet */
	SYN_CMM_NODE_AWAITING = 1, /* a view whose quorate flag is not agreed yet */
	SYN_CMM_NODE_APPLIED = 2,  /* the view reached the role logic with its flag */
};

enum syn_cmm_node_problem {
	SYN_CMM_NODE_SYNC_SEND_FAILED = 1,    /* the SYNC of a view could not be sent */
	SYN_CMM_NODE_VERDICT_SEND_FAILED = 2, /* retried at the next report */
	SYN_CMM_NODE_BAD_VERDICT = 3,	      /* a malformed VERDICT, ignored */
	SYN_CMM_NODE_BAD_MESSAGE = 4,	      /* a malformed role message, ignored */
};

struct syn_cmm_node_env {
	/* The role logic's environment; its ctx is the ctx of every hook here. */
	struct syn_cmm_env cmm;
	/* Broadcast msg on the CMM channel in agreed order: 0 or -errno. */
	int (*send)(void *ctx, const void *msg, size_t len);
	/*
	 * A view is about to reach the role logic with this flag (for the
	 * caller's log); may be NULL.
	 */
	void (*view_applied)(void *ctx, uint64_t ring_seq, const uint32_t *members, size_t n,
			     bool quorate);
	/*
	 * Something failed that an operator may want to read about; err is
	 * -errno, sender 0 when not a delivery.  May be NULL.
	 */
	void (*problem)(void *ctx, enum syn_cmm_node_problem what, int err, uint32_t sender);
};

struct syn_cmm_node;

/*
 * Arguments as syn_cmm_create (the table is copied, rec is read once).
 * -EINVAL for a bad table or mode, -ENOMEM with nothing allocated.
 */
int syn_cmm_node_create(const struct syn_cmm_node_env *env, enum syn_cmm_node_mode mode,
			uint32_t self, const struct syn_cmm_node_conf *table, size_t n,
			const struct syn_cmm_record *rec, struct syn_cmm_node **out);
void syn_cmm_node_destroy(struct syn_cmm_node *nd);

/* A new agreed view of the node (members beyond SYN_CMM_NODES_MAX are dropped). */
void syn_cmm_node_view(struct syn_cmm_node *nd, uint64_t ring_seq, const uint32_t *members,
		       size_t n);
/* A message of the CMM channel in agreed order. */
void syn_cmm_node_deliver(struct syn_cmm_node *nd, uint32_t sender, const void *msg, size_t len);
/* votequorum's local verdict for ring_seq (ignored in majority mode). */
void syn_cmm_node_quorum(struct syn_cmm_node *nd, bool quorate, uint64_t ring_seq);

/* The role logic, for queries, request encoding and the stale timer. */
struct syn_cmm *syn_cmm_node_roles(const struct syn_cmm_node *nd);
enum syn_cmm_node_phase syn_cmm_node_phase(const struct syn_cmm_node *nd);
enum syn_cmm_node_mode syn_cmm_node_mode(const struct syn_cmm_node *nd);
/* The agreed flag the current view was applied with (APPLIED only). */
bool syn_cmm_node_view_quorate(const struct syn_cmm_node *nd);
/* The current view's ring (0 before the first view). */
uint64_t syn_cmm_node_ring(const struct syn_cmm_node *nd);
/*
 * Requests must wait: no view yet, the view's flag is not agreed, or its
 * sync phase is open.
 */
bool syn_cmm_node_busy(const struct syn_cmm_node *nd);

#endif /* SYN_CORE_CMM_NODE_H */
