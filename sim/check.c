/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * check.c - the invariants of docs/membership.md, checked as the events
 * they constrain happen (so after every simulator step):
 *
 *  V1  a node is a member of every view it installs;
 *  V2  ring ids a node installs strictly increase (per incarnation);
 *  V3  every node installing a ring id installs the same member list;
 *  D1  a node delivers only in its installed view, seqs 1, 2, 3, ...
 *      of that view without gaps or duplicates;
 *  D2  all nodes delivering seq s of a ring deliver the same message;
 *  D3  the sender of a delivered message is a member of the view;
 *  D4  a node never delivers one sender's messages twice or out of the
 *      order they were submitted in;
 *  E1  nodes that install the same two consecutive views delivered the
 *      same number (so, by D2, the same messages) of the first;
 *  L1  after faults stop, within the bound: one view of all live nodes,
 *      every submitted message delivered, every send queue empty.
 *
 * The checker sees the membership core's raw deliveries: each starts
 * with the node core's channel byte.  The services' messages (quorum,
 * CPG) share the order with the application's (SYN_CLUSTER_MSG_TEST):
 * D1, D2 and D3 hold for them too; D4 (per-sender counters) is the
 * application's alone.
 */
#include "sim_int.h"

#include <stdlib.h>
#include <string.h>

static bool ring_eq(const struct syn_mem_ring_id *a, const struct syn_mem_ring_id *b)
{
	return syn_mem_ring_id_cmp(a, b) == 0;
}

static void *grow(void *arr, uint64_t *cap, size_t elem)
{
	uint64_t ncap = *cap ? *cap * 2 : 64;
	void *p = realloc(arr, ncap * elem);
	if (p == NULL)
		abort();
	*cap = ncap;
	return p;
}

static uint64_t ring_find(struct sim_world *w, const struct syn_mem_ring_id *r)
{
	for (uint64_t i = w->n_rings; i-- > 0;)
		if (ring_eq(&w->rings[i].ring, r))
			return i;
	return UINT64_MAX;
}

static void check_pair(struct sim_node *nd, const struct syn_mem_ring_id *next)
{
	struct sim_world *w = nd->w;
	const struct syn_mem_ring_id *prev = &w->rings[nd->ring_idx].ring;

	for (uint64_t i = 0; i < w->n_pairs; i++) {
		struct sim_pair *p = &w->pairs[i];
		if (ring_eq(&p->prev, prev) && ring_eq(&p->next, next)) {
			if (p->delivered != nd->delivered_in_view)
				sim_fail(w,
					 "E1: n%u delivered %llu messages of ring %llu/%u before "
					 "ring %llu/%u, another node %llu",
					 nd->id, (unsigned long long)nd->delivered_in_view,
					 (unsigned long long)prev->seq, prev->rep,
					 (unsigned long long)next->seq, next->rep,
					 (unsigned long long)p->delivered);
			return;
		}
	}
	if (w->n_pairs == w->cap_pairs)
		w->pairs = grow(w->pairs, &w->cap_pairs, sizeof(*w->pairs));
	w->pairs[w->n_pairs].prev = *prev;
	w->pairs[w->n_pairs].next = *next;
	w->pairs[w->n_pairs++].delivered = nd->delivered_in_view;
}

