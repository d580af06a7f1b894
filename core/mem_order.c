/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mem_order.c - reliable total order inside an installed view.
 *
 * The view's coordinator (its ring's rep) is the leader and sequencer.
 * Members multicast their SUBMITs to every member; the leader gives each
 * the next seq of the ring and broadcasts only the reference (ORDER_REF:
 * seq, sender, msg_id), which every member matches with the SUBMIT it
 * holds (in the sender's early slots, the sender's own copy included), so
 * a payload crosses each link once.  The leader's own messages go out
 * whole as ORDERED.  A member delivers a seq once it holds every seq
 * before it, so each member delivers a prefix of one sequence.  Gaps (an
 * ORDERED lost, or an ORDER_REF whose SUBMIT it lacks) are filled by
 * RETRANS requests to the leader, answered with whole ORDEREDs.  Every heartbeat_ms the
 * leader broadcasts HEARTBEAT (highest seq, stable seq) and members send
 * ACK (contiguous seq held; also every half window under load, which
 * lets the leader, bounded by 2 x send_window unacknowledged messages of
 * its own, resume); "stable" is the lowest ACK, and entries at
 * or below it and delivered are freed everywhere.  An entry above stable
 * is kept, because a member that lacks it may need it during the next
 * view change (mem_gather.c).
 *
 * A submitted message stays in the sender's send queue until the sender
 * delivers it.  SUBMITs carry the sender's message id and the lowest id it
 * still holds (base); the leader orders a sender's messages strictly in id
 * order, so retransmitted SUBMITs are never ordered twice in one view.
 * After a view change the sender submits everything still queued again.
 *
 * Failure detection: members watch the leader, the leader watches every
 * member; silence for fail_timeout_ms starts a GATHER.
 */
#include "mem_int.h"

#include <errno.h>
#include <string.h>

#define MS(x) ((uint64_t)(x)*1000)

void syn_mem__log_init(struct syn_mem_log *l, const struct syn_mem_ring_id *ring)
{
	memset(l, 0, sizeof(*l));
	l->ring = *ring;
	l->base = 1;
}

void syn_mem__log_fini(struct syn_mem *m, struct syn_mem_log *l)
{
	struct syn_mem_ring_id ring = l->ring;

	for (uint32_t i = 0; i < l->cap; i++)
		syn_mem__free(m, l->slot[i]);
	syn_mem__free(m, l->slot);
	syn_mem__log_init(l, &ring);
}

const struct syn_mem_entry *syn_mem__log_get(const struct syn_mem_log *l, uint64_t seq)
{
	if (seq < l->base || seq - l->base >= l->cap)
		return NULL;
	return l->slot[seq - l->base];
}

