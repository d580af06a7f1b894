/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mem_gather.c - forming views: GATHER, ACCEPTED and RECOVER.
 *
 * A node that suspects a peer or sees a stranger enters GATHER and
 * broadcasts JOINs.  Every node that hears a JOIN gathers too, so a
 * connected set of nodes ends up hearing each other.  The lowest node id
 * among the candidates, once its candidate set has been stable for
 * join_settle_ms, proposes a view (a fresh ring id and the candidates).
 * Each member accepts at most one proposal at a time and reports, with
 * its ACCEPT, the ring it comes from and how far it holds that ring's
 * ordered log (have).  With every ACCEPT in, the coordinator broadcasts
 * a COMMIT naming, for each old ring, the target (the highest have
 * reported for it) and a source that holds the log up to that target.
 * A member fetches what it lacks from the source, delivers the old ring
 * exactly up to the target, and installs the new view.
 *
 * Safety never depends on timing: ring ids are unique per coordinator
 * incarnation, a node installs only a higher ring than its last one, and
 * all members from one old ring stop at the same target.  Timeouts only
 * decide when to give up and gather again.
 */
#include "mem_int.h"

#include <string.h>

#define MS(x) ((uint64_t)(x)*1000)

static const struct syn_mem_ring_id zero_ring;

static struct syn_mem_ring_id installed_ring(const struct syn_mem *m)
{
	return m->has_view ? m->ring : zero_ring;
}

static int cand_find(const struct syn_mem *m, uint32_t nodeid)
{
	for (uint32_t i = 0; i < m->n_cand; i++)
		if (m->cand[i].nodeid == nodeid)
			return (int)i;
	return -1;
}

static void cand_add(struct syn_mem *m, uint64_t now, uint32_t nodeid, uint32_t epoch)
{
	int i = cand_find(m, nodeid);

	if (i < 0) {
		if (m->n_cand >= SYN_MEM_MAX_NODES - 1)
			return;
		i = (int)m->n_cand++;
		m->cand_changed_us = now;
	} else if (m->cand[i].epoch != epoch) {
		m->cand_changed_us = now;
	}
	m->cand[i].nodeid = nodeid;
	m->cand[i].epoch = epoch;
	m->cand[i].heard_us = now;
}

/* The lowest id among the candidates and the local node. */
static uint32_t cand_min(const struct syn_mem *m)
{
	uint32_t lo = m->self;
	for (uint32_t i = 0; i < m->n_cand; i++)
		if (m->cand[i].nodeid < lo)
			lo = m->cand[i].nodeid;
	return lo;
}

/*
 * Record a JOIN counter; false when the JOIN is older than one already
 * seen from that node (reordered or duplicated) or from an old incarnation.
 */
static bool known_fresh(struct syn_mem *m, uint32_t nodeid, uint32_t epoch, uint32_t jc)
{
	uint32_t i;

	for (i = 0; i < m->n_known; i++)
		if (m->known[i].nodeid == nodeid)
			break;
	if (i == m->n_known) {
		if (m->n_known >= SYN_MEM_MAX_NODES)
			return true;
		m->n_known++;
		m->known[i].nodeid = nodeid;
		m->known[i].epoch = epoch;
		m->known[i].join_counter = jc;
		return true;
	}
	if (epoch < m->known[i].epoch)
		return false;
	if (epoch == m->known[i].epoch && jc <= m->known[i].join_counter)
		return false;
	m->known[i].epoch = epoch;
	m->known[i].join_counter = jc;
	return true;
}

static void send_join(struct syn_mem *m, uint64_t now)
{
	struct syn_mem_ring_id r = installed_ring(m);
	size_t len;

	m->join_counter++;
	m->stats.joins_sent++;
	len = syn_mem_wire_join(m->tx, syn_mem__src(m), &r, m->log.have, m->max_seq,
				m->join_counter);
	syn_mem__send(m, SYN_MEM_BROADCAST, len);
	m->t_join = now + MS(m->cfg.join_interval_ms);
}

