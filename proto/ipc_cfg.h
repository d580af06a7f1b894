/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ipc_cfg.h - the cfg service's IPC messages, byte-compatible with
 * corosync 3.1.7 (shared spec ipc-wire.md section 7).
 *
 * request (id)            size   response (id)   size
 *   RINGSTATUSGET (0)       16     0             10272
 *   RINGREENABLE (1)        16     1                24
 *   KILLNODE (2)           288     8                24
 *   TRYSHUTDOWN (3)         24     9                24  (deferred)
 *   REPLYTOSHUTDOWN (4)     24    13                24
 *   GET_NODE_ADDRS (5)      24    11           32 + 16 k
 *   LOCAL_GET (6)           16    12                32
 *   RELOAD_CONFIG (7)       16    14                24  (deferred)
 *   REOPEN_LOG_FILES (8)    16    15                24
 *   NODESTATUSGET (9)       32    16        4200 (error: 32)
 *   TRACKSTART (10)         24     2                24
 *   TRACKSTOP (11)          16     3                24
 *   event TESTSHUTDOWN            10                32
 */
#ifndef SYN_PROTO_IPC_CFG_H
#define SYN_PROTO_IPC_CFG_H

#include "ipc_common.h"

#define SYN_CFG_A8 __attribute__((aligned(8)))
#define SYN_CFG_MAX_INTERFACES 16
#define SYN_CFG_INTERFACE_NAME_LEN 128
#define SYN_CFG_INTERFACE_STATUS_LEN 512
#define SYN_CFG_MAX_LINKS 8
#define SYN_CFG_MAX_HOST_LEN 256
#define SYN_CFG_ADDR_LEN 16

enum syn_cfg_req_id {
	SYN_CFG_REQ_RINGSTATUSGET = 0,
	SYN_CFG_REQ_RINGREENABLE = 1,
	SYN_CFG_REQ_KILLNODE = 2,
	SYN_CFG_REQ_TRYSHUTDOWN = 3,
	SYN_CFG_REQ_REPLYTOSHUTDOWN = 4,
	SYN_CFG_REQ_GET_NODE_ADDRS = 5,
	SYN_CFG_REQ_LOCAL_GET = 6,
	SYN_CFG_REQ_RELOAD_CONFIG = 7,
	SYN_CFG_REQ_REOPEN_LOG_FILES = 8,
	SYN_CFG_REQ_NODESTATUSGET = 9,
	SYN_CFG_REQ_TRACKSTART = 10,
	SYN_CFG_REQ_TRACKSTOP = 11,
	SYN_CFG_REQ_COUNT = 12,
};

enum syn_cfg_res_id {
	SYN_CFG_RES_RINGSTATUSGET = 0,
	SYN_CFG_RES_RINGREENABLE = 1,
	SYN_CFG_RES_TRACKSTART = 2,
	SYN_CFG_RES_TRACKSTOP = 3,
	SYN_CFG_RES_KILLNODE = 8,
	SYN_CFG_RES_TRYSHUTDOWN = 9,
	SYN_CFG_RES_TESTSHUTDOWN = 10,
	SYN_CFG_RES_GET_NODE_ADDRS = 11,
	SYN_CFG_RES_LOCAL_GET = 12,
	SYN_CFG_RES_REPLYTOSHUTDOWN = 13,
	SYN_CFG_RES_RELOAD_CONFIG = 14,
	SYN_CFG_RES_REOPEN_LOG_FILES = 15,
	SYN_CFG_RES_NODESTATUSGET = 16,
};

struct syn_cs_name {
	uint16_t length;
	uint8_t value[SYN_IPC_NAME_MAX];
};

struct syn_cfg_req_killnode {
	struct qb_ipc_request_header header SYN_CFG_A8;
	uint32_t nodeid SYN_CFG_A8;
	struct syn_cs_name reason SYN_CFG_A8;
};

struct syn_cfg_req_u32 { /* TRYSHUTDOWN flags, REPLYTOSHUTDOWN response, GET_NODE_ADDRS nodeid */
	struct qb_ipc_request_header header SYN_CFG_A8;
	uint32_t value;
};

struct syn_cfg_req_nodestatusget {
	struct qb_ipc_request_header header SYN_CFG_A8;
	uint32_t nodeid SYN_CFG_A8;
	uint32_t version SYN_CFG_A8;
};

struct syn_cfg_res_ringstatusget {
	struct qb_ipc_response_header header SYN_CFG_A8;
	uint32_t interface_count SYN_CFG_A8;
	char interface_name[SYN_CFG_MAX_INTERFACES][SYN_CFG_INTERFACE_NAME_LEN] SYN_CFG_A8;
	char interface_status[SYN_CFG_MAX_INTERFACES][SYN_CFG_INTERFACE_STATUS_LEN];
};

struct syn_cfg_res_get_node_addrs {
	struct qb_ipc_response_header header SYN_CFG_A8;
	uint32_t family;
	uint32_t num_addrs;
	char addrs[][SYN_CFG_ADDR_LEN];
};

struct syn_cfg_res_u32 { /* LOCAL_GET, error form of NODESTATUSGET, TESTSHUTDOWN */
	struct qb_ipc_response_header header SYN_CFG_A8;
	uint32_t value SYN_CFG_A8;
};

struct syn_cfg_link_status_v1 {
	uint8_t enabled;
	uint8_t connected;
	uint8_t dynconnected;
	uint32_t mtu;
	char src_ipaddr[SYN_CFG_MAX_HOST_LEN];
	char dst_ipaddr[SYN_CFG_MAX_HOST_LEN];
};

struct syn_cfg_node_status_v1 {
	uint32_t version;
	uint32_t nodeid;
	uint8_t reachable;
	uint8_t remote;
	uint8_t external;
	uint8_t onwire_min;
	uint8_t onwire_max;
	uint8_t onwire_ver;
	struct syn_cfg_link_status_v1 link_status[SYN_CFG_MAX_LINKS];
};

struct syn_cfg_res_nodestatusget {
	struct qb_ipc_response_header header SYN_CFG_A8;
	struct syn_cfg_node_status_v1 status;
};

_Static_assert(sizeof(struct syn_cfg_req_killnode) == 288, "killnode req");
_Static_assert(offsetof(struct syn_cfg_req_killnode, reason) == 24, "killnode reason");
_Static_assert(sizeof(struct syn_cfg_req_u32) == 24, "u32 req");
_Static_assert(sizeof(struct syn_cfg_req_nodestatusget) == 32, "nodestatusget req");
_Static_assert(sizeof(struct syn_cfg_res_ringstatusget) == 10272, "ringstatus res");
_Static_assert(offsetof(struct syn_cfg_res_ringstatusget, interface_status) == 2080, "status");
_Static_assert(sizeof(struct syn_cfg_res_get_node_addrs) == 32, "node addrs res");
_Static_assert(sizeof(struct syn_cfg_res_u32) == 32, "u32 res");
_Static_assert(sizeof(struct syn_cfg_link_status_v1) == 520, "link status");
_Static_assert(sizeof(struct syn_cfg_node_status_v1) == 4176, "node status");
_Static_assert(sizeof(struct syn_cfg_res_nodestatusget) == 4200, "nodestatusget res");

#endif /* SYN_PROTO_IPC_CFG_H */
