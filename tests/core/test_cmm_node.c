/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_cmm_node.c - the CMM node state machine (core/cmm_node.h): every
 * row of the state table in cmm_node.c, driven on up to three nodes that
 * share a hand-pumped total order.  Checked: a view waits for every
 * member's VERDICT, then reaches the role logic with the agreed flag on
 * every member at once; verdicts are broadcast once per value and only
 * for the current ring; a flip of the agreed flag re-applies the view; a
 * view that goes by unjudged is never applied; a TABLE resyncs a
 * quorate view; majority mode needs no verdicts; malformed input is
 * reported and ignored; bad arguments are refused.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cmm_node.h"
#include "cmm_verdict.h"

#define N_NODES 3
#define QUEUE_MAX 64

struct bus;

struct tnode {
	struct bus *bus;
	uint32_t id;
	bool in_view; /* receives what the bus delivers */
	struct syn_cmm_node *nd;
	int n_applied;
	uint64_t applied_ring;
	bool applied_quorate;
	int n_settled;
	int n_problem;
	enum syn_cmm_node_problem last_problem;
	int fail_send; /* the next sends return this (0: succeed) */
};

struct queued {
	uint32_t sender;
	size_t len;
	uint8_t *msg;
};

struct bus {
	struct tnode nodes[N_NODES + 1]; /* by node id, 1..N_NODES */
	struct queued q[QUEUE_MAX];
	size_t n_queued;
	size_t n_sent_verdicts;
	size_t n_sent_syncs;
};

static void *t_alloc(void *ctx, size_t size)
{
	(void)ctx;
	return calloc(1, size);
}

