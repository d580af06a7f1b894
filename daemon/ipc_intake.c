/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ipc_intake.c - request intake between libqb and the service handlers
 * (see ipc_intake.h for the steps and why they are in that order).
 */
#include "ipc_intake.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/uio.h>
#include <qb/qbipc_common.h>

#include "proto/ipc_common.h"
#include "proto/ipc_ring.h"

void syn_ipc_intake_init(struct syn_ipc_intake *in)
{
	long page = sysconf(_SC_PAGESIZE);

	memset(in, 0, sizeof(*in));
	in->page_size = page > 0 ? (size_t)page : 4096;
}

void syn_ipc_intake_fini(struct syn_ipc_intake *in)
{
	free(in->buf);
	in->buf = NULL;
	in->cap = 0;
}

size_t syn_ipc_ring_size(size_t max_msg, size_t page_size)
{
	size_t n = max_msg + SYN_QB_RB_CHUNK_MARGIN + 1;

	return (n + page_size - 1) / page_size * page_size;
}

/* Copy len bytes at addr without faulting if they are not mapped. */
static bool read_safely(void *out, const void *addr, size_t len)
{
	struct iovec local = {out, len};
	struct iovec remote = {(void *)addr, len};

	return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == (ssize_t)len;
}

ssize_t syn_ipc_ring_chunk_len(const void *data, size_t max_msg, size_t page_size)
{
	const unsigned char *p = data;
	unsigned char hdr[SYN_QB_RB_CHUNK_HEADER_SIZE + SYN_QB_RB_CHUNK_HEADER_SIZE];
	uint32_t len, magic;

	if ((uintptr_t)p % page_size >= SYN_QB_RB_CHUNK_HEADER_SIZE) {
		memcpy(hdr, p - SYN_QB_RB_CHUNK_HEADER_SIZE, SYN_QB_RB_CHUNK_HEADER_SIZE);
	} else {
		/* Through the second mapping, checked to mirror the data. */
		const unsigned char *mirror = p + syn_ipc_ring_size(max_msg, page_size);

		if (!read_safely(hdr, mirror - SYN_QB_RB_CHUNK_HEADER_SIZE, sizeof(hdr)) ||
		    memcmp(hdr + SYN_QB_RB_CHUNK_HEADER_SIZE, p, SYN_QB_RB_CHUNK_HEADER_SIZE) != 0)
			return -1;
	}
	memcpy(&len, hdr, sizeof(len));
	memcpy(&magic, hdr + 4, sizeof(magic));
	if (magic != SYN_QB_RB_CHUNK_MAGIC)
		return -1;
	return (ssize_t)len;
}

static int reserve(struct syn_ipc_intake *in, size_t len)
{
	void *n;

	if (len <= in->cap)
		return 0;
	/* malloc is 16-byte aligned, more than any wire struct needs. */
	n = realloc(in->buf, len);
	if (!n)
		return -ENOMEM;
	in->buf = n;
	in->cap = len;
	return 0;
}

/* Step 4: the private copy is what the handler will read. */
static bool copy_valid(const struct syn_service_def *def, const void *copy, size_t claimed)
{
	struct qb_ipc_request_header h;

	memcpy(&h, copy, sizeof(h));
	return h.size >= 0 && (size_t)h.size == claimed && h.id >= 0 &&
	       (size_t)h.id < def->n_requests && claimed >= def->min_request_size[h.id];
}

int syn_ipc_intake_take(struct syn_ipc_intake *in, const struct syn_service_def *def,
			const void *data, size_t claimed, size_t max_msg, const void **req)
{
	ssize_t committed;

	*req = NULL;
	if (claimed < sizeof(struct qb_ipc_request_header) || claimed > SYN_IPC_BUFFER_SIZE)
		return -EINVAL;
	committed = syn_ipc_ring_chunk_len(data, max_msg, in->page_size);
	if (committed >= 0 && (size_t)committed != claimed)
		return -EINVAL;
	if (reserve(in, claimed) != 0)
		return -ENOMEM;
	memcpy(in->buf, data, claimed);
	if (!copy_valid(def, in->buf, claimed))
		return -EINVAL;
	*req = in->buf;
	return 0;
}
