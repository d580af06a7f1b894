/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmm_roles.c - deterministic CMM role assignment and notification diffs.
 *
 * States a node goes through (per agreed view):
 *
 *   view, quorate      -> SYNCING: broadcast SYNC (record + last primary
 *                         state), collect one SYNC per member
 *   all SYNCs in       -> choose P (largest epoch, then view sequence,
 *                         then smallest master id), detect split brain,
 *                         elect (rules of reference 8.3), emit INV, the
 *                         canonical diff, VAL; install; SETTLED
 *   view, non-quorate  -> roles of the view's members dropped locally
 *                         (MD/VD); nodes outside keep their last status;
 *                         STALE(0) when the caller's timer expires
 *   request (SETTLED)  -> permission checks against the installed state,
 *                         identical on every member, then re-election
 *
 * Every member computes the same state because the inputs (SYNC contents
 * and requests) arrive in the same total order.  The local state may
 * differ from the last primary state only in a non-quorate view.
 */
#include <errno.h>
#include <string.h>

#include "cmm_int.h"

static void copy_state(struct syn_cmm_state *dst, const struct syn_cmm_state *src)
{
	size_t n = src->n;

	memcpy(dst, src, offsetof(struct syn_cmm_state, e));
	memcpy(dst->e, src->e, n * sizeof(src->e[0]));
}

static int table_index(const struct syn_cmm *c, uint32_t nodeid)
{
	for (size_t i = 0; i < c->n_table; i++)
		if (c->table[i].nodeid == nodeid)
			return (int)i;
	return -1;
}

static const struct syn_cmm_entry *state_find(const struct syn_cmm_state *st, uint32_t nodeid)
{
	if (!st->valid)
		return NULL;
	for (size_t i = 0; i < st->n; i++)
		if (st->e[i].nodeid == nodeid)
			return &st->e[i];
	return NULL;
}

static struct syn_cmm_member *member_find(struct syn_cmm *c, uint32_t nodeid)
{
	for (size_t i = 0; i < c->n_members; i++)
		if (c->members[i].nodeid == nodeid)
			return &c->members[i];
	return NULL;
}

/* An empty state over the table: every node OUT with its initial levels. */
static void state_reset(const struct syn_cmm *c, struct syn_cmm_state *st)
{
	memset(st, 0, offsetof(struct syn_cmm_state, e));
	st->n = c->n_table;
	for (size_t i = 0; i < c->n_table; i++) {
		st->e[i] = (struct syn_cmm_entry){.nodeid = c->table[i].nodeid,
						  .disqualified = c->table[i].disqualified,
						  .synchro_needed = c->table[i].synchro_needed};
	}
}

/* ---- election (reference 8.3) --------------------------------------- */

struct elect_in {
	const struct syn_cmm_state *p; /* previous primary state (may be !valid) */
	uint32_t m, v;		       /* previous master and vice-master */
	uint32_t force_master;	       /* seize: bypass rule 3 */
};

static bool is_candidate(const struct syn_cmm *c, const struct syn_cmm_state *st, size_t i)
{
	const struct syn_cmm_node_conf *t = &c->table[i];

	return st->e[i].status != SYN_CMM_OUT && t->eligible && !t->frozen && !t->excluded &&
	       !st->e[i].disqualified;
}

static bool cand_id(const struct syn_cmm *c, const struct syn_cmm_state *st, uint32_t id)
{
	int i = id ? table_index(c, id) : -1;

	return i >= 0 && is_candidate(c, st, (size_t)i);
}

