/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_cmap_api.c - every libcmap function against a real daemon, through
 * real libqb IPC: success and each error path, every value type, all
 * dispatch modes, all track types, the stats map.  Run by netns-run.sh
 * inside the daemon's network namespace.
 */
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <corosync/cmap.h>

struct event {
	cmap_track_handle_t track;
	int32_t type;
	char key[CMAP_KEYNAME_MAXLEN + 1];
	struct cmap_notify_value nv, ov;
	unsigned char ndata[64], odata[64];
	void *user_data;
};

struct recorder {
	struct event ev[64];
	int n;
};

static void record(cmap_handle_t h, cmap_track_handle_t th, int32_t event, const char *key,
		   struct cmap_notify_value nv, struct cmap_notify_value ov, void *user_data)
{
	struct recorder *r = user_data;
	struct event *e;

	(void)h;
	if (r->n >= 64)
		return;
	e = &r->ev[r->n++];
	e->track = th;
	e->type = event;
	snprintf(e->key, sizeof(e->key), "%s", key);
	e->nv = nv;
	e->ov = ov;
	if (nv.len)
		memcpy(e->ndata, nv.data, nv.len < 64 ? nv.len : 64);
	if (ov.len)
		memcpy(e->odata, ov.data, ov.len < 64 ? ov.len : 64);
	e->user_data = user_data;
}

static cmap_handle_t connect_default(void)
{
	cmap_handle_t h;

	assert_int_equal(cmap_initialize(&h), CS_OK);
	return h;
}

static void test_initialize_finalize(void **state)
{
	(void)state;
	cmap_handle_t h;

	assert_int_equal(cmap_initialize(NULL), CS_ERR_INVALID_PARAM);
	assert_int_equal(cmap_initialize(&h), CS_OK);
	assert_int_equal(cmap_finalize(h), CS_OK);
	assert_int_equal(cmap_finalize(h), CS_ERR_BAD_HANDLE);
	assert_int_equal(cmap_set_uint8(h, "test.x", 1), CS_ERR_BAD_HANDLE);
	assert_int_equal(cmap_initialize_map(&h, CMAP_MAP_STATS), CS_OK);
	assert_int_equal(cmap_finalize(h), CS_OK);
	assert_int_equal(cmap_initialize_map(&h, (cmap_map_t)7), CS_ERR_NOT_EXIST);
	assert_int_equal(cmap_finalize(h), CS_OK);
}

