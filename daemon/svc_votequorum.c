/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svc_votequorum.c - the votequorum service (see svc_votequorum.h;
 * shared spec ipc-wire.md section 5, votequorum.md sections 2, 7-9).
 *
 * The core does the arithmetic; this file is glue: configuration in,
 * messages on its cluster channel, one qb_loop timer at the core's
 * earliest deadline, notifications out.  A view change runs the three
 * sync phases; while the core waits for a device poll the phase is
 * retried after every poll and every timer.  A deferred QDEVICE_REGISTER
 * is answered when the core reports its result; if the client is gone by
 * then nothing is sent.
 */
#include "svc_votequorum.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <corosync/corotypes.h>
#include <qb/qblog.h>

#include "cluster.h"
#include "config.h"
#include "cs_errno.h"
#include "ipc.h"
#include "loop.h"
#include "core/quorum.h"
#include "core/quorum_drive.h"
#include "proto/ipc_votequorum.h"
#include "proto/net_quorum.h"

struct vq_conn {
	struct vq_conn *next; /* trackers list */
	struct syn_conn *conn;
	bool tracking;
	uint64_t context;
};

struct syn_svc_votequorum {
	struct syn_store *icmap;
	struct syn_loop *loop;
	struct syn_cluster *cluster;
	uint32_t local_nodeid;
	struct syn_quorum *q;
	struct syn_quorum_drive drive;
	char evt_path[512];
	struct syn_timer timer; /* at the quorum core's next deadline */
	struct vq_conn *trackers;
	struct syn_conn *register_conn;
	struct syn_store_tracker *cfg_trackers[3];
};

/* The quorum core counts in milliseconds. */
static uint64_t now_ms(const struct syn_svc_votequorum *svc)
{
	return syn_loop_now_us(svc->loop) / 1000;
}

/* ---- configuration ---------------------------------------------------- */

static uint8_t get_u8(const struct syn_store *s, const char *key, uint8_t dflt, bool *set)
{
	uint8_t v;

	if (set)
		*set = false;
	if (syn_store_get_u8(s, key, &v) != 0)
		return dflt;
	if (set)
		*set = true;
	return v;
}

static uint32_t get_u32(const struct syn_store *s, const char *key, uint32_t dflt, bool *set)
{
	uint32_t v;

	if (set)
		*set = false;
	if (syn_store_get_u32(s, key, &v) != 0)
		return dflt;
	if (set)
		*set = true;
	return v;
}

/* Collect nodelist.node.<N>.{nodeid,quorum_votes}; the caller frees *nodes. */
static int read_nodes(const struct syn_store *s, struct syn_quorum_node_cfg **nodes, size_t *n)
{
	struct syn_store_iter *it = syn_store_iter_create(s, "nodelist.node.");
	const char *key;
	struct syn_value v;
	size_t cap = 0;

	*nodes = NULL;
	*n = 0;
	if (!it)
		return -ENOMEM;
	while (syn_store_iter_next(it, &key, &v) == 0) {
		const char *dot = strrchr(key, '.');
		char vkey[300];
		struct syn_quorum_node_cfg *grown;

		if (!dot || strcmp(dot, ".nodeid") != 0 || v.type != 6 /* u32 */)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			grown = realloc(*nodes, cap * sizeof(**nodes));
			if (!grown) {
				syn_store_iter_destroy(it);
				return -ENOMEM;
			}
			*nodes = grown;
		}
		memcpy(&(*nodes)[*n].nodeid, v.data, 4);
		snprintf(vkey, sizeof(vkey), "%.*squorum_votes", (int)(dot - key + 1), key);
		(*nodes)[*n].votes = get_u32(s, vkey, 1, NULL);
		(*n)++;
	}
	syn_store_iter_destroy(it);
	return 0;
}

