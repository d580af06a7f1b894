/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_cpg.c - fuzz target for the cpg service (svc_cpg.c, svc_cpg_req.c,
 * svc_cpg_zc.c) started as the daemon starts it, syn_svc_cpg_start(), with
 * the IPC glue replaced by fake_conn.c and the cluster by a fake defined
 * here: this node is node 1, syn_cluster_send() queues a copy of each
 * message (-EAGAIN when 64 wait, so the service's flow control and retry
 * run too), and the input decides when the queue is delivered back in
 * order, when a view is installed and what other nodes send.
 *
 * Input: a sequence of records, each
 *   off size field
 *     0    1 ctl     bits 0-1 connection, bits 2-3 placement in the
 *                    request ring (fake_conn.c), bits 4-6 operation
 *     1    4 len     little endian, clipped to the bytes left
 *     5  len bytes   the request or message (ignored by 2-5)
 * Operations: 0 delivers the bytes as a request as they are; 1 the same
 * with header.size set to len; 2 closes the connection; 3 reopens it;
 * 4 delivers every queued cluster message from node 1; 5 delivers them
 * too, then installs a view (bit 2 of ctl: node 2 is a member, and its JOINLIST with one process of
 * group "g" is queued after ours; bit 3: node 3 is, and sends nothing, so
 * the sync stays open); 6 hands the bytes to the service as a cluster
 * message from node 2 (bit 2 clear) or 3; 7 runs the loop's due timers
 * (the send retry and the stats flush).
 *
 * The oracle: fake_conn.c's framing checks, the response and event checks
 * below (right id for the request, allowed sizes, lists no longer than
 * libcpg's arrays), and the sanitizers (overreads of the exactly sized
 * request, use after free of connections, iterators and queued messages,
 * leaks after every connection is closed and the service stopped).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <corosync/corotypes.h>

#include "cluster.h"
#include "core/cpg_groups.h"
#include "fake_conn.h"
#include "loop.h"
#include "proto/ipc_cpg.h"
#include "service.h"
#include "store.h"
#include "svc_cpg.h"

#define MAX_RECORDS 512
#define QUEUE_MAX 64
#define LOCAL_NODE 1u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: cpg contract violated: %s\n", __FILE__, __LINE__,  \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

struct queued_msg {
	uint32_t sender;
	size_t len;
	uint8_t *data;
};

/* The fake cluster: what the service sent, in order, not yet delivered. */
struct syn_cluster {
	struct queued_msg q[QUEUE_MAX + 1]; /* +1: a peer's JOINLIST after a view */
	size_t n;
};

uint32_t syn_cluster_local_nodeid(const struct syn_cluster *cl)
{
	(void)cl;
	return LOCAL_NODE;
}

static int queue_push(struct syn_cluster *cl, uint32_t sender, const void *data, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);

	if (!copy)
		return -ENOMEM;
	memcpy(copy, data, len);
	cl->q[cl->n++] = (struct queued_msg){.sender = sender, .len = len, .data = copy};
	return 0;
}

int syn_cluster_send(struct syn_cluster *cl, enum syn_cluster_msg_type type, const void *data,
		     size_t len)
{
	CHECK(type == SYN_CLUSTER_MSG_CPG);
	CHECK(len > 0 && data != NULL);
	if (len > 2 * SYN_IPC_BUFFER_SIZE)
		return -EMSGSIZE;
	if (cl->n >= QUEUE_MAX)
		return -EAGAIN;
	return queue_push(cl, LOCAL_NODE, data, len);
}

static void queue_clear(struct syn_cluster *cl)
{
	for (size_t i = 0; i < cl->n; i++)
		free(cl->q[i].data);
	cl->n = 0;
}