void syn_mem__gather_enter(struct syn_mem *m, uint64_t now, const char *why)
{
	if (m->state == SYN_MEM_OPERATIONAL || m->stats.gathers == 0)
		syn_mem__log(m, 5, "gather: %s", why);
	else
		syn_mem__log(m, 6, "gather again: %s", why);
	m->state = SYN_MEM_GATHER;
	m->stats.gathers++;
	m->n_cand = 0;
	m->gather_start_us = now;
	m->cand_changed_us = now;
	m->prop.active = false;
	m->t_consensus = m->t_retrans = m->t_hb = m->t_submit = SYN_MEM_NEVER;
	send_join(m, now);
}

/* Send (or resend) our ACCEPT of the proposal we hold. */
static void send_accept(struct syn_mem *m, uint64_t now)
{
	struct syn_mem_ring_id old = installed_ring(m);
	size_t len = syn_mem_wire_accept(m->tx, syn_mem__src(m), &m->acc_ring, &old, m->log.have,
					 m->max_seq, m->join_counter, m->seen, m->n_seen);
	syn_mem__send(m, m->acc_proposer, len);
	m->t_retrans = now + MS(m->cfg.retransmit_ms);
}

static void accept_proposal(struct syn_mem *m, uint64_t now, uint32_t proposer,
			    const struct syn_mem_ring_id *ring)
{
	m->state = SYN_MEM_ACCEPTED;
	m->acc_ring = *ring;
	m->acc_proposer = proposer;
	m->prop.active = false;
	m->t_join = SYN_MEM_NEVER;
	m->t_consensus = now + MS(m->cfg.consensus_timeout_ms) * 3 / 2;
	send_accept(m, now);
}

static void send_propose(struct syn_mem *m, uint32_t dest)
{
	for (uint32_t i = 0; i < m->prop.n; i++) {
		m->scratch_a[i] = m->prop.e[i].nodeid;
		m->scratch_b[i] = m->prop.e[i].epoch;
	}
	size_t len = syn_mem_wire_propose(m->tx, syn_mem__src(m), &m->acc_ring, m->scratch_a,
					  m->scratch_b, m->prop.n);
	syn_mem__send(m, dest, len);
}

static void commit(struct syn_mem *m, uint64_t now);

/* Raise a proposal member's delivered_id to what one acceptor holds. */
static void merge_seen(struct syn_mem *m, const struct syn_mem_seen *sn)
{
	for (uint32_t j = 0; j < m->prop.n; j++) {
		struct syn_mem_commit_entry *e = &m->prop.e[j];
		if (e->nodeid == sn->nodeid && e->epoch == sn->epoch &&
		    sn->max_id > e->delivered_id)
			e->delivered_id = sn->max_id;
	}
}

/* Propose the given member set (ascending ids with epochs in prop.e). */
static void propose(struct syn_mem *m, uint64_t now)
{
	struct syn_mem_ring_id old = installed_ring(m);
	uint32_t me = 0;

	m->max_seq++;
	m->acc_ring.seq = m->max_seq;
	m->acc_ring.rep = m->self;
	m->acc_ring.rep_epoch = m->epoch;
	m->acc_proposer = m->self;
	m->state = SYN_MEM_ACCEPTED;
	m->t_join = SYN_MEM_NEVER;
	m->prop.active = true;
	m->prop.started_us = now;
	for (uint32_t i = 0; i < m->prop.n; i++) {
		m->prop.accepted[i] = false;
		m->prop.heard[i] = false;
		m->prop.e[i].delivered_id = 0;
		if (m->prop.e[i].nodeid == m->self)
			me = i;
	}
	m->prop.accepted[me] = m->prop.heard[me] = true;
	m->prop.e[me].old_ring = old;
	m->prop.e[me].target = m->log.have;
	m->prop.e[me].join_counter = m->join_counter;
	for (uint32_t i = 0; i < m->n_seen; i++)
		merge_seen(m, &m->seen[i]);
	m->stats.proposals++;
	syn_mem__log(m, 6, "propose ring %llu with %u members", (unsigned long long)m->max_seq,
		     m->prop.n);
	m->t_consensus = now + MS(m->cfg.consensus_timeout_ms);
	m->t_retrans = now + MS(m->cfg.retransmit_ms);
	if (m->prop.n == 1) {
		commit(m, now);
		return;
	}
	send_propose(m, SYN_MEM_BROADCAST);
}

