/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svc_quorum.c - the quorum service (shared spec ipc-wire.md section 6).
 *
 * State: the last quorum report (quorate, ring, members) and the
 * trackers.  Per membership change, V1 trackers get a NODELIST event from
 * view_changed (this service comes before votequorum in the daemon's
 * table, so its hook runs first), then every tracker gets its model's
 * QUORUM event when the provider reports (quorum_changed).  Without a
 * provider every view is reported quorate, through the bus so that every
 * service hears it.  The first report on a view opens the IPC server to
 * clients (with no provider, it is open from the start).
 *
 * With a provider, the service is gated from a membership change until
 * the provider reports on it (as corosync gates its services during a
 * sync): requests wait, and libquorum answers CS_ERR_TRY_AGAIN, instead
 * of the previous view's verdict being read in the new view.  Without
 * that, the two sides of a split could both read "quorate" until their
 * syncs end (for one side, until its quorum device polls).
 */
#include "svc_quorum.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <corosync/corotypes.h>

#include "cluster.h"
#include "ipc.h"
#include "proto/ipc_quorum.h"
#include "svc_votequorum.h"

struct qu_conn {
	struct qu_conn *next;
	struct syn_conn *conn;
	uint32_t model;
	bool tracking;
};

struct syn_svc_quorum {
	struct syn_cluster *cluster;
	struct syn_ipc *ipc;
	bool have_provider;
	bool quorate;
	uint32_t ring_nodeid;
	uint64_t ring_seq;
	uint32_t *members;
	size_t n_members;
	struct qu_conn *trackers;
};

static const struct syn_service_def qu_def;

static void send_quorum_event(struct syn_svc_quorum *svc, struct qu_conn *qc)
{
	struct iovec iov[3];
	size_t list_len = svc->n_members * sizeof(uint32_t);
	uint32_t pad = 0;

	if (qc->model == 1) {
		struct syn_qu_res_v1_quorum_notification ev;

		memset(&ev, 0, sizeof(ev));
		ev.header.id = SYN_QU_RES_V1_QUORUM_NOTIFICATION;
		ev.header.size = (int32_t)(sizeof(ev) + list_len);
		ev.header.error = CS_OK;
		ev.quorate = svc->quorate;
		ev.ring_id.nodeid = svc->ring_nodeid;
		ev.ring_id.seq = svc->ring_seq;
		ev.view_list_entries = (uint32_t)svc->n_members;
		iov[0] = (struct iovec){
			&ev, offsetof(struct syn_qu_res_v1_quorum_notification, view_list)};
		iov[1] = (struct iovec){svc->members, list_len};
		iov[2] = (struct iovec){&pad, sizeof(ev) - iov[0].iov_len};
		syn_conn_event(qc->conn, iov, 3);
	} else {
		struct syn_qu_res_notification ev;

		memset(&ev, 0, sizeof(ev));
		ev.header.id = SYN_QU_RES_NOTIFICATION;
		ev.header.size = (int32_t)(sizeof(ev) + list_len);
		ev.header.error = CS_OK;
		ev.quorate = svc->quorate;
		ev.ring_seq = svc->ring_seq;
		ev.view_list_entries = (uint32_t)svc->n_members;
		iov[0] = (struct iovec){&ev, offsetof(struct syn_qu_res_notification, view_list)};
		iov[1] = (struct iovec){svc->members, list_len};
		iov[2] = (struct iovec){&pad, sizeof(ev) - iov[0].iov_len};
		syn_conn_event(qc->conn, iov, 3);
	}
}

