/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_cmap_malformed.c - the daemon against malformed and hostile cmap
 * clients: raw libqb requests with unknown ids, truncated bodies, lying
 * sizes, bad names and handles; clients killed while iterating and
 * tracking; and the uid/gid connection check.  After every abuse the
 * daemon must still serve a normal libcmap client, and the abusing
 * connection's stats.ipcs.*.invalid_request must have counted what the
 * glue rejected.  Messages are built from the byte offsets of the shared
 * spec ipc-wire.md 2.1 and 4.3, independently of the project's headers.
 * Run by netns-run.sh inside the daemon's network namespace.
 */
#include <errno.h>
#include <grp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <corosync/cmap.h>
#include <qb/qbipcc.h>

#define RES_MAX (64 * 1024)
#define WAIT_MS 5000

/* Request sizes by id (spec 4.2); SET without value. */
static const size_t req_size[10] = {296, 280, 288, 288, 280, 24, 24, 296, 24, 24};

struct raw {
	qb_ipcc_connection_t *qb;
	char stats_prefix[CMAP_KEYNAME_MAXLEN + 1];
	uint64_t invalid; /* rejections expected so far */
};

static cmap_handle_t stats_h; /* stats map reader, shared by the tests */
static cmap_handle_t check_h; /* default map, for "still serving" */

static void put32(unsigned char *m, size_t off, int32_t v)
{
	memcpy(m + off, &v, 4);
}

static void put64(unsigned char *m, size_t off, uint64_t v)
{
	memcpy(m + off, &v, 8);
}

static int32_t get32(const unsigned char *m, size_t off)
{
	int32_t v;

	memcpy(&v, m + off, 4);
	return v;
}

static uint64_t get64(const unsigned char *m, size_t off)
{
	uint64_t v;

	memcpy(&v, m + off, 8);
	return v;
}