static void t_free(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

static void t_emit(void *ctx, enum syn_cmm_event kind, uint32_t nodeid)
{
	(void)ctx, (void)kind, (void)nodeid;
}

static void t_record(void *ctx, const struct syn_cmm_record *rec)
{
	(void)ctx, (void)rec;
}

static void t_request_done(void *ctx, uint32_t sender, uint32_t req_id, int result)
{
	(void)ctx, (void)sender, (void)req_id, (void)result;
}

static void t_settled(void *ctx)
{
	((struct tnode *)ctx)->n_settled++;
}

static int t_send(void *ctx, const void *msg, size_t len)
{
	struct tnode *t = ctx;
	struct bus *b = t->bus;
	struct queued *q;

	if (t->fail_send)
		return t->fail_send;
	assert_true(b->n_queued < QUEUE_MAX);
	q = &b->q[b->n_queued++];
	q->sender = t->id;
	q->len = len;
	q->msg = malloc(len);
	assert_non_null(q->msg);
	memcpy(q->msg, msg, len);
	b->n_sent_verdicts += ((const uint8_t *)msg)[0] == SYN_CMM_MSG_VERDICT;
	b->n_sent_syncs += ((const uint8_t *)msg)[0] == SYN_CMM_MSG_SYNC;
	return 0;
}

static void t_view_applied(void *ctx, uint64_t ring, const uint32_t *members, size_t n,
			   bool quorate)
{
	struct tnode *t = ctx;

	(void)members, (void)n;
	t->n_applied++;
	t->applied_ring = ring;
	t->applied_quorate = quorate;
}

static void t_problem(void *ctx, enum syn_cmm_node_problem what, int err, uint32_t sender)
{
	struct tnode *t = ctx;

	(void)sender;
	assert_true(err < 0);
	t->n_problem++;
	t->last_problem = what;
}

static struct bus *bus_create(enum syn_cmm_node_mode mode)
{
	struct bus *b = calloc(1, sizeof(*b));
	const struct syn_cmm_node_conf table[N_NODES] = {
		{.nodeid = 1, .eligible = true},
		{.nodeid = 2, .eligible = true},
		{.nodeid = 3, .eligible = true},
	};

	assert_non_null(b);
	for (uint32_t id = 1; id <= N_NODES; id++) {
		struct tnode *t = &b->nodes[id];
		struct syn_cmm_node_env env = {.cmm = {.ctx = t,
						       .alloc = t_alloc,
						       .free = t_free,
						       .emit = t_emit,
						       .record = t_record,
						       .request_done = t_request_done,
						       .settled = t_settled},
					       .send = t_send,
					       .view_applied = t_view_applied,
					       .problem = t_problem};

		t->bus = b;
		t->id = id;
		assert_int_equal(syn_cmm_node_create(&env, mode, id, table, N_NODES, NULL, &t->nd),
				 0);
		assert_int_equal(syn_cmm_node_phase(t->nd), SYN_CMM_NODE_NO_VIEW);
		assert_int_equal(syn_cmm_node_mode(t->nd), mode);
	}
	return b;
}

static void bus_drop_queue(struct bus *b)
{
	for (size_t i = 0; i < b->n_queued; i++)
		free(b->q[i].msg);
	b->n_queued = 0;
}

static void bus_destroy(struct bus *b)
{
	bus_drop_queue(b);
	for (uint32_t id = 1; id <= N_NODES; id++)
		syn_cmm_node_destroy(b->nodes[id].nd);
	free(b);
}

/* Deliver the oldest queued message to every node in the view. */
static void bus_step(struct bus *b)
{
	struct queued q = b->q[0];

	memmove(&b->q[0], &b->q[1], (b->n_queued - 1) * sizeof(b->q[0]));
	b->n_queued--;
	for (uint32_t id = 1; id <= N_NODES; id++)
		if (b->nodes[id].in_view)
			syn_cmm_node_deliver(b->nodes[id].nd, q.sender, q.msg, q.len);
	free(q.msg);
}

static void bus_pump(struct bus *b)
{
	for (int guard = 0; b->n_queued > 0; guard++) {
		assert_true(guard < 1000);
		bus_step(b);
	}
}

/* A view of the given members (a bitmask of ids) on each of them. */
static void bus_view(struct bus *b, uint64_t ring, unsigned mask)
{
	uint32_t members[N_NODES];
	size_t n = 0;

	for (uint32_t id = 1; id <= N_NODES; id++) {
		b->nodes[id].in_view = mask & (1u << id);
		if (b->nodes[id].in_view)
			members[n++] = id;
	}
	for (size_t i = 0; i < n; i++)
		syn_cmm_node_view(b->nodes[members[i]].nd, ring, members, n);
}

static void bus_quorum(struct bus *b, unsigned mask, bool quorate, uint64_t ring)
{
	for (uint32_t id = 1; id <= N_NODES; id++)
		if (mask & (1u << id))
			syn_cmm_node_quorum(b->nodes[id].nd, quorate, ring);
}

static size_t n_masters(const struct bus *b, unsigned mask)
{
	size_t n = 0;

	for (uint32_t id = 1; id <= N_NODES; id++) {
		const struct syn_cmm_state *st;

		if (!(mask & (1u << id)))
			continue;
		st = syn_cmm_local(syn_cmm_node_roles(b->nodes[id].nd));
		n += st->valid && st->master == id;
	}
	return n;
}

static uint32_t master_seen_by(const struct bus *b, uint32_t id)
{
	return syn_cmm_local(syn_cmm_node_roles(b->nodes[id].nd))->master;
}

#define ALL ((1u << 1) | (1u << 2) | (1u << 3))

/* Form ring 5 with all three nodes quorate: the path most tests start from. */
static void form_quorate(struct bus *b)
{
	bus_view(b, 5, ALL);
	bus_quorum(b, ALL, true, 5);
	bus_pump(b);
	for (uint32_t id = 1; id <= N_NODES; id++) {
		assert_int_equal(syn_cmm_node_phase(b->nodes[id].nd), SYN_CMM_NODE_APPLIED);
		assert_true(syn_cmm_node_view_quorate(b->nodes[id].nd));
		assert_false(syn_cmm_node_busy(b->nodes[id].nd));
	}
	assert_int_equal(n_masters(b, ALL), 1);
}

/* NO_VIEW -view-> AWAITING -VERDICT decides-> APPLIED, on all members alike. */
static void view_waits_for_every_verdict(void **state)
{
	struct bus *b = bus_create(SYN_CMM_NODE_FOLLOW_VOTEQUORUM);

	(void)state;
	/* A report before any view is kept, not sent. */
	bus_quorum(b, 1u << 1, true, 5);
	assert_int_equal(b->n_queued, 0);
	bus_view(b, 5, ALL);
	/* Node 1 had the report for ring 5: it goes out with the view. */
	assert_int_equal(b->n_sent_verdicts, 1);
	for (uint32_t id = 1; id <= N_NODES; id++) {
		assert_int_equal(syn_cmm_node_phase(b->nodes[id].nd), SYN_CMM_NODE_AWAITING);
		assert_true(syn_cmm_node_busy(b->nodes[id].nd));
		assert_int_equal(syn_cmm_node_ring(b->nodes[id].nd), 5);
	}
	/* A restarted member reports "not quorate"; one "quorate" is enough. */
	bus_quorum(b, 1u << 2, false, 5);
	bus_pump(b);
	assert_int_equal(b->nodes[1].n_applied, 0);
	bus_quorum(b, 1u << 3, false, 5);
	assert_int_equal(b->n_queued, 1);
	bus_step(b); /* the last verdict decides: every member applies at once */
	for (uint32_t id = 1; id <= N_NODES; id++) {
		assert_int_equal(b->nodes[id].n_applied, 1);
		assert_int_equal(b->nodes[id].applied_ring, 5);
		assert_true(b->nodes[id].applied_quorate);
		assert_true(syn_cmm_node_busy(b->nodes[id].nd)); /* the sync phase is open */
	}
	assert_int_equal(b->n_sent_syncs, N_NODES);
	bus_pump(b);
	assert_int_equal(n_masters(b, ALL), 1);
	for (uint32_t id = 1; id <= N_NODES; id++) {
		assert_false(syn_cmm_node_busy(b->nodes[id].nd));
		assert_int_equal(master_seen_by(b, id), master_seen_by(b, 1));
	}
	bus_destroy(b);
}

/* quorum row: once per value, only for the current ring; a failed send is retried. */
static void verdict_sent_once_per_value(void **state)
{
	struct bus *b = bus_create(SYN_CMM_NODE_FOLLOW_VOTEQUORUM);

	(void)state;
	bus_view(b, 5, ALL);
	bus_quorum(b, 1u << 1, true, 4); /* an older ring: nothing */
	assert_int_equal(b->n_sent_verdicts, 0);
	bus_quorum(b, 1u << 1, true, 5);
	bus_quorum(b, 1u << 1, true, 5);
	assert_int_equal(b->n_sent_verdicts, 1);
	bus_quorum(b, 1u << 1, false, 5);
	assert_int_equal(b->n_sent_verdicts, 2);
	b->nodes[2].fail_send = -ENOBUFS;
	bus_quorum(b, 1u << 2, true, 5);
	assert_int_equal(b->nodes[2].n_problem, 1);
	assert_int_equal(b->nodes[2].last_problem, SYN_CMM_NODE_VERDICT_SEND_FAILED);
	assert_int_equal(b->n_sent_verdicts, 2);
	b->nodes[2].fail_send = 0;
	bus_quorum(b, 1u << 2, true, 5); /* same value, but never sent: goes now */
	assert_int_equal(b->n_sent_verdicts, 3);
	bus_destroy(b);
}

/* APPLIED -VERDICT flips-> APPLIED with the new flag, settled without a sync. */
static void verdict_flip_reapplies(void **state)
{
	struct bus *b = bus_create(SYN_CMM_NODE_FOLLOW_VOTEQUORUM);

	(void)state;
	form_quorate(b);
	/* Two of three lose quorum: the flag holds (one member still says yes). */
	bus_quorum(b, (1u << 1) | (1u << 2), false, 5);
	bus_pump(b);
	assert_int_equal(b->nodes[1].n_applied, 1);
	bus_quorum(b, 1u << 3, false, 5);
	bus_pump(b);
	for (uint32_t id = 1; id <= N_NODES; id++) {
		struct tnode *t = &b->nodes[id];

		assert_int_equal(t->n_applied, 2);
		assert_false(t->applied_quorate);
		assert_false(syn_cmm_node_view_quorate(t->nd));
		assert_false(syn_cmm_quorate(syn_cmm_node_roles(t->nd)));
		assert_true(t->n_settled >= 2); /* after the first sync and after the flip */
		assert_false(syn_cmm_node_busy(t->nd));
	}
	assert_int_equal(n_masters(b, ALL), 0);
	/* One member regains quorum: applied again, a master again. */
	bus_quorum(b, 1u << 2, true, 5);
	bus_pump(b);
	assert_int_equal(b->nodes[3].n_applied, 3);
	assert_true(b->nodes[3].applied_quorate);
	assert_int_equal(n_masters(b, ALL), 1);
	bus_destroy(b);
}

/* APPLIED -view-> AWAITING; AWAITING -view-> AWAITING: the skipped ring is never applied. */
static void view_skipped_while_awaiting(void **state)
{
	struct bus *b = bus_create(SYN_CMM_NODE_FOLLOW_VOTEQUORUM);

	(void)state;
	form_quorate(b);
	bus_view(b, 6, ALL);
	for (uint32_t id = 1; id <= N_NODES; id++)
		assert_int_equal(syn_cmm_node_phase(b->nodes[id].nd), SYN_CMM_NODE_AWAITING);
	bus_quorum(b, ALL, true, 6);
	assert_int_equal(b->n_queued, N_NODES);
	/* Ring 7 arrives before ring 6's verdicts are delivered. */
	bus_view(b, 7, ALL);
	bus_pump(b);
	for (uint32_t id = 1; id <= N_NODES; id++) {
		assert_int_equal(b->nodes[id].n_applied, 1);
		assert_int_equal(syn_cmm_node_phase(b->nodes[id].nd), SYN_CMM_NODE_AWAITING);
		assert_true(syn_cmm_node_busy(b->nodes[id].nd));
	}
	bus_quorum(b, ALL, true, 7);
	bus_pump(b);
	for (uint32_t id = 1; id <= N_NODES; id++) {
		assert_int_equal(b->nodes[id].n_applied, 2);
		assert_int_equal(b->nodes[id].applied_ring, 7);
		assert_int_equal(master_seen_by(b, id), master_seen_by(b, 1));
	}
	assert_int_equal(n_masters(b, ALL), 1);
	bus_destroy(b);
}

/* APPLIED -TABLE, quorate, settled-> the view is applied again (resync). */
static void table_resyncs(void **state)
{
	struct bus *b = bus_create(SYN_CMM_NODE_FOLLOW_VOTEQUORUM);
	const struct syn_cmm_node_conf table[N_NODES] = {
		{.nodeid = 1, .eligible = true},
		{.nodeid = 2, .eligible = true},
		{.nodeid = 3, .eligible = false},
	};
	uint8_t *msg = malloc(SYN_CMM_MSG_MAX);
	size_t len, syncs;
	uint32_t master;

	(void)state;
	assert_non_null(msg);
	form_quorate(b);
	master = master_seen_by(b, 1);
	syncs = b->n_sent_syncs;
	assert_int_equal(syn_cmm_reload_encode(syn_cmm_node_roles(b->nodes[master].nd), 1, table,
					       N_NODES, msg, SYN_CMM_MSG_MAX, &len),
			 0);
	assert_int_equal(t_send(&b->nodes[master], msg, len), 0);
	bus_step(b);
	for (uint32_t id = 1; id <= N_NODES; id++) {
		assert_int_equal(b->nodes[id].n_applied, 2);
		assert_true(b->nodes[id].applied_quorate);
		assert_true(syn_cmm_node_busy(b->nodes[id].nd));
	}
	assert_int_equal(b->n_sent_syncs, syncs + N_NODES);
	bus_pump(b);
	assert_int_equal(n_masters(b, ALL), 1);
	/* While a view waits for its verdicts, a TABLE does not resync. */
	bus_view(b, 6, ALL);
	assert_int_equal(t_send(&b->nodes[master], msg, len), 0);
	bus_pump(b);
	for (uint32_t id = 1; id <= N_NODES; id++)
		assert_int_equal(b->nodes[id].n_applied, 2);
	free(msg);
	bus_destroy(b);
}

/* Majority mode: any phase -view-> APPLIED at once; verdicts and reports ignored. */
static void majority_mode(void **state)
{
	struct bus *b = bus_create(SYN_CMM_NODE_MAJORITY);
	uint8_t msg[SYN_CMM_VERDICT_LEN];
	size_t len;

	(void)state;
	bus_view(b, 5, 1u << 1);
	assert_int_equal(syn_cmm_node_phase(b->nodes[1].nd), SYN_CMM_NODE_APPLIED);
	assert_false(b->nodes[1].applied_quorate); /* 1 of 3 is no majority */
	assert_false(syn_cmm_node_busy(b->nodes[1].nd));
	bus_quorum(b, 1u << 1, true, 5);
	assert_int_equal(b->n_sent_verdicts, 0);
	assert_int_equal(syn_cmm_verdict_encode(5, true, msg, sizeof(msg), &len), 0);
	syn_cmm_node_deliver(b->nodes[1].nd, 1, msg, len);
	assert_int_equal(b->nodes[1].n_applied, 1);
	assert_false(syn_cmm_node_view_quorate(b->nodes[1].nd));
	bus_view(b, 6, (1u << 1) | (1u << 2));
	for (uint32_t id = 1; id <= 2; id++) {
		assert_int_equal(b->nodes[id].applied_ring, 6);
		assert_true(b->nodes[id].applied_quorate);
	}
	bus_pump(b);
	assert_int_equal(n_masters(b, (1u << 1) | (1u << 2)), 1);
	assert_int_equal(master_seen_by(b, 1), master_seen_by(b, 2));
	bus_destroy(b);
}

static void malformed_input_reported(void **state)
{
	struct bus *b = bus_create(SYN_CMM_NODE_FOLLOW_VOTEQUORUM);
	const uint8_t bad_verdict[3] = {SYN_CMM_MSG_VERDICT, 0, 0};
	const uint8_t bad_type[2] = {99, 0};

	(void)state;
	bus_view(b, 5, ALL);
	syn_cmm_node_deliver(b->nodes[1].nd, 2, bad_verdict, sizeof(bad_verdict));
	assert_int_equal(b->nodes[1].last_problem, SYN_CMM_NODE_BAD_VERDICT);
	syn_cmm_node_deliver(b->nodes[1].nd, 2, bad_type, sizeof(bad_type));
	assert_int_equal(b->nodes[1].last_problem, SYN_CMM_NODE_BAD_MESSAGE);
	assert_int_equal(b->nodes[1].n_problem, 2);
	assert_int_equal(syn_cmm_node_phase(b->nodes[1].nd), SYN_CMM_NODE_AWAITING);
	/* A SYNC that cannot be sent is reported; the view is applied all the same. */
	b->nodes[1].fail_send = -ENOBUFS;
	bus_quorum(b, (1u << 2) | (1u << 3), true, 5);
	b->nodes[1].fail_send = 0;
	bus_quorum(b, 1u << 1, true, 5);
	b->nodes[1].fail_send = -ENOBUFS;
	bus_pump(b);
	assert_int_equal(b->nodes[1].last_problem, SYN_CMM_NODE_SYNC_SEND_FAILED);
	assert_int_equal(syn_cmm_node_phase(b->nodes[1].nd), SYN_CMM_NODE_APPLIED);
	bus_destroy(b);
}

static void bad_arguments_refused(void **state)
{
	const struct syn_cmm_node_conf table[1] = {{.nodeid = 1, .eligible = true}};
	struct syn_cmm_node_env env = {.cmm = {.alloc = t_alloc,
					       .free = t_free,
					       .emit = t_emit,
					       .record = t_record,
					       .request_done = t_request_done},
				       .send = t_send};
	struct syn_cmm_node *nd = NULL;

	(void)state;
	assert_int_equal(
		syn_cmm_node_create(&env, (enum syn_cmm_node_mode)7, 1, table, 1, NULL, &nd),
		-EINVAL);
	assert_int_equal(syn_cmm_node_create(&env, SYN_CMM_NODE_MAJORITY, 2, table, 1, NULL, &nd),
			 -EINVAL); /* self not in the table */
	env.send = NULL;
	assert_int_equal(syn_cmm_node_create(&env, SYN_CMM_NODE_MAJORITY, 1, table, 1, NULL, &nd),
			 -EINVAL);
	assert_null(nd);
	syn_cmm_node_destroy(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(view_waits_for_every_verdict),
		cmocka_unit_test(verdict_sent_once_per_value),
		cmocka_unit_test(verdict_flip_reapplies),
		cmocka_unit_test(view_skipped_while_awaiting),
		cmocka_unit_test(table_resyncs),
		cmocka_unit_test(majority_mode),
		cmocka_unit_test(malformed_input_reported),
		cmocka_unit_test(bad_arguments_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
