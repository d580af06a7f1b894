/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_cmm_roles.c - the CMM reference's scenarios (section 10.8) played
 * against the pure role logic: several nodes in one process, agreed views
 * and ordered messages delivered by hand, each node's notification stream
 * compared with the reference's column A.  Filters (columns R, M, V) and
 * the library-only scenarios (T24-T30) are checked by the integration
 * test against a real daemon.
 *
 * Fixture: nodes 1 and 2 eligible, 3 and 4 not; quorum = more than half
 * of the votes of the table unless a scenario states otherwise.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cmm_roles.h"

#define NMAX 8

struct node {
	struct sim *sim;
	uint32_t id;
	struct syn_cmm *c;
	struct syn_cmm_record rec;
	char log[2048];
	int result;
	bool up;
};

struct sim {
	size_t n;
	struct syn_cmm_node_conf table[NMAX];
	struct node nodes[NMAX + 1];
	uint64_t ring;
	uint32_t next_req;
	int fail_alloc_at; /* fail the Nth allocation (0: never) */
	int n_alloc;
};

static void *t_alloc(void *ctx, size_t size)
{
	struct node *nd = ctx;

	if (nd->sim->fail_alloc_at && ++nd->sim->n_alloc == nd->sim->fail_alloc_at)
		return NULL;
	return calloc(1, size);
}

static void t_free(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

static const char *ev_name(enum syn_cmm_event k)
{
	static const char *const names[] = {"ME", "MD",	   "VE",  "VD", "J",
					    "L",  "STALE", "INV", "VAL"};
	return names[k - SYN_CMM_EV_ME];
}

static void t_emit(void *ctx, enum syn_cmm_event kind, uint32_t nodeid)
{
	struct node *nd = ctx;
	size_t len = strlen(nd->log);

	snprintf(nd->log + len, sizeof(nd->log) - len, "%s%s(%u)", len ? " " : "", ev_name(kind),
		 nodeid);
}

static void t_record(void *ctx, const struct syn_cmm_record *rec)
{
	struct node *nd = ctx;

	nd->rec = *rec;
}

static void t_done(void *ctx, uint32_t sender, uint32_t req_id, int result)
{
	struct node *nd = ctx;

	(void)req_id;
	if (sender == nd->id)
		nd->result = result;
}

static void node_start(struct sim *s, uint32_t id)
{
	struct node *nd = &s->nodes[id];
	struct syn_cmm_env env = {.ctx = nd,
				  .alloc = t_alloc,
				  .free = t_free,
				  .emit = t_emit,
				  .record = t_record,
				  .request_done = t_done};

	nd->sim = s;
	nd->id = id;
	nd->log[0] = '\0';
	assert_int_equal(syn_cmm_create(&env, id, s->table, s->n, &nd->rec, &nd->c), 0);
	nd->up = true;
}

static void node_stop(struct sim *s, uint32_t id)
{
	syn_cmm_destroy(s->nodes[id].c);
	s->nodes[id].c = NULL;
	s->nodes[id].up = false;
}

static struct sim *sim_new(size_t n, size_t n_eligible)
{
	struct sim *s = calloc(1, sizeof(*s));

	s->n = n;
	for (size_t i = 0; i < n; i++)
		s->table[i] = (struct syn_cmm_node_conf){.nodeid = (uint32_t)i + 1,
							 .eligible = i < n_eligible};
	return s;
}

static void sim_free(struct sim *s)
{
	for (size_t i = 1; i <= NMAX; i++)
		if (s->nodes[i].c)
			node_stop(s, (uint32_t)i);
	free(s);
}

/* Parse "1 2 3" into ids. */
static size_t parse(const char *list, uint32_t *ids)
{
	size_t n = 0;
	char *end;

	for (const char *p = list; *p;) {
		unsigned long v = strtoul(p, &end, 10);

		if (end == p)
			break;
		ids[n++] = (uint32_t)v;
		p = end;
	}
	return n;
}

/* One agreed view for the listed nodes; quorate < 0: majority of the table. */
static void view_q(struct sim *s, const char *list, int quorate)
{
	uint32_t ids[NMAX];
	size_t n = parse(list, ids);
	static uint8_t msgs[NMAX][SYN_CMM_MSG_MAX];
	size_t lens[NMAX];
	bool q = quorate < 0 ? n * 2 > s->n : quorate != 0;

	s->ring++;
	for (size_t i = 0; i < n; i++)
		assert_int_equal(syn_cmm_view(s->nodes[ids[i]].c, s->ring, ids, n, q, msgs[i],
					      sizeof(msgs[i]), &lens[i]),
				 0);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; q && j < n; j++)
			assert_int_equal(
				syn_cmm_deliver(s->nodes[ids[j]].c, ids[i], msgs[i], lens[i]), 0);
}

