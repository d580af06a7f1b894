/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mem_wire.c - little-endian encoding, decoding and validation of the
 * membership packets declared in proto/net_membership.h.
 *
 * Decoding never trusts a length: every read is bounded by the checks in
 * syn_mem_wire_decode(), which runs before any field is interpreted, so a
 * garbled or hostile packet is rejected as a whole and never half-used.
 */
#include "proto/net_membership.h"

#include <errno.h>
#include <string.h>

#include "proto/le.h"

static void put_ring(uint8_t *p, const struct syn_mem_ring_id *r)
{
	syn_le_put64(p, r->seq);
	syn_le_put32(p + 8, r->rep);
	syn_le_put32(p + 12, r->rep_epoch);
}

static struct syn_mem_ring_id get_ring(const uint8_t *p)
{
	struct syn_mem_ring_id r = {syn_le_get64(p), syn_le_get32(p + 8), syn_le_get32(p + 12)};
	return r;
}

/* CRC-32C (Castagnoli), reflected, four bits at a time. */
static uint32_t crc32c(uint32_t crc, const uint8_t *p, size_t len)
{
	static const uint32_t tab[16] = {
		0x00000000, 0x105ec76f, 0x20bd8ede, 0x30e349b1, 0x417b1dbc, 0x5125dad3,
		0x61c69362, 0x7198540d, 0x82f63b78, 0x92a8fc17, 0xa24bb5a6, 0xb21572c9,
		0xc38d26c4, 0xd3d3e1ab, 0xe330a81a, 0xf36e6f75,
	};
	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		crc = (crc >> 4) ^ tab[crc & 15];
		crc = (crc >> 4) ^ tab[crc & 15];
	}
	return crc;
}

static uint32_t packet_crc(const uint8_t *buf, size_t len)
{
	static const uint8_t zero[4];
	uint32_t crc = crc32c(0xffffffffu, buf, 16);
	crc = crc32c(crc, zero, 4);
	crc = crc32c(crc, buf + 20, len - 20);
	return ~crc;
}

static size_t finish(uint8_t *buf, struct syn_mem_wire_src s, uint8_t type, size_t len)
{
	syn_le_put16(buf, SYN_MEM_WIRE_MAGIC);
	buf[2] = SYN_MEM_WIRE_VERSION;
	buf[3] = type;
	syn_le_put32(buf + 4, (uint32_t)len);
	syn_le_put32(buf + 8, s.sender);
	syn_le_put32(buf + 12, s.epoch);
	syn_le_put32(buf + 20, 0);
	syn_le_put32(buf + 16, packet_crc(buf, len));
	return len;
}

size_t syn_mem_wire_join(uint8_t *buf, struct syn_mem_wire_src s,
			 const struct syn_mem_ring_id *ring, uint64_t have, uint64_t max_seq,
			 uint32_t join_counter)
{
	put_ring(buf + 24, ring);
	syn_le_put64(buf + 40, have);
	syn_le_put64(buf + 48, max_seq);
	syn_le_put32(buf + 56, join_counter);
	syn_le_put32(buf + 60, 0);
	return finish(buf, s, SYN_MEM_PKT_JOIN, sizeof(struct syn_mem_wire_join));
}

size_t syn_mem_wire_propose(uint8_t *buf, struct syn_mem_wire_src s,
			    const struct syn_mem_ring_id *ring, const uint32_t *ids,
			    const uint32_t *epochs, uint32_t n)
{
	put_ring(buf + 24, ring);
	syn_le_put32(buf + 40, n);
	syn_le_put32(buf + 44, 0);
	for (uint32_t i = 0; i < n; i++) {
		syn_le_put32(buf + 48 + 8 * i, ids[i]);
		syn_le_put32(buf + 52 + 8 * i, epochs[i]);
	}
	return finish(buf, s, SYN_MEM_PKT_PROPOSE, 48 + 8 * (size_t)n);
}

