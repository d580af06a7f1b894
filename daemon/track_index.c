/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * track_index.c - the store's tracker index (see track_index.h).
 *
 * The hash table chains nodes; it doubles when it holds as many nodes as
 * buckets and halves when a quarter of that remains, so the memory of a
 * burst of trackers is given back when they go.  A failed resize keeps
 * the old table (chains grow, nothing is lost).  Each node keeps its hash
 * so resizing does not rehash keys.
 *
 * A change of key K (length n) looks up the node of K itself and the node
 * of K's first L bytes for each L < n that some prefix tracker has, then
 * takes the whole-map list: at most n + 1 lookups, usually two or three.
 */
#include "track_index.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

#define MIN_BUCKETS 64

struct syn_track_node {
	struct syn_track_node *chain;
	uint64_t hash;
	struct syn_track_list exact;
	struct syn_track_list prefix;
	size_t key_len;
	char key[];
};

/* ---- SipHash-1-3 (Aumasson and Bernstein), keyed per index -------------- */

static uint64_t rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

static void sip_round(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = rotl(v[1], 13) ^ v[0];
	v[0] = rotl(v[0], 32);
	v[2] += v[3];
	v[3] = rotl(v[3], 16) ^ v[2];
	v[0] += v[3];
	v[3] = rotl(v[3], 21) ^ v[0];
	v[2] += v[1];
	v[1] = rotl(v[1], 17) ^ v[2];
	v[2] = rotl(v[2], 32);
}

static uint64_t load_le64(const unsigned char *p, size_t n)
{
	uint64_t w = 0;

	for (size_t i = 0; i < n; i++)
		w |= (uint64_t)p[i] << (8 * i);
	return w;
}

