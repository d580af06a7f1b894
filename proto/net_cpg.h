/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_cpg.h - the CPG core's node-to-node messages, carried as cluster
 * messages of type CPG (proto/net_cluster.h).  Variable length; every
 * integer little endian, encoded field by field through proto/le.h's
 * cursors (core/cpg_wire.c).  A name travels as its length and exactly
 * that many bytes.
 *
 *   kind (u8) then
 *   PROCJOIN (1),        pid u32, reason u32, name
 *   PROCLEAVE (2)
 *   JOINLIST (3)         ring_seq u64, ring_rep u32, nonce u64, path u64,
 *                        n u32, n x (pid u32, name)
 *                        (path: the sender's rings since its last
 *                        activated sync, hashed; core/cpg_groups.h)
 *   MCAST (4)            pid u32, name, msglen u32, msglen bytes
 *   PARTIAL (5)          pid u32, name, msglen u32, fraglen u32, type u32
 *                        (1..3), fraglen bytes (fraglen <= msglen)
 *   name                 len u32 (<= SYN_CPG_WIRE_NAME_MAX), len bytes
 *
 * The decoder rejects an unknown kind, a field running past the end,
 * trailing bytes and the range violations noted above.
 */
#ifndef SYN_PROTO_NET_CPG_H
#define SYN_PROTO_NET_CPG_H

/* Node-to-node message kinds (first byte of every CPG cluster message). */
enum syn_cpg_msg_kind {
	SYN_CPG_MSG_PROCJOIN = 1,
	SYN_CPG_MSG_PROCLEAVE = 2,
	SYN_CPG_MSG_JOINLIST = 3,
	SYN_CPG_MSG_MCAST = 4,
	SYN_CPG_MSG_PARTIAL = 5,
};

#define SYN_CPG_WIRE_NAME_MAX 128
/* Fixed part of each kind, before its names and data. */
#define SYN_CPG_WIRE_PROC_FIXED (1 + 4 + 4)
#define SYN_CPG_WIRE_JOINLIST_FIXED (1 + 8 + 4 + 8 + 8 + 4)
_Static_assert(SYN_CPG_WIRE_PROC_FIXED == 9, "cpg proc fixed part");
_Static_assert(SYN_CPG_WIRE_JOINLIST_FIXED == 33, "cpg joinlist fixed part");

#endif /* SYN_PROTO_NET_CPG_H */
