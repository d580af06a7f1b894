/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svc_cpg.c - the cpg service's glue: views and ordered messages into the
 * group core, its events out to the local connections, and the send path
 * with flow control.
 *
 * Sending: every cluster message a connection causes goes through one
 * FIFO (so a connection's JOIN, messages and leave keep their order).
 * The FIFO is held from a view until the sync of that view is activated,
 * and when the cluster's send queue is full (retried every
 * CPG_RETRY_MS).  While anything waits, the service is gated: libqb's
 * flow-control flag 2 makes cpg_mcast_joined answer TRY_AGAIN in the
 * client, and requests already read are queued, never dropped.  The
 * view's JOINLIST bypasses the FIFO: it is the sync's barrier.
 *
 * Events: CONFCHG, DELIVER and PARTIAL_DELIVER go to the listed
 * connections of the group that are JOIN_COMPLETED or LEAVE_STARTED;
 * TOTEM_CONFCHG goes to every listed connection after each sync, and once
 * after its join to a connection that asked for it (model V1 flag), with
 * the ring id and members of the last completed sync (the ring id is the
 * one the quorum services report for that view).  No CONFCHG list and no
 * TOTEM_CONFCHG is ever sent with more than 128 entries (stock libcpg
 * copies them into 128-entry arrays): such an event is logged as an error
 * and not sent; JOIN refuses to grow a group past 128 (svc_cpg_req.c).
 */
#include "svc_cpg_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <corosync/cpg.h>
#include <qb/qblog.h>

#include "proto/ipc_cpg.h"

#define CPG_RETRY_MS 5
/* Counters go to the store at most this often: the cluster's stats cadence. */
#define CPG_STATS_MS 1000

static void mar_name_from(struct syn_cpg_mar_name *dst, const struct syn_cpg_name *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->length = src->len;
	memcpy(dst->value, src->value, src->len);
}

static void fill_addresses(struct syn_cpg_mar_address *dst, const struct syn_cpg_member *src,
			   size_t n)
{
	for (size_t i = 0; i < n; i++) {
		memset(&dst[i], 0, sizeof(dst[i]));
		dst[i].nodeid = src[i].nodeid;
		dst[i].pid = src[i].pid;
		dst[i].reason = src[i].reason;
	}
}

static bool receives_group_events(const struct cpg_conn *cc, const struct syn_cpg_name *g)
{
	return cc->listed && (cc->state == CPG_JOIN_COMPLETED || cc->state == CPG_LEAVE_STARTED) &&
	       syn_cpg_name_eq(&cc->group, g);
}

static void send_totem(struct syn_svc_cpg *svc, struct cpg_conn *cc)
{
	size_t n = svc->n_members, size = SYN_CPG_TOTEM_CONFCHG_SIZE(n);
	struct syn_cpg_ev_totem_confchg *ev = calloc(1, size);
	struct iovec iov = {.iov_base = ev, .iov_len = size};

	if (n > SYN_CPG_MEMBERS_MAX) {
		/* Stock libcpg copies the list into a 128-entry array: never send it. */
		qb_log(LOG_ERR, "cpg: a view of %zu nodes: TOTEM_CONFCHG not sent (at most %d)", n,
		       SYN_CPG_MEMBERS_MAX);
		free(ev);
		return;
	}
	if (!ev) {
		qb_log(LOG_ERR, "cpg: out of memory for a TOTEM_CONFCHG event");
		return;
	}
	ev->header.id = SYN_CPG_RES_TOTEM_CONFCHG_CALLBACK;
	ev->header.size = (int32_t)size;
	ev->header.error = CS_OK;
	ev->ring_id.nodeid = svc->ring_rep;
	ev->ring_id.seq = svc->ring_seq;
	ev->member_list_entries = (uint32_t)n;
	memcpy(ev->member_list, svc->members, n * sizeof(uint32_t));
	syn_conn_event(cc->conn, &iov, 1);
	free(ev);
}

/* After every CONFCHG generation: the once-per-connection initial TOTEM_CONFCHG. */
static void initial_totem_pass(struct syn_svc_cpg *svc)
{
	if (!svc->activated)
		return;
	for (struct cpg_conn *cc = svc->conns; cc; cc = cc->next) {
		if (!cc->listed || cc->initial_totem_sent ||
		    !(cc->flags & CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF))
			continue;
		cc->initial_totem_sent = true;
		send_totem(svc, cc);
	}
}

