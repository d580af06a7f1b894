/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_cluster.h - the daemon's node-to-node framing around and inside the
 * membership core's packets (proto/net_membership.h), and the small messages of
 * the daemon's own services.  Every integer little endian, encoded field
 * by field through proto/le.h.
 *
 * A datagram on a kronosnet link:
 *
 *   knet frame (12 bytes)            read by knet's packet filter too
 *     off size field
 *       0    4 magic    SYN_FRAME_MAGIC ("SYN1" as bytes 53 59 4e 31)
 *       4    4 src      sending node id; on receive, must be the host
 *                       knet authenticated the packet from
 *       8    4 dst      destination node id, 0 = every other node
 *      12    - payload  one packet of the membership core
 *
 * A message of the ordered broadcast (the membership core's payload):
 *
 *   cluster message
 *       0    1 channel  enum syn_cluster_msg_type: the cluster layer's own
 *                       or the one service that owns it (daemon/service.h)
 *       1    - body     as the channel says
 *
 *   CONFIG_VERSION (1) body, 8 bytes
 *       0    8 version  the sender's totem.config_version
 *
 *   VOTEQUORUM (2), CMM (3), CPG (4) bodies: proto/net_quorum.h,
 *   proto/net_cmm.h, proto/net_cpg.h
 *
 *   CFG (5) body: cfg reload (below)
 *
 *   TEST (14) body: the simulator's application traffic (sim/sim.c); no
 *   daemon service owns it, so a daemon drops it
 *
 *   BENCH (15) body: a broadcast-load message, size >= 24
 *       0    4 sender   node id of the sender (must match)
 *       4    4 zero
 *       8    8 seq      run's sequence number
 *      16    8 sent_us  sender's monotonic clock at send
 *      24    - filler   byte i is (seq * 131 + i) mod 256
 *
 *   cfg reload, 16 bytes
 *       0    4 type       CFG_MSG_RELOAD (1)
 *       4    4 requester  node id of the node whose client asked
 *       8    8 token      the requester's token for the waiting client
 */
#ifndef SYN_PROTO_NET_CLUSTER_H
#define SYN_PROTO_NET_CLUSTER_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/le.h"

/* ---- knet frame -------------------------------------------------------- */

#define SYN_FRAME_MAGIC 0x314e5953u /* "SYN1" */
#define SYN_FRAME_OFF_MAGIC 0
#define SYN_FRAME_OFF_SRC 4
#define SYN_FRAME_OFF_DST 8
#define SYN_FRAME_LEN 12
_Static_assert(SYN_FRAME_OFF_DST + 4 == SYN_FRAME_LEN, "knet frame size");

struct syn_net_frame {
	uint32_t src;
	uint32_t dst;
};

static inline void syn_net_frame_encode(uint8_t out[SYN_FRAME_LEN], const struct syn_net_frame *f)
{
	syn_le_put32(out + SYN_FRAME_OFF_MAGIC, SYN_FRAME_MAGIC);
	syn_le_put32(out + SYN_FRAME_OFF_SRC, f->src);
	syn_le_put32(out + SYN_FRAME_OFF_DST, f->dst);
}

/* 0, or -EBADMSG when shorter than a frame or the magic is wrong. */
static inline int syn_net_frame_decode(const void *buf, size_t len, struct syn_net_frame *f)
{
	const uint8_t *p = buf;

	if (len < SYN_FRAME_LEN || syn_le_get32(p + SYN_FRAME_OFF_MAGIC) != SYN_FRAME_MAGIC)
		return -EBADMSG;
	f->src = syn_le_get32(p + SYN_FRAME_OFF_SRC);
	f->dst = syn_le_get32(p + SYN_FRAME_OFF_DST);
	return 0;
}

/* ---- cluster message --------------------------------------------------- */

enum syn_cluster_msg_type {
	SYN_CLUSTER_MSG_CONFIG_VERSION = 1,
	SYN_CLUSTER_MSG_VOTEQUORUM = 2,
	SYN_CLUSTER_MSG_CMM = 3,
	SYN_CLUSTER_MSG_CPG = 4,
	SYN_CLUSTER_MSG_CFG = 5,
	SYN_CLUSTER_MSG_TEST = 14,
	SYN_CLUSTER_MSG_BENCH = 15,
	SYN_CLUSTER_MSG_TYPES = 16,
};

#define SYN_CLUSTER_MSG_OFF_TYPE 0
#define SYN_CLUSTER_MSG_OFF_BODY 1

/* ---- CONFIG_VERSION ---------------------------------------------------- */

#define SYN_NET_CONFIG_VERSION_LEN 8

static inline void syn_net_config_version_encode(uint8_t out[SYN_NET_CONFIG_VERSION_LEN],
						 uint64_t version)
{
	syn_le_put64(out, version);
}

/* 0, or -EBADMSG when len is not SYN_NET_CONFIG_VERSION_LEN. */
static inline int syn_net_config_version_decode(const void *buf, size_t len, uint64_t *version)
{
	if (len != SYN_NET_CONFIG_VERSION_LEN)
		return -EBADMSG;
	*version = syn_le_get64(buf);
	return 0;
}

/* ---- BENCH ------------------------------------------------------------- */

#define SYN_NET_BENCH_OFF_SENDER 0
#define SYN_NET_BENCH_OFF_ZERO 4
#define SYN_NET_BENCH_OFF_SEQ 8
#define SYN_NET_BENCH_OFF_SENT_US 16
#define SYN_NET_BENCH_HDR 24

struct syn_net_bench {
	uint32_t sender;
	uint64_t seq;
	uint64_t sent_us;
};

static inline uint8_t syn_net_bench_filler(uint64_t seq, size_t i)
{
	return (uint8_t)(seq * 131 + i);
}

/* Encode into out[0 .. len): len must be at least SYN_NET_BENCH_HDR. */
static inline void syn_net_bench_encode(uint8_t *out, size_t len, const struct syn_net_bench *b)
{
	syn_le_put32(out + SYN_NET_BENCH_OFF_SENDER, b->sender);
	syn_le_put32(out + SYN_NET_BENCH_OFF_ZERO, 0);
	syn_le_put64(out + SYN_NET_BENCH_OFF_SEQ, b->seq);
	syn_le_put64(out + SYN_NET_BENCH_OFF_SENT_US, b->sent_us);
	for (size_t i = SYN_NET_BENCH_HDR; i < len; i++)
		out[i] = syn_net_bench_filler(b->seq, i);
}

/* 0, or -EBADMSG when short, the zero field is not, or the filler is wrong. */
static inline int syn_net_bench_decode(const void *buf, size_t len, struct syn_net_bench *b)
{
	const uint8_t *p = buf;

	if (len < SYN_NET_BENCH_HDR || syn_le_get32(p + SYN_NET_BENCH_OFF_ZERO) != 0)
		return -EBADMSG;
	b->sender = syn_le_get32(p + SYN_NET_BENCH_OFF_SENDER);
	b->seq = syn_le_get64(p + SYN_NET_BENCH_OFF_SEQ);
	b->sent_us = syn_le_get64(p + SYN_NET_BENCH_OFF_SENT_US);
	for (size_t i = SYN_NET_BENCH_HDR; i < len; i++)
		if (p[i] != syn_net_bench_filler(b->seq, i))
			return -EBADMSG;
	return 0;
}

/* ---- cfg reload -------------------------------------------------------- */

#define SYN_NET_CFG_RELOAD 1u
#define SYN_NET_CFG_OFF_TYPE 0
#define SYN_NET_CFG_OFF_REQUESTER 4
#define SYN_NET_CFG_OFF_TOKEN 8
#define SYN_NET_CFG_LEN 16
_Static_assert(SYN_NET_CFG_OFF_TOKEN + 8 == SYN_NET_CFG_LEN, "cfg reload size");

struct syn_net_cfg_reload {
	uint32_t type;
	uint32_t requester;
	uint64_t token;
};

static inline void syn_net_cfg_reload_encode(uint8_t out[SYN_NET_CFG_LEN],
					     const struct syn_net_cfg_reload *m)
{
	syn_le_put32(out + SYN_NET_CFG_OFF_TYPE, m->type);
	syn_le_put32(out + SYN_NET_CFG_OFF_REQUESTER, m->requester);
	syn_le_put64(out + SYN_NET_CFG_OFF_TOKEN, m->token);
}

/* 0, or -EBADMSG when len is not SYN_NET_CFG_LEN (the type is the caller's). */
static inline int syn_net_cfg_reload_decode(const void *buf, size_t len,
					    struct syn_net_cfg_reload *m)
{
	const uint8_t *p = buf;

	if (len != SYN_NET_CFG_LEN)
		return -EBADMSG;
	m->type = syn_le_get32(p + SYN_NET_CFG_OFF_TYPE);
	m->requester = syn_le_get32(p + SYN_NET_CFG_OFF_REQUESTER);
	m->token = syn_le_get64(p + SYN_NET_CFG_OFF_TOKEN);
	return 0;
}

#endif /* SYN_PROTO_NET_CLUSTER_H */
