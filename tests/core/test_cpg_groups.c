/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_cpg_groups.c - the CPG core: golden bytes of every node-to-node
 * message, the events of joins, leaves and messages, the view-change
 * sync (NODEDOWN, NODEUP on a merge, a restarted node, zombies), and a
 * seeded model of an ordered broadcast with partitions, merges and
 * restarts that checks, after every step, that the members of a view
 * hold the same process table, and that members of one view saw the
 * same CONFCHG and message sequence of each group since its activation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cpg_groups.h"

static struct syn_cpg_name name_of(const char *s)
{
	struct syn_cpg_name n;

	memset(&n, 0, sizeof(n));
	n.len = (uint32_t)strlen(s) + 1;
	memcpy(n.value, s, n.len);
	return n;
}

/* ---- golden bytes ---------------------------------------------------- */

static void test_golden(void **state)
{
	struct syn_cpg_name g = {.len = 2, .value = {'a', 0}};
	struct syn_cpg_entry e = {.nodeid = 7, .pid = 0x01020304, .group = g};
	uint8_t buf[128];
	static const uint8_t join[] = {1, 4, 3, 2, 1, 1, 0, 0, 0, 2, 0, 0, 0, 'a', 0};
	static const uint8_t leave[] = {2, 4, 3, 2, 1, 5, 0, 0, 0, 2, 0, 0, 0, 'a', 0};
	static const uint8_t mcast[] = {4,   9, 0, 0, 0, 2, 0,	 0,   0,
					'a', 0, 3, 0, 0, 0, 'x', 'y', 'z'};
	static const uint8_t partial[] = {5, 9, 0, 0, 0, 2, 0, 0, 0, 'a', 0,   10, 0,
					  0, 0, 2, 0, 0, 0, 1, 0, 0, 0,	  'x', 'y'};
	/* kind, ring_seq, ring_rep, nonce, path, n, then (pid, name) */
	static const uint8_t jl[] = {3,	   0x11, 0,    0,    0,	   0,	 0,    0, 1,   5, 0,
				     0,	   0,	 8,    7,    6,	   5,	 4,    3, 2,   1, 0xf1,
				     0xe2, 0xd3, 0xc4, 0xb5, 0xa6, 0x97, 0x88, 1, 0,   0, 0,
				     4,	   3,	 2,    1,    2,	   0,	 0,    0, 'a', 0};

	(void)state;
	assert_int_equal(
		syn_cpg_encode_proc(buf, sizeof(buf), SYN_CPG_MSG_PROCJOIN, &g, 0x01020304, 1),
		sizeof(join));
	assert_memory_equal(buf, join, sizeof(join));
	assert_int_equal(
		syn_cpg_encode_proc(buf, sizeof(buf), SYN_CPG_MSG_PROCLEAVE, &g, 0x01020304, 5),
		sizeof(leave));
	assert_memory_equal(buf, leave, sizeof(leave));
	assert_int_equal(syn_cpg_encode_mcast(buf, sizeof(buf), &g, 9, "xyz", 3), sizeof(mcast));
	assert_memory_equal(buf, mcast, sizeof(mcast));
	assert_int_equal(syn_cpg_encode_partial(buf, sizeof(buf), &g, 9, 10, 1, "xy", 2),
			 sizeof(partial));
	assert_memory_equal(buf, partial, sizeof(partial));
	assert_int_equal(syn_cpg_encode_joinlist(buf, sizeof(buf), 0x0100000000000011ULL, 5,
						 0x0102030405060708ULL, 0x8897a6b5c4d3e2f1ULL, &e,
						 1),
			 sizeof(jl));
	assert_memory_equal(buf, jl, sizeof(jl));
	/* too small, too long a name */
	assert_int_equal(syn_cpg_encode_mcast(buf, 10, &g, 9, "xyz", 3), 0);
	g.len = 129;
	assert_int_equal(syn_cpg_encode_proc(buf, sizeof(buf), SYN_CPG_MSG_PROCJOIN, &g, 1, 1), 0);
}

/* ---- a node model ----------------------------------------------------- */

#define MAX_NODES 5
#define LOG_MAX 200000

struct node {
	uint32_t id;
	struct syn_cpg *core;
	bool up;
	uint64_t nonce;
	char *log; /* events since the last activation, one line each */
	size_t log_len;
	size_t post_off;   /* where the log since the last activation starts */
	uint64_t view_seq; /* ring of the last activation */
	unsigned pids;	   /* local processes started */
	int n_activations;
};