static void core_confchg(void *ctx, const struct syn_cpg_name *group,
			 const struct syn_cpg_member *members, size_t n_members,
			 const struct syn_cpg_member *left, size_t n_left,
			 const struct syn_cpg_member *joined, size_t n_joined)
{
	struct syn_svc_cpg *svc = ctx;
	size_t total = n_members + n_left + n_joined;
	size_t size =
		sizeof(struct syn_cpg_ev_confchg) + total * sizeof(struct syn_cpg_mar_address);
	struct syn_cpg_ev_confchg *ev;
	struct iovec iov;

	/* The joiner's own PROCJOIN completes its join before it gets the event. */
	for (size_t i = 0; i < n_joined; i++) {
		if (joined[i].nodeid != svc->self || joined[i].reason != SYN_CPG_REASON_JOIN)
			continue;
		for (struct cpg_conn *cc = svc->conns; cc; cc = cc->next)
			if (cc->state == CPG_JOIN_STARTED && cc->pid == joined[i].pid &&
			    syn_cpg_name_eq(&cc->group, group))
				cc->state = CPG_JOIN_COMPLETED;
	}
	if (n_members > SYN_CPG_MEMBERS_MAX || n_left > SYN_CPG_MEMBERS_MAX ||
	    n_joined > SYN_CPG_MEMBERS_MAX) {
		/* Stock libcpg copies each list into a 128-entry array: never send it. */
		qb_log(LOG_ERR,
		       "cpg: group %.*s changed with more than %d entries in a list; "
		       "the event is not sent to its members",
		       (int)group->len, group->value, SYN_CPG_MEMBERS_MAX);
		initial_totem_pass(svc);
		return;
	}
	ev = calloc(1, size);
	if (!ev) {
		qb_log(LOG_CRIT, "cpg: out of memory for a CONFCHG event");
		return;
	}
	ev->header.id = SYN_CPG_RES_CONFCHG_CALLBACK;
	ev->header.size = (int32_t)size;
	ev->header.error = CS_OK;
	mar_name_from(&ev->group_name, group);
	ev->member_list_entries = (uint32_t)n_members;
	ev->joined_list_entries = (uint32_t)n_joined;
	ev->left_list_entries = (uint32_t)n_left;
	fill_addresses(ev->member_list, members, n_members);
	fill_addresses(ev->member_list + n_members, left, n_left);
	fill_addresses(ev->member_list + n_members + n_left, joined, n_joined);
	iov = (struct iovec){.iov_base = ev, .iov_len = size};
	for (struct cpg_conn *cc = svc->conns; cc; cc = cc->next) {
		if (!receives_group_events(cc, group))
			continue;
		syn_conn_event(cc->conn, &iov, 1);
		cc->transitions++;
		/* Its own leave ends the connection's membership (deviation, see header). */
		for (size_t i = 0; i < n_left && cc->state == CPG_LEAVE_STARTED; i++) {
			if (left[i].nodeid == svc->self && left[i].pid == cc->pid) {
				cc->state = CPG_UNJOINED;
				memset(&cc->group, 0, sizeof(cc->group));
				cc->pid = 0;
			}
		}
	}
	free(ev);
	initial_totem_pass(svc);
}

static void core_deliver(void *ctx, const struct syn_cpg_delivery *d)
{
	struct syn_svc_cpg *svc = ctx;
	struct syn_cpg_ev_deliver dv;
	struct syn_cpg_ev_partial_deliver pd;
	struct iovec iov[2];

	if (d->partial) {
		memset(&pd, 0, sizeof(pd));
		pd.header.id = SYN_CPG_RES_PARTIAL_DELIVER_CALLBACK;
		pd.header.size = (int32_t)(sizeof(pd) + d->fraglen);
		pd.header.error = CS_OK;
		mar_name_from(&pd.group_name, d->group);
		pd.msglen = d->msglen;
		pd.fraglen = d->fraglen;
		pd.nodeid = d->nodeid;
		pd.pid = d->pid;
		pd.type = d->type;
		iov[0] = (struct iovec){.iov_base = &pd, .iov_len = sizeof(pd)};
	} else {
		memset(&dv, 0, sizeof(dv));
		dv.header.id = SYN_CPG_RES_DELIVER_CALLBACK;
		dv.header.size = (int32_t)(sizeof(dv) + d->fraglen);
		dv.header.error = CS_OK;
		mar_name_from(&dv.group_name, d->group);
		dv.msglen = d->msglen;
		dv.nodeid = d->nodeid;
		dv.pid = d->pid;
		iov[0] = (struct iovec){.iov_base = &dv, .iov_len = sizeof(dv)};
	}
	iov[1] = (struct iovec){.iov_base = (void *)d->data, .iov_len = d->fraglen};
	for (struct cpg_conn *cc = svc->conns; cc; cc = cc->next)
		if (receives_group_events(cc, d->group))
			syn_conn_event(cc->conn, iov, d->fraglen ? 2 : 1);
}