static void test_every_type(void **state)
{
	(void)state;
	cmap_handle_t h = connect_default();
	int8_t i8;
	uint8_t u8;
	int16_t i16;
	uint16_t u16;
	int32_t i32;
	uint32_t u32;
	int64_t i64;
	uint64_t u64;
	float f;
	double d;
	char *s;

	assert_int_equal(cmap_set_int8(h, "test.i8", -5), CS_OK);
	assert_int_equal(cmap_get_int8(h, "test.i8", &i8), CS_OK);
	assert_int_equal(i8, -5);
	assert_int_equal(cmap_set_uint8(h, "test.u8", 250), CS_OK);
	assert_int_equal(cmap_get_uint8(h, "test.u8", &u8), CS_OK);
	assert_int_equal(u8, 250);
	assert_int_equal(cmap_set_int16(h, "test.i16", -300), CS_OK);
	assert_int_equal(cmap_get_int16(h, "test.i16", &i16), CS_OK);
	assert_int_equal(i16, -300);
	assert_int_equal(cmap_set_uint16(h, "test.u16", 65000), CS_OK);
	assert_int_equal(cmap_get_uint16(h, "test.u16", &u16), CS_OK);
	assert_int_equal(u16, 65000);
	assert_int_equal(cmap_set_int32(h, "test.i32", -70000), CS_OK);
	assert_int_equal(cmap_get_int32(h, "test.i32", &i32), CS_OK);
	assert_int_equal(i32, -70000);
	assert_int_equal(cmap_set_uint32(h, "test.u32", 4000000000u), CS_OK);
	assert_int_equal(cmap_get_uint32(h, "test.u32", &u32), CS_OK);
	assert_int_equal(u32, 4000000000u);
	assert_int_equal(cmap_set_int64(h, "test.i64", -(1LL << 40)), CS_OK);
	assert_int_equal(cmap_get_int64(h, "test.i64", &i64), CS_OK);
	assert_true(i64 == -(1LL << 40));
	assert_int_equal(cmap_set_uint64(h, "test.u64", UINT64_MAX), CS_OK);
	assert_int_equal(cmap_get_uint64(h, "test.u64", &u64), CS_OK);
	assert_true(u64 == UINT64_MAX);
	assert_int_equal(cmap_set_float(h, "test.flt", 1.5f), CS_OK);
	assert_int_equal(cmap_get_float(h, "test.flt", &f), CS_OK);
	assert_true(f == 1.5f);
	assert_int_equal(cmap_set_double(h, "test.dbl", 2.25), CS_OK);
	assert_int_equal(cmap_get_double(h, "test.dbl", &d), CS_OK);
	assert_true(d == 2.25);
	assert_int_equal(cmap_set_string(h, "test.str", "hello"), CS_OK);
	assert_int_equal(cmap_get_string(h, "test.str", &s), CS_OK);
	assert_string_equal(s, "hello");
	free(s);
	assert_int_equal(cmap_set(h, "test.bin", "\0\1\2\3", 4, CMAP_VALUETYPE_BINARY), CS_OK);
	unsigned char buf[16];
	size_t len = sizeof(buf);
	cmap_value_types_t type;
	assert_int_equal(cmap_get(h, "test.bin", buf, &len, &type), CS_OK);
	assert_int_equal(len, 4);
	assert_int_equal(type, CMAP_VALUETYPE_BINARY);
	assert_memory_equal(buf, "\0\1\2\3", 4);
	/* type mismatch is caught by the typed getters */
	assert_int_equal(cmap_get_uint32(h, "test.u8", &u32), CS_ERR_INVALID_PARAM);
	assert_int_equal(cmap_get_string(h, "test.u8", &s), CS_ERR_INVALID_PARAM);
	/* a set may change the type */
	assert_int_equal(cmap_set_uint32(h, "test.str", 7), CS_OK);
	assert_int_equal(cmap_get_uint32(h, "test.str", &u32), CS_OK);
	assert_int_equal(u32, 7);
	assert_int_equal(cmap_finalize(h), CS_OK);
}

