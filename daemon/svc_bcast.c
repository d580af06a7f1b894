/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svc_bcast.c - the broadcast load service (svc_bcast.h).
 *
 * One run at a time per daemon.  FLOOD sends from a pump that runs at
 * most once per BCAST_TURN_US, queueing at most BCAST_TURN_MSGS messages
 * or BCAST_TURN_BYTES bytes a turn (one message always), and only while
 * the run's own messages not yet delivered back stay within the window
 * (BCAST_WINDOW_MSGS, BCAST_WINDOW_BYTES).  So a run never holds more
 * than about one window in the daemon, whatever the client asked for,
 * and the loop is free between turns to serve other clients.  SERIAL
 * sends the next message from the delivery of the previous one (a window
 * of one).  The window counts by sequence number: own messages come back
 * in the order they were sent (a view change resends, never drops, them),
 * so "in flight" is the last sequence number sent minus the last one
 * delivered back, and survives a RESET in the middle of a run.
 *
 * Counters and latency samples live until RESET; the latency of a
 * message is its own delivery time minus the send time it carries, both
 * read from this daemon's monotonic clock.
 */
#include "svc_bcast.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <corosync/corotypes.h>
#include <qb/qblog.h>

#include "cluster.h"
#include "ipc.h"
#include "loop.h"
#include "store.h"
#include "proto/ipc_bcast.h"
#include "proto/net_cluster.h"

_Static_assert(SYN_BCAST_MIN_SIZE == SYN_NET_BENCH_HDR, "bench header");

/* Latency samples kept (the first ones of a run): a STATS sorts them. */
#define BCAST_MAX_SAMPLES (1u << 16)
/* Own messages queued but not yet delivered back. */
#define BCAST_WINDOW_MSGS 256u
#define BCAST_WINDOW_BYTES (4u * 1024 * 1024)
/* One pump turn; turns at least BCAST_TURN_US apart. */
#define BCAST_TURN_MSGS 32u
#define BCAST_TURN_BYTES (256u * 1024)
#define BCAST_TURN_US 1000

struct syn_svc_bcast {
	struct syn_loop *loop;
	struct syn_cluster *cluster;
	uint32_t self;
	struct syn_timer retry; /* the pump's next turn */
	/* the run */
	bool running;
	uint32_t mode;
	uint32_t size;
	uint64_t target; /* sent when the run ends */
	unsigned char *msg;
	/* counters */
	uint64_t next_seq;
	uint64_t last_own_seq; /* of the last own message delivered back */
	uint64_t sent;
	uint64_t own_delivered;
	uint64_t delivered;
	uint64_t bytes;
	uint64_t bad;
	uint64_t first_send_us;
	uint64_t last_own_us;
	uint32_t *lat_us;
	size_t n_lat;
};

static uint64_t now_us(const struct syn_svc_bcast *svc)
{
	return syn_loop_now_us(svc->loop);
}

static void pump(struct syn_svc_bcast *svc);

static void retry_timer(void *data)
{
	struct syn_svc_bcast *svc = data;

	pump(svc);
}

/* Run the pump again in one turn's time (once: a pending turn is enough). */
static void pump_later(struct syn_svc_bcast *svc)
{
	if (!syn_timer_armed(&svc->retry))
		syn_timer_arm_in(&svc->retry, BCAST_TURN_US);
}

/* May one more message of the run's size be queued now? */
static bool window_open(const struct syn_svc_bcast *svc)
{
	uint64_t in_flight = svc->next_seq - 1 - svc->last_own_seq;

	if (in_flight == 0)
		return true;
	if (svc->mode == SYN_BCAST_SERIAL)
		return false;
	return in_flight < BCAST_WINDOW_MSGS && (in_flight + 1) * svc->size <= BCAST_WINDOW_BYTES;
}

/* Build and queue message seq; 0, -EAGAIN (queue full) or -errno. */
static int send_one(struct syn_svc_bcast *svc, uint64_t seq)
{
	struct syn_net_bench b = {.sender = svc->self, .seq = seq, .sent_us = now_us(svc)};

	syn_net_bench_encode(svc->msg, svc->size, &b);
	return syn_cluster_send(svc->cluster, SYN_CLUSTER_MSG_BENCH, svc->msg, svc->size);
}