/* A zeroed request of len bytes: header {id, size} and, if any, a name @16. */
static unsigned char *req_new(int32_t id, size_t len, int32_t size, const char *name)
{
	unsigned char *m = calloc(1, len < 16 ? 16 : len);

	assert_non_null(m);
	put32(m, 0, id);
	put32(m, 8, size);
	if (name && len >= 280) {
		size_t n = strlen(name);
		assert_true(n < 256);
		m[16] = (unsigned char)n;
		memcpy(m + 24, name, n);
	}
	return m;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* The keys of one connection: stats.ipcs.service0.<pid>.<token>.* */
static int conn_prefixes(pid_t pid, char out[][CMAP_KEYNAME_MAXLEN + 1], int max)
{
	char prefix[64], key[CMAP_KEYNAME_MAXLEN + 1];
	cmap_iter_handle_t it;
	size_t len;
	cmap_value_types_t type;
	int n = 0;

	snprintf(prefix, sizeof(prefix), "stats.ipcs.service0.%ld.", (long)pid);
	assert_int_equal(cmap_iter_init(stats_h, prefix, &it), CS_OK);
	while (cmap_iter_next(stats_h, it, key, &len, &type) == CS_OK) {
		char *dot = strrchr(key, '.');
		if (!dot || strcmp(dot, ".invalid_request") != 0 || n >= max)
			continue;
		*dot = '\0';
		strcpy(out[n++], key);
	}
	assert_int_equal(cmap_iter_finalize(stats_h, it), CS_OK);
	return n;
}

static bool known(char list[][CMAP_KEYNAME_MAXLEN + 1], int n, const char *p)
{
	for (int i = 0; i < n; i++)
		if (strcmp(list[i], p) == 0)
			return true;
	return false;
}

static void raw_open(struct raw *r)
{
	char before[16][CMAP_KEYNAME_MAXLEN + 1], after[16][CMAP_KEYNAME_MAXLEN + 1];
	int nb = conn_prefixes(getpid(), before, 16);

	memset(r, 0, sizeof(*r));
	r->qb = qb_ipcc_connect("cmap", 1048576);
	assert_non_null(r->qb);
	for (int waited = 0; waited < WAIT_MS && !r->stats_prefix[0]; waited += 20) {
		int na = conn_prefixes(getpid(), after, 16);
		for (int i = 0; i < na; i++)
			if (!known(before, nb, after[i]))
				strcpy(r->stats_prefix, after[i]);
		if (!r->stats_prefix[0])
			sleep_ms(20);
	}
	assert_true(r->stats_prefix[0] != '\0');
}

/* Counters reach the stats map within a flush period: bounded wait. */
static void assert_invalid_count(const struct raw *r)
{
	char key[CMAP_KEYNAME_MAXLEN + 1 + sizeof(".invalid_request")];
	uint64_t v = UINT64_MAX;

	snprintf(key, sizeof(key), "%s.invalid_request", r->stats_prefix);
	for (int waited = 0; waited < WAIT_MS; waited += 20) {
		assert_int_equal(cmap_get_uint64(stats_h, key, &v), CS_OK);
		if (v == r->invalid)
			break;
		sleep_ms(20);
	}
	if (v != r->invalid)
		fail_msg("%s = %llu, expected %llu", key, (unsigned long long)v,
			 (unsigned long long)r->invalid);
}

static void assert_still_serving(void)
{
	char *s = NULL;

	assert_int_equal(cmap_get_string(check_h, "test.alive", &s), CS_OK);
	assert_string_equal(s, "yes");
	free(s);
}

/* Send len bytes, return the response length; the response is in res. */
static ssize_t raw_call(struct raw *r, const void *msg, size_t len, unsigned char *res)
{
	struct iovec iov = {(void *)msg, len};

	memset(res, 0xee, RES_MAX);
	return qb_ipcc_sendv_recv(r->qb, &iov, 1, res, RES_MAX, WAIT_MS);
}

/* The glue's generic rejection: a bare header {0, 24, CS_ERR_INVALID_PARAM}. */
static void assert_rejected(struct raw *r, const void *msg, size_t len)
{
	unsigned char res[RES_MAX];

	assert_int_equal(raw_call(r, msg, len, res), 24);
	assert_int_equal(get32(res, 0), 0);
	assert_int_equal(get32(res, 8), 24);
	assert_int_equal(get32(res, 16), CS_ERR_INVALID_PARAM);
	r->invalid++;
	assert_still_serving();
}

static void test_unknown_ids(void **state)
{
	static const int32_t ids[] = {10, 11, 1000, -5, INT32_MAX};
	struct raw r;

	(void)state;
	raw_open(&r);
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		unsigned char *m = req_new(ids[i], 296, 296, "test.alive");
		assert_rejected(&r, m, 296);
		free(m);
	}
	assert_invalid_count(&r);
	qb_ipcc_disconnect(r.qb);
}

static void test_truncated(void **state)
{
	struct raw r;

	(void)state;
	raw_open(&r);
	for (int32_t id = 0; id < 10; id++) {
		size_t len = req_size[id] - 1;
		unsigned char *m = req_new(id, len, (int32_t)len, "test.alive");
		assert_rejected(&r, m, len);
		free(m);
		/* only a header */
		m = req_new(id, 16, 16, NULL);
		assert_rejected(&r, m, 16);
		free(m);
	}
	assert_invalid_count(&r);
	qb_ipcc_disconnect(r.qb);
}

/*
 * header.size below the fixed part is rejected.  libqb hands the service
 * header.size, not the bytes read, so a header.size above what was sent
 * (or negative) cannot be told from the truth: the daemon must merely
 * answer and survive.
 */
