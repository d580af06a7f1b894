/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_quorum.c - unit tests of the votequorum core: the scenarios of the
 * votequorum spec (section 10) on a small in-process cluster, plus the
 * start-up errors, client operations, the device and allocation failure.
 *
 * The harness plays the membership layer: a view is a partition of the
 * running nodes; each partition gets a new ring id, every member runs
 * sync_init, then process until complete while queued messages are
 * delivered in one agreed order to every member of the sender's
 * partition, then activate.  Time is a counter the tests advance.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "quorum.h"

#define MAXN 8
#define MAXQ 512

struct sim;

struct simnode {
	struct sim *sim;
	uint32_t id;
	struct syn_quorum *q;
	int part; /* partition index, -1 = down */
	char events[2048];
	char last_log[8192]; /* every log line, appended */
};

struct qmsg {
	uint32_t sender;
	struct syn_quorum_msg msg;
};

struct scen {
	int n;
	uint32_t votes[MAXN + 1]; /* 0 = default 1 (use votes_zero) */
	bool votes_zero[MAXN + 1];
	uint32_t expected;
	bool two_node, wfa_set, wfa, lms, atb, ad, evt, device, device_votes_set;
	uint32_t lms_window, device_votes;
	const char *atb_node;
	uint32_t node_expected[MAXN + 1]; /* per-node quorum.expected_votes */
};

struct sim {
	struct scen sc;
	struct simnode node[MAXN + 1];
	struct qmsg queue[MAXQ];
	size_t nq;
	uint64_t seq;
	uint64_t now;
	int fail_alloc_after; /* < 0 = never */
	/* a device on node i that polls "QD" while the node waits in sync */
	bool device_polls[MAXN + 1];
	bool device_casts[MAXN + 1];
};

/* Let a node that waits for its device in sync get a poll, or time out. */
static void device_sync_poll(struct sim *s, struct simnode *sn)
{
	struct syn_quorum *q = sn->q;

	if (s->device_polls[sn->id]) {
		assert_int_equal(syn_quorum_qdevice_poll(q, "QD", s->device_casts[sn->id],
							 syn_quorum_ring(q), s->now),
				 0);
		return;
	}
	s->now = syn_quorum_next_deadline(q);
	syn_quorum_tick(q, s->now);
}

static void on_send(void *ctx, const struct syn_quorum_msg *msg)
{
	struct simnode *sn = ctx;
	struct sim *s = sn->sim;

	assert_true(s->nq < MAXQ);
	s->queue[s->nq].sender = sn->id;
	s->queue[s->nq].msg = *msg;
	s->nq++;
}

static void on_event(void *ctx, const struct syn_quorum_event *ev)
{
	struct simnode *sn = ctx;
	size_t len = strlen(sn->events);
	char *p = sn->events + len;
	size_t room = sizeof(sn->events) - len;

	switch (ev->type) {
	case SYN_QUORUM_EV_NODELIST:
		snprintf(p, room, "N%zu ", ev->n_members);
		break;
	case SYN_QUORUM_EV_QUORUM:
		snprintf(p, room, "%c%d ", ev->refresh ? 'q' : 'Q', ev->quorate);
		break;
	case SYN_QUORUM_EV_EXPECTED:
		snprintf(p, room, "E%u ", ev->value);
		break;
	case SYN_QUORUM_EV_REGISTERED:
		snprintf(p, room, "R%d ", ev->result);
		break;
	case SYN_QUORUM_EV_EVT_BARRIER:
		snprintf(p, room, "B%u ", ev->value);
		break;
	}
}

static void on_log(void *ctx, int level, const char *text)
{
	struct simnode *sn = ctx;

	(void)level;
	size_t len = strlen(sn->last_log);

	snprintf(sn->last_log + len, sizeof(sn->last_log) - len, "%s\n", text);
}

static void *sim_realloc(void *ctx, void *ptr, size_t size)
{
	struct simnode *sn = ctx;

	if (size == 0) {
		free(ptr);
		return NULL;
	}
	if (sn->sim->fail_alloc_after >= 0 && sn->sim->fail_alloc_after-- == 0)
		return NULL;
	return realloc(ptr, size);
}

static void build_config(const struct scen *sc, uint32_t id, struct syn_quorum_config *cfg,
			 struct syn_quorum_node_cfg *nodes)
{
	memset(cfg, 0, sizeof(*cfg));
	for (int i = 1; i <= sc->n; i++) {
		nodes[i - 1].nodeid = (uint32_t)i;
		nodes[i - 1].votes = sc->votes_zero[i] ? 0 : (sc->votes[i] ? sc->votes[i] : 1);
	}
	cfg->local_nodeid = id;
	cfg->expected_votes = sc->node_expected[id] ? sc->node_expected[id] : sc->expected;
	cfg->votes = 1;
	cfg->have_nodelist = true;
	cfg->n_nodes = (size_t)sc->n;
	cfg->nodes = nodes;
	cfg->two_node = sc->two_node;
	cfg->wait_for_all_set = sc->wfa_set;
	cfg->wait_for_all = sc->wfa;
	cfg->last_man_standing = sc->lms;
	cfg->lms_window_ms = sc->lms_window ? sc->lms_window : 10000;
	cfg->auto_tie_breaker = sc->atb;
	cfg->auto_tie_breaker_node = sc->atb_node;
	cfg->allow_downscale = sc->ad;
	cfg->ev_tracking = sc->evt;
	cfg->have_device = sc->device;
	cfg->device_votes_set = sc->device_votes_set;
	cfg->device_votes = sc->device_votes;
	cfg->device_timeout_ms = 10000;
	cfg->device_sync_timeout_ms = 30000;
}

