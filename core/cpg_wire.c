/*
 * cpg_wire.c - encoding and decoding of the CPG core's node-to-node
 * messages.  Little-endian, field by field; a name travels as its length
 * and exactly that many bytes.
 *
 *   kind (u8) then
 *   PROCJOIN, PROCLEAVE  pid u32, reason u32, name
 *   JOINLIST             ring_seq u64, ring_rep u32, nonce u64, n u32,
 *                        n x (pid u32, name)
 *   MCAST                pid u32, name, msglen u32, msglen bytes
 *   PARTIAL              pid u32, name, msglen u32, fraglen u32, type u32,
 *                        fraglen bytes
 *   name                 len u32 (<= 128), len bytes
 */
#include <errno.h>
#include <string.h>

#include "cpg_int.h"

struct wbuf {
	uint8_t *p; /* NULL: only count */
	size_t cap, off;
	bool bad;
};

static void put_bytes(struct wbuf *w, const void *src, size_t n)
{
	if (w->p && !w->bad) {
		if (n > w->cap - w->off || w->off > w->cap) {
			w->bad = true;
			return;
		}
		if (n)
			memcpy(w->p + w->off, src, n);
	}
	w->off += n;
}

static void put_u8(struct wbuf *w, uint8_t v)
{
	put_bytes(w, &v, 1);
}

static void put_u32(struct wbuf *w, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};

	put_bytes(w, b, 4);
}

static void put_u64(struct wbuf *w, uint64_t v)
{
	put_u32(w, (uint32_t)v);
	put_u32(w, (uint32_t)(v >> 32));
}

static void put_name(struct wbuf *w, const struct syn_cpg_name *n)
{
	if (n->len > SYN_CPG_GROUP_NAME_MAX) {
		w->bad = true;
		return;
	}
	put_u32(w, n->len);
	put_bytes(w, n->value, n->len);
}

static size_t wbuf_done(const struct wbuf *w)
{
	return w->bad ? 0 : w->off;
}

size_t syn_cpg_encode_proc(uint8_t *buf, size_t cap, enum syn_cpg_msg_kind kind,
			   const struct syn_cpg_name *group, uint32_t pid, uint32_t reason)
{
	struct wbuf w = {buf, cap, 0, false};

	put_u8(&w, (uint8_t)kind);
	put_u32(&w, pid);
	put_u32(&w, reason);
	put_name(&w, group);
	return wbuf_done(&w);
}

size_t syn_cpg_encode_mcast(uint8_t *buf, size_t cap, const struct syn_cpg_name *group,
			    uint32_t pid, const void *data, uint32_t len)
{
	struct wbuf w = {buf, cap, 0, false};

	put_u8(&w, SYN_CPG_MSG_MCAST);
	put_u32(&w, pid);
	put_name(&w, group);
	put_u32(&w, len);
	put_bytes(&w, data, len);
	return wbuf_done(&w);
}

size_t syn_cpg_encode_partial(uint8_t *buf, size_t cap, const struct syn_cpg_name *group,
			      uint32_t pid, uint32_t msglen, uint32_t type, const void *data,
			      uint32_t fraglen)
{
	struct wbuf w = {buf, cap, 0, false};

	put_u8(&w, SYN_CPG_MSG_PARTIAL);
	put_u32(&w, pid);
	put_name(&w, group);
	put_u32(&w, msglen);
	put_u32(&w, fraglen);
	put_u32(&w, type);
	put_bytes(&w, data, fraglen);
	return wbuf_done(&w);
}

size_t syn_cpg_encode_joinlist(uint8_t *buf, size_t cap, uint64_t ring_seq, uint32_t ring_rep,
			       uint64_t nonce, const struct syn_cpg_entry *entries, size_t n)
{
	struct wbuf w = {buf, cap, 0, false};

	put_u8(&w, SYN_CPG_MSG_JOINLIST);
	put_u64(&w, ring_seq);
	put_u32(&w, ring_rep);
	put_u64(&w, nonce);
	put_u32(&w, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		put_u32(&w, entries[i].pid);
		put_name(&w, &entries[i].group);
	}
	return wbuf_done(&w);
}

/* ---- decoding ------------------------------------------------------ */

struct rbuf {
	const uint8_t *p;
	size_t len, off;
	bool bad;
};

static const uint8_t *get_bytes(struct rbuf *r, size_t n)
{
	const uint8_t *at = r->p + r->off;

	if (r->bad || n > r->len - r->off) {
		r->bad = true;
		return NULL;
	}
	r->off += n;
	return at;
}

static uint32_t get_u32(struct rbuf *r)
{
	const uint8_t *b = get_bytes(r, 4);

	return b ? (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
			       (uint32_t)b[3] << 24
		 : 0;
}

static uint64_t get_u64(struct rbuf *r)
{
	uint64_t lo = get_u32(r);

	return lo | (uint64_t)get_u32(r) << 32;
}

static void get_name(struct rbuf *r, struct syn_cpg_name *n)
{
	const uint8_t *b;

	memset(n, 0, sizeof(*n));
	n->len = get_u32(r);
	if (n->len > SYN_CPG_GROUP_NAME_MAX) {
		r->bad = true;
		return;
	}
	b = get_bytes(r, n->len);
	if (b && n->len)
		memcpy(n->value, b, n->len);
}

void syn_cpg_joinlist_entry(const struct syn_cpg_msg *m, size_t *off, uint32_t *pid,
			    struct syn_cpg_name *group)
{
	struct rbuf r = {m->entries, m->entries_len, *off, false};

	*pid = get_u32(&r);
	get_name(&r, group);
	*off = r.off;
}

int syn_cpg_msg_decode(const uint8_t *p, size_t len, struct syn_cpg_msg *m)
{
	struct rbuf r = {p, len, 0, false};
	const uint8_t *k = get_bytes(&r, 1);

	memset(m, 0, sizeof(*m));
	if (!k)
		return -EINVAL;
	m->kind = *k;
	switch (m->kind) {
	case SYN_CPG_MSG_PROCJOIN:
	case SYN_CPG_MSG_PROCLEAVE:
		m->pid = get_u32(&r);
		m->reason = get_u32(&r);
		get_name(&r, &m->group);
		break;
	case SYN_CPG_MSG_MCAST:
	case SYN_CPG_MSG_PARTIAL:
		m->pid = get_u32(&r);
		get_name(&r, &m->group);
		m->msglen = get_u32(&r);
		m->fraglen = m->msglen;
		if (m->kind == SYN_CPG_MSG_PARTIAL) {
			m->fraglen = get_u32(&r);
			m->type = get_u32(&r);
			if (m->fraglen > m->msglen || m->type < 1 || m->type > 3)
				r.bad = true;
		}
		m->data = get_bytes(&r, m->fraglen);
		break;
	case SYN_CPG_MSG_JOINLIST: {
		struct syn_cpg_name scratch;

		m->ring_seq = get_u64(&r);
		m->ring_rep = get_u32(&r);
		m->nonce = get_u64(&r);
		m->n_entries = get_u32(&r);
		m->entries = p + r.off;
		for (uint32_t i = 0; i < m->n_entries && !r.bad; i++) {
			get_u32(&r);
			get_name(&r, &scratch);
		}
		m->entries_len = r.off - (size_t)(m->entries - p);
		break;
	}
	default:
		return -EINVAL;
	}
	return r.bad || r.off != len ? -EINVAL : 0;
}
