/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ipc_ring.h - the framing of libqb's shared-memory request ring, as far
 * as the daemon reads it.  libqb hands msg_process a pointer into the
 * ring and the size the client wrote in the request header, not the
 * number of bytes the client committed; the committed length is only in
 * the chunk header in front of the data.  This layout is shared by every
 * libqb client and server (libqb's lib/ringbuffer_int.h, unchanged since
 * libqb 0.x), so it is as fixed as the IPC messages themselves.
 *
 * Ring chunk (32-bit words, native byte order)
 *   off size field
 *    -8    4 length  bytes the client committed
 *    -4    4 magic   SYN_QB_RB_CHUNK_MAGIC for a committed chunk
 *     0  len data    the request (qb_ipc_request_header first)
 *
 * The header sits immediately before the data except when the data starts
 * at the beginning of the ring: then the header is in the ring's last
 * words.  The ring is page aligned, so a header in the same page as the
 * data is always the real one.
 *
 * A ring for messages of up to M bytes holds M + SYN_QB_RB_CHUNK_MARGIN +
 * 1 bytes rounded up to the page size, and is mapped twice in a row, so
 * the bytes at p + ring size are the bytes at p: the header of any chunk
 * is at data + ring size - 8.  (The margin is libqb's header, alignment
 * and cache-line reserve; with M a multiple of the page size, as every
 * corosync client asks, any margin below a page gives the same size.)
 */
#ifndef SYN_PROTO_IPC_RING_H
#define SYN_PROTO_IPC_RING_H

#include <stdint.h>

#define SYN_QB_RB_CHUNK_MAGIC 0xA1A1A1A1u
#define SYN_QB_RB_CHUNK_HEADER_SIZE 8u
#define SYN_QB_RB_CHUNK_MARGIN (4u * (2u + 1u + 16u))

#endif /* SYN_PROTO_IPC_RING_H */
