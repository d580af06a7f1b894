/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_loop.c - the daemon's timers, jobs and cached clock (loop.c), on
 * a real qb_loop.
 *
 * Timers: a timer fires once at or after its deadline and is disarmed
 * when its callback runs; a cancelled timer never fires; re-arming to the
 * same deadline keeps the timer as it is; re-arming to an earlier or a
 * later deadline replaces it; a deadline in the past fires at once; a
 * callback may re-arm its own timer or free the struct holding it.
 * Jobs: scheduling a pending job again runs it once; a cancelled job does
 * not run and can be scheduled again.  Clock: every reading in one
 * callback is the same, readings never decrease, and each callback sees
 * a fresh value.  Destroying a loop with timers armed and jobs pending
 * runs none of them and gives all memory back.
 *
 * Each test bounds its run with a guard timer that stops the loop and
 * fails the test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <qb/qbutil.h>

#include "loop.h"

#define GUARD_US 2000000u

struct fixture {
	struct syn_loop *loop;
	struct syn_timer guard;
	struct syn_timer stop;
	bool guard_fired;
};

/* What a test timer or job saw when it ran. */
struct probe {
	struct syn_loop *loop;
	int runs;
	uint64_t cached_us[2];	 /* syn_loop_now_us() at entry and after a busy wait */
	uint64_t clock_us;	 /* the real clock at entry */
	bool armed_in_callback;	 /* syn_timer_armed() of its own timer */
	struct syn_timer *timer; /* its own timer, if a timer */
	int rearm_times;	 /* re-arm its own timer this many times */
};

static uint64_t clock_us(void)
{
	return qb_util_nano_current_get() / 1000;
}

static void on_guard(void *ctx)
{
	struct fixture *f = ctx;

	f->guard_fired = true;
	syn_loop_stop(f->loop);
}

static void on_stop(void *ctx)
{
	struct fixture *f = ctx;

	syn_loop_stop(f->loop);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f || syn_loop_create(&f->loop) != 0)
		return -1;
	syn_timer_init(&f->guard, f->loop, QB_LOOP_LOW, on_guard, f);
	syn_timer_init(&f->stop, f->loop, QB_LOOP_LOW, on_stop, f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	syn_loop_destroy(f->loop);
	free(f);
	return 0;
}

/* Run until the test's stop timer (armed in stop_after_us) or the guard. */
static void run_for(struct fixture *f, uint64_t stop_after_us)
{
	assert_int_equal(syn_timer_arm_in(&f->guard, GUARD_US), 0);
	assert_int_equal(syn_timer_arm_in(&f->stop, stop_after_us), 0);
	syn_loop_run(f->loop);
	assert_false(f->guard_fired);
	syn_timer_cancel(&f->guard);
}

static void busy_wait_us(uint64_t us)
{
	uint64_t end = clock_us() + us;

	while (clock_us() < end)
		;
}

static void on_probe(void *ctx)
{
	struct probe *p = ctx;

	p->clock_us = clock_us();
	p->cached_us[0] = syn_loop_now_us(p->loop);
	busy_wait_us(2000);
	p->cached_us[1] = syn_loop_now_us(p->loop);
	p->runs++;
	if (p->timer) {
		p->armed_in_callback = syn_timer_armed(p->timer);
		if (p->rearm_times > 0) {
			p->rearm_times--;
			assert_int_equal(syn_timer_arm_in(p->timer, 1000), 0);
		}
	}
}

static void test_timer_fires_once_at_deadline(void **state)
{
	struct fixture *f = *state;
	struct probe p = {.loop = f->loop};
	struct syn_timer t;
	uint64_t deadline;

	p.timer = &t;
	syn_timer_init(&t, f->loop, QB_LOOP_HIGH, on_probe, &p);
	assert_false(syn_timer_armed(&t));
	deadline = syn_loop_update_now(f->loop) + 10000;
	assert_int_equal(syn_timer_arm_at(&t, deadline), 0);
	assert_true(syn_timer_armed(&t));
	assert_int_equal(syn_timer_deadline_us(&t), deadline);
	run_for(f, 60000);
	assert_int_equal(p.runs, 1);
	assert_false(p.armed_in_callback);
	assert_false(syn_timer_armed(&t));
	assert_true(p.clock_us >= deadline);
	assert_true(p.cached_us[0] >= deadline);
}