size_t syn_mem_wire_accept(uint8_t *buf, struct syn_mem_wire_src s,
			   const struct syn_mem_ring_id *ring,
			   const struct syn_mem_ring_id *old_ring, uint64_t have, uint64_t max_seq,
			   uint32_t join_counter, const struct syn_mem_seen *seen, uint32_t n_seen)
{
	put_ring(buf + 24, ring);
	put_ring(buf + 40, old_ring);
	syn_le_put64(buf + 56, have);
	syn_le_put64(buf + 64, max_seq);
	syn_le_put32(buf + 72, join_counter);
	syn_le_put32(buf + 76, n_seen);
	for (uint32_t i = 0; i < n_seen; i++) {
		syn_le_put32(buf + 80 + 16 * i, seen[i].nodeid);
		syn_le_put32(buf + 84 + 16 * i, seen[i].epoch);
		syn_le_put64(buf + 88 + 16 * i, seen[i].max_id);
	}
	return finish(buf, s, SYN_MEM_PKT_ACCEPT, 80 + 16 * (size_t)n_seen);
}

size_t syn_mem_wire_commit(uint8_t *buf, struct syn_mem_wire_src s,
			   const struct syn_mem_ring_id *ring, const struct syn_mem_commit_entry *e,
			   uint32_t n)
{
	put_ring(buf + 24, ring);
	syn_le_put32(buf + 40, n);
	syn_le_put32(buf + 44, 0);
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *p = buf + 48 + 48 * (size_t)i;
		syn_le_put32(p, e[i].nodeid);
		syn_le_put32(p + 4, e[i].epoch);
		put_ring(p + 8, &e[i].old_ring);
		syn_le_put64(p + 24, e[i].target);
		syn_le_put32(p + 32, e[i].source);
		syn_le_put32(p + 36, e[i].join_counter);
		syn_le_put64(p + 40, e[i].delivered_id);
	}
	return finish(buf, s, SYN_MEM_PKT_COMMIT, 48 + 48 * (size_t)n);
}

size_t syn_mem_wire_ring3(uint8_t *buf, struct syn_mem_wire_src s, uint8_t type,
			  const struct syn_mem_ring_id *ring, uint64_t a, uint64_t b)
{
	put_ring(buf + 24, ring);
	syn_le_put64(buf + 40, a);
	if (type == SYN_MEM_PKT_ACK)
		return finish(buf, s, type, sizeof(struct syn_mem_wire_ack));
	syn_le_put64(buf + 48, b);
	return finish(buf, s, type, 56);
}

size_t syn_mem_wire_submit(uint8_t *buf, struct syn_mem_wire_src s,
			   const struct syn_mem_ring_id *ring, uint64_t msg_id, uint64_t base,
			   uint32_t frag, const void *data, uint32_t len)
{
	put_ring(buf + 24, ring);
	syn_le_put64(buf + 40, msg_id);
	syn_le_put64(buf + 48, base);
	syn_le_put32(buf + 56, len);
	syn_le_put32(buf + 60, frag);
	memcpy(buf + 64, data, len);
	return finish(buf, s, SYN_MEM_PKT_SUBMIT, 64 + (size_t)len);
}

/* ORDERED's fixed part, which is the whole of an ORDER_REF. */
static void put_ordered_head(uint8_t *buf, const struct syn_mem_ring_id *ring, uint64_t seq,
			     uint64_t msg_id, uint64_t stable, uint32_t sender,
			     uint32_t sender_epoch, uint32_t frag, uint32_t len)
{
	put_ring(buf + 24, ring);
	syn_le_put64(buf + 40, seq);
	syn_le_put64(buf + 48, msg_id);
	syn_le_put64(buf + 56, stable);
	syn_le_put32(buf + 64, sender);
	syn_le_put32(buf + 68, sender_epoch);
	syn_le_put32(buf + 72, len);
	syn_le_put32(buf + 76, frag);
}

size_t syn_mem_wire_ordered(uint8_t *buf, struct syn_mem_wire_src s,
			    const struct syn_mem_ring_id *ring, uint64_t seq, uint64_t msg_id,
			    uint64_t stable, uint32_t sender, uint32_t sender_epoch, uint32_t frag,
			    const void *data, uint32_t len)
{
	put_ordered_head(buf, ring, seq, msg_id, stable, sender, sender_epoch, frag, len);
	memcpy(buf + 80, data, len);
	return finish(buf, s, SYN_MEM_PKT_ORDERED, 80 + (size_t)len);
}

