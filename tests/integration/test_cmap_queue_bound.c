/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_cmap_queue_bound.c - the daemon-wide bound on queued events
 * against a real daemon configured with an 8 MiB bound
 * (queue-bound.conf): eight trackers that never read join one after
 * another while a writer sets 4 KiB values.  Each stays far below the
 * per-connection bound, but together they would pass the daemon-wide one
 * many times over, so:
 *   - the daemon's total queued bytes (stats.ipcs.global.queued_bytes_peak)
 *     and its RSS growth stay within the bound (plus slack for the RSS);
 *   - the slow trackers are disconnected oldest (largest queue) first and
 *     counted in stats.ipcs.global.overload_disconnects;
 *   - a well-behaved tracker receives every event in order, and slow
 *     trackers that were not disconnected still get theirs, complete and
 *     in order, once they read.
 * Run by netns-run.sh inside the daemon's network namespace.
 */
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
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

#define BOUND_BYTES (8u * 1024 * 1024)
#define SLOW 8
#define STAGGER 100 /* sets between two slow trackers joining */
#define SETS 1000
#define VALUE_LEN 4096
#define KEY "qbound.k"

struct order_check {
	uint32_t next_expected;
	uint32_t received;
	uint32_t errors;
};

struct slow {
	cmap_handle_t h;
	int fd;
	struct order_check oc;
	int evicted_at; /* set index at which the disconnect was seen, or -1 */
};

struct good {
	cmap_handle_t h;
	struct order_check oc;
	atomic_bool stop;
	cs_error_t err;
};

static void check_order(cmap_handle_t h, cmap_track_handle_t th, int32_t event, const char *key,
			struct cmap_notify_value nv, struct cmap_notify_value ov, void *user_data)
{
	struct order_check *oc = user_data;
	uint32_t v;

	(void)h, (void)th, (void)event, (void)key, (void)ov;
	memcpy(&v, nv.data, sizeof(v));
	if (oc->received > 0 && v != oc->next_expected)
		oc->errors++;
	oc->next_expected = v + 1;
	oc->received++;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The well-behaved client: reads as events come, until told to stop. */
static void *good_reader(void *arg)
{
	struct good *g = arg;
	int fd;

	g->err = cmap_fd_get(g->h, &fd);
	while (g->err == CS_OK && !atomic_load(&g->stop)) {
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, 20) > 0)
			g->err = cmap_dispatch(g->h, CS_DISPATCH_ALL);
	}
	return NULL;
}

static void slow_join(struct slow *s)
{
	cmap_track_handle_t th;

	assert_int_equal(cmap_initialize(&s->h), CS_OK);
	assert_int_equal(cmap_fd_get(s->h, &s->fd), CS_OK);
	assert_int_equal(cmap_track_add(s->h, KEY, CMAP_TRACK_ADD | CMAP_TRACK_MODIFY, check_order,
					&s->oc, &th),
			 CS_OK);
	s->evicted_at = -1;
}

/* Note, without reading anything, slow trackers the daemon has hung up on. */
static void slow_poll(struct slow *slow, int joined, int step)
{
	for (int i = 0; i < joined; i++) {
		struct pollfd p = {slow[i].fd, 0, 0};
		if (slow[i].evicted_at < 0 && poll(&p, 1, 0) > 0 &&
		    (p.revents & (POLLHUP | POLLERR)))
			slow[i].evicted_at = step;
	}
}

static uint64_t stat_u64(cmap_handle_t stats, const char *key)
{
	uint64_t v = 0;

	assert_int_equal(cmap_get_uint64(stats, key, &v), CS_OK);
	return v;
}

/* Read everything a surviving slow tracker has waiting (bounded in time). */
static void slow_drain(struct slow *s, uint32_t expected)
{
	double deadline = now_s() + 30;

	while (s->oc.received < expected && now_s() < deadline) {
		struct pollfd p = {s->fd, POLLIN, 0};
		if (poll(&p, 1, 50) > 0)
			assert_int_equal(cmap_dispatch(s->h, CS_DISPATCH_ALL), CS_OK);
	}
}

