/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_ipc_hostile.c - requests whose header lies about their size, on
 * every IPC service of a real daemon, through raw libqb clients.
 *
 * libqb hands the daemon the size a request header claims, not the bytes
 * the client committed.  Each case here once crashed the daemon or made
 * it act on bytes that were never sent:
 *   - a short request, then a 16-byte one claiming 256 MiB (memcpy past
 *     the ring), or claiming a negative size;
 *   - a claim under 1 MiB on a connection that asked for the smallest
 *     buffer, after a neighbouring connection closed;
 *   - a cfg KILLNODE of 16 bytes claiming 288, after the ring wrapped
 *     over bytes holding the local node id (the daemon shut itself down);
 *   - a 296-byte cmap SET claiming 16 KiB (16 KiB of stale ring bytes
 *     stored as the value).
 * Each must get corosync's generic rejection {id 0, size 24,
 * CS_ERR_INVALID_PARAM}, change nothing, and leave the daemon serving.
 * The exception is cpg MCAST, which is never answered: a malformed one
 * (a lying size, a msglen that does not match) is dropped, and the next
 * request's answer is the first to arrive.  cpg zero-copy requests
 * naming a symlink, a file in another directory, another user's file or
 * a size out of bounds are refused and the file is left as it was.  A
 * cpg group does not grow past 128 members (JOIN answers NO_RESOURCES).
 * Messages are built from the byte offsets of the shared spec
 * ipc-wire.md; run by netns-run.sh inside the daemon's namespace.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <corosync/cfg.h>
#include <corosync/cmap.h>
#include <qb/qbipcc.h>
#include <sys/stat.h>
#include <unistd.h>

#define WAIT_MS 5000
#define RES_MAX (1024 * 1024)
#define BUFFER_SIZE (8192 * 128)

static const char *const services[] = {"cmap", "cfg", "quorum", "votequorum", "cmm", "cpg"};

static void put32(unsigned char *m, size_t off, int32_t v)
{
	memcpy(m + off, &v, 4);
}

static int32_t get32(const unsigned char *m, size_t off)
{
	int32_t v;

	memcpy(&v, m + off, 4);
	return v;
}

/* Send len bytes of m; return the one response's error code. */
static int32_t exchange(qb_ipcc_connection_t *qb, const unsigned char *m, size_t len)
{
	static unsigned char res[RES_MAX];
	ssize_t n;

	assert_int_equal(qb_ipcc_send(qb, m, len), (ssize_t)len);
	n = qb_ipcc_recv(qb, res, sizeof(res), WAIT_MS);
	assert_true(n >= 24);
	assert_int_equal(get32(res, 8), (int32_t)n);
	return get32(res, 16);
}

/* A request of len bytes whose header claims `claim` bytes. */
static int32_t send_claiming(qb_ipcc_connection_t *qb, int32_t id, size_t len, int32_t claim)
{
	unsigned char *m = calloc(1, len);
	int32_t err;

	assert_non_null(m);
	put32(m, 0, id);
	put32(m, 8, claim);
	err = exchange(qb, m, len);
	free(m);
	return err;
}

/* The generic rejection: a bare header, id 0, CS_ERR_INVALID_PARAM. */
static void expect_rejected(qb_ipcc_connection_t *qb, int32_t id, size_t len, int32_t claim)
{
	static unsigned char res[RES_MAX];
	unsigned char *m = calloc(1, len);
	ssize_t n;

	assert_non_null(m);
	put32(m, 0, id);
	put32(m, 8, claim);
	assert_int_equal(qb_ipcc_send(qb, m, len), (ssize_t)len);
	n = qb_ipcc_recv(qb, res, sizeof(res), WAIT_MS);
	free(m);
	assert_int_equal(n, 24);
	assert_int_equal(get32(res, 0), 0);
	assert_int_equal(get32(res, 8), 24);
	assert_int_equal(get32(res, 16), CS_ERR_INVALID_PARAM);
}

static void still_serving(void)
{
	cmap_handle_t h;
	uint64_t v = 0;

	assert_int_equal(cmap_initialize(&h), CS_OK);
	assert_int_equal(cmap_set_uint64(h, "hostile.alive", 42), CS_OK);
	assert_int_equal(cmap_get_uint64(h, "hostile.alive", &v), CS_OK);
	assert_int_equal(v, 42);
	cmap_finalize(h);
}

