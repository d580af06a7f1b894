/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ipc_quorum.h - the quorum service's IPC messages, byte-compatible with
 * corosync 3.1.7 (shared spec ipc-wire.md section 6).
 *
 * request (id)          size   response (id)  size
 *   GETQUORATE (0)        16     0              32
 *   TRACKSTART (1)        24     1              24
 *   TRACKSTOP (2)         16     2              24
 *   GETTYPE (3)           16     4              32
 *   MODEL_GETTYPE (4)     24     5              32
 *   event NOTIFICATION (V0)      3              48 + 4 n (list at 44)
 *   event V1_QUORUM              6              56 + 4 n (list at 52)
 *   event V1_NODELIST            7              64 + 4 (m + j + l) (lists at 60)
 */
#ifndef SYN_PROTO_IPC_QUORUM_H
#define SYN_PROTO_IPC_QUORUM_H

#include "ipc_common.h"

#define SYN_QU_A8 __attribute__((aligned(8)))

enum syn_qu_req_id {
	SYN_QU_REQ_GETQUORATE = 0,
	SYN_QU_REQ_TRACKSTART = 1,
	SYN_QU_REQ_TRACKSTOP = 2,
	SYN_QU_REQ_GETTYPE = 3,
	SYN_QU_REQ_MODEL_GETTYPE = 4,
	SYN_QU_REQ_COUNT = 5,
};

enum syn_qu_res_id {
	SYN_QU_RES_GETQUORATE = 0,
	SYN_QU_RES_TRACKSTART = 1,
	SYN_QU_RES_TRACKSTOP = 2,
	SYN_QU_RES_NOTIFICATION = 3,
	SYN_QU_RES_GETTYPE = 4,
	SYN_QU_RES_MODEL_GETTYPE = 5,
	SYN_QU_RES_V1_QUORUM_NOTIFICATION = 6,
	SYN_QU_RES_V1_NODELIST_NOTIFICATION = 7,
};

struct syn_qu_ring_id {
	uint32_t nodeid SYN_QU_A8;
	uint64_t seq SYN_QU_A8;
};

struct syn_qu_req_trackstart {
	struct qb_ipc_request_header header SYN_QU_A8;
	uint32_t track_flags;
};

struct syn_qu_req_model_gettype {
	struct qb_ipc_request_header header SYN_QU_A8;
	uint32_t model SYN_QU_A8;
};

struct syn_qu_res_u32 { /* GETQUORATE, GETTYPE, MODEL_GETTYPE */
	struct qb_ipc_response_header header SYN_QU_A8;
	uint32_t value SYN_QU_A8;
};

struct syn_qu_res_notification {
	struct qb_ipc_response_header header SYN_QU_A8;
	int32_t quorate SYN_QU_A8;
	uint64_t ring_seq SYN_QU_A8;
	uint32_t view_list_entries SYN_QU_A8;
	uint32_t view_list[];
};

struct syn_qu_res_v1_quorum_notification {
	struct qb_ipc_response_header header SYN_QU_A8;
	int32_t quorate SYN_QU_A8;
	struct syn_qu_ring_id ring_id SYN_QU_A8;
	uint32_t view_list_entries SYN_QU_A8;
	uint32_t view_list[];
};

struct syn_qu_res_v1_nodelist_notification {
	struct qb_ipc_response_header header SYN_QU_A8;
	struct syn_qu_ring_id ring_id SYN_QU_A8;
	uint32_t member_list_entries SYN_QU_A8;
	uint32_t joined_list_entries SYN_QU_A8;
	uint32_t left_list_entries SYN_QU_A8;
	uint32_t lists[];
};

_Static_assert(sizeof(struct syn_qu_req_trackstart) == 24, "trackstart req");
_Static_assert(sizeof(struct syn_qu_req_model_gettype) == 24, "model_gettype req");
_Static_assert(sizeof(struct syn_qu_res_u32) == 32, "u32 res");
_Static_assert(offsetof(struct syn_qu_res_notification, view_list) == 44, "v0 list");
_Static_assert(sizeof(struct syn_qu_res_notification) == 48, "v0 size");
_Static_assert(offsetof(struct syn_qu_res_v1_quorum_notification, view_list) == 52, "v1 list");
_Static_assert(sizeof(struct syn_qu_res_v1_quorum_notification) == 56, "v1 size");
_Static_assert(offsetof(struct syn_qu_res_v1_nodelist_notification, lists) == 60, "nl lists");
_Static_assert(sizeof(struct syn_qu_res_v1_nodelist_notification) == 64, "nl size");

#endif /* SYN_PROTO_IPC_QUORUM_H */