static void flush(struct syn_svc_cpg *svc);

static void core_activated(void *ctx, uint64_t ring_seq, uint32_t ring_rep, const uint32_t *members,
			   size_t n_members)
{
	struct syn_svc_cpg *svc = ctx;
	uint32_t *copy = malloc((n_members ? n_members : 1) * sizeof(*copy));

	if (!copy) {
		qb_log(LOG_CRIT, "cpg: out of memory recording the view");
		return;
	}
	memcpy(copy, members, n_members * sizeof(*copy));
	free(svc->members);
	svc->members = copy;
	svc->n_members = n_members;
	svc->ring_seq = ring_seq;
	svc->ring_rep = ring_rep;
	svc->activated = true;
	qb_log(LOG_NOTICE, "cpg: groups synchronised for ring %u/%llu, %zu nodes", ring_rep,
	       (unsigned long long)ring_seq, n_members);
	for (struct cpg_conn *cc = svc->conns; cc; cc = cc->next)
		if (cc->listed)
			send_totem(svc, cc);
	initial_totem_pass(svc);
}

static const struct syn_service_def cpg_def;

/* ---- message counters --------------------------------------------------- */

/* corosync's handler number of a message kind, or -1. */
static int handler_of(const void *msg, size_t len)
{
	static const int8_t by_kind[] = {
		[SYN_CPG_MSG_PROCJOIN] = 0, [SYN_CPG_MSG_PROCLEAVE] = 1, [SYN_CPG_MSG_JOINLIST] = 2,
		[SYN_CPG_MSG_MCAST] = 3,    [SYN_CPG_MSG_PARTIAL] = 6,
	};
	uint8_t kind = len ? *(const uint8_t *)msg : 0;

	return kind >= SYN_CPG_MSG_PROCJOIN && kind <= SYN_CPG_MSG_PARTIAL ? by_kind[kind] : -1;
}

static void stats_write(struct syn_svc_cpg *svc)
{
	char key[64];

	for (int n = 0; n < CPG_HANDLERS; n++) {
		snprintf(key, sizeof(key), "runtime.services.cpg.%d.tx", n);
		syn_store_set_u64(svc->icmap, key, svc->tx[n]);
		snprintf(key, sizeof(key), "runtime.services.cpg.%d.rx", n);
		syn_store_set_u64(svc->icmap, key, svc->rx[n]);
	}
	svc->stats_dirty = false;
}

static void stats_fired(void *data)
{
	struct syn_svc_cpg *svc = data;

	stats_write(svc);
}

static void stats_count(struct syn_svc_cpg *svc, uint64_t *counters, const void *msg, size_t len)
{
	int n = handler_of(msg, len);

	if (n < 0)
		return;
	counters[n]++;
	svc->stats_dirty = true;
	if (!syn_timer_armed(&svc->stats_timer))
		syn_timer_arm_in(&svc->stats_timer, CPG_STATS_MS * 1000);
}

/* ---- sending and flow control ----------------------------------------- */

static void retry_fired(void *data)
{
	struct syn_svc_cpg *svc = data;

	flush(svc);
}

static void gate_update(struct syn_svc_cpg *svc)
{
	bool gated = syn_cpg_syncing(svc->core) || svc->out || svc->joinlist;

	if (gated != svc->gated) {
		svc->gated = gated;
		syn_ipc_service_gate(svc->ipc, &cpg_def, gated);
	}
}

static void retry_arm(struct syn_svc_cpg *svc)
{
	if (!syn_timer_armed(&svc->retry_timer))
		syn_timer_arm_in(&svc->retry_timer, CPG_RETRY_MS * 1000);
}

