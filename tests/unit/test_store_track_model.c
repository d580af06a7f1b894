/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_store_track_model.c - the store's indexed change tracking checked
 * against a naive reference, from seeds.
 *
 * The reference keeps its trackers in one list, tests every tracker
 * against every change and sorts the matches into corosync's order (the
 * order store.h documents): obviously right and slow.  Its key space is a
 * second store without trackers, so values, ADD versus MODIFY and the
 * "identical value notifies nobody" rule come from the same code on both
 * sides and only tracking is compared.
 *
 * Each seed drives the same random sequence of tracker additions and
 * deletions, sets, deletes and prefix deletes into both; every
 * notification (tracker, event, key, new and old value) is logged per
 * side and the logs must be identical after every step.  Some trackers
 * act from inside their callback exactly as a client's would through the
 * daemon: delete themselves, delete another tracker, or set a key (one
 * level deep), so re-entry and deletion during delivery are covered.
 *
 * A failure prints the seed and step; SYN_TRACK_MODEL_SEED=<n> replays
 * one seed.
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

#define MODEL_SEEDS 300
#define MODEL_STEPS 1500
#define MODEL_TRACKERS 48
#define LOG_MAX (1 << 20)
#define BULK_TRACKERS 5000

enum behaviour { B_PLAIN, B_SELF_DELETE, B_DELETE_OTHER, B_NESTED_SET };

struct model;

/* One side's view of a tracker id: its callback context. */
struct side_ctx {
	struct model *m;
	int id;
	bool real;
};

/* ---- the reference ------------------------------------------------------ */

struct ref_tracker {
	struct ref_tracker *next;
	uint64_t seq;
	int32_t type;
	bool dead;
	struct side_ctx *ctx;
	size_t key_len;
	char key[SYN_KEY_MAX + 1];
};

struct ref_store {
	struct syn_store *kv;
	struct ref_tracker *list;
	uint64_t next_seq;
	unsigned int depth;
};

struct side_log {
	char buf[LOG_MAX];
	size_t len;
};

struct tracker_slot {
	bool used;
	enum behaviour behaviour;
	int victim;
	bool real_live, ref_live;
	struct syn_store_tracker *real;
	struct ref_tracker *ref;
	struct side_ctx real_ctx, ref_ctx;
};

struct model {
	struct syn_store *real;
	struct ref_store ref;
	struct tracker_slot slots[MODEL_TRACKERS];
	struct side_log real_log, ref_log;
	unsigned int real_nest, ref_nest;
	uint64_t rng;
};

static void on_notify(struct side_ctx *c, int event, const char *key, const struct syn_value *nv,
		      const struct syn_value *ov);

static bool ref_matches(const struct ref_tracker *t, const char *key, int event)
{
	if (t->dead || !(t->type & event))
		return false;
	if (t->type & SYN_TRACK_PREFIX)
		return strncmp(t->key, key, t->key_len) == 0;
	return t->key_len > 0 && strcmp(t->key, key) == 0;
}

/* Longest key first; at one key exact newest first, prefix oldest first; whole map newest first. */
static int ref_order(const void *a, const void *b)
{
	const struct ref_tracker *x = *(struct ref_tracker *const *)a;
	const struct ref_tracker *y = *(struct ref_tracker *const *)b;
	bool x_pre = (x->type & SYN_TRACK_PREFIX) != 0, y_pre = (y->type & SYN_TRACK_PREFIX) != 0;

	if (x->key_len != y->key_len)
		return x->key_len > y->key_len ? -1 : 1;
	if (x->key_len > 0 && x_pre != y_pre)
		return x_pre ? 1 : -1;
	if (x->key_len > 0 && x_pre)
		return x->seq < y->seq ? -1 : 1;
	return x->seq > y->seq ? -1 : 1;
}

