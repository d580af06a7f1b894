/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmm_node.c - when a view reaches the CMM role logic, and with which
 * quorate flag (cmm_node.h).
 *
 * State: the phase of the current view (enum syn_cmm_node_phase), the
 * view itself, the tally of VERDICT messages for its ring
 * (cmm_verdict.h), votequorum's latest local verdict ("report") and the
 * last verdict this node broadcast ("sent"), each a ring and a value.
 *
 * State table.  "send verdict" broadcasts the report when it is for the
 * current ring and differs from the last one sent for that ring; "apply
 * (q)" hands the view to the role logic with flag q and broadcasts the
 * SYNC it returns; "settle" calls env.cmm.settled when apply opened no
 * sync phase (a non-quorate view), so that waiting requests go out.
 *
 *   phase     input                                 action                      next
 *   --------  ------------------------------------  --------------------------  --------
 *   any       view, majority mode                   apply (strict majority of   APPLIED
 *                                                   the node table in view)
 *   NO_VIEW   view, votequorum mode                 new tally; send verdict     AWAITING
 *   AWAITING  view, votequorum mode                 tell the role logic the     AWAITING
 *                                                   view went by unjudged
 *                                                   (view_skipped); new tally;
 *                                                   send verdict
 *   APPLIED   view, votequorum mode                 new tally; send verdict     AWAITING
 *   any       quorum(q, ring), votequorum mode      report := (ring, q);        same
 *                                                   send verdict
 *   any       quorum, majority mode                 report := (ring, q)         same
 *   AWAITING  VERDICT deciding the flag q           apply (q); settle           APPLIED
 *   APPLIED   VERDICT changing the flag to q        apply (q); settle           APPLIED
 *   any       VERDICT deciding nothing (other       -                           same
 *             ring, non-member, undecided, same
 *             flag), or in majority mode
 *   any       malformed VERDICT                     problem                     same
 *   APPLIED   TABLE, role logic quorate and not     deliver; if well formed,    APPLIED
 *             syncing before it                     apply (true): the resync
 *                                                   that lets a member the
 *                                                   old table refused enter
 *   any       other SYNC / REQUEST / TABLE          deliver (problem if         same
 *                                                   malformed)
 *
 * Invariants: the role logic sees a votequorum-mode view only with the
 * flag agreed from the members' VERDICT messages, so every member applies
 * it at the same point of the total order with the same flag; the resync
 * rule depends only on the delivered message and agreed state, never on
 * the result of applying the TABLE (a node started with another table may
 * see it differently).  Pure: no clock, no allocation but env.cmm.alloc.
 */
#include "cmm_node.h"

#include <errno.h>
#include <string.h>

#include "cmm_verdict.h"

/* A verdict of votequorum for one ring; value -1 when there is none. */
struct cmm_node_verdict {
	uint64_t ring_seq;
	int8_t value;
};

struct syn_cmm_node {
	struct syn_cmm_node_env env;
	enum syn_cmm_node_mode mode;
	enum syn_cmm_node_phase phase;
	struct syn_cmm *roles;
	uint64_t ring_seq;
	size_t n_members;
	uint32_t members[SYN_CMM_NODES_MAX];
	bool applied_quorate;
	struct cmm_node_verdict report;
	struct cmm_node_verdict sent;
	struct syn_cmm_verdicts verdicts;
	uint8_t msg[SYN_CMM_MSG_MAX];
};

static void problem(struct syn_cmm_node *nd, enum syn_cmm_node_problem what, int err,
		    uint32_t sender)
{
	if (nd->env.problem)
		nd->env.problem(nd->env.cmm.ctx, what, err, sender);
}

static void apply(struct syn_cmm_node *nd, bool quorate)
{
	size_t len = 0;
	int rc;

	if (nd->env.view_applied)
		nd->env.view_applied(nd->env.cmm.ctx, nd->ring_seq, nd->members, nd->n_members,
				     quorate);
	nd->phase = SYN_CMM_NODE_APPLIED;
	nd->applied_quorate = quorate;
	rc = syn_cmm_view(nd->roles, nd->ring_seq, nd->members, nd->n_members, quorate, nd->msg,
			  sizeof(nd->msg), &len);
	if (rc == 0 && len)
		rc = nd->env.send(nd->env.cmm.ctx, nd->msg, len);
	if (rc != 0)
		problem(nd, SYN_CMM_NODE_SYNC_SEND_FAILED, rc, 0);
}

static void settle(struct syn_cmm_node *nd)
{
	if (!syn_cmm_syncing(nd->roles) && nd->env.cmm.settled)
		nd->env.cmm.settled(nd->env.cmm.ctx);
}

static void send_verdict(struct syn_cmm_node *nd)
{
	uint8_t msg[SYN_CMM_VERDICT_LEN];
	size_t len;
	int rc;

	if (nd->phase == SYN_CMM_NODE_NO_VIEW || nd->report.value < 0 ||
	    nd->report.ring_seq != nd->ring_seq)
		return;
	if (nd->sent.value == nd->report.value && nd->sent.ring_seq == nd->report.ring_seq)
		return;
	rc = syn_cmm_verdict_encode(nd->report.ring_seq, nd->report.value == 1, msg, sizeof(msg),
				    &len);
	if (rc == 0)
		rc = nd->env.send(nd->env.cmm.ctx, msg, len);
	if (rc != 0) {
		problem(nd, SYN_CMM_NODE_VERDICT_SEND_FAILED, rc, 0);
		return;
	}
	nd->sent = nd->report;
}

