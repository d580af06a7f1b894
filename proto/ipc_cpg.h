/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ipc_cpg.h - the cpg service's IPC messages, byte-compatible with
 * corosync 3.1.7 (shared spec cpg.md sections 2 and 3), x86_64 layouts.
 * Every field of the marshalled structures is 8-aligned, as corosync's
 * mar_* types are.
 *
 * request (id)             size          response (id)   size
 *   JOIN (0)                 168           0               24
 *   LEAVE (1)                160           1               24
 *   MCAST (2)                40 + msglen   none, ever
 *   MEMBERSHIP (3)           152           3               9248
 *   LOCAL_GET (4)            16            7               32
 *   ITERATIONINITIALIZE (5)  160           9               32
 *   ITERATIONNEXT (6)        24            10              168
 *   ITERATIONFINALIZE (7)    24            11              24
 *   FINALIZE (8)             16            12              24
 *   ZC_ALLOC (9)             152           0               24
 *   ZC_FREE (10)             32            0               24
 *   ZC_EXECUTE (11)          24            2               24
 *   PARTIAL_MCAST (12)       56 + fraglen  18              24
 * events: CONFCHG (4) 184 + 24 (m + l + j), counters member/joined/left
 * but arrays member/left/joined; DELIVER (5) 184 + msglen; TOTEM_CONFCHG
 * (13) 48 + 4 n with the node ids at 44; PARTIAL_DELIVER (17) 200 +
 * fraglen.  MCAST and PARTIAL_MCAST start with a 24-byte block shaped
 * like a response header (id, size, 8 unused bytes).
 */
#ifndef SYN_PROTO_IPC_CPG_H
#define SYN_PROTO_IPC_CPG_H

#include "ipc_common.h"

#define SYN_CPG_A8 __attribute__((aligned(8)))
#define SYN_CPG_SERVICE_ID 2
#define SYN_CPG_NAME_MAX 128
#define SYN_CPG_MEMBERS_MAX 128
#define SYN_CPG_PROCESSOR_COUNT_MAX 384
#define SYN_CPG_ZC_PATH_LEN 128
/* Largest payload the library sends unfragmented (1 MiB - 1024). */
#define SYN_CPG_MAX_ATOMIC_MSG (SYN_IPC_BUFFER_SIZE - 1024)
/* Zero-copy file header before the payload. */
#define SYN_CPG_ZC_HEADER 56

enum syn_cpg_req_id {
	SYN_CPG_REQ_JOIN = 0,
	SYN_CPG_REQ_LEAVE = 1,
	SYN_CPG_REQ_MCAST = 2,
	SYN_CPG_REQ_MEMBERSHIP = 3,
	SYN_CPG_REQ_LOCAL_GET = 4,
	SYN_CPG_REQ_ITERATIONINITIALIZE = 5,
	SYN_CPG_REQ_ITERATIONNEXT = 6,
	SYN_CPG_REQ_ITERATIONFINALIZE = 7,
	SYN_CPG_REQ_FINALIZE = 8,
	SYN_CPG_REQ_ZC_ALLOC = 9,
	SYN_CPG_REQ_ZC_FREE = 10,
	SYN_CPG_REQ_ZC_EXECUTE = 11,
	SYN_CPG_REQ_PARTIAL_MCAST = 12,
	SYN_CPG_REQ_COUNT = 13,
};

enum syn_cpg_res_id {
	SYN_CPG_RES_JOIN = 0,
	SYN_CPG_RES_LEAVE = 1,
	SYN_CPG_RES_MCAST = 2,
	SYN_CPG_RES_MEMBERSHIP = 3,
	SYN_CPG_RES_CONFCHG_CALLBACK = 4,
	SYN_CPG_RES_DELIVER_CALLBACK = 5,
	SYN_CPG_RES_FLOW_CONTROL_STATE_SET = 6,
	SYN_CPG_RES_LOCAL_GET = 7,
	SYN_CPG_RES_FLOWCONTROL_CALLBACK = 8,
	SYN_CPG_RES_ITERATIONINITIALIZE = 9,
	SYN_CPG_RES_ITERATIONNEXT = 10,
	SYN_CPG_RES_ITERATIONFINALIZE = 11,
	SYN_CPG_RES_FINALIZE = 12,
	SYN_CPG_RES_TOTEM_CONFCHG_CALLBACK = 13,
	SYN_CPG_RES_ZC_ALLOC = 14,
	SYN_CPG_RES_ZC_FREE = 15,
	SYN_CPG_RES_ZC_EXECUTE = 16,
	SYN_CPG_RES_PARTIAL_DELIVER_CALLBACK = 17,
	SYN_CPG_RES_PARTIAL_SEND = 18,
};