static void log_add(struct node *n, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(n->log + n->log_len, LOG_MAX - n->log_len, fmt, ap);
	va_end(ap);
	assert_true(k >= 0 && (size_t)k < LOG_MAX - n->log_len);
	n->log_len += (size_t)k;
}

static void list_log(struct node *n, const struct syn_cpg_member *m, size_t k)
{
	for (size_t i = 0; i < k; i++)
		log_add(n, " %u/%u/%u", m[i].nodeid, m[i].pid, m[i].reason);
	log_add(n, " |");
}

static void on_confchg(void *ctx, const struct syn_cpg_name *g, const struct syn_cpg_member *m,
		       size_t n_m, const struct syn_cpg_member *l, size_t n_l,
		       const struct syn_cpg_member *j, size_t n_j)
{
	struct node *n = ctx;

	log_add(n, "C %.*s", (int)g->len, (const char *)g->value);
	list_log(n, m, n_m);
	list_log(n, l, n_l);
	list_log(n, j, n_j);
	log_add(n, "\n");
}

static void on_deliver(void *ctx, const struct syn_cpg_delivery *d)
{
	struct node *n = ctx;

	log_add(n, "D %.*s %u/%u %.*s\n", (int)d->group->len, (const char *)d->group->value,
		d->nodeid, d->pid, (int)d->fraglen, (const char *)d->data);
}

static void on_activated(void *ctx, uint64_t seq, uint32_t rep, const uint32_t *m, size_t k)
{
	struct node *n = ctx;

	(void)rep;
	(void)m;
	(void)k;
	n->view_seq = seq;
	n->n_activations++;
	n->post_off = n->log_len; /* members agree on what follows */
	log_add(n, "T %llu\n", (unsigned long long)seq);
}

static void node_start(struct node *n, uint32_t id, uint64_t nonce)
{
	struct syn_cpg_env env = {
		.ctx = n, .confchg = on_confchg, .deliver = on_deliver, .activated = on_activated};

	syn_cpg_destroy(n->core);
	if (!n->log)
		n->log = malloc(LOG_MAX);
	n->log_len = n->post_off = 0;
	n->log[0] = '\0';
	n->id = id;
	n->nonce = nonce;
	n->up = true;
	n->view_seq = 0;
	n->n_activations = 0;
	assert_int_equal(syn_cpg_create(&env, id, nonce, &n->core), 0);
}

/* One partition: its view and the queue of its ordered broadcast. */
struct msg {
	uint32_t sender;
	size_t len;
	uint8_t *data;
};

struct cluster {
	struct node nodes[MAX_NODES];
	int part[MAX_NODES]; /* partition of each node */
	struct msg *q[MAX_NODES];
	size_t qn[MAX_NODES];
	uint64_t seq;
	uint64_t nonce;
};

static void q_push(struct cluster *cl, int p, uint32_t sender, const void *data, size_t len)
{
	struct msg *m;

	cl->q[p] = realloc(cl->q[p], (cl->qn[p] + 1) * sizeof(*cl->q[p]));
	m = &cl->q[p][cl->qn[p]++];
	m->sender = sender;
	m->len = len;
	m->data = malloc(len);
	memcpy(m->data, data, len);
}

/* Deliver the head of partition p's queue to all its live members. */
static void q_deliver_one(struct cluster *cl, int p)
{
	struct msg m = cl->q[p][0];

	memmove(cl->q[p], cl->q[p] + 1, (cl->qn[p] - 1) * sizeof(m));
	cl->qn[p]--;
	for (int i = 0; i < MAX_NODES; i++)
		if (cl->nodes[i].up && cl->part[i] == p)
			assert_int_equal(
				syn_cpg_deliver(cl->nodes[i].core, m.sender, m.data, m.len), 0);
	free(m.data);
}

static void q_drain(struct cluster *cl, int p)
{
	while (cl->qn[p])
		q_deliver_one(cl, p);
}