static bool majority_quorate(const struct syn_cmm_node *nd)
{
	size_t in = 0;

	for (size_t i = 0; i < nd->n_members; i++)
		in += syn_cmm_conf(nd->roles, nd->members[i]) != NULL;
	return in * 2 > syn_cmm_local(nd->roles)->n;
}

void syn_cmm_node_view(struct syn_cmm_node *nd, uint64_t ring_seq, const uint32_t *members,
		       size_t n)
{
	if (n > SYN_CMM_NODES_MAX)
		n = SYN_CMM_NODES_MAX;
	nd->ring_seq = ring_seq;
	nd->n_members = n;
	memcpy(nd->members, members, n * sizeof(*members));
	if (nd->mode == SYN_CMM_NODE_MAJORITY) {
		apply(nd, majority_quorate(nd));
		return;
	}
	if (nd->phase == SYN_CMM_NODE_AWAITING)
		syn_cmm_view_skipped(nd->roles);
	syn_cmm_verdicts_view(&nd->verdicts, ring_seq, nd->members, n);
	nd->phase = SYN_CMM_NODE_AWAITING;
	send_verdict(nd);
}

void syn_cmm_node_quorum(struct syn_cmm_node *nd, bool quorate, uint64_t ring_seq)
{
	nd->report.ring_seq = ring_seq;
	nd->report.value = quorate ? 1 : 0;
	if (nd->mode == SYN_CMM_NODE_FOLLOW_VOTEQUORUM)
		send_verdict(nd);
}

static void deliver_verdict(struct syn_cmm_node *nd, uint32_t sender, const void *msg, size_t len)
{
	int rc;

	if (nd->mode != SYN_CMM_NODE_FOLLOW_VOTEQUORUM)
		return;
	rc = syn_cmm_verdicts_deliver(&nd->verdicts, sender, msg, len);
	if (rc < 0)
		problem(nd, SYN_CMM_NODE_BAD_VERDICT, rc, sender);
	if (rc != 1 || nd->phase == SYN_CMM_NODE_NO_VIEW)
		return;
	apply(nd, nd->verdicts.quorate);
	settle(nd);
}

void syn_cmm_node_deliver(struct syn_cmm_node *nd, uint32_t sender, const void *msg, size_t len)
{
	uint8_t type = len >= 1 ? *(const uint8_t *)msg : 0;
	bool resync = type == SYN_CMM_MSG_TABLE && nd->phase == SYN_CMM_NODE_APPLIED &&
		      syn_cmm_quorate(nd->roles) && !syn_cmm_syncing(nd->roles);
	int rc;

	if (type == SYN_CMM_MSG_VERDICT) {
		deliver_verdict(nd, sender, msg, len);
		return;
	}
	rc = syn_cmm_deliver(nd->roles, sender, msg, len);
	if (rc != 0) {
		problem(nd, SYN_CMM_NODE_BAD_MESSAGE, rc, sender);
		return;
	}
	if (resync)
		apply(nd, true);
}

int syn_cmm_node_create(const struct syn_cmm_node_env *env, enum syn_cmm_node_mode mode,
			uint32_t self, const struct syn_cmm_node_conf *table, size_t n,
			const struct syn_cmm_record *rec, struct syn_cmm_node **out)
{
	struct syn_cmm_node *nd;
	int rc;

	if (!env->send || (mode != SYN_CMM_NODE_FOLLOW_VOTEQUORUM && mode != SYN_CMM_NODE_MAJORITY))
		return -EINVAL;
	nd = env->cmm.alloc(env->cmm.ctx, sizeof(*nd));
	if (!nd)
		return -ENOMEM;
	nd->env = *env;
	nd->mode = mode;
	nd->phase = SYN_CMM_NODE_NO_VIEW;
	nd->report.value = -1;
	nd->sent.value = -1;
	rc = syn_cmm_create(&env->cmm, self, table, n, rec, &nd->roles);
	if (rc != 0) {
		env->cmm.free(env->cmm.ctx, nd);
		return rc;
	}
	*out = nd;
	return 0;
}

void syn_cmm_node_destroy(struct syn_cmm_node *nd)
{
	if (!nd)
		return;
	syn_cmm_destroy(nd->roles);
	nd->env.cmm.free(nd->env.cmm.ctx, nd);
}

struct syn_cmm *syn_cmm_node_roles(const struct syn_cmm_node *nd)
{
	return nd->roles;
}

enum syn_cmm_node_phase syn_cmm_node_phase(const struct syn_cmm_node *nd)
{
	return nd->phase;
}

enum syn_cmm_node_mode syn_cmm_node_mode(const struct syn_cmm_node *nd)
{
	return nd->mode;
}

bool syn_cmm_node_view_quorate(const struct syn_cmm_node *nd)
{
	return nd->phase == SYN_CMM_NODE_APPLIED && nd->applied_quorate;
}

uint64_t syn_cmm_node_ring(const struct syn_cmm_node *nd)
{
	return nd->ring_seq;
}

bool syn_cmm_node_busy(const struct syn_cmm_node *nd)
{
	return nd->phase != SYN_CMM_NODE_APPLIED || syn_cmm_syncing(nd->roles);
}
