/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_store.c - unit tests of the cmap store: value rules, errors,
 * iteration under change, tracking order and values, which keys are
 * watched, merging, and a model test of the ordered key set against a
 * plain sorted array.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "store.h"

struct event_log {
	char lines[64][400];
	int n;
};

static void log_event(void *ctx, struct syn_store_tracker *t, int event, const char *key,
		      const struct syn_value *nv, const struct syn_value *ov)
{
	struct event_log *log = ctx;
	(void)t;
	if (log->n < 64)
		snprintf(log->lines[log->n++], 400, "%d %s n%u/%zu o%u/%zu", event, key, nv->type,
			 nv->len, ov->type, ov->len);
}

static void test_set_get_types(void **state)
{
	(void)state;
	struct syn_store *s = syn_store_create();
	struct syn_value v;
	uint8_t u8 = 7;
	uint64_t u64 = 1ULL << 40;

	assert_int_equal(syn_store_set(s, "a.u8", &u8, 1, SYN_TYPE_UINT8), 0);
	assert_int_equal(syn_store_set(s, "a.u8", &u8, 2, SYN_TYPE_UINT8), -EINVAL);
	assert_int_equal(syn_store_set(s, "a.u64", &u64, 8, SYN_TYPE_UINT64), 0);
	assert_int_equal(syn_store_get(s, "a.u64", &v), 0);
	assert_int_equal(v.type, SYN_TYPE_UINT64);
	assert_memory_equal(v.data, &u64, 8);
	/* strings: stored with NUL, length from the value's own NUL */
	assert_int_equal(syn_store_set(s, "a.str", "hello", 5, SYN_TYPE_STRING), 0);
	assert_int_equal(syn_store_get(s, "a.str", &v), 0);
	assert_int_equal(v.len, 6);
	assert_string_equal(v.data, "hello");
	assert_int_equal(syn_store_set(s, "a.str", "he\0llo", 6, SYN_TYPE_STRING), -EINVAL);
	assert_int_equal(syn_store_set(s, "a.str", "hey\0", 4, SYN_TYPE_STRING), 0);
	assert_int_equal(syn_store_get(s, "a.str", &v), 0);
	assert_int_equal(v.len, 4);
	/* names: checked only on creation */
	assert_int_equal(syn_store_set(s, "ab", &u8, 1, SYN_TYPE_UINT8), -ENAMETOOLONG);
	assert_int_equal(syn_store_set(s, "a b", &u8, 1, SYN_TYPE_UINT8), -ENAMETOOLONG);
	assert_int_equal(syn_store_set(s, "a.bin", "", 0, SYN_TYPE_BINARY), 0);
	assert_int_equal(syn_store_set(s, "a.bad", "", 0, 13), -EINVAL);
	char big[SYN_VALUE_MAX + 1];
	memset(big, 1, sizeof(big));
	assert_int_equal(syn_store_set(s, "a.big", big, SYN_VALUE_MAX, SYN_TYPE_BINARY), 0);
	assert_int_equal(syn_store_set(s, "a.big", big, SYN_VALUE_MAX + 1, SYN_TYPE_BINARY),
			 -EINVAL);
	assert_int_equal(syn_store_get(s, "nope", &v), -ENOENT);
	assert_int_equal(syn_store_delete(s, "nope"), -ENOENT);
	assert_int_equal(syn_store_delete(s, "a.big"), 0);
	assert_false(syn_store_exists(s, "a.big"));
	syn_store_destroy(s);
}

static void test_adjust_wraps(void **state)
{
	(void)state;
	struct syn_store *s = syn_store_create();
	uint8_t u8 = 250;
	int8_t i8 = 127;
	float f = 1.0f;
	uint8_t out;

	syn_store_set(s, "k.u8", &u8, 1, SYN_TYPE_UINT8);
	assert_int_equal(syn_store_adjust(s, "k.u8", 300), 0);
	assert_int_equal(syn_store_get_u8(s, "k.u8", &out), 0);
	assert_int_equal(out, 38);
	syn_store_set(s, "k.i8", &i8, 1, SYN_TYPE_INT8);
	assert_int_equal(syn_store_adjust(s, "k.i8", 1), 0);
	struct syn_value v;
	syn_store_get(s, "k.i8", &v);
	assert_int_equal(*(const int8_t *)v.data, -128);
	syn_store_set(s, "k.f", &f, 4, SYN_TYPE_FLOAT);
	assert_int_equal(syn_store_adjust(s, "k.f", 1), -EINVAL);
	assert_int_equal(syn_store_adjust(s, "k.none", 1), -ENOENT);
	syn_store_destroy(s);
}