static void test_lying_sizes_every_service(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++) {
		qb_ipcc_connection_t *qb = qb_ipcc_connect(services[i], BUFFER_SIZE);

		assert_non_null(qb);
		/* {id 0, size 20} plus 4 bytes: whatever it is, one answer. */
		(void)send_claiming(qb, 0, 20, 20);
		expect_rejected(qb, 0, 16, 256 * 1024 * 1024);
		expect_rejected(qb, 0, 16, -1);
		expect_rejected(qb, 0, 16, INT32_MIN);
		expect_rejected(qb, 0, 16, 900 * 1024);
		expect_rejected(qb, 0, 16, BUFFER_SIZE + 1);
		/* a claim below the bytes sent is a lie too */
		expect_rejected(qb, 0, 64, 32);
		qb_ipcc_disconnect(qb);
		still_serving();
	}
}

static void test_smallest_buffer_after_neighbour_closed(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++) {
		qb_ipcc_connection_t *neighbour = qb_ipcc_connect(services[i], BUFFER_SIZE);
		qb_ipcc_connection_t *qb;

		assert_non_null(neighbour);
		qb = qb_ipcc_connect(services[i], 1);
		assert_non_null(qb);
		qb_ipcc_disconnect(neighbour);
		expect_rejected(qb, 0, 16, 1000 * 1000);
		expect_rejected(qb, 0, 16, BUFFER_SIZE);
		qb_ipcc_disconnect(qb);
		still_serving();
	}
}

/*
 * Fill the cfg request ring with the local node id, wrapping it, then
 * send a KILLNODE of 16 bytes claiming its full 288: the node id field
 * would be read from those stale bytes.
 */
static void test_truncated_killnode(void **state)
{
	corosync_cfg_handle_t cfg;
	unsigned int nodeid = 0;
	qb_ipcc_connection_t *qb;
	unsigned char *fill;
	const size_t fill_len = 60000;

	(void)state;
	assert_int_equal(corosync_cfg_initialize(&cfg, NULL), CS_OK);
	assert_int_equal(corosync_cfg_local_get(cfg, &nodeid), CS_OK);
	corosync_cfg_finalize(cfg);
	qb = qb_ipcc_connect("cfg", BUFFER_SIZE);
	assert_non_null(qb);
	fill = malloc(fill_len);
	assert_non_null(fill);
	for (size_t off = 0; off + 4 <= fill_len; off += 4)
		put32(fill, off, (int32_t)nodeid);
	put32(fill, 0, 1000); /* an unknown request id: rejected, but written */
	put32(fill, 8, (int32_t)fill_len);
	for (int i = 0; i < 40; i++)
		assert_int_equal(exchange(qb, fill, fill_len), CS_ERR_INVALID_PARAM);
	free(fill);
	/*
	 * Chunks of 24 bytes walk every 8th offset of a page; one of 28
	 * bytes shifts the walk by 4: the data lands at every page offset,
	 * including the two whose chunk header is in the previous page.
	 */
	for (int i = 0; i < 600; i++)
		expect_rejected(qb, 2 /* KILLNODE */, 16, 288);
	expect_rejected(qb, 1000, 20, 20);
	for (int i = 0; i < 600; i++)
		expect_rejected(qb, 2 /* KILLNODE */, 16, 288);
	qb_ipcc_disconnect(qb);
	still_serving();
}

/* A SET of 296 bytes (empty value) whose header and value_len claim 16 KiB more. */
static void test_oversized_set(void **state)
{
	const size_t value_len = 16 * 1024;
	const char *key = "hostile.set";
	qb_ipcc_connection_t *qb;
	unsigned char m[296];
	cmap_handle_t h;
	size_t len = 0;
	cmap_value_types_t type;

	(void)state;
	qb = qb_ipcc_connect("cmap", BUFFER_SIZE);
	assert_non_null(qb);
	memset(m, 0, sizeof(m));
	put32(m, 0, 0 /* SET */);
	put32(m, 8, (int32_t)(sizeof(m) + value_len));
	m[16] = (unsigned char)strlen(key);
	memcpy(m + 24, key, strlen(key));
	memcpy(m + 280, &(uint64_t){value_len}, 8);
	put32(m, 288, CMAP_VALUETYPE_BINARY);
	assert_int_equal(qb_ipcc_send(qb, m, sizeof(m)), (ssize_t)sizeof(m));
	{
		unsigned char res[64];
		ssize_t n = qb_ipcc_recv(qb, res, sizeof(res), WAIT_MS);
		assert_int_equal(n, 24);
		assert_int_equal(get32(res, 0), 0);
		assert_int_equal(get32(res, 16), CS_ERR_INVALID_PARAM);
	}
	qb_ipcc_disconnect(qb);
	assert_int_equal(cmap_initialize(&h), CS_OK);
	assert_int_equal(cmap_get(h, key, NULL, &len, &type), CS_ERR_NOT_EXIST);
	cmap_finalize(h);
	still_serving();
}