static void test_slow_trackers_share_one_bound(void **state)
{
	(void)state;
	static struct slow slow[SLOW];
	struct good good = {0};
	cmap_handle_t writer, stats;
	cmap_track_handle_t th;
	pthread_t reader;
	unsigned char value[VALUE_LEN] = {0};
	long rss0, rss_max;
	uint64_t evictions0;
	int joined = 0, n_evicted = 0;

	assert_int_equal(cmap_initialize_map(&stats, CMAP_MAP_STATS), CS_OK);
	evictions0 = stat_u64(stats, "stats.ipcs.global.overload_disconnects");
	assert_int_equal(cmap_initialize(&writer), CS_OK);
	assert_int_equal(cmap_initialize(&good.h), CS_OK);
	assert_int_equal(cmap_track_add(good.h, KEY, CMAP_TRACK_ADD | CMAP_TRACK_MODIFY,
					check_order, &good.oc, &th),
			 CS_OK);
	assert_int_equal(pthread_create(&reader, NULL, good_reader, &good), 0);
	rss_max = rss0 = daemon_rss_kb();
	for (int step = 0; step < SETS; step++) {
		uint32_t v = (uint32_t)step;
		if (step % STAGGER == 0 && joined < SLOW)
			slow_join(&slow[joined++]);
		memcpy(value, &v, sizeof(v));
		assert_int_equal(cmap_set(writer, KEY, value, sizeof(value), CMAP_VALUETYPE_BINARY),
				 CS_OK);
		slow_poll(slow, joined, step);
		if (step % 50 == 0) {
			long rss = daemon_rss_kb();
			if (rss > rss_max)
				rss_max = rss;
		}
	}
	/* disconnects decided by the last sets */
	for (int i = 0; i < 20; i++) {
		usleep(10000);
		slow_poll(slow, joined, SETS);
	}
	/* the well-behaved tracker got every event, in order */
	for (double deadline = now_s() + 30; good.oc.received < SETS && now_s() < deadline;)
		usleep(10000);
	atomic_store(&good.stop, true);
	pthread_join(reader, NULL);
	print_message("well-behaved tracker: %u of %u events, %u out of order\n", good.oc.received,
		      SETS, good.oc.errors);
	assert_int_equal(good.err, CS_OK);
	assert_int_equal(good.oc.received, SETS);
	assert_int_equal(good.oc.errors, 0);

	/*
	 * The daemon's memory stayed within the bound.  Slack: each client's
	 * 1 MiB event ring is shared memory the daemon maps twice, so a full
	 * ring counts 2 MiB of its RSS; 20 MiB for ten clients, and the
	 * allocator.  Without the bound the slow queues alone passed 60 MiB.
	 */
	print_message("daemon RSS %ld kB, at most %ld kB while writing\n", rss0, rss_max);
	if (!getenv("SYN_DAEMON_SANITIZED")) /* its allocator keeps freed memory */
		assert_true(rss_max - rss0 < (long)(BOUND_BYTES / 1024) + 32 * 1024);

	/* oldest (largest queue) first, and every disconnect counted */
	for (int i = 0; i < SLOW; i++) {
		print_message("slow tracker %d joined at set %d, disconnected at set %d\n", i,
			      i * STAGGER, slow[i].evicted_at);
		if (slow[i].evicted_at >= 0)
			n_evicted++;
		if (i > 0 && slow[i].evicted_at >= 0)
			assert_true(slow[i - 1].evicted_at >= 0 &&
				    slow[i - 1].evicted_at <= slow[i].evicted_at);
	}
	assert_true(n_evicted >= SLOW / 2);
	usleep(200000);
	assert_int_equal(stat_u64(stats, "stats.ipcs.global.overload_disconnects"),
			 evictions0 + (uint64_t)n_evicted);

	/* and so did the total the daemon counted */
	uint64_t peak = stat_u64(stats, "stats.ipcs.global.queued_bytes_peak");
	print_message("queued bytes peak %llu (bound %u)\n", (unsigned long long)peak, BOUND_BYTES);
	assert_true(peak <= BOUND_BYTES);

	/* the survivors lost nothing */
	for (int i = 0; i < SLOW; i++) {
		if (slow[i].evicted_at >= 0) {
			cmap_finalize(slow[i].h);
			continue;
		}
		slow_drain(&slow[i], (uint32_t)(SETS - i * STAGGER));
		assert_int_equal(slow[i].oc.received, SETS - i * STAGGER);
		assert_int_equal(slow[i].oc.errors, 0);
		assert_int_equal(cmap_finalize(slow[i].h), CS_OK);
	}
	assert_int_equal(cmap_finalize(good.h), CS_OK);
	assert_int_equal(cmap_finalize(writer), CS_OK);
	assert_int_equal(cmap_finalize(stats), CS_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slow_trackers_share_one_bound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