/* Install a new view in every partition (after draining: EVS). */
static void install_views(struct cluster *cl)
{
	for (int p = 0; p < MAX_NODES; p++) {
		uint32_t members[MAX_NODES];
		size_t n = 0;

		q_drain(cl, p);
		for (int i = 0; i < MAX_NODES; i++)
			if (cl->nodes[i].up && cl->part[i] == p)
				members[n++] = cl->nodes[i].id;
		if (!n)
			continue;
		cl->seq++;
		for (int i = 0; i < MAX_NODES; i++) {
			const void *jl;
			size_t len;

			if (!cl->nodes[i].up || cl->part[i] != p)
				continue;
			assert_int_equal(syn_cpg_view(cl->nodes[i].core, cl->seq, members[0],
						      members, n, &jl, &len),
					 0);
			cl->nodes[i].log_len = cl->nodes[i].post_off = 0;
			cl->nodes[i].log[0] = '\0';
			q_push(cl, p, cl->nodes[i].id, jl, len);
		}
	}
}

static void cluster_init(struct cluster *cl, int n)
{
	memset(cl, 0, sizeof(*cl));
	for (int i = 0; i < MAX_NODES; i++) {
		node_start(&cl->nodes[i], (uint32_t)i + 1, ++cl->nonce);
		cl->nodes[i].up = i < n;
	}
	install_views(cl);
	for (int p = 0; p < MAX_NODES; p++)
		q_drain(cl, p);
}

static void cluster_fini(struct cluster *cl)
{
	for (int i = 0; i < MAX_NODES; i++) {
		syn_cpg_destroy(cl->nodes[i].core);
		free(cl->nodes[i].log);
	}
	for (int p = 0; p < MAX_NODES; p++) {
		for (size_t k = 0; k < cl->qn[p]; k++)
			free(cl->q[p][k].data);
		free(cl->q[p]);
	}
}

static void send_proc(struct cluster *cl, int i, enum syn_cpg_msg_kind k, const char *g,
		      uint32_t pid, uint32_t reason)
{
	struct syn_cpg_name n = name_of(g);
	uint8_t buf[256];
	size_t len = syn_cpg_encode_proc(buf, sizeof(buf), k, &n, pid, reason);

	q_push(cl, cl->part[i], cl->nodes[i].id, buf, len);
}

static void send_mcast(struct cluster *cl, int i, const char *g, uint32_t pid, const char *text)
{
	struct syn_cpg_name n = name_of(g);
	uint8_t buf[512];
	size_t len = syn_cpg_encode_mcast(buf, sizeof(buf), &n, pid, text, (uint32_t)strlen(text));

	q_push(cl, cl->part[i], cl->nodes[i].id, buf, len);
}

static void settle(struct cluster *cl)
{
	for (int p = 0; p < MAX_NODES; p++)
		q_drain(cl, p);
}

/* Members of one partition: same table, same post-activation log. */
static void check_agreement(struct cluster *cl)
{
	for (int i = 0; i < MAX_NODES; i++) {
		for (int j = i + 1; j < MAX_NODES; j++) {
			const struct syn_cpg_entry *a, *b;
			size_t na, nb;
			struct node *x = &cl->nodes[i], *y = &cl->nodes[j];

			if (!x->up || !y->up || cl->part[i] != cl->part[j])
				continue;
			if (syn_cpg_syncing(x->core) || syn_cpg_syncing(y->core))
				continue;
			na = syn_cpg_table(x->core, &a);
			nb = syn_cpg_table(y->core, &b);
			assert_int_equal(na, nb);
			/* same entries; one process's groups may be in another order */
			for (size_t k = 0; k < na; k++) {
				bool found = false;

				for (size_t m = 0; m < nb && !found; m++)
					found = a[k].nodeid == b[m].nodeid &&
						a[k].pid == b[m].pid &&
						syn_cpg_name_eq(&a[k].group, &b[m].group);
				assert_true(found);
				assert_int_equal(a[k].nodeid, b[k].nodeid);
				assert_int_equal(a[k].pid, b[k].pid);
			}
			assert_int_equal(x->view_seq, y->view_seq);
			if (strcmp(x->log + x->post_off, y->log + y->post_off) != 0)
				fail_msg("node %u log:\n%s\nnode %u log:\n%s", x->id, x->log, y->id,
					 y->log);
		}
	}
}

/* ---- scenarios ---------------------------------------------------------- */

