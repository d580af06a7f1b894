/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_quorum.h - the quorum core's node-to-node message, sent on the
 * quorum's channel of the ordered broadcast (one message a delivery).
 * Fixed size; every integer little endian, encoded field by field through
 * proto/le.h (core/quorum_wire.c), never by copying struct syn_quorum_msg.
 *
 *   off size field
 *     0    4 type      enum syn_quorum_msg_type (1..4)
 *     4    4 nodeid    NODEINFO: whose info (0 = device); RECONFIGURE: target
 *     8    4 votes     NODEINFO
 *    12    4 expected  NODEINFO
 *    16    4 flags     NODEINFO
 *    20    4 param     RECONFIGURE: enum syn_quorum_param
 *    24    4 value     RECONFIGURE
 *    28    4 op        DEVICE_REG: register / unregister
 *    32  256 name      DEVICE_REG, DEVICE_RENAME (new): NUL-padded, the
 *                      last byte is ignored on receive
 *   288  256 oldname   DEVICE_RENAME: as name
 *   544      (end)
 *
 * Fields a type does not use are zero.  A message of any other length is
 * rejected; the type is checked by the core, not here.
 */
#ifndef SYN_PROTO_NET_QUORUM_H
#define SYN_PROTO_NET_QUORUM_H

#include <stddef.h>
#include <stdint.h>

#define SYN_NET_QUORUM_OFF_TYPE 0
#define SYN_NET_QUORUM_OFF_NODEID 4
#define SYN_NET_QUORUM_OFF_VOTES 8
#define SYN_NET_QUORUM_OFF_EXPECTED 12
#define SYN_NET_QUORUM_OFF_FLAGS 16
#define SYN_NET_QUORUM_OFF_PARAM 20
#define SYN_NET_QUORUM_OFF_VALUE 24
#define SYN_NET_QUORUM_OFF_OP 28
#define SYN_NET_QUORUM_OFF_NAME 32
#define SYN_NET_QUORUM_NAME_SIZE 256
#define SYN_NET_QUORUM_OFF_OLDNAME (SYN_NET_QUORUM_OFF_NAME + SYN_NET_QUORUM_NAME_SIZE)
#define SYN_NET_QUORUM_LEN (SYN_NET_QUORUM_OFF_OLDNAME + SYN_NET_QUORUM_NAME_SIZE)

_Static_assert(SYN_NET_QUORUM_OFF_OLDNAME == 288, "quorum oldname offset");
_Static_assert(SYN_NET_QUORUM_LEN == 544, "quorum message size");

struct syn_quorum_msg;

/* Encode m into out (exactly SYN_NET_QUORUM_LEN bytes). */
void syn_net_quorum_encode(const struct syn_quorum_msg *m, uint8_t out[SYN_NET_QUORUM_LEN]);
/*
 * Decode len bytes into m: 0, or -EBADMSG when len is not
 * SYN_NET_QUORUM_LEN.  Names come out NUL-terminated whatever was sent.
 */
int syn_net_quorum_decode(const void *buf, size_t len, struct syn_quorum_msg *m);

#endif /* SYN_PROTO_NET_QUORUM_H */