/* Hand the queue to the service in order; what it sends meanwhile waits. */
static void queue_deliver(struct syn_cluster *cl, const struct syn_service *svc)
{
	struct queued_msg batch[QUEUE_MAX + 1];
	size_t n = cl->n;

	memcpy(batch, cl->q, n * sizeof(batch[0]));
	cl->n = 0;
	for (size_t i = 0; i < n; i++) {
		svc->deliver(svc->ctx, batch[i].sender, batch[i].data, batch[i].len);
		free(batch[i].data);
	}
}

static void view(struct syn_cluster *cl, const struct syn_service *svc, unsigned int ctl,
		 uint64_t seq)
{
	uint32_t members[3];
	struct syn_node_view v = {.ring_seq = seq, .ring_rep = LOCAL_NODE, .members = members};
	struct syn_cpg_entry peer = {.nodeid = 2, .pid = 4242, .group = {.len = 2, .value = "g"}};
	uint8_t jl[512];
	size_t len;

	/* What was sent in the old ring is delivered there, before the view. */
	queue_deliver(cl, svc);
	members[v.n_members++] = LOCAL_NODE;
	if (ctl & 4u)
		members[v.n_members++] = 2;
	if (ctl & 8u)
		members[v.n_members++] = 3;
	svc->view_changed(svc->ctx, &v, NULL);
	if (ctl & 4u) {
		/* Node 2 starts as we do: the path of a node that saw only this ring. */
		len = syn_cpg_encode_joinlist(jl, sizeof(jl), seq, LOCAL_NODE, 0x5eed, 0, &peer, 1);
		if (len > 0 && cl->n <= QUEUE_MAX)
			queue_push(cl, 2, jl, len);
	}
}

static void stop_loop(void *data)
{
	syn_loop_stop(data);
}

/* Run what is due within a few milliseconds (the retry is 5 ms away). */
static void run_timers(struct syn_loop *loop)
{
	struct syn_timer stop;

	syn_timer_init(&stop, loop, QB_LOOP_LOW, stop_loop, loop);
	if (syn_timer_arm_at(&stop, syn_loop_update_now(loop) + 6000) == 0)
		syn_loop_run(loop);
	syn_timer_cancel(&stop);
}

/* ---- the oracle ------------------------------------------------------------ */

static unsigned int responses(int32_t req_id)
{
	return req_id == SYN_CPG_REQ_MCAST ? 0 : 1;
}

static int32_t response_id(int32_t req_id)
{
	static const int32_t ids[SYN_CPG_REQ_COUNT] = {
		[SYN_CPG_REQ_JOIN] = SYN_CPG_RES_JOIN,
		[SYN_CPG_REQ_LEAVE] = SYN_CPG_RES_LEAVE,
		[SYN_CPG_REQ_MCAST] = -1,
		[SYN_CPG_REQ_MEMBERSHIP] = SYN_CPG_RES_MEMBERSHIP,
		[SYN_CPG_REQ_LOCAL_GET] = SYN_CPG_RES_LOCAL_GET,
		[SYN_CPG_REQ_ITERATIONINITIALIZE] = SYN_CPG_RES_ITERATIONINITIALIZE,
		[SYN_CPG_REQ_ITERATIONNEXT] = SYN_CPG_RES_ITERATIONNEXT,
		[SYN_CPG_REQ_ITERATIONFINALIZE] = SYN_CPG_RES_ITERATIONFINALIZE,
		[SYN_CPG_REQ_FINALIZE] = SYN_CPG_RES_FINALIZE,
		[SYN_CPG_REQ_ZC_ALLOC] = 0, /* corosync answers the two with id 0 */
		[SYN_CPG_REQ_ZC_FREE] = 0,
		[SYN_CPG_REQ_ZC_EXECUTE] = SYN_CPG_RES_MCAST,
		[SYN_CPG_REQ_PARTIAL_MCAST] = SYN_CPG_RES_PARTIAL_SEND,
	};

	return req_id >= 0 && req_id < SYN_CPG_REQ_COUNT ? ids[req_id] : 0;
}

