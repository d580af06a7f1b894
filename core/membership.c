/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * membership.c - the membership core's API: creation, packet dispatch,
 * timer dispatch, submission, statistics.  The protocol itself lives in
 * mem_gather.c (forming views) and mem_order.c (ordering inside a view);
 * docs/membership.md has the full state table and the proofs.
 *
 *   state        input                          next state
 *   GATHER       JOIN / PROPOSE from a node      GATHER (candidate added)
 *   GATHER       candidates stable, self lowest  ACCEPTED (as coordinator)
 *   GATHER       PROPOSE from lowest candidate   ACCEPTED
 *   ACCEPTED     all ACCEPTs (coordinator)       RECOVER (COMMIT sent)
 *   ACCEPTED     COMMIT of the accepted ring     RECOVER
 *   ACCEPTED     higher PROPOSE, lower proposer  ACCEPTED (switch)
 *   ACCEPTED     consensus timeout               GATHER
 *   RECOVER      old ring delivered to target    OPERATIONAL (view installed)
 *   RECOVER      consensus timeout               GATHER
 *   OPERATIONAL  peer silent for fail_timeout    GATHER
 *   OPERATIONAL  fresh JOIN, foreign ring, or
 *                a PROPOSE for a higher ring     GATHER
 *
 * Host pauses: if no call reached the core for half a fail timeout, the
 * host did not schedule us; before anything else, every peer gets a grace
 * period so that packets queued during the pause are read before anyone
 * is suspected.
 */
#include "mem_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void syn_mem_config_init(struct syn_mem_config *cfg)
{
	cfg->heartbeat_ms = 40;
	cfg->fail_timeout_ms = 400;
	cfg->join_interval_ms = 20;
	cfg->join_settle_ms = 50;
	cfg->consensus_timeout_ms = 200;
	cfg->retransmit_ms = 20;
	cfg->send_queue_max = 1024;
	cfg->send_window = 32;
	cfg->log_max = 8192;
	cfg->max_msg_len = 1024 * 1024;
	cfg->frag_len = 16384;
	cfg->retransmit_batch = 64;
}

static bool config_valid(const struct syn_mem_config *c)
{
	return c->heartbeat_ms > 0 && c->fail_timeout_ms >= 2 * c->heartbeat_ms &&
	       c->join_interval_ms > 0 && c->join_settle_ms >= c->join_interval_ms &&
	       c->consensus_timeout_ms >= 2 * c->retransmit_ms && c->retransmit_ms > 0 &&
	       c->send_queue_max > 0 && c->send_window > 0 &&
	       c->send_window <= SYN_MEM_MAX_WINDOW && c->log_max >= 16 && c->max_msg_len > 0 &&
	       c->frag_len > 0 && c->frag_len <= SYN_MEM_MAX_MSG_LEN &&
	       (uint64_t)c->max_msg_len <= (uint64_t)c->frag_len * SYN_MEM_MAX_FRAGS &&
	       c->retransmit_batch > 0;
}

void *syn_mem__alloc(struct syn_mem *m, size_t size)
{
	if (m->env.alloc)
		return m->env.alloc(m->env.ctx, size);
	return malloc(size);
}

void syn_mem__free(struct syn_mem *m, void *p)
{
	if (p == NULL)
		return;
	if (m->env.free)
		m->env.free(m->env.ctx, p);
	else
		free(p);
}