static void test_errors(void **state)
{
	(void)state;
	cmap_handle_t h = connect_default();
	char long_key[300];
	uint8_t u8;
	size_t len;
	unsigned char buf[4];

	memset(long_key, 'a', sizeof(long_key) - 1);
	long_key[sizeof(long_key) - 1] = '\0';
	assert_int_equal(cmap_set_uint8(h, long_key, 1), CS_ERR_NAME_TOO_LONG);
	assert_int_equal(cmap_set_uint8(h, NULL, 1), CS_ERR_INVALID_PARAM);
	assert_int_equal(cmap_set(h, "test.k", NULL, 0, CMAP_VALUETYPE_BINARY),
			 CS_ERR_INVALID_PARAM);
	assert_int_equal(cmap_set_string(h, "test.k", NULL), CS_ERR_INVALID_PARAM);
	assert_int_equal(cmap_set_uint8(h, "ab", 1), CS_ERR_NAME_TOO_LONG);
	assert_int_equal(cmap_set_uint8(h, "bad key", 1), CS_ERR_NAME_TOO_LONG);
	assert_int_equal(cmap_set(h, "test.k", "abc", 3, CMAP_VALUETYPE_UINT32),
			 CS_ERR_INVALID_PARAM);
	assert_int_equal(cmap_get_uint8(h, "test.absent", &u8), CS_ERR_NOT_EXIST);
	assert_int_equal(cmap_get(h, NULL, NULL, NULL, NULL), CS_ERR_INVALID_PARAM);
	assert_int_equal(cmap_get(h, "test.k", buf, NULL, NULL), CS_ERR_INVALID_PARAM);
	assert_int_equal(cmap_set_string(h, "test.longstr", "0123456789"), CS_OK);
	len = sizeof(buf);
	assert_int_equal(cmap_get(h, "test.longstr", buf, &len, NULL), CS_ERR_INVALID_PARAM);
	len = 0;
	assert_int_equal(cmap_get(h, "test.longstr", NULL, &len, NULL), CS_OK);
	assert_int_equal(len, 11);
	assert_int_equal(cmap_delete(h, "test.absent"), CS_ERR_NOT_EXIST);
	assert_int_equal(cmap_delete(h, NULL), CS_ERR_INVALID_PARAM);
	assert_int_equal(cmap_delete(h, long_key), CS_ERR_NAME_TOO_LONG);
	/* read-only keys */
	assert_int_equal(cmap_set_uint8(h, "runtime.config.x", 1), CS_ERR_ACCESS);
	assert_int_equal(cmap_set_string(h, "totem.cluster_name", "x"), CS_ERR_ACCESS);
	assert_int_equal(cmap_delete(h, "totem.version"), CS_ERR_ACCESS);
	assert_int_equal(cmap_inc(h, "nodelist.local_node_pos"), CS_ERR_ACCESS);
	assert_int_equal(cmap_set_uint8(h, "quorum.wait_for_all", 1), CS_ERR_ACCESS);
	assert_int_equal(cmap_finalize(h), CS_OK);
}

static void test_inc_dec(void **state)
{
	(void)state;
	cmap_handle_t h = connect_default();
	uint8_t u8;
	int16_t i16;

	assert_int_equal(cmap_set_uint8(h, "test.cnt", 255), CS_OK);
	assert_int_equal(cmap_inc(h, "test.cnt"), CS_OK);
	assert_int_equal(cmap_get_uint8(h, "test.cnt", &u8), CS_OK);
	assert_int_equal(u8, 0);
	assert_int_equal(cmap_dec(h, "test.cnt"), CS_OK);
	assert_int_equal(cmap_get_uint8(h, "test.cnt", &u8), CS_OK);
	assert_int_equal(u8, 255);
	assert_int_equal(cmap_set_int16(h, "test.cnt16", -32768), CS_OK);
	assert_int_equal(cmap_dec(h, "test.cnt16"), CS_OK);
	assert_int_equal(cmap_get_int16(h, "test.cnt16", &i16), CS_OK);
	assert_int_equal(i16, 32767);
	assert_int_equal(cmap_set_string(h, "test.cstr", "x"), CS_OK);
	assert_int_equal(cmap_inc(h, "test.cstr"), CS_ERR_INVALID_PARAM);
	assert_int_equal(cmap_set_double(h, "test.cdbl", 1.0), CS_OK);
	assert_int_equal(cmap_dec(h, "test.cdbl"), CS_ERR_INVALID_PARAM);
	assert_int_equal(cmap_inc(h, "test.cabsent"), CS_ERR_NOT_EXIST);
	assert_int_equal(cmap_inc(h, NULL), CS_ERR_INVALID_PARAM);
	assert_int_equal(cmap_dec(h, NULL), CS_ERR_INVALID_PARAM);
	assert_int_equal(cmap_finalize(h), CS_OK);
}

