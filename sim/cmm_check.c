/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmm_check.c - the CMM's promises (the synod CMM reference, spec
 * cmm.md), checked after every input a node's CMM handles and once the
 * run has converged:
 *
 *  C1 at most one master and one vice-master per primary view: a settled
 *     primary state names at most one of each, and every node that
 *     installs a primary state for one ring (id, members and their
 *     incarnations)
 *     names the same master and vice-master;
 *  C2 members that applied the same ring and the same agreed CMM messages
 *     (a hash chain of what each delivered in the ring) hold the same
 *     settled primary state: validity, epoch, roles, statuses and
 *     incarnations;
 *  C3 roles follow votequorum's verdict: a node whose current view has
 *     reached the role logic is primary exactly when the verdicts of that
 *     ring delivered to it (tallied here, independently of
 *     core/cmm_verdict.c) are complete and one of them is "quorate"; so
 *     with every verdict "not quorate" no member is primary.  And a
 *     primary ring is one that some member's votequorum called quorate
 *     (recorded as the node core relays it, before any VERDICT).  In the runs
 *     without votequorum (majority mode) a node is primary exactly when
 *     its view holds a strict majority of the node table;
 *  C4 once views converged and quorum is stable (the end of the run):
 *     every node's view has reached the role logic and settled, all agree
 *     on the flag, and exactly one node is master when the view is
 *     quorate and holds an eligible node, none otherwise.
 *
 * Keys are 64-bit hashes in open-addressing tables; a collision could
 * only hide a violation, never invent one.
 */
#include "sim_cmm.h"

#include <stdlib.h>
#include <string.h>

struct cmm_slot {
	uint64_t key; /* 0: empty */
	uint64_t value;
};

struct cmm_table {
	struct cmm_slot *slots;
	size_t n, cap;
};

struct sim_cmm_check {
	struct cmm_table primary; /* C1: ring -> master, vice */
	struct cmm_table states;  /* C2: ring and messages -> state hash */
	struct cmm_table reports; /* C3: (ring seq, node) that votequorum called quorate */
};

static struct cmm_slot *slot_find(struct cmm_table *t, uint64_t key)
{
	size_t i;

	if (t->n * 2 >= t->cap) {
		struct cmm_table bigger = {.cap = t->cap ? t->cap * 2 : 1024};

		bigger.slots = calloc(bigger.cap, sizeof(*bigger.slots));
		if (!bigger.slots)
			abort();
		for (size_t k = 0; k < t->cap; k++) {
			if (!t->slots[k].key)
				continue;
			for (i = t->slots[k].key & (bigger.cap - 1); bigger.slots[i].key;
			     i = (i + 1) & (bigger.cap - 1))
				;
			bigger.slots[i] = t->slots[k];
		}
		bigger.n = t->n;
		free(t->slots);
		*t = bigger;
	}
	for (i = key & (t->cap - 1); t->slots[i].key && t->slots[i].key != key;
	     i = (i + 1) & (t->cap - 1))
		;
	return &t->slots[i];
}

/*
 * The value stored under key, or value itself when key is new.  Returns
 * true when an earlier value differs.
 */
static bool table_differs(struct cmm_table *t, uint64_t key, uint64_t value, uint64_t *earlier)
{
	struct cmm_slot *s = slot_find(t, key | 1);

	if (!s->key) {
		s->key = key | 1;
		s->value = value;
		t->n++;
	}
	*earlier = s->value;
	return s->value != value;
}

static struct sim_cmm_check *checker(struct sim_world *w)
{
	if (!w->cmm_check) {
		w->cmm_check = calloc(1, sizeof(*w->cmm_check));
		if (!w->cmm_check)
			abort();
	}
	return w->cmm_check;
}

static uint64_t hash_u64(uint64_t h, uint64_t v)
{
	return sim_cpg_hash(h, &v, sizeof(v));
}

/*
 * A ring's identity: its id, its members and their incarnations when the
 * view was installed.  The id alone repeats when every member restarted
 * (ring numbers are not persisted here); the incarnations tell such rings
 * apart, and a member restarting while another installs the view only
 * gives the same ring two keys, which hides nothing false.
 */
uint64_t sim_cmm_ring_key(struct sim_world *w, uint64_t ring_seq, uint32_t ring_rep,
			  const uint32_t *members, size_t n)
{
	uint64_t h = hash_u64(hash_u64(0xcbf29ce484222325ull, ring_seq), ring_rep);

	for (size_t i = 0; i < n; i++)
		h = hash_u64(h, ((uint64_t)members[i] << 32) |
					(members[i] <= w->n ? w->node[members[i]].epoch : 0));
	return h;
}