/*
 * cmap's inc/dec on every integer width, with carries that cross a byte:
 * values are host order, so a wrong-width read or write shows up as a
 * value in the wrong bytes on a big-endian host (tests/bigendian runs
 * this test on s390x).
 */
static void test_adjust_every_width(void **state)
{
	(void)state;
	struct syn_store *s = syn_store_create();
	uint16_t u16 = 0x00ff;
	int16_t i16 = -1;
	uint32_t u32 = 0x0000ffff;
	int32_t i32 = INT32_MAX;
	uint64_t u64 = 0xffffffffu;
	int64_t i64 = -2;
	struct syn_value v;
	uint32_t out32;
	uint64_t out64;

	syn_store_set(s, "w.u16", &u16, 2, SYN_TYPE_UINT16);
	assert_int_equal(syn_store_adjust(s, "w.u16", 1), 0);
	assert_int_equal(syn_store_get(s, "w.u16", &v), 0);
	assert_int_equal(*(const uint16_t *)v.data, 0x0100);
	syn_store_set(s, "w.i16", &i16, 2, SYN_TYPE_INT16);
	assert_int_equal(syn_store_adjust(s, "w.i16", 1), 0);
	assert_int_equal(syn_store_get(s, "w.i16", &v), 0);
	assert_int_equal(*(const int16_t *)v.data, 0);
	syn_store_set(s, "w.u32", &u32, 4, SYN_TYPE_UINT32);
	assert_int_equal(syn_store_adjust(s, "w.u32", 1), 0);
	assert_int_equal(syn_store_get_u32(s, "w.u32", &out32), 0);
	assert_int_equal(out32, 0x00010000);
	assert_int_equal(syn_store_adjust(s, "w.u32", -0x10001), 0);
	assert_int_equal(syn_store_get_u32(s, "w.u32", &out32), 0);
	assert_int_equal(out32, 0xffffffffu);
	syn_store_set(s, "w.i32", &i32, 4, SYN_TYPE_INT32);
	assert_int_equal(syn_store_adjust(s, "w.i32", 1), 0);
	assert_int_equal(syn_store_get(s, "w.i32", &v), 0);
	assert_int_equal(*(const int32_t *)v.data, INT32_MIN);
	syn_store_set(s, "w.u64", &u64, 8, SYN_TYPE_UINT64);
	assert_int_equal(syn_store_adjust(s, "w.u64", 1), 0);
	assert_int_equal(syn_store_get_u64(s, "w.u64", &out64), 0);
	assert_true(out64 == 0x100000000ull);
	syn_store_set(s, "w.i64", &i64, 8, SYN_TYPE_INT64);
	assert_int_equal(syn_store_adjust(s, "w.i64", 3), 0);
	assert_int_equal(syn_store_get(s, "w.i64", &v), 0);
	assert_true(*(const int64_t *)v.data == 1);
	syn_store_destroy(s);
}

static void test_iter_survives_changes(void **state)
{
	(void)state;
	struct syn_store *s = syn_store_create();
	const char *keys[] = {"test.t0", "test.b", "totem.x", "test.big", "tesu.a"};
	const char *key;
	struct syn_value v;

	for (size_t i = 0; i < 5; i++)
		syn_store_set_str(s, keys[i], "v");
	struct syn_store_iter *it = syn_store_iter_create(s, "test.");
	assert_int_equal(syn_store_iter_next(it, &key, &v), 0);
	assert_string_equal(key, "test.b");
	/* delete the current key and the next one, add one after */
	syn_store_delete(s, "test.b");
	syn_store_delete(s, "test.big");
	syn_store_set_str(s, "test.z", "v");
	assert_int_equal(syn_store_iter_next(it, &key, &v), 0);
	assert_string_equal(key, "test.t0");
	assert_int_equal(syn_store_iter_next(it, &key, &v), 0);
	assert_string_equal(key, "test.z");
	assert_int_equal(syn_store_iter_next(it, &key, &v), -ENOENT);
	assert_int_equal(syn_store_iter_next(it, &key, &v), -ENOENT);
	syn_store_iter_destroy(it);
	syn_store_destroy(s);
}