/* Make room for seq; -ENOSPC beyond the window, -ENOMEM with l unchanged. */
static int log_reserve(struct syn_mem *m, struct syn_mem_log *l, uint64_t seq)
{
	uint64_t need = seq - l->base + 1;
	uint32_t cap = l->cap ? l->cap : 16;
	struct syn_mem_entry **slot;

	if (need > m->cfg.log_max)
		return -ENOSPC;
	if (need <= l->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	if (cap > m->cfg.log_max)
		cap = m->cfg.log_max;
	slot = syn_mem__alloc(m, sizeof(*slot) * cap);
	if (slot == NULL)
		return -ENOMEM;
	memset(slot, 0, sizeof(*slot) * cap);
	if (l->cap)
		memcpy(slot, l->slot, sizeof(*slot) * l->cap);
	syn_mem__free(m, l->slot);
	l->slot = slot;
	l->cap = cap;
	return 0;
}

/* Remember that sender's message msg_id is held in order. */
static void seen_update(struct syn_mem *m, uint32_t sender, uint32_t epoch, uint64_t msg_id)
{
	uint32_t i = 0;

	while (i < m->n_seen && m->seen[i].nodeid < sender)
		i++;
	if (i == m->n_seen || m->seen[i].nodeid != sender) {
		if (m->n_seen >= SYN_MEM_MAX_NODES)
			return;
		memmove(&m->seen[i + 1], &m->seen[i], sizeof(m->seen[0]) * (m->n_seen - i));
		m->n_seen++;
		m->seen[i].nodeid = sender;
		m->seen[i].epoch = epoch;
		m->seen[i].max_id = 0;
	}
	if (epoch < m->seen[i].epoch)
		return;
	if (epoch > m->seen[i].epoch) {
		m->seen[i].epoch = epoch;
		m->seen[i].max_id = 0;
	}
	if (msg_id > m->seen[i].max_id)
		m->seen[i].max_id = msg_id;
}

static struct syn_mem_entry *entry_new(struct syn_mem *m, uint64_t msg_id, uint32_t sender,
				       uint32_t sender_epoch, uint32_t frag, const void *data,
				       uint32_t len)
{
	struct syn_mem_entry *e = syn_mem__alloc(m, sizeof(*e) + len);

	if (e == NULL)
		return NULL;
	e->msg_id = msg_id;
	e->sender = sender;
	e->sender_epoch = sender_epoch;
	e->frag = frag;
	e->len = len;
	memcpy(e->data, data, len);
	return e;
}

/*
 * Store an entry the log takes over.  1 if seq is already held (entry not
 * taken), 0 stored, -ENOSPC beyond the window or -ENOMEM (not taken).
 */
static int log_put(struct syn_mem *m, struct syn_mem_log *l, uint64_t seq, struct syn_mem_entry *e)
{
	int rc;

	if (seq <= l->have || seq < l->base || syn_mem__log_get(l, seq) != NULL)
		return 1;
	rc = log_reserve(m, l, seq);
	if (rc != 0)
		return rc;
	l->slot[seq - l->base] = e;
	if (seq > l->high)
		l->high = seq;
	while (l->have + 1 - l->base < l->cap && (e = l->slot[l->have + 1 - l->base]) != NULL) {
		l->have++;
		if (l == &m->log)
			seen_update(m, e->sender, e->sender_epoch, e->msg_id);
	}
	return 0;
}

/* Store one ordered message.  1 if already held, 0 stored, -errno. */
static int log_insert(struct syn_mem *m, struct syn_mem_log *l, uint64_t seq,
		      const struct syn_mem_pkt *p)
{
	struct syn_mem_entry *e;
	int rc;

	if (seq <= l->have || seq < l->base || syn_mem__log_get(l, seq) != NULL)
		return 1;
	if (seq - l->base >= m->cfg.log_max)
		return -ENOSPC;
	e = entry_new(m, p->b, p->u32, p->u32b, p->frag, p->data, p->len);
	if (e == NULL)
		return -ENOMEM;
	rc = log_put(m, l, seq, e);
	if (rc != 0)
		syn_mem__free(m, e);
	return rc;
}

/* Free entries at or below upto that are delivered. */
static void log_trim(struct syn_mem *m, struct syn_mem_log *l, uint64_t upto)
{
	uint64_t k;

	if (upto > l->delivered)
		upto = l->delivered;
	if (upto < l->base)
		return;
	k = upto - l->base + 1;
	if (k > l->cap)
		k = l->cap;
	for (uint64_t i = 0; i < k; i++)
		syn_mem__free(m, l->slot[i]);
	if (k < l->cap)
		memmove(l->slot, l->slot + k, sizeof(*l->slot) * (l->cap - k));
	memset(l->slot + (l->cap - k), 0, sizeof(*l->slot) * k);
	l->base = upto + 1;
}

void syn_mem__pending_pop_upto(struct syn_mem *m, uint64_t msg_id)
{
	while (m->pend_len > 0) {
		struct syn_mem_pending *p = &m->pend[m->pend_head];
		if (p->first_id + p->n_frags - 1 > msg_id)
			break;
		syn_mem__free(m, p->data);
		p->data = NULL;
		m->pend_head = (m->pend_head + 1) % m->cfg.send_queue_max;
		m->pend_len--;
	}
}

void syn_mem__log_deliver_upto(struct syn_mem *m, uint64_t upto)
{
	struct syn_mem_log *l = &m->log;

	while (l->delivered < upto && l->delivered < l->have) {
		uint64_t seq = l->delivered + 1;
		const struct syn_mem_entry *e = syn_mem__log_get(l, seq);
		struct syn_mem_deliver_event ev = {
			.ring = l->ring,
			.sender = e->sender,
			.msg_id = e->msg_id,
			.data = e->data,
			.len = e->len,
		};

		if (syn_mem__frag_deliver(m, &ev, e->frag, e->sender_epoch) != 0)
			break; /* no memory to reassemble: retried on the next progress */
		l->delivered = seq;
		m->stats.msgs_delivered++;
		if (e->sender == m->self && e->sender_epoch == m->epoch) {
			m->own_delivered_id = e->msg_id;
			syn_mem__pending_pop_upto(m, e->msg_id);
		}
	}
}

static bool is_leader(const struct syn_mem *m)
{
	return m->ring.rep == m->self;
}

static void send_ack(struct syn_mem *m)
{
	size_t n = syn_mem_wire_ring3(m->tx, syn_mem__src(m), SYN_MEM_PKT_ACK, &m->ring,
				      m->log.have, 0);

	syn_mem__send(m, m->peers[m->leader_idx].nodeid, n);
	m->stats.acks_sent++;
	m->acked_have = m->log.have;
}

static uint64_t stable_seq(const struct syn_mem *m)
{
	uint64_t s = m->log.have;
	for (uint32_t i = 0; i < m->n_peers; i++)
		if (m->peers[i].nodeid != m->self && m->peers[i].have < s)
			s = m->peers[i].have;
	return s;
}

void syn_mem__order_reset_peers(struct syn_mem *m)
{
	for (uint32_t i = 0; i < m->n_peers; i++)
		for (uint32_t j = 0; j < SYN_MEM_MAX_WINDOW; j++) {
			syn_mem__free(m, m->peers[i].early[j]);
			m->peers[i].early[j] = NULL;
		}
}

/* Leader: give e the next seq and broadcast it.  false (e kept) if full. */
static bool leader_append(struct syn_mem *m, struct syn_mem_peer *pr, struct syn_mem_entry *e)
{
	uint64_t seq = m->log.high + 1;
	uint64_t stable = stable_seq(m);

	if (log_put(m, &m->log, seq, e) != 0)
		return false;
	pr->next_msg_id++;
	m->stats.msgs_ordered++;
	if (m->n_peers > 1) {
		uint64_t st = stable < seq ? stable : seq - 1;
		size_t n = e->sender == m->self
				   ? syn_mem_wire_ordered(m->tx, syn_mem__src(m), &m->ring, seq,
							  e->msg_id, st, e->sender, e->sender_epoch,
							  e->frag, e->data, e->len)
				   : syn_mem_wire_order_ref(m->tx, syn_mem__src(m), &m->ring, seq,
							    e->msg_id, st, e->sender,
							    e->sender_epoch, e->frag, e->len);
		syn_mem__send(m, SYN_MEM_BROADCAST, n);
	}
	return true;
}

/*
 * Member: keep a SUBMIT (another member's, or our own copy) until the
 * leader's ORDER_REF for it arrives.  One slot per id modulo the window;
 * a newer id replaces an older one (whose reference, if it still comes,
 * is then a gap filled by RETRANS).  0 or -ENOMEM (not kept).
 */
static int member_hold(struct syn_mem *m, struct syn_mem_peer *pr, uint64_t msg_id, uint32_t frag,
		       const void *data, uint32_t len)
{
	struct syn_mem_entry **slot = &pr->early[msg_id % SYN_MEM_MAX_WINDOW];

	if (*slot != NULL && (*slot)->msg_id >= msg_id)
		return 0;
	syn_mem__free(m, *slot);
	*slot = entry_new(m, msg_id, pr->nodeid, pr->epoch, frag, data, len);
	return *slot == NULL ? -ENOMEM : 0;
}

/* Member: the held SUBMIT an ORDER_REF names, taken out of its slot, or NULL. */
static struct syn_mem_entry *member_take(struct syn_mem *m, const struct syn_mem_pkt *p)
{
	int k = syn_mem__peer_find(m, p->u32);
	struct syn_mem_entry **slot, *e;

	if (k < 0 || m->peers[k].epoch != p->u32b)
		return NULL;
	slot = &m->peers[k].early[p->b % SYN_MEM_MAX_WINDOW];
	e = *slot;
	if (e == NULL || e->msg_id != p->b || e->len != p->len || e->frag != p->frag)
		return NULL;
	*slot = NULL;
	return e;
}

/*
 * Leader: order a sender's message if it is the next one it expects, then
 * any early ones it unblocks; buffer it if it came early.  0 or -ENOMEM.
 */
static int leader_order(struct syn_mem *m, uint32_t sender, uint32_t epoch, uint64_t msg_id,
			uint64_t base, uint32_t frag, const void *data, uint32_t len)
{
	int k = syn_mem__peer_find(m, sender);
	struct syn_mem_peer *pr;
	struct syn_mem_entry *e, **slot;

	if (k < 0 || m->peers[k].epoch != epoch)
		return 0;
	pr = &m->peers[k];
	if (pr->next_msg_id == 0)
		pr->next_msg_id = base;
	if (msg_id < pr->next_msg_id || msg_id - pr->next_msg_id >= SYN_MEM_MAX_WINDOW)
		return 0; /* a duplicate, or too far ahead: the sender retries */
	slot = &pr->early[msg_id % SYN_MEM_MAX_WINDOW];
	if (*slot == NULL) {
		e = entry_new(m, msg_id, sender, epoch, frag, data, len);
		if (e == NULL)
			return -ENOMEM;
		*slot = e;
	}
	for (;;) {
		slot = &pr->early[pr->next_msg_id % SYN_MEM_MAX_WINDOW];
		e = *slot;
		if (e == NULL || e->msg_id != pr->next_msg_id)
			break;
		if (!leader_append(m, pr, e))
			break; /* log full: stays early until the sender retries */
		*slot = NULL;
	}
	syn_mem__log_deliver_upto(m, m->log.have);
	return 0;
}

/*
 * The queued piece with the lowest id above sent_upto and not delivered,
 * or false when none is queued.  Ids run consecutively through the queue, one per fragment.
 */
static bool next_piece(const struct syn_mem *m, uint64_t *id, const struct syn_mem_pending **pp)
{
	uint64_t want = m->sent_upto + 1;

	if (want <= m->own_delivered_id)
		want = m->own_delivered_id + 1; /* delivered fragments of the head */
	for (uint32_t i = 0; i < m->pend_len; i++) {
		const struct syn_mem_pending *p =
			&m->pend[(m->pend_head + i) % m->cfg.send_queue_max];

		if (want < p->first_id)
			want = p->first_id;
		if (want < p->first_id + p->n_frags) {
			*id = want;
			*pp = p;
			return true;
		}
	}
	return false;
}

/* Send (leader: order) queued messages not yet sent in this view. */
void syn_mem__order_flush_pending(struct syn_mem *m, uint64_t now)
{
	while (m->pend_len > 0 && m->state == SYN_MEM_OPERATIONAL) {
		uint64_t head = m->pend[m->pend_head].first_id;
		uint64_t floor = m->own_delivered_id + 1 > head ? m->own_delivered_id + 1 : head;
		const struct syn_mem_pending *p;
		const unsigned char *data;
		uint32_t len, frag;
		uint64_t id;

		if (!next_piece(m, &id, &p) || id - floor >= m->cfg.send_window)
			break;
		/*
		 * The leader delivers its own messages at once, so its window
		 * never closes: bound instead what the members have not
		 * acknowledged, or a burst would flood the links.
		 */
		if (is_leader(m) && m->n_peers > 1 &&
		    m->log.high - stable_seq(m) >= 2 * (uint64_t)m->cfg.send_window)
			break;
		syn_mem__frag_piece(m, p, (uint32_t)(id - p->first_id), &data, &len, &frag);
		m->sent_upto = id;
		if (is_leader(m)) {
			uint64_t before = m->stats.msgs_ordered;

			if (leader_order(m, m->self, m->epoch, id, head, frag, data, len) != 0 ||
			    m->stats.msgs_ordered == before) {
				m->sent_upto = id - 1;
				break;
			}
		} else {
			int self = syn_mem__peer_find(m, m->self);
			size_t n;

			if (self < 0 || member_hold(m, &m->peers[self], id, frag, data, len) != 0)
				break; /* retried on the next progress or t_submit */
			n = syn_mem_wire_submit(m->tx, syn_mem__src(m), &m->ring, id, head, frag,
						data, len);
			syn_mem__send(m, SYN_MEM_BROADCAST, n);
		}
	}
	if (m->pend_len > 0 && m->t_submit == SYN_MEM_NEVER)
		m->t_submit = now + MS(2 * m->cfg.heartbeat_ms);
	if (m->pend_len == 0)
		m->t_submit = SYN_MEM_NEVER;
}

void syn_mem__order_installed(struct syn_mem *m, uint64_t now)
{
	m->t_hb = now;
	m->t_retrans = SYN_MEM_NEVER;
	m->t_submit = SYN_MEM_NEVER;
	m->t_consensus = SYN_MEM_NEVER;
	m->t_join = SYN_MEM_NEVER;
	m->sent_upto = 0;
	m->acked_have = 0;
	syn_mem__order_flush_pending(m, now);
	syn_mem__order_timeout(m, now);
}

static void send_nack(struct syn_mem *m, uint64_t now)
{
	uint64_t to = m->log.high;

	if (to - m->log.have > m->cfg.retransmit_batch)
		to = m->log.have + m->cfg.retransmit_batch;
	size_t n = syn_mem_wire_ring3(m->tx, syn_mem__src(m), SYN_MEM_PKT_RETRANS, &m->ring,
				      m->log.have + 1, to);
	syn_mem__send(m, m->peers[m->leader_idx].nodeid, n);
	m->stats.nacks_sent++;
	m->t_retrans = now + MS(m->cfg.retransmit_ms);
}

/* After new data: deliver, trim, ask for gaps. */
static void member_progress(struct syn_mem *m, uint64_t now, uint64_t stable)
{
	uint64_t delivered = m->log.delivered;

	if (m->state == SYN_MEM_RECOVER) {
		syn_mem__recover_progress(m, now);
		return;
	}
	if (m->state != SYN_MEM_OPERATIONAL)
		return;
	syn_mem__log_deliver_upto(m, m->log.have);
	log_trim(m, &m->log, stable);
	/* Under load, acknowledge every half window, not only on heartbeats. */
	if (!is_leader(m) && m->log.have >= m->acked_have + (m->cfg.send_window + 1) / 2)
		send_ack(m);
	if (m->log.have < m->log.high) {
		if (m->t_retrans == SYN_MEM_NEVER || m->t_retrans <= now)
			send_nack(m, now);
	} else {
		m->t_retrans = SYN_MEM_NEVER;
	}
	if (m->log.delivered != delivered)
		syn_mem__order_flush_pending(m, now);
}

/* A reference from the leader: store the held SUBMIT at its seq, or note the gap. */
static int on_order_ref(struct syn_mem *m, uint64_t now, const struct syn_mem_pkt *p, int k)
{
	struct syn_mem_entry *e;
	int rc = 1;

	if ((uint32_t)k != m->leader_idx || m->state != SYN_MEM_OPERATIONAL) {
		m->stats.pkts_dropped++;
		return 0;
	}
	e = member_take(m, p);
	if (e != NULL) {
		rc = log_put(m, &m->log, p->a, e);
		if (rc != 0)
			syn_mem__free(m, e);
		if (rc == -ENOMEM)
			return rc;
	}
	if (rc != 0) {
		m->stats.pkts_dropped++;
		if (p->a > m->log.high && p->a - m->log.base < m->cfg.log_max)
			m->log.high = p->a; /* the gap is asked for below */
	}
	member_progress(m, now, p->c);
	return 0;
}

static int on_ordered(struct syn_mem *m, uint64_t now, const struct syn_mem_pkt *p)
{
	int k = syn_mem__peer_find(m, p->u32);
	int rc;

	if (k < 0 || m->peers[k].epoch != p->u32b) {
		m->stats.pkts_dropped++; /* only members' messages are ordered */
		return 0;
	}
	rc = log_insert(m, &m->log, p->a, p);
	if (rc == -ENOMEM)
		return rc;
	if (rc != 0)
		m->stats.pkts_dropped++;
	member_progress(m, now, p->c);
	return 0;
}

/* Serve a RETRANS for the current or the previous ring. */
void syn_mem__order_retrans_serve(struct syn_mem *m, const struct syn_mem_pkt *p)
{
	const struct syn_mem_log *l = NULL;

	if (m->has_view && syn_mem__ring_eq(&p->ring, &m->log.ring))
		l = &m->log;
	else if (m->prev.ring.seq && syn_mem__ring_eq(&p->ring, &m->prev.ring))
		l = &m->prev;
	if (l == NULL) {
		m->stats.pkts_dropped++;
		return;
	}
	uint64_t to = p->b;
	if (to - p->a >= m->cfg.retransmit_batch)
		to = p->a + m->cfg.retransmit_batch - 1;
	for (uint64_t seq = p->a; seq <= to; seq++) {
		const struct syn_mem_entry *e = syn_mem__log_get(l, seq);
		if (e == NULL)
			continue;
		size_t n =
			syn_mem_wire_ordered(m->tx, syn_mem__src(m), &l->ring, seq, e->msg_id, 0,
					     e->sender, e->sender_epoch, e->frag, e->data, e->len);
		syn_mem__send(m, p->sender, n);
		m->stats.retransmits_sent++;
	}
}

/*
 * A packet of another ring reached an operational node: stale if the
 * sender is one of our members still talking about an older ring; a
 * reason to gather if it restarted, moved on, or is a stranger.
 */
void syn_mem__order_foreign(struct syn_mem *m, uint64_t now, const struct syn_mem_pkt *p)
{
	int k = syn_mem__peer_find(m, p->sender);

	if (m->state != SYN_MEM_OPERATIONAL) {
		m->stats.pkts_dropped++;
		return;
	}
	if (k >= 0 && m->peers[k].epoch == p->epoch &&
	    syn_mem_ring_id_cmp(&p->ring, &m->ring) < 0) {
		m->stats.pkts_dropped++;
		return;
	}
	if (k >= 0 && m->peers[k].epoch != p->epoch)
		syn_mem__gather_enter(m, now, "member restarted");
	else if (k >= 0)
		syn_mem__gather_enter(m, now, "member moved to a newer ring");
	else
		syn_mem__gather_enter(m, now, "another view is reachable");
}

static int on_current(struct syn_mem *m, uint64_t now, const struct syn_mem_pkt *p, int k)
{
	struct syn_mem_peer *pr = &m->peers[k];

	pr->last_heard_us = now;
	switch (p->type) {
	case SYN_MEM_PKT_HEARTBEAT:
		if (p->a > m->log.high && (uint32_t)k == m->leader_idx)
			m->log.high = p->a;
		member_progress(m, now, p->b);
		return 0;
	case SYN_MEM_PKT_ACK:
		if (p->a > pr->have && p->a <= m->log.high) {
			pr->have = p->a;
			if (m->pend_len > 0 && is_leader(m))
				syn_mem__order_flush_pending(m, now);
		}
		return 0;
	case SYN_MEM_PKT_SUBMIT:
		if (m->state != SYN_MEM_OPERATIONAL)
			return 0;
		if (!is_leader(m))
			return member_hold(m, pr, p->a, p->frag, p->data, p->len);
		return leader_order(m, p->sender, p->epoch, p->a, p->b, p->frag, p->data, p->len);
	case SYN_MEM_PKT_ORDER_REF:
		return on_order_ref(m, now, p, k);
	default:
		return on_ordered(m, now, p);
	}
}

/* HEARTBEAT, ACK, SUBMIT, ORDERED, ORDER_REF and RETRANS.  0 or -ENOMEM (dropped). */
int syn_mem__order_on_packet(struct syn_mem *m, uint64_t now, const struct syn_mem_pkt *p)
{
	int k;

	if (p->type == SYN_MEM_PKT_RETRANS) {
		syn_mem__order_retrans_serve(m, p);
		return 0;
	}
	if (!m->has_view || !syn_mem__ring_eq(&p->ring, &m->log.ring)) {
		syn_mem__order_foreign(m, now, p);
		return 0;
	}
	k = syn_mem__peer_find(m, p->sender);
	if (k < 0 || m->peers[k].epoch != p->epoch) {
		syn_mem__order_foreign(m, now, p);
		return 0;
	}
	if (m->state != SYN_MEM_OPERATIONAL && p->type != SYN_MEM_PKT_ORDERED) {
		m->stats.pkts_dropped++;
		return 0;
	}
	return on_current(m, now, p, k);
}

static void heartbeat(struct syn_mem *m, uint64_t now)
{
	size_t n;

	if (is_leader(m)) {
		uint64_t stable = stable_seq(m);

		/* A delivery stopped for memory (reassembly) resumes here. */
		syn_mem__log_deliver_upto(m, m->log.have);
		log_trim(m, &m->log, stable);
		/* Even alone: heartbeats are how separated views find each other. */
		n = syn_mem_wire_ring3(m->tx, syn_mem__src(m), SYN_MEM_PKT_HEARTBEAT, &m->ring,
				       m->log.high, stable);
		syn_mem__send(m, SYN_MEM_BROADCAST, n);
		m->stats.heartbeats_sent++;
	} else {
		send_ack(m);
	}
	m->t_hb = now + MS(m->cfg.heartbeat_ms);
}

/* The earliest time a watched peer becomes suspect. */
static uint64_t fail_deadline(const struct syn_mem *m, uint32_t *who)
{
	uint64_t d = SYN_MEM_NEVER;
	uint64_t fail = MS(m->cfg.fail_timeout_ms);

	for (uint32_t i = 0; i < m->n_peers; i++) {
		if (m->peers[i].nodeid == m->self)
			continue;
		if (!is_leader(m) && i != m->leader_idx)
			continue;
		if (m->peers[i].last_heard_us + fail < d) {
			d = m->peers[i].last_heard_us + fail;
			if (who)
				*who = m->peers[i].nodeid;
		}
	}
	return d;
}

void syn_mem__order_timeout(struct syn_mem *m, uint64_t now)
{
	uint32_t who = 0;

	if (fail_deadline(m, &who) <= now) {
		syn_mem__log(m, 5, "node %u silent for %u ms", who, m->cfg.fail_timeout_ms);
		syn_mem__gather_enter(m, now, "failure detected");
		return;
	}
	if (now >= m->t_hb)
		heartbeat(m, now);
	if (now >= m->t_retrans) {
		if (m->log.have < m->log.high && !is_leader(m))
			send_nack(m, now);
		else
			m->t_retrans = SYN_MEM_NEVER;
	}
	if (now >= m->t_submit) {
		/* No progress on the queue head: send the window again. */
		m->t_submit = SYN_MEM_NEVER;
		m->sent_upto = 0;
		if (m->pend_len > 0)
			m->stats.retransmits_sent++;
		syn_mem__order_flush_pending(m, now);
	}
}

uint64_t syn_mem__order_deadline(const struct syn_mem *m)
{
	uint64_t d = fail_deadline(m, NULL);

	if (m->t_hb < d)
		d = m->t_hb;
	if (m->t_retrans < d)
		d = m->t_retrans;
	if (m->t_submit < d)
		d = m->t_submit;
	return d;
}