static const struct syn_quorum_env *env_for(struct simnode *sn)
{
	static _Thread_local struct syn_quorum_env env;

	env = (struct syn_quorum_env){.ctx = sn,
				      .send = on_send,
				      .event = on_event,
				      .log = on_log,
				      .realloc = sim_realloc};
	return &env;
}

static struct sim *sim_new(const struct scen *sc)
{
	struct sim *s = calloc(1, sizeof(*s));

	s->sc = *sc;
	s->fail_alloc_after = -1;
	for (int i = 0; i <= MAXN; i++) {
		s->node[i].sim = s;
		s->node[i].id = (uint32_t)i;
		s->node[i].part = -1;
	}
	return s;
}

static void sim_free(struct sim *s)
{
	for (int i = 1; i <= MAXN; i++)
		syn_quorum_destroy(s->node[i].q);
	free(s);
}

/* Deliver every queued message to the sender's partition, in order. */
static void flush(struct sim *s)
{
	for (size_t k = 0; k < s->nq; k++) {
		struct qmsg m = s->queue[k];
		int part = s->node[m.sender].part;

		for (int i = 1; i <= s->sc.n; i++)
			if (s->node[i].q && part >= 0 && s->node[i].part == part)
				assert_int_equal(syn_quorum_deliver(s->node[i].q, m.sender, &m.msg),
						 0);
	}
	s->nq = 0;
}

static int start_node(struct sim *s, uint32_t id, char *reason, size_t len)
{
	struct syn_quorum_config cfg;
	struct syn_quorum_node_cfg nodes[MAXN];

	build_config(&s->sc, id, &cfg, nodes);
	s->node[id].part = -2; /* up, not yet in a view: its start-up NODEINFO is lost */
	return syn_quorum_create(&cfg, env_for(&s->node[id]), &s->node[id].q, reason, len);
}

static void kill_node(struct sim *s, uint32_t id)
{
	syn_quorum_destroy(s->node[id].q);
	s->node[id].q = NULL;
	s->node[id].part = -1;
}

/* Form views: spec like "1,2|3" (every listed node must be up). */
static void view(struct sim *s, const char *spec)
{
	uint32_t groups[MAXN][MAXN];
	size_t sizes[MAXN] = {0}, ng = 1;
	bool done;

	flush(s);
	for (const char *p = spec; *p; p++) {
		if (*p == '|')
			ng++;
		else if (*p >= '1' && *p <= '9')
			groups[ng - 1][sizes[ng - 1]++] = (uint32_t)(*p - '0');
	}
	s->nq = 0;
	for (size_t g = 0; g < ng; g++) {
		struct syn_quorum_ring ring = {groups[g][0], ++s->seq};

		for (size_t i = 0; i < sizes[g]; i++) {
			struct simnode *sn = &s->node[groups[g][i]];

			assert_non_null(sn->q);
			sn->part = (int)g;
			assert_int_equal(
				syn_quorum_sync_init(sn->q, ring, groups[g], sizes[g], s->now), 0);
		}
	}
	do {
		done = true;
		for (int i = 1; i <= s->sc.n; i++)
			if (s->node[i].q && s->node[i].part >= 0 &&
			    !syn_quorum_sync_process(s->node[i].q)) {
				device_sync_poll(s, &s->node[i]);
				done = false;
			}
		flush(s);
	} while (!done);
	for (int i = 1; i <= s->sc.n; i++)
		if (s->node[i].q && s->node[i].part >= 0)
			syn_quorum_sync_activate(s->node[i].q);
	flush(s);
}

static void advance(struct sim *s, uint64_t ms)
{
	s->now += ms;
	for (int i = 1; i <= s->sc.n; i++)
		if (s->node[i].q)
			syn_quorum_tick(s->node[i].q, s->now);
	flush(s);
}

static struct sim *start_all(const struct scen *sc, const char *spec)
{
	struct sim *s = sim_new(sc);
	char reason[256];

	for (const char *p = spec; *p; p++)
		if (*p >= '1' && *p <= '9')
			assert_int_equal(
				start_node(s, (uint32_t)(*p - '0'), reason, sizeof(reason)), 0);
	view(s, spec);
	return s;
}

/* Check quorate, expected, total, quorum of node id (0 = don't check). */
static void expect_at(int line, struct sim *s, uint32_t id, bool quorate, uint32_t ev, uint32_t tv,
		      uint32_t q)
{
	struct syn_quorum_info info;

	assert_int_equal(syn_quorum_getinfo(s->node[id].q, 0, &info), 0);
	if (syn_quorum_is_quorate(s->node[id].q) != quorate || (ev && info.expected_votes != ev) ||
	    (tv && info.total_votes != tv) || (q && info.quorum != q))
		fail_msg("line %d node %u: got %s ev%u tv%u q%u, want %s ev%u tv%u q%u", line, id,
			 syn_quorum_is_quorate(s->node[id].q) ? "Q" : "NQ", info.expected_votes,
			 info.total_votes, info.quorum, quorate ? "Q" : "NQ", ev, tv, q);
}

#define expect(...) expect_at(__LINE__, __VA_ARGS__)

static uint32_t info_flags(struct sim *s, uint32_t id)
{
	struct syn_quorum_info info;

	assert_int_equal(syn_quorum_getinfo(s->node[id].q, 0, &info), 0);
	return info.flags;
}

#define SCEN(...) ((struct scen){__VA_ARGS__})