static int read_config(const struct syn_store *s, uint32_t local_nodeid,
		       struct syn_quorum_config *cfg, struct syn_quorum_node_cfg **nodes)
{
	const char *model = NULL;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	rc = read_nodes(s, nodes, &cfg->n_nodes);
	if (rc != 0)
		return rc;
	cfg->nodes = *nodes;
	cfg->have_nodelist = syn_store_exists(s, "nodelist.local_node_pos");
	cfg->local_nodeid = local_nodeid;
	cfg->expected_votes = get_u32(s, "quorum.expected_votes", 0, NULL);
	cfg->votes = get_u32(s, "quorum.votes", 1, NULL);
	cfg->two_node = get_u8(s, "quorum.two_node", 0, NULL);
	cfg->wait_for_all = get_u8(s, "quorum.wait_for_all", 0, &cfg->wait_for_all_set);
	cfg->last_man_standing = get_u8(s, "quorum.last_man_standing", 0, NULL);
	cfg->lms_window_ms = get_u32(s, "quorum.last_man_standing_window", 10000, NULL);
	cfg->auto_tie_breaker = get_u8(s, "quorum.auto_tie_breaker", 0, NULL);
	if (syn_store_get_str(s, "quorum.auto_tie_breaker_node", &cfg->auto_tie_breaker_node) != 0)
		cfg->auto_tie_breaker_node = NULL;
	cfg->allow_downscale = get_u8(s, "quorum.allow_downscale", 0, NULL);
	cfg->ev_tracking = get_u8(s, "quorum.expected_votes_tracking", 0, NULL);
	cfg->have_device = syn_store_get_str(s, "quorum.device.model", &model) == 0 && model[0];
	cfg->device_votes = get_u32(s, "quorum.device.votes", 0, &cfg->device_votes_set);
	cfg->device_timeout_ms = get_u32(s, "quorum.device.timeout", 10000, NULL);
	cfg->device_sync_timeout_ms = get_u32(s, "quorum.device.sync_timeout", 30000, NULL);
	return 0;
}

static uint32_t evt_load(const char *path)
{
	uint32_t v = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (read(fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		v = 0;
	close(fd);
	return v;
}

static void evt_store(const char *path, uint32_t v)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, &v, sizeof(v)) != (ssize_t)sizeof(v) || fsync(fd) != 0)
		qb_log(LOG_WARNING, "Unable to store the expected votes tracking barrier in %s",
		       path);
	if (fd >= 0)
		close(fd);
}

/* ---- runtime keys ----------------------------------------------------- */

static void publish(struct syn_svc_votequorum *svc)
{
	struct syn_quorum_status st;
	struct syn_store *s = svc->icmap;

	syn_quorum_status(svc->q, &st);
	syn_store_set_u32(s, "runtime.votequorum.this_node_id", st.this_node_id);
	syn_store_set_u8(s, "runtime.votequorum.two_node", st.two_node);
	syn_store_set_u32(s, "runtime.votequorum.ev_barrier", st.ev_barrier);
	if (st.have_lowest) {
		syn_store_set_u32(s, "runtime.votequorum.lowest_node_id", st.lowest_node_id);
		syn_store_set_u32(s, "runtime.votequorum.highest_node_id", st.highest_node_id);
	}
	if (st.wfa_in_effect || syn_store_exists(s, "runtime.votequorum.wait_for_all_status"))
		syn_store_set_u8(s, "runtime.votequorum.wait_for_all_status", st.wfa_status);
	if (st.atb_published)
		syn_store_set_u32(s, "runtime.votequorum.atb_type", st.atb_type);
	if (st.have_device || syn_store_exists(s, "runtime.votequorum.qdevice_can_operate"))
		syn_store_set_u8(s, "runtime.votequorum.qdevice_can_operate",
				 st.qdevice_can_operate);
	if (st.master_wins_published)
		syn_store_set_u8(s, "runtime.votequorum.qdevice_master_wins", st.master_wins);
	if (st.ev_tracking)
		syn_store_set_u32(s, "runtime.votequorum.ev_tracking_barrier", st.evt_barrier);
}

/* ---- notifications ---------------------------------------------------- */

