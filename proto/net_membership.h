/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_membership.h - the node-to-node packet format of the membership
 * core, declared once.  All integers are little endian on the wire,
 * whatever the host; core/mem_wire.c encodes and decodes field by field
 * through proto/le.h, so the structs
 * below are never overlaid on a buffer: they exist to pin every offset and
 * size with _Static_assert and to serve as the reference table.
 *
 * Common header (24 bytes), at the start of every packet
 *   off size field
 *     0    2 magic      0x5359 ("SY")
 *     2    1 version    1
 *     3    1 type       enum syn_mem_pkt_type
 *     4    4 length     total packet length in bytes
 *     8    4 sender     node id of the sender, must equal the source
 *    12    4 epoch      sender's boot epoch
 *    16    4 crc        CRC-32C of the packet with this field zero
 *    20    4 reserved   zero
 *
 * Ring id (16 bytes): seq u64 @0, rep u32 @8, rep_epoch u32 @12.
 *
 * type        body after the header                                  total
 * JOIN (1)    ring@24 have@40 max_seq@48 join_counter@56 pad@60      64
 * PROPOSE (2) ring@24 n@40 pad@44 n x {nodeid, epoch}@48             48+8n
 * ACCEPT (3)  ring@24 old_ring@40 have@56 max_seq@64 join_counter@72
 *             n@76 n x {nodeid, epoch, max_id}@80                   80+16n
 * COMMIT (4)  ring@24 n@40 pad@44 n x commit entry (48 bytes)@48     48+48n
 * HEARTBEAT(5)ring@24 high@40 stable@48                              56
 * ACK (6)     ring@24 have@40                                        48
 * SUBMIT (7)  ring@24 msg_id@40 base@48 len@56 frag@60 data@64       64+len
 * ORDERED (8) ring@24 seq@40 msg_id@48 stable@56 sender@64
 *             sender_epoch@68 len@72 frag@76 data@80                 80+len
 * RETRANS (9) ring@24 from@40 to@48                                  56
 * ORDER_REF   ring@24 seq@40 msg_id@48 stable@56 sender@64
 *   (10)      sender_epoch@68 len@72 frag@76                         80
 *
 * A member multicasts its SUBMIT to every member; the leader answers a
 * member's SUBMIT with an ORDER_REF, an ORDERED without the payload,
 * which every member matches with the SUBMIT it holds (sender, epoch,
 * msg_id, len and frag must agree).  A member that lacks the SUBMIT asks
 * for the seq with RETRANS and gets the whole ORDERED.  The leader's own
 * messages and retransmissions travel as ORDERED.
 *
 * Commit entry: nodeid@0 epoch@4 old_ring@8 target@24 source@32
 * join_counter@36 delivered_id@40.
 *
 * ACCEPT's list says, per sender, the highest message id the acceptor holds
 * in order (delivered or below its reported have); COMMIT's delivered_id
 * is the maximum over all acceptors, so a sender never resends a message
 * some member already has.
 *
 * frag is 0 for a message carried whole.  A message split in k > 1
 * fragments (k <= SYN_MEM_MAX_FRAGS) uses k consecutive message ids; its
 * fragment i carries frag = k << 16 | i.
 *
 * Validation (syn_mem_wire_decode) rejects: short or long packets, wrong
 * magic, version, type, length or crc, a sender that is zero or differs
 * from the source, non-zero padding, member lists that are empty, too
 * long or not strictly ascending, zero node ids, ring ids with a zero rep
 * where one is required, payloads longer than SYN_MEM_MAX_MSG_LEN and
 * ranges that run backwards.
 */
#ifndef SYN_PROTO_NET_MEMBERSHIP_H
#define SYN_PROTO_NET_MEMBERSHIP_H

#include <stddef.h>
#include <stdint.h>

#include "core/membership.h"

#define SYN_MEM_WIRE_MAGIC 0x5359u
#define SYN_MEM_WIRE_VERSION 1u