size_t syn_mem_wire_order_ref(uint8_t *buf, struct syn_mem_wire_src s,
			      const struct syn_mem_ring_id *ring, uint64_t seq, uint64_t msg_id,
			      uint64_t stable, uint32_t sender, uint32_t sender_epoch,
			      uint32_t frag, uint32_t len)
{
	put_ordered_head(buf, ring, seq, msg_id, stable, sender, sender_epoch, frag, len);
	return finish(buf, s, SYN_MEM_PKT_ORDER_REF, 80);
}

void syn_mem_wire_member(const struct syn_mem_pkt *p, uint32_t i, uint32_t *nodeid, uint32_t *epoch)
{
	*nodeid = syn_le_get32(p->data + 8 * (size_t)i);
	*epoch = syn_le_get32(p->data + 8 * (size_t)i + 4);
}

void syn_mem_wire_commit_entry(const struct syn_mem_pkt *p, uint32_t i,
			       struct syn_mem_commit_entry *out)
{
	const uint8_t *q = p->data + 48 * (size_t)i;
	out->nodeid = syn_le_get32(q);
	out->epoch = syn_le_get32(q + 4);
	out->old_ring = get_ring(q + 8);
	out->target = syn_le_get64(q + 24);
	out->source = syn_le_get32(q + 32);
	out->join_counter = syn_le_get32(q + 36);
	out->delivered_id = syn_le_get64(q + 40);
}

void syn_mem_wire_seen(const struct syn_mem_pkt *p, uint32_t i, struct syn_mem_seen *out)
{
	const uint8_t *q = p->data + 16 * (size_t)i;
	out->nodeid = syn_le_get32(q);
	out->epoch = syn_le_get32(q + 4);
	out->max_id = syn_le_get64(q + 8);
}

/* Member lists must be non-empty, bounded, with ids non-zero and ascending. */
static int check_ids(const uint8_t *arr, uint32_t n, size_t stride)
{
	uint32_t prev = 0;
	if (n == 0 || n > SYN_MEM_MAX_NODES)
		return -EBADMSG;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t id = syn_le_get32(arr + stride * i);
		if (id <= prev)
			return -EBADMSG;
		prev = id;
	}
	return 0;
}

static int decode_list(const uint8_t *b, size_t len, size_t stride, struct syn_mem_pkt *out)
{
	if (len < 48)
		return -EBADMSG;
	out->ring = get_ring(b + 24);
	out->n = syn_le_get32(b + 40);
	if (syn_le_get32(b + 44) != 0 || out->n > SYN_MEM_MAX_NODES || len != 48 + stride * out->n)
		return -EBADMSG;
	out->data = b + 48;
	if (check_ids(out->data, out->n, stride) != 0)
		return -EBADMSG;
	if (stride == 48) {
		for (uint32_t i = 0; i < out->n; i++) {
			struct syn_mem_commit_entry e;
			syn_mem_wire_commit_entry(out, i, &e);
			if (e.source == 0)
				return -EBADMSG;
		}
	}
	return 0;
}

static int decode_payload(const uint8_t *b, size_t len, size_t fixed, size_t len_off,
			  struct syn_mem_pkt *out)
{
	if (len < fixed)
		return -EBADMSG;
	out->len = syn_le_get32(b + len_off);
	out->frag = syn_le_get32(b + len_off + 4);
	if (!syn_mem_frag_valid(out->frag) || out->len == 0 || out->len > SYN_MEM_MAX_MSG_LEN ||
	    len != fixed + out->len)
		return -EBADMSG;
	out->data = b + fixed;
	return 0;
}

/* ORDER_REF: the ORDERED header alone, naming a payload of len bytes. */
static int decode_ref(const uint8_t *b, size_t len, struct syn_mem_pkt *out)
{
	if (len != 80)
		return -EBADMSG;
	out->len = syn_le_get32(b + 72);
	out->frag = syn_le_get32(b + 76);
	if (!syn_mem_frag_valid(out->frag) || out->len == 0 || out->len > SYN_MEM_MAX_MSG_LEN)
		return -EBADMSG;
	return 0;
}

