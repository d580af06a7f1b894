/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_cmap_limits.c - per-connection handle limits of the cmap service
 * against a real daemon, as corosync has them: a connection holds at most
 * 65,536 iterators and 65,536 trackers; the next ITER_INIT or TRACK_ADD
 * is refused with CS_ERR_LIBRARY (and handle 0), a freed handle can be
 * taken again, and once the connection closes its memory is given back
 * to the system and a new connection gets the full allowance.
 *
 * Requests are sent raw through libqb, so the test measures the daemon
 * and not the client library's own handle database.  Run by
 * netns-run.sh inside the daemon's network namespace.
 */
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
#include <qb/qbipcc.h>

#include "proto/ipc_cmap.h"
#include "daemon_rss.h"

#define HANDLES_MAX 65536
#define CALL_TIMEOUT_MS 5000

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static qb_ipcc_connection_t *raw_connect(void)
{
	qb_ipcc_connection_t *c = qb_ipcc_connect("cmap", SYN_IPC_BUFFER_SIZE);

	assert_non_null(c);
	return c;
}

/* One request, one response; returns the response's error code. */
static int32_t call(qb_ipcc_connection_t *c, void *req, size_t len, void *res, size_t res_len)
{
	struct iovec iov = {req, len};
	ssize_t n = qb_ipcc_sendv_recv(c, &iov, 1, res, res_len, CALL_TIMEOUT_MS);

	assert_true(n >= (ssize_t)sizeof(struct qb_ipc_response_header));
	return ((struct qb_ipc_response_header *)res)->error;
}

static int32_t iter_init(qb_ipcc_connection_t *c, uint64_t *handle)
{
	struct syn_cmap_req_iter_init req;
	struct syn_cmap_res_iter_init res;
	int32_t err;

	memset(&req, 0, sizeof(req));
	req.header.id = SYN_CMAP_REQ_ITER_INIT;
	req.header.size = sizeof(req);
	syn_mar_name_set(&req.prefix, "limits.");
	err = call(c, &req, sizeof(req), &res, sizeof(res));
	*handle = res.iter_handle;
	return err;
}

static int32_t iter_finalize(qb_ipcc_connection_t *c, uint64_t handle)
{
	struct syn_cmap_req_iter req;
	struct qb_ipc_response_header res;

	memset(&req, 0, sizeof(req));
	req.header.id = SYN_CMAP_REQ_ITER_FINALIZE;
	req.header.size = sizeof(req);
	req.iter_handle = handle;
	return call(c, &req, sizeof(req), &res, sizeof(res));
}

static int32_t track_add(qb_ipcc_connection_t *c, uint64_t *handle)
{
	struct syn_cmap_req_track_add req;
	struct syn_cmap_res_track_add res;
	int32_t err;

	memset(&req, 0, sizeof(req));
	req.header.id = SYN_CMAP_REQ_TRACK_ADD;
	req.header.size = sizeof(req);
	syn_mar_name_set(&req.key_name, "limits.tracked");
	req.track_type = CMAP_TRACK_ADD | CMAP_TRACK_MODIFY | CMAP_TRACK_DELETE;
	err = call(c, &req, sizeof(req), &res, sizeof(res));
	*handle = res.track_handle;
	return err;
}

static int32_t track_delete(qb_ipcc_connection_t *c, uint64_t handle)
{
	struct syn_cmap_req_track_delete req;
	struct syn_cmap_res_track_delete res;

	memset(&req, 0, sizeof(req));
	req.header.id = SYN_CMAP_REQ_TRACK_DELETE;
	req.header.size = sizeof(req);
	req.track_handle = handle;
	return call(c, &req, sizeof(req), &res, sizeof(res));
}

typedef int32_t (*open_fn)(qb_ipcc_connection_t *c, uint64_t *handle);
typedef int32_t (*close_fn)(qb_ipcc_connection_t *c, uint64_t handle);

/*
 * Open the allowance on c, check the next is refused as corosync refuses
 * it, and that closing one handle makes room for exactly one more.
 */
static void fill_to_limit(qb_ipcc_connection_t *c, open_fn open_one, close_fn close_one)
{
	uint64_t first = 0, h;

	for (int i = 0; i < HANDLES_MAX; i++) {
		assert_int_equal(open_one(c, &h), CS_OK);
		assert_true(h != 0);
		if (i == 0)
			first = h;
	}
	assert_int_equal(open_one(c, &h), CS_ERR_LIBRARY);
	assert_true(h == 0);
	assert_int_equal(close_one(c, first), CS_OK);
	assert_int_equal(open_one(c, &h), CS_OK);
	assert_int_equal(open_one(c, &h), CS_ERR_LIBRARY);
}

/* Wait (bounded) for the daemon's RSS to fall to at most limit_kb. */
static long rss_after_close(long limit_kb)
{
	long rss = daemon_rss_kb();

	for (int i = 0; i < 100 && rss > limit_kb; i++) {
		sleep_ms(50);
		rss = daemon_rss_kb();
	}
	return rss;
}

static void check_limit_and_release(open_fn open_one, close_fn close_one, const char *what)
{
	long rss0 = daemon_rss_kb(), rss_full, rss_closed;
	qb_ipcc_connection_t *c = raw_connect();

	fill_to_limit(c, open_one, close_one);
	rss_full = daemon_rss_kb();
	qb_ipcc_disconnect(c);
	/* the memory comes back: at most a quarter of the growth stays */
	rss_closed = rss_after_close(rss0 + (rss_full - rss0) / 4);
	print_message("%s: daemon RSS %ld kB before, %ld kB with %d open, %ld kB after close\n",
		      what, rss0, rss_full, HANDLES_MAX, rss_closed);
	/* a sanitized daemon's allocator keeps freed memory (netns-run.sh checks it leaks none) */
	if (!getenv("SYN_DAEMON_SANITIZED")) {
		assert_true(rss_full > rss0);
		assert_true(rss_closed <= rss0 + (rss_full - rss0) / 4);
	}
	/* a new connection gets the whole allowance again */
	c = raw_connect();
	fill_to_limit(c, open_one, close_one);
	qb_ipcc_disconnect(c);
}

static void test_iterator_limit(void **state)
{
	(void)state;
	check_limit_and_release(iter_init, iter_finalize, "iterators");
}

static void test_tracker_limit(void **state)
{
	(void)state;
	check_limit_and_release(track_add, track_delete, "trackers");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iterator_limit),
		cmocka_unit_test(test_tracker_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
