/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ipc_cmap.h - the cmap service's IPC messages, byte-compatible with
 * corosync 3.1.7 (shared spec ipc-wire.md section 4).  Every field is
 * 8-byte aligned, as corosync declares them.
 *
 * request (id)        size            response (id)    size
 *   SET (0)           296 + value_len   0               24
 *   DELETE (1)        280               1               24
 *   GET (2)           288               2               40 [+ value_len]
 *   ADJUST_INT (3)    288               3               24
 *   ITER_INIT (4)     280               4               32
 *   ITER_NEXT (5)      24               5              304
 *   ITER_FINALIZE (6)  24               6               24
 *   TRACK_ADD (7)     296               7               32
 *   TRACK_DELETE (8)   24               8               32
 *   SET_CURRENT_MAP(9) 24              10               24
 *   event NOTIFY_CALLBACK               9         336 + new + old
 */
#ifndef SYN_PROTO_IPC_CMAP_H
#define SYN_PROTO_IPC_CMAP_H

#include "ipc_common.h"

#define SYN_A8 __attribute__((aligned(8)))

enum syn_cmap_req_id {
	SYN_CMAP_REQ_SET = 0,
	SYN_CMAP_REQ_DELETE = 1,
	SYN_CMAP_REQ_GET = 2,
	SYN_CMAP_REQ_ADJUST_INT = 3,
	SYN_CMAP_REQ_ITER_INIT = 4,
	SYN_CMAP_REQ_ITER_NEXT = 5,
	SYN_CMAP_REQ_ITER_FINALIZE = 6,
	SYN_CMAP_REQ_TRACK_ADD = 7,
	SYN_CMAP_REQ_TRACK_DELETE = 8,
	SYN_CMAP_REQ_SET_CURRENT_MAP = 9,
	SYN_CMAP_REQ_COUNT = 10,
};

enum syn_cmap_res_id {
	SYN_CMAP_RES_SET = 0,
	SYN_CMAP_RES_DELETE = 1,
	SYN_CMAP_RES_GET = 2,
	SYN_CMAP_RES_ADJUST_INT = 3,
	SYN_CMAP_RES_ITER_INIT = 4,
	SYN_CMAP_RES_ITER_NEXT = 5,
	SYN_CMAP_RES_ITER_FINALIZE = 6,
	SYN_CMAP_RES_TRACK_ADD = 7,
	SYN_CMAP_RES_TRACK_DELETE = 8,
	SYN_CMAP_RES_NOTIFY_CALLBACK = 9,
	SYN_CMAP_RES_SET_CURRENT_MAP = 10,
};

/* Largest value a SET may carry. */
#define SYN_CMAP_VALUE_MAX 16384

struct syn_cmap_req_set {
	struct qb_ipc_request_header header SYN_A8;
	struct syn_mar_name key_name SYN_A8;
	uint64_t value_len SYN_A8;
	uint8_t type SYN_A8;
	uint8_t value[] SYN_A8;
};

struct syn_cmap_req_delete {
	struct qb_ipc_request_header header SYN_A8;
	struct syn_mar_name key_name SYN_A8;
};

struct syn_cmap_req_get {
	struct qb_ipc_request_header header SYN_A8;
	struct syn_mar_name key_name SYN_A8;
	uint64_t value_len SYN_A8;
};

struct syn_cmap_res_get {
	struct qb_ipc_response_header header SYN_A8;
	uint64_t value_len SYN_A8;
	uint8_t type SYN_A8;
	uint8_t value[] SYN_A8;
};

struct syn_cmap_req_adjust_int {
	struct qb_ipc_request_header header SYN_A8;
	struct syn_mar_name key_name SYN_A8;
	int32_t step SYN_A8;
};

struct syn_cmap_req_iter_init {
	struct qb_ipc_request_header header SYN_A8;
	struct syn_mar_name prefix SYN_A8;
};

struct syn_cmap_res_iter_init {
	struct qb_ipc_response_header header SYN_A8;
	uint64_t iter_handle SYN_A8;
};

/* ITER_NEXT and ITER_FINALIZE requests share this layout. */
struct syn_cmap_req_iter {
	struct qb_ipc_request_header header SYN_A8;
	uint64_t iter_handle SYN_A8;
};

struct syn_cmap_res_iter_next {
	struct qb_ipc_response_header header SYN_A8;
	struct syn_mar_name key_name SYN_A8;
	uint64_t value_len SYN_A8;
	uint8_t type SYN_A8;
};

struct syn_cmap_req_track_add {
	struct qb_ipc_request_header header SYN_A8;
	struct syn_mar_name key_name SYN_A8;
	int32_t track_type SYN_A8;
	uint64_t track_inst_handle SYN_A8;
};