/* V1 NODELIST: members, then joined, then left. */
static void send_nodelist_event(struct syn_conn *conn, const struct syn_node_view *view,
				const uint32_t *joined, size_t nj, const uint32_t *left, size_t nl)
{
	struct syn_qu_res_v1_nodelist_notification ev;
	uint32_t pad = 0;
	struct iovec iov[5];
	size_t nm = view->n_members;

	memset(&ev, 0, sizeof(ev));
	ev.header.id = SYN_QU_RES_V1_NODELIST_NOTIFICATION;
	ev.header.size = (int32_t)(sizeof(ev) + (nm + nj + nl) * sizeof(uint32_t));
	ev.header.error = CS_OK;
	ev.ring_id.nodeid = view->ring_rep;
	ev.ring_id.seq = view->ring_seq;
	ev.member_list_entries = (uint32_t)nm;
	ev.joined_list_entries = (uint32_t)nj;
	ev.left_list_entries = (uint32_t)nl;
	iov[0] = (struct iovec){&ev, offsetof(struct syn_qu_res_v1_nodelist_notification, lists)};
	iov[1] = (struct iovec){(void *)view->members, nm * sizeof(uint32_t)};
	iov[2] = (struct iovec){(void *)joined, nj * sizeof(uint32_t)};
	iov[3] = (struct iovec){(void *)left, nl * sizeof(uint32_t)};
	iov[4] = (struct iovec){&pad, sizeof(ev) - iov[0].iov_len};
	syn_conn_event(conn, iov, 5);
}

static size_t diff(const struct syn_node_view *a, const struct syn_node_view *b, uint32_t *out)
{
	size_t n = 0;

	for (size_t i = 0; i < a->n_members; i++) {
		bool found = false;

		for (size_t j = 0; j < b->n_members && !found; j++)
			found = a->members[i] == b->members[j];
		if (!found)
			out[n++] = a->members[i];
	}
	return n;
}

static int record(struct syn_svc_quorum *svc, bool quorate, const struct syn_node_view *view)
{
	uint32_t *copy = malloc((view->n_members ? view->n_members : 1) * sizeof(uint32_t));

	if (!copy)
		return -ENOMEM;
	/* the start-up verdict comes before any view: no member list at all */
	if (view->n_members > 0)
		memcpy(copy, view->members, view->n_members * sizeof(uint32_t));
	free(svc->members);
	svc->members = copy;
	svc->n_members = view->n_members;
	svc->ring_nodeid = view->ring_rep;
	svc->ring_seq = view->ring_seq;
	svc->quorate = quorate;
	return 0;
}

static void on_quorum(void *ctx, bool quorate, const struct syn_node_view *view)
{
	struct syn_svc_quorum *svc = ctx;

	if (record(svc, quorate, view) != 0)
		return;
	if (svc->have_provider)
		syn_ipc_service_gate(svc->ipc, &qu_def, false);
	for (struct qu_conn *t = svc->trackers; t; t = t->next)
		send_quorum_event(svc, t);
	/* quorum and its provider now agree on a view: clients may see it */
	if (view->n_members > 0)
		syn_ipc_accept_clients(svc->ipc);
}

static void on_view(void *ctx, const struct syn_node_view *view, const struct syn_node_view *prev)
{
	struct syn_svc_quorum *svc = ctx;
	uint32_t *joined, *left;

	if (svc->have_provider)
		syn_ipc_service_gate(svc->ipc, &qu_def, true);
	joined = calloc(view->n_members + 1, sizeof(uint32_t));
	left = calloc(prev->n_members + 1, sizeof(uint32_t));
	if (joined && left) {
		size_t nj = diff(view, prev, joined), nl = diff(prev, view, left);

		for (struct qu_conn *t = svc->trackers; t; t = t->next)
			if (t->model == 1)
				send_nodelist_event(t->conn, view, joined, nj, left, nl);
	}
	free(joined);
	free(left);
	if (!svc->have_provider)
		syn_cluster_quorum_report(svc->cluster, true, view);
}

static void respond_u32(struct syn_conn *conn, int32_t id, cs_error_t err, uint32_t value)
{
	struct syn_qu_res_u32 res;

	memset(&res, 0, sizeof(res));
	res.header.id = id;
	res.header.size = sizeof(res);
	res.header.error = err;
	res.value = value;
	syn_conn_respond(conn, &res, sizeof(res));
}

static void handle_trackstart(struct syn_svc_quorum *svc, struct syn_conn *conn, struct qu_conn *qc,
			      uint32_t flags)
{
	cs_error_t err = CS_OK;

	qc->conn = conn;
	if (flags & (CS_TRACK_CURRENT | CS_TRACK_CHANGES)) {
		if (qc->model == 1) {
			struct syn_node_view view = {.ring_seq = svc->ring_seq,
						     .ring_rep = svc->ring_nodeid,
						     .members = svc->members,
						     .n_members = svc->n_members};

			send_nodelist_event(conn, &view, NULL, 0, NULL, 0);
		}
		send_quorum_event(svc, qc);
	}
	if (qc->tracking) {
		err = CS_ERR_EXIST;
	} else if (flags & (CS_TRACK_CHANGES | CS_TRACK_CHANGES_ONLY)) {
		qc->tracking = true;
		qc->next = svc->trackers;
		svc->trackers = qc;
	}
	syn_conn_respond_error(conn, SYN_QU_RES_TRACKSTART, err);
}

