/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_cmap_tracker_scale.c - idle trackers do not slow other clients
 * down, against a real daemon: the median SET+GET round trip of a client
 * on a key nobody tracks is measured with no trackers and again with
 * 100,000 exact-key trackers on other keys (two raw connections of
 * 50,000, within the per-connection limit).  A change must cost in
 * proportion to the trackers it matches, so the ratio stays small (it
 * was about 50 with a scan of all trackers).  Other load only ever adds
 * time, so each side is the lowest median of a few rounds, and the
 * margin is generous because the machine is shared.  Run by netns-run.sh
 * inside the daemon's network namespace.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <corosync/cmap.h>
#include <qb/qbipcc.h>

#include "proto/ipc_cmap.h"

#define IDLE_CONNS 2
#define IDLE_PER_CONN 50000
#define WARMUP 200
#define SAMPLES 1000
#define ROUNDS 3
#define RATIO_MAX 5.0

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median of SAMPLES SET+GET round trips on one untracked key, in seconds. */
static double set_get_p50_once(cmap_handle_t h)
{
	static double t[SAMPLES];
	uint32_t v;

	for (int i = 0; i < WARMUP + SAMPLES; i++) {
		double t0 = now_s();
		assert_int_equal(cmap_set_uint32(h, "scale.probe", (uint32_t)i), CS_OK);
		assert_int_equal(cmap_get_uint32(h, "scale.probe", &v), CS_OK);
		if (i >= WARMUP)
			t[i - WARMUP] = now_s() - t0;
	}
	qsort(t, SAMPLES, sizeof(t[0]), cmp_double);
	return t[SAMPLES / 2];
}

static double set_get_p50(cmap_handle_t h)
{
	double best = set_get_p50_once(h);

	for (int i = 1; i < ROUNDS; i++) {
		double p = set_get_p50_once(h);
		if (p < best)
			best = p;
	}
	return best;
}

/* n exact trackers on distinct keys, over raw IPC (no client-side handles). */
static qb_ipcc_connection_t *idle_trackers(int conn_no, int n)
{
	qb_ipcc_connection_t *c = qb_ipcc_connect("cmap", SYN_IPC_BUFFER_SIZE);
	struct syn_cmap_req_track_add req;
	struct syn_cmap_res_track_add res;
	char key[64];

	assert_non_null(c);
	for (int i = 0; i < n; i++) {
		struct iovec iov = {&req, sizeof(req)};
		memset(&req, 0, sizeof(req));
		req.header.id = SYN_CMAP_REQ_TRACK_ADD;
		req.header.size = sizeof(req);
		snprintf(key, sizeof(key), "scale.idle.%d.%d", conn_no, i);
		syn_mar_name_set(&req.key_name, key);
		req.track_type = CMAP_TRACK_ADD | CMAP_TRACK_MODIFY | CMAP_TRACK_DELETE;
		assert_int_equal(qb_ipcc_sendv_recv(c, &iov, 1, &res, sizeof(res), 5000),
				 sizeof(res));
		assert_int_equal(res.header.error, CS_OK);
	}
	return c;
}

static void test_idle_trackers_cost_nothing(void **state)
{
	(void)state;
	qb_ipcc_connection_t *idle[IDLE_CONNS];
	cmap_handle_t h;
	double base, loaded, t0;

	assert_int_equal(cmap_initialize(&h), CS_OK);
	base = set_get_p50(h);
	t0 = now_s();
	for (int i = 0; i < IDLE_CONNS; i++)
		idle[i] = idle_trackers(i, IDLE_PER_CONN);
	print_message("%d trackers added in %.1f s\n", IDLE_CONNS * IDLE_PER_CONN, now_s() - t0);
	loaded = set_get_p50(h);
	print_message("SET+GET p50: %.1f us with no trackers, %.1f us with %d idle (x%.2f)\n",
		      base * 1e6, loaded * 1e6, IDLE_CONNS * IDLE_PER_CONN, loaded / base);
	assert_true(loaded / base < RATIO_MAX);
	for (int i = 0; i < IDLE_CONNS; i++)
		qb_ipcc_disconnect(idle[i]);
	assert_int_equal(cmap_finalize(h), CS_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_idle_trackers_cost_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