static void test_size_mismatch(void **state)
{
	static const int32_t small[] = {0, 16, 24, 287};
	static const int32_t large[] = {289, 999, 296 + 16384, INT32_MAX, -1};
	unsigned char res[RES_MAX];
	struct raw r;

	(void)state;
	raw_open(&r);
	for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++) {
		unsigned char *m = req_new(2, 288, small[i], "test.alive");
		assert_rejected(&r, m, 288);
		free(m);
	}
	for (size_t i = 0; i < sizeof(large) / sizeof(large[0]); i++) {
		unsigned char *m = req_new(2, 288, large[i], "test.alive");
		ssize_t n = raw_call(&r, m, 288, res);
		assert_true(n >= 24);
		assert_int_equal(get32(res, 8), n);
		/* sizes beyond the channel or negative get the generic rejection */
		if (n == 24 && get32(res, 16) == CS_ERR_INVALID_PARAM)
			r.invalid++;
		free(m);
		/* a SET claiming more value bytes than it carries */
		m = req_new(0, 296, large[i], "test.malformed");
		put64(m, 280, (uint64_t)large[i] - 296);
		m[288] = CMAP_VALUETYPE_BINARY;
		n = raw_call(&r, m, 296, res);
		assert_int_equal(n, 24);
		if (get32(res, 16) == CS_ERR_INVALID_PARAM)
			r.invalid++;
		free(m);
		assert_still_serving();
	}
	assert_invalid_count(&r);
	cmap_delete(check_h, "test.malformed");
	qb_ipcc_disconnect(r.qb);
}

/* SET whose value_len disagrees with what was sent, or is too big. */
static void test_set_value_len(void **state)
{
	static const uint64_t lens[] = {100, 5, 16385, 1ull << 32, UINT64_MAX};
	unsigned char res[RES_MAX];
	struct raw r;

	(void)state;
	raw_open(&r);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		unsigned char *m = req_new(0, 296 + 4, 296 + 4, "test.malformed");
		put64(m, 280, lens[i]);
		m[288] = CMAP_VALUETYPE_BINARY;
		assert_int_equal(raw_call(&r, m, 296 + 4, res), 24);
		assert_int_equal(get32(res, 0), 0);
		assert_int_equal(get32(res, 16), CS_ERR_INVALID_PARAM);
		r.invalid++;
		free(m);
		assert_still_serving();
	}
	/* a consistent 16385-byte value is still too big; 16384 is accepted */
	for (size_t vlen = 16385; vlen >= 16384; vlen--) {
		unsigned char *m = req_new(0, 296 + vlen, (int32_t)(296 + vlen), "test.malformed");
		put64(m, 280, vlen);
		m[288] = CMAP_VALUETYPE_BINARY;
		assert_int_equal(raw_call(&r, m, 296 + vlen, res), 24);
		assert_int_equal(get32(res, 16), vlen == 16384 ? CS_OK : CS_ERR_INVALID_PARAM);
		if (vlen > 16384)
			r.invalid++;
		free(m);
	}
	assert_invalid_count(&r);
	assert_int_equal(cmap_delete(check_h, "test.malformed"), CS_OK);
	qb_ipcc_disconnect(r.qb);
}

/* Names without a NUL in their 256 bytes are never looked up or created. */
static void test_names_without_nul(void **state)
{
	static const struct {
		int32_t id;
		int32_t res_id;
		size_t res_len;
	} reqs[] = {{0, 0, 24}, {1, 1, 24}, {2, 2, 40}, {3, 3, 24}, {4, 4, 32}, {7, 7, 32}};
	unsigned char res[RES_MAX];
	struct raw r;

	(void)state;
	raw_open(&r);
	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		size_t len = req_size[reqs[i].id];
		unsigned char *m = req_new(reqs[i].id, len, (int32_t)len, NULL);
		m[16] = 255;
		memset(m + 24, 'k', 256);
		if (reqs[i].id == 0) {
			m[288] = CMAP_VALUETYPE_BINARY; /* value_len 0 */
		}
		if (reqs[i].id == 7)
			put32(m, 280, CMAP_TRACK_ADD | CMAP_TRACK_PREFIX);
		assert_int_equal(raw_call(&r, m, len, res), (ssize_t)reqs[i].res_len);
		assert_int_equal(get32(res, 0), reqs[i].res_id);
		assert_int_not_equal(get32(res, 16), CS_OK);
		if (reqs[i].id == 0) {
			assert_int_equal(get32(res, 16), CS_ERR_INVALID_PARAM);
			r.invalid++;
		}
		free(m);
		assert_still_serving();
	}
	assert_invalid_count(&r);
	qb_ipcc_disconnect(r.qb);
}