/* Send what may go now; keep the rest, in order, for later. */
static void flush(struct syn_svc_cpg *svc)
{
	int rc;

	if (svc->joinlist) {
		rc = syn_cluster_send(svc->cluster, SYN_CLUSTER_MSG_CPG, svc->joinlist,
				      svc->joinlist_len);
		if (rc == 0) {
			stats_count(svc, svc->tx, svc->joinlist, svc->joinlist_len);
			svc->joinlist = NULL;
		} else if (rc != -EAGAIN)
			qb_log(LOG_ERR, "cpg: cannot send the group list: %s", strerror(-rc));
	}
	while (!svc->joinlist && svc->out && !syn_cpg_syncing(svc->core)) {
		struct cpg_out *o = svc->out;

		rc = syn_cluster_send(svc->cluster, SYN_CLUSTER_MSG_CPG, o->data, o->len);
		if (rc == -EAGAIN)
			break;
		if (rc != 0)
			qb_log(LOG_ERR, "cpg: message of %zu bytes not sent: %s", o->len,
			       strerror(-rc));
		else
			stats_count(svc, svc->tx, o->data, o->len);
		svc->out = o->next;
		if (!svc->out)
			svc->out_tail = &svc->out;
		free(o);
	}
	if (svc->joinlist || (svc->out && !syn_cpg_syncing(svc->core)))
		retry_arm(svc);
	gate_update(svc);
}

int syn_svc_cpg_send(struct syn_svc_cpg *svc, const uint8_t *msg, size_t len)
{
	struct cpg_out *o = malloc(sizeof(*o) + len);

	if (!o)
		return -ENOMEM;
	o->next = NULL;
	o->len = len;
	memcpy(o->data, msg, len);
	*svc->out_tail = o;
	svc->out_tail = &o->next;
	flush(svc);
	return 0;
}

int syn_svc_cpg_send_proc(struct syn_svc_cpg *svc, enum syn_cpg_msg_kind kind,
			  const struct syn_cpg_name *group, uint32_t pid, uint32_t reason)
{
	uint8_t buf[256];
	size_t len = syn_cpg_encode_proc(buf, sizeof(buf), kind, group, pid, reason);

	return len ? syn_svc_cpg_send(svc, buf, len) : -EINVAL;
}

/* ---- views and messages ------------------------------------------------- */

static void on_view(void *ctx, const struct syn_node_view *view, const struct syn_node_view *prev)
{
	struct syn_svc_cpg *svc = ctx;
	const void *msg;
	size_t len;
	int rc = syn_cpg_view(svc->core, view->ring_seq, view->ring_rep, view->members,
			      view->n_members, &msg, &len);

	(void)prev;
	if (rc != 0) {
		qb_log(LOG_CRIT, "cpg: cannot start the group sync: %s", strerror(-rc));
		return;
	}
	svc->joinlist = msg;
	svc->joinlist_len = len;
	flush(svc);
}

static void on_message(void *ctx, uint32_t sender, const void *data, size_t len)
{
	struct syn_svc_cpg *svc = ctx;
	bool was_syncing = syn_cpg_syncing(svc->core);
	int rc;

	stats_count(svc, svc->rx, data, len);
	rc = syn_cpg_deliver(svc->core, sender, data, len);

	if (rc == -EINVAL)
		qb_log(LOG_WARNING, "cpg: malformed message from node %u ignored", sender);
	else if (rc != 0)
		qb_log(LOG_CRIT, "cpg: out of memory applying a message from node %u", sender);
	if (was_syncing && !syn_cpg_syncing(svc->core))
		flush(svc);
}

/* ---- connections ---------------------------------------------------------- */

static void cpg_opened(void *svc_ptr, struct syn_conn *conn, void *priv)
{
	struct syn_svc_cpg *svc = svc_ptr;
	struct cpg_conn *cc = priv;

	cc->conn = conn;
	cc->listed = true;
	cc->next = svc->conns;
	if (svc->conns)
		svc->conns->prev = cc;
	svc->conns = cc;
}

static void cpg_closed(void *svc_ptr, struct syn_conn *conn, void *priv)
{
	struct syn_svc_cpg *svc = svc_ptr;
	struct cpg_conn *cc = priv;

	(void)conn;
	if (cc->state == CPG_JOIN_STARTED || cc->state == CPG_JOIN_COMPLETED) {
		if (syn_svc_cpg_send_proc(svc, SYN_CPG_MSG_PROCLEAVE, &cc->group, cc->pid,
					  SYN_CPG_REASON_PROCDOWN) != 0)
			qb_log(LOG_CRIT, "cpg: cannot announce the end of pid %u", cc->pid);
	}
	syn_svc_cpg_iter_drop_owner(svc, cc);
	syn_svc_cpg_zc_drop(cc);
	if (cc->prev)
		cc->prev->next = cc->next;
	else if (svc->conns == cc)
		svc->conns = cc->next;
	if (cc->next)
		cc->next->prev = cc->prev;
	cc->next = cc->prev = NULL;
	cc->listed = false;
}