static void ref_reap(struct ref_store *r)
{
	struct ref_tracker **p = &r->list;

	while (*p) {
		struct ref_tracker *t = *p;
		if (t->dead) {
			*p = t->next;
			free(t);
		} else {
			p = &t->next;
		}
	}
}

static void ref_deliver(struct ref_store *r, int event, const char *key, const struct syn_value *nv,
			const struct syn_value *ov)
{
	struct ref_tracker *matched[MODEL_TRACKERS];
	size_t n = 0;

	for (struct ref_tracker *t = r->list; t; t = t->next)
		if (ref_matches(t, key, event))
			matched[n++] = t;
	qsort(matched, n, sizeof(matched[0]), ref_order);
	r->depth++;
	for (size_t i = 0; i < n; i++)
		if (!matched[i]->dead)
			on_notify(matched[i]->ctx, event, key, nv, ov);
	r->depth--;
	if (r->depth == 0)
		ref_reap(r);
}

struct value_copy {
	bool present;
	uint8_t type;
	size_t len;
	unsigned char data[64];
};

static void value_copy_of(const struct syn_store *kv, const char *key, struct value_copy *c)
{
	struct syn_value v;

	c->present = syn_store_get(kv, key, &v) == 0;
	if (!c->present)
		return;
	c->type = v.type;
	c->len = v.len;
	assert_true(v.len <= sizeof(c->data));
	memcpy(c->data, v.data, v.len);
}

static struct syn_value value_of(const struct value_copy *c)
{
	struct syn_value v = {0, 0, NULL};

	if (c->present) {
		v.type = c->type;
		v.len = c->len;
		v.data = c->len ? c->data : NULL;
	}
	return v;
}

static int ref_set(struct ref_store *r, const char *key, const void *value, size_t len,
		   uint8_t type)
{
	struct value_copy before, after;
	struct syn_value nv, ov;
	int rc;

	value_copy_of(r->kv, key, &before);
	rc = syn_store_set(r->kv, key, value, len, type);
	if (rc != 0)
		return rc;
	value_copy_of(r->kv, key, &after);
	if (before.present && before.type == after.type && before.len == after.len &&
	    memcmp(before.data, after.data, after.len) == 0)
		return 0;
	nv = value_of(&after);
	ov = value_of(&before);
	ref_deliver(r, before.present ? SYN_TRACK_MODIFY : SYN_TRACK_ADD, key, &nv, &ov);
	return 0;
}

static int ref_delete(struct ref_store *r, const char *key)
{
	struct value_copy before;
	struct syn_value none = {0, 0, NULL}, ov;
	char key_copy[SYN_KEY_MAX + 1];
	int rc;

	value_copy_of(r->kv, key, &before);
	snprintf(key_copy, sizeof(key_copy), "%s", key);
	rc = syn_store_delete(r->kv, key);
	if (rc != 0)
		return rc;
	ov = value_of(&before);
	ref_deliver(r, SYN_TRACK_DELETE, key_copy, &none, &ov);
	return 0;
}

/* As syn_store_delete_prefix: walk with an iterator, delete as it goes. */
static void ref_delete_prefix(struct ref_store *r, const char *prefix)
{
	struct syn_store_iter *it = syn_store_iter_create(r->kv, prefix);
	const char *key;
	struct syn_value v;

	assert_non_null(it);
	while (syn_store_iter_next(it, &key, &v) == 0) {
		char key_copy[SYN_KEY_MAX + 1];
		snprintf(key_copy, sizeof(key_copy), "%s", key);
		ref_delete(r, key_copy);
	}
	syn_store_iter_destroy(it);
}

static struct ref_tracker *ref_track_add(struct ref_store *r, const char *key, int32_t type,
					 struct side_ctx *ctx)
{
	struct ref_tracker *t = calloc(1, sizeof(*t)), **p = &r->list;