static void test_iteration(void **state)
{
	(void)state;
	cmap_handle_t h = connect_default();
	cmap_iter_handle_t it;
	char key[CMAP_KEYNAME_MAXLEN + 1];
	size_t len;
	cmap_value_types_t type;
	const char *expect[] = {"itest.a", "itest.b", "itest.big", "itest.c"};

	for (size_t i = 0; i < 4; i++)
		assert_int_equal(cmap_set_uint32(h, expect[3 - i], (uint32_t)i), CS_OK);
	assert_int_equal(cmap_iter_init(h, "itest.", NULL), CS_ERR_INVALID_PARAM);
	assert_int_equal(cmap_iter_init(h, "itest.", &it), CS_OK);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(cmap_iter_next(h, it, key, &len, &type), CS_OK);
		assert_string_equal(key, expect[i]);
		assert_int_equal(len, 4);
		assert_int_equal(type, CMAP_VALUETYPE_UINT32);
		/* deleting while iterating is safe (cmapctl -D does this) */
		assert_int_equal(cmap_delete(h, key), CS_OK);
	}
	assert_int_equal(cmap_iter_next(h, it, key, &len, &type), CS_ERR_NO_SECTIONS);
	assert_int_equal(cmap_iter_next(h, it, key, &len, &type), CS_ERR_NO_SECTIONS);
	assert_int_equal(cmap_iter_next(h, it, NULL, &len, &type), CS_ERR_INVALID_PARAM);
	assert_int_equal(cmap_iter_finalize(h, it), CS_OK);
	assert_int_equal(cmap_iter_finalize(h, it), CS_ERR_BAD_HANDLE);
	assert_int_equal(cmap_iter_next(h, it, key, &len, &type), CS_ERR_BAD_HANDLE);
	/* whole map: sorted */
	assert_int_equal(cmap_iter_init(h, NULL, &it), CS_OK);
	char prev[CMAP_KEYNAME_MAXLEN + 1] = "";
	int n = 0;
	while (cmap_iter_next(h, it, key, &len, &type) == CS_OK) {
		assert_true(strcmp(prev, key) < 0);
		strcpy(prev, key);
		n++;
	}
	assert_true(n > 5);
	assert_int_equal(cmap_iter_finalize(h, it), CS_OK);
	char long_key[300];
	memset(long_key, 'a', sizeof(long_key) - 1);
	long_key[sizeof(long_key) - 1] = '\0';
	assert_int_equal(cmap_iter_init(h, long_key, &it), CS_ERR_NAME_TOO_LONG);
	assert_int_equal(cmap_finalize(h), CS_OK);
}