static void untrack(struct syn_svc_quorum *svc, struct qu_conn *qc)
{
	for (struct qu_conn **p = &svc->trackers; *p; p = &(*p)->next)
		if (*p == qc) {
			*p = qc->next;
			break;
		}
	qc->tracking = false;
}

static void qu_request(void *svc_ptr, struct syn_conn *conn, void *priv, int32_t id,
		       const void *msg, size_t len)
{
	struct syn_svc_quorum *svc = svc_ptr;
	struct qu_conn *qc = priv;
	uint32_t type = svc->have_provider ? 1 : 0;
	uint32_t model;

	(void)len;
	switch (id) {
	case SYN_QU_REQ_GETQUORATE:
		respond_u32(conn, SYN_QU_RES_GETQUORATE, CS_OK, svc->quorate);
		break;
	case SYN_QU_REQ_TRACKSTART:
		handle_trackstart(svc, conn, qc,
				  ((const struct syn_qu_req_trackstart *)msg)->track_flags);
		break;
	case SYN_QU_REQ_TRACKSTOP:
		if (qc->tracking)
			untrack(svc, qc);
		syn_conn_respond_error(conn, SYN_QU_RES_TRACKSTOP, CS_OK);
		break;
	case SYN_QU_REQ_GETTYPE:
		respond_u32(conn, SYN_QU_RES_GETTYPE, CS_OK, type);
		break;
	default:
		model = ((const struct syn_qu_req_model_gettype *)msg)->model;
		if (model <= 1)
			qc->model = model;
		respond_u32(conn, SYN_QU_RES_MODEL_GETTYPE,
			    model <= 1 ? CS_OK : CS_ERR_INVALID_PARAM, type);
		break;
	}
}

static void qu_closed(void *svc_ptr, struct syn_conn *conn, void *priv)
{
	struct qu_conn *qc = priv;

	(void)conn;
	if (qc->tracking)
		untrack(svc_ptr, qc);
}

static const size_t min_request_size[SYN_QU_REQ_COUNT] = {
	[SYN_QU_REQ_GETQUORATE] = sizeof(struct qb_ipc_request_header),
	[SYN_QU_REQ_TRACKSTART] = sizeof(struct syn_qu_req_trackstart),
	[SYN_QU_REQ_TRACKSTOP] = sizeof(struct qb_ipc_request_header),
	[SYN_QU_REQ_GETTYPE] = sizeof(struct qb_ipc_request_header),
	[SYN_QU_REQ_MODEL_GETTYPE] = sizeof(struct syn_qu_req_model_gettype),
};

static const struct syn_service_def qu_def = {
	.name = "quorum",
	.id = 3,
	.priv_size = sizeof(struct qu_conn),
	.n_requests = SYN_QU_REQ_COUNT,
	.min_request_size = min_request_size,
	.request = qu_request,
	.closed = qu_closed,
};

static void quorum_fini(void *ctx)
{
	struct syn_svc_quorum *svc = ctx;

	free(svc->members);
	free(svc);
}

enum syn_start_result syn_svc_quorum_start(const struct syn_service_env *env,
					   struct syn_service *out)
{
	struct syn_svc_quorum *svc = calloc(1, sizeof(*svc));

	if (!svc)
		return SYN_START_FAILED;
	svc->cluster = env->cluster;
	svc->ipc = env->ipc;
	svc->have_provider = syn_svc_votequorum_configured(env->icmap);
	svc->quorate = !svc->have_provider;
	*out = (struct syn_service){.name = "quorum",
				    .ipc = &qu_def,
				    .ctx = svc,
				    .view_changed = on_view,
				    .quorum_changed = on_quorum,
				    .fini = quorum_fini};
	/* without a provider nothing settles on a view: serve at once */
	if (!svc->have_provider)
		syn_ipc_accept_clients(env->ipc);
	return SYN_START_OK;
}