static void test_tracking_values_and_order(void **state)
{
	(void)state;
	struct syn_store *s = syn_store_create();
	struct event_log log = {0};
	struct syn_store_tracker *t_exact, *t_prefix, *t_all;
	uint32_t seven = 7;

	assert_int_equal(syn_store_track_add(s, "",
					     SYN_TRACK_ADD | SYN_TRACK_DELETE | SYN_TRACK_MODIFY |
						     SYN_TRACK_PREFIX,
					     log_event, &log, &t_all),
			 0);
	assert_int_equal(syn_store_track_add(s, "test.", 0x0F, log_event, &log, &t_prefix), 0);
	assert_int_equal(syn_store_track_add(s, "test.key", 0x07, log_event, &log, &t_exact), 0);
	assert_int_equal(syn_store_track_add(s, "x", 0x10, log_event, &log, &t_exact), -EINVAL);

	syn_store_set_str(s, "test.key", "hello");
	assert_int_equal(log.n, 3);
	assert_string_equal(log.lines[0], "4 test.key n11/6 o0/0");
	syn_store_set(s, "test.key", &seven, 4, SYN_TYPE_UINT32);
	assert_string_equal(log.lines[3], "2 test.key n6/4 o11/6");
	/* identical value: no event */
	syn_store_set(s, "test.key", &seven, 4, SYN_TYPE_UINT32);
	assert_int_equal(log.n, 6);
	syn_store_delete(s, "test.key");
	assert_string_equal(log.lines[6], "1 test.key n0/0 o6/4");
	assert_int_equal(log.n, 9);
	syn_store_destroy(s);
}

static void self_deleting(void *ctx, struct syn_store_tracker *t, int event, const char *key,
			  const struct syn_value *nv, const struct syn_value *ov)
{
	struct syn_store *s = ctx;
	(void)event, (void)key, (void)nv, (void)ov;
	syn_store_track_delete(s, t);
	syn_store_set_str(s, "other.key", "nested");
}

static void test_callback_reentry(void **state)
{
	(void)state;
	struct syn_store *s = syn_store_create();
	struct syn_store_tracker *t1, *t2;

	syn_store_track_add(s, "a.", SYN_TRACK_ADD | SYN_TRACK_PREFIX, self_deleting, s, &t1);
	syn_store_track_add(s, "a.", SYN_TRACK_ADD | SYN_TRACK_PREFIX, self_deleting, s, &t2);
	syn_store_set_str(s, "a.key", "v");
	syn_store_set_str(s, "a.key2", "v");
	assert_true(syn_store_exists(s, "other.key"));
	syn_store_destroy(s);
}

struct watch_probe {
	struct syn_store *s;
	struct syn_store_tracker *t;
	bool seen_after_delete;
};

static void delete_then_probe(void *ctx, struct syn_store_tracker *t, int event, const char *key,
			      const struct syn_value *nv, const struct syn_value *ov)
{
	struct watch_probe *p = ctx;

	(void)t, (void)event, (void)nv, (void)ov;
	syn_store_track_delete(p->s, p->t);
	p->seen_after_delete = syn_store_watched(p->s, key);
}

/* Only a live exact tracker that asks for MODIFY makes a key watched. */
static void test_watched(void **state)
{
	(void)state;
	struct syn_store *s = syn_store_create();
	struct syn_store_tracker *t_add, *t_prefix, *t_exact;
	struct watch_probe probe = {.s = s};
	struct event_log log = {0};

	assert_false(syn_store_watched(s, "a.b"));
	assert_false(syn_store_watched(s, ""));
	assert_int_equal(syn_store_track_add(s, "a.b", SYN_TRACK_ADD | SYN_TRACK_DELETE, log_event,
					     &log, &t_add),
			 0);
	assert_int_equal(syn_store_track_add(s, "a.", SYN_TRACK_MODIFY | SYN_TRACK_PREFIX,
					     log_event, &log, &t_prefix),
			 0);
	assert_false(syn_store_watched(s, "a.b"));
	assert_false(syn_store_watched(s, "a."));
	assert_int_equal(syn_store_track_add(s, "a.b", SYN_TRACK_MODIFY, log_event, &log, &t_exact),
			 0);
	assert_true(syn_store_watched(s, "a.b"));
	assert_false(syn_store_watched(s, "a.bc"));
	assert_false(syn_store_watched(s, "a"));
	syn_store_track_delete(s, t_exact);
	assert_false(syn_store_watched(s, "a.b"));
	/* a tracker deleted during delivery no longer counts, though not yet freed */
	syn_store_set_u8(s, "a.b", 1);
	assert_int_equal(syn_store_track_add(s, "a.b", SYN_TRACK_MODIFY, delete_then_probe, &probe,
					     &probe.t),
			 0);
	syn_store_set_u8(s, "a.b", 2);
	assert_false(probe.seen_after_delete);
	assert_false(syn_store_watched(s, "a.b"));
	syn_store_track_delete(s, t_add);
	syn_store_track_delete(s, t_prefix);
	syn_store_destroy(s);
}

