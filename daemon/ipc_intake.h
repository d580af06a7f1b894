/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ipc_intake.h - how one IPC request gets from libqb to a service
 * handler: checked against what the client really sent, then copied out
 * of the shared ring.
 *
 * libqb calls msg_process with a pointer into the connection's shared
 * request ring and the size written in the request header.  Both are the
 * client's word: the header can claim more bytes than were committed (the
 * rest would be stale ring contents) or more than the ring holds (reads
 * past the mapping).  The intake therefore, before touching the payload:
 *   1. bounds the claim to a request header .. SYN_IPC_BUFFER_SIZE (every
 *      ring is at least that big: the glue enforces the buffer size);
 *   2. compares the claim with the length in libqb's chunk header
 *      (proto/ipc_ring.h) wherever that header can be located safely;
 *   3. copies exactly the claimed bytes into private, 8-byte aligned
 *      memory, so the client cannot change them while the handler runs;
 *   4. checks the copy: header size unchanged, a known id, at least the
 *      id's minimum size.
 * A request failing any step is rejected as a whole (-EINVAL); the glue
 * answers it with corosync's generic rejection.
 */
#ifndef SYN_DAEMON_IPC_INTAKE_H
#define SYN_DAEMON_IPC_INTAKE_H

#include <stddef.h>
#include <sys/types.h>

#include "ipc.h"

struct syn_ipc_intake {
	void *buf; /* private copy of the request being handled */
	size_t cap;
	size_t page_size;
};

void syn_ipc_intake_init(struct syn_ipc_intake *in);
void syn_ipc_intake_fini(struct syn_ipc_intake *in);

/* Bytes of a libqb ring (one of its two mappings) for messages of max_msg bytes. */
size_t syn_ipc_ring_size(size_t max_msg, size_t page_size);

/*
 * The length the client committed for the request whose data starts at
 * `data` in a libqb shared-memory ring for messages of max_msg bytes, or
 * -1 when no chunk header with libqb's magic is found (not a ring chunk,
 * e.g. libqb's socket transport).  Reads only memory of the ring: the
 * header in front of the data when it is in the same page, else the
 * header through the ring's second mapping, read with a call that fails
 * instead of faulting.
 */
ssize_t syn_ipc_ring_chunk_len(const void *data, size_t max_msg, size_t page_size);

/*
 * Take the request libqb handed over as (data, claimed) on a connection
 * whose rings hold messages of up to max_msg bytes.  On success
 * *req points at a private copy of exactly `claimed` bytes, valid until
 * the next call or fini, and 0 is returned; -EINVAL when the request
 * must be rejected, -ENOMEM when it could not be copied.
 */
int syn_ipc_intake_take(struct syn_ipc_intake *in, const struct syn_service_def *def,
			const void *data, size_t claimed, size_t max_msg, const void **req);

#endif /* SYN_DAEMON_IPC_INTAKE_H */
