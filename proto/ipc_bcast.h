/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ipc_bcast.h - synod's own broadcast load service ("synod_bcast",
 * service id 9): a client asks the local daemon to broadcast messages
 * through the membership's total order and reads what every daemon
 * counted.  corosync has no equivalent (its pload service is similar in
 * spirit); nothing here is corosync wire format.
 *
 * request (id)   size  response (id)  size
 *   START (0)      32    0              24    error CS_OK, CS_ERR_TRY_AGAIN (a run
 *                                             is going), CS_ERR_INVALID_PARAM
 *   STATS (1)      16    1              104
 *   RESET (2)      16    2              24
 *
 * START: count messages of size bytes (24 .. SYN_BCAST_MAX_SIZE); mode
 * FLOOD queues them as fast as the membership takes them, SERIAL sends
 * the next one only when the previous one came back in order (one
 * message in flight: the latency of the ordered broadcast).
 *
 * Message on the cluster (type SYN_CLUSTER_MSG_BENCH), little endian:
 * origin u32 @0, zero u32 @4, seq u64 @8, the origin's send time u64 @16,
 * then bytes 24 .. size - 1 where byte i is (uint8_t)(seq * 131 + i);
 * receivers check every byte.
 */
#ifndef SYN_PROTO_IPC_BCAST_H
#define SYN_PROTO_IPC_BCAST_H

#include "ipc_common.h"

#define SYN_BCAST_SERVICE_ID 9
#define SYN_BCAST_MIN_SIZE 24u
#define SYN_BCAST_MAX_SIZE (1024u * 1024u - 64u)
#define SYN_BCAST_MAX_COUNT 10000000u

enum syn_bcast_req_id {
	SYN_BCAST_REQ_START = 0,
	SYN_BCAST_REQ_STATS = 1,
	SYN_BCAST_REQ_RESET = 2,
	SYN_BCAST_REQ_COUNT = 3,
};

enum syn_bcast_mode {
	SYN_BCAST_FLOOD = 0,
	SYN_BCAST_SERIAL = 1,
};

struct syn_bcast_req_start {
	struct qb_ipc_request_header header;
	uint32_t count;
	uint32_t size;
	uint32_t mode;
	uint32_t pad;
};

/* Counters since the last RESET; times in microseconds, monotonic. */
struct syn_bcast_res_stats {
	struct qb_ipc_response_header header;
	uint64_t sent;		/* messages this node queued */
	uint64_t own_delivered; /* of those, delivered back in order */
	uint64_t delivered;	/* every node's messages delivered here */
	uint64_t bytes;		/* their payload bytes */
	uint64_t bad;		/* failed the content check */
	uint64_t first_send_us; /* first message of the last START queued */
	uint64_t last_own_us;	/* the last own message came back */
	uint64_t lat_p50_us;	/* queue -> own delivery, over the recorded samples */
	uint64_t lat_p99_us;
	uint64_t lat_max_us;
};

_Static_assert(sizeof(struct syn_bcast_req_start) == 32, "start size");
_Static_assert(sizeof(struct syn_bcast_res_stats) == 104, "stats size");

#endif /* SYN_PROTO_IPC_BCAST_H */