/*
 * The reference model: a sorted array of key names and one byte of value
 * each, maintained by linear search and memmove.
 */
#define MODEL_KEYS 512
struct model {
	char keys[MODEL_KEYS][16];
	uint8_t vals[MODEL_KEYS];
	size_t n;
};

static size_t model_pos(const struct model *m, const char *key)
{
	size_t i = 0;

	while (i < m->n && strcmp(m->keys[i], key) < 0)
		i++;
	return i;
}

static void model_set(struct model *m, const char *key, uint8_t v)
{
	size_t i = model_pos(m, key);

	if (i < m->n && strcmp(m->keys[i], key) == 0) {
		m->vals[i] = v;
		return;
	}
	memmove(m->keys[i + 1], m->keys[i], (m->n - i) * sizeof(m->keys[0]));
	memmove(&m->vals[i + 1], &m->vals[i], m->n - i);
	snprintf(m->keys[i], sizeof(m->keys[i]), "%s", key);
	m->vals[i] = v;
	m->n++;
}

static int model_delete(struct model *m, const char *key)
{
	size_t i = model_pos(m, key);

	if (i == m->n || strcmp(m->keys[i], key) != 0)
		return -ENOENT;
	memmove(m->keys[i], m->keys[i + 1], (m->n - i - 1) * sizeof(m->keys[0]));
	memmove(&m->vals[i], &m->vals[i + 1], m->n - i - 1);
	m->n--;
	return 0;
}

/* The store iterated under prefix equals the model filtered by it. */
static void model_compare(const struct model *m, struct syn_store *s, const char *prefix)
{
	struct syn_store_iter *it = syn_store_iter_create(s, prefix);
	size_t plen = strlen(prefix), i = 0;
	const char *key;
	struct syn_value v;

	assert_non_null(it);
	while (syn_store_iter_next(it, &key, &v) == 0) {
		while (i < m->n && strncmp(m->keys[i], prefix, plen) != 0)
			i++;
		assert_true(i < m->n);
		assert_string_equal(key, m->keys[i]);
		assert_int_equal(v.type, SYN_TYPE_UINT8);
		assert_int_equal(*(const uint8_t *)v.data, m->vals[i]);
		i++;
	}
	while (i < m->n && strncmp(m->keys[i], prefix, plen) != 0)
		i++;
	assert_int_equal(i, m->n);
	syn_store_iter_destroy(it);
}

