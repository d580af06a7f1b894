/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ipc_votequorum.h - the votequorum service's IPC messages,
 * byte-compatible with corosync 3.1.7 (shared spec ipc-wire.md section 5).
 *
 * request (id)            size   response (id)   size
 *   GETINFO (0)             24     GETINFO (1)     320
 *   SETEXPECTED (1)         24     STATUS (0)       24
 *   SETVOTES (2)            24     STATUS (0)       24
 *   TRACKSTART (3)          32     STATUS (0)       24
 *   TRACKSTOP (4)           16     STATUS (0)       24
 *   QDEVICE_REGISTER (5)   272     STATUS (0)       24  (may be deferred)
 *   QDEVICE_UNREGISTER (6) 272     STATUS (0)       24
 *   QDEVICE_UPDATE (7)     528     STATUS (0)       24  (newname at 271)
 *   QDEVICE_POLL (8)       296     STATUS (0)       24
 *   QDEVICE_MASTER_WINS(9) 280     STATUS (0)       24
 *   event QUORUM (3)        48 + 8 n
 *   event EXPECTEDVOTES (4) 40
 *   event NODELIST (5)      56 + 4 n
 */
#ifndef SYN_PROTO_IPC_VOTEQUORUM_H
#define SYN_PROTO_IPC_VOTEQUORUM_H

#include "ipc_common.h"

#define SYN_VQ_A8 __attribute__((aligned(8)))
#define SYN_VQ_NAME_LEN 255

enum syn_vq_req_id {
	SYN_VQ_REQ_GETINFO = 0,
	SYN_VQ_REQ_SETEXPECTED = 1,
	SYN_VQ_REQ_SETVOTES = 2,
	SYN_VQ_REQ_TRACKSTART = 3,
	SYN_VQ_REQ_TRACKSTOP = 4,
	SYN_VQ_REQ_QDEVICE_REGISTER = 5,
	SYN_VQ_REQ_QDEVICE_UNREGISTER = 6,
	SYN_VQ_REQ_QDEVICE_UPDATE = 7,
	SYN_VQ_REQ_QDEVICE_POLL = 8,
	SYN_VQ_REQ_QDEVICE_MASTER_WINS = 9,
	SYN_VQ_REQ_COUNT = 10,
};

enum syn_vq_res_id {
	SYN_VQ_RES_STATUS = 0,
	SYN_VQ_RES_GETINFO = 1,
	SYN_VQ_RES_QUORUM_NOTIFICATION = 3,
	SYN_VQ_RES_EXPECTEDVOTES_NOTIFICATION = 4,
	SYN_VQ_RES_NODELIST_NOTIFICATION = 5,
};

struct syn_vq_ring_id {
	uint32_t nodeid SYN_VQ_A8;
	uint64_t seq SYN_VQ_A8;
};

struct syn_vq_node {
	uint32_t nodeid;
	uint32_t state;
};

struct syn_vq_req_getinfo {
	struct qb_ipc_request_header header SYN_VQ_A8;
	int32_t nodeid;
};

struct syn_vq_req_setexpected {
	struct qb_ipc_request_header header SYN_VQ_A8;
	uint32_t expected_votes;
};

struct syn_vq_req_setvotes {
	struct qb_ipc_request_header header SYN_VQ_A8;
	uint32_t votes;
	int32_t nodeid;
};

struct syn_vq_req_trackstart {
	struct qb_ipc_request_header header SYN_VQ_A8;
	uint64_t context SYN_VQ_A8;
	uint32_t track_flags SYN_VQ_A8;
};

struct syn_vq_req_qdevice_name {
	struct qb_ipc_request_header header SYN_VQ_A8;
	char name[SYN_VQ_NAME_LEN];
};

struct syn_vq_req_qdevice_update {
	struct qb_ipc_request_header header SYN_VQ_A8;
	char oldname[SYN_VQ_NAME_LEN];
	char newname[SYN_VQ_NAME_LEN];
};

struct syn_vq_req_qdevice_poll {
	struct qb_ipc_request_header header SYN_VQ_A8;
	char name[SYN_VQ_NAME_LEN];
	int32_t cast_vote;
	struct syn_vq_ring_id ring_id SYN_VQ_A8;
};