void sim_cmm_check_view(struct sim_cmm *m, uint64_t ring_seq, uint32_t ring_rep, uint64_t ring_key,
			const uint32_t *members, size_t n)
{
	m->have_ring = true;
	m->ring_seq = ring_seq;
	m->ring_rep = ring_rep;
	m->n_members = n;
	memcpy(m->members, members, n * sizeof(*members));
	memset(m->verdict, -1, sizeof(m->verdict));
	m->ring_key = ring_key;
	m->msg_hash = m->ring_key;
}

void sim_cmm_check_deliver(struct sim_cmm *m, uint32_t sender, const void *msg, size_t len)
{
	uint64_t ring_seq;
	bool quorate;

	m->msg_hash = sim_cpg_hash(hash_u64(m->msg_hash, sender), msg, len);
	if (len < 1 || *(const uint8_t *)msg != SYN_CMM_MSG_VERDICT ||
	    syn_cmm_verdict_decode(msg, len, &ring_seq, &quorate) != 0)
		return;
	if (!m->have_ring || ring_seq != m->ring_seq || sender > SIM_MAX_NODES)
		return;
	for (size_t i = 0; i < m->n_members; i++)
		if (m->members[i] == sender)
			m->verdict[sender] = quorate ? 1 : 0;
}

/* The tally of the ring's verdicts: complete, and whether one says quorate. */
static void tally(const struct sim_cmm *m, bool *complete, bool *any_quorate)
{
	*complete = m->have_ring;
	*any_quorate = false;
	for (size_t i = 0; i < m->n_members; i++) {
		int8_t v = m->verdict[m->members[i]];

		*complete &= v >= 0;
		*any_quorate |= v == 1;
	}
}

static uint64_t report_key(uint64_t ring_seq, uint32_t nodeid)
{
	return hash_u64(hash_u64(0x51ed270b27c0f4a5ull, ring_seq), nodeid);
}

void sim_cmm_check_report(struct sim_node *nd, bool quorate, uint64_t ring_seq)
{
	uint64_t earlier;

	if (quorate)
		table_differs(&checker(nd->w)->reports, report_key(ring_seq, nd->id), 1, &earlier);
}

/* Some member's votequorum called the ring quorate at some point. */
static bool member_reported_quorate(const struct sim_cmm *m)
{
	struct cmm_table *t = &checker(m->nd->w)->reports;

	for (size_t i = 0; i < m->n_members; i++) {
		uint64_t key = report_key(m->ring_seq, m->members[i]) | 1;

		if (t->cap && slot_find(t, key)->key == key)
			return true;
	}
	return false;
}

static uint64_t state_hash(const struct syn_cmm_state *st)
{
	uint64_t h = hash_u64(0x84222325cbf29ce4ull, st->valid);

	h = hash_u64(hash_u64(h, st->epoch), ((uint64_t)st->master << 32) | st->vice);
	for (size_t i = 0; i < st->n; i++)
		h = hash_u64(h, ((uint64_t)st->e[i].nodeid << 40) |
					((uint64_t)st->e[i].status << 32) | st->e[i].incarnation);
	return h;
}

/* C1 and C2 on a settled primary state. */
static void check_primary(struct sim_cmm *m, const struct syn_cmm_state *st)
{
	struct sim_world *w = m->nd->w;
	struct sim_cmm_check *c = checker(w);
	size_t n_master = 0, n_vice = 0;
	uint64_t earlier, roles = ((uint64_t)st->master << 32) | st->vice;

	for (size_t i = 0; i < st->n; i++) {
		n_master += st->e[i].status == SYN_CMM_MASTER;
		n_vice += st->e[i].status == SYN_CMM_VICE;
	}
	if (n_master > 1 || n_vice > 1) {
		sim_fail(w, "C1: n%u's primary state of ring %llu has %zu masters, %zu vices",
			 m->nd->id, (unsigned long long)m->ring_seq, n_master, n_vice);
		return;
	}
	if (table_differs(&c->primary, m->ring_key, roles, &earlier)) {
		sim_fail(w,
			 "C1: n%u has master %u vice %u in primary ring %llu/%u, another node "
			 "had master %u vice %u",
			 m->nd->id, st->master, st->vice, (unsigned long long)m->ring_seq,
			 m->ring_rep, (uint32_t)(earlier >> 32), (uint32_t)earlier);
		return;
	}
	w->r->m_primary++;
	if (table_differs(&c->states, m->msg_hash, state_hash(st), &earlier))
		sim_fail(w,
			 "C2: n%u's primary state in ring %llu/%u (master %u vice %u epoch %llu) "
			 "differs from another member's after the same messages",
			 m->nd->id, (unsigned long long)m->ring_seq, m->ring_rep, st->master,
			 st->vice, (unsigned long long)st->epoch);
}

