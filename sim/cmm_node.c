/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmm_node.c - the CMM service of every simulated node, driven through
 * the same state machine as the daemon's (core/cmm_node.h):
 *
 *  - its inputs are the node's agreed views, the messages of its CMM
 *    channel and votequorum's verdicts, which quorum_node.c hands over
 *    from the simulated quorum service's QUORUM events as the daemon's
 *    votequorum service reports them (not the refreshes);
 *  - the hooks (sim_cmm_on_view, sim_cmm_on_deliver, sim_cmm_on_quorum)
 *    only queue a copy; once the membership or quorum core call has
 *    returned, sim_cmm_after_core drains the queue in order into the
 *    state machine, as the daemon's cluster layer does;
 *  - its messages go out through one function, cmm_send: first byte
 *    SIM_CMM_TAG where the daemon's channel type stands, through a queue
 *    that waits while the membership's send queue is three quarters full
 *    (the application keeps to half of it);
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

static void flush(struct sim_cmm *m)
{
	struct sim_node *nd = m->nd;
	struct syn_mem_stats st;
	int rc;

	while (nd->core && m->out_head) {
		struct sim_cmm_out *o = m->out_head;

		syn_mem_get_stats(nd->core, &st);
		if (st.send_queue_len >= nd->w->cfg.send_queue_max * 3 / 4)
			return;
		rc = syn_mem_submit(nd->core, sim_local_now(nd), o->data, o->len);
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
	struct sim_cmm_out *o = malloc(sizeof(*o) + len + 1);

	if (!o)
		abort();
	o->next = NULL;
	o->len = len + 1;
	o->data[0] = SIM_CMM_TAG;
	memcpy(o->data + 1, msg, len);
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

/* ---- inputs ------------------------------------------------------------------- */

static struct sim_cmm_ev *ev_push(struct sim_cmm *m, enum sim_cmm_input kind, size_t payload)
{
	struct sim_cmm_ev *e = calloc(1, sizeof(*e) + payload);

	if (!e)
		abort();
	e->kind = kind;
	*m->ev_tail = e;
	m->ev_tail = &e->next;
	return e;
}

void sim_cmm_on_view(struct sim_node *nd, uint64_t ring_seq, uint32_t ring_rep,
		     const uint32_t *members, size_t n)
{
	struct sim_cmm_ev *e;

	if (!nd->cmm || !nd->cmm->core)
		return;
	e = ev_push(nd->cmm, SIM_CMM_IN_VIEW, 0);
	e->ring_seq = ring_seq;
	e->ring_rep = ring_rep;
	e->n = n < SIM_MAX_NODES ? n : SIM_MAX_NODES;
	memcpy(e->members, members, e->n * sizeof(uint32_t));
	e->ring_key = sim_cmm_ring_key(nd->w, ring_seq, ring_rep, e->members, e->n);
}

void sim_cmm_on_deliver(struct sim_node *nd, uint32_t sender, const void *payload, size_t len)
{
	struct sim_cmm_ev *e;

	if (!nd->cmm || !nd->cmm->core)
		return;
	e = ev_push(nd->cmm, SIM_CMM_IN_DELIVER, len);
	e->sender = sender;
	e->n = len;
	memcpy(e->data, payload, len);
}

void sim_cmm_on_quorum(struct sim_node *nd, bool quorate, uint64_t ring_seq)
{
	struct sim_cmm_ev *e;

	if (!nd->cmm || !nd->cmm->core)
		return;
	sim_cmm_check_report(nd, quorate, ring_seq);
	e = ev_push(nd->cmm, SIM_CMM_IN_QUORUM, 0);
	e->quorate = quorate;
	e->ring_seq = ring_seq;
}

/* Today's hook-up: the CMM channel is the messages tagged SIM_CMM_TAG. */
void sim_cmm_on_mem_deliver(struct sim_node *nd, const struct syn_mem_deliver_event *ev)
{
	const uint8_t *d = ev->data;

	if (ev->len >= 1 && d[0] == SIM_CMM_TAG)
		sim_cmm_on_deliver(nd, ev->sender, d + 1, ev->len - 1);
}

static void handle(struct sim_cmm *m, const struct sim_cmm_ev *e)
{
	switch (e->kind) {
	case SIM_CMM_IN_VIEW:
		sim_cmm_check_view(m, e->ring_seq, e->ring_rep, e->ring_key, e->members, e->n);
		syn_cmm_node_view(m->core, e->ring_seq, e->members, e->n);
		break;
	case SIM_CMM_IN_DELIVER:
		sim_cmm_check_deliver(m, e->sender, e->data, e->n);
		syn_cmm_node_deliver(m->core, e->sender, e->data, e->n);
		break;
	case SIM_CMM_IN_QUORUM:
		syn_cmm_node_quorum(m->core, e->quorate, e->ring_seq);
		break;
	}
	sim_cmm_check_state(m);
}

void sim_cmm_after_core(struct sim_node *nd)
{
	struct sim_cmm *m = nd->cmm;
	struct sim_cmm_ev *e;

	if (!m || !m->core || m->draining)
		return;
	m->draining = true;
	while ((e = m->ev_head) != NULL && m->core && !nd->w->failed) {
		m->ev_head = e->next;
		if (!m->ev_head)
			m->ev_tail = &m->ev_head;
		handle(m, e);
		free(e);
	}
	flush(m); /* the send queue may have room again */
	m->draining = false;
}

/* ---- life cycle ------------------------------------------------------------ */

int sim_cmm_start(struct sim_node *nd)
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
	m->ev_head = NULL;
	m->ev_tail = &m->ev_head;
	m->out_head = NULL;
	m->out_tail = &m->out_head;
	m->have_ring = false;
	rc = syn_cmm_node_create(&env, sim_cmm_mode(nd->w), nd->id, table, n, &m->rec, &m->core);
	if (rc != 0) {
		m->core = NULL;
		sim_fail(nd->w, "n%u: syn_cmm_node_create failed: %d", nd->id, rc);
	}
	return rc;
}

void sim_cmm_stop(struct sim_node *nd)
{
	struct sim_cmm *m = nd->cmm;

	if (!m)
		return;
	while (m->ev_head) {
		struct sim_cmm_ev *e = m->ev_head;
		m->ev_head = e->next;
		free(e);
	}
	m->ev_tail = &m->ev_head;
	while (m->out_head) {
		struct sim_cmm_out *o = m->out_head;
		m->out_head = o->next;
		free(o);
	}
	m->out_tail = &m->out_head;
	syn_cmm_node_destroy(m->core);
	m->core = NULL;
}

void sim_cmm_free(struct sim_node *nd)
{
	sim_cmm_stop(nd);
	free(nd->cmm);
	nd->cmm = NULL;
}