/* Rule 1: members and their levels and incarnations. */
static void elect_members(struct syn_cmm *c, const struct elect_in *in, struct syn_cmm_state *out)
{
	state_reset(c, out);
	for (size_t i = 0; i < c->n_table; i++) {
		struct syn_cmm_entry *e = &out->e[i];
		const struct syn_cmm_entry *pe = state_find(in->p, e->nodeid);
		struct syn_cmm_member *m = member_find(c, e->nodeid);

		if (pe) {
			e->incarnation = pe->incarnation;
			e->disqualified = pe->disqualified;
			e->synchro_needed = pe->synchro_needed;
			e->removed = pe->removed && pe->status == SYN_CMM_OUT;
		}
		if (!m || c->table[i].excluded)
			continue;
		if (m->rec.valid) {
			e->disqualified = m->rec.disqualified;
			e->synchro_needed = m->rec.synchro_needed;
		}
		e->removed = m->removed;
		if (m->removed)
			continue;
		e->status = SYN_CMM_IN;
		/*
		 * Only a real re-entry (absent or out in the previous state, or
		 * restarted) is a new incarnation.  A member that stayed in while
		 * the previous state was written elsewhere keeps its incarnation
		 * (the higher of the two copies).
		 */
		if (!pe || pe->status == SYN_CMM_OUT || m->fresh) {
			uint32_t base = m->rec.incarnation;

			if (pe && pe->incarnation > base)
				base = pe->incarnation;
			e->incarnation = base + 1;
		} else if (m->rec.valid && m->rec.incarnation > e->incarnation) {
			e->incarnation = m->rec.incarnation;
		}
	}
}

static uint64_t members_max_epoch(const struct syn_cmm *c)
{
	uint64_t emax = 0;

	for (size_t i = 0; i < c->n_members; i++)
		if (c->members[i].rec.epoch > emax)
			emax = c->members[i].rec.epoch;
	return emax;
}

/* Rule 3c: the electable node, or 0. */
static uint32_t elect_by_epoch(struct syn_cmm *c, const struct syn_cmm_state *st)
{
	uint64_t emax = members_max_epoch(c);
	uint32_t first = 0;

	for (size_t i = 0; i < c->n_table; i++) {
		struct syn_cmm_member *m = member_find(c, c->table[i].nodeid);

		if (!m || !is_candidate(c, st, i) || m->rec.epoch != emax)
			continue;
		if (st->e[i].synchro_needed && m->rec.last_role != SYN_CMM_MASTER)
			continue;
		if (m->rec.last_role == SYN_CMM_MASTER)
			return m->nodeid;
		if (!first)
			first = m->nodeid;
	}
	return first;
}

/* Rule 4c: the other candidate with the largest epoch, then smallest id. */
static uint32_t vice_by_epoch(struct syn_cmm *c, const struct syn_cmm_state *st)
{
	uint32_t best = 0;
	uint64_t best_epoch = 0;

	for (size_t i = 0; i < c->n_table; i++) {
		struct syn_cmm_member *m = member_find(c, c->table[i].nodeid);
		uint64_t ep = m ? m->rec.epoch : 0;

		if (!is_candidate(c, st, i) || c->table[i].nodeid == st->master)
			continue;
		if (!best || ep > best_epoch) {
			best = c->table[i].nodeid;
			best_epoch = ep;
		}
	}
	return best;
}

static void set_status(const struct syn_cmm *c, struct syn_cmm_state *st, uint32_t id,
		       uint8_t status)
{
	int i = id ? table_index(c, id) : -1;

	if (i >= 0)
		st->e[i].status = status;
}

/* Rules 1-5: compute out from the members, the inputs and P. */
static void elect(struct syn_cmm *c, const struct elect_in *in, uint64_t view_seq,
		  struct syn_cmm_state *out)
{
	const struct syn_cmm_state *p = in->p;
	uint32_t master = 0, vice = 0;
	int v_idx = in->v ? table_index(c, in->v) : -1;
	uint64_t emax;

	elect_members(c, in, out);
	if (in->force_master && cand_id(c, out, in->force_master))
		master = in->force_master;
	else if (cand_id(c, out, in->m))
		master = in->m;
	else if (cand_id(c, out, in->v) && !out->e[v_idx].synchro_needed)
		master = in->v;
	else
		master = elect_by_epoch(c, out);
	out->master = master;
	if (master) {
		if (cand_id(c, out, in->v) && in->v != master)
			vice = in->v;
		else if (cand_id(c, out, in->m) && in->m != master)
			vice = in->m;
		else
			vice = vice_by_epoch(c, out);
	}
	out->vice = vice;
	set_status(c, out, master, SYN_CMM_MASTER);
	set_status(c, out, vice, SYN_CMM_VICE);
	out->valid = true;
	out->view_seq = view_seq;
	out->epoch = p->valid ? p->epoch : 0;
	if (master && (!p->valid || master != p->master)) {
		emax = members_max_epoch(c);
		if (out->epoch > emax)
			emax = out->epoch;
		out->epoch = emax + 1;
	}
}