	assert_non_null(t);
	snprintf(t->key, sizeof(t->key), "%s", key ? key : "");
	t->key_len = strlen(t->key);
	t->type = type;
	t->ctx = ctx;
	t->seq = r->next_seq++;
	while (*p)
		p = &(*p)->next;
	*p = t;
	return t;
}

static void ref_track_delete(struct ref_store *r, struct ref_tracker *t)
{
	struct ref_tracker **p = &r->list;

	if (t->dead)
		return;
	t->dead = true;
	if (r->depth > 0)
		return;
	while (*p != t)
		p = &(*p)->next;
	*p = t->next;
	free(t);
}

/* ---- the model: both sides driven alike --------------------------------- */

static uint64_t rnd(struct model *m)
{
	m->rng ^= m->rng >> 12;
	m->rng ^= m->rng << 25;
	m->rng ^= m->rng >> 27;
	return m->rng * 0x2545f4914f6cdd1dULL;
}

static unsigned rnd_below(struct model *m, unsigned n)
{
	return (unsigned)(rnd(m) % n);
}

static void log_append(struct side_log *log, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void log_append(struct side_log *log, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(log->buf + log->len, sizeof(log->buf) - log->len, fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < sizeof(log->buf) - log->len);
	log->len += (size_t)n;
}

static void log_value(struct side_log *log, const struct syn_value *v)
{
	const unsigned char *p = v->data;

	log_append(log, " %u/%zu:", v->type, v->len);
	for (size_t i = 0; i < v->len; i++)
		log_append(log, "%02x", p[i]);
}

static void side_track_delete(struct model *m, int id, bool real)
{
	struct tracker_slot *s = &m->slots[id];

	if (real && s->real_live) {
		s->real_live = false;
		syn_store_track_delete(m->real, s->real);
	} else if (!real && s->ref_live) {
		s->ref_live = false;
		ref_track_delete(&m->ref, s->ref);
	}
}

static void nested_set(struct model *m, bool real, uint32_t v)
{
	unsigned int *nest = real ? &m->real_nest : &m->ref_nest;

	if (*nest > 0)
		return;
	(*nest)++;
	if (real)
		syn_store_set(m->real, "ab.n", &v, sizeof(v), SYN_TYPE_UINT32);
	else
		ref_set(&m->ref, "ab.n", &v, sizeof(v), SYN_TYPE_UINT32);
	(*nest)--;
}

static void on_notify(struct side_ctx *c, int event, const char *key, const struct syn_value *nv,
		      const struct syn_value *ov)
{
	struct model *m = c->m;
	struct side_log *log = c->real ? &m->real_log : &m->ref_log;
	struct tracker_slot *s = &m->slots[c->id];

	log_append(log, "t%d e%d %s", c->id, event, key);
	log_value(log, nv);
	log_value(log, ov);
	log_append(log, "\n");
	switch (s->behaviour) {
	case B_SELF_DELETE:
		side_track_delete(m, c->id, c->real);
		break;
	case B_DELETE_OTHER:
		side_track_delete(m, s->victim, c->real);
		break;
	case B_NESTED_SET:
		nested_set(m, c->real, (uint32_t)log->len);
		break;
	default:
		break;
	}
}

static void real_notify(void *ctx, struct syn_store_tracker *t, int event, const char *key,
			const struct syn_value *nv, const struct syn_value *ov)
{
	struct side_ctx *c = ctx;

	assert_ptr_equal(syn_store_tracker_ctx(t), ctx);
	on_notify(c, event, key, nv, ov);
}

/* Keys over a three-letter alphabet, so prefixes overlap a lot. */
static void random_key(struct model *m, char *buf, size_t min_len, size_t max_len)
{
	static const char alphabet[] = "ab.";
	size_t len = min_len + rnd_below(m, (unsigned)(max_len - min_len + 1));

	for (size_t i = 0; i < len; i++)
		buf[i] = alphabet[rnd_below(m, 3)];
	buf[len] = '\0';
}

static void step_track_add(struct model *m)
{
	int id = -1;
	char key[8];
	int32_t type = (int32_t)(1 + rnd_below(m, 7));
	int rc;

	for (int i = 0; i < MODEL_TRACKERS && id < 0; i++)
		if (!m->slots[i].used)
			id = i;
	if (id < 0)
		return;
	struct tracker_slot *s = &m->slots[id];
	random_key(m, key, 0, 5);
	if (rnd_below(m, 3) > 0)
		type |= SYN_TRACK_PREFIX;
	s->used = true;
	s->behaviour = rnd_below(m, 4) == 0 ? (enum behaviour)(1 + rnd_below(m, 3)) : B_PLAIN;
	s->victim = (int)rnd_below(m, MODEL_TRACKERS);
	s->real_ctx = (struct side_ctx){m, id, true};
	s->ref_ctx = (struct side_ctx){m, id, false};
	rc = syn_store_track_add(m->real, rnd_below(m, 2) && !key[0] ? NULL : key, type,
				 real_notify, &s->real_ctx, &s->real);
	assert_int_equal(rc, 0);
	s->ref = ref_track_add(&m->ref, key, type, &s->ref_ctx);
	s->real_live = s->ref_live = true;
}

static void step_track_delete(struct model *m)
{
	int id = (int)rnd_below(m, MODEL_TRACKERS);

	side_track_delete(m, id, true);
	side_track_delete(m, id, false);
}

/* Slots whose tracker is gone on both sides are reused. */
static void slots_recycle(struct model *m)
{
	for (int i = 0; i < MODEL_TRACKERS; i++) {
		struct tracker_slot *s = &m->slots[i];
		assert_int_equal(s->real_live, s->ref_live);
		if (s->used && !s->real_live)
			s->used = false;
	}
}

static void step_change(struct model *m)
{
	char key[8];
	unsigned what = rnd_below(m, 10);

	if (what < 6) {
		uint8_t v = (uint8_t)rnd_below(m, 3);
		uint8_t type = rnd_below(m, 4) == 0 ? SYN_TYPE_INT8 : SYN_TYPE_UINT8;
		random_key(m, key, 3, 5);
		assert_int_equal(syn_store_set(m->real, key, &v, 1, type),
				 ref_set(&m->ref, key, &v, 1, type));
	} else if (what < 9) {
		random_key(m, key, 3, 5);
		assert_int_equal(syn_store_delete(m->real, key), ref_delete(&m->ref, key));
	} else {
		random_key(m, key, 0, 3);
		syn_store_delete_prefix(m->real, key);
		ref_delete_prefix(&m->ref, key);
	}
}

static void model_fini(struct model *m)
{
	syn_store_destroy(m->real);
	syn_store_destroy(m->ref.kv);
	while (m->ref.list) {
		struct ref_tracker *t = m->ref.list;
		m->ref.list = t->next;
		free(t);
	}
}

/* Runs one seed; false (after printing where) when the logs differ. */
static bool run_seed(struct model *m, uint64_t seed)
{
	memset(m, 0, sizeof(*m));
	m->rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	m->real = syn_store_create();
	m->ref.kv = syn_store_create();
	assert_non_null(m->real);
	assert_non_null(m->ref.kv);
	for (int step = 0; step < MODEL_STEPS; step++) {
		unsigned what = rnd_below(m, 10);
		if (what < 3)
			step_track_add(m);
		else if (what < 4)
			step_track_delete(m);
		else
			step_change(m);
		slots_recycle(m);
		if (m->real_log.len != m->ref_log.len ||
		    memcmp(m->real_log.buf, m->ref_log.buf, m->real_log.len) != 0) {
			m->real_log.buf[m->real_log.len] = m->ref_log.buf[m->ref_log.len] = '\0';
			fprintf(stderr,
				"tracking differs from the reference: seed %llu step %d\n"
				"--- indexed store:\n%s--- reference:\n%s",
				(unsigned long long)seed, step, m->real_log.buf, m->ref_log.buf);
			model_fini(m);
			return false;
		}
		m->real_log.len = m->ref_log.len = 0;
	}
	model_fini(m);
	return true;
}

static void test_tracking_matches_reference(void **state)
{
	(void)state;
	struct model *m = malloc(sizeof(*m));
	const char *one = getenv("SYN_TRACK_MODEL_SEED");
	uint64_t first = 1, last = MODEL_SEEDS;

	assert_non_null(m);
	if (one)
		first = last = strtoull(one, NULL, 10);
	for (uint64_t seed = first; seed <= last; seed++) {
		if (!run_seed(m, seed)) {
			free(m);
			fail_msg("replay with SYN_TRACK_MODEL_SEED=%llu", (unsigned long long)seed);
		}
	}
	free(m);
}

static void count_notify(void *ctx, struct syn_store_tracker *t, int event, const char *key,
			 const struct syn_value *nv, const struct syn_value *ov)
{
	(void)t, (void)event, (void)key, (void)nv, (void)ov;
	(*(unsigned *)ctx)++;
}

/*
 * Thousands of trackers on distinct keys and prefixes (the index grows
 * and shrinks): each change reaches exactly its own trackers, before and
 * after most of them are deleted in a scrambled order.
 */
static void test_many_trackers_reach_only_their_keys(void **state)
{
	(void)state;
	struct syn_store *s = syn_store_create();
	struct syn_store_tracker **exact = calloc(BULK_TRACKERS, sizeof(*exact));
	struct syn_store_tracker **prefix = calloc(BULK_TRACKERS, sizeof(*prefix));
	unsigned *hits = calloc(BULK_TRACKERS, sizeof(*hits));
	char key[64];

	assert_non_null(s);
	assert_non_null(exact);
	assert_non_null(prefix);
	assert_non_null(hits);
	for (int i = 0; i < BULK_TRACKERS; i++) {
		snprintf(key, sizeof(key), "bulk.%d", i);
		assert_int_equal(syn_store_track_add(s, key, SYN_TRACK_ADD, count_notify, &hits[i],
						     &exact[i]),
				 0);
		snprintf(key, sizeof(key), "bulk.%d.", i);
		assert_int_equal(syn_store_track_add(s, key, SYN_TRACK_ADD | SYN_TRACK_PREFIX,
						     count_notify, &hits[i], &prefix[i]),
				 0);
	}
	for (int i = 0; i < BULK_TRACKERS; i++) {
		snprintf(key, sizeof(key), "bulk.%d.x", i);
		assert_int_equal(syn_store_set_u8(s, key, 1), 0);
		snprintf(key, sizeof(key), "bulk.%d", i);
		assert_int_equal(syn_store_set_u8(s, key, 1), 0);
	}
	for (int i = 0; i < BULK_TRACKERS; i++)
		assert_int_equal(hits[i], 2);
	/* delete all but every 97th, in a scrambled order */
	for (int k = 0; k < BULK_TRACKERS; k++) {
		int i = (int)(((unsigned)k * 7919u) % BULK_TRACKERS);
		if (i % 97 == 0)
			continue;
		syn_store_track_delete(s, exact[i]);
		syn_store_track_delete(s, prefix[i]);
	}
	memset(hits, 0, BULK_TRACKERS * sizeof(*hits));
	for (int i = 0; i < BULK_TRACKERS; i++) {
		snprintf(key, sizeof(key), "bulk.%d.y", i);
		assert_int_equal(syn_store_set_u8(s, key, 1), 0);
		assert_int_equal(hits[i], i % 97 == 0 ? 1 : 0);
	}
	syn_store_destroy(s);
	free(exact);
	free(prefix);
	free(hits);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tracking_matches_reference),
		cmocka_unit_test(test_many_trackers_reach_only_their_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
