/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ipc_cmm.h - the CMM service's IPC messages (libqb IPC name "cmm",
 * service id 8).  synod-defined; shared by libcgha_cmm and the daemon.
 * Native byte order (local IPC only).  Every response header's error
 * field carries a cmm_error_t value (0 = CMM_OK); a positive value is the
 * IPC glue's generic rejection of a malformed request.
 *
 * request (id)         size   response (id)   size
 *   HELLO (0)            24     0               32
 *   QUERY (1)            24     1               32 + n * 368
 *   MODIFY (2)           32     2               24
 *   SUBSCRIBE (3)        16     3               24
 *   event NOTIFY                4               32
 *
 * struct syn_cmm_wire_member is cmm_member_t's layout (368 bytes):
 *   off size field
 *     0    4 nodeid
 *     4  256 name
 *   260   64 addr
 *   324    4 domainid
 *   328    4 sflag
 *   332    4 incarnation_number
 *   336   32 software_load_id
 */
#ifndef SYN_PROTO_IPC_CMM_H
#define SYN_PROTO_IPC_CMM_H

#include <stddef.h>
#include <stdint.h>
#include <cmm.h>

#include "ipc_common.h"

#define SYN_CMM_IPC_NAME "cmm"
#define SYN_CMM_SERVICE_ID 8
#define SYN_CMM_PROTO_VERSION 1
#define SYN_CMM_QUERY_MAX 1024

enum syn_cmm_req_id {
	SYN_CMM_REQ_HELLO = 0,
	SYN_CMM_REQ_QUERY = 1,
	SYN_CMM_REQ_MODIFY = 2,
	SYN_CMM_REQ_SUBSCRIBE = 3,
	SYN_CMM_REQ_COUNT = 4,
};

enum syn_cmm_res_id {
	SYN_CMM_RES_HELLO = 0,
	SYN_CMM_RES_QUERY = 1,
	SYN_CMM_RES_MODIFY = 2,
	SYN_CMM_RES_SUBSCRIBE = 3,
	SYN_CMM_RES_NOTIFY = 4,
};

enum syn_cmm_query {
	SYN_CMM_Q_MEMBER = 1,	 /* nodeid: a current member */
	SYN_CMM_Q_POTENTIAL = 2, /* nodeid: any node of the table */
	SYN_CMM_Q_MASTER = 3,
	SYN_CMM_Q_VICE = 4,
	SYN_CMM_Q_ALL = 5, /* every member, ascending id; count = members */
};

struct syn_cmm_req_hello {
	struct qb_ipc_request_header header;
	uint32_t version;
	uint32_t reserved;
};

struct syn_cmm_res_hello {
	struct qb_ipc_response_header header;
	uint32_t version;
	uint32_t nodeid;
};

struct syn_cmm_req_query {
	struct qb_ipc_request_header header;
	uint32_t query;
	uint32_t nodeid;
};

struct syn_cmm_res_query {
	struct qb_ipc_response_header header;
	uint32_t count;	    /* number of members (Q_ALL) or 1 */
	uint32_t n_entries; /* members that follow */
	cmm_member_t entries[];
};

/* Modifying calls; op is an enum syn_cmm_op of core/cmm_roles.h. */
struct syn_cmm_req_modify {
	struct qb_ipc_request_header header;
	uint32_t op;
	uint32_t target;
	int32_t arg;
	uint32_t reserved;
};

struct syn_cmm_req_subscribe {
	struct qb_ipc_request_header header;
};

struct syn_cmm_res_notify {
	struct qb_ipc_response_header header;
	int32_t cmchange;
	uint32_t nodeid;
};

_Static_assert(sizeof(cmm_member_t) == 368, "cmm_member_t size");
_Static_assert(offsetof(cmm_member_t, addr) == 260, "cmm_member_t addr");
_Static_assert(offsetof(cmm_member_t, domainid) == 324, "cmm_member_t domainid");
_Static_assert(offsetof(cmm_member_t, software_load_id) == 336, "cmm_member_t swload");
_Static_assert(sizeof(struct syn_cmm_req_hello) == 24, "hello request");
_Static_assert(sizeof(struct syn_cmm_res_hello) == 32, "hello response");
_Static_assert(sizeof(struct syn_cmm_req_query) == 24, "query request");
_Static_assert(sizeof(struct syn_cmm_res_query) == 32, "query response");
_Static_assert(offsetof(struct syn_cmm_res_query, entries) == 32, "query entries");
_Static_assert(sizeof(struct syn_cmm_req_modify) == 32, "modify request");
_Static_assert(sizeof(struct syn_cmm_req_subscribe) == 16, "subscribe request");
_Static_assert(sizeof(struct syn_cmm_res_notify) == 32, "notify event");

#endif /* SYN_PROTO_IPC_CMM_H */