/* Malformed cpg MCASTs: no answer; the LOCAL_GET after them answers first. */
static void test_cpg_bad_mcast_unanswered(void **state)
{
	static unsigned char res[RES_MAX];
	const int32_t claims[] = {256 * 1024 * 1024, -1, 32, 80, 41};
	qb_ipcc_connection_t *qb = qb_ipcc_connect("cpg", BUFFER_SIZE);
	unsigned char m[64];
	ssize_t n;

	(void)state;
	assert_non_null(qb);
	for (size_t i = 0; i < sizeof(claims) / sizeof(claims[0]); i++) {
		memset(m, 0, sizeof(m));
		put32(m, 0, 2 /* MCAST */);
		put32(m, 8, claims[i]);
		put32(m, 32, 100); /* msglen, not what was sent */
		assert_int_equal(qb_ipcc_send(qb, m, i == 4 ? 41 : sizeof(m)),
				 i == 4 ? 41 : (ssize_t)sizeof(m));
	}
	memset(m, 0, 16);
	put32(m, 0, 4 /* LOCAL_GET */);
	put32(m, 8, 16);
	assert_int_equal(qb_ipcc_send(qb, m, 16), 16);
	n = qb_ipcc_recv(qb, res, sizeof(res), WAIT_MS);
	assert_int_equal(n, 32);
	assert_int_equal(get32(res, 0), 7);
	assert_int_equal(get32(res, 16), CS_OK);
	assert_true(qb_ipcc_recv(qb, res, sizeof(res), 0) < 0);
	qb_ipcc_disconnect(qb);
	still_serving();
}

/* A file of size bytes at path (a mkstemp template when it ends in XXXXXX), owned by uid. */
static void make_file(char *path, size_t size, uid_t uid)
{
	size_t len = strlen(path);
	bool template = len >= 6 && strcmp(path + len - 6, "XXXXXX") == 0;
	int fd = template ? mkstemp(path) : open(path, O_RDWR | O_CREAT | O_EXCL, 0600);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	assert_int_equal(fchown(fd, uid, 0), 0);
	close(fd);
}

/* ZC_ALLOC {map_size, path}: the error of its {id 0, size 24} answer. */
static int32_t zc_alloc(qb_ipcc_connection_t *qb, const char *path, uint64_t map_size)
{
	unsigned char m[152];

	memset(m, 0, sizeof(m));
	put32(m, 0, 9);
	put32(m, 8, sizeof(m));
	memcpy(m + 16, &map_size, 8);
	strncpy((char *)m + 24, path, 127);
	return exchange(qb, m, sizeof(m));
}

static int32_t zc_execute(qb_ipcc_connection_t *qb, uint64_t token)
{
	unsigned char m[24];

	memset(m, 0, sizeof(m));
	put32(m, 0, 11);
	put32(m, 8, sizeof(m));
	memcpy(m + 16, &token, 8);
	return exchange(qb, m, sizeof(m));
}

/* Refused, and the file (or link) still there with its size and owner. */
static void expect_zc_refused(qb_ipcc_connection_t *qb, const char *path, uint64_t map_size,
			      int32_t err)
{
	struct stat before, after;

	assert_int_equal(lstat(path, &before), 0);
	assert_int_equal(zc_alloc(qb, path, map_size), err);
	assert_int_equal(lstat(path, &after), 0);
	assert_int_equal(after.st_ino, before.st_ino);
	assert_int_equal(after.st_size, before.st_size);
	assert_int_equal(after.st_uid, before.st_uid);
	assert_int_equal(unlink(path), 0);
}