static void view(struct sim *s, const char *list)
{
	view_q(s, list, -1);
}

/* A request from sender, delivered in order to every node of the group. */
static int request(struct sim *s, const char *group, uint32_t sender, enum syn_cmm_op op,
		   uint32_t target, int32_t arg)
{
	uint32_t ids[NMAX];
	size_t n = parse(group, ids), len;
	uint8_t msg[64];

	s->nodes[sender].result = 1;
	assert_int_equal(syn_cmm_request_encode(s->nodes[sender].c, op, ++s->next_req, target, arg,
						msg, sizeof(msg), &len),
			 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(syn_cmm_deliver(s->nodes[ids[i]].c, sender, msg, len), 0);
	return s->nodes[sender].result;
}

/* The node's notifications since the last call, then cleared. */
static const char *take(struct sim *s, uint32_t id)
{
	static char out[2048];

	strcpy(out, s->nodes[id].log);
	s->nodes[id].log[0] = '\0';
	return out;
}

static void clear_all(struct sim *s)
{
	for (size_t i = 1; i <= NMAX; i++)
		s->nodes[i].log[0] = '\0';
}

static const struct syn_cmm_entry *ent(struct sim *s, uint32_t on, uint32_t id)
{
	return syn_cmm_entry(s->nodes[on].c, id);
}

static uint32_t sflag(struct sim *s, uint32_t on, uint32_t id)
{
	return syn_cmm_sflag(s->nodes[on].c, ent(s, on, id));
}

static uint32_t count_in(struct sim *s, uint32_t on)
{
	const struct syn_cmm_state *st = syn_cmm_local(s->nodes[on].c);
	uint32_t n = 0;

	for (size_t i = 0; i < st->n; i++)
		n += st->e[i].status != SYN_CMM_OUT;
	return n;
}

/* S0: master 1, vice 2, members 3 and 4, epoch 1. */
static struct sim *s0(void)
{
	struct sim *s = sim_new(4, 2);

	for (uint32_t i = 1; i <= 4; i++)
		node_start(s, i);
	view(s, "1 2 3 4");
	clear_all(s);
	return s;
}

static void t01_start_together(void **state)
{
	struct sim *s = sim_new(4, 2);

	(void)state;
	for (uint32_t i = 1; i <= 4; i++)
		node_start(s, i);
	view(s, "1 2 3 4");
	for (uint32_t i = 1; i <= 4; i++)
		assert_string_equal(take(s, i), "ME(1) VE(2) J(3) J(4)");
	assert_int_equal(syn_cmm_local(s->nodes[1].c)->epoch, 1);
	assert_int_equal(count_in(s, 3), 4);
	assert_int_equal(sflag(s, 1, 1), 0x0401);
	assert_int_equal(sflag(s, 1, 2), 0x0402);
	assert_int_equal(sflag(s, 1, 3), 0x0000);
	sim_free(s);
}

static void t02_staggered_start(void **state)
{
	struct sim *s = sim_new(4, 2);

	(void)state;
	node_start(s, 1);
	view(s, "1");
	node_start(s, 2);
	view(s, "1 2");
	assert_string_equal(take(s, 1), "");
	assert_string_equal(take(s, 2), "");
	assert_false(syn_cmm_local(s->nodes[1].c)->valid);
	node_start(s, 3);
	view(s, "1 2 3");
	for (uint32_t i = 1; i <= 3; i++)
		assert_string_equal(take(s, i), "ME(1) VE(2) J(3)");
	node_start(s, 4);
	view(s, "1 2 3 4");
	for (uint32_t i = 1; i <= 3; i++)
		assert_string_equal(take(s, i), "J(4)");
	assert_string_equal(take(s, 4), "ME(1) VE(2) J(3) J(4)");
	sim_free(s);
}

static void t03_t04_vice_crash_and_return(void **state)
{
	struct sim *s = s0();
	uint32_t inc;

	(void)state;
	inc = ent(s, 1, 2)->incarnation;
	node_stop(s, 2);
	view(s, "1 3 4");
	for (uint32_t i = 1; i <= 4; i += (i == 1 ? 2 : 1))
		assert_string_equal(take(s, i), "L(2)");
	assert_int_equal(syn_cmm_local(s->nodes[1].c)->vice, 0);
	node_start(s, 2);
	view(s, "1 2 3 4");
	assert_string_equal(take(s, 1), "VE(2)");
	assert_string_equal(take(s, 3), "VE(2)");
	assert_string_equal(take(s, 2), "ME(1) VE(2) J(3) J(4)");
	assert_true(ent(s, 1, 2)->incarnation > inc);
	sim_free(s);
}

static void t05_t06_master_crash_and_return(void **state)
{
	struct sim *s = s0();

	(void)state;
	node_stop(s, 1);
	view(s, "2 3 4");
	for (uint32_t i = 2; i <= 4; i++)
		assert_string_equal(take(s, i), "L(1) ME(2)");
	assert_int_equal(syn_cmm_local(s->nodes[2].c)->epoch, 2);
	assert_int_equal(syn_cmm_local(s->nodes[2].c)->vice, 0);
	node_start(s, 1);
	view(s, "1 2 3 4");
	for (uint32_t i = 2; i <= 4; i++)
		assert_string_equal(take(s, i), "VE(1)");
	assert_string_equal(take(s, 1), "ME(2) VE(1) J(3) J(4)");
	sim_free(s);
}

static void t07_release(void **state)
{
	struct sim *s = s0();

	(void)state;
	assert_int_equal(request(s, "1 2 3 4", 1, SYN_CMM_OP_RELEASE, 0, 0), 0);
	for (uint32_t i = 1; i <= 4; i++)
		assert_string_equal(take(s, i), "MD(1) ME(2) VE(1)");
	assert_int_equal(syn_cmm_local(s->nodes[3].c)->epoch, 2);
	sim_free(s);
}

static void t08_release_refused(void **state)
{
	struct sim *s = s0();

	(void)state;
	assert_int_equal(request(s, "1 2 3 4", 3, SYN_CMM_OP_RELEASE, 0, 0), -EPERM);
	node_stop(s, 2);
	view(s, "1 3 4");
	clear_all(s);
	assert_int_equal(request(s, "1 3 4", 1, SYN_CMM_OP_RELEASE, 0, 0), -ECANCELED);
	assert_string_equal(take(s, 1), "");
	sim_free(s);
}

static void t09_disqualify_master(void **state)
{
	struct sim *s = s0();

	(void)state;
	assert_int_equal(request(s, "1 2 3 4", 1, SYN_CMM_OP_SETQUALIF, 1, SYN_CMM_DISQUALIFIED),
			 0);
	for (uint32_t i = 1; i <= 4; i++)
		assert_string_equal(take(s, i), "MD(1) ME(2)");
	assert_int_equal(sflag(s, 3, 1), 0x0C00);
	assert_int_equal(syn_cmm_local(s->nodes[1].c)->vice, 0);
	assert_true(s->nodes[1].rec.disqualified);
	assert_int_equal(request(s, "1 2 3 4", 2, SYN_CMM_OP_SETQUALIF, 1, SYN_CMM_QUALIFIED), 0);
	for (uint32_t i = 1; i <= 4; i++)
		assert_string_equal(take(s, i), "VE(1)");
	sim_free(s);
}

static void t10_disqualify_vice(void **state)
{
	struct sim *s = s0();

	(void)state;
	assert_int_equal(request(s, "1 2 3 4", 1, SYN_CMM_OP_SETQUALIF, 2, SYN_CMM_DISQUALIFIED),
			 0);
	assert_string_equal(take(s, 4), "VD(2)");
	assert_int_equal(request(s, "1 2 3 4", 1, SYN_CMM_OP_SETQUALIF, 2, SYN_CMM_QUALIFIED), 0);
	assert_string_equal(take(s, 4), "VE(2)");
	/* The same level again: no notification. */
	assert_int_equal(request(s, "1 2 3 4", 1, SYN_CMM_OP_SETQUALIF, 2, SYN_CMM_QUALIFIED), 0);
	assert_string_equal(take(s, 4), "");
	sim_free(s);
}

static void t11_setqualif_errors(void **state)
{
	struct sim *s = s0();

	(void)state;
	assert_int_equal(request(s, "1 2 3 4", 1, SYN_CMM_OP_SETQUALIF, 3, SYN_CMM_DISQUALIFIED),
			 -EINVAL);
	assert_int_equal(request(s, "1 2 3 4", 2, SYN_CMM_OP_SETQUALIF, 1, SYN_CMM_DISQUALIFIED),
			 -EPERM);
	assert_int_equal(request(s, "1 2 3 4", 1, SYN_CMM_OP_SETQUALIF, 99, SYN_CMM_DISQUALIFIED),
			 -ESRCH);
	assert_int_equal(request(s, "1 2 3 4", 1, SYN_CMM_OP_SETQUALIF, 2, 7), -EINVAL);
	for (uint32_t i = 1; i <= 4; i++)
		assert_string_equal(take(s, i), "");
	sim_free(s);
}

static void t12_remove_client(void **state)
{
	struct sim *s = s0();

	(void)state;
	assert_int_equal(request(s, "1 2 3 4", 3, SYN_CMM_OP_REMOVE, 0, 0), 0);
	for (uint32_t i = 1; i <= 4; i++)
		assert_string_equal(take(s, i), "L(3)");
	assert_int_equal(ent(s, 3, 3)->status, SYN_CMM_OUT);
	assert_int_equal(sflag(s, 3, 3), 0x0004);
	assert_int_equal(syn_cmm_local(s->nodes[3].c)->master, 1);
	assert_int_equal(request(s, "1 2 3 4", 3, SYN_CMM_OP_REMOVE, 0, 0), -EPERM);
	/* The CMM service of 3 restarts. */
	node_stop(s, 3);
	view(s, "1 2 4");
	assert_string_equal(take(s, 1), "");
	node_start(s, 3);
	view(s, "1 2 3 4");
	assert_string_equal(take(s, 1), "J(3)");
	assert_string_equal(take(s, 3), "ME(1) VE(2) J(3) J(4)");
	sim_free(s);
}

static void t13_remove_master(void **state)
{
	struct sim *s = s0();

	(void)state;
	assert_int_equal(request(s, "1 2 3 4", 1, SYN_CMM_OP_REMOVE, 0, 0), 0);
	for (uint32_t i = 1; i <= 4; i++)
		assert_string_equal(take(s, i), "L(1) ME(2)");
	sim_free(s);

	s = s0();
	node_stop(s, 2);
	view(s, "1 3 4");
	clear_all(s);
	assert_int_equal(request(s, "1 3 4", 1, SYN_CMM_OP_REMOVE, 0, 0), -ECANCELED);
	assert_string_equal(take(s, 1), "");
	assert_int_equal(syn_cmm_local(s->nodes[1].c)->master, 1);
	sim_free(s);
}

static void t14_client_crash(void **state)
{
	struct sim *s = s0();

	(void)state;
	node_stop(s, 4);
	view(s, "1 2 3");
	for (uint32_t i = 1; i <= 3; i++)
		assert_string_equal(take(s, i), "L(4)");
	sim_free(s);
}

/* Partition {1,2,3} / {4}; stale_expires says whether 4's timer fires. */
static void partition_client(bool stale_expires)
{
	struct sim *s = s0();
	const char *heal4 = stale_expires ? "L(4) J(4) VAL(1)" : "L(4) J(4)";

	view(s, "1 2 3");
	view_q(s, "4", 0);
	for (uint32_t i = 1; i <= 3; i++)
		assert_string_equal(take(s, i), "L(4)");
	assert_string_equal(take(s, 4), "");
	assert_true(syn_cmm_wants_stale_timer(s->nodes[4].c));
	assert_false(syn_cmm_stale(s->nodes[4].c));
	if (stale_expires) {
		syn_cmm_stale_expired(s->nodes[4].c);
		syn_cmm_stale_expired(s->nodes[4].c);
		assert_string_equal(take(s, 4), "STALE(0)");
		assert_true(syn_cmm_stale(s->nodes[4].c));
	}
	view(s, "1 2 3 4");
	for (uint32_t i = 1; i <= 3; i++)
		assert_string_equal(take(s, i), "J(4)");
	assert_string_equal(take(s, 4), heal4);
	assert_false(syn_cmm_stale(s->nodes[4].c));
	sim_free(s);
}

static void t15_partition_client(void **state)
{
	(void)state;
	partition_client(true);
}

static void t19_short_partition(void **state)
{
	(void)state;
	partition_client(false);
}

static void t16_master_isolated(void **state)
{
	struct sim *s = s0();

	(void)state;
	view(s, "2 3 4");
	view_q(s, "1", 0);
	for (uint32_t i = 2; i <= 4; i++)
		assert_string_equal(take(s, i), "L(1) ME(2)");
	assert_int_equal(syn_cmm_local(s->nodes[2].c)->epoch, 2);
	assert_string_equal(take(s, 1), "MD(1)");
	assert_int_equal(syn_cmm_local(s->nodes[1].c)->master, 0);
	syn_cmm_stale_expired(s->nodes[1].c);
	assert_string_equal(take(s, 1), "STALE(0)");
	view(s, "1 2 3 4");
	for (uint32_t i = 2; i <= 4; i++)
		assert_string_equal(take(s, i), "VE(1)");
	assert_string_equal(take(s, 1), "L(1) ME(2) VE(1) VAL(2)");
	sim_free(s);
}

static void t17_even_split(void **state)
{
	struct sim *s = s0();

	(void)state;
	view_q(s, "1 3", 0);
	view_q(s, "2 4", 0);
	assert_string_equal(take(s, 1), "MD(1)");
	assert_string_equal(take(s, 3), "MD(1)");
	assert_string_equal(take(s, 2), "VD(2)");
	assert_string_equal(take(s, 4), "VD(2)");
	assert_int_equal(syn_cmm_local(s->nodes[2].c)->master, 1);
	for (uint32_t i = 1; i <= 4; i++)
		syn_cmm_stale_expired(s->nodes[i].c);
	view(s, "1 2 3 4");
	assert_string_equal(take(s, 1), "STALE(0) ME(1) VAL(1)");
	assert_string_equal(take(s, 3), "STALE(0) ME(1) VAL(1)");
	assert_string_equal(take(s, 2), "STALE(0) VE(2) VAL(1)");
	assert_string_equal(take(s, 4), "STALE(0) VE(2) VAL(1)");
	assert_int_equal(syn_cmm_local(s->nodes[4].c)->epoch, 1);
	sim_free(s);
}

static void t18_tie_breaker(void **state)
{
	struct sim *s = s0();

	(void)state;
	view_q(s, "1 3", 1);
	view_q(s, "2 4", 0);
	assert_string_equal(take(s, 1), "L(2) L(4)");
	assert_string_equal(take(s, 2), "VD(2)");
	syn_cmm_stale_expired(s->nodes[2].c);
	view(s, "1 2 3 4");
	assert_string_equal(take(s, 1), "VE(2) J(4)");
	assert_string_equal(take(s, 2), "STALE(0) L(2) L(4) VE(2) J(4) VAL(1)");
	sim_free(s);
}

static void t20_two_node_split_brain(void **state)
{
	struct sim *s = sim_new(2, 2);

	(void)state;
	node_start(s, 1);
	node_start(s, 2);
	view_q(s, "1 2", 1);
	clear_all(s);
	view_q(s, "1", 1);
	view_q(s, "2", 1);
	assert_string_equal(take(s, 1), "L(2)");
	assert_string_equal(take(s, 2), "L(1) ME(2)");
	view_q(s, "1 2", 1);
	assert_string_equal(take(s, 1), "INV(1) L(1) ME(2) VE(1) VAL(2)");
	assert_string_equal(take(s, 2), "INV(1) VE(1) VAL(2)");
	assert_int_equal(sflag(s, 1, 1), 0x1402);
	sim_free(s);
}

static void t21_desynchronised_vice_and_seize(void **state)
{
	struct sim *s = s0();

	(void)state;
	assert_int_equal(request(s, "1 2 3 4", 1, SYN_CMM_OP_SETQUALIF, 2, SYN_CMM_SYNCHRO_NEEDED),
			 0);
	assert_string_equal(take(s, 2), "");
	assert_int_equal(sflag(s, 3, 2), 0x1402);
	node_stop(s, 1);
	view(s, "2 3 4");
	for (uint32_t i = 2; i <= 4; i++)
		assert_string_equal(take(s, i), "L(1) VD(2)");
	assert_int_equal(syn_cmm_local(s->nodes[2].c)->master, 0);
	assert_int_equal(count_in(s, 2), 3);
	assert_int_equal(request(s, "2 3 4", 3, SYN_CMM_OP_SEIZE, 0, 0), -EPERM);
	assert_int_equal(request(s, "2 3 4", 2, SYN_CMM_OP_SEIZE, 0, 0), 0);
	for (uint32_t i = 2; i <= 4; i++)
		assert_string_equal(take(s, i), "ME(2)");
	assert_int_equal(request(s, "2 3 4", 2, SYN_CMM_OP_SEIZE, 0, 0), -EPERM);
	sim_free(s);
}

static void t22_amnesia(void **state)
{
	struct sim *s = sim_new(4, 2);

	(void)state;
	s->nodes[1].rec = (struct syn_cmm_record){.valid = true,
						  .epoch = 5,
						  .last_master = 1,
						  .last_role = SYN_CMM_MASTER,
						  .incarnation = 3};
	s->nodes[2].rec = (struct syn_cmm_record){.valid = true,
						  .epoch = 4,
						  .last_master = 2,
						  .last_role = SYN_CMM_MASTER,
						  .incarnation = 3};
	for (uint32_t i = 3; i <= 4; i++)
		s->nodes[i].rec = (struct syn_cmm_record){.valid = true,
							  .epoch = 5,
							  .last_master = 1,
							  .last_role = SYN_CMM_IN,
							  .incarnation = 3};
	for (uint32_t i = 2; i <= 4; i++)
		node_start(s, i);
	view(s, "2 3 4");
	for (uint32_t i = 2; i <= 4; i++)
		assert_string_equal(take(s, i), "J(2) J(3) J(4)");
	assert_int_equal(syn_cmm_local(s->nodes[2].c)->master, 0);
	node_start(s, 1);
	view(s, "1 2 3 4");
	for (uint32_t i = 2; i <= 4; i++)
		assert_string_equal(take(s, i), "ME(1) VE(2)");
	assert_string_equal(take(s, 1), "ME(1) VE(2) J(3) J(4)");
	assert_int_equal(syn_cmm_local(s->nodes[1].c)->epoch, 6);
	sim_free(s);
}

static void t23_reload_permission(void **state)
{
	struct sim *s = s0();

	(void)state;
	assert_int_equal(request(s, "1 2 3 4", 1, SYN_CMM_OP_RELOAD, 0, 0), 0);
	assert_int_equal(request(s, "1 2 3 4", 3, SYN_CMM_OP_RELOAD, 0, 0), -EPERM);
	sim_free(s);
}

/* A RELOAD with a node table from sender, delivered to every node of the group. */
static int reload(struct sim *s, const char *group, uint32_t sender,
		  const struct syn_cmm_node_conf *table, size_t n)
{
	uint32_t ids[NMAX];
	size_t n_ids = parse(group, ids), len;
	uint8_t msg[256];

	s->nodes[sender].result = 1;
	assert_int_equal(syn_cmm_reload_encode(s->nodes[sender].c, ++s->next_req, table, n, msg,
					       sizeof(msg), &len),
			 0);
	for (size_t i = 0; i < n_ids; i++)
		assert_int_equal(syn_cmm_deliver(s->nodes[ids[i]].c, sender, msg, len), 0);
	return s->nodes[sender].result;
}

static void t23_reload_table(void **state)
{
	struct sim *s = s0();
	struct syn_cmm_node_conf t[NMAX];
	uint8_t msg[256];
	size_t len;

	(void)state;
	memcpy(t, s->table, 4 * sizeof(t[0]));
	t[4] = (struct syn_cmm_node_conf){.nodeid = 5};
	assert_int_equal(reload(s, "1 2 3 4", 3, t, 5), -EPERM);
	assert_null(syn_cmm_conf(s->nodes[2].c, 5));
	assert_int_equal(reload(s, "1 2 3 4", 1, t, 5), 0);
	for (uint32_t i = 1; i <= 4; i++) {
		assert_non_null(syn_cmm_conf(s->nodes[i].c, 5));
		assert_int_equal(ent(s, i, 5)->status, SYN_CMM_OUT);
		assert_int_equal(sflag(s, i, 5), 0x0004);
		assert_string_equal(take(s, i), "");
	}
	/* Node 5 starts with the new table and joins without a role. */
	s->table[4] = t[4];
	s->n = 5;
	node_start(s, 5);
	view(s, "1 2 3 4 5");
	for (uint32_t i = 1; i <= 4; i++)
		assert_string_equal(take(s, i), "J(5)");
	assert_string_equal(take(s, 5), "ME(1) VE(2) J(3) J(4) J(5)");
	/* Refused whole: an attribute of an existing node, a current member removed. */
	t[2].eligible = true;
	assert_int_equal(reload(s, "1 2 3 4 5", 1, t, 5), -EINVAL);
	t[2].eligible = false;
	assert_int_equal(reload(s, "1 2 3 4 5", 1, t, 4), -EINVAL);
	assert_non_null(syn_cmm_conf(s->nodes[3].c, 5));
	/* Once node 5 is down, its entry may go. */
	node_stop(s, 5);
	view(s, "1 2 3 4");
	clear_all(s);
	assert_int_equal(reload(s, "1 2 3 4", 1, t, 4), 0);
	for (uint32_t i = 1; i <= 4; i++) {
		assert_null(syn_cmm_conf(s->nodes[i].c, 5));
		assert_string_equal(take(s, i), "");
	}
	/* Malformed tables are rejected before any check. */
	assert_int_equal(syn_cmm_reload_encode(s->nodes[1].c, 1, t, 4, msg, sizeof(msg), &len), 0);
	assert_int_equal(syn_cmm_deliver(s->nodes[1].c, 1, msg, len - 1), -EBADMSG);
	msg[24] = 0xff; /* flags of the first entry: unknown bits */
	assert_int_equal(syn_cmm_deliver(s->nodes[1].c, 1, msg, len), -EBADMSG);
	assert_int_equal(syn_cmm_reload_encode(s->nodes[1].c, 1, t, 4, msg, 10, &len), -ENOBUFS);
	/* In a non-quorate view nobody is master; before any primary view, no cluster. */
	view_q(s, "1 3", 0);
	assert_int_equal(reload(s, "1 3", 1, t, 4), -EPERM);
	sim_free(s);
	s = sim_new(4, 2);
	node_start(s, 1);
	node_start(s, 2);
	view(s, "1 2");
	assert_int_equal(reload(s, "1 2", 1, s->table, 4), -ENOTCONN);
	sim_free(s);
}

/*
 * Node 1 (master) is cut off, and the view it is in goes by before its
 * quorate flag is agreed; meanwhile {2,3,4} elects 2.  At the merge node 1
 * does not claim the master role: no split brain, no INV, no
 * resynchronisation flag, just its re-entry as vice-master.
 */
static void skipped_view_is_no_split_brain(void **state)
{
	struct sim *s = s0();

	(void)state;
	syn_cmm_view_skipped(s->nodes[1].c);
	view(s, "2 3 4");
	for (uint32_t i = 2; i <= 4; i++)
		assert_string_equal(take(s, i), "L(1) ME(2)");
	view(s, "1 2 3 4");
	for (uint32_t i = 2; i <= 4; i++)
		assert_string_equal(take(s, i), "VE(1)");
	assert_string_equal(take(s, 1), "L(1) ME(2) VE(1)");
	assert_int_equal(sflag(s, 3, 1), 0x0402);
	sim_free(s);
}

static void non_quorate_requests(void **state)
{
	struct sim *s = s0();

	(void)state;
	view_q(s, "1 3", 0);
	view_q(s, "2 4", 0);
	clear_all(s);
	assert_int_equal(request(s, "1 3", 1, SYN_CMM_OP_RELEASE, 0, 0), -EPERM);
	assert_int_equal(request(s, "1 3", 1, SYN_CMM_OP_SETQUALIF, 2, SYN_CMM_DISQUALIFIED),
			 -EPERM);
	assert_int_equal(request(s, "1 3", 1, SYN_CMM_OP_SEIZE, 0, 0), -ENOTCONN);
	/* A removal is recorded and applied at the next primary view. */
	assert_int_equal(request(s, "1 3", 3, SYN_CMM_OP_REMOVE, 0, 0), 0);
	view(s, "1 2 3 4");
	assert_string_equal(take(s, 1), "L(3) ME(1)");
	assert_int_equal(ent(s, 2, 3)->status, SYN_CMM_OUT);
	sim_free(s);
}

static void request_during_sync_is_retried(void **state)
{
	struct sim *s = s0();
	uint8_t msg[SYN_CMM_MSG_MAX], req[64];
	uint32_t ids[4] = {1, 2, 3, 4};
	size_t len, rlen;

	(void)state;
	assert_int_equal(syn_cmm_request_encode(s->nodes[1].c, SYN_CMM_OP_RELEASE, 7, 0, 0, req,
						sizeof(req), &rlen),
			 0);
	assert_int_equal(syn_cmm_view(s->nodes[1].c, 99, ids, 4, true, msg, sizeof(msg), &len), 0);
	assert_true(syn_cmm_syncing(s->nodes[1].c));
	s->nodes[1].result = 1;
	assert_int_equal(syn_cmm_deliver(s->nodes[1].c, 1, req, rlen), 0);
	assert_int_equal(s->nodes[1].result, -EAGAIN);
	assert_int_equal(syn_cmm_deliver(s->nodes[1].c, 1, "x", 1), -EBADMSG);
	assert_int_equal(syn_cmm_deliver(s->nodes[1].c, 1, msg, len - 1), -EBADMSG);
	sim_free(s);
}

static void create_errors(void **state)
{
	struct sim *s = sim_new(4, 2);
	struct syn_cmm_env env = {.ctx = &s->nodes[1],
				  .alloc = t_alloc,
				  .free = t_free,
				  .emit = t_emit,
				  .record = t_record,
				  .request_done = t_done};
	struct syn_cmm *c;
	struct syn_cmm_node_conf dup[2] = {{.nodeid = 1}, {.nodeid = 1}};

	(void)state;
	s->nodes[1].sim = s;
	assert_int_equal(syn_cmm_create(&env, 9, s->table, 4, NULL, &c), -EINVAL);
	assert_int_equal(syn_cmm_create(&env, 1, dup, 2, NULL, &c), -EINVAL);
	assert_int_equal(syn_cmm_create(&env, 1, s->table, 0, NULL, &c), -EINVAL);
	for (int n = 1; n <= 6; n++) {
		s->n_alloc = 0;
		s->fail_alloc_at = n;
		assert_int_equal(syn_cmm_create(&env, 1, s->table, 4, NULL, &c), -ENOMEM);
	}
	s->fail_alloc_at = 0;
	syn_cmm_destroy(NULL);
	sim_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t01_start_together),
		cmocka_unit_test(t02_staggered_start),
		cmocka_unit_test(t03_t04_vice_crash_and_return),
		cmocka_unit_test(t05_t06_master_crash_and_return),
		cmocka_unit_test(t07_release),
		cmocka_unit_test(t08_release_refused),
		cmocka_unit_test(t09_disqualify_master),
		cmocka_unit_test(t10_disqualify_vice),
		cmocka_unit_test(t11_setqualif_errors),
		cmocka_unit_test(t12_remove_client),
		cmocka_unit_test(t13_remove_master),
		cmocka_unit_test(t14_client_crash),
		cmocka_unit_test(t15_partition_client),
		cmocka_unit_test(t16_master_isolated),
		cmocka_unit_test(t17_even_split),
		cmocka_unit_test(t18_tie_breaker),
		cmocka_unit_test(t19_short_partition),
		cmocka_unit_test(t20_two_node_split_brain),
		cmocka_unit_test(t21_desynchronised_vice_and_seize),
		cmocka_unit_test(t22_amnesia),
		cmocka_unit_test(t23_reload_permission),
		cmocka_unit_test(t23_reload_table),
		cmocka_unit_test(skipped_view_is_no_split_brain),
		cmocka_unit_test(non_quorate_requests),
		cmocka_unit_test(request_during_sync_is_retried),
		cmocka_unit_test(create_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