/* Sort the candidates plus self into prop.e and propose them. */
static void propose_candidates(struct syn_mem *m, uint64_t now)
{
	uint32_t n = 0;

	m->prop.e[n].nodeid = m->self;
	m->prop.e[n++].epoch = m->epoch;
	for (uint32_t i = 0; i < m->n_cand; i++) {
		struct syn_mem_commit_entry e = {0};
		uint32_t j = n++;
		e.nodeid = m->cand[i].nodeid;
		e.epoch = m->cand[i].epoch;
		while (j > 0 && m->prop.e[j - 1].nodeid > e.nodeid) {
			m->prop.e[j] = m->prop.e[j - 1];
			j--;
		}
		m->prop.e[j] = e;
	}
	m->prop.n = n;
	propose(m, now);
}

void syn_mem__gather_on_join(struct syn_mem *m, uint64_t now, const struct syn_mem_pkt *p)
{
	int i;

	if (!known_fresh(m, p->sender, p->epoch, p->u32)) {
		m->stats.pkts_dropped++;
		return;
	}
	if (p->b > m->max_seq)
		m->max_seq = p->b;
	if (p->ring.seq > m->max_seq)
		m->max_seq = p->ring.seq;
	switch (m->state) {
	case SYN_MEM_OPERATIONAL:
		i = syn_mem__peer_find(m, p->sender);
		if (i >= 0 && m->peers[i].epoch == p->epoch && p->u32 <= m->peers[i].join_counter) {
			m->stats.pkts_dropped++; /* sent before it accepted this view */
			return;
		}
		syn_mem__gather_enter(m, now, i >= 0 ? "member gathering" : "new node joining");
		cand_add(m, now, p->sender, p->epoch);
		return;
	case SYN_MEM_GATHER:
		cand_add(m, now, p->sender, p->epoch);
		return;
	default:
		/* A member of our proposal knows a higher ring: retry above it. */
		if (m->prop.active && p->b >= m->acc_ring.seq) {
			for (uint32_t k = 0; k < m->prop.n; k++)
				if (m->prop.e[k].nodeid == p->sender) {
					syn_mem__gather_enter(m, now, "proposal ring too low");
					cand_add(m, now, p->sender, p->epoch);
					return;
				}
		}
		if (m->prop.active) {
			for (uint32_t k = 0; k < m->prop.n; k++)
				if (m->prop.e[k].nodeid == p->sender)
					m->prop.heard[k] = true;
		}
		return;
	}
}

/* Is the local node in the proposal, with its current epoch? */
static bool in_proposal(const struct syn_mem *m, const struct syn_mem_pkt *p)
{
	for (uint32_t i = 0; i < p->n; i++) {
		uint32_t id, ep;
		syn_mem_wire_member(p, i, &id, &ep);
		if (id == m->self)
			return ep == m->epoch;
	}
	return false;
}

void syn_mem__gather_on_propose(struct syn_mem *m, uint64_t now, const struct syn_mem_pkt *p)
{
	struct syn_mem_ring_id mine = installed_ring(m);

	if (p->ring.rep != p->sender || p->ring.rep_epoch != p->epoch) {
		m->stats.pkts_dropped++;
		return;
	}
	if (p->ring.seq > m->max_seq)
		m->max_seq = p->ring.seq;
	if (!in_proposal(m, p) || syn_mem_ring_id_cmp(&p->ring, &mine) <= 0) {
		/* Formed without us, or below our ring: make ourselves heard. */
		if (m->state == SYN_MEM_OPERATIONAL && syn_mem_ring_id_cmp(&p->ring, &mine) > 0)
			syn_mem__gather_enter(m, now, "view forming without us");
		else if (m->state == SYN_MEM_GATHER)
			cand_add(m, now, p->sender, p->epoch);
		m->stats.pkts_dropped++;
		return;
	}
	switch (m->state) {
	case SYN_MEM_OPERATIONAL:
		syn_mem__gather_enter(m, now, "proposal received");
		/* fall through */
	case SYN_MEM_GATHER:
		cand_add(m, now, p->sender, p->epoch);
		if (cand_min(m) == p->sender)
			accept_proposal(m, now, p->sender, &p->ring);
		return;
	case SYN_MEM_ACCEPTED:
	case SYN_MEM_RECOVER:
		if (syn_mem__ring_eq(&p->ring, &m->acc_ring)) {
			if (m->state == SYN_MEM_ACCEPTED)
				send_accept(m, now);
			return;
		}
		/*
		 * Switch to a lower coordinator, or to a retry of ours.  Safe at
		 * any point before installing: what we report is re-read now.
		 */
		if (p->sender < m->acc_proposer ||
		    (p->sender == m->acc_proposer &&
		     syn_mem_ring_id_cmp(&p->ring, &m->acc_ring) > 0))
			accept_proposal(m, now, p->sender, &p->ring);
		return;
	}
}