static void check_response(int32_t req_id, const void *req, size_t req_len, const void *msg,
			   size_t len)
{
	struct qb_ipc_response_header h;

	(void)req;
	(void)req_len;
	memcpy(&h, msg, sizeof(h));
	CHECK(req_id >= 0 && req_id < SYN_CPG_REQ_COUNT);
	CHECK(h.id == response_id(req_id));
	CHECK(h.error >= CS_OK && h.error < 64);
	switch (req_id) {
	case SYN_CPG_REQ_MEMBERSHIP:
		/* The whole answer, an empty list with an error (a bad name); bare only without
		 * memory. */
		if (len == sizeof(h)) {
			CHECK(h.error == CS_ERR_NO_MEMORY);
		} else {
			struct syn_cpg_res_membership r;
			CHECK(len == sizeof(r));
			memcpy(&r, msg, sizeof(r));
			CHECK(r.member_count <= SYN_CPG_PROCESSOR_COUNT_MAX);
			CHECK(h.error == CS_OK || r.member_count == 0);
		}
		break;
	case SYN_CPG_REQ_LOCAL_GET: {
		struct syn_cpg_res_local_get r;
		CHECK(len == sizeof(r));
		memcpy(&r, msg, sizeof(r));
		CHECK(r.local_nodeid == LOCAL_NODE);
		break;
	}
	case SYN_CPG_REQ_ITERATIONINITIALIZE: {
		struct syn_cpg_res_iterationinitialize r;
		CHECK(len == sizeof(r) || (h.error != CS_OK && len == sizeof(h)));
		if (len == sizeof(r)) {
			memcpy(&r, msg, sizeof(r));
			CHECK((r.iteration_handle != 0) == (h.error == CS_OK));
		}
		break;
	}
	case SYN_CPG_REQ_ITERATIONNEXT: {
		struct syn_cpg_res_iterationnext r;
		CHECK(len == sizeof(r) || (h.error != CS_OK && len == sizeof(h)));
		if (len == sizeof(r) && h.error == CS_OK) {
			memcpy(&r, msg, sizeof(r));
			CHECK(r.description.group.length <= SYN_CPG_NAME_MAX);
		}
		break;
	}
	default:
		CHECK(len == sizeof(h));
		break;
	}
}

static void check_event(const void *first, size_t first_len, size_t total)
{
	struct qb_ipc_response_header h;

	memcpy(&h, first, sizeof(h));
	CHECK(h.error == CS_OK);
	switch (h.id) {
	case SYN_CPG_RES_CONFCHG_CALLBACK: {
		struct syn_cpg_ev_confchg ev;
		size_t n;
		CHECK(first_len >= sizeof(ev));
		memcpy(&ev, first, sizeof(ev));
		n = (size_t)ev.member_list_entries + ev.joined_list_entries + ev.left_list_entries;
		CHECK(ev.member_list_entries <= 128 && ev.joined_list_entries <= 128 &&
		      ev.left_list_entries <= 128);
		CHECK(total == sizeof(ev) + n * sizeof(struct syn_cpg_mar_address));
		CHECK(ev.group_name.length <= SYN_CPG_NAME_MAX);
		break;
	}
	case SYN_CPG_RES_DELIVER_CALLBACK: {
		struct syn_cpg_ev_deliver ev;
		CHECK(first_len >= sizeof(ev));
		memcpy(&ev, first, sizeof(ev));
		CHECK(total == sizeof(ev) + ev.msglen);
		break;
	}
	case SYN_CPG_RES_PARTIAL_DELIVER_CALLBACK: {
		struct syn_cpg_ev_partial_deliver ev;
		CHECK(first_len >= sizeof(ev));
		memcpy(&ev, first, sizeof(ev));
		CHECK(total == sizeof(ev) + ev.fraglen && ev.fraglen <= ev.msglen);
		CHECK(ev.type >= SYN_CPG_PARTIAL_FIRST && ev.type <= SYN_CPG_PARTIAL_LAST);
		break;
	}
	case SYN_CPG_RES_TOTEM_CONFCHG_CALLBACK: {
		struct syn_cpg_ev_totem_confchg ev;
		CHECK(first_len >= sizeof(ev));
		memcpy(&ev, first, sizeof(ev));
		CHECK(ev.member_list_entries <= 128);
		CHECK(total == SYN_CPG_TOTEM_CONFCHG_SIZE(ev.member_list_entries));
		break;
	}
	default:
		CHECK(!"an event id cpg does not send");
	}
}

