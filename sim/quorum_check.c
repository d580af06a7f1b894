/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * quorum_check.c - the promises of votequorum (docs/quorum.md), checked
 * on the quorum cores of every simulated node:
 *
 *  Q1  after every step: no two quorate nodes whose current views are
 *      disjoint (for the option combinations that promise it);
 *  W1  two_node: a node is quorate only after this incarnation has been
 *      in a view with its peer (wait_for_all's weaker promise);
 *  Q2  once views converged: every node's quorum has the final view as
 *      its member list, exactly the view's members in state MEMBER, and
 *      all nodes agree on being quorate;
 *  Q3  once views converged with every node back: quorate, when the
 *      configuration lets all votes together reach quorum.
 *
 * A view is a bit mask of node ids (at most 16 nodes).
 */
#include "sim_int.h"

#include <string.h>

static uint32_t view_mask(const struct sim_node *nd)
{
	size_t n;
	const uint32_t *m = syn_quorum_members(nd->q, &n);
	uint32_t mask = 0;

	for (size_t i = 0; i < n; i++)
		mask |= 1u << m[i];
	return n ? mask : 1u << nd->id; /* before its first view a node is alone */
}

static void mask_str(uint32_t mask, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (uint32_t i = 1; i <= SIM_MAX_NODES && o + 4 < len; i++)
		if (mask & (1u << i))
			o += (size_t)snprintf(buf + o, len - o, "%s%u", o ? "," : "", i);
}

void sim_quorum_check_step(struct sim_world *w)
{
	const struct sim_qcfg *c = &w->qcfg;
	uint32_t masks[SIM_MAX_NODES + 1], ids[SIM_MAX_NODES], n_q = 0;

	/* nothing the check reads changes unless a quorum core ran or a node stopped */
	if (!w->q_dirty)
		return;
	w->q_dirty = false;
	for (uint32_t i = 1; i <= w->n; i++) {
		struct sim_node *nd = &w->node[i];
		bool quorate = nd->q && syn_quorum_is_quorate(nd->q);

		if (quorate != nd->q_quorate) {
			nd->q_quorate = quorate;
			w->r->q_flips++;
			sim_trace(w, "n%u %s", i, quorate ? "QUORATE" : "NOT QUORATE");
		}
		if (!quorate)
			continue;
		if (c->check_two_node && !nd->saw_all)
			sim_fail(w, "W1: n%u quorate without having seen its peer", i);
		masks[i] = view_mask(nd);
		ids[n_q++] = i;
	}
	if (!c->check_split)
		return;
	for (uint32_t a = 0; a < n_q; a++)
		for (uint32_t b = a + 1; b < n_q; b++) {
			char va[64], vb[64];

			if (masks[ids[a]] & masks[ids[b]])
				continue;
			mask_str(masks[ids[a]], va, sizeof(va));
			mask_str(masks[ids[b]], vb, sizeof(vb));
			sim_fail(w, "Q1: n%u quorate in view {%s} and n%u quorate in view {%s}",
				 ids[a], va, ids[b], vb);
			return;
		}
}

/* Members in state MEMBER in nd's node table, as a mask. */
static uint32_t member_mask(const struct sim_node *nd)
{
	struct syn_quorum_node nodes[SIM_MAX_NODES + 2];
	size_t n = syn_quorum_nodes(nd->q, nodes, SIM_MAX_NODES + 2);
	uint32_t mask = 0;

	for (size_t i = 0; i < n && i < SIM_MAX_NODES + 2; i++)
		if (nodes[i].state == SYN_QUORUM_STATE_MEMBER && nodes[i].nodeid <= SIM_MAX_NODES)
			mask |= 1u << nodes[i].nodeid;
	return mask;
}

/* Whether the configuration lets all nodes together be quorate. */
static bool all_reach_quorum(const struct sim_world *w)
{
	uint32_t sum = 0;

	for (uint32_t i = 1; i <= w->n; i++)
		sum += w->qcfg.votes[i];
	return w->qcfg.expected_votes <= sum || w->qcfg.ad;
}

void sim_quorum_check_converged(struct sim_world *w, bool final)
{
	const char *when = final ? "at the end" : "at the convergence bound";
	struct sim_node *first = NULL;
	uint32_t live = 0;

	for (uint32_t i = 1; i <= w->n; i++)
		live += w->node[i].q != NULL;
	for (uint32_t i = 1; i <= w->n && !w->failed; i++) {
		struct sim_node *nd = &w->node[i];
		const struct sim_ring_rec *rec;
		uint32_t view = 0;
		char a[64], b[64];

		if (nd->q == NULL)
			continue;
		rec = &w->rings[nd->ring_idx];
		for (uint32_t k = 0; k < rec->n; k++)
			view |= 1u << rec->members[k];
		if (view_mask(nd) != view || member_mask(nd) != view) {
			mask_str(view, a, sizeof(a));
			mask_str(view_mask(nd) != view ? view_mask(nd) : member_mask(nd), b,
				 sizeof(b));
			sim_fail(w, "Q2: n%u's quorum has %s {%s}, the view is {%s} %s", i,
				 view_mask(nd) != view ? "view" : "members", b, a, when);
			return;
		}
		if (first && w->qcfg.check_agree &&
		    syn_quorum_is_quorate(first->q) != syn_quorum_is_quorate(nd->q)) {
			sim_fail(w, "Q2: n%u %squorate, n%u %squorate %s", first->id,
				 syn_quorum_is_quorate(first->q) ? "" : "not ", i,
				 syn_quorum_is_quorate(nd->q) ? "" : "not ", when);
			return;
		}
		if (w->qcfg.check_live && live == w->n && all_reach_quorum(w) &&
		    !syn_quorum_is_quorate(nd->q))
			sim_fail(w, "Q3: n%u not quorate with every node back %s", i, when);
		if (first == NULL)
			first = nd;
	}
}

/*
 * The network is whole and every live node sits in one view of all live
 * nodes, has every member's node information and is quorate: the state
 * auto_tie_breaker's promise starts from (docs/quorum.md).
 */
bool sim_quorum_settled(struct sim_world *w)
{
	uint32_t live = 0, view = 0;
	const struct sim_node *first = NULL;

	for (uint32_t a = 1; a <= w->n; a++)
		for (uint32_t b = 1; b <= w->n; b++)
			if (!w->link_up[a][b])
				return false;
	for (uint32_t i = 1; i <= w->n; i++)
		if (w->node[i].node)
			live |= 1u << i;
	for (uint32_t i = 1; i <= w->n; i++) {
		const struct sim_node *nd = &w->node[i];
		struct syn_mem_stats st;

		if (nd->node == NULL)
			continue;
		if (nd->q == NULL || !nd->has_view || nd->paused_until > w->now ||
		    !syn_quorum_is_quorate(nd->q))
			return false;
		sim_node_stats(nd, &st);
		view = view_mask(nd);
		if (st.state != SYN_MEM_OPERATIONAL || st.send_queue_len != 0 || view != live ||
		    member_mask(nd) != view || (first && first->ring_idx != nd->ring_idx))
			return false;
		first = nd;
	}
	return first != NULL;
}
