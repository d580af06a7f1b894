/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cpg_check.c - the promises of CPG group membership (shared spec cpg.md
 * section 6), checked on what the simulated processes see as it happens
 * (so after every simulator step):
 *
 *  A  after the activation of a view's group sync, every member that
 *     activated it holds the same process table (as a set of entries);
 *  B  virtual synchrony: two processes that pass through the same two
 *     consecutive configurations of a group delivered the same messages,
 *     in the same order, in the first;
 *  C  every delivered message comes from a member of the receiver's
 *     current configuration of the group (cpg_node.c);
 *  D  a process sees its own join before anything else of the group,
 *     stays in it until it leaves, and sees nothing after its own leave
 *     (cpg_node.c);
 *  at the end, the faults over: every node has synced, holds the same
 *  table, and each process's configuration is its group in that table.
 *
 * A process whose join or leave never comes back is counted, not failed:
 * the membership may lose a message for its sender when the only node
 * that delivered it in the old ring does not come along into the next
 * (docs/membership.md, known limits); the process then waits as a client
 * would on a lost request.
 *
 * A configuration is named by where in the agreed order it began: the
 * ring and seq of the message whose handling emitted its CONFCHG (for a
 * view: the new ring and the node's previous one), how many CONFCHGs of
 * the group the node emitted there before it, and its member list.
 * Nodes that process the same message from the same group state emit the
 * same CONFCHGs there, so two processes name a configuration alike only
 * when they were in the same one.
 */
#include "sim_int.h"

#include <stdlib.h>
#include <string.h>

uint64_t sim_cpg_hash(uint64_t h, const void *data, size_t len)
{
	const uint8_t *d = data;

	if (data == NULL)
		return 0xcbf29ce484222325ull;
	for (size_t i = 0; i < len; i++)
		h = (h ^ d[i]) * 0x100000001b3ull;
	return h;
}

static uint64_t hash_u64(uint64_t h, uint64_t v)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	return sim_cpg_hash(h, b, sizeof(b));
}

uint64_t sim_cpg_conf_key(struct sim_node *nd, uint32_t group, const struct syn_cpg_member *members,
			  size_t n)
{
	uint64_t h = sim_cpg_hash(0, NULL, 0);

	h = hash_u64(h, nd->c_ring.seq);
	h = hash_u64(h, (uint64_t)nd->c_ring.rep << 32 | nd->c_ring.rep_epoch);
	h = hash_u64(h, nd->c_prev.seq);
	h = hash_u64(h, (uint64_t)nd->c_prev.rep << 32 | nd->c_prev.rep_epoch);
	h = hash_u64(h, nd->c_seq);
	h = hash_u64(h, group);
	h = hash_u64(h, nd->c_ord[group]++);
	for (size_t i = 0; i < n; i++)
		h = hash_u64(h, (uint64_t)members[i].nodeid << 32 | members[i].pid);
	return h ? h : 1;
}

/* ---- B: transitions, an open-addressing table on (from, to) ------------------ */

static uint64_t slot_of(uint64_t from, uint64_t to, uint64_t cap)
{
	return (from * 0x9e3779b97f4a7c15ull ^ to) & (cap - 1);
}

static void trans_grow(struct sim_world *w)
{
	uint64_t cap = w->cap_ctrans ? w->cap_ctrans * 2 : 1024;
	struct sim_ctrans *t = calloc(cap, sizeof(*t));

	if (t == NULL)
		abort();
	for (uint64_t i = 0; i < w->cap_ctrans; i++) {
		const struct sim_ctrans *o = &w->ctrans[i];
		uint64_t s;

		if (o->from == 0)
			continue;
		for (s = slot_of(o->from, o->to, cap); t[s].from; s = (s + 1) & (cap - 1))
			;
		t[s] = *o;
	}
	free(w->ctrans);
	w->ctrans = t;
	w->cap_ctrans = cap;
}

void sim_cpg_check_transition(struct sim_node *nd, const struct sim_cproc *p, uint64_t to)
{
	struct sim_world *w = nd->w;
	uint64_t s;

	if (2 * (w->n_ctrans + 1) > w->cap_ctrans)
		trans_grow(w);
	for (s = slot_of(p->conf_key, to, w->cap_ctrans); w->ctrans[s].from;
	     s = (s + 1) & (w->cap_ctrans - 1)) {
		const struct sim_ctrans *t = &w->ctrans[s];

		if (t->from != p->conf_key || t->to != to)
			continue;
		w->r->c_compared++;
		if (t->n != p->n_in || t->h != p->h_in)
			sim_fail(w,
				 "B: n%u pid %u delivered %llu messages of g%u before a "
				 "configuration change, n%u pid %u %llu%s",
				 nd->id, p->pid, (unsigned long long)p->n_in, p->group, t->nodeid,
				 t->pid, (unsigned long long)t->n,
				 t->n == p->n_in ? " (other ones or in another order)" : "");
		return;
	}
	w->ctrans[s] = (struct sim_ctrans){.from = p->conf_key,
					   .to = to,
					   .n = p->n_in,
					   .h = p->h_in,
					   .nodeid = nd->id,
					   .pid = p->pid};
	w->n_ctrans++;
}

