/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_membership.c - unit tests of the membership core's API and state
 * transitions, driven by hand through a tiny in-test network (the
 * simulator covers the randomized cases).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "membership.h"
#include "proto/net_membership.h"

#define MAXN 4
#define MAXQ 4096

struct pkt {
	uint32_t from, to;
	size_t len;
	uint8_t data[1024];
};

struct net {
	uint64_t now;
	struct syn_mem *m[MAXN + 1];
	struct pkt *q;
	size_t nq;
	bool cut[MAXN + 1][MAXN + 1];
	uint32_t views[MAXN + 1];
	struct syn_mem_ring_id ring[MAXN + 1];
	size_t members[MAXN + 1];
	uint32_t delivered[MAXN + 1];
	size_t last_len[MAXN + 1];	  /* length of the last message delivered */
	uint64_t last_sum[MAXN + 1];	  /* and a hash of its bytes */
	size_t want_len;		  /* a message to look for: its length, */
	uint64_t want_sum;		  /* hash */
	uint32_t got_want[MAXN + 1];	  /* and how often each node got it */
	const struct syn_mem_config *cfg; /* NULL: defaults */
	long fail_alloc_at;		  /* fail the Nth allocation from now, -1 never */
	long n_alloc;
	struct pkt last_join[MAXN + 1];
};

struct node_ctx {
	struct net *net;
	uint32_t id;
};

static struct node_ctx ctxs[MAXN + 1];

static void *t_alloc(void *ctx, size_t size)
{
	struct net *n = ((struct node_ctx *)ctx)->net;
	if (n->fail_alloc_at >= 0 && n->n_alloc++ == n->fail_alloc_at)
		return NULL;
	return malloc(size);
}