void syn_mem__log(struct syn_mem *m, int level, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	if (m->env.log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	m->env.log(m->env.ctx, level, line);
}

void syn_mem__send(struct syn_mem *m, uint32_t dest, size_t len)
{
	m->stats.pkts_sent++;
	if (m->env.send)
		m->env.send(m->env.ctx, dest, m->tx, len);
}

struct syn_mem_wire_src syn_mem__src(const struct syn_mem *m)
{
	struct syn_mem_wire_src s = {m->self, m->epoch};
	return s;
}

int syn_mem__peer_find(const struct syn_mem *m, uint32_t nodeid)
{
	for (uint32_t i = 0; i < m->n_peers; i++)
		if (m->peers[i].nodeid == nodeid)
			return (int)i;
	return -1;
}

int syn_mem_ring_id_cmp(const struct syn_mem_ring_id *a, const struct syn_mem_ring_id *b)
{
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	if (a->rep != b->rep)
		return a->rep < b->rep ? -1 : 1;
	if (a->rep_epoch != b->rep_epoch)
		return a->rep_epoch < b->rep_epoch ? -1 : 1;
	return 0;
}

bool syn_mem__ring_eq(const struct syn_mem_ring_id *a, const struct syn_mem_ring_id *b)
{
	return syn_mem_ring_id_cmp(a, b) == 0;
}

int syn_mem_create(const struct syn_mem_config *cfg, const struct syn_mem_env *env, uint32_t nodeid,
		   uint32_t epoch, uint64_t now_us, struct syn_mem **out)
{
	struct syn_mem_config defaults;
	struct syn_mem *m;
	void *(*alloc)(void *, size_t) = env ? env->alloc : NULL;

	if (cfg == NULL) {
		syn_mem_config_init(&defaults);
		cfg = &defaults;
	}
	if (nodeid == 0 || out == NULL || !config_valid(cfg))
		return -EINVAL;
	if (env && ((env->alloc == NULL) != (env->free == NULL)))
		return -EINVAL;
	m = alloc ? alloc(env->ctx, sizeof(*m)) : malloc(sizeof(*m));
	if (m == NULL)
		return -ENOMEM;
	memset(m, 0, sizeof(*m));
	m->cfg = *cfg;
	if (env)
		m->env = *env;
	m->tx = syn_mem__alloc(m, SYN_MEM_WIRE_MAX);
	if (m->tx == NULL)
		goto err_free_core;
	m->pend = syn_mem__alloc(m, sizeof(*m->pend) * cfg->send_queue_max);
	if (m->pend == NULL)
		goto err_free_tx;
	m->self = nodeid;
	m->epoch = epoch;
	m->next_msg_id = 1;
	m->last_now_us = now_us;
	syn_mem__log_init(&m->log, &m->ring);
	syn_mem__log_init(&m->prev, &m->ring);
	m->t_consensus = m->t_retrans = m->t_hb = m->t_submit = SYN_MEM_NEVER;
	syn_mem__gather_enter(m, now_us, "startup");
	*out = m;
	return 0;

err_free_tx:
	syn_mem__free(m, m->tx);
err_free_core:
	syn_mem__free(m, m);
	return -ENOMEM;
}

void syn_mem_destroy(struct syn_mem *m)
{
	if (m == NULL)
		return;
	syn_mem__log_fini(m, &m->log);
	syn_mem__log_fini(m, &m->prev);
	syn_mem__order_reset_peers(m);
	syn_mem__frag_fini(m);
	for (uint32_t i = 0; i < m->pend_len; i++)
		syn_mem__free(m, m->pend[(m->pend_head + i) % m->cfg.send_queue_max].data);
	syn_mem__free(m, m->pend);
	syn_mem__free(m, m->tx);
	syn_mem__free(m, m);
}

/* Give every peer a grace period after the host did not run us. */
static void check_pause(struct syn_mem *m, uint64_t now)
{
	uint64_t gap = now > m->last_now_us ? now - m->last_now_us : 0;
	uint64_t fail = (uint64_t)m->cfg.fail_timeout_ms * 1000;
	uint64_t floor_us;

	m->last_now_us = now;
	if (gap <= fail / 2)
		return;
	m->stats.pauses_detected++;
	syn_mem__log(m, 4, "not scheduled for %llu ms, extending peer timeouts",
		     (unsigned long long)(gap / 1000));
	floor_us = now > fail / 2 ? now - fail / 2 : 0;
	for (uint32_t i = 0; i < m->n_peers; i++)
		if (m->peers[i].last_heard_us < floor_us)
			m->peers[i].last_heard_us = floor_us;
	for (uint32_t i = 0; i < m->n_cand; i++)
		if (m->cand[i].heard_us < floor_us)
			m->cand[i].heard_us = floor_us;
	if (m->t_consensus != SYN_MEM_NEVER && m->t_consensus < now + fail / 4)
		m->t_consensus = now + fail / 4;
}

/*
 * Per-type receive counters, counted before any staleness check: the
 * daemon shows them under corosync's stats.srp names, which count the same way.
 */
static void count_received(struct syn_mem *m, uint8_t type)
{
	switch (type) {
	case SYN_MEM_PKT_JOIN:
		m->stats.joins_received++;
		break;
	case SYN_MEM_PKT_HEARTBEAT:
		m->stats.heartbeats_received++;
		break;
	case SYN_MEM_PKT_ACK:
		m->stats.acks_received++;
		break;
	default:
		break;
	}
}

int syn_mem_receive(struct syn_mem *m, uint64_t now_us, uint32_t src, const void *pkt, size_t len)
{
	struct syn_mem_pkt p;

	check_pause(m, now_us);
	m->stats.pkts_received++;
	if (syn_mem_wire_decode(pkt, len, src, &p) != 0) {
		m->stats.pkts_garbled++;
		return -EBADMSG;
	}
	if (p.sender == m->self) {
		/* Our own broadcast looped back, or an id clash: never ours to use. */
		m->stats.pkts_dropped++;
		return 0;
	}
	count_received(m, p.type);
	switch (p.type) {
	case SYN_MEM_PKT_JOIN:
		syn_mem__gather_on_join(m, now_us, &p);
		return 0;
	case SYN_MEM_PKT_PROPOSE:
		syn_mem__gather_on_propose(m, now_us, &p);
		return 0;
	case SYN_MEM_PKT_ACCEPT:
		syn_mem__gather_on_accept(m, now_us, &p);
		return 0;
	case SYN_MEM_PKT_COMMIT:
		syn_mem__gather_on_commit(m, now_us, &p);
		return 0;
	default:
		if (syn_mem__order_on_packet(m, now_us, &p) != 0) {
			m->stats.pkts_dropped++;
			return -ENOMEM;
		}
		return 0;
	}
}

int syn_mem_timeout(struct syn_mem *m, uint64_t now_us)
{
	check_pause(m, now_us);
	if (m->state == SYN_MEM_OPERATIONAL)
		syn_mem__order_timeout(m, now_us);
	else
		syn_mem__gather_timeout(m, now_us);
	return 0;
}

uint64_t syn_mem_next_deadline(const struct syn_mem *m)
{
	if (m->state == SYN_MEM_OPERATIONAL)
		return syn_mem__order_deadline(m);
	return syn_mem__gather_deadline(m);
}

int syn_mem_submit(struct syn_mem *m, uint64_t now_us, const void *data, size_t len)
{
	struct syn_mem_pending *p;

	check_pause(m, now_us);
	if (len == 0 || len > m->cfg.max_msg_len || data == NULL)
		return -EMSGSIZE;
	if (m->pend_len >= m->cfg.send_queue_max)
		return -EAGAIN;
	p = &m->pend[(m->pend_head + m->pend_len) % m->cfg.send_queue_max];
	p->data = syn_mem__alloc(m, len);
	if (p->data == NULL)
		return -ENOMEM;
	memcpy(p->data, data, len);
	p->len = (uint32_t)len;
	p->n_frags = syn_mem__frag_count(m, len);
	p->first_id = m->next_msg_id;
	m->next_msg_id += p->n_frags;
	m->pend_len++;
	m->stats.msgs_submitted++;
	if (m->state == SYN_MEM_OPERATIONAL)
		syn_mem__order_flush_pending(m, now_us);
	return 0;
}

void syn_mem_get_stats(const struct syn_mem *m, struct syn_mem_stats *out)
{
	*out = m->stats;
	out->send_queue_len = m->pend_len;
	out->log_len = (uint32_t)(m->log.high >= m->log.base ? m->log.high - m->log.base + 1 : 0);
	out->state = m->state;
}

size_t syn_mem_get_view(const struct syn_mem *m, struct syn_mem_ring_id *ring, uint32_t *members,
			size_t cap)
{
	if (!m->has_view)
		return 0;
	if (ring)
		*ring = m->ring;
	for (uint32_t i = 0; i < m->n_peers && i < cap; i++)
		members[i] = m->peers[i].nodeid;
	return m->n_peers;
}