static void test_tracking(void **state)
{
	(void)state;
	cmap_handle_t h = connect_default();
	struct recorder exact = {0}, prefix = {0};
	cmap_track_handle_t th_exact, th_prefix, th_twice;
	uint32_t u32 = 0;

	assert_int_equal(cmap_track_add(h, "ttest.key",
					CMAP_TRACK_ADD | CMAP_TRACK_MODIFY | CMAP_TRACK_DELETE,
					record, &exact, &th_exact),
			 CS_OK);
	assert_int_equal(cmap_track_add(h, "ttest.",
					CMAP_TRACK_ADD | CMAP_TRACK_DELETE | CMAP_TRACK_PREFIX,
					record, &prefix, &th_prefix),
			 CS_OK);
	/* one key tracked twice by the same connection */
	assert_int_equal(
		cmap_track_add(h, "ttest.key", CMAP_TRACK_MODIFY, record, &exact, &th_twice),
		CS_OK);
	assert_int_equal(cmap_track_add(h, "x.y", 0x10, record, NULL, &th_twice + 0),
			 CS_ERR_INVALID_PARAM);
	assert_int_equal(cmap_track_add(h, "x.y", 1, NULL, NULL, &th_twice), CS_ERR_INVALID_PARAM);
	assert_int_equal(cmap_track_add(h, "x.y", 1, record, NULL, NULL), CS_ERR_INVALID_PARAM);
	/* nothing pending: non-blocking dispatch says try again */
	assert_int_equal(cmap_dispatch(h, CS_DISPATCH_ONE_NONBLOCKING), CS_ERR_TRY_AGAIN);
	assert_int_equal(cmap_dispatch(h, CS_DISPATCH_ALL), CS_OK);

	assert_int_equal(cmap_set_string(h, "ttest.key", "hello"), CS_OK);
	assert_int_equal(cmap_set_uint32(h, "ttest.key", 7), CS_OK);
	assert_int_equal(cmap_set_uint32(h, "ttest.key", 7), CS_OK); /* no change, no event */
	assert_int_equal(cmap_set_uint8(h, "ttest.other", 1), CS_OK);
	assert_int_equal(cmap_delete(h, "ttest.key"), CS_OK);

	/* the fd polls readable when events are pending */
	int fd;
	struct pollfd pfd;
	assert_int_equal(cmap_fd_get(h, &fd), CS_OK);
	assert_int_equal(cmap_fd_get(h, NULL), CS_ERR_INVALID_PARAM);
	pfd.fd = fd;
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 5000), 1);

	/* ONE dispatches exactly one event */
	assert_int_equal(cmap_dispatch(h, CS_DISPATCH_ONE), CS_OK);
	assert_int_equal(exact.n + prefix.n, 1);
	assert_int_equal(cmap_dispatch(h, CS_DISPATCH_ALL), CS_OK);

	/* exact: ADD, MODIFY (x2: tracked twice), DELETE */
	assert_int_equal(exact.n, 4);
	assert_int_equal(exact.ev[0].type, CMAP_TRACK_ADD);
	assert_true(exact.ev[0].track == th_exact);
	assert_int_equal(exact.ev[0].nv.type, CMAP_VALUETYPE_STRING);
	assert_int_equal(exact.ev[0].nv.len, 6);
	assert_string_equal((char *)exact.ev[0].ndata, "hello");
	assert_int_equal(exact.ev[0].ov.type, 0);
	assert_int_equal(exact.ev[0].ov.len, 0);
	assert_int_equal(exact.ev[1].type, CMAP_TRACK_MODIFY);
	assert_int_equal(exact.ev[1].nv.type, CMAP_VALUETYPE_UINT32);
	memcpy(&u32, exact.ev[1].ndata, 4);
	assert_int_equal(u32, 7);
	assert_int_equal(exact.ev[1].ov.type, CMAP_VALUETYPE_STRING);
	assert_string_equal((char *)exact.ev[1].odata, "hello");
	assert_int_equal(exact.ev[2].type, CMAP_TRACK_MODIFY);
	assert_int_equal(exact.ev[3].type, CMAP_TRACK_DELETE);
	assert_int_equal(exact.ev[3].nv.type, 0);
	assert_int_equal(exact.ev[3].ov.type, CMAP_VALUETYPE_UINT32);
	/* the twice-tracked key: the most recent exact tracker first */
	assert_true(exact.ev[1].track == th_twice);
	assert_true(exact.ev[2].track == th_exact);
	/* prefix: ADD ttest.key, ADD ttest.other, DELETE ttest.key (no MODIFY asked) */
	assert_int_equal(prefix.n, 3);
	assert_string_equal(prefix.ev[1].key, "ttest.other");
	assert_true(prefix.ev[0].user_data == &prefix);
	assert_true(prefix.ev[0].track == th_prefix);

	assert_int_equal(cmap_track_delete(h, th_exact), CS_OK);
	assert_int_equal(cmap_track_delete(h, th_exact), CS_ERR_BAD_HANDLE);
	assert_int_equal(cmap_track_delete(h, th_twice), CS_OK);
	assert_int_equal(cmap_set_string(h, "ttest.key", "again"), CS_OK);
	assert_int_equal(cmap_dispatch(h, CS_DISPATCH_ALL), CS_OK);
	assert_int_equal(exact.n, 4);
	assert_int_equal(prefix.n, 4);
	assert_int_equal(cmap_delete(h, "ttest.key"), CS_OK);
	assert_int_equal(cmap_delete(h, "ttest.other"), CS_OK);
	assert_int_equal(cmap_finalize(h), CS_OK);
}

struct blocking_ctx {
	cmap_handle_t h;
	cs_dispatch_flags_t flags;
	cs_error_t result;
};

static void *dispatch_thread(void *arg)
{
	struct blocking_ctx *c = arg;

	c->result = cmap_dispatch(c->h, c->flags);
	return NULL;
}

