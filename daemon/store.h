/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * store.h - one cmap key space: typed values under key names, kept in
 * byte-wise key order, with prefix iteration that survives concurrent
 * changes and change tracking that reports old and new values.
 *
 * The store applies corosync's value rules (sizes of fixed types, string
 * normalisation, 16 KiB limit) and key-name rules, but no access policy:
 * read-only keys are the cmap service's business, so the daemon itself
 * may write any key.  Errors are 0 / -errno:
 *   -ENAMETOOLONG  key name invalid when creating a key (3..255 chars of
 *                  a-z A-Z 0-9 . _ - / :)
 *   -EINVAL        value rejected (length/type), or adjust on a
 *                  non-integer type
 *   -ENOENT        key absent
 *   -ENOMEM        allocation failed; the store is unchanged
 *
 * Notifications are delivered synchronously from the call that made the
 * change, once per matching tracker, in corosync's order (longest tracked
 * key first; at one key exact trackers newest first, then prefix trackers
 * oldest first; whole-map trackers last, newest first).  A callback may
 * change the store or delete trackers, including itself.
 */
#ifndef SYN_DAEMON_STORE_H
#define SYN_DAEMON_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Value types: the cmap_value_types_t codes. */
enum syn_value_type {
	SYN_TYPE_NONE = 0,
	SYN_TYPE_INT8 = 1,
	SYN_TYPE_UINT8 = 2,
	SYN_TYPE_INT16 = 3,
	SYN_TYPE_UINT16 = 4,
	SYN_TYPE_INT32 = 5,
	SYN_TYPE_UINT32 = 6,
	SYN_TYPE_INT64 = 7,
	SYN_TYPE_UINT64 = 8,
	SYN_TYPE_FLOAT = 9,
	SYN_TYPE_DOUBLE = 10,
	SYN_TYPE_STRING = 11,
	SYN_TYPE_BINARY = 12,
};

/* Track flags and event codes: the CMAP_TRACK_* values. */
#define SYN_TRACK_DELETE 1
#define SYN_TRACK_MODIFY 2
#define SYN_TRACK_ADD 4
#define SYN_TRACK_PREFIX 8

#define SYN_KEY_MIN 3
#define SYN_KEY_MAX 255
#define SYN_VALUE_MAX 16384

/* A borrowed view of a value; type NONE with len 0 means "no value". */
struct syn_value {
	uint8_t type;
	size_t len;
	const void *data;
};

struct syn_store;
struct syn_store_tracker;
struct syn_store_iter;

/*
 * Called for each change a tracker matches.  new_value is unset for
 * DELETE, old_value for ADD.  Pointers are valid during the call only.
 */
typedef void (*syn_store_notify_fn)(void *ctx, struct syn_store_tracker *tracker, int event,
				    const char *key, const struct syn_value *new_value,
				    const struct syn_value *old_value);

struct syn_store *syn_store_create(void);
void syn_store_destroy(struct syn_store *store);

/* Fixed size of a type (1..10), 0 for string, binary and unknown types. */
size_t syn_value_type_size(uint8_t type);
/* True when name is a valid key name for a new key. */
bool syn_store_key_name_valid(const char *name);

/*
 * Set key to a value.  A STRING is stored as its first
 * min(strlen, len) bytes plus a NUL.  Setting an identical type and value
 * changes nothing and notifies nobody.
 */
int syn_store_set(struct syn_store *store, const char *key, const void *value, size_t len,
		  uint8_t type);
/* Typed conveniences for the daemon's own keys. */
int syn_store_set_u8(struct syn_store *store, const char *key, uint8_t v);
int syn_store_set_u16(struct syn_store *store, const char *key, uint16_t v);
int syn_store_set_u32(struct syn_store *store, const char *key, uint32_t v);
int syn_store_set_u64(struct syn_store *store, const char *key, uint64_t v);
int syn_store_set_i32(struct syn_store *store, const char *key, int32_t v);
int syn_store_set_str(struct syn_store *store, const char *key, const char *v);

/*
 * Set every key of src in dst, as syn_store_set of each would (same
 * notifications to dst's trackers), and leave src empty.  When dst holds
 * no key and no tracker, the keys move without copying in O(1).  Returns
 * 0, or -ENOMEM with some keys set in dst and src unchanged.
 */
int syn_store_merge(struct syn_store *dst, struct syn_store *src);

int syn_store_delete(struct syn_store *store, const char *key);
/* Delete every key starting with prefix (notifying each deletion). */
void syn_store_delete_prefix(struct syn_store *store, const char *prefix);

/* Borrow the value of key; valid until the next change of the store. */
int syn_store_get(const struct syn_store *store, const char *key, struct syn_value *out);
bool syn_store_exists(const struct syn_store *store, const char *key);
/* Read an integer key of exactly the given type. -EINVAL on type mismatch. */
int syn_store_get_u8(const struct syn_store *store, const char *key, uint8_t *out);
int syn_store_get_u32(const struct syn_store *store, const char *key, uint32_t *out);
int syn_store_get_u64(const struct syn_store *store, const char *key, uint64_t *out);
/* Borrow a STRING value. */
int syn_store_get_str(const struct syn_store *store, const char *key, const char **out);

/*
 * Add step to an integer key, wrapping modulo its width.  FLOAT, DOUBLE,
 * STRING, BINARY -> -EINVAL; unknown type codes -> 0, nothing changes.
 */
int syn_store_adjust(struct syn_store *store, const char *key, int32_t step);

size_t syn_store_count(const struct syn_store *store);

/*
 * Iterate keys starting with prefix (NULL or "" = all) in byte-wise
 * order.  The iterator remembers the last key returned, so any change to
 * the store between calls is safe: deleted keys are skipped, keys added
 * after the position are seen.
 */
struct syn_store_iter *syn_store_iter_create(const struct syn_store *store, const char *prefix);
/* 0 with the next key and value (borrowed until the next change), -ENOENT at end. */
int syn_store_iter_next(struct syn_store_iter *iter, const char **key, struct syn_value *value);
void syn_store_iter_destroy(struct syn_store_iter *iter);

/*
 * Track changes of key (exact) or of every key under it (SYN_TRACK_PREFIX);
 * NULL or "" with PREFIX tracks the whole map.  track_type bits outside
 * 0x0F -> -EINVAL.
 */
int syn_store_track_add(struct syn_store *store, const char *key, int32_t track_type,
			syn_store_notify_fn notify, void *ctx, struct syn_store_tracker **out);
void syn_store_track_delete(struct syn_store *store, struct syn_store_tracker *tracker);
/*
 * True when a live exact tracker of key asks for MODIFY: a value the
 * owner computes only on demand must then be kept current without reads.
 */
bool syn_store_watched(const struct syn_store *store, const char *key);
/* The ctx a tracker was created with. */
void *syn_store_tracker_ctx(const struct syn_store_tracker *tracker);

#endif /* SYN_DAEMON_STORE_H */
