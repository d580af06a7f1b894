/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * le.h - the one little-endian codec of synod's node-to-node formats.
 *
 * Every format declared in proto/net_*.h is encoded and decoded field by
 * field through these functions, whatever the host's byte order; no
 * struct is ever copied onto or off the network.  Header-only and free
 * of everything but memcpy, so the pure core can use it.
 *
 * Two forms:
 *   - fixed offsets: syn_le_put32(p, v) / syn_le_get32(p) on a buffer
 *     whose length the caller has already checked against the format's
 *     fixed size;
 *   - a cursor (struct syn_le_wr / struct syn_le_rd) for formats with
 *     variable parts: every access is bounds-checked, a failed one sets
 *     the sticky `bad` flag and touches nothing (reads then return 0), so
 *     a caller checks once, at the end.  A writer with p == NULL only
 *     counts the bytes an encoding needs.
 */
#ifndef SYN_PROTO_LE_H
#define SYN_PROTO_LE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ---- fixed offsets ---------------------------------------------------- */

static inline void syn_le_put8(uint8_t *p, uint8_t v)
{
	p[0] = v;
}

static inline void syn_le_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void syn_le_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void syn_le_put64(uint8_t *p, uint64_t v)
{
	syn_le_put32(p, (uint32_t)v);
	syn_le_put32(p + 4, (uint32_t)(v >> 32));
}

static inline uint8_t syn_le_get8(const uint8_t *p)
{
	return p[0];
}

static inline uint16_t syn_le_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t syn_le_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static inline uint64_t syn_le_get64(const uint8_t *p)
{
	return (uint64_t)syn_le_get32(p) | ((uint64_t)syn_le_get32(p + 4) << 32);
}

/* ---- writer cursor ---------------------------------------------------- */

struct syn_le_wr {
	uint8_t *p; /* NULL: only count */
	size_t cap;
	size_t off;
	bool bad;
};

static inline struct syn_le_wr syn_le_wr_init(void *buf, size_t cap)
{
	struct syn_le_wr w = {(uint8_t *)buf, cap, 0, false};
	return w;
}

/* Reserve n bytes; NULL when counting, failed or out of room. */
static inline uint8_t *syn_le_wr_take(struct syn_le_wr *w, size_t n)
{
	uint8_t *at;

	if (w->bad)
		return NULL;
	if (w->p == NULL) {
		if (n > SIZE_MAX - w->off)
			w->bad = true;
		else
			w->off += n;
		return NULL;
	}
	if (w->off > w->cap || n > w->cap - w->off) {
		w->bad = true;
		return NULL;
	}
	at = w->p + w->off;
	w->off += n;
	return at;
}

static inline void syn_le_wr_bytes(struct syn_le_wr *w, const void *src, size_t n)
{
	uint8_t *at = syn_le_wr_take(w, n);

	if (at && n)
		memcpy(at, src, n);
}

static inline void syn_le_wr_zero(struct syn_le_wr *w, size_t n)
{
	uint8_t *at = syn_le_wr_take(w, n);

	if (at && n)
		memset(at, 0, n);
}

static inline void syn_le_wr_u8(struct syn_le_wr *w, uint8_t v)
{
	uint8_t *at = syn_le_wr_take(w, 1);

	if (at)
		syn_le_put8(at, v);
}

static inline void syn_le_wr_u16(struct syn_le_wr *w, uint16_t v)
{
	uint8_t *at = syn_le_wr_take(w, 2);

	if (at)
		syn_le_put16(at, v);
}

static inline void syn_le_wr_u32(struct syn_le_wr *w, uint32_t v)
{
	uint8_t *at = syn_le_wr_take(w, 4);

	if (at)
		syn_le_put32(at, v);
}

static inline void syn_le_wr_u64(struct syn_le_wr *w, uint64_t v)
{
	uint8_t *at = syn_le_wr_take(w, 8);

	if (at)
		syn_le_put64(at, v);
}

/* ---- reader cursor ---------------------------------------------------- */

struct syn_le_rd {
	const uint8_t *p;
	size_t len;
	size_t off;
	bool bad;
};

static inline struct syn_le_rd syn_le_rd_init(const void *buf, size_t len)
{
	struct syn_le_rd r = {(const uint8_t *)buf, len, 0, false};
	return r;
}

/* Consume n bytes; NULL (and bad set) when fewer remain. */
static inline const uint8_t *syn_le_rd_take(struct syn_le_rd *r, size_t n)
{
	const uint8_t *at;

	if (r->bad || r->off > r->len || n > r->len - r->off) {
		r->bad = true;
		return NULL;
	}
	at = r->p + r->off;
	r->off += n;
	return at;
}

static inline size_t syn_le_rd_left(const struct syn_le_rd *r)
{
	return r->bad || r->off > r->len ? 0 : r->len - r->off;
}

static inline void syn_le_rd_bytes(struct syn_le_rd *r, void *dst, size_t n)
{
	const uint8_t *at = syn_le_rd_take(r, n);

	if (at && n)
		memcpy(dst, at, n);
	else if (n)
		memset(dst, 0, n);
}

static inline uint8_t syn_le_rd_u8(struct syn_le_rd *r)
{
	const uint8_t *at = syn_le_rd_take(r, 1);

	return at ? syn_le_get8(at) : 0;
}

static inline uint16_t syn_le_rd_u16(struct syn_le_rd *r)
{
	const uint8_t *at = syn_le_rd_take(r, 2);

	return at ? syn_le_get16(at) : 0;
}

static inline uint32_t syn_le_rd_u32(struct syn_le_rd *r)
{
	const uint8_t *at = syn_le_rd_take(r, 4);

	return at ? syn_le_get32(at) : 0;
}

static inline uint64_t syn_le_rd_u64(struct syn_le_rd *r)
{
	const uint8_t *at = syn_le_rd_take(r, 8);

	return at ? syn_le_get64(at) : 0;
}

/* True when the whole input was consumed and nothing failed. */
static inline bool syn_le_rd_done(const struct syn_le_rd *r)
{
	return !r->bad && r->off == r->len;
}

#endif /* SYN_PROTO_LE_H */