/* ---- A: tables at activation ------------------------------------------------- */

static int entry_cmp(const void *a, const void *b)
{
	const struct syn_cpg_entry *x = a, *y = b;

	if (x->nodeid != y->nodeid)
		return x->nodeid < y->nodeid ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->group.len != y->group.len)
		return x->group.len < y->group.len ? -1 : 1;
	return memcmp(x->group.value, y->group.value, x->group.len);
}

/* The table as a set: sorted, so that ties in table order do not count. */
static uint64_t table_hash(const struct syn_cpg *c)
{
	const struct syn_cpg_entry *t;
	size_t n = syn_cpg_table(c, &t);
	struct syn_cpg_entry *s = malloc((n + 1) * sizeof(*s));
	uint64_t h = sim_cpg_hash(0, NULL, 0);

	if (s == NULL)
		abort();
	if (n)
		memcpy(s, t, n * sizeof(*s));
	qsort(s, n, sizeof(*s), entry_cmp);
	for (size_t i = 0; i < n; i++) {
		h = hash_u64(h, (uint64_t)s[i].nodeid << 32 | s[i].pid);
		h = hash_u64(h, s[i].group.len);
		h = sim_cpg_hash(h, s[i].group.value, s[i].group.len);
	}
	free(s);
	return h;
}

void sim_cpg_check_activated(struct sim_node *nd, uint64_t ring_seq, uint32_t ring_rep)
{
	struct sim_world *w = nd->w;
	uint64_t h = table_hash(nd->cpg);

	/* a ring's seq and rep may recur after restarts: the delivery's ring names it */
	if (nd->c_ring.seq != ring_seq || nd->c_ring.rep != ring_rep) {
		sim_fail(w, "A: n%u activated ring %llu/%u in ring %llu/%u", nd->id,
			 (unsigned long long)ring_seq, ring_rep, (unsigned long long)nd->c_ring.seq,
			 nd->c_ring.rep);
		return;
	}
	for (uint64_t i = w->n_cacts; i-- > 0;) {
		const struct sim_cact *a = &w->cacts[i];

		if (syn_mem_ring_id_cmp(&a->ring, &nd->c_ring) != 0)
			continue;
		if (a->table_hash != h)
			sim_fail(w,
				 "A: n%u and n%u hold different process tables after ring %llu/%u",
				 a->nodeid, nd->id, (unsigned long long)ring_seq, ring_rep);
		return;
	}
	if (w->n_cacts == w->cap_cacts) {
		uint64_t cap = w->cap_cacts ? w->cap_cacts * 2 : 64;
		struct sim_cact *a = realloc(w->cacts, cap * sizeof(*a));

		if (a == NULL)
			abort();
		w->cacts = a;
		w->cap_cacts = cap;
	}
	w->cacts[w->n_cacts++] =
		(struct sim_cact){.ring = nd->c_ring, .table_hash = h, .nodeid = nd->id};
}

/* ---- at the end ------------------------------------------------------------ */

static bool conf_is_group(const struct syn_cpg *c, const struct sim_cproc *p)
{
	const struct syn_cpg_entry *t;
	size_t n = syn_cpg_table(c, &t), k = 0;

	for (size_t i = 0; i < n; i++) {
		if (t[i].group.len != 2 || t[i].group.value[1] != '0' + p->group)
			continue;
		if (k >= p->n_conf || p->conf[k].nodeid != t[i].nodeid ||
		    p->conf[k].pid != t[i].pid)
			return false;
		k++;
	}
	return k == p->n_conf;
}

void sim_cpg_check_converged(struct sim_world *w)
{
	struct sim_node *first = NULL;
	uint64_t h0 = 0;

	for (uint32_t i = 1; i <= w->n && !w->failed; i++) {
		struct sim_node *nd = &w->node[i];
		uint64_t h;

		if (nd->cpg == NULL)
			continue;
		if (syn_cpg_syncing(nd->cpg) || nd->c_joinlist || nd->c_out) {
			sim_fail(w, "CPG: n%u has not finished its group sync at the end", nd->id);
			return;
		}
		h = table_hash(nd->cpg);
		if (first && h != h0) {
			sim_fail(w, "A: n%u and n%u hold different process tables at the end",
				 first->id, nd->id);
			return;
		}
		if (first == NULL) {
			first = nd;
			h0 = h;
		}
		for (size_t k = 0; k < SIM_CPG_PROCS; k++) {
			const struct sim_cproc *p = &nd->cproc[k];

			if (p->state == SIM_CP_JOIN_STARTED || p->state == SIM_CP_LEAVE_STARTED) {
				sim_trace(w, "n%u pid %u still waits for its %s", nd->id, p->pid,
					  p->state == SIM_CP_JOIN_STARTED ? "join" : "leave");
				w->r->c_waiting++;
			}
			if (p->state == SIM_CP_JOIN_COMPLETED && !conf_is_group(nd->cpg, p)) {
				sim_fail(w,
					 "CPG: n%u pid %u's configuration of g%u is not the group",
					 nd->id, p->pid, p->group);
				return;
			}
		}
	}
}

void sim_cpg_check_free(struct sim_world *w)
{
	free(w->ctrans);
	free(w->cacts);
}