static void t_free(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

static void t_send(void *ctx, uint32_t dest, const void *pkt, size_t len)
{
	struct node_ctx *c = ctx;
	struct net *n = c->net;
	for (uint32_t to = 1; to <= MAXN; to++) {
		if (to == c->id || n->m[to] == NULL || (dest && dest != to))
			continue;
		if (n->cut[c->id][to] || n->nq == MAXQ || len > sizeof(n->q[0].data))
			continue;
		struct pkt *p = &n->q[n->nq++];
		p->from = c->id;
		p->to = to;
		p->len = len;
		memcpy(p->data, pkt, len);
		if (((const uint8_t *)pkt)[3] == SYN_MEM_PKT_JOIN)
			n->last_join[c->id] = *p;
	}
}

static void t_view(void *ctx, const struct syn_mem_view_event *ev)
{
	struct node_ctx *c = ctx;
	c->net->views[c->id]++;
	c->net->ring[c->id] = ev->ring;
	c->net->members[c->id] = ev->n_members;
}

static void t_deliver(void *ctx, const struct syn_mem_deliver_event *ev)
{
	struct node_ctx *c = ctx;
	struct net *n = c->net;

	n->delivered[c->id]++;
	n->last_len[c->id] = ev->len;
	n->last_sum[c->id] = 0;
	for (size_t i = 0; i < ev->len; i++)
		n->last_sum[c->id] = n->last_sum[c->id] * 31 + ((const uint8_t *)ev->data)[i];
	if (n->want_len && ev->len == n->want_len && n->last_sum[c->id] == n->want_sum)
		n->got_want[c->id]++;
}

static struct syn_mem_env env_for(struct net *n, uint32_t id)
{
	ctxs[id].net = n;
	ctxs[id].id = id;
	struct syn_mem_env env = {.ctx = &ctxs[id],
				  .alloc = t_alloc,
				  .free = t_free,
				  .send = t_send,
				  .on_view = t_view,
				  .on_deliver = t_deliver};
	return env;
}

static void net_init_cfg(struct net *n, uint32_t nodes, const struct syn_mem_config *cfg)
{
	memset(n, 0, sizeof(*n));
	n->cfg = cfg;
	n->q = calloc(MAXQ, sizeof(*n->q));
	assert_non_null(n->q);
	n->now = 1000000;
	n->fail_alloc_at = -1;
	for (uint32_t i = 1; i <= nodes; i++) {
		struct syn_mem_env env = env_for(n, i);
		assert_int_equal(syn_mem_create(cfg, &env, i, 7, n->now, &n->m[i]), 0);
	}
}

static void net_init(struct net *n, uint32_t nodes)
{
	net_init_cfg(n, nodes, NULL);
}

static void net_fini(struct net *n)
{
	for (uint32_t i = 1; i <= MAXN; i++)
		syn_mem_destroy(n->m[i]);
	free(n->q);
}

/* Deliver every queued packet, then advance to the next deadline. */
static void net_step(struct net *n)
{
	while (n->nq) {
		struct pkt p = n->q[0];
		memmove(n->q, n->q + 1, (n->nq - 1) * sizeof(*n->q));
		n->nq--;
		if (n->m[p.to])
			syn_mem_receive(n->m[p.to], n->now, p.from, p.data, p.len);
	}
	uint64_t d = SYN_MEM_NO_DEADLINE;
	for (uint32_t i = 1; i <= MAXN; i++)
		if (n->m[i] && syn_mem_next_deadline(n->m[i]) < d)
			d = syn_mem_next_deadline(n->m[i]);
	assert_true(d != SYN_MEM_NO_DEADLINE);
	if (d > n->now)
		n->now = d;
	for (uint32_t i = 1; i <= MAXN; i++)
		if (n->m[i] && syn_mem_next_deadline(n->m[i]) <= n->now)
			syn_mem_timeout(n->m[i], n->now);
}

static void net_run_ms(struct net *n, uint64_t ms)
{
	uint64_t end = n->now + ms * 1000;
	while (n->now < end)
		net_step(n);
}

static uint32_t state_of(struct syn_mem *m)
{
	struct syn_mem_stats st;
	syn_mem_get_stats(m, &st);
	return st.state;
}

static void test_config_and_create_errors(void **state)
{
	struct syn_mem_config cfg;
	struct syn_mem *m = NULL;
	(void)state;

	syn_mem_config_init(&cfg);
	assert_int_equal(cfg.fail_timeout_ms, 400);
	assert_int_equal(syn_mem_create(&cfg, NULL, 0, 1, 0, &m), -EINVAL);
	cfg.heartbeat_ms = 0;
	assert_int_equal(syn_mem_create(&cfg, NULL, 1, 1, 0, &m), -EINVAL);
	syn_mem_config_init(&cfg);
	cfg.send_window = SYN_MEM_MAX_WINDOW + 1;
	assert_int_equal(syn_mem_create(&cfg, NULL, 1, 1, 0, &m), -EINVAL);
	syn_mem_config_init(&cfg);
	cfg.frag_len = SYN_MEM_MAX_MSG_LEN + 1;
	assert_int_equal(syn_mem_create(&cfg, NULL, 1, 1, 0, &m), -EINVAL);
	syn_mem_config_init(&cfg);
	cfg.frag_len = 0;
	assert_int_equal(syn_mem_create(&cfg, NULL, 1, 1, 0, &m), -EINVAL);
	syn_mem_config_init(&cfg);
	cfg.frag_len = 16;
	cfg.max_msg_len = 16 * SYN_MEM_MAX_FRAGS + 1;
	assert_int_equal(syn_mem_create(&cfg, NULL, 1, 1, 0, &m), -EINVAL);
	assert_int_equal(syn_mem_create(NULL, NULL, 1, 1, 0, &m), 0);
	syn_mem_destroy(m);
	syn_mem_destroy(NULL);
}

static void test_create_enomem(void **state)
{
	struct net n;
	(void)state;

	net_init(&n, 0);
	for (long k = 0; k < 3; k++) {
		struct syn_mem_env env = env_for(&n, 1);
		struct syn_mem *m = NULL;
		n.fail_alloc_at = k;
		n.n_alloc = 0;
		assert_int_equal(syn_mem_create(NULL, &env, 1, 1, 0, &m), -ENOMEM);
		assert_null(m);
	}
	net_fini(&n);
}

static void test_singleton_view_and_delivery(void **state)
{
	struct net n;
	struct syn_mem_ring_id ring;
	uint32_t members[4];
	(void)state;

	net_init(&n, 1);
	assert_int_equal(state_of(n.m[1]), SYN_MEM_GATHER);
	assert_int_equal(syn_mem_get_view(n.m[1], &ring, members, 4), 0);
	net_run_ms(&n, 100);
	assert_int_equal(state_of(n.m[1]), SYN_MEM_OPERATIONAL);
	assert_int_equal(n.views[1], 1);
	assert_int_equal(syn_mem_get_view(n.m[1], &ring, members, 4), 1);
	assert_int_equal(members[0], 1);
	assert_int_equal(ring.rep, 1);
	assert_int_equal(ring.seq, 1);
	assert_int_equal(syn_mem_submit(n.m[1], n.now, "hello", 5), 0);
	assert_int_equal(n.delivered[1], 1);
	net_fini(&n);
}

static void test_submit_errors(void **state)
{
	struct syn_mem_config cfg;
	struct syn_mem *m;
	static uint8_t big[SYN_MEM_MAX_MSG_LEN + 1];
	(void)state;

	syn_mem_config_init(&cfg);
	cfg.send_queue_max = 2;
	assert_int_equal(syn_mem_create(&cfg, NULL, 1, 1, 0, &m), 0);
	assert_int_equal(syn_mem_submit(m, 0, "x", 0), -EMSGSIZE);
	assert_int_equal(syn_mem_submit(m, 0, big, cfg.max_msg_len + 1), -EMSGSIZE);
	/* Not operational yet: messages wait in the bounded queue. */
	assert_int_equal(syn_mem_submit(m, 0, "a", 1), 0);
	assert_int_equal(syn_mem_submit(m, 0, "b", 1), 0);
	assert_int_equal(syn_mem_submit(m, 0, "c", 1), -EAGAIN);
	syn_mem_destroy(m);
}

static void test_three_nodes_agree_then_fail(void **state)
{
	struct net n;
	(void)state;

	net_init(&n, 3);
	net_run_ms(&n, 200);
	for (uint32_t i = 1; i <= 3; i++) {
		assert_int_equal(state_of(n.m[i]), SYN_MEM_OPERATIONAL);
		assert_int_equal(n.members[i], 3);
		assert_int_equal(syn_mem_ring_id_cmp(&n.ring[i], &n.ring[1]), 0);
	}
	for (uint32_t i = 1; i <= 3; i++)
		assert_int_equal(syn_mem_submit(n.m[i], n.now, "m", 1), 0);
	net_run_ms(&n, 100);
	for (uint32_t i = 1; i <= 3; i++)
		assert_int_equal(n.delivered[i], 3);
	/* Node 3 dies: the others install a two-node view within 500 ms. */
	uint32_t views = n.views[1];
	syn_mem_destroy(n.m[3]);
	n.m[3] = NULL;
	uint64_t t0 = n.now;
	while (n.views[1] == views || n.views[2] == views)
		net_step(&n);
	assert_true(n.now - t0 <= 500000);
	assert_int_equal(n.members[1], 2);
	assert_int_equal(syn_mem_ring_id_cmp(&n.ring[1], &n.ring[2]), 0);
	net_fini(&n);
}

/* A message of 25 fragments reaches every member whole, as one delivery. */
static void test_fragmented_message(void **state)
{
	struct syn_mem_config cfg;
	static uint8_t big[2500];
	uint64_t sum = 0;
	struct net n;
	(void)state;

	syn_mem_config_init(&cfg);
	cfg.frag_len = 100;
	for (size_t i = 0; i < sizeof(big); i++) {
		big[i] = (uint8_t)(i * 7 + i / 251);
		sum = sum * 31 + big[i];
	}
	net_init_cfg(&n, 3, &cfg);
	n.want_len = sizeof(big);
	n.want_sum = sum;
	net_run_ms(&n, 200);
	assert_int_equal(syn_mem_submit(n.m[2], n.now, big, sizeof(big)), 0);
	assert_int_equal(syn_mem_submit(n.m[3], n.now, "tail", 4), 0);
	net_run_ms(&n, 200);
	for (uint32_t i = 1; i <= 3; i++) {
		struct syn_mem_stats st;

		assert_int_equal(n.delivered[i], 2);
		assert_int_equal(n.got_want[i], 1);
		syn_mem_get_stats(n.m[i], &st);
		assert_int_equal(st.send_queue_len, 0);
	}
	/* Node 3's short message went behind or ahead, the same on every node. */
	assert_int_equal(n.last_len[1], n.last_len[2]);
	assert_int_equal(n.last_len[1], n.last_len[3]);
	net_fini(&n);
}

/*
 * The per-type counters the daemon shows as corosync's merge-detect, token
 * and join counters: a lone leader keeps heartbeating, and in a pair the
 * leader's heartbeats reach the member, whose ACKs reach the leader.
 */
static void test_heartbeat_counters(void **state)
{
	struct net n;
	struct syn_mem_stats a, b, lone;
	(void)state;

	net_init(&n, 1);
	net_run_ms(&n, 100);
	syn_mem_get_stats(n.m[1], &a);
	net_run_ms(&n, 1000);
	syn_mem_get_stats(n.m[1], &lone);
	assert_true(a.joins_sent >= 1);
	assert_true(lone.heartbeats_sent >= a.heartbeats_sent + 20);
	assert_int_equal(lone.heartbeats_received, 0);
	assert_int_equal(lone.acks_sent + lone.acks_received, 0);
	net_fini(&n);

	net_init(&n, 2);
	net_run_ms(&n, 1000);
	syn_mem_get_stats(n.m[1], &a);
	syn_mem_get_stats(n.m[2], &b);
	assert_true(a.joins_received >= 1 && b.joins_received >= 1);
	assert_true(a.heartbeats_sent >= 15);
	assert_int_equal(b.heartbeats_sent, 0);
	assert_true(b.heartbeats_received >= 15);
	assert_true(b.acks_sent >= 15);
	assert_true(a.acks_received >= 15);
	net_fini(&n);
}

static void test_stale_join_ignored(void **state)
{
	struct net n;
	struct pkt old;
	(void)state;

	net_init(&n, 2);
	net_run_ms(&n, 200);
	assert_int_equal(state_of(n.m[1]), SYN_MEM_OPERATIONAL);
	old = n.last_join[2];
	assert_int_equal(syn_mem_receive(n.m[1], n.now, 2, old.data, old.len), 0);
	assert_int_equal(state_of(n.m[1]), SYN_MEM_OPERATIONAL);
	net_run_ms(&n, 500);
	assert_int_equal(n.views[1], 1);
	net_fini(&n);
}

static void test_garbled_packets_dropped(void **state)
{
	struct net n;
	struct syn_mem_stats st;
	struct pkt good;
	(void)state;

	net_init(&n, 2);
	net_run_ms(&n, 10);
	good = n.last_join[2];
	for (size_t i = 0; i < good.len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			uint8_t bad[1024];
			memcpy(bad, good.data, good.len);
			bad[i] ^= (uint8_t)(1u << bit);
			assert_int_equal(syn_mem_receive(n.m[1], n.now, 2, bad, good.len),
					 -EBADMSG);
		}
	}
	for (size_t len = 0; len < good.len; len++)
		assert_int_equal(syn_mem_receive(n.m[1], n.now, 2, good.data, len), -EBADMSG);
	/* Right bytes, wrong source. */
	assert_int_equal(syn_mem_receive(n.m[1], n.now, 3, good.data, good.len), -EBADMSG);
	syn_mem_get_stats(n.m[1], &st);
	assert_int_equal(st.pkts_garbled, good.len * 8 + good.len + 1);
	assert_int_equal(syn_mem_receive(n.m[1], n.now, 2, good.data, good.len), 0);
	net_fini(&n);
}