static void test_basic_majority(void **state)
{
	(void)state;
	struct sim *s = start_all(&SCEN(.n = 3), "123");

	for (uint32_t i = 1; i <= 3; i++)
		expect(s, i, true, 3, 3, 2); /* V1 */
	assert_int_equal(info_flags(s, 1), SYN_QUORUM_INFO_QUORATE);
	view(s, "12|3"); /* V2 */
	expect(s, 1, true, 3, 2, 2);
	expect(s, 2, true, 3, 2, 2);
	expect(s, 3, false, 3, 1, 2);
	assert_int_equal(info_flags(s, 3), 0);
	sim_free(s);

	s = start_all(&SCEN(.n = 3), "1"); /* V3 */
	expect(s, 1, false, 3, 1, 2);
	sim_free(s);

	s = start_all(&SCEN(.n = 4), "1234"); /* V4 */
	view(s, "12|34");
	expect(s, 1, false, 4, 2, 3);
	expect(s, 3, false, 4, 2, 3);
	sim_free(s);

	s = start_all(&SCEN(.n = 5), "12345"); /* V11 */
	view(s, "123|45");
	expect(s, 1, true, 5, 3, 3);
	expect(s, 4, false, 5, 2, 3);
	sim_free(s);
}

static void test_atb(void **state)
{
	(void)state;
	struct sim *s = start_all(&SCEN(.n = 4, .atb = true), "1234");

	view(s, "12|34"); /* V5 */
	expect(s, 1, true, 4, 2, 3);
	expect(s, 3, false, 4, 2, 3);
	assert_int_equal(info_flags(s, 1),
			 SYN_QUORUM_INFO_QUORATE | SYN_QUORUM_INFO_AUTO_TIE_BREAKER);
	assert_int_equal(info_flags(s, 3), SYN_QUORUM_INFO_AUTO_TIE_BREAKER);
	sim_free(s);

	s = start_all(&SCEN(.n = 4, .atb = true, .atb_node = "highest"), "1234"); /* V6 */
	view(s, "12|34");
	expect(s, 3, true, 4, 2, 3);
	expect(s, 1, false, 4, 2, 3);
	sim_free(s);

	s = start_all(&SCEN(.n = 4, .atb = true, .atb_node = "3 1"), "1234"); /* V7 */
	view(s, "12|34");
	expect(s, 3, true, 0, 2, 3);
	expect(s, 1, false, 0, 2, 3);
	view(s, "1234");
	view(s, "13|24");
	expect(s, 1, true, 0, 2, 3);
	expect(s, 2, false, 0, 2, 3);
	sim_free(s);

	s = start_all(&SCEN(.n = 4, .atb = true), "1234"); /* V8 */
	view(s, "1|234");
	expect(s, 2, true, 4, 3, 3);
	expect(s, 1, false, 4, 1, 3);
	sim_free(s);

	s = start_all(&SCEN(.n = 6, .atb = true), "123456"); /* V9, V10 */
	view(s, "123|45|6");
	expect(s, 1, true, 6, 3, 4);
	expect(s, 4, false, 6, 2, 4);
	expect(s, 6, false, 6, 1, 4);
	sim_free(s);
}

static void test_atb_odd(void **state)
{
	(void)state;
	struct sim *s =
		start_all(&SCEN(.n = 5, .atb = true, .wfa_set = true, .wfa = true), "12345");
	char reason[256];

	view(s, "12|345"); /* V12 */
	expect(s, 1, false, 5, 2, 3);
	expect(s, 3, true, 5, 3, 3);
	assert_int_equal(info_flags(s, 3), SYN_QUORUM_INFO_QUORATE | SYN_QUORUM_INFO_WAIT_FOR_ALL |
						   SYN_QUORUM_INFO_AUTO_TIE_BREAKER);
	sim_free(s);

	s = start_all(&SCEN(.n = 3, .atb = true), "123"); /* V13 */
	assert_int_equal(info_flags(s, 1), SYN_QUORUM_INFO_QUORATE);
	assert_non_null(strstr(s->node[1].last_log, "odd number"));
	sim_free(s);

	s = sim_new(&SCEN(.n = 3, .atb = true, .lms = true)); /* V27 */
	assert_int_equal(start_node(s, 1, reason, sizeof(reason)), -EINVAL);
	assert_string_equal(reason, "configuration error: auto_tie_breaker & last_man_standing "
				    "not available in odd sized cluster");
	sim_free(s);
}