enum syn_cpg_partial_type {
	SYN_CPG_PARTIAL_FIRST = 1,
	SYN_CPG_PARTIAL_CONTINUED = 2,
	SYN_CPG_PARTIAL_LAST = 3,
};

/* mar_cpg_name_t: length then 128 bytes, NOT NUL-terminated by rule. */
struct syn_cpg_mar_name {
	uint32_t length SYN_CPG_A8;
	char value[SYN_CPG_NAME_MAX] SYN_CPG_A8;
};

/* mar_cpg_address_t: 24 bytes, every field 8-aligned. */
struct syn_cpg_mar_address {
	uint32_t nodeid SYN_CPG_A8;
	uint32_t pid SYN_CPG_A8;
	uint32_t reason SYN_CPG_A8;
};

struct syn_cpg_mar_ring_id {
	uint32_t nodeid SYN_CPG_A8;
	uint64_t seq SYN_CPG_A8;
};

struct syn_cpg_mar_iteration_description {
	struct syn_cpg_mar_name group SYN_CPG_A8;
	uint32_t nodeid SYN_CPG_A8;
	uint32_t pid;
};

/* The 24-byte head of MCAST and PARTIAL_MCAST (a response-header shape). */
struct syn_cpg_mcast_head {
	int32_t id SYN_CPG_A8;
	int32_t size SYN_CPG_A8;
	int32_t unused SYN_CPG_A8;
};

struct syn_cpg_req_join {
	struct qb_ipc_request_header header SYN_CPG_A8;
	struct syn_cpg_mar_name group_name SYN_CPG_A8;
	uint32_t pid SYN_CPG_A8;
	uint32_t flags SYN_CPG_A8;
};

struct syn_cpg_req_leave {
	struct qb_ipc_request_header header SYN_CPG_A8;
	struct syn_cpg_mar_name group_name SYN_CPG_A8;
	uint32_t pid SYN_CPG_A8;
};

struct syn_cpg_req_mcast {
	struct syn_cpg_mcast_head header SYN_CPG_A8;
	uint32_t guarantee SYN_CPG_A8;
	uint32_t msglen SYN_CPG_A8;
	char message[] SYN_CPG_A8;
};

struct syn_cpg_req_partial_mcast {
	struct syn_cpg_mcast_head header SYN_CPG_A8;
	uint32_t guarantee SYN_CPG_A8;
	uint32_t msglen SYN_CPG_A8;
	uint32_t fraglen SYN_CPG_A8;
	uint32_t type SYN_CPG_A8;
	char message[] SYN_CPG_A8;
};

struct syn_cpg_req_membership {
	struct qb_ipc_request_header header SYN_CPG_A8;
	struct syn_cpg_mar_name group_name SYN_CPG_A8;
};

struct syn_cpg_req_iterationinitialize {
	struct qb_ipc_request_header header SYN_CPG_A8;
	struct syn_cpg_mar_name group_name SYN_CPG_A8;
	uint32_t iteration_type SYN_CPG_A8;
};

struct syn_cpg_req_iteration { /* NEXT and FINALIZE */
	struct qb_ipc_request_header header SYN_CPG_A8;
	uint64_t iteration_handle SYN_CPG_A8;
};

struct syn_cpg_req_zc_alloc {
	struct qb_ipc_request_header header SYN_CPG_A8;
	uint64_t map_size SYN_CPG_A8;
	char path_to_file[SYN_CPG_ZC_PATH_LEN] SYN_CPG_A8;
};

struct syn_cpg_req_zc_free {
	struct qb_ipc_request_header header SYN_CPG_A8;
	uint64_t map_size SYN_CPG_A8;
	uint64_t server_address SYN_CPG_A8;
};

struct syn_cpg_req_zc_execute {
	struct qb_ipc_request_header header SYN_CPG_A8;
	uint64_t server_address SYN_CPG_A8;
};

struct syn_cpg_res_membership {
	struct qb_ipc_response_header header SYN_CPG_A8;
	uint32_t member_count SYN_CPG_A8;
	struct syn_cpg_mar_address member_list[SYN_CPG_PROCESSOR_COUNT_MAX];
};

struct syn_cpg_res_local_get {
	struct qb_ipc_response_header header SYN_CPG_A8;
	uint32_t local_nodeid SYN_CPG_A8;
};

