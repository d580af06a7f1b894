/*
 * store.c - the cmap key space (see store.h for the contract).
 *
 * Keys live in an array of entry pointers sorted by strcmp(), so lookups
 * are binary searches and prefix iteration is a walk from the prefix's
 * lower bound.  Tens of thousands of keys is the expected maximum; the
 * memmove on insert is cheaper than a tree at that size and keeps the
 * order trivially right.
 *
 * Iterators keep a copy of the last key they returned and resume at its
 * upper bound, which makes them immune to any change in between.
 *
 * Trackers are filed by key in track_index.c, which hands back the
 * trackers of a change already in corosync's delivery order, at a cost
 * proportional to those trackers rather than to all of them.  The
 * matching trackers are collected before the first callback runs, so a
 * tracker added by a callback sees only later changes.  Callbacks may
 * re-enter the store; a tracker deleted while a change is being delivered
 * is only marked dead (skipped from then on) and freed when the outermost
 * delivery finishes, so no delivery touches freed memory.  The values
 * passed to callbacks are private copies for the same reason.
 */
#include "store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "track_index.h"

struct entry {
	uint8_t type;
	size_t len;
	unsigned char *data; /* NULL when len == 0 */
	char key[];
};

struct syn_store {
	struct entry **entries;
	size_t n_entries;
	size_t cap_entries;
	struct syn_track_index trackers;
	uint64_t next_tracker_seq;
	unsigned int delivery_depth;
	struct syn_store_tracker *dead; /* deleted during delivery, to free after it */
};

struct syn_store_iter {
	const struct syn_store *store;
	bool started;
	char *prefix;
	size_t prefix_len;
	char last[SYN_KEY_MAX + 1];
};

size_t syn_value_type_size(uint8_t type)
{
	switch (type) {
	case SYN_TYPE_INT8:
	case SYN_TYPE_UINT8:
		return 1;
	case SYN_TYPE_INT16:
	case SYN_TYPE_UINT16:
		return 2;
	case SYN_TYPE_INT32:
	case SYN_TYPE_UINT32:
	case SYN_TYPE_FLOAT:
		return 4;
	case SYN_TYPE_INT64:
	case SYN_TYPE_UINT64:
	case SYN_TYPE_DOUBLE:
		return 8;
	default:
		return 0;
	}
}

bool syn_store_key_name_valid(const char *name)
{
	size_t len = strlen(name);

	if (len < SYN_KEY_MIN || len > SYN_KEY_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == '/' ||
			  c == ':';
		if (!ok)
			return false;
	}
	return true;
}

struct syn_store *syn_store_create(void)
{
	struct syn_store *store = calloc(1, sizeof(struct syn_store));

	if (store)
		syn_track_index_init(&store->trackers);
	return store;
}

void syn_store_destroy(struct syn_store *store)
{
	if (!store)
		return;
	for (size_t i = 0; i < store->n_entries; i++) {
		free(store->entries[i]->data);
		free(store->entries[i]);
	}
	free(store->entries);
	syn_track_index_fini(&store->trackers);
	free(store);
}

