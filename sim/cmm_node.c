/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmm_node.c - the CMM service of every simulated node, driven through
 * the same state machine as the daemon's (core/cmm_node.h):
 *
 *  - its inputs are the node's agreed views, the messages of its CMM
 *    channel and votequorum's verdicts, which quorum_node.c reports to
 *    the node core from the simulated quorum service's QUORUM events as
 *    the daemon's votequorum service reports them (not the refreshes);
 *  - it is a service on the node core's bus (core/node.h), on the
 *    daemon's CMM channel: views and CMM messages are handed to it in
 *    agreed order once the membership call has returned, votequorum's
 *    verdicts through the node core's relay, as in the daemon;
 *  - its messages go out through one function, cmm_send, on that
 *    channel, through a queue that waits while the membership's send
 *    queue is three quarters full (the application keeps to half of it);
 *  - every node has the same node table, drawn once per run from the
 *    seed (all eligible, or each eligible by a coin), and the same mode:
 *    one run in four takes a strict majority of the node table instead
 *    of votequorum's verdicts, as a daemon without votequorum; its persistent
 *    record lives in memory across crashes, as the state file would.
 *
 * There is no stale timer and no client: the checker (cmm_check.c) reads
 * the state after every input.
 */
#include "sim_cmm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The run's node table, from its own stream so the network's stays as it was. */
size_t sim_cmm_table(struct sim_world *w, struct syn_cmm_node_conf *table)
{
	uint64_t h = w->o->seed * 0x9e3779b97f4a7c15ull + 0xc3a5c85c97cb3127ull;
	bool all_eligible;

	h ^= h >> 31;
	all_eligible = h & 1;
	for (uint32_t i = 1; i <= w->n; i++) {
		h = h * 6364136223846793005ull + 1442695040888963407ull;
		table[i - 1] = (struct syn_cmm_node_conf){
			.nodeid = i, .eligible = all_eligible || ((h >> 33) & 1)};
	}
	return w->n;
}

/*
 * One run in four goes without votequorum's verdicts, as a daemon whose
 * configuration has no votequorum: a strict majority of the node table.
 */
enum syn_cmm_node_mode sim_cmm_mode(const struct sim_world *w)
{
	uint64_t h = (w->o->seed + 0x632be59bd9b4e019ull) * 0x9e3779b97f4a7c15ull;

	return (h >> 40) % 4 == 0 ? SYN_CMM_NODE_MAJORITY : SYN_CMM_NODE_FOLLOW_VOTEQUORUM;
}

/* ---- sending -------------------------------------------------------------- */

/* Send what may go now, in order; keep the rest until the node's send queue has room. */
static void flush(struct sim_cmm *m)
{
	struct sim_node *nd = m->nd;
	struct syn_mem_stats st;
	int rc;

	while (nd->node && m->out_head) {
		struct sim_cout *o = m->out_head;

		sim_node_stats(nd, &st);
		if (st.send_queue_len >= nd->w->cfg.send_queue_max * 3 / 4)
			return;
		rc = syn_node_send(nd->node, sim_local_now(nd), SYN_CLUSTER_MSG_CMM, o->data,
				   o->len);
		if (rc == -EAGAIN)
			return;
		if (rc != 0)
			sim_fail(nd->w, "CMM: n%u cannot send: %d", nd->id, rc);
		m->out_head = o->next;
		if (!m->out_head)
			m->out_tail = &m->out_head;
		free(o);
	}
}

/* The one way out: a message of the CMM channel, in agreed order. */
static int cmm_send(void *ctx, const void *msg, size_t len)
{
	struct sim_cmm *m = ctx;
	struct sim_cout *o = malloc(sizeof(*o) + len);

	if (!o)
		abort();
	o->next = NULL;
	o->len = len;
	memcpy(o->data, msg, len);
	*m->out_tail = o;
	m->out_tail = &o->next;
	flush(m);
	return 0;
}

/* ---- the role logic's environment ------------------------------------------ */

static void *m_alloc(void *ctx, size_t size)
{
	(void)ctx;
	return calloc(1, size);
}

static void m_free(void *ctx, void *ptr)
{
	(void)ctx;
	free(ptr);
}

static void m_emit(void *ctx, enum syn_cmm_event kind, uint32_t nodeid)
{
	struct sim_cmm *m = ctx;

	sim_trace(m->nd->w, "n%u CMM event %d node %u", m->nd->id, (int)kind, nodeid);
}

static void m_record(void *ctx, const struct syn_cmm_record *rec)
{
	struct sim_cmm *m = ctx;

	m->rec = *rec;
	m->rec.valid = true;
}

static void m_request_done(void *ctx, uint32_t sender, uint32_t req_id, int result)
{
	(void)ctx, (void)sender, (void)req_id, (void)result;
}