/* ---- notifications (reference 6.2) ---------------------------------- */

static void emit(struct syn_cmm *c, enum syn_cmm_event kind, uint32_t nodeid)
{
	c->env.emit(c->env.ctx, kind, nodeid);
}

static uint8_t old_status(const struct syn_cmm_state *o, const struct syn_cmm_state *n, size_t i)
{
	const struct syn_cmm_entry *oe = state_find(o, n->e[i].nodeid);

	if (!oe)
		return SYN_CMM_OUT;
	/* A new incarnation is a leave followed by an entry. */
	if (oe->status != SYN_CMM_OUT && n->e[i].status != SYN_CMM_OUT &&
	    oe->incarnation != n->e[i].incarnation)
		return SYN_CMM_OUT;
	return oe->status;
}

static void emit_diff(struct syn_cmm *c, const struct syn_cmm_state *o,
		      const struct syn_cmm_state *n)
{
	for (size_t i = 0; i < n->n; i++) {
		const struct syn_cmm_entry *oe = state_find(o, n->e[i].nodeid);

		if (oe && oe->status != SYN_CMM_OUT &&
		    (n->e[i].status == SYN_CMM_OUT || old_status(o, n, i) == SYN_CMM_OUT))
			emit(c, SYN_CMM_EV_L, n->e[i].nodeid);
	}
	for (size_t i = 0; i < n->n; i++)
		if (old_status(o, n, i) == SYN_CMM_MASTER &&
		    (n->e[i].status == SYN_CMM_IN || n->e[i].status == SYN_CMM_VICE))
			emit(c, SYN_CMM_EV_MD, n->e[i].nodeid);
	for (size_t i = 0; i < n->n; i++)
		if (old_status(o, n, i) == SYN_CMM_VICE && n->e[i].status == SYN_CMM_IN)
			emit(c, SYN_CMM_EV_VD, n->e[i].nodeid);
	for (size_t i = 0; i < n->n; i++)
		if (n->e[i].status == SYN_CMM_MASTER && old_status(o, n, i) != SYN_CMM_MASTER)
			emit(c, SYN_CMM_EV_ME, n->e[i].nodeid);
	for (size_t i = 0; i < n->n; i++)
		if (n->e[i].status == SYN_CMM_VICE && old_status(o, n, i) != SYN_CMM_VICE)
			emit(c, SYN_CMM_EV_VE, n->e[i].nodeid);
	for (size_t i = 0; i < n->n; i++)
		if (n->e[i].status == SYN_CMM_IN && old_status(o, n, i) == SYN_CMM_OUT)
			emit(c, SYN_CMM_EV_J, n->e[i].nodeid);
}

/* ---- installing a primary state --------------------------------------- */

/* Rule 5 and 8.2: what every member records of a new primary state. */
static void update_records(struct syn_cmm *c, const struct syn_cmm_state *st)
{
	for (size_t i = 0; i < c->n_members; i++) {
		struct syn_cmm_member *m = &c->members[i];
		const struct syn_cmm_entry *e = state_find(st, m->nodeid);

		if (!e)
			continue;
		m->fresh = false;
		m->rec.valid = true;
		m->rec.incarnation = e->incarnation;
		m->rec.disqualified = e->disqualified;
		m->rec.synchro_needed = e->synchro_needed;
		if (st->master) {
			m->rec.epoch = st->epoch;
			m->rec.last_role = e->status;
			m->rec.last_master = st->master;
		}
	}
}