static void test_join_mcast_leave(void **state)
{
	struct cluster *cl = malloc(sizeof(*cl));

	(void)state;
	cluster_init(cl, 3);
	send_proc(cl, 0, SYN_CPG_MSG_PROCJOIN, "g", 100, SYN_CPG_REASON_JOIN);
	send_proc(cl, 1, SYN_CPG_MSG_PROCJOIN, "g", 200, SYN_CPG_REASON_JOIN);
	send_mcast(cl, 0, "g", 100, "hello");
	send_mcast(cl, 2, "g", 300, "dropped: node 3 has no member");
	send_proc(cl, 1, SYN_CPG_MSG_PROCLEAVE, "g", 200, SYN_CPG_REASON_LEAVE);
	settle(cl);
	check_agreement(cl);
	assert_string_equal(cl->nodes[2].log, "T 1\n"
					      "C g 1/100/0 | | 1/100/1 |\n"
					      "C g 1/100/0 2/200/0 | | 2/200/1 |\n"
					      "D g 1/100 hello\n"
					      "C g 1/100/0 | 2/200/2 | |\n");
	assert_true(syn_cpg_has_entry(cl->nodes[2].core, 1, 100, &(struct syn_cpg_name){0}) ==
		    false);
	cluster_fini(cl);
	free(cl);
}

static void test_partition_merge_restart(void **state)
{
	struct cluster *cl = malloc(sizeof(*cl));
	struct syn_cpg_name g = name_of("g");

	(void)state;
	cluster_init(cl, 3);
	send_proc(cl, 0, SYN_CPG_MSG_PROCJOIN, "g", 1, SYN_CPG_REASON_JOIN);
	send_proc(cl, 1, SYN_CPG_MSG_PROCJOIN, "g", 2, SYN_CPG_REASON_JOIN);
	send_proc(cl, 2, SYN_CPG_MSG_PROCJOIN, "g", 3, SYN_CPG_REASON_JOIN);
	settle(cl);
	/* node 3 is cut off */
	cl->part[2] = 2;
	install_views(cl);
	settle(cl);
	check_agreement(cl);
	assert_string_equal(cl->nodes[0].log, "C g 1/1/0 2/2/0 | 3/3/3 | |\nT 2\n");
	assert_string_equal(cl->nodes[2].log, "C g 3/3/0 | 1/1/3 2/2/3 | |\nT 3\n");
	/* merge: each side sees the other's members as NODEUP */
	cl->part[2] = 0;
	install_views(cl);
	settle(cl);
	check_agreement(cl);
	assert_string_equal(cl->nodes[0].log, "C g 1/1/0 2/2/0 3/3/0 | | 3/3/4 |\nT 4\n");
	assert_string_equal(cl->nodes[2].log, "C g 1/1/0 2/2/0 3/3/0 | | 2/2/4 1/1/4 |\nT 4\n");
	/* node 2 restarts before anyone noticed: NODEDOWN then nothing back */
	node_start(&cl->nodes[1], 2, ++cl->nonce);
	install_views(cl);
	settle(cl);
	check_agreement(cl);
	assert_string_equal(cl->nodes[0].log, "C g 1/1/0 3/3/0 | 2/2/3 | |\nT 5\n");
	assert_false(syn_cpg_has_entry(cl->nodes[1].core, 2, 2, &g));
	assert_true(syn_cpg_has_entry(cl->nodes[1].core, 3, 3, &g));
	cluster_fini(cl);
	free(cl);
}

/* A view change during a sync: the first JOINLISTs are dropped. */
static void test_aborted_sync(void **state)
{
	struct cluster *cl = malloc(sizeof(*cl));

	(void)state;
	cluster_init(cl, 3);
	send_proc(cl, 1, SYN_CPG_MSG_PROCJOIN, "g", 2, SYN_CPG_REASON_JOIN);
	settle(cl);
	cl->part[2] = 1;
	install_views(cl);
	/* deliver one JOINLIST each side, then change again */
	q_deliver_one(cl, 0);
	send_proc(cl, 1, SYN_CPG_MSG_PROCJOIN, "h", 22, SYN_CPG_REASON_JOIN);
	cl->part[2] = 0;
	install_views(cl);
	settle(cl);
	check_agreement(cl);
	for (int i = 0; i < 3; i++)
		assert_false(syn_cpg_syncing(cl->nodes[i].core));
	cluster_fini(cl);
	free(cl);
}

/*
 * A message cut by a view change is delivered in the next ring; when that
 * ring's sync is aborted, the held message takes effect before any
 * JOINLIST: it reaches the group only from a process this node knows in
 * it, not from another partition's new member on a known node.
 */