void syn_mem__gather_on_accept(struct syn_mem *m, uint64_t now, const struct syn_mem_pkt *p)
{
	uint32_t n_acc = 0;

	if (p->ring.seq > m->max_seq)
		m->max_seq = p->ring.seq;
	if (m->state == SYN_MEM_OPERATIONAL && syn_mem__ring_eq(&p->ring, &m->ring) &&
	    m->ring.rep == m->self && syn_mem__peer_find(m, p->sender) >= 0) {
		/* It missed our COMMIT: send it again, to it alone. */
		size_t len = syn_mem_wire_commit(m->tx, syn_mem__src(m), &m->ring, m->commit,
						 m->n_commit);
		syn_mem__send(m, p->sender, len);
		return;
	}
	if (!m->prop.active || m->state != SYN_MEM_ACCEPTED ||
	    !syn_mem__ring_eq(&p->ring, &m->acc_ring)) {
		m->stats.pkts_dropped++;
		return;
	}
	for (uint32_t i = 0; i < m->prop.n; i++) {
		struct syn_mem_commit_entry *e = &m->prop.e[i];
		if (e->nodeid == p->sender && e->epoch == p->epoch && !m->prop.accepted[i]) {
			m->prop.accepted[i] = m->prop.heard[i] = true;
			e->old_ring = p->old_ring;
			e->target = p->a;
			e->join_counter = p->u32;
			for (uint32_t k = 0; k < p->n; k++) {
				struct syn_mem_seen sn;
				syn_mem_wire_seen(p, k, &sn);
				merge_seen(m, &sn);
			}
		}
		n_acc += m->prop.accepted[i];
	}
	if (n_acc == m->prop.n)
		commit(m, now);
}

static void enter_recover(struct syn_mem *m, uint64_t now);

/*
 * Every member accepted: fix, per old ring, the target (highest have
 * reported) and its source (the first member reporting it), then commit.
 */
static void commit(struct syn_mem *m, uint64_t now)
{
	uint32_t n = m->prop.n;

	for (uint32_t i = 0; i < n; i++) {
		m->commit[i] = m->prop.e[i];
		m->commit[i].source = m->prop.e[i].nodeid;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct syn_mem_commit_entry *e = &m->commit[i];
		for (uint32_t j = 0; j < n; j++) {
			const struct syn_mem_commit_entry *o = &m->prop.e[j];
			if (syn_mem__ring_eq(&o->old_ring, &e->old_ring) && o->target > e->target) {
				e->target = o->target;
				e->source = o->nodeid;
			}
		}
		if (e->old_ring.seq == 0) {
			e->target = 0;
			e->source = e->nodeid;
		}
	}
	m->n_commit = n;
	m->prop.active = false;
	size_t len = syn_mem_wire_commit(m->tx, syn_mem__src(m), &m->acc_ring, m->commit, n);
	if (n > 1)
		syn_mem__send(m, SYN_MEM_BROADCAST, len);
	enter_recover(m, now);
}

void syn_mem__gather_on_commit(struct syn_mem *m, uint64_t now, const struct syn_mem_pkt *p)
{
	if (m->state != SYN_MEM_ACCEPTED || !syn_mem__ring_eq(&p->ring, &m->acc_ring) ||
	    p->sender != m->acc_proposer) {
		m->stats.pkts_dropped++;
		return;
	}
	for (uint32_t i = 0; i < p->n; i++)
		syn_mem_wire_commit_entry(p, i, &m->commit[i]);
	m->n_commit = p->n;
	enter_recover(m, now);
}