static void test_wire_validation(void **state)
{
	uint8_t buf[SYN_MEM_WIRE_MAX];
	struct syn_mem_pkt p;
	struct syn_mem_wire_src s = {5, 1};
	struct syn_mem_ring_id r = {3, 5, 1};
	uint32_t ids[3] = {1, 5, 4}, eps[3] = {1, 1, 1};
	size_t len;
	(void)state;

	len = syn_mem_wire_propose(buf, s, &r, ids, eps, 2);
	assert_int_equal(syn_mem_wire_decode(buf, len, 5, &p), 0);
	assert_int_equal(p.n, 2);
	len = syn_mem_wire_propose(buf, s, &r, ids, eps, 3); /* not ascending */
	assert_int_equal(syn_mem_wire_decode(buf, len, 5, &p), -EBADMSG);
	len = syn_mem_wire_ring3(buf, s, SYN_MEM_PKT_RETRANS, &r, 5, 4); /* backwards */
	assert_int_equal(syn_mem_wire_decode(buf, len, 5, &p), -EBADMSG);
	len = syn_mem_wire_ring3(buf, s, SYN_MEM_PKT_HEARTBEAT, &r, 9, 4);
	assert_int_equal(syn_mem_wire_decode(buf, len, 5, &p), 0);
	assert_int_equal(p.a, 9);
	assert_int_equal(p.b, 4);
	/* Little endian on the wire whatever the host. */
	assert_int_equal(buf[0], 0x59);
	assert_int_equal(buf[1], 0x53);
	assert_int_equal(buf[8], 5);
	assert_int_equal(buf[24], 3);
	len = syn_mem_wire_ordered(buf, s, &r, 1, 1, 0, 5, 1, 0, "abc", 3);
	assert_int_equal(syn_mem_wire_decode(buf, len, 5, &p), 0);
	assert_int_equal(p.len, 3);
	assert_int_equal(p.frag, 0);
	assert_memory_equal(p.data, "abc", 3);
	len = syn_mem_wire_ordered(buf, s, &r, 1, 1, 0, 5, 1, syn_mem_frag_make(4, 3), "abc", 3);
	assert_int_equal(syn_mem_wire_decode(buf, len, 5, &p), 0);
	assert_int_equal(syn_mem_frag_count(p.frag), 4);
	assert_int_equal(syn_mem_frag_index(p.frag), 3);
	/* index beyond the count, or a "count" of one: rejected */
	len = syn_mem_wire_ordered(buf, s, &r, 1, 1, 0, 5, 1, 4u << 16 | 4u, "abc", 3);
	assert_int_equal(syn_mem_wire_decode(buf, len, 5, &p), -EBADMSG);
	len = syn_mem_wire_ordered(buf, s, &r, 1, 1, 0, 5, 1, 1u << 16, "abc", 3);
	assert_int_equal(syn_mem_wire_decode(buf, len, 5, &p), -EBADMSG);
	assert_int_equal(syn_mem_wire_decode(NULL, 0, 5, &p), -EBADMSG);
}

