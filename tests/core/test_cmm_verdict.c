/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_cmm_verdict.c - the agreed quorate flag of a view (cmm_verdict.h):
 * undecided until every member's verdict is delivered, "quorate" when one
 * member's latest verdict says so, reported once per decision or change;
 * verdicts of other rings and non-members ignored; malformed messages
 * rejected.  Two replicas fed the same ordered verdicts decide alike.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "cmm_verdict.h"

static int deliver(struct syn_cmm_verdicts *v, uint32_t sender, uint64_t ring, bool quorate)
{
	uint8_t msg[SYN_CMM_VERDICT_LEN];
	size_t len;

	assert_int_equal(syn_cmm_verdict_encode(ring, quorate, msg, sizeof(msg), &len), 0);
	assert_int_equal(len, SYN_CMM_VERDICT_LEN);
	return syn_cmm_verdicts_deliver(v, sender, msg, len);
}

static void decided_when_all_reported(void **state)
{
	struct syn_cmm_verdicts *v = calloc(1, sizeof(*v));
	const uint32_t members[3] = {1, 2, 3};

	(void)state;
	assert_int_equal(syn_cmm_verdicts_view(v, 7, members, 3), 0);
	/* A restarted member first reports "not quorate": no decision yet. */
	assert_int_equal(deliver(v, 3, 7, false), 0);
	assert_int_equal(deliver(v, 1, 7, true), 0);
	assert_false(v->decided);
	assert_int_equal(deliver(v, 2, 7, true), 1);
	assert_true(v->decided && v->quorate);
	/* It catches up: no change, nothing to report. */
	assert_int_equal(deliver(v, 3, 7, true), 0);
	/* Every member loses quorum: reported once, when the last one says so. */
	assert_int_equal(deliver(v, 1, 7, false), 0);
	assert_int_equal(deliver(v, 2, 7, false), 0);
	assert_int_equal(deliver(v, 3, 7, false), 1);
	assert_false(v->quorate);
	assert_int_equal(deliver(v, 2, 7, true), 1);
	assert_true(v->quorate);
	free(v);
}

static void non_quorate_partition(void **state)
{
	struct syn_cmm_verdicts *v = calloc(1, sizeof(*v));
	const uint32_t members[2] = {4, 5};

	(void)state;
	assert_int_equal(syn_cmm_verdicts_view(v, 9, members, 2), 0);
	assert_int_equal(deliver(v, 4, 9, false), 0);
	assert_int_equal(deliver(v, 5, 9, false), 1);
	assert_true(v->decided);
	assert_false(v->quorate);
	free(v);
}

static void others_ignored(void **state)
{
	struct syn_cmm_verdicts *v = calloc(1, sizeof(*v));
	const uint32_t members[1] = {1};
	uint8_t msg[SYN_CMM_VERDICT_LEN];
	size_t len;

	(void)state;
	assert_int_equal(syn_cmm_verdicts_view(v, 3, members, 1), 0);
	assert_int_equal(deliver(v, 1, 2, true), 0); /* older ring */
	assert_int_equal(deliver(v, 9, 3, true), 0); /* not a member */
	assert_false(v->decided);
	assert_int_equal(syn_cmm_verdict_encode(3, true, msg, sizeof(msg), &len), 0);
	assert_int_equal(syn_cmm_verdicts_deliver(v, 1, msg, len - 1), -EBADMSG);
	msg[2] = 7;
	assert_int_equal(syn_cmm_verdicts_deliver(v, 1, msg, len), -EBADMSG);
	msg[2] = 1;
	msg[1] = 9;
	assert_int_equal(syn_cmm_verdicts_deliver(v, 1, msg, len), -EBADMSG);
	assert_int_equal(syn_cmm_verdict_encode(3, true, msg, 4, &len), -ENOBUFS);
	assert_int_equal(syn_cmm_verdicts_view(v, 4, members, SYN_CMM_NODES_MAX + 1), -EINVAL);
	free(v);
}

/* Replicas that see the same order agree at every step, whatever the order. */
static void replicas_agree(void **state)
{
	struct syn_cmm_verdicts *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	const uint32_t members[4] = {1, 2, 3, 4};
	unsigned seed = 12345;

	(void)state;
	for (int round = 0; round < 200; round++) {
		assert_int_equal(syn_cmm_verdicts_view(a, (uint64_t)round, members, 4), 0);
		assert_int_equal(syn_cmm_verdicts_view(b, (uint64_t)round, members, 4), 0);
		for (int k = 0; k < 12; k++) {
			uint32_t sender = 1 + (uint32_t)(rand_r(&seed) % 4);
			bool q = rand_r(&seed) % 2;

			assert_int_equal(deliver(a, sender, (uint64_t)round, q),
					 deliver(b, sender, (uint64_t)round, q));
			assert_int_equal(a->decided, b->decided);
			assert_int_equal(a->quorate, b->quorate);
		}
	}
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decided_when_all_reported),
		cmocka_unit_test(non_quorate_partition),
		cmocka_unit_test(others_ignored),
		cmocka_unit_test(replicas_agree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