/* A fixed-seed generator, so a failure replays. */
static uint32_t next_rand(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static void test_model_random_ops(void **state)
{
	(void)state;
	struct syn_store *s = syn_store_create();
	struct model *m = calloc(1, sizeof(*m));
	uint32_t seed = 0x5eed1234;
	char key[16];
	uint8_t u8;

	assert_non_null(m);
	for (int step = 0; step < 20000; step++) {
		uint32_t r = next_rand(&seed);
		/* 400 names over 4 prefixes, so sets, updates and deletes mix */
		snprintf(key, sizeof(key), "k%u.%03u", r % 4, (r >> 8) % 100);
		u8 = (uint8_t)(r >> 20);
		if ((r >> 28) < 9) {
			assert_int_equal(syn_store_set_u8(s, key, u8), 0);
			model_set(m, key, u8);
		} else {
			assert_int_equal(syn_store_delete(s, key), model_delete(m, key));
		}
		assert_int_equal(syn_store_count(s), m->n);
		assert_int_equal(syn_store_exists(s, key),
				 model_pos(m, key) < m->n &&
					 strcmp(m->keys[model_pos(m, key)], key) == 0);
		if (step % 997 == 0) {
			model_compare(m, s, "");
			model_compare(m, s, "k2.");
			model_compare(m, s, "k1.05");
		}
	}
	model_compare(m, s, "");
	syn_store_delete_prefix(s, "k3.");
	for (size_t i = m->n; i-- > 0;)
		if (strncmp(m->keys[i], "k3.", 3) == 0)
			model_delete(m, m->keys[i]);
	model_compare(m, s, "");
	free(m);
	syn_store_destroy(s);
}

/* Ascending, descending and interleaved insertion orders all keep the order. */
static void test_model_sorted_inputs(void **state)
{
	(void)state;
	struct syn_store *s = syn_store_create();
	struct model *m = calloc(1, sizeof(*m));
	char key[16];

	assert_non_null(m);
	for (int i = 0; i < 150; i++) {
		const int ids[3] = {i, 499 - i, 150 + (i * 7) % 200};
		for (int j = 0; j < 3; j++) {
			snprintf(key, sizeof(key), "n.%04d", ids[j]);
			assert_int_equal(syn_store_set_u8(s, key, (uint8_t)j), 0);
			model_set(m, key, (uint8_t)j);
		}
	}
	model_compare(m, s, "");
	for (int i = 0; i < 500; i += 2) {
		snprintf(key, sizeof(key), "n.%04d", i);
		assert_int_equal(syn_store_delete(s, key), model_delete(m, key));
	}
	model_compare(m, s, "");
	model_compare(m, s, "n.01");
	free(m);
	syn_store_destroy(s);
}

/* Keys that are prefixes of one another, arriving out of order. */
static void test_model_prefix_keys(void **state)
{
	(void)state;
	static const char *const keys[] = {"p.abc", "p.a", "p.abcd", "p.ab", "p.b",   "p.abd",
					   "p.aa",  "p..", "p.abca", "p.c",  "p.ab.", "p.ab0"};
	struct syn_store *s = syn_store_create();
	struct model *m = calloc(1, sizeof(*m));
	uint64_t u64 = 0x0102030405060708ULL;
	struct syn_value v;

	assert_non_null(m);
	for (size_t round = 0; round < 2; round++) {
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			size_t k = (i * 5 + round * 7) % (sizeof(keys) / sizeof(keys[0]));
			assert_int_equal(syn_store_set_u8(s, keys[k], (uint8_t)(k + round)), 0);
			model_set(m, keys[k], (uint8_t)(k + round));
		}
		model_compare(m, s, "");
		model_compare(m, s, "p.ab");
		model_compare(m, s, "p.abc");
	}
	/* a fixed-size value written into a new entry is aligned for its type */
	assert_int_equal(syn_store_set_u64(s, "q.x", u64), 0);
	assert_int_equal(syn_store_get(s, "q.x", &v), 0);
	assert_int_equal((uintptr_t)v.data % 8, 0);
	assert_int_equal(*(const uint64_t *)v.data, u64);
	free(m);
	syn_store_destroy(s);
}

static void test_merge(void **state)
{
	(void)state;
	struct syn_store *dst = syn_store_create(), *src = syn_store_create();
	struct syn_store_tracker *t;
	struct event_log log = {0};
	const char *str;

	/* empty, untracked destination: the keys move */
	syn_store_set_str(src, "a.one", "1");
	syn_store_set_str(src, "a.two", "2");
	assert_int_equal(syn_store_merge(dst, src), 0);
	assert_int_equal(syn_store_count(dst), 2);
	assert_int_equal(syn_store_count(src), 0);
	assert_int_equal(syn_store_get_str(dst, "a.two", &str), 0);
	assert_string_equal(str, "2");
	/* populated, tracked destination: set one by one, with notifications */
	assert_int_equal(syn_store_track_add(dst, "a.",
					     SYN_TRACK_ADD | SYN_TRACK_MODIFY | SYN_TRACK_PREFIX,
					     log_event, &log, &t),
			 0);
	syn_store_set_str(src, "a.two", "22");
	syn_store_set_str(src, "a.three", "3");
	syn_store_set_str(src, "a.one", "1");
	assert_int_equal(syn_store_merge(dst, src), 0);
	assert_int_equal(syn_store_count(dst), 3);
	assert_int_equal(syn_store_count(src), 0);
	assert_int_equal(log.n, 2);
	assert_string_equal(log.lines[0], "4 a.three n11/2 o0/0");
	assert_string_equal(log.lines[1], "2 a.two n11/3 o11/2");
	syn_store_destroy(src);
	syn_store_destroy(dst);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_get_types),
		cmocka_unit_test(test_adjust_wraps),
		cmocka_unit_test(test_adjust_every_width),
		cmocka_unit_test(test_iter_survives_changes),
		cmocka_unit_test(test_tracking_values_and_order),
		cmocka_unit_test(test_callback_reentry),
		cmocka_unit_test(test_watched),
		cmocka_unit_test(test_model_random_ops),
		cmocka_unit_test(test_model_sorted_inputs),
		cmocka_unit_test(test_model_prefix_keys),
		cmocka_unit_test(test_merge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