static void test_cancel(void **state)
{
	struct fixture *f = *state;
	struct probe p = {.loop = f->loop};
	struct syn_timer t;

	syn_timer_init(&t, f->loop, QB_LOOP_HIGH, on_probe, &p);
	syn_timer_cancel(&t); /* disarmed: no-op */
	assert_int_equal(syn_timer_arm_in(&t, 5000), 0);
	syn_timer_cancel(&t);
	assert_false(syn_timer_armed(&t));
	syn_timer_cancel(&t);
	run_for(f, 40000);
	assert_int_equal(p.runs, 0);
	/* A cancelled timer can be armed again. */
	assert_int_equal(syn_timer_arm_in(&t, 1000), 0);
	run_for(f, 30000);
	assert_int_equal(p.runs, 1);
}

static void test_same_deadline_is_a_no_op(void **state)
{
	struct fixture *f = *state;
	struct probe p = {.loop = f->loop};
	struct syn_timer t;
	qb_loop_timer_handle first;
	uint64_t deadline = syn_loop_update_now(f->loop) + 5000;

	syn_timer_init(&t, f->loop, QB_LOOP_HIGH, on_probe, &p);
	assert_int_equal(syn_timer_arm_at(&t, deadline), 0);
	first = t.handle;
	assert_int_equal(syn_timer_arm_at(&t, deadline), 0);
	assert_int_equal(syn_timer_arm_at(&t, deadline), 0);
	/* Still the one qb_loop timer first armed. */
	assert_true(t.handle == first);
	assert_true(qb_loop_timer_is_running(syn_loop_qb(f->loop), first));
	run_for(f, 40000);
	assert_int_equal(p.runs, 1);
}

static void test_earlier_deadline_replaces(void **state)
{
	struct fixture *f = *state;
	struct probe p = {.loop = f->loop};
	struct syn_timer t;
	uint64_t now = syn_loop_update_now(f->loop);

	syn_timer_init(&t, f->loop, QB_LOOP_HIGH, on_probe, &p);
	assert_int_equal(syn_timer_arm_at(&t, now + 1000000), 0);
	assert_int_equal(syn_timer_arm_at(&t, now + 5000), 0);
	assert_int_equal(syn_timer_deadline_us(&t), now + 5000);
	run_for(f, 60000);
	/* Fired at the new deadline, well before the old one, and only once. */
	assert_int_equal(p.runs, 1);
	assert_true(p.clock_us >= now + 5000);
	assert_true(p.clock_us < now + 1000000);
	assert_false(syn_timer_armed(&t));
}

static void test_later_deadline_replaces(void **state)
{
	struct fixture *f = *state;
	struct probe p = {.loop = f->loop};
	struct syn_timer t;
	uint64_t now = syn_loop_update_now(f->loop);

	syn_timer_init(&t, f->loop, QB_LOOP_HIGH, on_probe, &p);
	assert_int_equal(syn_timer_arm_at(&t, now + 5000), 0);
	assert_int_equal(syn_timer_arm_at(&t, now + 200000), 0);
	run_for(f, 50000);
	/* The old deadline passed without a call. */
	assert_int_equal(p.runs, 0);
	assert_true(syn_timer_armed(&t));
	run_for(f, 300000);
	assert_int_equal(p.runs, 1);
	assert_true(p.clock_us >= now + 200000);
}

static void test_past_deadline_fires_at_once(void **state)
{
	struct fixture *f = *state;
	struct probe p = {.loop = f->loop};
	struct syn_timer t;
	uint64_t armed_at;

	syn_timer_init(&t, f->loop, QB_LOOP_HIGH, on_probe, &p);
	armed_at = syn_loop_update_now(f->loop);
	assert_int_equal(syn_timer_arm_at(&t, armed_at - 1000000), 0);
	assert_int_equal(p.runs, 0); /* never inside the arm call */
	run_for(f, 500000);
	assert_int_equal(p.runs, 1);
	/* At once: long before the stop timer's 500 ms. */
	assert_true(p.clock_us - armed_at < 250000);
}