static void test_two_node(void **state)
{
	(void)state;
	struct sim *s = start_all(&SCEN(.n = 2, .two_node = true), "12");

	expect(s, 1, true, 2, 2, 1); /* V14 */
	assert_int_equal(info_flags(s, 1), SYN_QUORUM_INFO_TWONODE | SYN_QUORUM_INFO_QUORATE |
						   SYN_QUORUM_INFO_WAIT_FOR_ALL);
	kill_node(s, 2);
	view(s, "1");
	expect(s, 1, true, 2, 1, 1);
	sim_free(s);

	s = start_all(&SCEN(.n = 2, .two_node = true), "1"); /* V15 */
	expect(s, 1, false, 2, 1, 1);
	assert_int_equal(info_flags(s, 1), SYN_QUORUM_INFO_TWONODE | SYN_QUORUM_INFO_WAIT_FOR_ALL);
	char reason[256];
	assert_int_equal(start_node(s, 2, reason, sizeof(reason)), 0); /* V16 */
	view(s, "12");
	expect(s, 1, true, 2, 2, 1);
	expect(s, 2, true, 2, 2, 1);
	view(s, "1|2"); /* V44 */
	expect(s, 1, true, 2, 1, 1);
	expect(s, 2, true, 2, 1, 1);
	view(s, "12");
	expect(s, 1, true, 2, 2, 1);
	sim_free(s);

	s = start_all(&SCEN(.n = 2, .two_node = true, .wfa_set = true), "1"); /* V17 */
	expect(s, 1, true, 2, 1, 1);
	assert_int_equal(info_flags(s, 1), SYN_QUORUM_INFO_TWONODE | SYN_QUORUM_INFO_QUORATE);
	sim_free(s);

	s = start_all(&SCEN(.n = 3, .two_node = true, .wfa_set = true), "123"); /* V18 */
	expect(s, 1, true, 3, 3, 2);
	kill_node(s, 3);
	view(s, "12");
	expect(s, 1, true, 3, 2, 1);
	view(s, "1|2");
	expect(s, 1, true, 3, 1, 1);
	expect(s, 2, true, 3, 1, 1);
	sim_free(s);

	s = start_all(&SCEN(.n = 2, .two_node = true, .atb = true), "12"); /* V19 */
	expect(s, 1, true, 2, 2, 2);
	assert_int_equal(info_flags(s, 1), SYN_QUORUM_INFO_QUORATE | SYN_QUORUM_INFO_WAIT_FOR_ALL |
						   SYN_QUORUM_INFO_AUTO_TIE_BREAKER);
	view(s, "1|2");
	expect(s, 1, true, 2, 1, 2);
	expect(s, 2, false, 2, 1, 2);
	sim_free(s);
}

static void test_wait_for_all(void **state)
{
	(void)state;
	struct scen sc = SCEN(.n = 3, .wfa_set = true, .wfa = true);
	struct sim *s = start_all(&sc, "12");
	char reason[256];

	expect(s, 1, false, 3, 2, 2); /* V20 */
	assert_int_equal(info_flags(s, 1), SYN_QUORUM_INFO_WAIT_FOR_ALL);
	start_node(s, 3, reason, sizeof(reason));
	view(s, "123");
	expect(s, 1, true, 3, 3, 2);
	kill_node(s, 3);
	view(s, "12");
	expect(s, 1, true, 3, 2, 2);
	kill_node(s, 2);
	view(s, "1");
	expect(s, 1, false, 3, 1, 2);
	start_node(s, 2, reason, sizeof(reason));
	view(s, "12");
	expect(s, 1, false, 3, 2, 2); /* WFA re-armed */
	start_node(s, 3, reason, sizeof(reason));
	view(s, "123");
	expect(s, 1, true, 3, 3, 2);
	view(s, "1|23"); /* V21 */
	expect(s, 1, false, 3, 1, 2);
	expect(s, 2, true, 3, 2, 2);
	view(s, "123");
	expect(s, 1, true, 3, 3, 2);
	sim_free(s);

	sc.atb = true; /* V22 */
	s = start_all(&sc, "12");
	expect(s, 1, false, 3, 2, 2);
	syn_quorum_cancel_wfa(s->node[1].q);
	flush(s);
	expect(s, 1, true, 3, 2, 2);
	expect(s, 2, true, 3, 2, 2);
	struct syn_quorum_status st;
	syn_quorum_status(s->node[2].q, &st);
	assert_false(st.wfa_status);
	assert_non_null(strstr(s->node[2].last_log, "reset by user on node 1"));
	sim_free(s);
}

static void test_last_man_standing(void **state)
{
	(void)state;
	struct sim *s = start_all(&SCEN(.n = 5, .lms = true, .lms_window = 3000), "12345");
	char reason[256];

	kill_node(s, 4); /* V23 */
	kill_node(s, 5);
	view(s, "123");
	expect(s, 1, true, 5, 3, 3);
	assert_int_equal(syn_quorum_next_deadline(s->node[1].q), s->now + 3000);
	advance(s, 3000);
	expect(s, 1, true, 3, 3, 2);
	kill_node(s, 3);
	view(s, "12");
	expect(s, 1, true, 3, 2, 2);
	advance(s, 3000);
	expect(s, 1, true, 2, 2, 2);
	kill_node(s, 2);
	view(s, "1");
	expect(s, 1, false, 2, 1, 2);
	assert_int_equal(info_flags(s, 1), SYN_QUORUM_INFO_LAST_MAN_STANDING);
	start_node(s, 2, reason, sizeof(reason)); /* V24 */
	view(s, "12");
	expect(s, 1, true, 2, 2, 2);
	expect(s, 2, false, 5, 2, 3);
	for (uint32_t i = 3; i <= 5; i++)
		start_node(s, i, reason, sizeof(reason));
	view(s, "12345");
	for (uint32_t i = 1; i <= 5; i++)
		expect(s, i, true, 5, 5, 3);
	sim_free(s);
}