void sim_check_view(struct sim_node *nd, const struct syn_mem_view_event *ev)
{
	struct sim_world *w = nd->w;
	bool self = false;
	uint64_t idx;

	for (size_t i = 0; i < ev->n_members; i++) {
		self |= ev->members[i] == nd->id;
		if (ev->members[i] == 0 || ev->members[i] > w->n ||
		    (i > 0 && ev->members[i] <= ev->members[i - 1]))
			sim_fail(w, "V3: n%u got a malformed member list", nd->id);
	}
	if (!self)
		sim_fail(w, "V1: n%u installed ring %llu/%u without itself", nd->id,
			 (unsigned long long)ev->ring.seq, ev->ring.rep);
	if (nd->has_view) {
		const struct syn_mem_ring_id *prev = &w->rings[nd->ring_idx].ring;
		if (syn_mem_ring_id_cmp(&ev->ring, prev) <= 0)
			sim_fail(w, "V2: n%u installed ring %llu/%u after %llu/%u", nd->id,
				 (unsigned long long)ev->ring.seq, ev->ring.rep,
				 (unsigned long long)prev->seq, prev->rep);
		check_pair(nd, &ev->ring);
	}
	idx = ring_find(w, &ev->ring);
	if (idx == UINT64_MAX) {
		if (w->n_rings == w->cap_rings)
			w->rings = grow(w->rings, &w->cap_rings, sizeof(*w->rings));
		idx = w->n_rings++;
		struct sim_ring_rec *rec = &w->rings[idx];
		memset(rec, 0, sizeof(*rec));
		rec->ring = ev->ring;
		rec->n = (uint32_t)ev->n_members;
		for (size_t i = 0; i < ev->n_members && i < SIM_MAX_NODES; i++)
			rec->members[i] = ev->members[i];
	} else {
		struct sim_ring_rec *rec = &w->rings[idx];
		if (rec->n != ev->n_members ||
		    memcmp(rec->members, ev->members, sizeof(uint32_t) * rec->n) != 0)
			sim_fail(w, "V3: n%u installed ring %llu/%u with other members", nd->id,
				 (unsigned long long)ev->ring.seq, ev->ring.rep);
	}
	nd->has_view = true;
	nd->ring_idx = idx;
	nd->delivered_in_view = 0;
	w->views_seen++;
	w->last_view_at = w->now;
}

static uint64_t get_le(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* An application message: its body after the channel byte. */
static bool payload_ok(const struct syn_mem_deliver_event *ev, struct sim_msg *m)
{
	const uint8_t *d = (const uint8_t *)ev->data + SYN_CLUSTER_MSG_OFF_BODY;
	size_t len = ev->len - SYN_CLUSTER_MSG_OFF_BODY;

	if (len < 20 || get_le(d + 16, 4) != len)
		return false;
	m->sender = (uint32_t)get_le(d, 4);
	m->epoch = (uint32_t)get_le(d + 4, 4);
	m->counter = get_le(d + 8, 8);
	for (size_t i = 20; i < len; i++)
		if (d[i] != (uint8_t)(m->counter + i))
			return false;
	return m->sender == ev->sender;
}

/* A service message stands in the agreed sequence as its sender and a hash of its bytes. */
static void quorum_msg(const struct syn_mem_deliver_event *ev, struct sim_msg *m)
{
	const uint8_t *d = ev->data;
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < ev->len; i++)
		h = (h ^ d[i]) * 0x100000001b3ull;
	m->sender = ev->sender;
	m->epoch = UINT32_MAX;
	m->counter = h;
}

static void check_agreed(struct sim_node *nd, struct sim_ring_rec *rec,
			 const struct syn_mem_deliver_event *ev, const struct sim_msg *m)
{
	struct sim_world *w = nd->w;

	if (ev->seq <= rec->n_msgs) {
		const struct sim_msg *a = &rec->msgs[ev->seq - 1];
		if (a->sender != m->sender || a->epoch != m->epoch || a->counter != m->counter)
			sim_fail(w,
				 "D2: n%u delivered %u/%llu as seq %llu of ring %llu/%u, "
				 "others %u/%llu",
				 nd->id, m->sender, (unsigned long long)m->counter,
				 (unsigned long long)ev->seq, (unsigned long long)ev->ring.seq,
				 ev->ring.rep, a->sender, (unsigned long long)a->counter);
		return;
	}
	if (rec->n_msgs == rec->cap_msgs)
		rec->msgs = grow(rec->msgs, &rec->cap_msgs, sizeof(*rec->msgs));
	rec->msgs[rec->n_msgs++] = *m;
}