struct syn_cmap_res_track_add {
	struct qb_ipc_response_header header SYN_A8;
	uint64_t track_handle SYN_A8;
};

struct syn_cmap_req_track_delete {
	struct qb_ipc_request_header header SYN_A8;
	uint64_t track_handle SYN_A8;
};

struct syn_cmap_res_track_delete {
	struct qb_ipc_response_header header SYN_A8;
	uint64_t track_inst_handle SYN_A8;
};

struct syn_cmap_req_set_current_map {
	struct qb_ipc_request_header header SYN_A8;
	int32_t map SYN_A8;
};

struct syn_cmap_res_notify {
	struct qb_ipc_response_header header SYN_A8;
	uint64_t track_inst_handle SYN_A8;
	struct syn_mar_name key_name SYN_A8;
	int32_t event SYN_A8;
	uint8_t new_value_type SYN_A8;
	uint8_t old_value_type SYN_A8;
	uint64_t new_value_len SYN_A8;
	uint64_t old_value_len SYN_A8;
	uint8_t new_value[] SYN_A8; /* old value follows new_value_len bytes later */
};

_Static_assert(sizeof(struct syn_cmap_req_set) == 296, "SET");
_Static_assert(offsetof(struct syn_cmap_req_set, value_len) == 280, "SET value_len");
_Static_assert(offsetof(struct syn_cmap_req_set, type) == 288, "SET type");
_Static_assert(offsetof(struct syn_cmap_req_set, value) == 296, "SET value");
_Static_assert(sizeof(struct syn_cmap_req_delete) == 280, "DELETE");
_Static_assert(sizeof(struct syn_cmap_req_get) == 288, "GET");
_Static_assert(offsetof(struct syn_cmap_req_get, value_len) == 280, "GET value_len");
_Static_assert(sizeof(struct syn_cmap_res_get) == 40, "GET res");
_Static_assert(offsetof(struct syn_cmap_res_get, type) == 32, "GET res type");
_Static_assert(offsetof(struct syn_cmap_res_get, value) == 40, "GET res value");
_Static_assert(sizeof(struct syn_cmap_req_adjust_int) == 288, "ADJUST_INT");
_Static_assert(offsetof(struct syn_cmap_req_adjust_int, step) == 280, "ADJUST_INT step");
_Static_assert(sizeof(struct syn_cmap_req_iter_init) == 280, "ITER_INIT");
_Static_assert(sizeof(struct syn_cmap_res_iter_init) == 32, "ITER_INIT res");
_Static_assert(sizeof(struct syn_cmap_req_iter) == 24, "ITER_NEXT/FINALIZE");
_Static_assert(sizeof(struct syn_cmap_res_iter_next) == 304, "ITER_NEXT res");
_Static_assert(offsetof(struct syn_cmap_res_iter_next, value_len) == 288, "ITER_NEXT len");
_Static_assert(offsetof(struct syn_cmap_res_iter_next, type) == 296, "ITER_NEXT type");
_Static_assert(sizeof(struct syn_cmap_req_track_add) == 296, "TRACK_ADD");
_Static_assert(offsetof(struct syn_cmap_req_track_add, track_type) == 280, "TRACK type");
_Static_assert(offsetof(struct syn_cmap_req_track_add, track_inst_handle) == 288, "TRACK inst");
_Static_assert(sizeof(struct syn_cmap_res_track_add) == 32, "TRACK_ADD res");
_Static_assert(sizeof(struct syn_cmap_req_track_delete) == 24, "TRACK_DELETE");
_Static_assert(sizeof(struct syn_cmap_res_track_delete) == 32, "TRACK_DELETE res");
_Static_assert(sizeof(struct syn_cmap_req_set_current_map) == 24, "SET_CURRENT_MAP");
_Static_assert(offsetof(struct syn_cmap_res_notify, key_name) == 32, "NOTIFY key");
_Static_assert(offsetof(struct syn_cmap_res_notify, event) == 296, "NOTIFY event");
_Static_assert(offsetof(struct syn_cmap_res_notify, new_value_type) == 304, "NOTIFY ntype");
_Static_assert(offsetof(struct syn_cmap_res_notify, old_value_type) == 312, "NOTIFY otype");
_Static_assert(offsetof(struct syn_cmap_res_notify, new_value_len) == 320, "NOTIFY nlen");
_Static_assert(offsetof(struct syn_cmap_res_notify, old_value_len) == 328, "NOTIFY olen");
_Static_assert(sizeof(struct syn_cmap_res_notify) == 336, "NOTIFY size");

#endif /* SYN_PROTO_IPC_CMAP_H */