/* Emit the diff towards next, install it as primary and local state. */
static void install(struct syn_cmm *c, struct syn_cmm_state *next)
{
	struct syn_cmm_member *self;
	struct syn_cmm_state *old_local = c->local;
	bool val = c->stale_signalled || c->inv_signalled;

	update_records(c, next);
	self = member_find(c, c->self);
	if (self &&
	    (self->rec.epoch != c->rec.epoch || self->rec.incarnation != c->rec.incarnation ||
	     self->rec.last_role != c->rec.last_role ||
	     self->rec.disqualified != c->rec.disqualified ||
	     self->rec.synchro_needed != c->rec.synchro_needed ||
	     self->rec.last_master != c->rec.last_master || !c->rec.valid)) {
		c->rec = self->rec;
		c->env.record(c->env.ctx, &c->rec);
	}
	c->fresh = false;
	/* next becomes both primary and local; the old buffers are reused. */
	copy_state(c->primary, next);
	c->local = next;
	c->next = old_local;
	emit_diff(c, c->next, c->local);
	if (val)
		emit(c, SYN_CMM_EV_VAL, c->local->master);
	c->stale_signalled = false;
	c->inv_signalled = false;
	c->non_primary = false;
	c->skipped = false;
}

/* ---- views and sync ------------------------------------------------- */

static void drop_local_roles(struct syn_cmm *c, const uint32_t *members, size_t n)
{
	struct syn_cmm_state *next = c->next;

	copy_state(next, c->local);
	for (size_t k = 0; k < n; k++) {
		int i = table_index(c, members[k]);

		if (i < 0 || next->e[i].status < SYN_CMM_VICE)
			continue;
		next->e[i].status = SYN_CMM_IN;
		if (next->master == members[k])
			next->master = 0;
		if (next->vice == members[k])
			next->vice = 0;
	}
	c->next = c->local;
	c->local = next;
	emit_diff(c, c->next, c->local);
}

int syn_cmm_view(struct syn_cmm *c, uint64_t ring_seq, const uint32_t *members, size_t n,
		 bool quorate, void *msg, size_t msg_cap, size_t *msg_len)
{
	*msg_len = 0;
	if (n > SYN_CMM_NODES_MAX)
		return -EINVAL;
	c->ring_seq = ring_seq;
	c->quorate = quorate;
	c->n_members = 0;
	c->n_synced = 0;
	c->n_masters_active = 0;
	for (size_t k = 0; k < n; k++) {
		if (table_index(c, members[k]) < 0)
			continue; /* not in the node table: never admitted */
		c->members[c->n_members++] = (struct syn_cmm_member){.nodeid = members[k]};
	}
	if (!quorate) {
		c->syncing = false;
		if (c->local->valid) {
			c->non_primary = true;
			drop_local_roles(c, members, n);
		}
		return 0;
	}
	c->syncing = true;
	c->best->valid = false;
	return syn_cmm_sync_encode(c, msg, msg_cap, msg_len);
}

/* P order: larger epoch, then larger view sequence, then smaller master. */
static bool better_primary(const struct syn_cmm_state *a, const struct syn_cmm_state *b)
{
	if (!a->valid)
		return false;
	if (!b->valid)
		return true;
	if (a->epoch != b->epoch)
		return a->epoch > b->epoch;
	if (a->view_seq != b->view_seq)
		return a->view_seq > b->view_seq;
	return a->master && (!b->master || a->master < b->master);
}

/* Split brain: masters other than P's lose; they must resynchronise. */
static void resolve_split_brain(struct syn_cmm *c, const struct syn_cmm_state *p)
{
	if (c->n_masters_active < 2)
		return;
	for (size_t k = 0; k < c->n_masters_active; k++) {
		uint32_t loser = c->masters_active[k];
		struct syn_cmm_member *m = member_find(c, loser);

		if (loser == p->master || !m)
			continue;
		m->rec.synchro_needed = true;
		m->rec.valid = true;
		m->fresh = true; /* re-enters with a new incarnation */
		emit(c, SYN_CMM_EV_INV, loser);
		c->inv_signalled = true;
	}
}

static void finish_sync(struct syn_cmm *c)
{
	struct elect_in in = {.p = c->best};

	if (!c->best->valid)
		state_reset(c, c->best);
	in.m = c->best->valid ? c->best->master : 0;
	in.v = c->best->valid ? c->best->vice : 0;
	resolve_split_brain(c, c->best);
	elect(c, &in, c->ring_seq, c->next);
	c->syncing = false;
	install(c, c->next);
	if (c->env.settled)
		c->env.settled(c->env.ctx);
}