static void test_lms_atb(void **state)
{
	(void)state;
	struct scen sc = SCEN(.n = 4, .lms = true, .lms_window = 3000, .atb = true, .wfa_set = true,
			      .wfa = true);
	struct sim *s = start_all(&sc, "1234");

	kill_node(s, 4); /* V25 */
	view(s, "123");
	advance(s, 3000);
	expect(s, 1, true, 3, 3, 2);
	kill_node(s, 3);
	view(s, "12");
	advance(s, 3000);
	expect(s, 1, true, 2, 2, 2);
	kill_node(s, 2);
	view(s, "1");
	expect(s, 1, true, 2, 1, 2);
	advance(s, 3000);
	expect(s, 1, true, 1, 1, 1);
	sim_free(s);

	s = start_all(&sc, "1234"); /* V26 */
	kill_node(s, 4);
	view(s, "123");
	advance(s, 3000);
	kill_node(s, 3);
	view(s, "12");
	advance(s, 3000);
	kill_node(s, 1);
	view(s, "2");
	expect(s, 2, false, 2, 1, 2);
	assert_int_equal(syn_quorum_next_deadline(s->node[2].q), SYN_QUORUM_NO_DEADLINE);
	sim_free(s);

	s = start_all(&SCEN(.n = 3, .lms = true, .votes = {0, 0, 0, 2}), "123"); /* V40 */
	assert_int_equal(info_flags(s, 1), SYN_QUORUM_INFO_QUORATE);
	kill_node(s, 2);
	view(s, "13");
	expect(s, 1, true, 4, 3, 3);
	sim_free(s);
}

static void test_expected_and_votes_config(void **state)
{
	(void)state;
	struct sim *s = start_all(&SCEN(.n = 3, .expected = 5), "123");

	expect(s, 1, true, 5, 3, 3); /* V28 */
	view(s, "12|3");
	expect(s, 1, false, 5, 2, 3);
	expect(s, 3, false, 5, 1, 3);
	sim_free(s);

	s = start_all(&SCEN(.n = 3, .votes = {0, 3}), "123"); /* V29 */
	expect(s, 1, true, 5, 5, 3);
	view(s, "1|23");
	expect(s, 1, true, 5, 3, 3);
	expect(s, 2, false, 5, 2, 3);
	sim_free(s);

	s = start_all(&SCEN(.n = 3, .votes_zero = {0, 0, 0, true}), "123"); /* V30 */
	expect(s, 1, true, 2, 2, 2);
	view(s, "1|23");
	expect(s, 1, false, 2, 1, 2);
	expect(s, 2, false, 2, 1, 2);
	sim_free(s);

	s = start_all(&SCEN(.n = 3, .expected = 2), "1"); /* V34 */
	expect(s, 1, false, 2, 1, 2);
	char reason[256];
	start_node(s, 2, reason, sizeof(reason));
	start_node(s, 3, reason, sizeof(reason));
	s->node[1].events[0] = '\0';
	view(s, "123");
	expect(s, 1, true, 3, 3, 2);
	assert_non_null(strstr(s->node[1].events, "E3"));
	sim_free(s);

	s = start_all(&SCEN(.n = 3, .node_expected = {0, 5}), "123"); /* V41 */
	expect(s, 1, true, 5, 3, 3);
	expect(s, 2, true, 3, 3, 2);
	sim_free(s);

	s = start_all(&SCEN(.n = 1, .expected = 600, .votes = {0, 100}), "1"); /* V42 */
	expect(s, 1, false, 600, 100, 301);
	sim_free(s);
}

static void test_setexpected(void **state)
{
	(void)state;
	struct sim *s = start_all(&SCEN(.n = 3), "123");
	struct syn_quorum *q1 = s->node[1].q;

	assert_int_equal(syn_quorum_setexpected(q1, 2), -EINVAL); /* V31 */
	assert_int_equal(syn_quorum_setexpected(q1, 6), -EINVAL);
	assert_int_equal(syn_quorum_setexpected(q1, 5), 0);
	flush(s);
	expect(s, 2, true, 5, 3, 3);
	assert_int_equal(syn_quorum_setexpected(q1, 3), 0);
	flush(s);
	expect(s, 1, true, 3, 3, 2);
	kill_node(s, 3);
	view(s, "12");
	expect(s, 1, true, 3, 2, 2);
	assert_int_equal(syn_quorum_setexpected(q1, 2), 0);
	flush(s);
	expect(s, 1, true, 2, 2, 2);
	assert_int_equal(syn_quorum_setexpected(q1, 1), -EINVAL);
	sim_free(s);

	s = start_all(&SCEN(.n = 3), "1"); /* V32 */
	expect(s, 1, false, 3, 1, 2);
	s->node[1].events[0] = '\0';
	assert_int_equal(syn_quorum_setexpected(s->node[1].q, 1), 0);
	flush(s);
	expect(s, 1, true, 1, 1, 1);
	assert_string_equal(s->node[1].events, "E1 Q1 ");
	char reason[256];
	start_node(s, 2, reason, sizeof(reason));
	view(s, "12");
	expect(s, 1, true, 2, 2, 2);
	expect(s, 2, true, 2, 2, 2);
	sim_free(s);

	s = start_all(&SCEN(.n = 4), "1234"); /* V43 */
	view(s, "12|34");
	assert_int_equal(syn_quorum_setexpected(s->node[1].q, 2), 0);
	flush(s);
	expect(s, 1, true, 2, 2, 2);
	expect(s, 3, false, 4, 2, 3);
	sim_free(s);
}

static void test_setvotes(void **state)
{
	(void)state;
	struct sim *s = start_all(&SCEN(.n = 3), "123");

	assert_int_equal(syn_quorum_setvotes(s->node[1].q, 2, 3), 0); /* V33 */
	flush(s);
	for (uint32_t i = 1; i <= 3; i++) {
		struct syn_quorum_info info;
		syn_quorum_getinfo(s->node[i].q, 0, &info);
		assert_int_equal(info.highest_expected, 5);
		expect(s, i, true, 5, 5, 3);
	}
	assert_non_null(strstr(s->node[3].events, "E5"));
	assert_int_equal(syn_quorum_setvotes(s->node[1].q, 1, 0), 0);
	flush(s);
	expect(s, 1, true, 5, 4, 3);
	assert_int_equal(syn_quorum_setvotes(s->node[1].q, 9, 1), -ENOENT);
	/* expected 5 but only 1 vote left: quorum 3 > total 1 */
	assert_int_equal(syn_quorum_setvotes(s->node[1].q, 2, 0), -EINVAL);
	struct syn_quorum_info info;
	syn_quorum_getinfo(s->node[1].q, 2, &info);
	assert_int_equal(info.votes, 3);
	assert_int_equal(syn_quorum_getinfo(s->node[1].q, 9, &info), -ENOENT);
	assert_int_equal(info.node_id, 0);
	sim_free(s);
}