/* Index of the first entry whose key is >= key (or > key when after). */
static size_t lower_bound(const struct syn_store *store, const char *key, bool after)
{
	size_t lo = 0, hi = store->n_entries;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(store->entries[mid]->key, key);
		if (c < 0 || (after && c == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct entry *find(const struct syn_store *store, const char *key, size_t *pos)
{
	size_t i = lower_bound(store, key, false);

	if (pos)
		*pos = i;
	if (i < store->n_entries && strcmp(store->entries[i]->key, key) == 0)
		return store->entries[i];
	return NULL;
}

size_t syn_store_count(const struct syn_store *store)
{
	return store->n_entries;
}

static void reap_dead_trackers(struct syn_store *store)
{
	while (store->dead) {
		struct syn_store_tracker *t = store->dead;
		store->dead = t->dead_next;
		syn_track_index_remove(&store->trackers, t);
		free(t);
	}
}

/* Private copy of a value for delivery; small values use the caller's buffer. */
static int value_snapshot(struct syn_value *dst, const struct syn_value *src, unsigned char *buf,
			  size_t buf_len, void **heap)
{
	*dst = *src;
	*heap = NULL;
	if (src->len == 0)
		return 0;
	if (src->len <= buf_len) {
		memcpy(buf, src->data, src->len);
		dst->data = buf;
		return 0;
	}
	*heap = malloc(src->len);
	if (!*heap)
		return -ENOMEM;
	memcpy(*heap, src->data, src->len);
	dst->data = *heap;
	return 0;
}

static void deliver(struct syn_store *store, int event, const char *key,
		    const struct syn_value *new_value, const struct syn_value *old_value)
{
	struct syn_track_match m;
	unsigned char new_buf[64], old_buf[64];
	struct syn_value nv, ov;
	void *new_heap = NULL, *old_heap = NULL;
	char key_copy[SYN_KEY_MAX + 1];

	syn_track_match_init(&m);
	/* Out of memory part way: deliver to those collected; cannot do better. */
	syn_track_index_collect(&store->trackers, key, event, &m);
	if (m.n == 0)
		goto out;
	if (value_snapshot(&nv, new_value, new_buf, sizeof(new_buf), &new_heap) != 0 ||
	    value_snapshot(&ov, old_value, old_buf, sizeof(old_buf), &old_heap) != 0)
		goto out;
	strncpy(key_copy, key, sizeof(key_copy) - 1);
	key_copy[sizeof(key_copy) - 1] = '\0';

	store->delivery_depth++;
	for (size_t i = 0; i < m.n; i++) {
		struct syn_store_tracker *t = m.v[i];
		if (!t->dead)
			t->notify(t->ctx, t, event, key_copy, &nv, &ov);
	}
	store->delivery_depth--;
	if (store->delivery_depth == 0)
		reap_dead_trackers(store);
out:
	free(new_heap);
	free(old_heap);
	syn_track_match_fini(&m);
}

static bool any_tracker(const struct syn_store *store)
{
	return !syn_track_index_empty(&store->trackers);
}

/* Check a value against corosync's SET rules; returns the length to store. */
static int normalise_value(const void *value, size_t len, uint8_t type, size_t *stored_len)
{
	if (len > SYN_VALUE_MAX)
		return -EINVAL;
	if (type >= SYN_TYPE_INT8 && type <= SYN_TYPE_DOUBLE) {
		if (len != syn_value_type_size(type))
			return -EINVAL;
		*stored_len = len;
		return 0;
	}
	if (type == SYN_TYPE_STRING) {
		size_t n = len ? strnlen(value, len) : 0;
		if (len > 0 && n + 1 < len)
			return -EINVAL; /* a NUL before the last byte */
		*stored_len = n + 1;
		return 0;
	}
	if (type == SYN_TYPE_BINARY) {
		*stored_len = len;
		return 0;
	}
	return -EINVAL;
}

/* Build the stored bytes of a value (adds the NUL of a string). */
static unsigned char *value_dup(const void *value, size_t stored_len, uint8_t type)
{
	unsigned char *data;

	if (stored_len == 0)
		return NULL;
	data = malloc(stored_len);
	if (!data)
		return NULL;
	if (type == SYN_TYPE_STRING) {
		memcpy(data, value, stored_len - 1);
		data[stored_len - 1] = '\0';
	} else {
		memcpy(data, value, stored_len);
	}
	return data;
}

static int insert_entry(struct syn_store *store, size_t pos, struct entry *e)
{
	if (store->n_entries == store->cap_entries) {
		size_t ncap = store->cap_entries ? store->cap_entries * 2 : 64;
		struct entry **n = realloc(store->entries, ncap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		store->entries = n;
		store->cap_entries = ncap;
	}
	memmove(&store->entries[pos + 1], &store->entries[pos],
		(store->n_entries - pos) * sizeof(*store->entries));
	store->entries[pos] = e;
	store->n_entries++;
	return 0;
}

int syn_store_set(struct syn_store *store, const char *key, const void *value, size_t len,
		  uint8_t type)
{
	size_t stored_len, pos;
	struct entry *e;
	unsigned char *data;
	int rc;

	rc = normalise_value(value, len, type, &stored_len);
	if (rc != 0)
		return rc;
	e = find(store, key, &pos);
	if (e) {
		if (e->type == type && e->len == stored_len &&
		    (stored_len == 0 ||
		     (type == SYN_TYPE_STRING ? memcmp(e->data, value, stored_len - 1) == 0
					      : memcmp(e->data, value, stored_len) == 0)))
			return 0;
		data = value_dup(value, stored_len, type);
		if (stored_len && !data)
			return -ENOMEM;
		struct syn_value old = {e->type, e->len, e->data};
		unsigned char *old_data = e->data;
		e->type = type;
		e->len = stored_len;
		e->data = data;
		if (any_tracker(store)) {
			struct syn_value nv = {type, stored_len, data};
			deliver(store, SYN_TRACK_MODIFY, key, &nv, &old);
		}
		free(old_data);
		return 0;
	}
	if (!syn_store_key_name_valid(key))
		return -ENAMETOOLONG;
	size_t key_len = strlen(key);
	e = malloc(sizeof(*e) + key_len + 1);
	if (!e)
		return -ENOMEM;
	memcpy(e->key, key, key_len + 1);
	e->type = type;
	e->len = stored_len;
	e->data = value_dup(value, stored_len, type);
	if ((stored_len && !e->data) || insert_entry(store, pos, e) != 0) {
		free(e->data);
		free(e);
		return -ENOMEM;
	}
	if (any_tracker(store)) {
		struct syn_value nv = {type, stored_len, e->data};
		struct syn_value none = {0, 0, NULL};
		deliver(store, SYN_TRACK_ADD, key, &nv, &none);
	}
	return 0;
}

int syn_store_set_u8(struct syn_store *store, const char *key, uint8_t v)
{
	return syn_store_set(store, key, &v, sizeof(v), SYN_TYPE_UINT8);
}

int syn_store_set_u16(struct syn_store *store, const char *key, uint16_t v)
{
	return syn_store_set(store, key, &v, sizeof(v), SYN_TYPE_UINT16);
}

int syn_store_set_u32(struct syn_store *store, const char *key, uint32_t v)
{
	return syn_store_set(store, key, &v, sizeof(v), SYN_TYPE_UINT32);
}

int syn_store_set_u64(struct syn_store *store, const char *key, uint64_t v)
{
	return syn_store_set(store, key, &v, sizeof(v), SYN_TYPE_UINT64);
}

int syn_store_set_i32(struct syn_store *store, const char *key, int32_t v)
{
	return syn_store_set(store, key, &v, sizeof(v), SYN_TYPE_INT32);
}

int syn_store_set_str(struct syn_store *store, const char *key, const char *v)
{
	return syn_store_set(store, key, v, strlen(v), SYN_TYPE_STRING);
}

static void remove_at(struct syn_store *store, size_t pos)
{
	struct entry *e = store->entries[pos];

	memmove(&store->entries[pos], &store->entries[pos + 1],
		(store->n_entries - pos - 1) * sizeof(*store->entries));
	store->n_entries--;
	if (any_tracker(store)) {
		struct syn_value old = {e->type, e->len, e->data};
		struct syn_value none = {0, 0, NULL};
		deliver(store, SYN_TRACK_DELETE, e->key, &none, &old);
	}
	free(e->data);
	free(e);
}

int syn_store_delete(struct syn_store *store, const char *key)
{
	size_t pos;

	if (!find(store, key, &pos))
		return -ENOENT;
	remove_at(store, pos);
	return 0;
}

void syn_store_delete_prefix(struct syn_store *store, const char *prefix)
{
	struct syn_store_iter *it = syn_store_iter_create(store, prefix);
	const char *key;
	struct syn_value v;

	if (!it)
		return;
	while (syn_store_iter_next(it, &key, &v) == 0)
		syn_store_delete(store, key);
	syn_store_iter_destroy(it);
}

int syn_store_get(const struct syn_store *store, const char *key, struct syn_value *out)
{
	struct entry *e = find(store, key, NULL);

	if (!e)
		return -ENOENT;
	out->type = e->type;
	out->len = e->len;
	out->data = e->data;
	return 0;
}

bool syn_store_exists(const struct syn_store *store, const char *key)
{
	return find(store, key, NULL) != NULL;
}

static int get_typed(const struct syn_store *store, const char *key, uint8_t type, void *out)
{
	struct syn_value v;
	int rc = syn_store_get(store, key, &v);

	if (rc != 0)
		return rc;
	if (v.type != type)
		return -EINVAL;
	memcpy(out, v.data, v.len);
	return 0;
}

int syn_store_get_u8(const struct syn_store *store, const char *key, uint8_t *out)
{
	return get_typed(store, key, SYN_TYPE_UINT8, out);
}

int syn_store_get_u32(const struct syn_store *store, const char *key, uint32_t *out)
{
	return get_typed(store, key, SYN_TYPE_UINT32, out);
}

int syn_store_get_u64(const struct syn_store *store, const char *key, uint64_t *out)
{
	return get_typed(store, key, SYN_TYPE_UINT64, out);
}

int syn_store_get_str(const struct syn_store *store, const char *key, const char **out)
{
	struct syn_value v;
	int rc = syn_store_get(store, key, &v);

	if (rc != 0)
		return rc;
	if (v.type != SYN_TYPE_STRING)
		return -EINVAL;
	*out = v.data;
	return 0;
}

int syn_store_adjust(struct syn_store *store, const char *key, int32_t step)
{
	struct entry *e = find(store, key, NULL);
	size_t width;
	uint64_t raw = 0;

	if (!e)
		return -ENOENT;
	switch (e->type) {
	case SYN_TYPE_FLOAT:
	case SYN_TYPE_DOUBLE:
	case SYN_TYPE_STRING:
	case SYN_TYPE_BINARY:
		return -EINVAL;
	default:
		break;
	}
	width = syn_value_type_size(e->type);
	if (width == 0)
		return 0;
	/* Two's complement makes signed and unsigned wrap-around identical. */
	memcpy(&raw, e->data, width); /* little endian: low bytes first */
	raw += (uint64_t)(int64_t)step;
	return syn_store_set(store, key, &raw, width, e->type);
}

struct syn_store_iter *syn_store_iter_create(const struct syn_store *store, const char *prefix)
{
	struct syn_store_iter *it = calloc(1, sizeof(*it));

	if (!it)
		return NULL;
	it->store = store;
	it->prefix = strdup(prefix ? prefix : "");
	if (!it->prefix) {
		free(it);
		return NULL;
	}
	it->prefix_len = strlen(it->prefix);
	return it;
}

int syn_store_iter_next(struct syn_store_iter *it, const char **key, struct syn_value *value)
{
	const struct syn_store *store = it->store;
	size_t i = it->started ? lower_bound(store, it->last, true)
			       : lower_bound(store, it->prefix, false);
	struct entry *e;

	if (i >= store->n_entries)
		return -ENOENT;
	e = store->entries[i];
	if (strncmp(e->key, it->prefix, it->prefix_len) != 0)
		return -ENOENT;
	it->started = true;
	memcpy(it->last, e->key, strlen(e->key) + 1);
	*key = e->key;
	value->type = e->type;
	value->len = e->len;
	value->data = e->data;
	return 0;
}

void syn_store_iter_destroy(struct syn_store_iter *it)
{
	if (!it)
		return;
	free(it->prefix);
	free(it);
}

int syn_store_track_add(struct syn_store *store, const char *key, int32_t track_type,
			syn_store_notify_fn notify, void *ctx, struct syn_store_tracker **out)
{
	size_t key_len = key ? strlen(key) : 0;
	struct syn_store_tracker *t;

	if (track_type & ~0x0F)
		return -EINVAL;
	if (key_len > SYN_KEY_MAX)
		return -ENAMETOOLONG;
	t = calloc(1, sizeof(*t) + key_len + 1);
	if (!t)
		return -ENOMEM;
	if (key_len)
		memcpy(t->key, key, key_len);
	t->key_len = key_len;
	t->track_type = track_type;
	t->notify = notify;
	t->ctx = ctx;
	t->seq = store->next_tracker_seq++;
	if (syn_track_index_add(&store->trackers, t) != 0) {
		free(t);
		return -ENOMEM;
	}
	*out = t;
	return 0;
}

void syn_store_track_delete(struct syn_store *store, struct syn_store_tracker *t)
{
	if (!t || t->dead)
		return;
	if (store->delivery_depth > 0) {
		t->dead = true;
		t->dead_next = store->dead;
		store->dead = t;
		return;
	}
	syn_track_index_remove(&store->trackers, t);
	free(t);
}

void *syn_store_tracker_ctx(const struct syn_store_tracker *t)
{
	return t->ctx;
}