static void finalize_in_callback(cmap_handle_t h, cmap_track_handle_t th, int32_t event,
				 const char *key, struct cmap_notify_value nv,
				 struct cmap_notify_value ov, void *user_data)
{
	(void)th, (void)event, (void)key, (void)nv, (void)ov;
	(*(int *)user_data)++;
	cmap_finalize(h);
}

static void test_dispatch_blocking_modes(void **state)
{
	(void)state;
	struct recorder r = {0};
	cmap_handle_t h = connect_default(), writer = connect_default();
	cmap_track_handle_t th;
	struct blocking_ctx ctx = {.h = h, .flags = CS_DISPATCH_ONE};
	pthread_t thread;

	assert_int_equal(
		cmap_track_add(h, "btest.k", CMAP_TRACK_ADD | CMAP_TRACK_MODIFY, record, &r, &th),
		CS_OK);
	/* ONE blocks until an event arrives */
	assert_int_equal(pthread_create(&thread, NULL, dispatch_thread, &ctx), 0);
	usleep(100000);
	assert_int_equal(r.n, 0);
	assert_int_equal(cmap_set_uint8(writer, "btest.k", 1), CS_OK);
	pthread_join(thread, NULL);
	assert_int_equal(ctx.result, CS_OK);
	assert_int_equal(r.n, 1);
	assert_int_equal(cmap_finalize(h), CS_OK);

	/* BLOCKING runs until the handle is finalized inside a callback */
	int calls = 0;
	h = connect_default();
	assert_int_equal(
		cmap_track_add(h, "btest.k", CMAP_TRACK_MODIFY, finalize_in_callback, &calls, &th),
		CS_OK);
	ctx.h = h;
	ctx.flags = CS_DISPATCH_BLOCKING;
	assert_int_equal(pthread_create(&thread, NULL, dispatch_thread, &ctx), 0);
	usleep(50000);
	assert_int_equal(cmap_set_uint8(writer, "btest.k", 2), CS_OK);
	pthread_join(thread, NULL);
	assert_int_equal(calls, 1);
	assert_int_equal(ctx.result, CS_ERR_BAD_HANDLE);
	assert_int_equal(cmap_finalize(writer), CS_OK);
}

static void test_context(void **state)
{
	(void)state;
	cmap_handle_t h = connect_default();
	const void *ctx = NULL;
	int marker;

	assert_int_equal(cmap_context_get(h, &ctx), CS_OK);
	assert_null(ctx);
	assert_int_equal(cmap_context_set(h, &marker), CS_OK);
	assert_int_equal(cmap_context_get(h, &ctx), CS_OK);
	assert_ptr_equal(ctx, &marker);
	assert_int_equal(cmap_context_get(h, NULL), CS_ERR_INVALID_PARAM);
	assert_int_equal(cmap_finalize(h), CS_OK);
	assert_int_equal(cmap_context_get(h, &ctx), CS_ERR_BAD_HANDLE);
	assert_int_equal(cmap_context_set(h, &marker), CS_ERR_BAD_HANDLE);
	assert_int_equal(cmap_fd_get(h, &marker), CS_ERR_BAD_HANDLE);
	assert_int_equal(cmap_dispatch(h, CS_DISPATCH_ALL), CS_ERR_BAD_HANDLE);
}