static void m_view_applied(void *ctx, uint64_t ring_seq, const uint32_t *members, size_t n,
			   bool quorate)
{
	struct sim_cmm *m = ctx;

	(void)members;
	m->nd->w->r->m_applied++;
	sim_trace(m->nd->w, "n%u CMM view %llu of %zu members is %squorate", m->nd->id,
		  (unsigned long long)ring_seq, n, quorate ? "" : "not ");
}

static void m_problem(void *ctx, enum syn_cmm_node_problem what, int err, uint32_t sender)
{
	struct sim_cmm *m = ctx;

	sim_fail(m->nd->w, "CMM: n%u problem %d (%d) from n%u", m->nd->id, (int)what, err, sender);
}

/* ---- the node's bus --------------------------------------------------------- */

static void on_view(void *ctx, const struct syn_node_view *view, const struct syn_node_view *prev)
{
	struct sim_cmm *m = ctx;
	size_t n = view->n_members < SIM_MAX_NODES ? view->n_members : SIM_MAX_NODES;
	uint64_t key = sim_cmm_ring_key(m->nd->w, view->ring_seq, view->ring_rep, view->members, n);

	(void)prev;
	sim_cmm_check_view(m, view->ring_seq, view->ring_rep, key, view->members, n);
	syn_cmm_node_view(m->core, view->ring_seq, view->members, n);
	sim_cmm_check_state(m);
}

static void on_deliver(void *ctx, uint32_t sender, const void *msg, size_t len)
{
	struct sim_cmm *m = ctx;

	sim_cmm_check_deliver(m, sender, msg, len);
	syn_cmm_node_deliver(m->core, sender, msg, len);
	sim_cmm_check_state(m);
}

/* votequorum's verdicts, relayed by the node core as the daemon's bus relays them. */
static void on_quorum(void *ctx, bool quorate, const struct syn_node_view *view)
{
	struct sim_cmm *m = ctx;

	sim_cmm_check_report(m->nd, quorate, view->ring_seq);
	syn_cmm_node_quorum(m->core, quorate, view->ring_seq);
	sim_cmm_check_state(m);
}

/* ---- life cycle ------------------------------------------------------------ */

static int cmm_start(struct sim_node *nd)
{
	struct syn_cmm_node_conf table[SIM_MAX_NODES];
	struct sim_cmm *m = nd->cmm;
	size_t n = sim_cmm_table(nd->w, table);
	int rc;

	if (!m) {
		m = nd->cmm = calloc(1, sizeof(*m));
		if (!m)
			abort();
		m->nd = nd;
	}
	struct syn_cmm_node_env env = {.cmm = {.ctx = m,
					       .alloc = m_alloc,
					       .free = m_free,
					       .emit = m_emit,
					       .record = m_record,
					       .request_done = m_request_done},
				       .send = cmm_send,
				       .view_applied = m_view_applied,
				       .problem = m_problem};
	struct syn_node_service bus = {.channel = SYN_CLUSTER_MSG_CMM,
				       .ctx = m,
				       .view_changed = on_view,
				       .deliver = on_deliver,
				       .quorum_changed = on_quorum};
	m->out_head = NULL;
	m->out_tail = &m->out_head;
	m->have_ring = false;
	rc = syn_cmm_node_create(&env, sim_cmm_mode(nd->w), nd->id, table, n, &m->rec, &m->core);
	if (rc != 0) {
		m->core = NULL;
		sim_fail(nd->w, "n%u: syn_cmm_node_create failed: %d", nd->id, rc);
		return rc;
	}
	rc = syn_node_add_service(nd->node, &bus);
	if (rc != 0)
		sim_fail(nd->w, "n%u: the CMM service cannot join the bus: %d", nd->id, rc);
	return rc;
}

static void cmm_stop(struct sim_node *nd)
{
	struct sim_cmm *m = nd->cmm;

	if (!m)
		return;
	while (m->out_head) {
		struct sim_cout *o = m->out_head;
		m->out_head = o->next;
		free(o);
	}
	m->out_tail = &m->out_head;
	syn_cmm_node_destroy(m->core);
	m->core = NULL;
}

/* After every input to the node: the send queue may have room again. */
static void cmm_after(struct sim_node *nd)
{
	if (nd->cmm && nd->cmm->core)
		flush(nd->cmm);
}

static bool cmm_wanted(const struct sim_world *w)
{
	return w->o->cmm;
}

const struct sim_service sim_cmm_service = {
	.name = "cmm",
	.wanted = cmm_wanted,
	.start = cmm_start,
	.stop = cmm_stop,
	.after = cmm_after,
};

void sim_cmm_free(struct sim_node *nd)
{
	cmm_stop(nd);
	free(nd->cmm);
	nd->cmm = NULL;
}