static const struct syn_fake_oracle cpg_oracle = {
	.responses = responses,
	.response = check_response,
	.event = check_event,
};

/* ---- the input ------------------------------------------------------------- */

static void run_records(const uint8_t *data, size_t size, struct syn_cluster *cl,
			const struct syn_service *svc, struct syn_loop *loop)
{
	size_t off = 0;
	unsigned int n = 0, timer_runs = 0;
	uint64_t seq = 4;

	while (off < size && n++ < MAX_RECORDS) {
		uint8_t ctl = data[off++];
		uint32_t len = 0;
		struct syn_conn *c = syn_fake_conn_get(ctl & 3u);
		unsigned int op = (ctl >> 4) & 7u;
		uint8_t *msg;

		for (unsigned int i = 0; i < 4 && off < size; i++)
			len |= (uint32_t)data[off++] << (8 * i);
		if (len > size - off)
			len = (uint32_t)(size - off);
		if (op == 2) {
			syn_fake_conn_close(c);
		} else if (op == 3) {
			syn_fake_conn_open(ctl & 3u);
		} else if (op == 4) {
			queue_deliver(cl, svc);
		} else if (op == 5) {
			seq += 4;
			view(cl, svc, ctl, seq);
		} else if (op == 6) {
			svc->deliver(svc->ctx, ctl & 4u ? 3 : 2, data + off, len);
		} else if (op == 7) {
			if (timer_runs++ < 4)
				run_timers(loop);
		} else if (syn_fake_conn_is_open(c)) {
			msg = malloc(len ? len : 1);
			if (!msg)
				break;
			memcpy(msg, data + off, len);
			if (op == 1 && len >= sizeof(struct qb_ipc_request_header))
				((struct qb_ipc_request_header *)msg)->size = (int32_t)len;
			syn_fake_conn_deliver(c, msg, len, (ctl >> 2) & 3u);
			free(msg);
		}
		off += len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct syn_store *icmap = syn_store_create();
	struct syn_store *stats = syn_store_create();
	struct syn_loop *loop = NULL;
	struct syn_cluster cl = {.n = 0};
	struct syn_service svc = {0};
	struct syn_service_env env = {0};
	bool started = false;

	if (!icmap || !stats || syn_loop_create(&loop) != 0)
		goto out;
	env = (struct syn_service_env){.loop = loop,
				       .icmap = icmap,
				       .stats = stats,
				       .ipc = syn_fake_ipc(),
				       .cluster = &cl};
	if (syn_svc_cpg_start(&env, &svc) != SYN_START_OK)
		goto out;
	started = true;
	CHECK(svc.ipc != NULL && svc.deliver != NULL && svc.view_changed != NULL);
	syn_fake_env_init(icmap, stats, svc.ipc, svc.ctx);
	syn_fake_env_set_oracle(&cpg_oracle);
	for (unsigned int i = 0; i < SYN_FAKE_CONN_MAX; i++)
		syn_fake_conn_open(i);
	/* The daemon's start: a first view of this node alone, synced. */
	view(&cl, &svc, 0, 4);
	queue_deliver(&cl, &svc);
	run_records(data, size, &cl, &svc, loop);
	syn_fake_env_fini();
	syn_fake_env_set_oracle(NULL);
out:
	if (started && svc.fini)
		svc.fini(svc.ctx);
	queue_clear(&cl);
	syn_loop_destroy(loop);
	syn_store_destroy(stats);
	syn_store_destroy(icmap);
	return 0;
}