struct syn_cpg_res_iterationinitialize {
	struct qb_ipc_response_header header SYN_CPG_A8;
	uint64_t iteration_handle SYN_CPG_A8;
};

struct syn_cpg_res_iterationnext {
	struct qb_ipc_response_header header SYN_CPG_A8;
	struct syn_cpg_mar_iteration_description description SYN_CPG_A8;
};

struct syn_cpg_ev_confchg {
	struct qb_ipc_response_header header SYN_CPG_A8;
	struct syn_cpg_mar_name group_name SYN_CPG_A8;
	uint32_t member_list_entries SYN_CPG_A8;
	uint32_t joined_list_entries SYN_CPG_A8;
	uint32_t left_list_entries SYN_CPG_A8;
	struct syn_cpg_mar_address member_list[]; /* then left, then joined */
};

struct syn_cpg_ev_deliver {
	struct qb_ipc_response_header header SYN_CPG_A8;
	struct syn_cpg_mar_name group_name SYN_CPG_A8;
	uint32_t msglen SYN_CPG_A8;
	uint32_t nodeid SYN_CPG_A8;
	uint32_t pid SYN_CPG_A8;
	char message[] SYN_CPG_A8;
};

struct syn_cpg_ev_partial_deliver {
	struct qb_ipc_response_header header SYN_CPG_A8;
	struct syn_cpg_mar_name group_name SYN_CPG_A8;
	uint32_t msglen SYN_CPG_A8;
	uint32_t fraglen SYN_CPG_A8;
	uint32_t nodeid SYN_CPG_A8;
	uint32_t pid SYN_CPG_A8;
	uint32_t type SYN_CPG_A8;
	char message[] SYN_CPG_A8;
};

/* sizeof is 48 (tail padding); the node ids start at 44. */
struct syn_cpg_ev_totem_confchg {
	struct qb_ipc_response_header header SYN_CPG_A8;
	struct syn_cpg_mar_ring_id ring_id SYN_CPG_A8;
	uint32_t member_list_entries SYN_CPG_A8;
	uint32_t member_list[];
};

#define SYN_CPG_TOTEM_CONFCHG_LIST_OFF 44
#define SYN_CPG_TOTEM_CONFCHG_SIZE(n) (sizeof(struct syn_cpg_ev_totem_confchg) + 4 * (size_t)(n))

_Static_assert(sizeof(struct syn_cpg_mar_name) == 136, "mar_cpg_name_t");
_Static_assert(offsetof(struct syn_cpg_mar_name, value) == 8, "mar_cpg_name_t value");
_Static_assert(sizeof(struct syn_cpg_mar_address) == 24, "mar_cpg_address_t");
_Static_assert(offsetof(struct syn_cpg_mar_address, pid) == 8, "address pid");
_Static_assert(offsetof(struct syn_cpg_mar_address, reason) == 16, "address reason");
_Static_assert(sizeof(struct syn_cpg_mar_ring_id) == 16, "mar_cpg_ring_id_t");
_Static_assert(sizeof(struct syn_cpg_mar_iteration_description) == 144, "iteration description");
_Static_assert(offsetof(struct syn_cpg_mar_iteration_description, nodeid) == 136, "desc nodeid");
_Static_assert(offsetof(struct syn_cpg_mar_iteration_description, pid) == 140, "desc pid");
_Static_assert(sizeof(struct syn_cpg_mcast_head) == 24, "mcast head");
_Static_assert(offsetof(struct syn_cpg_mcast_head, size) == 8, "mcast head size");
_Static_assert(sizeof(struct syn_cpg_req_join) == 168, "JOIN");
_Static_assert(offsetof(struct syn_cpg_req_join, group_name) == 16, "JOIN group");
_Static_assert(offsetof(struct syn_cpg_req_join, pid) == 152, "JOIN pid");
_Static_assert(offsetof(struct syn_cpg_req_join, flags) == 160, "JOIN flags");
_Static_assert(sizeof(struct syn_cpg_req_leave) == 160, "LEAVE");
_Static_assert(offsetof(struct syn_cpg_req_leave, pid) == 152, "LEAVE pid");
_Static_assert(sizeof(struct syn_cpg_req_mcast) == 40, "MCAST");
_Static_assert(offsetof(struct syn_cpg_req_mcast, guarantee) == 24, "MCAST guarantee");
_Static_assert(offsetof(struct syn_cpg_req_mcast, msglen) == 32, "MCAST msglen");
_Static_assert(offsetof(struct syn_cpg_req_mcast, message) == 40, "MCAST message");
_Static_assert(sizeof(struct syn_cpg_req_partial_mcast) == 56, "PARTIAL_MCAST");
_Static_assert(offsetof(struct syn_cpg_req_partial_mcast, msglen) == 32, "PARTIAL msglen");
_Static_assert(offsetof(struct syn_cpg_req_partial_mcast, fraglen) == 40, "PARTIAL fraglen");
_Static_assert(offsetof(struct syn_cpg_req_partial_mcast, type) == 48, "PARTIAL type");
_Static_assert(offsetof(struct syn_cpg_req_partial_mcast, message) == 56, "PARTIAL message");
_Static_assert(sizeof(struct syn_cpg_req_membership) == 152, "MEMBERSHIP");
_Static_assert(sizeof(struct syn_cpg_req_iterationinitialize) == 160, "ITERATIONINITIALIZE");
_Static_assert(offsetof(struct syn_cpg_req_iterationinitialize, iteration_type) == 152,
	       "iteration type");