static void test_receive_enomem_keeps_state(void **state)
{
	struct net n;
	uint8_t buf[SYN_MEM_WIRE_MAX];
	struct syn_mem_wire_src s = {1, 7};
	struct syn_mem_ring_id ring;
	uint32_t members[2];
	(void)state;

	net_init(&n, 2);
	net_run_ms(&n, 200);
	assert_int_equal(syn_mem_get_view(n.m[2], &ring, members, 2), 2);
	/* An ORDERED for seq 2 (a gap) from the leader, with allocation failing. */
	size_t len = syn_mem_wire_ordered(buf, s, &ring, 2, 9, 0, 1, 7, 0, "zz", 2);
	n.fail_alloc_at = 0;
	n.n_alloc = 0;
	assert_int_equal(syn_mem_receive(n.m[2], n.now, 1, buf, len), -ENOMEM);
	n.fail_alloc_at = -1;
	assert_int_equal(state_of(n.m[2]), SYN_MEM_OPERATIONAL);
	assert_int_equal(syn_mem_receive(n.m[2], n.now, 1, buf, len), 0);
	net_fini(&n);
}

static void test_pause_tolerated(void **state)
{
	struct net n;
	struct syn_mem_stats st;
	(void)state;

	net_init(&n, 2);
	net_run_ms(&n, 200);
	/* Node 2 is not scheduled for 350 ms; its peers' packets wait for it. */
	n.now += 350000;
	syn_mem_timeout(n.m[2], n.now);
	syn_mem_get_stats(n.m[2], &st);
	assert_int_equal(st.pauses_detected, 1);
	assert_int_equal(st.state, SYN_MEM_OPERATIONAL);
	net_run_ms(&n, 500);
	assert_int_equal(n.views[2], 1);
	net_fini(&n);
}

static void test_ring_id_cmp(void **state)
{
	struct syn_mem_ring_id a = {1, 2, 3}, b = {1, 2, 4}, c = {2, 1, 1};
	(void)state;

	assert_int_equal(syn_mem_ring_id_cmp(&a, &a), 0);
	assert_int_equal(syn_mem_ring_id_cmp(&a, &b), -1);
	assert_int_equal(syn_mem_ring_id_cmp(&c, &b), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_and_create_errors),
		cmocka_unit_test(test_create_enomem),
		cmocka_unit_test(test_singleton_view_and_delivery),
		cmocka_unit_test(test_submit_errors),
		cmocka_unit_test(test_three_nodes_agree_then_fail),
		cmocka_unit_test(test_fragmented_message),
		cmocka_unit_test(test_heartbeat_counters),
		cmocka_unit_test(test_stale_join_ignored),
		cmocka_unit_test(test_garbled_packets_dropped),
		cmocka_unit_test(test_wire_validation),
		cmocka_unit_test(test_receive_enomem_keeps_state),
		cmocka_unit_test(test_pause_tolerated),
		cmocka_unit_test(test_ring_id_cmp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