static int deliver_sync(struct syn_cmm *c, uint32_t sender, const void *msg, size_t len)
{
	struct syn_cmm_sync_msg s = {.primary = c->tmp};
	struct syn_cmm_member *m;
	int rc = syn_cmm_sync_decode(msg, len, &s);

	if (rc != 0)
		return rc;
	m = member_find(c, sender);
	if (!c->syncing || s.ring_seq != c->ring_seq || !m || m->synced)
		return 0; /* from an older ring, or a duplicate */
	m->synced = true;
	m->rec = s.rec;
	m->fresh = s.fresh;
	m->removed = s.removed;
	if (s.master_active)
		c->masters_active[c->n_masters_active++] = sender;
	if (s.has_primary && better_primary(c->tmp, c->best))
		copy_state(c->best, c->tmp);
	if (++c->n_synced == c->n_members)
		finish_sync(c);
	return 0;
}

/* ---- ordered requests (reference 8.3 rule 6) ------------------------ */

static int entry_index(const struct syn_cmm *c, uint32_t nodeid)
{
	int i = table_index(c, nodeid);

	return (i >= 0 && (size_t)i < c->local->n) ? i : -1;
}

/* Re-elect from the installed state; -ECANCELED when no master results. */
static int reelect(struct syn_cmm *c, uint32_t m, uint32_t v, uint32_t force, bool need_master)
{
	struct elect_in in = {.p = c->primary, .m = m, .v = v, .force_master = force};
	uint64_t epoch = c->primary->epoch;
	uint32_t old_master = c->primary->master;

	elect(c, &in, c->primary->view_seq, c->next);
	if (need_master && !c->next->master)
		return -ECANCELED;
	/* The epoch moves only when the master changes (rule 5). */
	if (c->next->master == old_master)
		c->next->epoch = epoch;
	install(c, c->next);
	return 0;
}

static int req_release(struct syn_cmm *c, uint32_t sender)
{
	uint32_t m = c->primary->master, v = c->primary->vice;
	int vi = v ? entry_index(c, v) : -1;

	if (!m || sender != m)
		return -EPERM;
	if (vi < 0 || !is_candidate(c, c->primary, (size_t)vi) || c->primary->e[vi].synchro_needed)
		return -ECANCELED;
	return reelect(c, v, m, 0, true);
}

static int req_remove(struct syn_cmm *c, uint32_t sender)
{
	struct syn_cmm_member *m = member_find(c, sender);
	int i = entry_index(c, sender);
	int rc;

	if (!m || i < 0 || m->removed || c->primary->e[i].status == SYN_CMM_OUT)
		return -EPERM;
	m->removed = true;
	if (sender == c->self)
		c->removed = true;
	rc = reelect(c, c->primary->master, c->primary->vice, 0, sender == c->primary->master);
	if (rc != 0) {
		m->removed = false;
		if (sender == c->self)
			c->removed = false;
	}
	return rc;
}

static bool valid_qualif(int32_t q)
{
	return q >= SYN_CMM_QUALIFIED && q <= SYN_CMM_SYNCHRO_NEEDED;
}

static void set_level(bool *disq, bool *sync, int32_t q)
{
	if (q == SYN_CMM_QUALIFIED)
		*disq = false;
	else if (q == SYN_CMM_DISQUALIFIED)
		*disq = true;
	else if (q == SYN_CMM_SYNCHRO_READY)
		*sync = false;
	else
		*sync = true;
}

static int req_setqualif(struct syn_cmm *c, uint32_t sender, uint32_t target, int32_t q)
{
	struct syn_cmm_member *m;
	struct syn_cmm_member saved;
	int i = entry_index(c, target);
	int rc;

	if (!c->primary->master || sender != c->primary->master)
		return -EPERM;
	if (i < 0)
		return -ESRCH;
	if (!valid_qualif(q) || c->table[i].frozen)
		return -EINVAL;
	m = member_find(c, target);
	if (c->primary->e[i].status == SYN_CMM_OUT || !m) {
		struct syn_cmm_entry *e = &c->primary->e[i];

		set_level(&e->disqualified, &e->synchro_needed, q);
		copy_state(c->next, c->primary);
		install(c, c->next);
		return 0;
	}
	if (!c->table[i].eligible)
		return -EINVAL;
	saved = *m;
	m->rec.valid = true;
	m->rec.disqualified = c->primary->e[i].disqualified;
	m->rec.synchro_needed = c->primary->e[i].synchro_needed;
	set_level(&m->rec.disqualified, &m->rec.synchro_needed, q);
	rc = reelect(c, c->primary->master, c->primary->vice, 0, target == c->primary->master);
	if (rc != 0)
		*m = saved;
	return rc;
}