static void test_evt_and_downscale(void **state)
{
	(void)state;
	struct sim *s = start_all(&SCEN(.n = 3, .evt = true), "123");
	char reason[256];

	assert_int_equal(syn_quorum_setexpected(s->node[1].q, 5), 0); /* V35 */
	flush(s);
	struct syn_quorum_status st;
	syn_quorum_status(s->node[1].q, &st);
	assert_int_equal(st.evt_barrier, 5);
	assert_int_equal(syn_quorum_setexpected(s->node[1].q, 3), 0);
	flush(s);
	expect(s, 1, true, 5, 3, 3);
	sim_free(s);

	struct scen sc = SCEN(.n = 5, .ad = true, .expected = 3); /* V36 */
	s = start_all(&sc, "12345");
	expect(s, 1, true, 5, 5, 3);
	assert_int_equal(info_flags(s, 1),
			 SYN_QUORUM_INFO_QUORATE | SYN_QUORUM_INFO_ALLOW_DOWNSCALE);
	const char *views[] = {"1234", "123", "12", "1"};
	const uint32_t ev[] = {4, 3, 2, 1};
	for (int k = 0; k < 4; k++) {
		uint32_t leaving = (uint32_t)(5 - k);
		syn_quorum_leave(s->node[leaving].q);
		flush(s);
		kill_node(s, leaving);
		view(s, views[k]);
		expect(s, 1, k < 2, ev[k], 0, 3);
	}
	for (uint32_t i = 2; i <= 5; i++)
		start_node(s, i, reason, sizeof(reason));
	view(s, "12345");
	expect(s, 1, true, 5, 5, 3);
	sim_free(s);
}

static void test_qdevice(void **state)
{
	(void)state;
	struct sim *s = start_all(&SCEN(.n = 2, .device = true), "12");
	struct syn_quorum *q1 = s->node[1].q;
	struct syn_quorum_ring ring = syn_quorum_ring(q1);
	struct syn_quorum_info info;
	struct syn_quorum_node nodes[4];

	expect(s, 1, true, 3, 2, 2); /* V37: device configured, not yet voting */
	assert_int_equal(syn_quorum_qdevice_poll(q1, "QD", true, ring, s->now), -ENOENT);
	assert_int_equal(syn_quorum_qdevice_unregister(q1, "QD"), -ENOENT);
	assert_int_equal(syn_quorum_qdevice_register(q1, "QD"), 1);
	assert_int_equal(syn_quorum_qdevice_register(q1, "QD"), -EAGAIN);
	flush(s);
	assert_non_null(strstr(s->node[1].events, "R0"));
	assert_int_equal(syn_quorum_qdevice_register(q1, "QD"), 0);
	assert_int_equal(syn_quorum_qdevice_register(q1, "OTHER"), -EEXIST);
	struct syn_quorum_ring bad = {ring.nodeid, ring.seq + 7};
	assert_int_equal(syn_quorum_qdevice_poll(q1, "X", true, bad, s->now), -EBADMSG);
	assert_int_equal(syn_quorum_qdevice_poll(q1, "X", true, ring, s->now), -EINVAL);
	assert_int_equal(syn_quorum_qdevice_poll(q1, "QD", true, ring, s->now), 0);
	flush(s);
	expect(s, 1, true, 3, 3, 2);
	expect(s, 2, true, 3, 2, 2);
	syn_quorum_getinfo(q1, 0, &info);
	assert_int_equal(info.flags, SYN_QUORUM_INFO_QUORATE | SYN_QUORUM_INFO_QDEVICE_REGISTERED |
					     SYN_QUORUM_INFO_QDEVICE_ALIVE |
					     SYN_QUORUM_INFO_QDEVICE_CAST_VOTE);
	assert_string_equal(info.qdevice_name, "QD");
	assert_int_equal(info.qdevice_votes, 1);
	assert_int_equal(syn_quorum_nodes(q1, nodes, 4), 3);
	assert_int_equal(nodes[2].nodeid, 0);
	syn_quorum_getinfo(s->node[2].q, 0, &info);
	assert_string_equal(info.qdevice_name, "QD");
	s->device_polls[1] = s->device_casts[1] = true;
	view(s, "1|2"); /* the device polls node 1 with the new ring during sync */
	expect(s, 1, true, 3, 2, 2);
	expect(s, 2, false, 3, 1, 2);
	advance(s, 10000); /* no poll within the timeout */
	expect(s, 1, false, 3, 1, 2);
	assert_int_equal(syn_quorum_qdevice_update(q1, "nope", "QD2"), -EINVAL);
	assert_int_equal(syn_quorum_qdevice_update(q1, "QD", "QD2"), 0);
	flush(s);
	assert_int_equal(syn_quorum_qdevice_master_wins(q1, "QD", true), -EINVAL);
	assert_int_equal(syn_quorum_qdevice_master_wins(q1, "QD2", true), 0);
	assert_int_equal(syn_quorum_qdevice_unregister(q1, "QD"), -EINVAL);
	assert_int_equal(syn_quorum_qdevice_unregister(q1, "QD2"), 0);
	flush(s);
	syn_quorum_getinfo(q1, 0, &info);
	assert_string_equal(info.qdevice_name, "");
	assert_int_equal(info.flags & 0x3c0, 0);
	sim_free(s);
}

