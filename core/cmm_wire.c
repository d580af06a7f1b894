/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmm_wire.c - encoding and decoding of the CMM node-to-node messages
 * (layouts in proto/net_cmm.h), field by field through proto/le.h.
 * Decoders check every length and value range before use; a message
 * that fails a check is rejected whole.
 */
#include <errno.h>
#include <string.h>

#include "cmm_int.h"
#include "cmm_verdict.h"
#include "proto/le.h"

/*
 * True when this node has held the master role in a primary state up to
 * this view: not after a non-quorate view, nor after a view whose flag was
 * never agreed (syn_cmm_view_skipped).
 */
static bool holds_master(const struct syn_cmm *c)
{
	return c->local->valid && c->local->master == c->self && !c->non_primary && !c->skipped;
}

int syn_cmm_sync_encode(const struct syn_cmm *c, void *msg, size_t cap, size_t *len)
{
	const struct syn_cmm_state *p = c->primary;
	size_t n = p->valid ? p->n : 0, need = SYN_CMM_SYNC_HDR + SYN_CMM_SYNC_ENTRY * n;
	uint8_t *b = msg;

	if (cap < need)
		return -ENOBUFS;
	memset(b, 0, need);
	syn_le_put8(b, SYN_CMM_MSG_SYNC);
	syn_le_put8(b + 1, SYN_CMM_WIRE_VERSION);
	syn_le_put8(b + 2, (uint8_t)((c->fresh ? 1 : 0) | (c->removed ? 2 : 0) |
				     (holds_master(c) ? 4 : 0) | (p->valid ? 8 : 0)));
	syn_le_put64(b + 4, c->ring_seq);
	syn_le_put64(b + 12, c->rec.epoch);
	syn_le_put32(b + 20, c->rec.last_master);
	syn_le_put32(b + 24, c->rec.incarnation);
	syn_le_put8(b + 28, c->rec.last_role);
	syn_le_put8(b + 29, (uint8_t)((c->rec.disqualified ? 1 : 0) |
				      (c->rec.synchro_needed ? 2 : 0) | (c->rec.valid ? 4 : 0)));
	syn_le_put64(b + 32, p->epoch);
	syn_le_put64(b + 40, p->view_seq);
	syn_le_put32(b + 48, p->master);
	syn_le_put32(b + 52, p->vice);
	syn_le_put32(b + 56, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		uint8_t *e = b + SYN_CMM_SYNC_HDR + SYN_CMM_SYNC_ENTRY * i;

		syn_le_put32(e, p->e[i].nodeid);
		syn_le_put32(e + 4, p->e[i].incarnation);
		syn_le_put8(e + 8, p->e[i].status);
		syn_le_put8(e + 9, (uint8_t)((p->e[i].disqualified ? 1 : 0) |
					     (p->e[i].synchro_needed ? 2 : 0) |
					     (p->e[i].removed ? 4 : 0)));
	}
	*len = need;
	return 0;
}

static int decode_entries(const uint8_t *b, size_t n, struct syn_cmm_state *st)
{
	for (size_t i = 0; i < n; i++) {
		const uint8_t *e = b + SYN_CMM_SYNC_HDR + SYN_CMM_SYNC_ENTRY * i;

		st->e[i].nodeid = syn_le_get32(e);
		st->e[i].incarnation = syn_le_get32(e + 4);
		st->e[i].status = e[8];
		st->e[i].disqualified = e[9] & 1;
		st->e[i].synchro_needed = e[9] & 2;
		st->e[i].removed = e[9] & 4;
		if (st->e[i].status > SYN_CMM_MASTER || st->e[i].nodeid == 0)
			return -EBADMSG;
	}
	return 0;
}

int syn_cmm_sync_decode(const void *msg, size_t len, struct syn_cmm_sync_msg *out)
{
	const uint8_t *b = msg;
	size_t n;

	if (len < SYN_CMM_SYNC_HDR || b[0] != SYN_CMM_MSG_SYNC || b[1] != SYN_CMM_WIRE_VERSION)
		return -EBADMSG;
	n = syn_le_get32(b + 56);
	if (n > SYN_CMM_NODES_MAX || len != SYN_CMM_SYNC_HDR + SYN_CMM_SYNC_ENTRY * n ||
	    b[28] > SYN_CMM_MASTER)
		return -EBADMSG;
	out->fresh = b[2] & 1;
	out->removed = b[2] & 2;
	out->master_active = b[2] & 4;
	out->has_primary = b[2] & 8;
	out->ring_seq = syn_le_get64(b + 4);
	out->rec.epoch = syn_le_get64(b + 12);
	out->rec.last_master = syn_le_get32(b + 20);
	out->rec.incarnation = syn_le_get32(b + 24);
	out->rec.last_role = b[28];
	out->rec.disqualified = b[29] & 1;
	out->rec.synchro_needed = b[29] & 2;
	out->rec.valid = b[29] & 4;
	if (!out->primary)
		return 0;
	memset(out->primary, 0, sizeof(*out->primary));
	out->primary->valid = out->has_primary;
	out->primary->epoch = syn_le_get64(b + 32);
	out->primary->view_seq = syn_le_get64(b + 40);
	out->primary->master = syn_le_get32(b + 48);
	out->primary->vice = syn_le_get32(b + 52);
	out->primary->n = n;
	return decode_entries(b, n, out->primary);
}

