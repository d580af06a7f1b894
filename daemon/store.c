/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * store.c - the cmap key space (see store.h for the contract).
 *
 * Keys live in an AVL tree ordered by strcmp(), its links embedded in the
 * entries: lookup, insertion, removal and "first key >= k" all cost
 * O(log n) whatever the order keys arrive in, so loading n keys (a
 * configuration file, a client filling the map) is O(n log n).  Prefix
 * iteration is a walk of successive lower bounds.  Invariants: every
 * node's key sorts after all keys of its left subtree and before all of
 * its right subtree; heights of sibling subtrees differ by at most one.
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
	struct entry *left;
	struct entry *right;
	int height; /* of the subtree rooted here; a leaf is 1 */
	uint8_t type;
	bool data_inline; /* data is in this allocation, after the key */
	size_t len;
	unsigned char *data; /* NULL when len == 0 */
	char key[];
};

struct syn_store {
	struct entry *root;
	size_t n_entries;
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

static void entry_free(struct entry *e)
{
	if (!e->data_inline)
		free(e->data);
	free(e);
}

/* Recursion depth is the tree height, under 1.45 log2(n) + 2. */
static void tree_free(struct entry *e)
{
	if (!e)
		return;
	tree_free(e->left);
	tree_free(e->right);
	entry_free(e);
}

void syn_store_destroy(struct syn_store *store)
{
	if (!store)
		return;
	tree_free(store->root);
	syn_track_index_fini(&store->trackers);
	free(store);
}

static int height(const struct entry *e)
{
	return e ? e->height : 0;
}

static void update_height(struct entry *e)
{
	int l = height(e->left), r = height(e->right);

	e->height = (l > r ? l : r) + 1;
}

static struct entry *rotate_right(struct entry *e)
{
	struct entry *l = e->left;

	e->left = l->right;
	l->right = e;
	update_height(e);
	update_height(l);
	return l;
}

static struct entry *rotate_left(struct entry *e)
{
	struct entry *r = e->right;

	e->right = r->left;
	r->left = e;
	update_height(e);
	update_height(r);
	return r;
}

/* Restore the AVL balance at e after one insertion or removal below it. */
static struct entry *rebalance(struct entry *e)
{
	int balance;

	update_height(e);
	balance = height(e->left) - height(e->right);
	if (balance > 1) {
		if (height(e->left->left) < height(e->left->right))
			e->left = rotate_left(e->left);
		return rotate_right(e);
	}
	if (balance < -1) {
		if (height(e->right->right) < height(e->right->left))
			e->right = rotate_right(e->right);
		return rotate_left(e);
	}
	return e;
}

/*
 * Comparisons of one key with the entries met on a descent.  Every key of
 * the subtree entered next lies between the nearest ancestors passed on
 * its left and on its right, so it shares with key at least the shorter
 * of key's common prefixes with those two; comparing starts after it.
 * Long keys that share long prefixes (test.key123456 next to
 * test.key123457) then cost a few byte compares per level, not a strcmp.
 */
struct descent {
	size_t lcp_low;	 /* common prefix with the nearest smaller ancestor */
	size_t lcp_high; /* common prefix with the nearest larger ancestor */
	size_t lcp_last; /* common prefix with the entry compared last */
};

/* strcmp(key, other), knowing the prefix the two share. */
static inline int descent_cmp(struct descent *d, const char *key, const char *other)
{
	size_t i = d->lcp_low < d->lcp_high ? d->lcp_low : d->lcp_high;

	while (key[i] != '\0' && key[i] == other[i])
		i++;
	d->lcp_last = i;
	return (int)(unsigned char)key[i] - (int)(unsigned char)other[i];
}

/* The entry compared last becomes the smaller (right) or larger bound. */
static inline void descent_go(struct descent *d, bool right)
{
	if (right)
		d->lcp_low = d->lcp_last;
	else
		d->lcp_high = d->lcp_last;
}

/*
 * The links followed from the root to where key is or would be.  An AVL
 * tree of height h holds at least F(h+2)-1 entries (F Fibonacci), so 96
 * levels exceed any tree that fits in memory.
 */
#define TREE_DEPTH_MAX 96
struct tree_path {
	struct entry **link[TREE_DEPTH_MAX];
	int n;
};

/* Walk to key, recording the links; the entry, or NULL with the empty link last. */
static struct entry *find_path(struct syn_store *store, const char *key, struct tree_path *path)
{
	struct entry **link = &store->root;
	struct descent d = {0};

