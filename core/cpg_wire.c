/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cpg_wire.c - encoding and decoding of the CPG core's node-to-node
 * messages (layouts in proto/net_cpg.h), field by field through the
 * cursors of proto/le.h.
 */
#include <errno.h>
#include <string.h>

#include "cpg_int.h"
#include "proto/le.h"

_Static_assert(SYN_CPG_WIRE_NAME_MAX == SYN_CPG_GROUP_NAME_MAX, "cpg name size");

static void put_name(struct syn_le_wr *w, const struct syn_cpg_name *n)
{
	if (n->len > SYN_CPG_GROUP_NAME_MAX) {
		w->bad = true;
		return;
	}
	syn_le_wr_u32(w, n->len);
	syn_le_wr_bytes(w, n->value, n->len);
}

static size_t wbuf_done(const struct syn_le_wr *w)
{
	return w->bad ? 0 : w->off;
}

size_t syn_cpg_encode_proc(uint8_t *buf, size_t cap, enum syn_cpg_msg_kind kind,
			   const struct syn_cpg_name *group, uint32_t pid, uint32_t reason)
{
	struct syn_le_wr w = syn_le_wr_init(buf, cap);

	syn_le_wr_u8(&w, (uint8_t)kind);
	syn_le_wr_u32(&w, pid);
	syn_le_wr_u32(&w, reason);
	put_name(&w, group);
	return wbuf_done(&w);
}

size_t syn_cpg_encode_mcast(uint8_t *buf, size_t cap, const struct syn_cpg_name *group,
			    uint32_t pid, const void *data, uint32_t len)
{
	struct syn_le_wr w = syn_le_wr_init(buf, cap);

	syn_le_wr_u8(&w, SYN_CPG_MSG_MCAST);
	syn_le_wr_u32(&w, pid);
	put_name(&w, group);
	syn_le_wr_u32(&w, len);
	syn_le_wr_bytes(&w, data, len);
	return wbuf_done(&w);
}

size_t syn_cpg_encode_partial(uint8_t *buf, size_t cap, const struct syn_cpg_name *group,
			      uint32_t pid, uint32_t msglen, uint32_t type, const void *data,
			      uint32_t fraglen)
{
	struct syn_le_wr w = syn_le_wr_init(buf, cap);

	syn_le_wr_u8(&w, SYN_CPG_MSG_PARTIAL);
	syn_le_wr_u32(&w, pid);
	put_name(&w, group);
	syn_le_wr_u32(&w, msglen);
	syn_le_wr_u32(&w, fraglen);
	syn_le_wr_u32(&w, type);
	syn_le_wr_bytes(&w, data, fraglen);
	return wbuf_done(&w);
}

size_t syn_cpg_encode_joinlist(uint8_t *buf, size_t cap, uint64_t ring_seq, uint32_t ring_rep,
			       uint64_t nonce, uint64_t path, const struct syn_cpg_entry *entries,
			       size_t n)
{
	struct syn_le_wr w = syn_le_wr_init(buf, cap);

	syn_le_wr_u8(&w, SYN_CPG_MSG_JOINLIST);
	syn_le_wr_u64(&w, ring_seq);
	syn_le_wr_u32(&w, ring_rep);
	syn_le_wr_u64(&w, nonce);
	syn_le_wr_u64(&w, path);
	syn_le_wr_u32(&w, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		syn_le_wr_u32(&w, entries[i].pid);
		put_name(&w, &entries[i].group);
	}
	return wbuf_done(&w);
}

/* ---- decoding ------------------------------------------------------ */

static void get_name(struct syn_le_rd *r, struct syn_cpg_name *n)
{
	const uint8_t *b;

	memset(n, 0, sizeof(*n));
	n->len = syn_le_rd_u32(r);
	if (n->len > SYN_CPG_GROUP_NAME_MAX) {
		r->bad = true;
		return;
	}
	b = syn_le_rd_take(r, n->len);
	if (b && n->len)
		memcpy(n->value, b, n->len);
}

void syn_cpg_joinlist_entry(const struct syn_cpg_msg *m, size_t *off, uint32_t *pid,
			    struct syn_cpg_name *group)
{
	struct syn_le_rd r = syn_le_rd_init(m->entries, m->entries_len);

	r.off = *off;

	*pid = syn_le_rd_u32(&r);
	get_name(&r, group);
	*off = r.off;
}

int syn_cpg_msg_decode(const uint8_t *p, size_t len, struct syn_cpg_msg *m)
{
	struct syn_le_rd r = syn_le_rd_init(p, len);
	const uint8_t *k = syn_le_rd_take(&r, 1);

	memset(m, 0, sizeof(*m));
	if (!k)
		return -EINVAL;
	m->kind = *k;
	switch (m->kind) {
	case SYN_CPG_MSG_PROCJOIN:
	case SYN_CPG_MSG_PROCLEAVE:
		m->pid = syn_le_rd_u32(&r);
		m->reason = syn_le_rd_u32(&r);
		get_name(&r, &m->group);
		break;
	case SYN_CPG_MSG_MCAST:
	case SYN_CPG_MSG_PARTIAL:
		m->pid = syn_le_rd_u32(&r);
		get_name(&r, &m->group);
		m->msglen = syn_le_rd_u32(&r);
		m->fraglen = m->msglen;
		if (m->kind == SYN_CPG_MSG_PARTIAL) {
			m->fraglen = syn_le_rd_u32(&r);
			m->type = syn_le_rd_u32(&r);
			if (m->fraglen > m->msglen || m->type < 1 || m->type > 3)
				r.bad = true;
		}
		m->data = syn_le_rd_take(&r, m->fraglen);
		break;
	case SYN_CPG_MSG_JOINLIST: {
		struct syn_cpg_name scratch;

		m->ring_seq = syn_le_rd_u64(&r);
		m->ring_rep = syn_le_rd_u32(&r);
		m->nonce = syn_le_rd_u64(&r);
		m->path = syn_le_rd_u64(&r);
		m->n_entries = syn_le_rd_u32(&r);
		m->entries = p + r.off;
		for (uint32_t i = 0; i < m->n_entries && !r.bad; i++) {
			syn_le_rd_u32(&r);
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