static void enter_recover(struct syn_mem *m, uint64_t now)
{
	struct syn_mem_ring_id mine = installed_ring(m);
	uint32_t i;

	for (i = 0; i < m->n_commit; i++)
		if (m->commit[i].nodeid == m->self && m->commit[i].epoch == m->epoch)
			break;
	if (i == m->n_commit || !syn_mem__ring_eq(&m->commit[i].old_ring, &mine) ||
	    m->commit[i].target < m->log.delivered) {
		syn_mem__gather_enter(m, now, "inconsistent commit");
		return;
	}
	m->commit_self = i;
	m->state = SYN_MEM_RECOVER;
	m->t_consensus = now + MS(m->cfg.consensus_timeout_ms) * 3 / 2;
	m->t_retrans = now;
	syn_mem__recover_progress(m, now);
}

/* The new view's members that were not in the old one, and vice versa. */
static void view_diff(struct syn_mem *m, struct syn_mem_view_event *ev)
{
	size_t nj = 0, nl = 0;

	for (uint32_t i = 0; i < m->n_commit; i++) {
		m->scratch_a[i] = m->commit[i].nodeid;
		int k = m->has_view ? syn_mem__peer_find(m, m->commit[i].nodeid) : -1;
		if (k < 0 || m->peers[k].epoch != m->commit[i].epoch)
			m->scratch_b[nj++] = m->commit[i].nodeid;
	}
	for (uint32_t i = 0; m->has_view && i < m->n_peers; i++) {
		bool kept = false;
		for (uint32_t j = 0; j < m->n_commit; j++)
			kept |= m->commit[j].nodeid == m->peers[i].nodeid &&
				m->commit[j].epoch == m->peers[i].epoch;
		if (!kept)
			m->scratch_c[nl++] = m->peers[i].nodeid;
	}
	ev->members = m->scratch_a;
	ev->n_members = m->n_commit;
	ev->joined = m->scratch_b;
	ev->n_joined = nj;
	ev->left = m->scratch_c;
	ev->n_left = nl;
}

static void install(struct syn_mem *m, uint64_t now)
{
	struct syn_mem_view_event ev;

	view_diff(m, &ev);
	ev.ring = m->acc_ring;
	/* Members already hold these: resending them would deliver them twice. */
	syn_mem__pending_pop_upto(m, m->commit[m->commit_self].delivered_id);
	/* Partial messages die with the old view; a cut one is sent again. */
	syn_mem__frag_view_change(m, m->commit[m->commit_self].delivered_id);
	syn_mem__log_fini(m, &m->prev);
	m->prev = m->log;
	syn_mem__log_init(&m->log, &m->acc_ring);
	m->ring = m->acc_ring;
	m->has_view = true;
	syn_mem__order_reset_peers(m);
	m->n_peers = m->n_commit;
	for (uint32_t i = 0; i < m->n_commit; i++) {
		struct syn_mem_peer *pr = &m->peers[i];
		memset(pr, 0, sizeof(*pr));
		pr->nodeid = m->commit[i].nodeid;
		pr->epoch = m->commit[i].epoch;
		pr->join_counter = m->commit[i].join_counter;
		pr->last_heard_us = now;
		if (pr->nodeid == m->ring.rep)
			m->leader_idx = i;
	}
	m->state = SYN_MEM_OPERATIONAL;
	m->stats.views_installed++;
	syn_mem__log(m, 5, "view installed: ring %llu/%u, %zu members, %zu joined, %zu left",
		     (unsigned long long)m->ring.seq, m->ring.rep, ev.n_members, ev.n_joined,
		     ev.n_left);
	if (m->env.on_view)
		m->env.on_view(m->env.ctx, &ev);
	syn_mem__order_installed(m, now);
}

/*
 * RECOVER: deliver the old ring up to our target as the log fills, ask
 * the source for what is missing, install once the target is reached.
 */