static int req_seize(struct syn_cmm *c, uint32_t sender)
{
	struct syn_cmm_member *m = member_find(c, sender);
	struct syn_cmm_member saved;
	int i = entry_index(c, sender);
	int rc;

	if (i < 0 || !m || !c->table[i].eligible || c->table[i].frozen || m->removed ||
	    c->primary->master)
		return -EPERM;
	saved = *m;
	m->rec.valid = true;
	m->rec.disqualified = false;
	m->rec.synchro_needed = c->primary->e[i].synchro_needed;
	rc = reelect(c, 0, c->primary->vice, sender, true);
	if (rc != 0 || c->local->master != sender) {
		*m = saved;
		return rc ? rc : -ECANCELED;
	}
	return 0;
}

/* Requests in a non-quorate view: nothing but a deferred removal. */
static int req_non_quorate(struct syn_cmm *c, uint32_t sender, uint8_t op)
{
	struct syn_cmm_member *m = member_find(c, sender);

	switch (op) {
	case SYN_CMM_OP_SEIZE:
		return -ENOTCONN;
	case SYN_CMM_OP_REMOVE:
		if (!m || m->removed)
			return -EPERM;
		m->removed = true;
		if (sender == c->self)
			c->removed = true;
		return 0;
	default:
		return -EPERM;
	}
}

static int apply_request(struct syn_cmm *c, uint32_t sender, const struct syn_cmm_req_msg *r)
{
	if (!c->quorate)
		return req_non_quorate(c, sender, r->op);
	if (!c->primary->valid)
		return r->op == SYN_CMM_OP_SEIZE ? -ENOTCONN : -EPERM;
	switch (r->op) {
	case SYN_CMM_OP_RELEASE:
		return req_release(c, sender);
	case SYN_CMM_OP_REMOVE:
		return req_remove(c, sender);
	case SYN_CMM_OP_SETQUALIF:
		return req_setqualif(c, sender, r->target, r->arg);
	case SYN_CMM_OP_SEIZE:
		return req_seize(c, sender);
	case SYN_CMM_OP_RELOAD:
		/* A reload without a table (the TABLE message carries one). */
		return sender == c->primary->master ? 0 : -EPERM;
	default:
		return -EINVAL;
	}
}

static int deliver_request(struct syn_cmm *c, uint32_t sender, const void *msg, size_t len)
{
	struct syn_cmm_req_msg r;
	int rc = syn_cmm_req_decode(msg, len, &r);

	if (rc != 0)
		return rc;
	if (r.ring_seq != c->ring_seq || c->syncing || !member_find(c, sender))
		rc = -EAGAIN;
	else
		rc = apply_request(c, sender, &r);
	c->env.request_done(c->env.ctx, sender, r.req_id, rc);
	return 0;
}

/* RELOAD carries the master's table; same ring and permission rules as a request. */
static int deliver_table(struct syn_cmm *c, uint32_t sender, const void *msg, size_t len)
{
	struct syn_cmm_req_msg r;
	size_t n;
	int rc = syn_cmm_table_decode(msg, len, &r, c->table_in, &n);

	if (rc != 0)
		return rc;
	if (r.ring_seq != c->ring_seq || c->syncing || !member_find(c, sender))
		rc = -EAGAIN;
	else
		rc = syn_cmm_table_apply(c, sender, c->table_in, n);
	c->env.request_done(c->env.ctx, sender, r.req_id, rc);
	return 0;
}