static const size_t min_request_size[SYN_CPG_REQ_COUNT] = {
	[SYN_CPG_REQ_JOIN] = sizeof(struct syn_cpg_req_join),
	[SYN_CPG_REQ_LEAVE] = sizeof(struct syn_cpg_req_leave),
	[SYN_CPG_REQ_MCAST] = sizeof(struct syn_cpg_req_mcast),
	[SYN_CPG_REQ_MEMBERSHIP] = sizeof(struct syn_cpg_req_membership),
	[SYN_CPG_REQ_LOCAL_GET] = sizeof(struct qb_ipc_request_header),
	[SYN_CPG_REQ_ITERATIONINITIALIZE] = sizeof(struct syn_cpg_req_iterationinitialize),
	[SYN_CPG_REQ_ITERATIONNEXT] = sizeof(struct syn_cpg_req_iteration),
	[SYN_CPG_REQ_ITERATIONFINALIZE] = sizeof(struct syn_cpg_req_iteration),
	[SYN_CPG_REQ_FINALIZE] = sizeof(struct qb_ipc_request_header),
	[SYN_CPG_REQ_ZC_ALLOC] = sizeof(struct syn_cpg_req_zc_alloc),
	[SYN_CPG_REQ_ZC_FREE] = sizeof(struct syn_cpg_req_zc_free),
	[SYN_CPG_REQ_ZC_EXECUTE] = sizeof(struct syn_cpg_req_zc_execute),
	[SYN_CPG_REQ_PARTIAL_MCAST] = sizeof(struct syn_cpg_req_partial_mcast),
};

static const struct syn_service_def cpg_def = {
	.name = "cpg",
	.id = SYN_CPG_SERVICE_ID,
	.priv_size = sizeof(struct cpg_conn),
	.n_requests = SYN_CPG_REQ_COUNT,
	.unanswered_ids = 1u << SYN_CPG_REQ_MCAST,
	.min_request_size = min_request_size,
	.request = syn_svc_cpg_request,
	.closed = cpg_closed,
	.opened = cpg_opened,
};

/* ---- life cycle ------------------------------------------------------------ */

static uint64_t boot_nonce(void)
{
	uint64_t nonce = 0;
	struct timespec ts;

	if (getrandom(&nonce, sizeof(nonce), GRND_NONBLOCK) != sizeof(nonce)) {
		clock_gettime(CLOCK_REALTIME, &ts);
		nonce = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	}
	return nonce;
}

static void cpg_fini(void *ctx)
{
	struct syn_svc_cpg *svc = ctx;

	syn_timer_cancel(&svc->retry_timer);
	syn_timer_cancel(&svc->stats_timer);
	while (svc->out) {
		struct cpg_out *o = svc->out;
		svc->out = o->next;
		free(o);
	}
	while (svc->iters) {
		struct cpg_iter *it = svc->iters;
		svc->iters = it->next;
		free(it->entries);
		free(it);
	}
	syn_cpg_destroy(svc->core);
	free(svc->members);
	free(svc);
}

enum syn_start_result syn_svc_cpg_start(const struct syn_service_env *env, struct syn_service *out)
{
	struct syn_svc_cpg *svc = calloc(1, sizeof(*svc));
	struct syn_cpg_env core_env = {
		.confchg = core_confchg, .deliver = core_deliver, .activated = core_activated};
	int rc;

	if (!svc)
		return SYN_START_FAILED;
	svc->loop = env->loop;
	syn_timer_init(&svc->stats_timer, env->loop, QB_LOOP_LOW, stats_fired, svc);
	syn_timer_init(&svc->retry_timer, env->loop, QB_LOOP_MED, retry_fired, svc);
	svc->icmap = env->icmap;
	stats_write(svc);
	svc->cluster = env->cluster;
	svc->ipc = env->ipc;
	svc->out_tail = &svc->out;
	svc->self = syn_cluster_local_nodeid(env->cluster);
	core_env.ctx = svc;
	rc = syn_cpg_create(&core_env, svc->self, boot_nonce(), &svc->core);
	if (rc != 0) {
		qb_log(LOG_ERR, "cpg: cannot start the service: %s", strerror(-rc));
		cpg_fini(svc);
		return SYN_START_FAILED;
	}
	*out = (struct syn_service){.name = "cpg",
				    .ipc = &cpg_def,
				    .channel = SYN_CLUSTER_MSG_CPG,
				    .ctx = svc,
				    .view_changed = on_view,
				    .deliver = on_message,
				    .fini = cpg_fini};
	return SYN_START_OK;
}