/* GET with a capacity far beyond the channel: the value, not the capacity. */
static void test_get_huge_value_len(void **state)
{
	static const uint64_t caps[] = {1u << 20, 1ull << 40, UINT64_MAX};
	unsigned char res[RES_MAX];
	struct raw r;

	(void)state;
	raw_open(&r);
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		unsigned char *m = req_new(2, 288, 288, "test.alive");
		put64(m, 280, caps[i]);
		assert_int_equal(raw_call(&r, m, 288, res), 40 + 4);
		assert_int_equal(get32(res, 0), 2);
		assert_int_equal(get32(res, 8), 44);
		assert_int_equal(get32(res, 16), CS_OK);
		assert_int_equal(get64(res, 24), 4);
		assert_int_equal(res[32], CMAP_VALUETYPE_STRING);
		assert_memory_equal(res + 40, "yes", 4);
		free(m);
		assert_still_serving();
	}
	assert_invalid_count(&r);
	qb_ipcc_disconnect(r.qb);
}

static void test_unknown_handles(void **state)
{
	static const uint64_t handles[] = {0, 1, 0xdeadbeef, UINT64_MAX};
	unsigned char res[RES_MAX];
	struct raw r;

	(void)state;
	raw_open(&r);
	for (size_t i = 0; i < sizeof(handles) / sizeof(handles[0]); i++) {
		unsigned char *m = req_new(5, 24, 24, NULL);
		put64(m, 16, handles[i]);
		assert_int_equal(raw_call(&r, m, 24, res), 304);
		assert_int_equal(get32(res, 0), 5);
		assert_int_equal(get32(res, 16), CS_ERR_BAD_HANDLE);
		put32(m, 0, 6);
		assert_int_equal(raw_call(&r, m, 24, res), 24);
		assert_int_equal(get32(res, 0), 6);
		assert_int_equal(get32(res, 16), CS_ERR_BAD_HANDLE);
		put32(m, 0, 8);
		assert_int_equal(raw_call(&r, m, 24, res), 32);
		assert_int_equal(get32(res, 0), 8);
		assert_int_equal(get32(res, 16), CS_ERR_BAD_HANDLE);
		assert_int_equal(get64(res, 24), 0);
		free(m);
		assert_still_serving();
	}
	assert_invalid_count(&r);
	qb_ipcc_disconnect(r.qb);
}

/* ---- clients that die -------------------------------------------------- */

static void dummy_notify(cmap_handle_t h, cmap_track_handle_t th, int32_t event, const char *key,
			 struct cmap_notify_value nv, struct cmap_notify_value ov, void *user_data)
{
	(void)h, (void)th, (void)event, (void)key, (void)nv, (void)ov, (void)user_data;
}

enum child_end { END_KILLED, END_EXIT };

/*
 * The child opens an iterator and a prefix tracker, reports ready on the
 * pipe, then iterates and changes tracked keys (never dispatching) until
 * it is killed, or exits without finalize.
 */
static void child_main(int ready_fd, enum child_end end)
{
	cmap_handle_t h;
	cmap_iter_handle_t it;
	cmap_track_handle_t th;
	char key[CMAP_KEYNAME_MAXLEN + 1];
	size_t len;
	cmap_value_types_t type;
	char ok = 1;

	if (cmap_initialize(&h) != CS_OK || cmap_iter_init(h, "test.", &it) != CS_OK ||
	    cmap_iter_next(h, it, key, &len, &type) != CS_OK ||
	    cmap_track_add(h, "test.child.",
			   CMAP_TRACK_ADD | CMAP_TRACK_MODIFY | CMAP_TRACK_DELETE |
				   CMAP_TRACK_PREFIX,
			   dummy_notify, NULL, &th) != CS_OK)
		_exit(3);
	if (write(ready_fd, &ok, 1) != 1)
		_exit(4);
	for (uint32_t i = 0;; i++) {
		if (cmap_iter_next(h, it, key, &len, &type) != CS_OK) {
			cmap_iter_finalize(h, it);
			if (cmap_iter_init(h, "test.", &it) != CS_OK)
				_exit(5);
		}
		cmap_set_uint32(h, "test.child.counter", i);
		if (end == END_EXIT && i == 50)
			_exit(0);
	}
}