static void test_stats_map(void **state)
{
	(void)state;
	cmap_handle_t st, other, h;
	cmap_iter_handle_t it;
	char key[CMAP_KEYNAME_MAXLEN + 1], ipc_key[CMAP_KEYNAME_MAXLEN + 1] = "";
	size_t len;
	cmap_value_types_t type;
	struct recorder added = {0}, modified = {0};
	cmap_track_handle_t th, th2;
	uint64_t active;

	assert_int_equal(cmap_initialize_map(&st, CMAP_MAP_STATS), CS_OK);
	assert_int_equal(cmap_get_uint64(st, "stats.ipcs.global.active", &active), CS_OK);
	assert_true(active >= 1);
	assert_int_equal(cmap_set_uint8(st, "stats.ipcs.global.active", 1), CS_ERR_ACCESS);
	assert_int_equal(cmap_set_uint32(st, "stats.clear.ipc", 1), CS_OK);
	assert_int_equal(cmap_set_uint32(st, "stats.clear.bogus", 1), CS_ERR_NOT_SUPPORTED);
	assert_int_equal(cmap_delete(st, "stats.ipcs.global.active"), CS_ERR_ACCESS);
	assert_int_equal(cmap_inc(st, "stats.clear.ipc"), CS_ERR_NOT_SUPPORTED);
	/* a prefix tracker must ask for ADD and DELETE */
	assert_int_equal(cmap_track_add(st, "stats.ipcs.", CMAP_TRACK_ADD | CMAP_TRACK_PREFIX,
					record, &added, &th),
			 CS_ERR_NOT_SUPPORTED);
	assert_int_equal(cmap_track_add(st, "stats.ipcs.service0.",
					CMAP_TRACK_ADD | CMAP_TRACK_DELETE | CMAP_TRACK_PREFIX,
					record, &added, &th),
			 CS_OK);
	/* a new connection adds its keys */
	assert_int_equal(cmap_initialize(&other), CS_OK);
	usleep(50000);
	assert_int_equal(cmap_dispatch(st, CS_DISPATCH_ALL), CS_OK);
	assert_true(added.n >= 10);
	assert_int_equal(added.ev[0].type, CMAP_TRACK_ADD);
	/* find the new connection's request counter and track its changes */
	for (int i = 0; i < added.n; i++) {
		const char *dot = strrchr(added.ev[i].key, '.');
		if (dot && strcmp(dot, ".requests") == 0)
			strcpy(ipc_key, added.ev[i].key);
	}
	assert_true(ipc_key[0] != '\0');
	assert_int_equal(cmap_track_add(st, ipc_key, CMAP_TRACK_MODIFY, record, &modified, &th2),
			 CS_OK);
	assert_int_equal(cmap_set_uint8(other, "test.statsx", 1), CS_OK);
	assert_int_equal(cmap_set_uint8(other, "test.statsx", 2), CS_OK);
	usleep(300000);
	assert_int_equal(cmap_dispatch(st, CS_DISPATCH_ALL), CS_OK);
	assert_true(modified.n >= 1);
	uint64_t nv, ov;
	memcpy(&nv, modified.ev[modified.n - 1].ndata, 8);
	memcpy(&ov, modified.ev[modified.n - 1].odata, 8);
	/* as corosync's stats map: the value now, as both new and old */
	assert_int_equal(nv, ov);
	assert_int_equal(nv, 2);
	/* iteration of the stats map, sorted */
	assert_int_equal(cmap_iter_init(st, "stats.ipcs.", &it), CS_OK);
	int n = 0;
	while (cmap_iter_next(st, it, key, &len, &type) == CS_OK)
		n++;
	assert_true(n >= 26);
	assert_int_equal(cmap_iter_finalize(st, it), CS_OK);
	/* a closing connection deletes its keys */
	int before = added.n;
	assert_int_equal(cmap_finalize(other), CS_OK);
	usleep(100000);
	assert_int_equal(cmap_dispatch(st, CS_DISPATCH_ALL), CS_OK);
	assert_true(added.n >= before + 10);
	assert_int_equal(added.ev[added.n - 1].type, CMAP_TRACK_DELETE);
	assert_int_equal(cmap_finalize(st), CS_OK);
	/* SET_CURRENT_MAP after opening a tracker is refused (map selection) */
	assert_int_equal(cmap_initialize(&h), CS_OK);
	assert_int_equal(cmap_finalize(h), CS_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_initialize_finalize),
		cmocka_unit_test(test_every_type),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_inc_dec),
		cmocka_unit_test(test_iteration),
		cmocka_unit_test(test_tracking),
		cmocka_unit_test(test_dispatch_blocking_modes),
		cmocka_unit_test(test_context),
		cmocka_unit_test(test_stats_map),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