static void test_rearm_from_callback(void **state)
{
	struct fixture *f = *state;
	struct probe p = {.loop = f->loop, .rearm_times = 2};
	struct syn_timer t;

	p.timer = &t;
	syn_timer_init(&t, f->loop, QB_LOOP_MED, on_probe, &p);
	assert_int_equal(syn_timer_arm_in(&t, 1000), 0);
	run_for(f, 500000);
	assert_int_equal(p.runs, 3);
	assert_false(syn_timer_armed(&t));
}

struct owned {
	struct syn_timer timer;
	struct syn_job job;
	int *freed;
};

static void free_owner(void *ctx)
{
	struct owned *o = ctx;

	(*o->freed)++;
	free(o);
}

/* The loop does not touch a timer or job after its callback freed it. */
static void test_callback_may_free_its_owner(void **state)
{
	struct fixture *f = *state;
	struct owned *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	int freed = 0;

	assert_non_null(a);
	assert_non_null(b);
	a->freed = b->freed = &freed;
	syn_timer_init(&a->timer, f->loop, QB_LOOP_HIGH, free_owner, a);
	syn_job_init(&b->job, f->loop, QB_LOOP_HIGH, free_owner, b);
	assert_int_equal(syn_timer_arm_in(&a->timer, 1000), 0);
	assert_int_equal(syn_job_schedule(&b->job), 0);
	run_for(f, 30000);
	assert_int_equal(freed, 2);
}

static void test_job_idempotent(void **state)
{
	struct fixture *f = *state;
	struct probe p = {.loop = f->loop};
	struct syn_job j;

	syn_job_init(&j, f->loop, QB_LOOP_HIGH, on_probe, &p);
	assert_false(syn_job_pending(&j));
	assert_int_equal(syn_job_schedule(&j), 0);
	assert_int_equal(syn_job_schedule(&j), 0);
	assert_int_equal(syn_job_schedule(&j), 0);
	assert_true(syn_job_pending(&j));
	assert_int_equal(p.runs, 0); /* deferred, not run inside schedule */
	run_for(f, 20000);
	assert_int_equal(p.runs, 1);
	assert_false(syn_job_pending(&j));
	/* Once run, it can be scheduled again. */
	assert_int_equal(syn_job_schedule(&j), 0);
	run_for(f, 20000);
	assert_int_equal(p.runs, 2);
}

static void test_job_cancel(void **state)
{
	struct fixture *f = *state;
	struct probe p = {.loop = f->loop}, q = {.loop = f->loop};
	struct syn_job j, k;

	syn_job_init(&j, f->loop, QB_LOOP_HIGH, on_probe, &p);
	syn_job_init(&k, f->loop, QB_LOOP_HIGH, on_probe, &q);
	syn_job_cancel(&j); /* not pending: no-op */
	assert_int_equal(syn_job_schedule(&j), 0);
	assert_int_equal(syn_job_schedule(&k), 0);
	syn_job_cancel(&j);
	assert_false(syn_job_pending(&j));
	run_for(f, 20000);
	/* The other job, same priority, still ran. */
	assert_int_equal(p.runs, 0);
	assert_int_equal(q.runs, 1);
	assert_int_equal(syn_job_schedule(&j), 0);
	run_for(f, 20000);
	assert_int_equal(p.runs, 1);
}