static int decode_body(const uint8_t *b, size_t len, struct syn_mem_pkt *out)
{
	switch (out->type) {
	case SYN_MEM_PKT_JOIN:
		if (len != 64 || syn_le_get32(b + 60) != 0)
			return -EBADMSG;
		out->ring = get_ring(b + 24);
		out->a = syn_le_get64(b + 40);
		out->b = syn_le_get64(b + 48);
		out->u32 = syn_le_get32(b + 56);
		return 0;
	case SYN_MEM_PKT_PROPOSE:
		return decode_list(b, len, 8, out);
	case SYN_MEM_PKT_COMMIT:
		return decode_list(b, len, 48, out);
	case SYN_MEM_PKT_ACCEPT:
		if (len < 80)
			return -EBADMSG;
		out->n = syn_le_get32(b + 76);
		if (out->n > SYN_MEM_MAX_NODES || len != 80 + 16 * (size_t)out->n)
			return -EBADMSG;
		out->ring = get_ring(b + 24);
		out->old_ring = get_ring(b + 40);
		out->a = syn_le_get64(b + 56);
		out->b = syn_le_get64(b + 64);
		out->u32 = syn_le_get32(b + 72);
		out->data = b + 80;
		if (out->n && check_ids(out->data, out->n, 16) != 0)
			return -EBADMSG;
		return out->ring.rep ? 0 : -EBADMSG;
	case SYN_MEM_PKT_HEARTBEAT:
	case SYN_MEM_PKT_RETRANS:
		if (len != 56)
			return -EBADMSG;
		out->ring = get_ring(b + 24);
		out->a = syn_le_get64(b + 40);
		out->b = syn_le_get64(b + 48);
		if (out->type == SYN_MEM_PKT_RETRANS && (out->a == 0 || out->b < out->a))
			return -EBADMSG;
		if (out->type == SYN_MEM_PKT_HEARTBEAT && out->b > out->a)
			return -EBADMSG;
		return out->ring.rep ? 0 : -EBADMSG;
	case SYN_MEM_PKT_ACK:
		if (len != 48)
			return -EBADMSG;
		out->ring = get_ring(b + 24);
		out->a = syn_le_get64(b + 40);
		return out->ring.rep ? 0 : -EBADMSG;
	case SYN_MEM_PKT_SUBMIT:
		if (decode_payload(b, len, 64, 56, out) != 0)
			return -EBADMSG;
		out->ring = get_ring(b + 24);
		out->a = syn_le_get64(b + 40);
		out->b = syn_le_get64(b + 48);
		return (out->ring.rep && out->b <= out->a && out->b) ? 0 : -EBADMSG;
	case SYN_MEM_PKT_ORDERED:
	case SYN_MEM_PKT_ORDER_REF:
		if (out->type == SYN_MEM_PKT_ORDERED ? decode_payload(b, len, 80, 72, out) != 0
						     : decode_ref(b, len, out) != 0)
			return -EBADMSG;
		out->ring = get_ring(b + 24);
		out->a = syn_le_get64(b + 40);
		out->b = syn_le_get64(b + 48);
		out->c = syn_le_get64(b + 56);
		out->u32 = syn_le_get32(b + 64);
		out->u32b = syn_le_get32(b + 68);
		return (out->ring.rep && out->a && out->u32 && out->c < out->a) ? 0 : -EBADMSG;
	default:
		return -EBADMSG;
	}
}

int syn_mem_wire_decode(const void *buf, size_t len, uint32_t src, struct syn_mem_pkt *out)
{
	const uint8_t *b = buf;

	memset(out, 0, sizeof(*out));
	if (buf == NULL || len < sizeof(struct syn_mem_wire_hdr) || len > SYN_MEM_WIRE_MAX)
		return -EBADMSG;
	if (syn_le_get16(b) != SYN_MEM_WIRE_MAGIC || b[2] != SYN_MEM_WIRE_VERSION ||
	    syn_le_get32(b + 4) != len || syn_le_get32(b + 20) != 0)
		return -EBADMSG;
	if (syn_le_get32(b + 16) != packet_crc(b, len))
		return -EBADMSG;
	out->type = b[3];
	out->sender = syn_le_get32(b + 8);
	out->epoch = syn_le_get32(b + 12);
	if (out->sender == 0 || out->sender != src)
		return -EBADMSG;
	return decode_body(b, len, out);
}