enum syn_mem_pkt_type {
	SYN_MEM_PKT_JOIN = 1,
	SYN_MEM_PKT_PROPOSE = 2,
	SYN_MEM_PKT_ACCEPT = 3,
	SYN_MEM_PKT_COMMIT = 4,
	SYN_MEM_PKT_HEARTBEAT = 5,
	SYN_MEM_PKT_ACK = 6,
	SYN_MEM_PKT_SUBMIT = 7,
	SYN_MEM_PKT_ORDERED = 8,
	SYN_MEM_PKT_RETRANS = 9,
	SYN_MEM_PKT_ORDER_REF = 10,
};

struct syn_mem_wire_hdr {
	uint16_t magic;
	uint8_t version;
	uint8_t type;
	uint32_t length;
	uint32_t sender;
	uint32_t epoch;
	uint32_t crc;
	uint32_t reserved;
};

struct syn_mem_wire_ring {
	uint64_t seq;
	uint32_t rep;
	uint32_t rep_epoch;
};

struct syn_mem_wire_join {
	struct syn_mem_wire_hdr hdr;
	struct syn_mem_wire_ring ring;
	uint64_t have;
	uint64_t max_seq;
	uint32_t join_counter;
	uint32_t pad;
};

struct syn_mem_wire_member {
	uint32_t nodeid;
	uint32_t epoch;
};

struct syn_mem_wire_propose {
	struct syn_mem_wire_hdr hdr;
	struct syn_mem_wire_ring ring;
	uint32_t n;
	uint32_t pad;
	/* n x struct syn_mem_wire_member follow */
};

struct syn_mem_wire_accept {
	struct syn_mem_wire_hdr hdr;
	struct syn_mem_wire_ring ring;
	struct syn_mem_wire_ring old_ring;
	uint64_t have;
	uint64_t max_seq;
	uint32_t join_counter;
	uint32_t n;
	/* n x struct syn_mem_wire_seen follow */
};

struct syn_mem_wire_seen {
	uint32_t nodeid;
	uint32_t epoch;
	uint64_t max_id;
};

struct syn_mem_wire_commit_entry {
	uint32_t nodeid;
	uint32_t epoch;
	struct syn_mem_wire_ring old_ring;
	uint64_t target;
	uint32_t source;
	uint32_t join_counter;
	uint64_t delivered_id;
};

struct syn_mem_wire_commit {
	struct syn_mem_wire_hdr hdr;
	struct syn_mem_wire_ring ring;
	uint32_t n;
	uint32_t pad;
	/* n x struct syn_mem_wire_commit_entry follow */
};

struct syn_mem_wire_heartbeat {
	struct syn_mem_wire_hdr hdr;
	struct syn_mem_wire_ring ring;
	uint64_t high;
	uint64_t stable;
};

struct syn_mem_wire_ack {
	struct syn_mem_wire_hdr hdr;
	struct syn_mem_wire_ring ring;
	uint64_t have;
};

struct syn_mem_wire_submit {
	struct syn_mem_wire_hdr hdr;
	struct syn_mem_wire_ring ring;
	uint64_t msg_id;
	uint64_t base;
	uint32_t len;
	uint32_t frag;
	/* len bytes of data follow */
};

struct syn_mem_wire_ordered {
	struct syn_mem_wire_hdr hdr;
	struct syn_mem_wire_ring ring;
	uint64_t seq;
	uint64_t msg_id;
	uint64_t stable;
	uint32_t sender;
	uint32_t sender_epoch;
	uint32_t len;
	uint32_t frag;
	/* len bytes of data follow */
};

struct syn_mem_wire_retrans {
	struct syn_mem_wire_hdr hdr;
	struct syn_mem_wire_ring ring;
	uint64_t from;
	uint64_t to;
};