void syn_mem__recover_progress(struct syn_mem *m, uint64_t now)
{
	const struct syn_mem_commit_entry *e = &m->commit[m->commit_self];
	uint64_t upto = m->log.have < e->target ? m->log.have : e->target;

	if (upto > m->log.delivered)
		syn_mem__log_deliver_upto(m, upto);
	if (m->log.delivered >= e->target) {
		install(m, now);
		return;
	}
	if (now >= m->t_retrans && e->source != m->self) {
		uint64_t to = e->target;
		if (to - m->log.have > m->cfg.retransmit_batch)
			to = m->log.have + m->cfg.retransmit_batch;
		size_t len = syn_mem_wire_ring3(m->tx, syn_mem__src(m), SYN_MEM_PKT_RETRANS,
						&e->old_ring, m->log.have + 1, to);
		syn_mem__send(m, e->source, len);
		m->stats.nacks_sent++;
		m->t_retrans = now + MS(m->cfg.retransmit_ms);
	}
}

/* The proposal timed out: retry at once with those still alive. */
static void proposal_timeout(struct syn_mem *m, uint64_t now)
{
	uint32_t n = 0;

	m->stats.consensus_timeouts++;
	for (uint32_t i = 0; i < m->prop.n; i++)
		if (m->prop.accepted[i] || m->prop.heard[i])
			m->prop.e[n++] = m->prop.e[i];
	m->prop.n = n;
	syn_mem__log(m, 6, "proposal timed out, retrying with %u members", n);
	propose(m, now);
}

static void gather_tick(struct syn_mem *m, uint64_t now)
{
	uint64_t fail = MS(m->cfg.fail_timeout_ms);
	uint64_t settle = MS(m->cfg.join_settle_ms);

	for (uint32_t i = 0; i < m->n_cand;) {
		if (m->cand[i].heard_us + fail <= now) {
			m->cand[i] = m->cand[--m->n_cand];
			m->cand_changed_us = now;
		} else {
			i++;
		}
	}
	if (now >= m->t_join)
		send_join(m, now);
	if (cand_min(m) == m->self && now >= m->cand_changed_us + settle &&
	    now >= m->gather_start_us + settle)
		propose_candidates(m, now);
}

void syn_mem__gather_timeout(struct syn_mem *m, uint64_t now)
{
	switch (m->state) {
	case SYN_MEM_GATHER:
		gather_tick(m, now);
		return;
	case SYN_MEM_ACCEPTED:
		if (m->prop.active) {
			if (now >= m->t_consensus) {
				proposal_timeout(m, now);
			} else if (now >= m->t_retrans) {
				for (uint32_t i = 0; i < m->prop.n; i++)
					if (!m->prop.accepted[i])
						send_propose(m, m->prop.e[i].nodeid);
				m->t_retrans = now + MS(m->cfg.retransmit_ms);
			}
			return;
		}
		if (now >= m->t_consensus) {
			m->stats.consensus_timeouts++;
			syn_mem__gather_enter(m, now, "no commit from coordinator");
		} else if (now >= m->t_retrans) {
			send_accept(m, now);
		}
		return;
	case SYN_MEM_RECOVER:
		if (now >= m->t_consensus) {
			m->stats.consensus_timeouts++;
			syn_mem__gather_enter(m, now, "recovery stalled");
			return;
		}
		syn_mem__recover_progress(m, now);
		return;
	default:
		return;
	}
}

uint64_t syn_mem__gather_deadline(const struct syn_mem *m)
{
	uint64_t d = SYN_MEM_NEVER;
	uint64_t fail = MS(m->cfg.fail_timeout_ms);

	if (m->state != SYN_MEM_GATHER) {
		d = m->t_consensus;
		if (m->t_retrans < d)
			d = m->t_retrans;
		return d;
	}
	d = m->t_join;
	for (uint32_t i = 0; i < m->n_cand; i++)
		if (m->cand[i].heard_us + fail < d)
			d = m->cand[i].heard_us + fail;
	if (cand_min(m) == m->self) {
		uint64_t s = m->cand_changed_us > m->gather_start_us ? m->cand_changed_us
								     : m->gather_start_us;
		s += MS(m->cfg.join_settle_ms);
		if (s < d)
			d = s;
	}
	return d;
}