void sim_check_deliver(struct sim_node *nd, const struct syn_mem_deliver_event *ev)
{
	struct sim_world *w = nd->w;
	struct sim_ring_rec *rec;
	struct sim_msg m;
	bool member = false;

	if (!nd->has_view) {
		sim_fail(w, "D1: n%u delivered before installing a view", nd->id);
		return;
	}
	rec = &w->rings[nd->ring_idx];
	if (!ring_eq(&rec->ring, &ev->ring) || ev->seq != nd->delivered_in_view + 1) {
		sim_fail(w,
			 "D1: n%u delivered seq %llu of ring %llu/%u, expected seq %llu of %llu/%u",
			 nd->id, (unsigned long long)ev->seq, (unsigned long long)ev->ring.seq,
			 ev->ring.rep, (unsigned long long)nd->delivered_in_view + 1,
			 (unsigned long long)rec->ring.seq, rec->ring.rep);
		return;
	}
	for (uint32_t i = 0; i < rec->n; i++)
		member |= rec->members[i] == ev->sender;
	if (!member)
		sim_fail(w, "D3: n%u delivered a message from non-member n%u", nd->id, ev->sender);
	if (ev->len < SYN_CLUSTER_MSG_OFF_BODY) {
		sim_fail(w, "D2: n%u delivered a message without a channel", nd->id);
		return;
	}
	if (syn_le_get8((const uint8_t *)ev->data + SYN_CLUSTER_MSG_OFF_TYPE) !=
	    SYN_CLUSTER_MSG_TEST) {
		quorum_msg(ev, &m);
		check_agreed(nd, rec, ev, &m);
		nd->delivered_in_view++;
		return;
	}
	if (!payload_ok(ev, &m)) {
		sim_fail(w, "D2: n%u delivered a corrupted message", nd->id);
		return;
	}
	check_agreed(nd, rec, ev, &m);
	if (nd->last_from_epoch[m.sender] == m.epoch && m.counter <= nd->last_from[m.sender])
		sim_fail(w, "D4: n%u delivered n%u's message %llu after %llu", nd->id, m.sender,
			 (unsigned long long)m.counter,
			 (unsigned long long)nd->last_from[m.sender]);
	nd->last_from_epoch[m.sender] = m.epoch;
	nd->last_from[m.sender] = m.counter;
	if (m.sender == nd->id && m.epoch == nd->epoch)
		nd->own_delivered = m.counter;
	nd->delivered_in_view++;
	w->r->delivered++;
}

void sim_check_converged(struct sim_world *w, bool final)
{
	struct sim_node *first = NULL;
	uint32_t live = 0;
	const char *when = final ? "at the end" : "at the convergence bound";

	for (uint32_t i = 1; i <= w->n; i++) {
		struct sim_node *nd = &w->node[i];
		struct syn_mem_stats st;
		if (nd->node == NULL)
			continue;
		live++;
		sim_node_stats(nd, &st);
		if (!nd->has_view || st.state != SYN_MEM_OPERATIONAL) {
			sim_fail(w, "L1: n%u not operational %s (state %u)", nd->id, when,
				 st.state);
			return;
		}
		if (st.send_queue_len != 0) {
			sim_fail(w, "L1: n%u has %u messages undelivered %s (own %llu of %llu)",
				 nd->id, st.send_queue_len, when,
				 (unsigned long long)nd->own_delivered,
				 (unsigned long long)nd->msg_counter);
			return;
		}
		if (first == NULL) {
			first = nd;
		} else if (nd->ring_idx != first->ring_idx ||
			   nd->delivered_in_view != first->delivered_in_view) {
			sim_fail(w, "L1: n%u and n%u disagree %s (ring %llu/%u vs %llu/%u)",
				 first->id, nd->id, when,
				 (unsigned long long)w->rings[first->ring_idx].ring.seq,
				 w->rings[first->ring_idx].ring.rep,
				 (unsigned long long)w->rings[nd->ring_idx].ring.seq,
				 w->rings[nd->ring_idx].ring.rep);
			return;
		}
	}
	if (first && w->rings[first->ring_idx].n != live)
		sim_fail(w, "L1: final view has %u members, %u nodes live %s",
			 w->rings[first->ring_idx].n, live, when);
}

void sim_check_free(struct sim_world *w)
{
	for (uint64_t i = 0; i < w->n_rings; i++)
		free(w->rings[i].msgs);
	free(w->rings);
	free(w->pairs);
}
