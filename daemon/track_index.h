/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * track_index.h - the store's index of change trackers (internal to the
 * store; see store.h for what tracking means to its users).
 *
 * Trackers are found by the key they watch, so finding the trackers of a
 * change costs in proportion to the key's length and to the trackers that
 * watch that key or one of its prefixes, never to all trackers:
 *   - exact trackers, in a hash table of nodes, one node per tracked key
 *     string, in creation order;
 *   - prefix trackers, on the node of their prefix, in creation order,
 *     with a count per prefix length so a change looks up only the
 *     prefix lengths somebody tracks;
 *   - whole-map trackers (PREFIX with an empty key), in one list;
 *   - exact trackers with an empty key, which match nothing, in a list of
 *     their own so they are freed with the index.
 * The table hashes with SipHash-1-3 under a key drawn at start-up, so
 * clients choosing key names cannot pile trackers into one chain.
 *
 * The index only files trackers; delivery order, dead marking and
 * reaping are the store's (store.c).  A node lives while it holds a
 * tracker.  Nothing here notifies or re-enters the store.
 */
#ifndef SYN_DAEMON_TRACK_INDEX_H
#define SYN_DAEMON_TRACK_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct syn_track_node;

struct syn_store_tracker {
	struct syn_store_tracker *next; /* in its list, creation order */
	struct syn_store_tracker *prev;
	struct syn_store_tracker *dead_next; /* the store's list of trackers to reap */
	struct syn_track_node *node;	     /* NULL for whole-map and empty-key trackers */
	uint64_t seq;
	int32_t track_type;
	bool dead;
	syn_store_notify_fn notify;
	void *ctx;
	size_t key_len;
	char key[];
};

struct syn_track_list {
	struct syn_store_tracker *head;
	struct syn_store_tracker *tail;
};

struct syn_track_index {
	struct syn_track_node **buckets;
	size_t n_buckets; /* a power of two, or 0 before the first node */
	size_t n_nodes;
	size_t n_trackers;
	struct syn_track_list whole;
	struct syn_track_list inert;
	uint32_t n_prefix_by_len[SYN_KEY_MAX + 1];
	uint64_t hash_key[2];
};

/* Trackers matched by one change, in delivery order. */
struct syn_track_match {
	struct syn_store_tracker **v;
	size_t n;
	size_t cap;
	struct syn_store_tracker *local[16];
};

void syn_track_index_init(struct syn_track_index *ix);
/* Frees every tracker still filed and the table. */
void syn_track_index_fini(struct syn_track_index *ix);
/* File t by its key_len, key and track_type.  0 or -ENOMEM (nothing filed). */
int syn_track_index_add(struct syn_track_index *ix, struct syn_store_tracker *t);
/* Take t out of the index (the caller frees it). */
void syn_track_index_remove(struct syn_track_index *ix, struct syn_store_tracker *t);
bool syn_track_index_empty(const struct syn_track_index *ix);
/* True when a live exact tracker of key asks for MODIFY. */
bool syn_track_index_watched(const struct syn_track_index *ix, const char *key, size_t len);

/*
 * Collect the live trackers of event on key into m, in corosync's order
 * (store.h).  Returns 0, or -ENOMEM with m holding those collected before
 * memory ran out.  Release m with syn_track_match_fini().
 */
void syn_track_match_init(struct syn_track_match *m);
int syn_track_index_collect(const struct syn_track_index *ix, const char *key, int event,
			    struct syn_track_match *m);
void syn_track_match_fini(struct syn_track_match *m);

#endif /* SYN_DAEMON_TRACK_INDEX_H */