static void send_nodelist(struct syn_svc_votequorum *svc, struct syn_conn *conn, uint64_t ctx)
{
	struct syn_vq_res_nodelist_notification ev;
	size_t n;
	const uint32_t *members = syn_quorum_members(svc->q, &n);
	struct syn_quorum_ring ring = syn_quorum_ring(svc->q);
	struct iovec iov[2] = {{&ev, sizeof(ev)}, {(void *)members, n * sizeof(uint32_t)}};

	memset(&ev, 0, sizeof(ev));
	ev.header.id = SYN_VQ_RES_NODELIST_NOTIFICATION;
	ev.header.size = (int32_t)(sizeof(ev) + n * sizeof(uint32_t));
	ev.header.error = CS_OK;
	ev.context = ctx;
	ev.ring_id.nodeid = ring.nodeid;
	ev.ring_id.seq = ring.seq;
	ev.node_list_entries = (uint32_t)n;
	syn_conn_event(conn, iov, 2);
}

static void send_quorum(struct syn_svc_votequorum *svc, struct syn_conn *conn, uint64_t ctx)
{
	struct syn_vq_res_quorum_notification ev;
	size_t n = syn_quorum_nodes(svc->q, NULL, 0);
	struct syn_quorum_node *nodes = calloc(n ? n : 1, sizeof(*nodes));
	struct iovec iov[2];

	if (!nodes)
		return;
	syn_quorum_nodes(svc->q, nodes, n);
	memset(&ev, 0, sizeof(ev));
	ev.header.id = SYN_VQ_RES_QUORUM_NOTIFICATION;
	ev.header.size = (int32_t)(sizeof(ev) + n * sizeof(struct syn_vq_node));
	ev.header.error = CS_OK;
	ev.quorate = syn_quorum_is_quorate(svc->q);
	ev.context = ctx;
	ev.node_list_entries = (uint32_t)n;
	_Static_assert(sizeof(struct syn_quorum_node) == sizeof(struct syn_vq_node), "node");
	iov[0] = (struct iovec){&ev, sizeof(ev)};
	iov[1] = (struct iovec){nodes, n * sizeof(*nodes)};
	syn_conn_event(conn, iov, 2);
	free(nodes);
}

static void send_expected(struct syn_conn *conn, uint64_t ctx, uint32_t value)
{
	struct syn_vq_res_expectedvotes_notification ev;
	struct iovec iov = {&ev, sizeof(ev)};

	memset(&ev, 0, sizeof(ev));
	ev.header.id = SYN_VQ_RES_EXPECTEDVOTES_NOTIFICATION;
	ev.header.size = sizeof(ev);
	ev.header.error = CS_OK;
	ev.context = ctx;
	ev.expected_votes = value;
	syn_conn_event(conn, &iov, 1);
}

static void on_core_event(void *ctx, const struct syn_quorum_event *ev)
{
	struct syn_svc_votequorum *svc = ctx;
	struct syn_node_view view;

	switch (ev->type) {
	case SYN_QUORUM_EV_NODELIST:
		for (struct vq_conn *t = svc->trackers; t; t = t->next)
			send_nodelist(svc, t->conn, t->context);
		break;
	case SYN_QUORUM_EV_QUORUM:
		view = (struct syn_node_view){.ring_seq = ev->ring.seq,
					      .ring_rep = ev->ring.nodeid,
					      .members = ev->members,
					      .n_members = ev->n_members};
		if (!ev->refresh)
			syn_cluster_quorum_report(svc->cluster, ev->quorate, &view);
		for (struct vq_conn *t = svc->trackers; t; t = t->next)
			send_quorum(svc, t->conn, t->context);
		break;
	case SYN_QUORUM_EV_EXPECTED:
		for (struct vq_conn *t = svc->trackers; t; t = t->next)
			send_expected(t->conn, t->context, ev->value);
		break;
	case SYN_QUORUM_EV_REGISTERED:
		if (svc->register_conn)
			syn_conn_respond_error(svc->register_conn, SYN_VQ_RES_STATUS,
					       ev->result == 0 ? CS_OK : CS_ERR_EXIST);
		svc->register_conn = NULL;
		break;
	case SYN_QUORUM_EV_EVT_BARRIER:
		evt_store(svc->evt_path, ev->value);
		break;
	}
}

