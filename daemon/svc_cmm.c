/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svc_cmm.c - the CMM service: IPC requests of libcgha_cmm,
 * notifications queued to subscribed connections, the persistent record,
 * the log of states, and the stale timer.
 *
 * Views, ordered messages and votequorum's verdicts go to the pure node
 * state machine (core/cmm_node.h), which decides when a view reaches the
 * role logic (core/cmm_roles.h) and with which quorate flag; the
 * simulator drives the same code.
 * A modifying request becomes an ordered REQUEST message (a reload, a
 * TABLE message with this node's node table); the client gets its answer
 * when the message is applied here (the same point of the total order on
 * every node).  A request that reaches the order during a
 * sync phase is sent again once the phase ends.  Queries are answered
 * from the local state at once.  Notifications go to every connection
 * that sent SUBSCRIBE, in generation order; a client that does not read
 * them is disconnected by the IPC glue when its queue overflows (its next
 * dispatch sees CMM_EBADF).
 */
#include "svc_cmm_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <qb/qblog.h>

#include "proto/ipc_cmm.h"
#include "svc_votequorum.h"

#define CMM_PENDING_PER_CONN_MAX 64

struct cmm_conn {
	struct cmm_conn *next; /* in the subscriber list */
	struct syn_conn *conn;
	bool subscribed;
	unsigned n_pending;
};

struct cmm_pending {
	struct cmm_pending *next;
	struct cmm_conn *cc; /* NULL once the client went away */
	struct syn_conn *conn;
	uint32_t req_id;
	uint32_t op, target;
	int32_t arg;
	bool in_order; /* sent and not yet applied */
	unsigned tries;
};

static const size_t min_request_size[SYN_CMM_REQ_COUNT] = {
	[SYN_CMM_REQ_HELLO] = sizeof(struct syn_cmm_req_hello),
	[SYN_CMM_REQ_QUERY] = sizeof(struct syn_cmm_req_query),
	[SYN_CMM_REQ_MODIFY] = sizeof(struct syn_cmm_req_modify),
	[SYN_CMM_REQ_SUBSCRIBE] = sizeof(struct syn_cmm_req_subscribe),
};

static int32_t result_to_cmm(int rc)
{
	switch (rc) {
	case 0:
		return CMM_OK;
	case -EPERM:
		return CMM_EPERM;
	case -ECANCELED:
		return CMM_ECANCELED;
	case -EINVAL:
		return CMM_EINVAL;
	case -ESRCH:
		return CMM_ESRCH;
	case -ENOTCONN:
		return CMM_ENOCLUSTER;
	case -EAGAIN:
	case -ENOBUFS:
		return CMM_EBUSY;
	default:
		return CMM_ENOTSUP;
	}
}

static void respond_error(struct syn_conn *conn, int32_t id, int32_t err)
{
	syn_conn_respond_error(conn, id, err);
}

/* ---- notifications and core hooks ------------------------------------ */

static const char *event_name(enum syn_cmm_event kind)
{
	static const char *const names[] = {
		"MASTER_ELECTED",     "MASTER_DEMOTED",	 "VICEMASTER_ELECTED",
		"VICEMASTER_DEMOTED", "MEMBER_JOINED",	 "MEMBER_LEFT",
		"STALE_CLUSTER",      "INVALID_CLUSTER", "VALID_CLUSTER"};
	return names[kind - SYN_CMM_EV_ME];
}

static void core_emit(void *ctx, enum syn_cmm_event kind, uint32_t nodeid)
{
	struct syn_svc_cmm *svc = ctx;
	struct syn_cmm_res_notify ev = {0};
	struct iovec iov = {.iov_base = &ev, .iov_len = sizeof(ev)};

	qb_log(LOG_NOTICE, "cmm: %s node %u", event_name(kind), nodeid);
	ev.header.id = SYN_CMM_RES_NOTIFY;
	ev.header.size = sizeof(ev);
	ev.cmchange = (int32_t)kind;
	ev.nodeid = nodeid;
	for (struct cmm_conn *cc = svc->subscribers; cc; cc = cc->next)
		syn_conn_event(cc->conn, &iov, 1);
}

static void core_record(void *ctx, const struct syn_cmm_record *rec)
{
	struct syn_svc_cmm *svc = ctx;
	int rc = syn_svc_cmm_record_save(svc, rec);

	if (rc != 0)
		qb_log(LOG_ERR, "cmm: cannot persist the node record in %s: %s", svc->state_dir,
		       strerror(-rc));
}

static void *core_alloc(void *ctx, size_t size)
{
	(void)ctx;
	return calloc(1, size);
}

static void core_free(void *ctx, void *ptr)
{
	(void)ctx;
	free(ptr);
}

static void pending_unlink(struct syn_svc_cmm *svc, struct cmm_pending *p)
{
	for (struct cmm_pending **pp = &svc->pending; *pp; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
	if (p->cc)
		p->cc->n_pending--;
	free(p);
}

/*
 * RELOAD carries the node table as this node's configuration has it now.
 * A table that cannot be read or changes the domain id is refused here on
 * the master; elsewhere the current table goes out and the ordered check
 * answers EPERM, as for any request from a node that is not the master.
 */
static int reload_encode(struct syn_svc_cmm *svc, const struct cmm_pending *p, size_t *len)
{
	struct syn_svc_cmm_node *nodes = malloc(SYN_CMM_NODES_MAX * sizeof(*nodes));
	struct syn_cmm_node_conf *table = malloc(SYN_CMM_NODES_MAX * sizeof(*table));
	const struct syn_cmm_state *st = syn_cmm_local(svc->core);
	size_t n = 0;
	uint32_t domain = 0;
	int rc = -ENOMEM;

	if (!nodes || !table)
		goto out_free;
	rc = syn_svc_cmm_table_load(svc->icmap, nodes, &n, &domain);
	if (rc != 0 || domain != svc->domain_id) {
		if (st->valid && st->master == svc->self) {
			rc = -EINVAL;
			goto out_free;
		}
		memcpy(nodes, svc->nodes, svc->n_nodes * sizeof(*nodes));
		n = svc->n_nodes;
	}
	for (size_t i = 0; i < n; i++)
		table[i] = nodes[i].conf;
	rc = syn_cmm_reload_encode(svc->core, p->req_id, table, n, svc->msg, sizeof(svc->msg), len);
out_free:
	free(table);
	free(nodes);
	return rc;
}

static int pending_send(struct syn_svc_cmm *svc, struct cmm_pending *p)
{
	size_t len;
	int rc = p->op == SYN_CMM_OP_RELOAD
			 ? reload_encode(svc, p, &len)
			 : syn_cmm_request_encode(svc->core, p->op, p->req_id, p->target, p->arg,
						  svc->msg, sizeof(svc->msg), &len);

	if (rc == 0)
		rc = syn_cluster_send(svc->cluster, SYN_CLUSTER_MSG_CMM, svc->msg, len);
	p->in_order = rc == 0;
	return rc;
}

/* Requests wait while the view's quorum flag or its sync phase is open. */
static bool cmm_busy(const struct syn_svc_cmm *svc)
{
	return syn_cmm_node_busy(svc->node);
}

static void core_request_done(void *ctx, uint32_t sender, uint32_t req_id, int result)
{
	struct syn_svc_cmm *svc = ctx;
	struct cmm_pending *p;

	if (sender != svc->self)
		return;
	for (p = svc->pending; p && p->req_id != req_id; p = p->next)
		;
	if (!p)
		return;
	p->in_order = false;
	if (result == -EAGAIN && ++p->tries < 8) {
		if (!cmm_busy(svc) && pending_send(svc, p) == 0)
			return;
		if (cmm_busy(svc))
			return; /* sent again when the sync ends */
	}
	if (p->cc)
		respond_error(p->conn, SYN_CMM_RES_MODIFY, result_to_cmm(result));
	pending_unlink(svc, p);
}

/* After a sync: send the requests that wait for it. */
static void core_settled(void *ctx)
{
	struct syn_svc_cmm *svc = ctx;
	struct cmm_pending *p, *next;
	int rc;

	for (p = svc->pending; p; p = next) {
		next = p->next;
		if (p->in_order)
			continue;
		if (!p->cc) {
			pending_unlink(svc, p);
		} else if ((rc = pending_send(svc, p)) != 0) {
			respond_error(p->conn, SYN_CMM_RES_MODIFY, result_to_cmm(rc));
			pending_unlink(svc, p);
		}
	}
}

/*
 * A reload replaced the core's table (on every member, same point of the
 * order): names and addresses come from this node's configuration.
 */
static void core_table_changed(void *ctx)
{
	struct syn_svc_cmm *svc = ctx;
	struct syn_svc_cmm_node *loaded = malloc(2 * SYN_CMM_NODES_MAX * sizeof(*loaded));
	struct syn_svc_cmm_node *next = malloc(SYN_CMM_NODES_MAX * sizeof(*next));
	size_t n_loaded = 0, n = 0;
	uint32_t domain;

	if (!loaded || !next) {
		qb_log(LOG_ERR, "cmm: out of memory applying a node table reload");
		goto out_free;
	}
	syn_svc_cmm_table_load(svc->icmap, loaded, &n_loaded, &domain);
	/* The core's table, named from the configuration, else as before (room for both). */
	memcpy(loaded + n_loaded, svc->nodes, svc->n_nodes * sizeof(*loaded));
	n_loaded += svc->n_nodes;
	for (size_t i = 0; i < n_loaded; i++) {
		const struct syn_cmm_node_conf *conf =
			syn_cmm_conf(svc->core, loaded[i].conf.nodeid);
		bool dup = false;

		for (size_t j = 0; j < n && !dup; j++)
			dup = next[j].conf.nodeid == loaded[i].conf.nodeid;
		if (conf && !dup) {
			next[n] = loaded[i];
			next[n++].conf = *conf;
		}
	}
	memcpy(svc->nodes, next, n * sizeof(*next));
	svc->n_nodes = n;
	qb_log(LOG_NOTICE, "cmm: node table reloaded, %zu nodes", n);
out_free:
	free(next);
	free(loaded);
}

/* ---- views, messages, stale timer ------------------------------------ */

static void stale_fired(void *data)
{
	struct syn_svc_cmm *svc = data;

	syn_cmm_stale_expired(svc->core);
}

static void stale_timer_update(struct syn_svc_cmm *svc)
{
	bool want = syn_cmm_wants_stale_timer(svc->core);

	if (want && !syn_timer_armed(&svc->stale_timer))
		syn_timer_arm_in(&svc->stale_timer, (uint64_t)svc->stale_timeout_ms * 1000);
	else if (!want)
		syn_timer_cancel(&svc->stale_timer);
}

/*
 * One notice line per change of the state local clients see, after the
 * notifications that describe it:
 *   cmm: state epoch E master M vice V nodes id:status:incarnation ...
 * (status 0 out, 1 in, 2 vice, 3 master), so an operator, or a test,
 * can follow each node's states and check its notifications against them.
 */
static void state_log(struct syn_svc_cmm *svc)
{
	const struct syn_cmm_state *st = syn_cmm_local(svc->core);
	char *line = malloc(SYN_CMM_STATE_LINE_MAX);
	size_t off;

	if (!line)
		return;
	off = (size_t)snprintf(
		line, SYN_CMM_STATE_LINE_MAX, "%s epoch %llu master %u vice %u nodes",
		st->valid ? "valid" : "none", (unsigned long long)st->epoch, st->master, st->vice);
	for (size_t i = 0; i < st->n && off < SYN_CMM_STATE_LINE_MAX; i++)
		off += (size_t)snprintf(line + off, SYN_CMM_STATE_LINE_MAX - off, " %u:%u:%u",
					st->e[i].nodeid, st->e[i].status, st->e[i].incarnation);
	if (!svc->state_line || strcmp(svc->state_line, line) != 0) {
		qb_log(LOG_NOTICE, "cmm: state %s", line);
		free(svc->state_line);
		svc->state_line = line;
	} else {
		free(line);
	}
}

static void node_view_applied(void *ctx, uint64_t ring_seq, const uint32_t *view_members, size_t n,
			      bool quorate)
{
	char members[256];
	size_t off = 0;

	(void)ctx;
	members[0] = '\0';
	for (size_t i = 0; i < n && off < sizeof(members); i++)
		off += (size_t)snprintf(members + off, sizeof(members) - off, "%s%u", i ? "," : "",
					view_members[i]);
	qb_log(LOG_NOTICE, "cmm: view %llu members %s is %squorate", (unsigned long long)ring_seq,
	       members, quorate ? "" : "not ");
}

static void node_problem(void *ctx, enum syn_cmm_node_problem what, int err, uint32_t sender)
{
	(void)ctx;
	switch (what) {
	case SYN_CMM_NODE_SYNC_SEND_FAILED:
		qb_log(LOG_ERR, "cmm: cannot start the sync phase: %s", strerror(-err));
		break;
	case SYN_CMM_NODE_VERDICT_SEND_FAILED:
		qb_log(LOG_ERR, "cmm: cannot send the quorum verdict: %s", strerror(-err));
		break;
	case SYN_CMM_NODE_BAD_VERDICT:
		qb_log(LOG_WARNING, "cmm: malformed quorum verdict from node %u ignored", sender);
		break;
	case SYN_CMM_NODE_BAD_MESSAGE:
		qb_log(LOG_WARNING, "cmm: malformed message from node %u ignored", sender);
		break;
	}
}

static int node_send(void *ctx, const void *msg, size_t len)
{
	struct syn_svc_cmm *svc = ctx;

	return syn_cluster_send(svc->cluster, SYN_CLUSTER_MSG_CMM, msg, len);
}

/* After every input: one state line if it changed, the stale timer as the roles want. */
static void after_input(struct syn_svc_cmm *svc)
{
	state_log(svc);
	stale_timer_update(svc);
}

static void on_message(void *ctx, uint32_t sender, const void *data, size_t len)
{
	struct syn_svc_cmm *svc = ctx;

	syn_cmm_node_deliver(svc->node, sender, data, len);
	after_input(svc);
}

/* ---- queries ------------------------------------------------------- */

static void fill_member(const struct syn_svc_cmm *svc, const struct syn_cmm_entry *e,
			cmm_member_t *m)
{
	const struct syn_svc_cmm_node *n = syn_svc_cmm_node(svc, e->nodeid);

	memset(m, 0, sizeof(*m));
	m->nodeid = e->nodeid;
	if (n) {
		snprintf(m->name, sizeof(m->name), "%s", n->name);
		snprintf(m->addr, sizeof(m->addr), "%s", n->addr);
	}
	m->domainid = svc->domain_id;
	m->sflag = syn_cmm_sflag(svc->core, e);
	m->incarnation_number = e->incarnation;
	snprintf(m->software_load_id, sizeof(m->software_load_id), "%s", svc->swload);
}

/* One node's answer; returns the cmm_error_t. */
static int32_t query_one(struct syn_svc_cmm *svc, uint32_t query, uint32_t nodeid, cmm_member_t *m)
{
	const struct syn_cmm_state *st = syn_cmm_local(svc->core);
	const struct syn_cmm_entry *e;
	int32_t ok = syn_cmm_stale(svc->core) ? CMM_EAGAIN : CMM_OK;

	if (query == SYN_CMM_Q_MASTER || query == SYN_CMM_Q_VICE) {
		if (!st->valid || !st->master)
			return CMM_ENOCLUSTER;
		nodeid = query == SYN_CMM_Q_MASTER ? st->master : st->vice;
		if (!nodeid)
			return CMM_ESRCH;
	}
	e = syn_cmm_entry(svc->core, nodeid);
	if (!e)
		return CMM_ESRCH;
	if (query == SYN_CMM_Q_MEMBER) {
		if (!st->valid)
			return CMM_ENOCLUSTER;
		if (e->status == SYN_CMM_OUT)
			return CMM_ESRCH;
	}
	fill_member(svc, e, m);
	return ok;
}

static void handle_query(struct syn_svc_cmm *svc, struct syn_conn *conn,
			 const struct syn_cmm_req_query *req)
{
	const struct syn_cmm_state *st = syn_cmm_local(svc->core);
	struct syn_cmm_res_query *res;
	size_t max = req->query == SYN_CMM_Q_ALL ? SYN_CMM_QUERY_MAX : 1;
	size_t size = sizeof(*res) + max * sizeof(cmm_member_t);
	int32_t err;

	res = calloc(1, size);
	if (!res) {
		respond_error(conn, SYN_CMM_RES_QUERY, CMM_EBUSY);
		return;
	}
	if (req->query != SYN_CMM_Q_ALL) {
		err = query_one(svc, req->query, req->nodeid, &res->entries[0]);
		res->n_entries = res->count = (err == CMM_OK || err == CMM_EAGAIN);
	} else if (!st->valid) {
		err = CMM_ENOCLUSTER;
	} else {
		err = syn_cmm_stale(svc->core) ? CMM_EAGAIN : CMM_OK;
		for (size_t i = 0; i < st->n && res->n_entries < max; i++)
			if (st->e[i].status != SYN_CMM_OUT)
				fill_member(svc, &st->e[i], &res->entries[res->n_entries++]);
		res->count = res->n_entries;
	}
	size = sizeof(*res) + res->n_entries * sizeof(cmm_member_t);
	res->header.id = SYN_CMM_RES_QUERY;
	res->header.size = (int32_t)size;
	res->header.error = err;
	syn_conn_respond(conn, res, size);
	free(res);
}

/* ---- requests ------------------------------------------------------ */

static void handle_modify(struct syn_svc_cmm *svc, struct syn_conn *conn, struct cmm_conn *cc,
			  const struct syn_cmm_req_modify *req)
{
	struct cmm_pending *p;
	int rc;

	if (req->op < SYN_CMM_OP_RELEASE || req->op > SYN_CMM_OP_RELOAD) {
		respond_error(conn, SYN_CMM_RES_MODIFY, CMM_EINVAL);
		return;
	}
	if (cc->n_pending >= CMM_PENDING_PER_CONN_MAX || !(p = calloc(1, sizeof(*p)))) {
		respond_error(conn, SYN_CMM_RES_MODIFY, CMM_EBUSY);
		return;
	}
	p->cc = cc;
	p->conn = conn;
	p->req_id = ++svc->next_req_id;
	p->op = req->op;
	p->target = req->target;
	p->arg = req->arg;
	p->next = svc->pending;
	svc->pending = p;
	cc->n_pending++;
	if (cmm_busy(svc))
		return; /* sent when the sync phase ends */
	rc = pending_send(svc, p);
	if (rc != 0) {
		respond_error(conn, SYN_CMM_RES_MODIFY, result_to_cmm(rc));
		pending_unlink(svc, p);
	}
}

static void handle_hello(struct syn_svc_cmm *svc, struct syn_conn *conn,
			 const struct syn_cmm_req_hello *req)
{
	struct syn_cmm_res_hello res = {0};

	res.header.id = SYN_CMM_RES_HELLO;
	res.header.size = sizeof(res);
	res.header.error = req->version == SYN_CMM_PROTO_VERSION ? CMM_OK : CMM_ENOTSUP;
	res.version = SYN_CMM_PROTO_VERSION;
	res.nodeid = svc->self;
	syn_conn_respond(conn, &res, sizeof(res));
}

static void cmm_request(void *svc_ptr, struct syn_conn *conn, void *priv, int32_t id,
			const void *msg, size_t len)
{
	struct syn_svc_cmm *svc = svc_ptr;
	struct cmm_conn *cc = priv;

	(void)len;
	cc->conn = conn;
	switch (id) {
	case SYN_CMM_REQ_HELLO:
		handle_hello(svc, conn, msg);
		return;
	case SYN_CMM_REQ_QUERY:
		handle_query(svc, conn, msg);
		return;
	case SYN_CMM_REQ_MODIFY:
		handle_modify(svc, conn, cc, msg);
		return;
	case SYN_CMM_REQ_SUBSCRIBE:
		if (!cc->subscribed) {
			cc->subscribed = true;
			cc->next = svc->subscribers;
			svc->subscribers = cc;
		}
		respond_error(conn, SYN_CMM_RES_SUBSCRIBE, CMM_OK);
		return;
	default:
		respond_error(conn, 0, CMM_EINVAL);
	}
}

static void cmm_closed(void *svc_ptr, struct syn_conn *conn, void *priv)
{
	struct syn_svc_cmm *svc = svc_ptr;
	struct cmm_conn *cc = priv;

	(void)conn;
	for (struct cmm_conn **pp = &svc->subscribers; *pp; pp = &(*pp)->next) {
		if (*pp == cc) {
			*pp = cc->next;
			break;
		}
	}
	for (struct cmm_pending *p = svc->pending; p; p = p->next)
		if (p->cc == cc)
			p->cc = NULL;
}

static const struct syn_service_def cmm_def = {
	.name = SYN_CMM_IPC_NAME,
	.id = SYN_CMM_SERVICE_ID,
	.priv_size = sizeof(struct cmm_conn),
	.n_requests = SYN_CMM_REQ_COUNT,
	.min_request_size = min_request_size,
	.request = cmm_request,
	.closed = cmm_closed,
};

/* ---- life cycle ---------------------------------------------------- */

static int start_core(struct syn_svc_cmm *svc, bool follow_votequorum)
{
	struct syn_cmm_node_conf table[SYN_CMM_NODES_MAX];
	struct syn_cmm_node_env env = {.cmm = {.ctx = svc,
					       .alloc = core_alloc,
					       .free = core_free,
					       .emit = core_emit,
					       .record = core_record,
					       .request_done = core_request_done,
					       .settled = core_settled,
					       .table_changed = core_table_changed},
				       .send = node_send,
				       .view_applied = node_view_applied,
				       .problem = node_problem};
	enum syn_cmm_node_mode mode =
		follow_votequorum ? SYN_CMM_NODE_FOLLOW_VOTEQUORUM : SYN_CMM_NODE_MAJORITY;
	struct syn_cmm_record rec;
	int rc;

	for (size_t i = 0; i < svc->n_nodes; i++)
		table[i] = svc->nodes[i].conf;
	syn_svc_cmm_record_load(svc, &rec);
	rc = syn_cmm_node_create(&env, mode, svc->self, table, svc->n_nodes, &rec, &svc->node);
	if (rc == 0)
		svc->core = syn_cmm_node_roles(svc->node);
	return rc;
}

static void cmm_fini(void *ctx)
{
	struct syn_svc_cmm *svc = ctx;

	syn_timer_cancel(&svc->stale_timer);
	while (svc->pending)
		pending_unlink(svc, svc->pending);
	syn_cmm_node_destroy(svc->node);
	free(svc->state_line);
	free(svc);
}

static void cmm_view(void *ctx, const struct syn_node_view *view, const struct syn_node_view *prev)
{
	struct syn_svc_cmm *svc = ctx;

	(void)prev;
	syn_cmm_node_view(svc->node, view->ring_seq, view->members, view->n_members);
	after_input(svc);
}

static void cmm_quorum(void *ctx, bool quorate, const struct syn_node_view *view)
{
	struct syn_svc_cmm *svc = ctx;

	syn_cmm_node_quorum(svc->node, quorate, view->ring_seq);
	after_input(svc);
}

enum syn_start_result syn_svc_cmm_start(const struct syn_service_env *env, struct syn_service *out)
{
	struct syn_svc_cmm *svc = calloc(1, sizeof(*svc));
	int rc;

	if (!svc)
		return SYN_START_FAILED;
	svc->loop = env->loop;
	syn_timer_init(&svc->stale_timer, env->loop, QB_LOOP_MED, stale_fired, svc);
	svc->icmap = env->icmap;
	svc->cluster = env->cluster;
	svc->self = syn_cluster_local_nodeid(env->cluster);
	rc = syn_svc_cmm_table_read(svc, env->icmap);
	if (rc == 0)
		rc = start_core(svc, syn_svc_votequorum_configured(env->icmap));
	if (rc != 0) {
		qb_log(LOG_ERR, "cmm: cannot start the CMM service (node table): %s",
		       strerror(-rc));
		cmm_fini(svc);
		return SYN_START_FAILED;
	}
	qb_log(LOG_NOTICE, "cmm: service started, %zu nodes in the table, quorum from %s",
	       svc->n_nodes,
	       syn_cmm_node_mode(svc->node) == SYN_CMM_NODE_FOLLOW_VOTEQUORUM
		       ? "votequorum"
		       : "the node table majority");
	*out = (struct syn_service){.name = "cmm",
				    .ipc = &cmm_def,
				    .channel = SYN_CLUSTER_MSG_CMM,
				    .ctx = svc,
				    .view_changed = cmm_view,
				    .deliver = on_message,
				    .quorum_changed = cmm_quorum,
				    .fini = cmm_fini};
	return SYN_START_OK;
}