/*
 * One turn: queue messages until the run's target, a closed window, a
 * full membership queue or the turn's budget; come back in a turn's time
 * unless the run ended (SERIAL waits for its delivery instead).
 */
static void pump(struct syn_svc_bcast *svc)
{
	uint32_t n_msgs = 0;
	uint64_t n_bytes = 0;

	while (svc->running && svc->sent < svc->target && window_open(svc)) {
		int rc;

		if (n_msgs > 0 &&
		    (n_msgs >= BCAST_TURN_MSGS || n_bytes + svc->size > BCAST_TURN_BYTES))
			break;
		rc = send_one(svc, svc->next_seq);
		if (rc == -EAGAIN)
			break;
		if (rc != 0) {
			qb_log(LOG_WARNING, "bcast: run stopped: %s", strerror(-rc));
			svc->running = false;
			return;
		}
		if (svc->sent == 0 || svc->first_send_us == 0)
			svc->first_send_us = now_us(svc);
		svc->next_seq++;
		svc->sent++;
		n_msgs++;
		n_bytes += svc->size;
	}
	if (svc->sent >= svc->target)
		svc->running = false;
	if (svc->running && (svc->mode == SYN_BCAST_FLOOD || window_open(svc)))
		pump_later(svc);
}

static void on_message(void *ctx, uint32_t sender, const void *data, size_t len)
{
	struct syn_svc_bcast *svc = ctx;
	struct syn_net_bench b;

	if (syn_net_bench_decode(data, len, &b) != 0 || b.sender != sender) {
		svc->bad++;
		return;
	}
	svc->delivered++;
	svc->bytes += len;
	if (sender != svc->self)
		return;
	uint64_t now = now_us(svc), sent_us = b.sent_us, seq = b.seq;
	svc->own_delivered++;
	if (seq > svc->last_own_seq && seq < svc->next_seq)
		svc->last_own_seq = seq;
	svc->last_own_us = now;
	if (svc->n_lat < BCAST_MAX_SAMPLES && svc->lat_us && now >= sent_us)
		svc->lat_us[svc->n_lat++] = (uint32_t)(now - sent_us);
	if (svc->mode == SYN_BCAST_SERIAL)
		pump(svc);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void fill_latency(const struct syn_svc_bcast *svc, struct syn_bcast_res_stats *res)
{
	uint32_t *sorted;

	if (svc->n_lat == 0)
		return;
	sorted = malloc(svc->n_lat * sizeof(*sorted));
	if (sorted == NULL)
		return;
	memcpy(sorted, svc->lat_us, svc->n_lat * sizeof(*sorted));
	qsort(sorted, svc->n_lat, sizeof(*sorted), cmp_u32);
	res->lat_p50_us = sorted[svc->n_lat / 2];
	res->lat_p99_us = sorted[svc->n_lat * 99 / 100];
	res->lat_max_us = sorted[svc->n_lat - 1];
	free(sorted);
}

static void reset(struct syn_svc_bcast *svc)
{
	svc->running = false;
	svc->sent = svc->own_delivered = svc->delivered = svc->bytes = svc->bad = 0;
	svc->first_send_us = svc->last_own_us = 0;
	svc->n_lat = 0;
	svc->target = 0;
}

static int start(struct syn_svc_bcast *svc, const struct syn_bcast_req_start *req)
{
	unsigned char *msg;

	if (svc->running)
		return CS_ERR_TRY_AGAIN;
	if (req->size < SYN_BCAST_MIN_SIZE || req->size > SYN_BCAST_MAX_SIZE || req->count == 0 ||
	    req->count > SYN_BCAST_MAX_COUNT ||
	    (req->mode != SYN_BCAST_FLOOD && req->mode != SYN_BCAST_SERIAL))
		return CS_ERR_INVALID_PARAM;
	if (svc->lat_us == NULL) {
		svc->lat_us = malloc(BCAST_MAX_SAMPLES * sizeof(*svc->lat_us));
		if (svc->lat_us == NULL)
			return CS_ERR_NO_MEMORY;
	}
	msg = realloc(svc->msg, req->size);
	if (msg == NULL)
		return CS_ERR_NO_MEMORY;
	svc->msg = msg;
	svc->size = req->size;
	svc->mode = req->mode;
	/* Counters keep running across STARTs; the send window restarts. */
	svc->target = svc->sent + req->count;
	svc->first_send_us = 0;
	svc->running = true;
	qb_log(LOG_INFO, "bcast: %u messages of %u bytes (%s)", req->count, req->size,
	       req->mode == SYN_BCAST_SERIAL ? "serial" : "flood");
	pump(svc);
	return CS_OK;
}

static void request(void *svc_ptr, struct syn_conn *conn, void *priv, int32_t id, const void *msg,
		    size_t len)
{
	struct syn_svc_bcast *svc = svc_ptr;
	(void)priv;
	(void)len;

	switch (id) {
	case SYN_BCAST_REQ_START:
		syn_conn_respond_error(conn, id, start(svc, msg));
		return;
	case SYN_BCAST_REQ_STATS: {
		struct syn_bcast_res_stats res;

		memset(&res, 0, sizeof(res));
		res.header.id = id;
		res.header.size = sizeof(res);
		res.header.error = CS_OK;
		res.sent = svc->sent;
		res.own_delivered = svc->own_delivered;
		res.delivered = svc->delivered;
		res.bytes = svc->bytes;
		res.bad = svc->bad;
		res.first_send_us = svc->first_send_us;
		res.last_own_us = svc->last_own_us;
		fill_latency(svc, &res);
		syn_conn_respond(conn, &res, sizeof(res));
		return;
	}
	default:
		reset(svc);
		syn_conn_respond_error(conn, id, CS_OK);
		return;
	}
}

static const size_t min_request_size[SYN_BCAST_REQ_COUNT] = {
	[SYN_BCAST_REQ_START] = sizeof(struct syn_bcast_req_start),
	[SYN_BCAST_REQ_STATS] = sizeof(struct qb_ipc_request_header),
	[SYN_BCAST_REQ_RESET] = sizeof(struct qb_ipc_request_header),
};

static const struct syn_service_def bcast_def = {
	.name = "synod_bcast",
	.id = SYN_BCAST_SERVICE_ID,
	.root_only = true,
	.n_requests = SYN_BCAST_REQ_COUNT,
	.min_request_size = min_request_size,
	.request = request,
};

static bool syn_svc_bcast_configured(const struct syn_store *icmap)
{
	const char *v;

	return syn_store_get_str(icmap, SYN_SVC_BCAST_KEY, &v) == 0 && strcmp(v, "yes") == 0;
}

static void bcast_fini(void *ctx)
{
	struct syn_svc_bcast *svc = ctx;

	syn_timer_cancel(&svc->retry);
	free(svc->lat_us);
	free(svc->msg);
	free(svc);
}

enum syn_start_result syn_svc_bcast_start(const struct syn_service_env *env,
					  struct syn_service *out)
{
	struct syn_svc_bcast *svc;

	if (!syn_svc_bcast_configured(env->icmap))
		return SYN_START_NOT_CONFIGURED;
	svc = calloc(1, sizeof(*svc));
	if (svc == NULL)
		return SYN_START_FAILED;
	svc->loop = env->loop;
	syn_timer_init(&svc->retry, env->loop, QB_LOOP_LOW, retry_timer, svc);
	svc->cluster = env->cluster;
	svc->self = syn_cluster_local_nodeid(env->cluster);
	svc->next_seq = 1;
	*out = (struct syn_service){.name = "bcast",
				    .ipc = &bcast_def,
				    .channel = SYN_CLUSTER_MSG_BENCH,
				    .ctx = svc,
				    .deliver = on_message,
				    .fini = bcast_fini};
	return SYN_START_OK;
}