static void on_core_send(void *ctx, const struct syn_quorum_msg *msg)
{
	struct syn_svc_votequorum *svc = ctx;
	uint8_t buf[SYN_NET_QUORUM_LEN];
	int rc;

	syn_net_quorum_encode(msg, buf);
	rc = syn_cluster_send(svc->cluster, SYN_CLUSTER_MSG_VOTEQUORUM, buf, sizeof(buf));

	if (rc != 0)
		qb_log(LOG_ERR, "votequorum: cannot queue a message: %s", strerror(-rc));
}

static void on_core_log(void *ctx, int level, const char *text)
{
	(void)ctx;
	qb_log(level, "%s", text);
}

/* ---- driving the core ------------------------------------------------- */

static void arm_timer(struct syn_svc_votequorum *svc);

static void flush_cluster(void *ctx)
{
	syn_cluster_flush(ctx);
}

/* Finish a pending sync when the core is ready; flush, publish, re-arm. */
static void settle(struct syn_svc_votequorum *svc)
{
	syn_quorum_drive_settle(&svc->drive);
	publish(svc);
	arm_timer(svc);
}

static void on_timer(void *data)
{
	struct syn_svc_votequorum *svc = data;

	syn_quorum_tick(svc->q, now_ms(svc));
	settle(svc);
}

static void arm_timer(struct syn_svc_votequorum *svc)
{
	uint64_t deadline_ms = syn_quorum_next_deadline(svc->q);

	if (deadline_ms == SYN_QUORUM_NO_DEADLINE)
		syn_timer_cancel(&svc->timer);
	else
		syn_timer_arm_at(&svc->timer, deadline_ms * 1000);
}

static void on_view(void *ctx, const struct syn_node_view *view, const struct syn_node_view *prev)
{
	struct syn_svc_votequorum *svc = ctx;
	struct syn_quorum_ring ring = {view->ring_rep, view->ring_seq};

	(void)prev;
	if (syn_quorum_drive_view(&svc->drive, ring, view->members, view->n_members, now_ms(svc)) !=
	    0) {
		qb_log(LOG_ERR, "votequorum: out of memory on a view change");
		return;
	}
	settle(svc);
}

static void on_deliver(void *ctx, uint32_t sender, const void *msg, size_t len)
{
	struct syn_svc_votequorum *svc = ctx;

	if (syn_quorum_drive_deliver(&svc->drive, sender, msg, len) == -ENOMEM)
		qb_log(LOG_ERR, "votequorum: out of memory delivering a message");
}

/* ---- run-time configuration (votequorum.md section 7) ----------------- */

static void reconfigure(struct syn_svc_votequorum *svc)
{
	struct syn_quorum_config cfg;
	struct syn_quorum_node_cfg *nodes = NULL;

	if (read_config(svc->icmap, svc->local_nodeid, &cfg, &nodes) == 0)
		syn_quorum_reconfigure(svc->q, &cfg);
	free(nodes);
	settle(svc);
}

static void on_config_change(void *ctx, struct syn_store_tracker *tracker, int event,
			     const char *key, const struct syn_value *new_value,
			     const struct syn_value *old_value)
{
	struct syn_svc_votequorum *svc = ctx;
	uint8_t v;
	int32_t status = CS_OK;

	(void)tracker, (void)old_value;
	if (syn_store_get_u8(svc->icmap, "config.totemconfig_reload_in_progress", &v) == 0 && v)
		return;
	if (strcmp(key, "config.totemconfig_reload_in_progress") == 0) {
		struct syn_value st;

		if (syn_store_get(svc->icmap, "config.reload_status", &st) == 0 && st.len == 4)
			memcpy(&status, st.data, 4);
		if (status != CS_OK)
			return;
	}
	if (strcmp(key, "quorum.cancel_wait_for_all") == 0) {
		if (event != SYN_TRACK_DELETE && new_value->len == 1 &&
		    *(const uint8_t *)new_value->data >= 1) {
			syn_store_set_u8(svc->icmap, "quorum.cancel_wait_for_all", 0);
			syn_quorum_cancel_wfa(svc->q);
			settle(svc);
		}
		return;
	}
	reconfigure(svc);
}