static void test_aborted_sync_unknown_sender(void **state)
{
	struct cluster *cl = malloc(sizeof(*cl));
	struct syn_cpg_name g = name_of("g");
	const uint32_t merged[2] = {1, 3};
	struct node *n = &cl->nodes[0];
	const void *jl;
	uint8_t buf[256];
	size_t len;

	(void)state;
	cluster_init(cl, 3);
	send_proc(cl, 0, SYN_CPG_MSG_PROCJOIN, "g", 10, SYN_CPG_REASON_JOIN);
	send_proc(cl, 2, SYN_CPG_MSG_PROCJOIN, "g", 31, SYN_CPG_REASON_JOIN);
	settle(cl);
	assert_int_equal(syn_cpg_view(n->core, 100, 1, merged, 2, &jl, &len), 0);
	n->log_len = 0;
	n->log[0] = '\0';
	/* pid 32 joined g on node 3's side of a partition node 1 never saw */
	len = syn_cpg_encode_mcast(buf, sizeof(buf), &g, 32, "cut", 3);
	assert_int_equal(syn_cpg_deliver(n->core, 3, buf, len), 0);
	len = syn_cpg_encode_mcast(buf, sizeof(buf), &g, 31, "known", 5);
	assert_int_equal(syn_cpg_deliver(n->core, 3, buf, len), 0);
	assert_string_equal(n->log, "");
	assert_int_equal(syn_cpg_view(n->core, 101, 1, merged, 2, &jl, &len), 0);
	assert_string_equal(n->log, "D g 3/31 known\n");
	cluster_fini(cl);
	free(cl);
}

/* ---- seeded random model ----------------------------------------------------- */

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(rng_state >> 33) % n;
}

static void random_run(uint64_t seed)
{
	struct cluster *cl = malloc(sizeof(*cl));
	static const char *const groups[] = {"a", "b", "c"};
	/* (node, pid) -> group joined, or -1 */
	int joined[MAX_NODES][4];
	char text[64];

	rng_state = seed;
	memset(joined, -1, sizeof(joined));
	cluster_init(cl, MAX_NODES);
	for (int step = 0; step < 400; step++) {
		uint32_t op = rnd(100);
		int i = (int)rnd(MAX_NODES), pid = (int)rnd(4);
		struct node *n = &cl->nodes[i];

		if (op < 45) {
			int p = (int)rnd(MAX_NODES);
			if (cl->qn[p])
				q_deliver_one(cl, p);
		} else if (op < 60 && n->up) {
			if (joined[i][pid] < 0) {
				joined[i][pid] = (int)rnd(3);
				send_proc(cl, i, SYN_CPG_MSG_PROCJOIN, groups[joined[i][pid]],
					  (uint32_t)pid + 1, 1);
			} else {
				send_proc(cl, i, SYN_CPG_MSG_PROCLEAVE, groups[joined[i][pid]],
					  (uint32_t)pid + 1, rnd(2) ? 2 : 5);
				joined[i][pid] = -1;
			}
		} else if (op < 85 && n->up && joined[i][pid] >= 0) {
			snprintf(text, sizeof(text), "m%d", step);
			send_mcast(cl, i, groups[joined[i][pid]], (uint32_t)pid + 1, text);
		} else if (op < 92) {
			/* repartition: a random node moves */
			cl->part[i] = (int)rnd(3);
			install_views(cl);
		} else if (op < 95) {
			/* merge all */
			for (int k = 0; k < MAX_NODES; k++)
				cl->part[k] = 0;
			install_views(cl);
		} else if (op < 98) {
			/* crash and restart with a new nonce */
			node_start(n, n->id, ++cl->nonce);
			for (int k = 0; k < 4; k++)
				joined[i][k] = -1;
			install_views(cl);
		}
		check_agreement(cl);
	}
	for (int k = 0; k < MAX_NODES; k++)
		cl->part[k] = 0;
	install_views(cl);
	settle(cl);
	check_agreement(cl);
	cluster_fini(cl);
	free(cl);
}

static void test_random(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 300; seed++)
		random_run(seed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_join_mcast_leave),
		cmocka_unit_test(test_partition_merge_restart),
		cmocka_unit_test(test_aborted_sync),
		cmocka_unit_test(test_aborted_sync_unknown_sender),
		cmocka_unit_test(test_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