static void test_cpg_zerocopy_refused(void **state)
{
	const size_t map = 56 + 100, big = 1024 * 1024 + 57;
	char own[] = "/dev/shm/corosync_zerocopy-XXXXXX";
	char other[] = "/dev/shm/corosync_zerocopy-XXXXXX";
	char tmp[] = "/tmp/corosync_zerocopy-XXXXXX";
	char large[] = "/dev/shm/corosync_zerocopy-XXXXXX";
	char target[] = "/dev/shm/synod-zc-target-XXXXXX";
	char link_path[64];
	char dotted_file[] = "/dev/shm/corosync_zerocopy-XXXXXX";
	char dotted[128];
	qb_ipcc_connection_t *qb = qb_ipcc_connect("cpg", BUFFER_SIZE);
	uint64_t token = 0;
	int fd;

	(void)state;
	assert_non_null(qb);
	make_file(target, map, 0);
	/* names of this process only: runs of the suite may overlap */
	snprintf(link_path, sizeof(link_path), "/dev/shm/corosync_zerocopy-L%05ld",
		 (long)getpid() % 100000);
	(void)unlink(link_path);
	assert_int_equal(symlink(target, link_path), 0);
	expect_zc_refused(qb, link_path, map, CS_ERR_INVALID_PARAM);
	make_file(tmp, map, 0);
	expect_zc_refused(qb, tmp, map, CS_ERR_INVALID_PARAM);
	make_file(dotted_file, map, 0);
	/* the same file, named through a ".." component */
	snprintf(dotted, sizeof(dotted), "/dev/shm/../shm/%s", dotted_file + 9);
	expect_zc_refused(qb, dotted, map, CS_ERR_INVALID_PARAM);
	make_file(other, map, 65534);
	expect_zc_refused(qb, other, map, CS_ERR_ACCESS);
	make_file(large, big, 0);
	expect_zc_refused(qb, large, big, CS_ERR_TOO_BIG);
	make_file(own, map, 0);
	expect_zc_refused(qb, own, 55, CS_ERR_INVALID_PARAM);
	expect_zc_refused(qb, target, map, CS_ERR_INVALID_PARAM); /* not the name */

	/* a good one is taken (unlinked, token written); EXECUTE checks its msglen */
	make_file(own, map, 0);
	fd = open(own, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(zc_alloc(qb, own, map), CS_OK);
	assert_int_equal(access(own, F_OK), -1);
	assert_int_equal(pread(fd, &token, 8, 8), 8);
	assert_true(token != 0);
	assert_int_equal(zc_execute(qb, token + 1), CS_ERR_INVALID_PARAM);
	assert_int_equal(zc_execute(qb, token), CS_ERR_NOT_EXIST); /* not joined */
	assert_int_equal(pwrite(fd, &(uint32_t){101}, 4, 48), 4);  /* msglen > map - 56 */
	assert_int_equal(zc_execute(qb, token), CS_ERR_INVALID_PARAM);
	assert_int_equal(pwrite(fd, &(uint32_t){100}, 4, 48), 4);
	assert_int_equal(ftruncate(fd, 0), 0); /* the daemon must not fault */
	assert_int_equal(zc_execute(qb, token), CS_ERR_INVALID_PARAM);
	close(fd);
	qb_ipcc_disconnect(qb); /* frees the buffer */
	still_serving();
}

/* JOIN {name, pid} on a raw connection: its error. */
static int32_t cpg_join_raw(qb_ipcc_connection_t *qb, const char *group, uint32_t pid)
{
	unsigned char m[168];

	memset(m, 0, sizeof(m));
	put32(m, 0, 0);
	put32(m, 8, sizeof(m));
	put32(m, 16, (int32_t)strlen(group));
	memcpy(m + 24, group, strlen(group));
	put32(m, 152, (int32_t)pid);
	return exchange(qb, m, sizeof(m));
}

/* A group never grows past the 128 members a CONFCHG can carry. */
static void test_cpg_group_limit(void **state)
{
	enum { N = 128 };
	qb_ipcc_connection_t *qb[N + 1];

	(void)state;
	for (int i = 0; i <= N; i++) {
		qb[i] = qb_ipcc_connect("cpg", BUFFER_SIZE);
		assert_non_null(qb[i]);
		assert_int_equal(cpg_join_raw(qb[i], "limit", 100000 + (uint32_t)i),
				 i < N ? CS_OK : CS_ERR_NO_RESOURCES);
	}
	assert_int_equal(cpg_join_raw(qb[N], "other", 100000 + N), CS_OK);
	for (int i = 0; i <= N; i++)
		qb_ipcc_disconnect(qb[i]);
	still_serving();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lying_sizes_every_service),
		cmocka_unit_test(test_smallest_buffer_after_neighbour_closed),
		cmocka_unit_test(test_truncated_killnode),
		cmocka_unit_test(test_oversized_set),
		cmocka_unit_test(test_cpg_bad_mcast_unanswered),
		cmocka_unit_test(test_cpg_zerocopy_refused),
		cmocka_unit_test(test_cpg_group_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