int syn_cmm_deliver(struct syn_cmm *c, uint32_t sender, const void *msg, size_t len)
{
	const uint8_t *b = msg;

	if (len < 1)
		return -EBADMSG;
	if (b[0] == SYN_CMM_MSG_SYNC)
		return deliver_sync(c, sender, msg, len);
	if (b[0] == SYN_CMM_MSG_REQUEST)
		return deliver_request(c, sender, msg, len);
	if (b[0] == SYN_CMM_MSG_TABLE)
		return deliver_table(c, sender, msg, len);
	return -EBADMSG;
}

void syn_cmm_view_skipped(struct syn_cmm *c)
{
	c->skipped = true;
}

void syn_cmm_stale_expired(struct syn_cmm *c)
{
	if (!c->non_primary || c->stale_signalled || !c->local->valid)
		return;
	c->stale_signalled = true;
	emit(c, SYN_CMM_EV_STALE, 0);
}

/* ---- life cycle and queries ------------------------------------------ */

int syn_cmm_create(const struct syn_cmm_env *env, uint32_t self,
		   const struct syn_cmm_node_conf *table, size_t n,
		   const struct syn_cmm_record *rec, struct syn_cmm **out)
{
	struct syn_cmm *c;
	struct syn_cmm_state **st[5];
	int rc = syn_cmm_table_check(table, n, self);

	if (rc != 0)
		return rc;
	c = env->alloc(env->ctx, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->env = *env;
	st[0] = &c->primary, st[1] = &c->local, st[2] = &c->next, st[3] = &c->best, st[4] = &c->tmp;
	for (size_t k = 0; k < 5; k++) {
		*st[k] = env->alloc(env->ctx, sizeof(struct syn_cmm_state));
		if (!*st[k]) {
			syn_cmm_destroy(c);
			return -ENOMEM;
		}
	}
	c->self = self;
	c->n_table = n;
	memcpy(c->table, table, n * sizeof(*table));
	syn_cmm_table_sort(c->table, n);
	if (rec && rec->valid)
		c->rec = *rec;
	c->fresh = true;
	state_reset(c, c->primary);
	state_reset(c, c->local);
	*out = c;
	return 0;
}

void syn_cmm_destroy(struct syn_cmm *c)
{
	if (!c)
		return;
	c->env.free(c->env.ctx, c->primary);
	c->env.free(c->env.ctx, c->local);
	c->env.free(c->env.ctx, c->next);
	c->env.free(c->env.ctx, c->best);
	c->env.free(c->env.ctx, c->tmp);
	c->env.free(c->env.ctx, c);
}

const struct syn_cmm_state *syn_cmm_local(const struct syn_cmm *c)
{
	return c->local;
}

const struct syn_cmm_node_conf *syn_cmm_conf(const struct syn_cmm *c, uint32_t nodeid)
{
	int i = table_index(c, nodeid);

	return i >= 0 ? &c->table[i] : NULL;
}

const struct syn_cmm_entry *syn_cmm_entry(const struct syn_cmm *c, uint32_t nodeid)
{
	int i = table_index(c, nodeid);

	return (i >= 0 && (size_t)i < c->local->n) ? &c->local->e[i] : NULL;
}

bool syn_cmm_stale(const struct syn_cmm *c)
{
	return c->stale_signalled;
}

bool syn_cmm_quorate(const struct syn_cmm *c)
{
	return c->quorate;
}

bool syn_cmm_syncing(const struct syn_cmm *c)
{
	return c->syncing;
}

bool syn_cmm_wants_stale_timer(const struct syn_cmm *c)
{
	return c->non_primary && !c->stale_signalled;
}

uint32_t syn_cmm_sflag(const struct syn_cmm *c, const struct syn_cmm_entry *e)
{
	const struct syn_cmm_node_conf *t = syn_cmm_conf(c, e->nodeid);
	static const uint32_t role[] = {0x0004, 0, 0x0002, 0x0001};
	uint32_t f = role[e->status & 3];

	if (!t)
		return f;
	if (t->frozen)
		f |= 0x0100;
	if (t->excluded)
		f |= 0x0200;
	if (t->eligible) {
		f |= 0x0400;
		if (e->disqualified)
			f |= 0x0800;
		if (e->synchro_needed)
			f |= 0x1000;
	}
	return f;
}
