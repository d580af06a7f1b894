/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_cmm.h - the CMM core's node-to-node messages, carried as cluster
 * messages of type CMM (proto/net_cluster.h).  Every integer little
 * endian, encoded field by field through proto/le.h (core/cmm_wire.c);
 * the first byte is the message type, the second the format version.
 *
 * SYNC (type 1), little-endian:
 *   off size field
 *     0    1 type = 1
 *     1    1 version = 1
 *     2    1 flags: 1 fresh, 2 removed, 4 holds master role, 8 has primary
 *     3    1 reserved
 *     4    8 ring_seq
 *    12    8 record.epoch
 *    20    4 record.last_master
 *    24    4 record.incarnation
 *    28    1 record.last_role
 *    29    1 record levels: 1 disqualified, 2 synchro needed, 4 valid
 *    30    2 reserved
 *    32    8 primary.epoch
 *    40    8 primary.view_seq
 *    48    4 primary.master
 *    52    4 primary.vice
 *    56    4 n entries
 *    60 10*n entries: nodeid(4) incarnation(4) status(1) levels(1: 1 disq,
 *            2 synchro, 4 removed)
 *
 * REQUEST (type 2): type(1)=2 version(1)=1 op(1) reserved(1) ring_seq(8)
 *   req_id(4) target(4) arg(4, signed) = 24 bytes.
 *
 * TABLE (type 3, the RELOAD request with the master's node table):
 *   type(1)=3 version(1)=1 reserved(2) ring_seq(8) req_id(4) n(4), then
 *   5*n entries: nodeid(4) flags(1: 1 eligible, 2 frozen, 4 excluded,
 *   8 disqualified, 16 synchro needed) = 20 + 5*n bytes.
 *
 * VERDICT (type 4, cmm_verdict.h): type(1)=4 version(1)=1 quorate(1)
 *   reserved(1) ring_seq(8) = 12 bytes.
 */
#ifndef SYN_PROTO_NET_CMM_H
#define SYN_PROTO_NET_CMM_H

#define SYN_CMM_MSG_SYNC 1
#define SYN_CMM_MSG_REQUEST 2
#define SYN_CMM_MSG_TABLE 3 /* the RELOAD request with a node table */
#define SYN_CMM_MSG_VERDICT 4
#define SYN_CMM_WIRE_VERSION 1

#define SYN_CMM_SYNC_HDR 60
#define SYN_CMM_SYNC_ENTRY 10
#define SYN_CMM_REQ_LEN 24
#define SYN_CMM_TABLE_HDR 20
#define SYN_CMM_TABLE_ENTRY 5
#define SYN_CMM_VERDICT_LEN 12

/* The offsets of the table above, by their last field. */
_Static_assert(56 + 4 == SYN_CMM_SYNC_HDR, "cmm sync header");
_Static_assert(4 + 4 + 1 + 1 == SYN_CMM_SYNC_ENTRY, "cmm sync entry");
_Static_assert(20 + 4 == SYN_CMM_REQ_LEN, "cmm request size");
_Static_assert(16 + 4 == SYN_CMM_TABLE_HDR, "cmm table header");
_Static_assert(4 + 1 == SYN_CMM_TABLE_ENTRY, "cmm table entry");
_Static_assert(4 + 8 == SYN_CMM_VERDICT_LEN, "cmm verdict size");

#endif /* SYN_PROTO_NET_CMM_H */