void sim_cmm_check_state(struct sim_cmm *m)
{
	struct sim_world *w = m->nd->w;
	struct syn_cmm *roles = syn_cmm_node_roles(m->core);
	bool applied = syn_cmm_node_phase(m->core) == SYN_CMM_NODE_APPLIED;
	bool primary = applied && syn_cmm_quorate(roles);
	bool complete, any_quorate;

	if (!m->have_ring || !applied)
		return;
	if (sim_cmm_mode(w) == SYN_CMM_NODE_MAJORITY) {
		if (primary != (m->n_members * 2 > w->n))
			sim_fail(w,
				 "C3: n%u is %sprimary in ring %llu of %zu of %u nodes (majority "
				 "mode)",
				 m->nd->id, primary ? "" : "not ", (unsigned long long)m->ring_seq,
				 m->n_members, w->n);
		else if (primary && !syn_cmm_syncing(roles))
			check_primary(m, syn_cmm_local(roles));
		return;
	}
	tally(m, &complete, &any_quorate);
	if (primary != (complete && any_quorate)) {
		sim_fail(w,
			 "C3: n%u is %sprimary in ring %llu, its verdicts are %scomplete and "
			 "%squorate",
			 m->nd->id, primary ? "" : "not ", (unsigned long long)m->ring_seq,
			 complete ? "" : "not ", any_quorate ? "" : "not ");
		return;
	}
	if (primary && !member_reported_quorate(m)) {
		sim_fail(
			w,
			"C3: n%u is primary in ring %llu, no member's votequorum called it quorate",
			m->nd->id, (unsigned long long)m->ring_seq);
		return;
	}
	if (primary && !syn_cmm_syncing(roles))
		check_primary(m, syn_cmm_local(roles));
}

/* C4: the cluster's final view. */
void sim_cmm_check_converged(struct sim_world *w)
{
	struct syn_cmm_node_conf table[SIM_MAX_NODES];
	const struct sim_cmm *first = NULL;
	size_t n_masters = 0;
	bool eligible_in_view = false;

	if (w->failed)
		return;
	sim_cmm_table(w, table);
	for (uint32_t i = 1; i <= w->n; i++) {
		const struct sim_cmm *m = w->node[i].cmm;

		if (!m || !m->core)
			continue;
		if (!m->have_ring || syn_cmm_node_busy(m->core)) {
			sim_fail(w, "C4: n%u's CMM has not settled its view at the end", i);
			return;
		}
		if (first && (first->ring_seq != m->ring_seq ||
			      syn_cmm_node_view_quorate(first->core) !=
				      syn_cmm_node_view_quorate(m->core))) {
			sim_fail(w, "C4: n%u and n%u end in different CMM views or flags",
				 first->nd->id, i);
			return;
		}
		first = first ? first : m;
		n_masters +=
			syn_cmm_entry(syn_cmm_node_roles(m->core), i)->status == SYN_CMM_MASTER;
	}
	if (!first)
		return;
	for (size_t k = 0; k < first->n_members; k++)
		eligible_in_view |= table[first->members[k] - 1].eligible;
	if (syn_cmm_node_view_quorate(first->core) && eligible_in_view) {
		w->r->m_masters++;
		if (n_masters != 1)
			sim_fail(w, "C4: %zu masters in the final quorate view %llu", n_masters,
				 (unsigned long long)first->ring_seq);
	} else if (n_masters != 0) {
		sim_fail(w, "C4: %zu masters in the final view %llu (%s)", n_masters,
			 (unsigned long long)first->ring_seq,
			 eligible_in_view ? "not quorate" : "no eligible node");
	}
}

void sim_cmm_check_free(struct sim_world *w)
{
	if (!w->cmm_check)
		return;
	free(w->cmm_check->primary.slots);
	free(w->cmm_check->states.slots);
	free(w->cmm_check->reports.slots);
	free(w->cmm_check);
	w->cmm_check = NULL;
}