struct syn_vq_req_qdevice_master_wins {
	struct qb_ipc_request_header header SYN_VQ_A8;
	char name[SYN_VQ_NAME_LEN];
	uint32_t allow;
};

struct syn_vq_res_getinfo {
	struct qb_ipc_response_header header SYN_VQ_A8;
	uint32_t nodeid;
	uint32_t state;
	uint32_t votes;
	uint32_t expected_votes;
	uint32_t highest_expected;
	uint32_t total_votes;
	uint32_t quorum;
	uint32_t flags;
	uint32_t qdevice_votes;
	char qdevice_name[SYN_VQ_NAME_LEN];
};

struct syn_vq_res_quorum_notification {
	struct qb_ipc_response_header header SYN_VQ_A8;
	uint32_t quorate SYN_VQ_A8;
	uint64_t context SYN_VQ_A8;
	uint32_t node_list_entries SYN_VQ_A8;
	struct syn_vq_node node_list[] SYN_VQ_A8;
};

struct syn_vq_res_expectedvotes_notification {
	struct qb_ipc_response_header header SYN_VQ_A8;
	uint64_t context SYN_VQ_A8;
	uint32_t expected_votes SYN_VQ_A8;
};

struct syn_vq_res_nodelist_notification {
	struct qb_ipc_response_header header SYN_VQ_A8;
	uint64_t context SYN_VQ_A8;
	struct syn_vq_ring_id ring_id SYN_VQ_A8;
	uint32_t node_list_entries SYN_VQ_A8;
	uint32_t node_list[] SYN_VQ_A8;
};

_Static_assert(sizeof(struct syn_vq_req_getinfo) == 24, "getinfo req");
_Static_assert(sizeof(struct syn_vq_req_setexpected) == 24, "setexpected req");
_Static_assert(sizeof(struct syn_vq_req_setvotes) == 24, "setvotes req");
_Static_assert(offsetof(struct syn_vq_req_setvotes, nodeid) == 20, "setvotes nodeid");
_Static_assert(sizeof(struct syn_vq_req_trackstart) == 32, "trackstart req");
_Static_assert(offsetof(struct syn_vq_req_trackstart, track_flags) == 24, "track_flags");
_Static_assert(sizeof(struct syn_vq_req_qdevice_name) == 272, "qdevice name req");
_Static_assert(sizeof(struct syn_vq_req_qdevice_update) == 528, "qdevice update req");
_Static_assert(offsetof(struct syn_vq_req_qdevice_update, newname) == 271, "newname");
_Static_assert(sizeof(struct syn_vq_req_qdevice_poll) == 296, "qdevice poll req");
_Static_assert(offsetof(struct syn_vq_req_qdevice_poll, cast_vote) == 272, "cast_vote");
_Static_assert(offsetof(struct syn_vq_req_qdevice_poll, ring_id) == 280, "poll ring_id");
_Static_assert(sizeof(struct syn_vq_req_qdevice_master_wins) == 280, "master_wins req");
_Static_assert(offsetof(struct syn_vq_req_qdevice_master_wins, allow) == 272, "allow");
_Static_assert(sizeof(struct syn_vq_res_getinfo) == 320, "getinfo res");
_Static_assert(offsetof(struct syn_vq_res_getinfo, qdevice_name) == 60, "qdevice_name");
_Static_assert(sizeof(struct syn_vq_res_quorum_notification) == 48, "quorum event");
_Static_assert(offsetof(struct syn_vq_res_quorum_notification, context) == 32, "q ctx");
_Static_assert(offsetof(struct syn_vq_res_quorum_notification, node_list_entries) == 40,
	       "q entries");
_Static_assert(sizeof(struct syn_vq_res_expectedvotes_notification) == 40, "ev event");
_Static_assert(sizeof(struct syn_vq_res_nodelist_notification) == 56, "nodelist event");
_Static_assert(offsetof(struct syn_vq_res_nodelist_notification, ring_id) == 32, "nl ring");
_Static_assert(offsetof(struct syn_vq_res_nodelist_notification, node_list_entries) == 48,
	       "nl entries");

#endif /* SYN_PROTO_IPC_VOTEQUORUM_H */