_Static_assert(sizeof(struct syn_cpg_req_iteration) == 24, "ITERATIONNEXT/FINALIZE");
_Static_assert(sizeof(struct syn_cpg_req_zc_alloc) == 152, "ZC_ALLOC");
_Static_assert(offsetof(struct syn_cpg_req_zc_alloc, path_to_file) == 24, "ZC path");
_Static_assert(sizeof(struct syn_cpg_req_zc_free) == 32, "ZC_FREE");
_Static_assert(sizeof(struct syn_cpg_req_zc_execute) == 24, "ZC_EXECUTE");
_Static_assert(sizeof(struct syn_cpg_res_membership) == 9248, "MEMBERSHIP response");
_Static_assert(offsetof(struct syn_cpg_res_membership, member_count) == 24, "member_count");
_Static_assert(offsetof(struct syn_cpg_res_membership, member_list) == 32, "member_list");
_Static_assert(sizeof(struct syn_cpg_res_local_get) == 32, "LOCAL_GET response");
_Static_assert(sizeof(struct syn_cpg_res_iterationinitialize) == 32, "ITERINIT response");
_Static_assert(sizeof(struct syn_cpg_res_iterationnext) == 168, "ITERNEXT response");
_Static_assert(offsetof(struct syn_cpg_res_iterationnext, description) == 24, "ITERNEXT desc");
_Static_assert(sizeof(struct syn_cpg_ev_confchg) == 184, "CONFCHG");
_Static_assert(offsetof(struct syn_cpg_ev_confchg, member_list_entries) == 160, "confchg m");
_Static_assert(offsetof(struct syn_cpg_ev_confchg, joined_list_entries) == 168, "confchg j");
_Static_assert(offsetof(struct syn_cpg_ev_confchg, left_list_entries) == 176, "confchg l");
_Static_assert(sizeof(struct syn_cpg_ev_deliver) == 184, "DELIVER");
_Static_assert(offsetof(struct syn_cpg_ev_deliver, msglen) == 160, "DELIVER msglen");
_Static_assert(offsetof(struct syn_cpg_ev_deliver, nodeid) == 168, "DELIVER nodeid");
_Static_assert(offsetof(struct syn_cpg_ev_deliver, pid) == 176, "DELIVER pid");
_Static_assert(sizeof(struct syn_cpg_ev_partial_deliver) == 200, "PARTIAL_DELIVER");
_Static_assert(offsetof(struct syn_cpg_ev_partial_deliver, fraglen) == 168, "PD fraglen");
_Static_assert(offsetof(struct syn_cpg_ev_partial_deliver, nodeid) == 176, "PD nodeid");
_Static_assert(offsetof(struct syn_cpg_ev_partial_deliver, pid) == 184, "PD pid");
_Static_assert(offsetof(struct syn_cpg_ev_partial_deliver, type) == 192, "PD type");
_Static_assert(sizeof(struct syn_cpg_ev_totem_confchg) == 48, "TOTEM_CONFCHG");
_Static_assert(offsetof(struct syn_cpg_ev_totem_confchg, ring_id) == 24, "TOTEM ring");
_Static_assert(offsetof(struct syn_cpg_ev_totem_confchg, member_list_entries) == 40, "TOTEM n");
_Static_assert(offsetof(struct syn_cpg_ev_totem_confchg, member_list) ==
		       SYN_CPG_TOTEM_CONFCHG_LIST_OFF,
	       "TOTEM list");

#endif /* SYN_PROTO_IPC_CPG_H */