static uint64_t sip_hash(const uint64_t k[2], const char *data, size_t len)
{
	const unsigned char *p = (const unsigned char *)data;
	uint64_t v[4] = {k[0] ^ 0x736f6d6570736575ULL, k[1] ^ 0x646f72616e646f6dULL,
			 k[0] ^ 0x6c7967656e657261ULL, k[1] ^ 0x7465646279746573ULL};
	size_t whole = len & ~(size_t)7;
	uint64_t m;

	for (size_t i = 0; i < whole; i += 8) {
		m = load_le64(p + i, 8);
		v[3] ^= m;
		sip_round(v);
		v[0] ^= m;
	}
	m = ((uint64_t)len << 56) | load_le64(p + whole, len - whole);
	v[3] ^= m;
	sip_round(v);
	v[0] ^= m;
	v[2] ^= 0xff;
	for (int i = 0; i < 3; i++)
		sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

static void hash_key_init(struct syn_track_index *ix)
{
	struct timespec ts;

	if (getrandom(ix->hash_key, sizeof(ix->hash_key), GRND_NONBLOCK) ==
	    (ssize_t)sizeof(ix->hash_key))
		return;
	/* No entropy yet (early boot): still unpredictable enough to a client. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ix->hash_key[0] = (uint64_t)(uintptr_t)ix ^ ((uint64_t)ts.tv_nsec << 20);
	ix->hash_key[1] = (uint64_t)ts.tv_sec * 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid();
}

/* ---- lists ------------------------------------------------------------- */

static void list_append(struct syn_track_list *l, struct syn_store_tracker *t)
{
	t->next = NULL;
	t->prev = l->tail;
	if (l->tail)
		l->tail->next = t;
	else
		l->head = t;
	l->tail = t;
}

static void list_unlink(struct syn_track_list *l, struct syn_store_tracker *t)
{
	if (t->prev)
		t->prev->next = t->next;
	else
		l->head = t->next;
	if (t->next)
		t->next->prev = t->prev;
	else
		l->tail = t->prev;
	t->next = t->prev = NULL;
}

static void list_free(struct syn_track_list *l)
{
	while (l->head) {
		struct syn_store_tracker *t = l->head;
		l->head = t->next;
		free(t);
	}
	l->tail = NULL;
}

/* ---- the table --------------------------------------------------------- */

void syn_track_index_init(struct syn_track_index *ix)
{
	memset(ix, 0, sizeof(*ix));
	hash_key_init(ix);
}

void syn_track_index_fini(struct syn_track_index *ix)
{
	for (size_t b = 0; b < ix->n_buckets; b++) {
		while (ix->buckets[b]) {
			struct syn_track_node *n = ix->buckets[b];
			ix->buckets[b] = n->chain;
			list_free(&n->exact);
			list_free(&n->prefix);
			free(n);
		}
	}
	free(ix->buckets);
	list_free(&ix->whole);
	list_free(&ix->inert);
	memset(ix, 0, sizeof(*ix));
}

static void table_resize(struct syn_track_index *ix, size_t n_buckets)
{
	struct syn_track_node **nb = calloc(n_buckets, sizeof(*nb));

	if (!nb)
		return;
	for (size_t b = 0; b < ix->n_buckets; b++) {
		while (ix->buckets[b]) {
			struct syn_track_node *n = ix->buckets[b];
			size_t to = n->hash & (n_buckets - 1);
			ix->buckets[b] = n->chain;
			n->chain = nb[to];
			nb[to] = n;
		}
	}
	free(ix->buckets);
	ix->buckets = nb;
	ix->n_buckets = n_buckets;
}

static struct syn_track_node *node_find(const struct syn_track_index *ix, const char *key,
					size_t len)
{
	uint64_t h;

	if (ix->n_nodes == 0)
		return NULL;
	h = sip_hash(ix->hash_key, key, len);
	for (struct syn_track_node *n = ix->buckets[h & (ix->n_buckets - 1)]; n; n = n->chain)
		if (n->hash == h && n->key_len == len && memcmp(n->key, key, len) == 0)
			return n;
	return NULL;
}

static struct syn_track_node *node_get(struct syn_track_index *ix, const char *key, size_t len)
{
	struct syn_track_node *n = node_find(ix, key, len);
	size_t b;

	if (n)
		return n;
	if (ix->n_buckets == 0) {
		table_resize(ix, MIN_BUCKETS);
		if (ix->n_buckets == 0)
			return NULL;
	} else if (ix->n_nodes >= ix->n_buckets) {
		table_resize(ix, ix->n_buckets * 2);
	}
	n = calloc(1, sizeof(*n) + len + 1);
	if (!n)
		return NULL;
	memcpy(n->key, key, len);
	n->key_len = len;
	n->hash = sip_hash(ix->hash_key, key, len);
	b = n->hash & (ix->n_buckets - 1);
	n->chain = ix->buckets[b];
	ix->buckets[b] = n;
	ix->n_nodes++;
	return n;
}

static void node_release(struct syn_track_index *ix, struct syn_track_node *n)
{
	struct syn_track_node **p;

	if (n->exact.head || n->prefix.head)
		return;
	p = &ix->buckets[n->hash & (ix->n_buckets - 1)];
	while (*p != n)
		p = &(*p)->chain;
	*p = n->chain;
	free(n);
	ix->n_nodes--;
	if (ix->n_nodes == 0) {
		free(ix->buckets);
		ix->buckets = NULL;
		ix->n_buckets = 0;
	} else if (ix->n_buckets > MIN_BUCKETS && ix->n_nodes < ix->n_buckets / 4) {
		table_resize(ix, ix->n_buckets / 2);
	}
}

/* ---- filing trackers --------------------------------------------------- */

static bool is_prefix(const struct syn_store_tracker *t)
{
	return (t->track_type & SYN_TRACK_PREFIX) != 0;
}

int syn_track_index_add(struct syn_track_index *ix, struct syn_store_tracker *t)
{
	struct syn_track_node *n;

	t->node = NULL;
	if (t->key_len == 0) {
		list_append(is_prefix(t) ? &ix->whole : &ix->inert, t);
		ix->n_trackers++;
		return 0;
	}
	n = node_get(ix, t->key, t->key_len);
	if (!n)
		return -ENOMEM;
	t->node = n;
	if (is_prefix(t)) {
		list_append(&n->prefix, t);
		ix->n_prefix_by_len[t->key_len]++;
	} else {
		list_append(&n->exact, t);
	}
	ix->n_trackers++;
	return 0;
}

void syn_track_index_remove(struct syn_track_index *ix, struct syn_store_tracker *t)
{
	struct syn_track_node *n = t->node;

	ix->n_trackers--;
	if (!n) {
		list_unlink(is_prefix(t) ? &ix->whole : &ix->inert, t);
		return;
	}
	if (is_prefix(t)) {
		list_unlink(&n->prefix, t);
		ix->n_prefix_by_len[t->key_len]--;
	} else {
		list_unlink(&n->exact, t);
	}
	t->node = NULL;
	node_release(ix, n);
}

bool syn_track_index_empty(const struct syn_track_index *ix)
{
	return ix->n_trackers == 0;
}

bool syn_track_index_watched(const struct syn_track_index *ix, const char *key, size_t len)
{
	const struct syn_track_node *n = len ? node_find(ix, key, len) : NULL;

	for (const struct syn_store_tracker *t = n ? n->exact.head : NULL; t; t = t->next)
		if (!t->dead && (t->track_type & SYN_TRACK_MODIFY))
			return true;
	return false;
}

/* ---- matching ---------------------------------------------------------- */

void syn_track_match_init(struct syn_track_match *m)
{
	m->v = m->local;
	m->n = 0;
	m->cap = sizeof(m->local) / sizeof(m->local[0]);
}

void syn_track_match_fini(struct syn_track_match *m)
{
	if (m->v != m->local)
		free(m->v);
	syn_track_match_init(m);
}

static int match_push(struct syn_track_match *m, struct syn_store_tracker *t, int event)
{
	if (t->dead || !(t->track_type & event))
		return 0;
	if (m->n == m->cap) {
		size_t ncap = m->cap * 2;
		struct syn_store_tracker **v = malloc(ncap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		memcpy(v, m->v, m->n * sizeof(*v));
		if (m->v != m->local)
			free(m->v);
		m->v = v;
		m->cap = ncap;
	}
	m->v[m->n++] = t;
	return 0;
}

static int push_oldest_first(struct syn_track_match *m, const struct syn_track_list *l, int event)
{
	for (struct syn_store_tracker *t = l->head; t; t = t->next)
		if (match_push(m, t, event) != 0)
			return -ENOMEM;
	return 0;
}

static int push_newest_first(struct syn_track_match *m, const struct syn_track_list *l, int event)
{
	for (struct syn_store_tracker *t = l->tail; t; t = t->prev)
		if (match_push(m, t, event) != 0)
			return -ENOMEM;
	return 0;
}

/* The trackers filed under the first len bytes of key; the key itself first. */
static int collect_node(const struct syn_track_index *ix, const char *key, size_t len,
			bool whole_key, int event, struct syn_track_match *m)
{
	const struct syn_track_node *n = node_find(ix, key, len);

	if (!n)
		return 0;
	if (whole_key && push_newest_first(m, &n->exact, event) != 0)
		return -ENOMEM;
	return push_oldest_first(m, &n->prefix, event);
}

int syn_track_index_collect(const struct syn_track_index *ix, const char *key, int event,
			    struct syn_track_match *m)
{
	size_t len = strnlen(key, SYN_KEY_MAX + 1);

	if (len <= SYN_KEY_MAX) {
		if (collect_node(ix, key, len, true, event, m) != 0)
			return -ENOMEM;
		for (size_t l = len; l-- > 1;)
			if (ix->n_prefix_by_len[l] > 0 &&
			    collect_node(ix, key, l, false, event, m) != 0)
				return -ENOMEM;
	}
	return push_newest_first(m, &ix->whole, event);
}