#define SYN_MEM_WIRE_ASSERT(type, field, off)                                                      \
	_Static_assert(offsetof(struct type, field) == (off), #type "." #field)

_Static_assert(sizeof(struct syn_mem_wire_hdr) == 24, "hdr size");
SYN_MEM_WIRE_ASSERT(syn_mem_wire_hdr, type, 3);
SYN_MEM_WIRE_ASSERT(syn_mem_wire_hdr, length, 4);
SYN_MEM_WIRE_ASSERT(syn_mem_wire_hdr, sender, 8);
SYN_MEM_WIRE_ASSERT(syn_mem_wire_hdr, epoch, 12);
SYN_MEM_WIRE_ASSERT(syn_mem_wire_hdr, crc, 16);
SYN_MEM_WIRE_ASSERT(syn_mem_wire_hdr, reserved, 20);
_Static_assert(sizeof(struct syn_mem_wire_ring) == 16, "ring size");
SYN_MEM_WIRE_ASSERT(syn_mem_wire_ring, rep, 8);
SYN_MEM_WIRE_ASSERT(syn_mem_wire_ring, rep_epoch, 12);
_Static_assert(sizeof(struct syn_mem_wire_join) == 64, "join size");
SYN_MEM_WIRE_ASSERT(syn_mem_wire_join, ring, 24);
SYN_MEM_WIRE_ASSERT(syn_mem_wire_join, have, 40);
SYN_MEM_WIRE_ASSERT(syn_mem_wire_join, max_seq, 48);
SYN_MEM_WIRE_ASSERT(syn_mem_wire_join, join_counter, 56);
_Static_assert(sizeof(struct syn_mem_wire_member) == 8, "member size");
_Static_assert(sizeof(struct syn_mem_wire_propose) == 48, "propose size");
SYN_MEM_WIRE_ASSERT(syn_mem_wire_propose, n, 40);
_Static_assert(sizeof(struct syn_mem_wire_accept) == 80, "accept size");
SYN_MEM_WIRE_ASSERT(syn_mem_wire_accept, old_ring, 40);
SYN_MEM_WIRE_ASSERT(syn_mem_wire_accept, have, 56);
SYN_MEM_WIRE_ASSERT(syn_mem_wire_accept, max_seq, 64);
SYN_MEM_WIRE_ASSERT(syn_mem_wire_accept, join_counter, 72);
SYN_MEM_WIRE_ASSERT(syn_mem_wire_accept, n, 76);
_Static_assert(sizeof(struct syn_mem_wire_seen) == 16, "seen size");
SYN_MEM_WIRE_ASSERT(syn_mem_wire_seen, max_id, 8);
_Static_assert(sizeof(struct syn_mem_wire_commit_entry) == 48, "commit entry size");
SYN_MEM_WIRE_ASSERT(syn_mem_wire_commit_entry, delivered_id, 40);
SYN_MEM_WIRE_ASSERT(syn_mem_wire_commit_entry, old_ring, 8);
SYN_MEM_WIRE_ASSERT(syn_mem_wire_commit_entry, target, 24);
SYN_MEM_WIRE_ASSERT(syn_mem_wire_commit_entry, source, 32);
SYN_MEM_WIRE_ASSERT(syn_mem_wire_commit_entry, join_counter, 36);
_Static_assert(sizeof(struct syn_mem_wire_commit) == 48, "commit size");
SYN_MEM_WIRE_ASSERT(syn_mem_wire_commit, n, 40);
_Static_assert(sizeof(struct syn_mem_wire_heartbeat) == 56, "heartbeat size");
SYN_MEM_WIRE_ASSERT(syn_mem_wire_heartbeat, high, 40);
SYN_MEM_WIRE_ASSERT(syn_mem_wire_heartbeat, stable, 48);
_Static_assert(sizeof(struct syn_mem_wire_ack) == 48, "ack size");
SYN_MEM_WIRE_ASSERT(syn_mem_wire_ack, have, 40);
_Static_assert(sizeof(struct syn_mem_wire_submit) == 64, "submit size");
SYN_MEM_WIRE_ASSERT(syn_mem_wire_submit, msg_id, 40);
SYN_MEM_WIRE_ASSERT(syn_mem_wire_submit, base, 48);
SYN_MEM_WIRE_ASSERT(syn_mem_wire_submit, len, 56);
SYN_MEM_WIRE_ASSERT(syn_mem_wire_submit, frag, 60);
_Static_assert(sizeof(struct syn_mem_wire_ordered) == 80, "ordered size");
SYN_MEM_WIRE_ASSERT(syn_mem_wire_ordered, seq, 40);
SYN_MEM_WIRE_ASSERT(syn_mem_wire_ordered, msg_id, 48);
SYN_MEM_WIRE_ASSERT(syn_mem_wire_ordered, stable, 56);
SYN_MEM_WIRE_ASSERT(syn_mem_wire_ordered, sender, 64);
SYN_MEM_WIRE_ASSERT(syn_mem_wire_ordered, sender_epoch, 68);
SYN_MEM_WIRE_ASSERT(syn_mem_wire_ordered, len, 72);
SYN_MEM_WIRE_ASSERT(syn_mem_wire_ordered, frag, 76);
/* ORDER_REF is an ORDERED header with no data: struct syn_mem_wire_ordered, 80 bytes. */
_Static_assert(sizeof(struct syn_mem_wire_retrans) == 56, "retrans size");
SYN_MEM_WIRE_ASSERT(syn_mem_wire_retrans, from, 40);
SYN_MEM_WIRE_ASSERT(syn_mem_wire_retrans, to, 48);

/* Largest packet the core builds or accepts. */
#define SYN_MEM_WIRE_MAX                                                                           \
	(sizeof(struct syn_mem_wire_ordered) + SYN_MEM_MAX_MSG_LEN >                               \
			 sizeof(struct syn_mem_wire_commit) +                                      \
				 SYN_MEM_MAX_NODES * sizeof(struct syn_mem_wire_commit_entry)      \
		 ? sizeof(struct syn_mem_wire_ordered) + SYN_MEM_MAX_MSG_LEN                       \
		 : sizeof(struct syn_mem_wire_commit) +                                            \
			   SYN_MEM_MAX_NODES * sizeof(struct syn_mem_wire_commit_entry))

/* The frag field: fragment count (0 for a whole message) and index. */
static inline uint32_t syn_mem_frag_make(uint32_t count, uint32_t index)
{
	return count > 1 ? count << 16 | index : 0;
}
static inline uint32_t syn_mem_frag_count(uint32_t frag)
{
	return frag >> 16;
}
static inline uint32_t syn_mem_frag_index(uint32_t frag)
{
	return frag & 0xffffu;
}
static inline int syn_mem_frag_valid(uint32_t frag)
{
	return frag == 0 || (syn_mem_frag_count(frag) >= 2 &&
			     syn_mem_frag_index(frag) < syn_mem_frag_count(frag));
}

/* One decoded commit entry. */
struct syn_mem_commit_entry {
	uint32_t nodeid;
	uint32_t epoch;
	struct syn_mem_ring_id old_ring;
	uint64_t target;
	uint32_t source;
	uint32_t join_counter;
	uint64_t delivered_id;
};

/* One ACCEPT list entry: the highest id of a sender held in order. */
struct syn_mem_seen {
	uint32_t nodeid;
	uint32_t epoch;
	uint64_t max_id;
};

/*
 * A validated packet in host form.  Pointers point into the received
 * buffer; member and entry arrays are read with the accessors below.
 */
struct syn_mem_pkt {
	uint8_t type;
	uint32_t sender;
	uint32_t epoch;
	struct syn_mem_ring_id ring;
	struct syn_mem_ring_id old_ring; /* ACCEPT */
	uint64_t a;			 /* have / high / seq / msg_id / from */
	uint64_t b;			 /* max_seq / stable / msg_id / base / to */
	uint64_t c;			 /* ORDERED, ORDER_REF: stable */
	uint32_t u32;			 /* join_counter (JOIN, ACCEPT) / sender (ORDERED*) */
	uint32_t u32b;			 /* ORDERED, ORDER_REF: sender_epoch */
	uint32_t n;			 /* members (PROPOSE, COMMIT), seen entries (ACCEPT) */
	const uint8_t *data;		 /* payload or member/entry array; NULL for ORDER_REF */
	uint32_t len;			 /* payload length (ORDER_REF: the one referred to) */
	uint32_t frag;			 /* SUBMIT, ORDERED, ORDER_REF: fragment field */
};

/* Validate pkt from src and decode it.  Returns 0 or -EBADMSG. */
int syn_mem_wire_decode(const void *buf, size_t len, uint32_t src, struct syn_mem_pkt *out);
void syn_mem_wire_member(const struct syn_mem_pkt *p, uint32_t i, uint32_t *nodeid,
			 uint32_t *epoch);
void syn_mem_wire_commit_entry(const struct syn_mem_pkt *p, uint32_t i,
			       struct syn_mem_commit_entry *out);
void syn_mem_wire_seen(const struct syn_mem_pkt *p, uint32_t i, struct syn_mem_seen *out);

/*
 * Encoders write into buf (at least SYN_MEM_WIRE_MAX bytes) and return the
 * packet length.  The header's sender and epoch come from the arguments.
 */
struct syn_mem_wire_src {
	uint32_t sender;
	uint32_t epoch;
};
size_t syn_mem_wire_join(uint8_t *buf, struct syn_mem_wire_src s,
			 const struct syn_mem_ring_id *ring, uint64_t have, uint64_t max_seq,
			 uint32_t join_counter);
size_t syn_mem_wire_propose(uint8_t *buf, struct syn_mem_wire_src s,
			    const struct syn_mem_ring_id *ring, const uint32_t *ids,
			    const uint32_t *epochs, uint32_t n);
size_t syn_mem_wire_accept(uint8_t *buf, struct syn_mem_wire_src s,
			   const struct syn_mem_ring_id *ring,
			   const struct syn_mem_ring_id *old_ring, uint64_t have, uint64_t max_seq,
			   uint32_t join_counter, const struct syn_mem_seen *seen, uint32_t n_seen);
size_t syn_mem_wire_commit(uint8_t *buf, struct syn_mem_wire_src s,
			   const struct syn_mem_ring_id *ring, const struct syn_mem_commit_entry *e,
			   uint32_t n);
size_t syn_mem_wire_ring3(uint8_t *buf, struct syn_mem_wire_src s, uint8_t type,
			  const struct syn_mem_ring_id *ring, uint64_t a, uint64_t b);
size_t syn_mem_wire_submit(uint8_t *buf, struct syn_mem_wire_src s,
			   const struct syn_mem_ring_id *ring, uint64_t msg_id, uint64_t base,
			   uint32_t frag, const void *data, uint32_t len);
size_t syn_mem_wire_ordered(uint8_t *buf, struct syn_mem_wire_src s,
			    const struct syn_mem_ring_id *ring, uint64_t seq, uint64_t msg_id,
			    uint64_t stable, uint32_t sender, uint32_t sender_epoch, uint32_t frag,
			    const void *data, uint32_t len);
size_t syn_mem_wire_order_ref(uint8_t *buf, struct syn_mem_wire_src s,
			      const struct syn_mem_ring_id *ring, uint64_t seq, uint64_t msg_id,
			      uint64_t stable, uint32_t sender, uint32_t sender_epoch,
			      uint32_t frag, uint32_t len);

#endif /* SYN_PROTO_NET_MEMBERSHIP_H */