	path->n = 0;
	while (*link) {
		int c = descent_cmp(&d, key, (*link)->key);
		path->link[path->n++] = link;
		if (c == 0)
			return *link;
		descent_go(&d, c > 0);
		link = c < 0 ? &(*link)->left : &(*link)->right;
	}
	path->link[path->n++] = link;
	return NULL;
}

/*
 * Hang e on the empty link find_path ended at and rebalance upwards,
 * stopping at the first subtree whose height did not change: nothing
 * above it can have changed either.
 */
static void insert_at(struct tree_path *path, struct entry *e)
{
	*path->link[path->n - 1] = e;
	for (int i = path->n - 2; i >= 0; i--) {
		int before = (*path->link[i])->height;
		*path->link[i] = rebalance(*path->link[i]);
		if ((*path->link[i])->height == before)
			break;
	}
}

/* Detach the smallest entry of a non-empty subtree into *min. */
static struct entry *tree_remove_min(struct entry *root, struct entry **min)
{
	if (!root->left) {
		*min = root;
		return root->right;
	}
	root->left = tree_remove_min(root->left, min);
	return rebalance(root);
}

/* Detach the entry with key (which is in the tree) into *out. */
static struct entry *tree_remove(struct entry *root, const char *key, struct entry **out)
{
	int c = strcmp(key, root->key);
	struct entry *succ;

	if (c < 0) {
		root->left = tree_remove(root->left, key, out);
		return rebalance(root);
	}
	if (c > 0) {
		root->right = tree_remove(root->right, key, out);
		return rebalance(root);
	}
	*out = root;
	if (!root->right)
		return root->left;
	root->right = tree_remove_min(root->right, &succ);
	succ->left = root->left;
	succ->right = root->right;
	return rebalance(succ);
}

/* The first entry whose key is >= key (> key when after), or NULL. */
static struct entry *lower_bound(const struct syn_store *store, const char *key, bool after)
{
	struct entry *e = store->root, *best = NULL;
	struct descent d = {0};

	while (e) {
		int c = descent_cmp(&d, key, e->key);
		bool right = c > 0 || (after && c == 0);
		descent_go(&d, right);
		if (right) {
			e = e->right;
		} else {
			best = e;
			e = e->left;
		}
	}
	return best;
}

static struct entry *find(const struct syn_store *store, const char *key)
{
	struct entry *e = store->root;
	struct descent d = {0};