static void test_master_wins(void **state)
{
	(void)state;
	struct sim *s = start_all(
		&SCEN(.n = 4, .device = true, .device_votes_set = true, .device_votes = 1), "1234");
	struct syn_quorum_ring ring;

	expect(s, 1, true, 5, 4, 3); /* V38 */
	for (uint32_t i = 1; i <= 2; i++) {
		assert_int_equal(syn_quorum_qdevice_register(s->node[i].q, "QD"), 1);
		flush(s);
		assert_int_equal(syn_quorum_qdevice_master_wins(s->node[i].q, "QD", true), 0);
		flush(s);
	}
	ring = syn_quorum_ring(s->node[1].q);
	assert_int_equal(syn_quorum_qdevice_poll(s->node[1].q, "QD", true, ring, s->now), 0);
	assert_int_equal(syn_quorum_qdevice_poll(s->node[2].q, "QD", false, ring, s->now), 0);
	flush(s);
	s->device_polls[1] = s->device_polls[2] = s->device_casts[1] = true;
	view(s, "12|34");
	expect(s, 1, true, 5, 3, 3);
	expect(s, 2, true, 5, 2, 3);
	expect(s, 3, false, 5, 2, 3);
	sim_free(s);
}

static void test_device_config_errors(void **state)
{
	(void)state;
	static const struct {
		struct scen sc;
		const char *reason;
	} cases[] = {
		{SCEN(.n = 2, .device = true, .two_node = true),
		 "configuration error: two_node and quorum device cannot be configured at the "
		 "same time!"},
		{SCEN(.n = 2, .device = true, .lms = true),
		 "configuration error: quorum.device is not compatible with last_man_standing"},
		{SCEN(.n = 2, .device = true, .ad = true),
		 "configuration error: quorum.device is not compatible with allow_downscale"},
		{SCEN(.n = 3, .device = true, .atb = true, .wfa_set = true, .wfa = true),
		 "configuration error: quorum.device is not compatible with auto_tie_breaker"},
		{SCEN(.n = 3, .device = true, .expected = 3),
		 "configuration error: quorum.device.votes must be specified when "
		 "quorum.expected_votes is set"},
		{SCEN(.n = 3, .device = true, .votes = {0, 2}),
		 "configuration error: quorum.device.votes must be specified when not all nodes "
		 "votes 1"},
		{SCEN(.n = 3, .device = true, .expected = 3, .device_votes_set = true,
		      .device_votes = 2),
		 "configuration error: quorum.device.votes is too high or expected_votes is too "
		 "low"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) { /* V39 */
		struct sim *s = sim_new(&cases[i].sc);
		char reason[256] = "";

		assert_int_equal(start_node(s, 1, reason, sizeof(reason)), -EINVAL);
		assert_string_equal(reason, cases[i].reason);
		sim_free(s);
	}
}

static void test_no_nodelist(void **state)
{
	(void)state;
	struct syn_quorum_config cfg = {.local_nodeid = 7, .votes = 1};
	struct syn_quorum_env env = {0};
	struct syn_quorum *q;
	struct syn_quorum_info info;
	char reason[256];

	assert_int_equal(syn_quorum_create(&cfg, &env, &q, reason, sizeof(reason)), -EINVAL);
	assert_string_equal(reason, "configuration error: nodelist or quorum.expected_votes "
				    "must be configured!");
	cfg.expected_votes = 2;
	cfg.votes = 2;
	assert_int_equal(syn_quorum_create(&cfg, &env, &q, reason, sizeof(reason)), 0);
	uint32_t me = 7;
	syn_quorum_sync_init(q, (struct syn_quorum_ring){7, 1}, &me, 1, 0);
	assert_true(syn_quorum_sync_process(q));
	syn_quorum_sync_activate(q);
	assert_int_equal(syn_quorum_getinfo(q, 0, &info), 0);
	assert_int_equal(info.node_id, 7);
	assert_int_equal(info.expected_votes, 2);
	assert_int_equal(info.quorum, 2);
	assert_true(syn_quorum_is_quorate(q));
	syn_quorum_destroy(q);
}

static void test_table_order_and_events(void **state)
{
	(void)state;
	struct sim *s = start_all(&SCEN(.n = 4), "2");
	struct syn_quorum_node nodes[8];
	char reason[256];

	assert_string_equal(s->node[2].events, "N1 Q0 ");
	for (uint32_t i = 1; i <= 4; i++)
		if (i != 2)
			start_node(s, i, reason, sizeof(reason));
	s->node[2].events[0] = '\0';
	view(s, "1234");
	assert_int_equal(syn_quorum_nodes(s->node[2].q, nodes, 8), 4);
	assert_int_equal(nodes[0].nodeid, 1);
	assert_int_equal(nodes[1].nodeid, 3);
	assert_int_equal(nodes[2].nodeid, 4);
	assert_int_equal(nodes[3].nodeid, 2);
	assert_string_equal(s->node[2].events, "N4 Q1 ");
	s->node[2].events[0] = '\0';
	view(s, "1234"); /* nothing changes: QUORUM still sent */
	assert_string_equal(s->node[2].events, "N4 Q1 ");
	kill_node(s, 4);
	view(s, "123");
	syn_quorum_nodes(s->node[2].q, nodes, 8);
	assert_int_equal(nodes[2].state, SYN_QUORUM_STATE_DEAD);
	sim_free(s);
}

/*
 * Node 1 activates a three-node view before the others' node information
 * reaches it: the activation lists nodes 2 and 3 as not yet members.  Their
 * information arriving afterwards changes the notified table, so a refresh
 * goes out although the quorate flag stays; repeating nothing sends none.
 */
static void test_late_nodeinfo_notifies(void **state)
{
	(void)state;
	struct sim *s = start_all(&SCEN(.n = 3), "1");
	struct syn_quorum_ring ring = {1, ++s->seq};
	const uint32_t all[] = {1, 2, 3};
	struct syn_quorum_node nodes[8];
	struct syn_quorum_msg again = {
		.type = SYN_QUORUM_MSG_NODEINFO, .nodeid = 2, .votes = 1, .expected = 3};
	char reason[256];

	for (uint32_t i = 2; i <= 3; i++)
		start_node(s, i, reason, sizeof(reason));
	for (uint32_t i = 1; i <= 3; i++) {
		s->node[i].part = 0;
		assert_int_equal(syn_quorum_sync_init(s->node[i].q, ring, all, 3, s->now), 0);
		assert_true(syn_quorum_sync_process(s->node[i].q));
	}
	s->node[1].events[0] = '\0';
	syn_quorum_sync_activate(s->node[1].q);
	assert_string_equal(s->node[1].events, "Q0 ");
	flush(s);
	for (uint32_t i = 2; i <= 3; i++)
		syn_quorum_sync_activate(s->node[i].q);
	flush(s);
	assert_string_equal(s->node[1].events, "Q0 Q1 q1 ");
	assert_int_equal(syn_quorum_nodes(s->node[1].q, nodes, 8), 3);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(nodes[i].state, SYN_QUORUM_STATE_MEMBER);
	s->node[1].events[0] = '\0';
	assert_int_equal(syn_quorum_deliver(s->node[1].q, 2, &again), 0);
	assert_string_equal(s->node[1].events, "");
	sim_free(s);
}

static void test_reconfigure(void **state)
{
	(void)state;
	struct sim *s = start_all(&SCEN(.n = 3), "123");
	struct syn_quorum_config cfg;
	struct syn_quorum_node_cfg nodes[MAXN];

	s->sc.expected = 5;
	build_config(&s->sc, 1, &cfg, nodes);
	assert_int_equal(syn_quorum_reconfigure(s->node[1].q, &cfg), 0);
	flush(s);
	for (uint32_t i = 1; i <= 3; i++)
		expect(s, i, true, 5, 3, 3);
	s->sc.expected = 0;
	s->sc.two_node = true;
	build_config(&s->sc, 2, &cfg, nodes);
	assert_int_equal(syn_quorum_reconfigure(s->node[2].q, &cfg), 0);
	flush(s);
	assert_true(info_flags(s, 2) & SYN_QUORUM_INFO_TWONODE);
	assert_false(info_flags(s, 1) & SYN_QUORUM_INFO_TWONODE);
	cfg.have_nodelist = false;
	cfg.expected_votes = 0;
	assert_int_equal(syn_quorum_reconfigure(s->node[2].q, &cfg), -EINVAL);
	sim_free(s);
}

static void test_alloc_failure(void **state)
{
	(void)state;
	for (int n = 0; n < 2; n++) {
		struct sim *s = sim_new(&SCEN(.n = 1));
		char reason[256];

		s->fail_alloc_after = n;
		assert_int_equal(start_node(s, 1, reason, sizeof(reason)), -ENOMEM);
		assert_null(s->node[1].q);
		sim_free(s);
	}
	struct sim *s = start_all(&SCEN(.n = 3), "1");
	struct syn_quorum_msg msg = {
		.type = SYN_QUORUM_MSG_NODEINFO, .nodeid = 3, .votes = 1, .expected = 3};
	struct syn_quorum_info info;
	/* growing the table beyond its first 8 entries fails: state unchanged */
	for (uint32_t id = 10; id < 17; id++) {
		msg.nodeid = id;
		assert_int_equal(syn_quorum_deliver(s->node[1].q, id, &msg), 0);
	}
	s->fail_alloc_after = 0;
	msg.nodeid = 20;
	assert_int_equal(syn_quorum_deliver(s->node[1].q, 20, &msg), -ENOMEM);
	assert_int_equal(syn_quorum_getinfo(s->node[1].q, 20, &info), -ENOENT);
	sim_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_majority),
		cmocka_unit_test(test_atb),
		cmocka_unit_test(test_atb_odd),
		cmocka_unit_test(test_two_node),
		cmocka_unit_test(test_wait_for_all),
		cmocka_unit_test(test_last_man_standing),
		cmocka_unit_test(test_lms_atb),
		cmocka_unit_test(test_expected_and_votes_config),
		cmocka_unit_test(test_setexpected),
		cmocka_unit_test(test_setvotes),
		cmocka_unit_test(test_evt_and_downscale),
		cmocka_unit_test(test_qdevice),
		cmocka_unit_test(test_master_wins),
		cmocka_unit_test(test_device_config_errors),
		cmocka_unit_test(test_no_nodelist),
		cmocka_unit_test(test_table_order_and_events),
		cmocka_unit_test(test_late_nodeinfo_notifies),
		cmocka_unit_test(test_reconfigure),
		cmocka_unit_test(test_alloc_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
