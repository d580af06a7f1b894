/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_cmap_overload.c - the bounded event queue policy against a real
 * daemon: a slow tracker gets every event, in order, even when its ring
 * overflows into the daemon's queue; a tracker that never dispatches is
 * disconnected once its queue passes the bound, is counted in the stats
 * map, and neither slows the writer down nor grows the daemon without
 * bound.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <corosync/cmap.h>
#include "daemon_rss.h"

#define SLOW_EVENTS 20000
#define FLOOD_EVENTS 80000

struct order_check {
	uint32_t next_expected;
	uint32_t errors;
};

static void check_order(cmap_handle_t h, cmap_track_handle_t th, int32_t event, const char *key,
			struct cmap_notify_value nv, struct cmap_notify_value ov, void *user_data)
{
	struct order_check *oc = user_data;
	uint32_t v;

	(void)h, (void)th, (void)event, (void)key, (void)ov;
	memcpy(&v, nv.data, sizeof(v));
	if (v != oc->next_expected)
		oc->errors++;
	oc->next_expected = v + 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_slow_reader_gets_everything_in_order(void **state)
{
	(void)state;
	cmap_handle_t reader, writer;
	cmap_track_handle_t th;
	struct order_check oc = {0};
	double deadline;

	assert_int_equal(cmap_initialize(&reader), CS_OK);
	assert_int_equal(cmap_initialize(&writer), CS_OK);
	assert_int_equal(cmap_track_add(reader, "slow.k", CMAP_TRACK_ADD | CMAP_TRACK_MODIFY,
					check_order, &oc, &th),
			 CS_OK);
	/* far more than fits the 1 MiB event ring */
	for (uint32_t i = 0; i < SLOW_EVENTS; i++)
		assert_int_equal(cmap_set_uint32(writer, "slow.k", i), CS_OK);
	deadline = now_s() + 60;
	while (oc.next_expected < SLOW_EVENTS && now_s() < deadline) {
		cs_error_t err = cmap_dispatch(reader, CS_DISPATCH_ONE_NONBLOCKING);
		if (err == CS_ERR_TRY_AGAIN)
			usleep(1000);
		else
			assert_int_equal(err, CS_OK);
	}
	assert_int_equal(oc.next_expected, SLOW_EVENTS);
	assert_int_equal(oc.errors, 0);
	assert_int_equal(cmap_finalize(reader), CS_OK);
	assert_int_equal(cmap_finalize(writer), CS_OK);
}

static void nop_notify(cmap_handle_t h, cmap_track_handle_t th, int32_t event, const char *key,
		       struct cmap_notify_value nv, struct cmap_notify_value ov, void *user_data)
{
	(void)h, (void)th, (void)event, (void)key, (void)nv, (void)ov, (void)user_data;
}

static void test_stuck_reader_is_disconnected(void **state)
{
	(void)state;
	cmap_handle_t stuck, writer, stats;
	cmap_track_handle_t th;
	uint64_t evicted_before = 0, evicted_after = 0;
	double start, worst = 0;
	cs_error_t err;

	assert_int_equal(cmap_initialize_map(&stats, CMAP_MAP_STATS), CS_OK);
	cmap_get_uint64(stats, "stats.ipcs.global.overload_disconnects", &evicted_before);
	long rss_before = daemon_rss_kb();
	assert_int_equal(cmap_initialize(&stuck), CS_OK);
	assert_int_equal(cmap_initialize(&writer), CS_OK);
	assert_int_equal(cmap_track_add(stuck, "flood.",
					CMAP_TRACK_ADD | CMAP_TRACK_MODIFY | CMAP_TRACK_PREFIX,
					nop_notify, NULL, &th),
			 CS_OK);
	for (uint32_t i = 0; i < FLOOD_EVENTS; i++) {
		double t0 = now_s();
		assert_int_equal(cmap_set_uint32(writer, "flood.k", i), CS_OK);
		double dt = now_s() - t0;
		if (dt > worst)
			worst = dt;
	}
	/* the writer was never held up by the stuck client */
	print_message("worst set latency while flooding: %.1f ms\n", worst * 1000);
	assert_true(worst < 0.5);
	/* the daemon's memory grew by no more than the queue bound (64 MiB) and slack */
	long rss = daemon_rss_kb();
	print_message("daemon RSS before flood %ld kB, after %ld kB\n", rss_before, rss);
	assert_true(rss - rss_before < (64 + 16) * 1024);
	/* the stuck client was disconnected: draining its ring ends in an error */
	start = now_s();
	do {
		err = cmap_dispatch(stuck, CS_DISPATCH_ALL);
	} while (err == CS_OK && now_s() - start < 10 &&
		 cmap_set_uint32(writer, "flood.k", 0) == CS_OK);
	assert_int_not_equal(err, CS_OK);
	usleep(200000);
	assert_int_equal(
		cmap_get_uint64(stats, "stats.ipcs.global.overload_disconnects", &evicted_after),
		CS_OK);
	assert_int_equal(evicted_after, evicted_before + 1);
	/* and everybody else is still served */
	uint32_t v;
	assert_int_equal(cmap_get_uint32(writer, "flood.k", &v), CS_OK);
	cmap_finalize(stuck);
	assert_int_equal(cmap_finalize(writer), CS_OK);
	assert_int_equal(cmap_finalize(stats), CS_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slow_reader_gets_everything_in_order),
		cmocka_unit_test(test_stuck_reader_is_disconnected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