static void test_cached_now(void **state)
{
	struct fixture *f = *state;
	struct probe a = {.loop = f->loop}, b = {.loop = f->loop}, c = {.loop = f->loop};
	struct syn_timer ta, tb;
	struct syn_job jc;
	uint64_t before, after;

	syn_timer_init(&ta, f->loop, QB_LOOP_HIGH, on_probe, &a);
	syn_timer_init(&tb, f->loop, QB_LOOP_LOW, on_probe, &b);
	syn_job_init(&jc, f->loop, QB_LOOP_MED, on_probe, &c);
	before = syn_loop_update_now(f->loop);
	/* Without a refresh the cache stands still, whatever the clock does. */
	busy_wait_us(2000);
	assert_int_equal(syn_loop_now_us(f->loop), before);
	assert_int_equal(syn_timer_arm_in(&ta, 3000), 0);
	assert_int_equal(syn_timer_arm_in(&tb, 3000), 0);
	assert_int_equal(syn_job_schedule(&jc), 0);
	run_for(f, 300000);
	after = syn_loop_now_us(f->loop);
	assert_int_equal(a.runs + b.runs + c.runs, 3);
	/* One value per callback, though the callback took 2 ms. */
	assert_int_equal(a.cached_us[0], a.cached_us[1]);
	assert_int_equal(b.cached_us[0], b.cached_us[1]);
	assert_int_equal(c.cached_us[0], c.cached_us[1]);
	/*
	 * Fresh at each callback's entry: the job sees the 2 ms the cache
	 * stood still, each timer its deadline, and none the clock's future.
	 */
	assert_true(c.cached_us[0] >= before + 2000 && c.cached_us[0] <= c.clock_us);
	assert_true(a.cached_us[0] >= before + 3000 && a.cached_us[0] <= a.clock_us);
	assert_true(b.cached_us[0] >= before + 3000 && b.cached_us[0] <= b.clock_us);
	/* Each callback, whatever the order, after the 2 ms wait of the one before. */
	assert_true(a.cached_us[0] >= c.cached_us[0] + 2000 ||
		    c.cached_us[0] >= a.cached_us[0] + 2000);
	assert_true(a.cached_us[0] >= b.cached_us[0] + 2000 ||
		    b.cached_us[0] >= a.cached_us[0] + 2000);
	assert_true(b.cached_us[0] >= c.cached_us[0] + 2000 ||
		    c.cached_us[0] >= b.cached_us[0] + 2000);
	/* Never decreasing: the value after the run is the last callback's or later. */
	assert_true(after >= a.cached_us[1] && after >= b.cached_us[1] && after >= c.cached_us[1]);
	/* An explicit refresh moves it forward. */
	busy_wait_us(1000);
	assert_true(syn_loop_update_now(f->loop) >= after + 1000);
}

static void never(void *ctx)
{
	int *ran = ctx;

	(*ran)++;
}

static void destroy_busy_loop(int *ran)
{
	struct syn_loop *loop;
	struct syn_timer t[4];
	struct syn_job j[3];

	assert_int_equal(syn_loop_create(&loop), 0);
	for (size_t i = 0; i < 4; i++) {
		syn_timer_init(&t[i], loop, (enum qb_loop_priority)(i % 3), never, ran);
		/* One timer already due, so it sits in qb_loop's job list. */
		assert_int_equal(syn_timer_arm_in(&t[i], i == 0 ? 0 : 1000000 * i), 0);
	}
	for (size_t i = 0; i < 3; i++) {
		syn_job_init(&j[i], loop, (enum qb_loop_priority)i, never, ran);
		assert_int_equal(syn_job_schedule(&j[i]), 0);
	}
	syn_loop_destroy(loop);
}

static void test_destroy_with_pending_work(void **state)
{
	struct mallinfo2 before, after;
	int ran = 0;

	(void)state;
	syn_loop_destroy(NULL);
	destroy_busy_loop(&ran); /* warm up whatever libqb sets up once */
	before = mallinfo2();
	destroy_busy_loop(&ran);
	after = mallinfo2();
	assert_int_equal(ran, 0);
	/* Every byte the loop, its timers and its jobs took is given back. */
	assert_int_equal(after.uordblks, before.uordblks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_timer_fires_once_at_deadline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_deadline_is_a_no_op, setup, teardown),
		cmocka_unit_test_setup_teardown(test_earlier_deadline_replaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_later_deadline_replaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_past_deadline_fires_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rearm_from_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_callback_may_free_its_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_job_idempotent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_job_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cached_now, setup, teardown),
		cmocka_unit_test(test_destroy_with_pending_work),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