	while (e) {
		int c = descent_cmp(&d, key, e->key);
		if (c == 0)
			return e;
		descent_go(&d, c > 0);
		e = c < 0 ? e->left : e->right;
	}
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

/* Write the stored bytes of a value (adds the NUL of a string). */
static void value_write(unsigned char *data, const void *value, size_t stored_len, uint8_t type)
{
	if (type == SYN_TYPE_STRING) {
		memcpy(data, value, stored_len - 1);
		data[stored_len - 1] = '\0';
	} else {
		memcpy(data, value, stored_len);
	}
}

/* A new value for an existing entry, in its own allocation. */
static int entry_modify(struct syn_store *store, struct entry *e, const void *value,
			size_t stored_len, uint8_t type)
{
	unsigned char *data = NULL, *old_data = e->data;
	bool old_inline = e->data_inline;

	if (e->type == type && e->len == stored_len &&
	    (stored_len == 0 ||
	     (type == SYN_TYPE_STRING ? memcmp(e->data, value, stored_len - 1) == 0
				      : memcmp(e->data, value, stored_len) == 0)))
		return 0;
	if (stored_len) {
		data = malloc(stored_len);
		if (!data)
			return -ENOMEM;
		value_write(data, value, stored_len, type);
	}
	struct syn_value old = {e->type, e->len, e->data};
	e->type = type;
	e->len = stored_len;
	e->data = data;
	e->data_inline = false;
	if (any_tracker(store)) {
		struct syn_value nv = {type, stored_len, data};
		deliver(store, SYN_TRACK_MODIFY, e->key, &nv, &old);
	}
	if (!old_inline)
		free(old_data);
	return 0;
}

/*
 * A new entry hung where find_path stopped.  Key and first value share
 * one allocation, the value aligned for any fixed-size type.
 */
static int entry_add(struct syn_store *store, struct tree_path *path, const char *key,
		     const void *value, size_t stored_len, uint8_t type)
{
	size_t key_len, data_off;
	struct entry *e;

	if (!syn_store_key_name_valid(key))
		return -ENAMETOOLONG;
	key_len = strlen(key);
	data_off = (sizeof(*e) + key_len + 1 + 7) & ~(size_t)7;
	e = malloc(data_off + stored_len);
	if (!e)
		return -ENOMEM;
	memcpy(e->key, key, key_len + 1);
	e->left = e->right = NULL;
	e->height = 1;
	e->type = type;
	e->len = stored_len;
	e->data = stored_len ? (unsigned char *)e + data_off : NULL;
	e->data_inline = true;
	if (stored_len)
		value_write(e->data, value, stored_len, type);
	insert_at(path, e);
	store->n_entries++;
	if (any_tracker(store)) {
		struct syn_value nv = {type, stored_len, e->data};
		struct syn_value none = {0, 0, NULL};
		deliver(store, SYN_TRACK_ADD, e->key, &nv, &none);
	}
	return 0;
}

int syn_store_set(struct syn_store *store, const char *key, const void *value, size_t len,
		  uint8_t type)
{
	struct tree_path path;
	size_t stored_len;
	struct entry *e;
	int rc;

	rc = normalise_value(value, len, type, &stored_len);
	if (rc != 0)
		return rc;
	e = find_path(store, key, &path);
	if (e)
		return entry_modify(store, e, value, stored_len, type);
	return entry_add(store, &path, key, value, stored_len, type);
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

int syn_store_merge(struct syn_store *dst, struct syn_store *src)
{
	struct syn_store_iter *it;
	const char *key;
	struct syn_value v;
	int rc = 0;

	if (!dst->root && !any_tracker(dst)) {
		dst->root = src->root;
		dst->n_entries = src->n_entries;
		src->root = NULL;
		src->n_entries = 0;
		return 0;
	}
	it = syn_store_iter_create(src, NULL);
	if (!it)
		return -ENOMEM;
	while (rc == 0 && syn_store_iter_next(it, &key, &v) == 0)
		rc = syn_store_set(dst, key, v.data, v.len, v.type);
	syn_store_iter_destroy(it);
	if (rc == 0) {
		tree_free(src->root);
		src->root = NULL;
		src->n_entries = 0;
	}
	return rc;
}

int syn_store_delete(struct syn_store *store, const char *key)
{
	struct entry *e;

	if (!find(store, key))
		return -ENOENT;
	store->root = tree_remove(store->root, key, &e);
	store->n_entries--;
	if (any_tracker(store)) {
		struct syn_value old = {e->type, e->len, e->data};
		struct syn_value none = {0, 0, NULL};
		deliver(store, SYN_TRACK_DELETE, e->key, &none, &old);
	}
	entry_free(e);
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
	struct entry *e = find(store, key);

	if (!e)
		return -ENOENT;
	out->type = e->type;
	out->len = e->len;
	out->data = e->data;
	return 0;
}

bool syn_store_exists(const struct syn_store *store, const char *key)
{
	return find(store, key) != NULL;
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

/* The host-order unsigned integer of `width` bytes (1, 2, 4 or 8) at p. */
static uint64_t host_uint_read(const void *p, size_t width)
{
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	switch (width) {
	case 1:
		memcpy(&u8, p, 1);
		return u8;
	case 2:
		memcpy(&u16, p, 2);
		return u16;
	case 4:
		memcpy(&u32, p, 4);
		return u32;
	default:
		memcpy(&u64, p, 8);
		return u64;
	}
}

/* Store the low `width` bytes' worth of value under key, in host order. */
static int host_uint_set(struct syn_store *store, const char *key, uint64_t value, size_t width,
			 uint8_t type)
{
	uint8_t u8 = (uint8_t)value;
	uint16_t u16 = (uint16_t)value;
	uint32_t u32 = (uint32_t)value;

	switch (width) {
	case 1:
		return syn_store_set(store, key, &u8, 1, type);
	case 2:
		return syn_store_set(store, key, &u16, 2, type);
	case 4:
		return syn_store_set(store, key, &u32, 4, type);
	default:
		return syn_store_set(store, key, &value, 8, type);
	}
}

int syn_store_adjust(struct syn_store *store, const char *key, int32_t step)
{
	struct entry *e = find(store, key);
	size_t width;
	uint64_t raw;

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
	/*
	 * Values are kept in host order (as cmap's IPC carries them), so the
	 * integer is read and written at its own width: copying `width`
	 * bytes into the low end of a 64-bit integer only works on a
	 * little-endian host.  Two's complement makes signed and unsigned
	 * wrap-around identical.
	 */
	raw = (uint64_t)(int64_t)step + host_uint_read(e->data, width);
	return host_uint_set(store, key, raw, width, e->type);
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
	struct entry *e = it->started ? lower_bound(store, it->last, true)
				      : lower_bound(store, it->prefix, false);

	if (!e)
		return -ENOENT;
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

bool syn_store_watched(const struct syn_store *store, const char *key)
{
	return syn_track_index_watched(&store->trackers, key, strlen(key));
}

void *syn_store_tracker_ctx(const struct syn_store_tracker *t)
{
	return t->ctx;
}