static int track_config(struct syn_svc_votequorum *svc)
{
	static const char *const keys[] = {"nodelist.", "quorum.",
					   "config.totemconfig_reload_in_progress"};
	const int32_t all = SYN_TRACK_ADD | SYN_TRACK_DELETE | SYN_TRACK_MODIFY;

	for (size_t i = 0; i < 3; i++) {
		int rc = syn_store_track_add(svc->icmap, keys[i],
					     all | (i < 2 ? SYN_TRACK_PREFIX : 0), on_config_change,
					     svc, &svc->cfg_trackers[i]);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* ---- requests --------------------------------------------------------- */

static const size_t min_request_size[SYN_VQ_REQ_COUNT] = {
	[SYN_VQ_REQ_GETINFO] = sizeof(struct syn_vq_req_getinfo),
	[SYN_VQ_REQ_SETEXPECTED] = sizeof(struct syn_vq_req_setexpected),
	[SYN_VQ_REQ_SETVOTES] = sizeof(struct syn_vq_req_setvotes),
	[SYN_VQ_REQ_TRACKSTART] = sizeof(struct syn_vq_req_trackstart),
	[SYN_VQ_REQ_TRACKSTOP] = sizeof(struct qb_ipc_request_header),
	[SYN_VQ_REQ_QDEVICE_REGISTER] = sizeof(struct syn_vq_req_qdevice_name),
	[SYN_VQ_REQ_QDEVICE_UNREGISTER] = sizeof(struct syn_vq_req_qdevice_name),
	[SYN_VQ_REQ_QDEVICE_UPDATE] = sizeof(struct syn_vq_req_qdevice_update),
	[SYN_VQ_REQ_QDEVICE_POLL] = sizeof(struct syn_vq_req_qdevice_poll),
	[SYN_VQ_REQ_QDEVICE_MASTER_WINS] = sizeof(struct syn_vq_req_qdevice_master_wins),
};

/* A request's name field: at most 255 bytes, NUL added. */
static void req_name(char out[SYN_VQ_NAME_LEN + 1], const char *in)
{
	memcpy(out, in, SYN_VQ_NAME_LEN);
	out[SYN_VQ_NAME_LEN] = '\0';
}

static void handle_getinfo(struct syn_svc_votequorum *svc, struct syn_conn *conn,
			   const struct syn_vq_req_getinfo *req)
{
	struct syn_vq_res_getinfo res;
	struct syn_quorum_info info;
	int rc = syn_quorum_getinfo(svc->q, (uint32_t)req->nodeid, &info);

	memset(&res, 0, sizeof(res));
	res.header.id = SYN_VQ_RES_GETINFO;
	res.header.size = sizeof(res);
	res.header.error = rc == 0 ? CS_OK : CS_ERR_NOT_EXIST;
	if (rc == 0) {
		res.nodeid = info.node_id;
		res.state = info.state;
		res.votes = info.votes;
		res.expected_votes = info.expected_votes;
		res.highest_expected = info.highest_expected;
		res.total_votes = info.total_votes;
		res.quorum = info.quorum;
		res.flags = info.flags;
		res.qdevice_votes = info.qdevice_votes;
		memcpy(res.qdevice_name, info.qdevice_name, SYN_VQ_NAME_LEN - 1);
	}
	syn_conn_respond(conn, &res, sizeof(res));
}

static void handle_trackstart(struct syn_svc_votequorum *svc, struct syn_conn *conn,
			      struct vq_conn *vc, const struct syn_vq_req_trackstart *req)
{
	cs_error_t err = CS_OK;

	if (req->track_flags & (CS_TRACK_CURRENT | CS_TRACK_CHANGES)) {
		send_nodelist(svc, conn, req->context);
		send_quorum(svc, conn, req->context);
	}
	if (vc->tracking) {
		err = CS_ERR_EXIST;
	} else if (req->track_flags & (CS_TRACK_CHANGES | CS_TRACK_CHANGES_ONLY)) {
		vc->tracking = true;
		vc->context = req->context;
		vc->conn = conn;
		vc->next = svc->trackers;
		svc->trackers = vc;
	}
	syn_conn_respond_error(conn, SYN_VQ_RES_STATUS, err);
}

static void untrack(struct syn_svc_votequorum *svc, struct vq_conn *vc)
{
	for (struct vq_conn **p = &svc->trackers; *p; p = &(*p)->next)
		if (*p == vc) {
			*p = vc->next;
			break;
		}
	vc->tracking = false;
}

static int handle_qdevice(struct syn_svc_votequorum *svc, struct syn_conn *conn, int32_t id,
			  const void *msg)
{
	char name[SYN_VQ_NAME_LEN + 1], other[SYN_VQ_NAME_LEN + 1];
	const struct syn_vq_req_qdevice_poll *poll = msg;
	const struct syn_vq_req_qdevice_master_wins *mw = msg;
	const struct syn_vq_req_qdevice_update *up = msg;
	int rc;

	req_name(name, ((const struct syn_vq_req_qdevice_name *)msg)->name);
	switch (id) {
	case SYN_VQ_REQ_QDEVICE_REGISTER:
		rc = syn_quorum_qdevice_register(svc->q, name);
		if (rc == 1) {
			svc->register_conn = conn;
			return 1;
		}
		return rc;
	case SYN_VQ_REQ_QDEVICE_UNREGISTER:
		return syn_quorum_qdevice_unregister(svc->q, name);
	case SYN_VQ_REQ_QDEVICE_UPDATE:
		req_name(other, up->newname);
		return syn_quorum_qdevice_update(svc->q, name, other);
	case SYN_VQ_REQ_QDEVICE_POLL:
		rc = syn_quorum_qdevice_poll(
			svc->q, name, poll->cast_vote != 0,
			(struct syn_quorum_ring){poll->ring_id.nodeid, poll->ring_id.seq},
			now_ms(svc));
		return rc;
	default:
		return syn_quorum_qdevice_master_wins(svc->q, name, mw->allow != 0);
	}
}

static void vq_request(void *svc_ptr, struct syn_conn *conn, void *priv, int32_t id,
		       const void *msg, size_t len)
{
	struct syn_svc_votequorum *svc = svc_ptr;
	struct vq_conn *vc = priv;
	int rc = 0;

	(void)len;
	switch (id) {
	case SYN_VQ_REQ_GETINFO:
		handle_getinfo(svc, conn, msg);
		return;
	case SYN_VQ_REQ_SETEXPECTED:
		rc = syn_quorum_setexpected(
			svc->q, ((const struct syn_vq_req_setexpected *)msg)->expected_votes);
		break;
	case SYN_VQ_REQ_SETVOTES: {
		const struct syn_vq_req_setvotes *req = msg;

		rc = syn_quorum_setvotes(svc->q, (uint32_t)req->nodeid, req->votes);
		if (rc == -ENOENT) {
			syn_conn_respond_error(conn, SYN_VQ_RES_STATUS, CS_ERR_NAME_NOT_FOUND);
			return;
		}
		break;
	}
	case SYN_VQ_REQ_TRACKSTART:
		handle_trackstart(svc, conn, vc, msg);
		return;
	case SYN_VQ_REQ_TRACKSTOP:
		rc = vc->tracking ? 0 : -ENOENT;
		if (vc->tracking)
			untrack(svc, vc);
		break;
	default:
		rc = handle_qdevice(svc, conn, id, msg);
		break;
	}
	if (rc != 1)
		syn_conn_respond_error(conn, SYN_VQ_RES_STATUS, syn_cs_error(rc, CS_ERR_LIBRARY));
	settle(svc);
}

static void vq_closed(void *svc_ptr, struct syn_conn *conn, void *priv)
{
	struct syn_svc_votequorum *svc = svc_ptr;
	struct vq_conn *vc = priv;

	if (vc->tracking)
		untrack(svc, vc);
	if (svc->register_conn == conn)
		svc->register_conn = NULL;
}

static const struct syn_service_def vq_def = {
	.name = "votequorum",
	.id = 5,
	.priv_size = sizeof(struct vq_conn),
	.n_requests = SYN_VQ_REQ_COUNT,
	.min_request_size = min_request_size,
	.request = vq_request,
	.closed = vq_closed,
};

/* ---- life cycle ------------------------------------------------------- */

static int core_create(struct syn_svc_votequorum *svc, char *reason, size_t reason_len)
{
	struct syn_quorum_env env = {
		.ctx = svc, .send = on_core_send, .event = on_core_event, .log = on_core_log};
	struct syn_quorum_config cfg;
	struct syn_quorum_node_cfg *nodes = NULL;
	int rc = read_config(svc->icmap, svc->local_nodeid, &cfg, &nodes);

	if (rc == 0) {
		cfg.evt_barrier = evt_load(svc->evt_path);
		rc = syn_quorum_create(&cfg, &env, &svc->q, reason, reason_len);
	}
	if (rc == 0)
		syn_quorum_drive_init(&svc->drive, svc->q, flush_cluster, svc->cluster);
	free(nodes);
	return rc;
}

static void votequorum_fini(void *ctx)
{
	struct syn_svc_votequorum *svc = ctx;

	for (size_t i = 0; i < 3; i++)
		if (svc->cfg_trackers[i])
			syn_store_track_delete(svc->icmap, svc->cfg_trackers[i]);
	syn_timer_cancel(&svc->timer);
	syn_quorum_destroy(svc->q);
	free(svc);
}

/* Clean shutdown: announce leaving (allow_downscale). */
static void votequorum_shutdown(void *ctx)
{
	struct syn_svc_votequorum *svc = ctx;

	syn_quorum_leave(svc->q);
	settle(svc);
}

bool syn_svc_votequorum_configured(const struct syn_store *icmap)
{
	return syn_store_exists(icmap, "quorum.provider");
}

/*
 * The provider quorum.provider names, as corosync loads it: none, or
 * corosync_votequorum; any other name stops the start.  corosync_ykd,
 * which corosync also knows, is not implemented and is refused rather
 * than run without quorum.
 */
static enum syn_start_result check_provider(const struct syn_store *icmap)
{
	const char *provider = NULL, *reason = "Invalid quorum provider";

	if (syn_store_get_str(icmap, "quorum.provider", &provider) != 0)
		return SYN_START_NOT_CONFIGURED;
	qb_log(LOG_NOTICE, "Using quorum provider %s", provider);
	if (strcmp(provider, "corosync_votequorum") == 0)
		return SYN_START_OK;
	if (strcmp(provider, "corosync_ykd") == 0)
		reason = "Quorum provider corosync_ykd is not supported by synod";
	qb_log(LOG_CRIT, "Quorum provider: %s failed to initialize.", provider);
	qb_log(LOG_ERR, "Service engine 'corosync_quorum' failed to load for reason '%s'", reason);
	return SYN_START_QUORUM_REFUSED;
}

enum syn_start_result syn_svc_votequorum_start(const struct syn_service_env *env,
					       struct syn_service *out)
{
	enum syn_start_result res = check_provider(env->icmap);
	struct syn_svc_votequorum *svc;
	char reason[512] = "out of memory";
	int rc = -ENOMEM;

	if (res != SYN_START_OK)
		return res;
	svc = calloc(1, sizeof(*svc));
	if (!svc)
		return SYN_START_FAILED;
	svc->icmap = env->icmap;
	svc->loop = env->loop;
	syn_timer_init(&svc->timer, env->loop, QB_LOOP_MED, on_timer, svc);
	svc->cluster = env->cluster;
	svc->local_nodeid = syn_cluster_local_nodeid(env->cluster);
	snprintf(svc->evt_path, sizeof(svc->evt_path), "%s/ev_tracking",
		 syn_config_state_dir(env->icmap));
	rc = core_create(svc, reason, sizeof(reason));
	if (rc == 0)
		rc = track_config(svc);
	if (rc != 0) {
		qb_log(LOG_ERR, "Service engine 'corosync_quorum' failed to load for reason '%s'",
		       reason);
		votequorum_fini(svc);
		return SYN_START_QUORUM_REFUSED;
	}
	settle(svc);
	*out = (struct syn_service){.name = "votequorum",
				    .ipc = &vq_def,
				    .channel = SYN_CLUSTER_MSG_VOTEQUORUM,
				    .ctx = svc,
				    .view_changed = on_view,
				    .deliver = on_deliver,
				    .shutdown = votequorum_shutdown,
				    .fini = votequorum_fini};
	return SYN_START_OK;
}