static int count_keys(const char *prefix)
{
	cmap_iter_handle_t it;
	char key[CMAP_KEYNAME_MAXLEN + 1];
	size_t len;
	cmap_value_types_t type;
	int n = 0;

	assert_int_equal(cmap_iter_init(stats_h, prefix, &it), CS_OK);
	while (cmap_iter_next(stats_h, it, key, &len, &type) == CS_OK)
		n++;
	assert_int_equal(cmap_iter_finalize(stats_h, it), CS_OK);
	return n;
}

static void run_dying_child(enum child_end end)
{
	char prefix[64], ready = 0;
	int fds[2], status;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		child_main(fds[1], end);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &ready, 1), 1);
	close(fds[0]);
	snprintf(prefix, sizeof(prefix), "stats.ipcs.service0.%ld.", (long)pid);
	if (end == END_KILLED) {
		sleep_ms(100);
		assert_true(count_keys(prefix) > 0);
		assert_int_equal(kill(pid, SIGKILL), 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (end == END_KILLED)
		assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	else
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	for (int waited = 0; waited < WAIT_MS && count_keys(prefix) > 0; waited += 50)
		sleep_ms(50);
	assert_int_equal(count_keys(prefix), 0);
	assert_still_serving();
	assert_int_equal(cmap_set_uint32(check_h, "test.child.counter", 1), CS_OK);
	assert_int_equal(cmap_delete(check_h, "test.child.counter"), CS_OK);
}

static void test_child_killed(void **state)
{
	(void)state;
	for (int i = 0; i < 3; i++)
		run_dying_child(END_KILLED);
}

static void test_child_exits_without_finalize(void **state)
{
	(void)state;
	run_dying_child(END_EXIT);
}

/* ---- uid/gid authorization (spec 1.3) ------------------------------- */

/* cmap_initialize as uid/gid 65534 in a child; its result code. */
static cs_error_t connect_as_nobody(void)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		cmap_handle_t h;
		cs_error_t err;
		if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
			_exit(100);
		err = cmap_initialize(&h);
		if (err == CS_OK)
			cmap_finalize(h);
		_exit(err);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_not_equal(WEXITSTATUS(status), 100);
	return (cs_error_t)WEXITSTATUS(status);
}

static void test_uidgid(void **state)
{
	(void)state;
	assert_int_equal(connect_as_nobody(), CS_ERR_ACCESS);
	assert_int_equal(cmap_set_uint8(check_h, "uidgid.uid.65534", 1), CS_OK);
	assert_int_equal(connect_as_nobody(), CS_OK);
	assert_int_equal(cmap_set_uint32(check_h, "uidgid.uid.65534", 1), CS_OK);
	assert_int_equal(connect_as_nobody(), CS_ERR_ACCESS);
	assert_int_equal(cmap_set_uint8(check_h, "uidgid.uid.65534", 0), CS_OK);
	assert_int_equal(connect_as_nobody(), CS_ERR_ACCESS);
	assert_int_equal(cmap_delete(check_h, "uidgid.uid.65534"), CS_OK);
	assert_int_equal(connect_as_nobody(), CS_ERR_ACCESS);
	assert_still_serving();
}

static int setup(void **state)
{
	(void)state;
	if (cmap_initialize_map(&stats_h, CMAP_MAP_STATS) != CS_OK ||
	    cmap_initialize(&check_h) != CS_OK ||
	    cmap_set_string(check_h, "test.alive", "yes") != CS_OK)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cmap_delete(check_h, "test.alive");
	cmap_finalize(check_h);
	cmap_finalize(stats_h);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_ids),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_size_mismatch),
		cmocka_unit_test(test_set_value_len),
		cmocka_unit_test(test_names_without_nul),
		cmocka_unit_test(test_get_huge_value_len),
		cmocka_unit_test(test_unknown_handles),
		cmocka_unit_test(test_child_killed),
		cmocka_unit_test(test_child_exits_without_finalize),
		cmocka_unit_test(test_uidgid),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