int syn_cmm_request_encode(const struct syn_cmm *c, enum syn_cmm_op op, uint32_t req_id,
			   uint32_t target, int32_t arg, void *msg, size_t cap, size_t *len)
{
	uint8_t *b = msg;

	if (cap < SYN_CMM_REQ_LEN)
		return -ENOBUFS;
	memset(b, 0, SYN_CMM_REQ_LEN);
	syn_le_put8(b, SYN_CMM_MSG_REQUEST);
	syn_le_put8(b + 1, SYN_CMM_WIRE_VERSION);
	syn_le_put8(b + 2, (uint8_t)op);
	syn_le_put64(b + 4, c->ring_seq);
	syn_le_put32(b + 12, req_id);
	syn_le_put32(b + 16, target);
	syn_le_put32(b + 20, (uint32_t)arg);
	*len = SYN_CMM_REQ_LEN;
	return 0;
}

int syn_cmm_req_decode(const void *msg, size_t len, struct syn_cmm_req_msg *out)
{
	const uint8_t *b = msg;

	if (len != SYN_CMM_REQ_LEN || b[0] != SYN_CMM_MSG_REQUEST || b[1] != SYN_CMM_WIRE_VERSION)
		return -EBADMSG;
	out->op = b[2];
	out->ring_seq = syn_le_get64(b + 4);
	out->req_id = syn_le_get32(b + 12);
	out->target = syn_le_get32(b + 16);
	out->arg = (int32_t)syn_le_get32(b + 20);
	return 0;
}

int syn_cmm_reload_encode(const struct syn_cmm *c, uint32_t req_id,
			  const struct syn_cmm_node_conf *table, size_t n, void *msg, size_t cap,
			  size_t *len)
{
	size_t need = SYN_CMM_TABLE_HDR + SYN_CMM_TABLE_ENTRY * n;
	uint8_t *b = msg;

	if (n > SYN_CMM_NODES_MAX)
		return -EINVAL;
	if (cap < need)
		return -ENOBUFS;
	memset(b, 0, need);
	syn_le_put8(b, SYN_CMM_MSG_TABLE);
	syn_le_put8(b + 1, SYN_CMM_WIRE_VERSION);
	syn_le_put64(b + 4, c->ring_seq);
	syn_le_put32(b + 12, req_id);
	syn_le_put32(b + 16, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		uint8_t *e = b + SYN_CMM_TABLE_HDR + SYN_CMM_TABLE_ENTRY * i;

		syn_le_put32(e, table[i].nodeid);
		syn_le_put8(e + 4,
			    (uint8_t)((table[i].eligible ? 1 : 0) | (table[i].frozen ? 2 : 0) |
				      (table[i].excluded ? 4 : 0) |
				      (table[i].disqualified ? 8 : 0) |
				      (table[i].synchro_needed ? 16 : 0)));
	}
	*len = need;
	return 0;
}

int syn_cmm_table_decode(const void *msg, size_t len, struct syn_cmm_req_msg *out,
			 struct syn_cmm_node_conf *table, size_t *n)
{
	const uint8_t *b = msg;
	size_t count;

	if (len < SYN_CMM_TABLE_HDR || b[0] != SYN_CMM_MSG_TABLE || b[1] != SYN_CMM_WIRE_VERSION)
		return -EBADMSG;
	count = syn_le_get32(b + 16);
	if (count > SYN_CMM_NODES_MAX || len != SYN_CMM_TABLE_HDR + SYN_CMM_TABLE_ENTRY * count)
		return -EBADMSG;
	memset(out, 0, sizeof(*out));
	out->op = SYN_CMM_OP_RELOAD;
	out->ring_seq = syn_le_get64(b + 4);
	out->req_id = syn_le_get32(b + 12);
	for (size_t i = 0; i < count; i++) {
		const uint8_t *e = b + SYN_CMM_TABLE_HDR + SYN_CMM_TABLE_ENTRY * i;

		if (e[4] & ~31u)
			return -EBADMSG;
		table[i] = (struct syn_cmm_node_conf){.nodeid = syn_le_get32(e),
						      .eligible = e[4] & 1,
						      .frozen = e[4] & 2,
						      .excluded = e[4] & 4,
						      .disqualified = e[4] & 8,
						      .synchro_needed = e[4] & 16};
	}
	*n = count;
	return 0;
}

int syn_cmm_verdict_encode(uint64_t ring_seq, bool quorate, void *msg, size_t cap, size_t *len)
{
	uint8_t *b = msg;

	if (cap < SYN_CMM_VERDICT_LEN)
		return -ENOBUFS;
	memset(b, 0, SYN_CMM_VERDICT_LEN);
	syn_le_put8(b, SYN_CMM_MSG_VERDICT);
	syn_le_put8(b + 1, SYN_CMM_WIRE_VERSION);
	syn_le_put8(b + 2, quorate ? 1 : 0);
	syn_le_put64(b + 4, ring_seq);
	*len = SYN_CMM_VERDICT_LEN;
	return 0;
}

int syn_cmm_verdict_decode(const void *msg, size_t len, uint64_t *ring_seq, bool *quorate)
{
	const uint8_t *b = msg;

	if (len != SYN_CMM_VERDICT_LEN || b[0] != SYN_CMM_MSG_VERDICT ||
	    b[1] != SYN_CMM_WIRE_VERSION || b[2] > 1)
		return -EBADMSG;
	*ring_seq = syn_le_get64(b + 4);
	*quorate = b[2] == 1;
	return 0;
}
