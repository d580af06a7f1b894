/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ipc_common.h - wire types shared by every IPC service: the libqb
 * request/response headers and the marshalled name.  Layout reference:
 * shared spec ipc-wire.md section 2 (x86_64, native byte order).
 *
 * mar_name_t (264 bytes)
 *   off size field
 *     0    2 length   strlen of value; receivers use the NUL instead
 *     8  256 value    NUL padded
 */
#ifndef SYN_PROTO_IPC_COMMON_H
#define SYN_PROTO_IPC_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <qb/qbipc_common.h>

#define SYN_IPC_NAME_MAX 256
/* Buffer size every stock library asks for when it connects. */
#define SYN_IPC_BUFFER_SIZE (8192 * 128)

struct syn_mar_name {
	uint16_t length __attribute__((aligned(8)));
	uint8_t value[SYN_IPC_NAME_MAX] __attribute__((aligned(8)));
};

_Static_assert(sizeof(struct qb_ipc_request_header) == 16, "request header");
_Static_assert(sizeof(struct qb_ipc_response_header) == 24, "response header");
_Static_assert(offsetof(struct qb_ipc_response_header, error) == 16, "error offset");
_Static_assert(sizeof(struct syn_mar_name) == 264, "mar_name_t size");
_Static_assert(offsetof(struct syn_mar_name, value) == 8, "mar_name_t value");

/* Fill a wire name from a C string the caller checked to be < 256 bytes. */
static inline void syn_mar_name_set(struct syn_mar_name *name, const char *str)
{
	size_t len = strlen(str);

	memset(name, 0, sizeof(*name));
	name->length = (uint16_t)len;
	memcpy(name->value, str, len);
}

/* True when the received name holds a NUL within its value array. */
static inline int syn_mar_name_valid(const struct syn_mar_name *name)
{
	return memchr(name->value, '\0', sizeof(name->value)) != NULL;
}

#endif /* SYN_PROTO_IPC_COMMON_H */
