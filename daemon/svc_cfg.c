/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svc_cfg.c - the cfg service (shared spec ipc-wire.md section 7).
 *
 * Without a transport the link state is what the configuration says:
 * the local node is reachable on every link it has an address for, with
 * the loopback MTU; other nodes are known but unreachable.  Node
 * addresses (GET_NODE_ADDRS, node and ring status) are read from the
 * daemon's node address table (node_addrs.h): the nodelist's
 * ring<L>_addr values resolved once, with totem.ip_version, when the
 * configuration was loaded or last reloaded.  Nothing is resolved per
 * request.
 *
 * Shutdown negotiation: one pending request at a time; trackers other
 * than the requester vote through REPLYTOSHUTDOWN; a departing tracker
 * votes yes, a departing requester cancels; missing votes count as no
 * when cfg.shutdown_timeout (default 5000 ms) expires.
 *
 * Config reload is cluster-wide, as in corosync: the request travels on
 * the service's cluster channel, every member re-reads its own file
 * when it is delivered, and the requester's client gets the result of
 * the requesting node only.  The message carries a token naming the
 * waiting connection; a client gone by then is simply not answered.
 */
#include "svc_cfg.h"
#include "transport.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <corosync/corotypes.h>
#include <qb/qblog.h>

#include "cluster.h"
#include "config.h"
#include "ipc.h"
#include "loop.h"
#include "node_addrs.h"
#include "proto/ipc_cfg.h"
#include "proto/net_cluster.h"
#include "reload.h"

#define SHUTDOWN_FLAG_REGARDLESS 1
#define SHUTDOWN_FLAG_IMMEDIATE 2
#define MAX_LINKS SYN_NODE_ADDRS_MAX_LINKS

struct cfg_conn {
	struct cfg_conn *next;
	struct syn_conn *conn;
	bool tracking;
	bool replied;
	/* waiting for its reload request to come back through the view */
	struct cfg_conn *next_reload;
	uint64_t reload_token;
};

struct syn_svc_cfg {
	struct syn_store *icmap;
	const struct syn_node_addrs *node_addrs;
	struct syn_loop *loop;
	struct syn_cluster *cluster;
	uint32_t local_nodeid;
	struct syn_daemon_hooks hooks;
	struct cfg_conn *trackers;
	struct cfg_conn *reloads;
	uint64_t next_token;
	/* the pending shutdown */
	struct cfg_conn *requester;
	uint32_t flags;
	uint32_t expected, yes, no;
	struct syn_timer timer; /* the pending shutdown's timeout */
};

/* The table entry of nodeid (0 = local), or NULL when it is not in the nodelist. */
static const struct syn_node_addr_entry *node_entry(const struct syn_svc_cfg *svc, uint32_t nodeid)
{
	return syn_node_addrs_find(svc->node_addrs, nodeid ? nodeid : svc->local_nodeid);
}

static size_t link_count(const struct syn_node_addr_entry *e)
{
	size_t n = 0;

	for (int l = 0; l < MAX_LINKS; l++)
		n += e->has_link[l];
	return n;
}

static void handle_get_node_addrs(struct syn_svc_cfg *svc, struct syn_conn *conn, uint32_t nodeid)
{
	const struct syn_node_addr_entry *e = node_entry(svc, nodeid);
	unsigned char buf[sizeof(struct syn_cfg_res_get_node_addrs) + MAX_LINKS * SYN_CFG_ADDR_LEN];
	struct syn_cfg_res_get_node_addrs *res = (void *)buf;
	size_t slots = 0;

	memset(buf, 0, sizeof(buf));
	res->header.id = SYN_CFG_RES_GET_NODE_ADDRS;
	res->header.size = sizeof(*res);
	res->header.error = CS_ERR_NOT_EXIST;
	if (e && link_count(e) > 0) {
		res->header.error = CS_OK;
		for (int l = 0; l < MAX_LINKS; l++) {
			if (!e->has_link[l])
				continue;
			if (!res->family)
				res->family = (uint32_t)e->addr[l].family;
			memcpy(res->addrs[res->num_addrs++], e->addr[l].bytes,
			       e->addr[l].family == AF_INET ? 4 : 16);
			slots++;
		}
		res->header.size = (int32_t)(sizeof(*res) + slots * SYN_CFG_ADDR_LEN);
	}
	syn_conn_respond(conn, res, (size_t)res->header.size);
}

/* Overlay knet's view of a link, when it has one. */
static void link_status_live(struct syn_svc_cfg *svc, uint32_t nodeid, unsigned int link,
			     struct syn_cfg_link_status_v1 *ls, uint8_t *reachable)
{
	struct syn_link_status st;

	if (syn_cluster_link_status(svc->cluster, nodeid, link, &st) != 0)
		return;
	ls->enabled = st.enabled;
	ls->connected = st.connected;
	ls->mtu = st.mtu;
	snprintf(ls->src_ipaddr, sizeof(ls->src_ipaddr), "%s", st.src_ipaddr);
	snprintf(ls->dst_ipaddr, sizeof(ls->dst_ipaddr), "%s", st.dst_ipaddr);
	if (st.connected)
		*reachable = 1;
}

static void handle_nodestatus(struct syn_svc_cfg *svc, struct syn_conn *conn,
			      const struct syn_cfg_req_nodestatusget *req)
{
	struct syn_cfg_res_nodestatusget *resp = calloc(1, sizeof(*resp)); /* 4200 bytes */
	const struct syn_node_addr_entry *e = NULL;
	uint32_t nodeid = req->nodeid;
	bool local;
#define res (*resp)

	if (!resp) {
		syn_conn_respond_error(conn, SYN_CFG_RES_NODESTATUSGET, CS_ERR_NO_MEMORY);
		return;
	}
	res.header.id = SYN_CFG_RES_NODESTATUSGET;
	res.header.size = sizeof(struct syn_cfg_res_u32);
	/* 0 means the local node only to get_node_addrs: here it is no node */
	if (nodeid != 0)
		e = node_entry(svc, nodeid);
	if (!e) {
		res.header.error = CS_ERR_FAILED_OPERATION;
	} else if (req->version != 1) {
		res.header.error = CS_ERR_NOT_SUPPORTED;
	} else {
		local = nodeid == svc->local_nodeid;
		res.header.error = CS_OK;
		res.header.size = sizeof(res);
		res.status.version = 1;
		res.status.nodeid = nodeid;
		res.status.reachable = local;
		for (int l = 0; l < MAX_LINKS; l++) {
			struct syn_cfg_link_status_v1 *ls = &res.status.link_status[l];

			if (!e->has_link[l])
				continue;
			ls->enabled = 1;
			ls->connected = local;
			ls->mtu = local ? 65535 : 0;
			inet_ntop(e->addr[l].family, e->addr[l].bytes, ls->src_ipaddr,
				  sizeof(ls->src_ipaddr));
			memcpy(ls->dst_ipaddr, ls->src_ipaddr, sizeof(ls->dst_ipaddr));
			link_status_live(svc, nodeid, (unsigned int)l, ls, &res.status.reachable);
		}
	}
	syn_conn_respond(conn, resp, (size_t)res.header.size);
	free(resp);
#undef res
}

static void handle_ringstatus(struct syn_svc_cfg *svc, struct syn_conn *conn)
{
	struct syn_cfg_res_ringstatusget *resp = calloc(1, sizeof(*resp)); /* 10 KiB */
	const struct syn_node_addr_entry *e = node_entry(svc, 0);
	char ip[INET6_ADDRSTRLEN];
#define res (*resp)

	if (!resp) {
		syn_conn_respond_error(conn, SYN_CFG_RES_RINGSTATUSGET, CS_ERR_NO_MEMORY);
		return;
	}
	res.header.id = SYN_CFG_RES_RINGSTATUSGET;
	res.header.size = sizeof(res);
	res.header.error = CS_OK;
	if (e) {
		for (int l = 0; l < MAX_LINKS; l++) {
			uint32_t i = res.interface_count;

			if (!e->has_link[l])
				continue;
			inet_ntop(e->addr[l].family, e->addr[l].bytes, ip, sizeof(ip));
			snprintf(res.interface_name[i], SYN_CFG_INTERFACE_NAME_LEN, "%d %s", l, ip);
			snprintf(res.interface_status[i], SYN_CFG_INTERFACE_STATUS_LEN, "n");
			res.interface_count++;
		}
	}
	syn_conn_respond(conn, resp, sizeof(res));
	free(resp);
#undef res
}

static void handle_killnode(struct syn_svc_cfg *svc, struct syn_conn *conn,
			    const struct syn_cfg_req_killnode *req)
{
	char key[96], reason[SYN_IPC_NAME_MAX + 1];
	const char *status;
	cs_error_t err = CS_ERR_NOT_EXIST;

	snprintf(key, sizeof(key), "runtime.members.%u.status", req->nodeid);
	memcpy(reason, req->reason.value, SYN_IPC_NAME_MAX);
	reason[SYN_IPC_NAME_MAX] = '\0';
	if (syn_store_get_str(svc->icmap, key, &status) == 0 && strcmp(status, "joined") == 0)
		err = CS_OK;
	syn_conn_respond_error(conn, SYN_CFG_RES_KILLNODE, err);
	if (err == CS_OK && req->nodeid == svc->local_nodeid) {
		qb_log(LOG_NOTICE, "Node %u was shut down by sysadmin: %s", req->nodeid, reason);
		svc->hooks.shutdown(svc->hooks.ctx, "killed by request");
	}
}

/* ---- shutdown negotiation --------------------------------------------- */

static void shutdown_end(struct syn_svc_cfg *svc, bool go)
{
	struct syn_conn *requester = svc->requester ? svc->requester->conn : NULL;

	syn_timer_cancel(&svc->timer);
	svc->requester = NULL;
	if (requester)
		syn_conn_respond_error(requester, SYN_CFG_RES_TRYSHUTDOWN,
				       go ? CS_OK : CS_ERR_BUSY);
	if (go)
		svc->hooks.shutdown(svc->hooks.ctx, "shutdown requested through cfg");
}

static void shutdown_check(struct syn_svc_cfg *svc, bool timed_out)
{
	if (!svc->requester)
		return;
	if (timed_out)
		svc->no = svc->expected - svc->yes;
	if (svc->yes + svc->no < svc->expected)
		return;
	shutdown_end(svc, svc->yes >= svc->expected || svc->flags == SHUTDOWN_FLAG_REGARDLESS);
}

static void on_shutdown_timeout(void *data)
{
	struct syn_svc_cfg *svc = data;

	shutdown_check(svc, true);
}

static void send_testshutdown(struct syn_conn *conn, uint32_t flags)
{
	struct syn_cfg_res_u32 ev;
	struct iovec iov = {&ev, sizeof(ev)};

	memset(&ev, 0, sizeof(ev));
	ev.header.id = SYN_CFG_RES_TESTSHUTDOWN;
	ev.header.size = sizeof(ev);
	ev.header.error = CS_OK;
	ev.value = flags;
	syn_conn_event(conn, &iov, 1);
}

static void handle_tryshutdown(struct syn_svc_cfg *svc, struct syn_conn *conn, struct cfg_conn *cc,
			       uint32_t flags)
{
	uint32_t timeout_ms = 5000;

	cc->conn = conn;
	if (flags == SHUTDOWN_FLAG_IMMEDIATE) {
		syn_conn_respond_error(conn, SYN_CFG_RES_TRYSHUTDOWN, CS_OK);
		svc->hooks.shutdown(svc->hooks.ctx, "immediate shutdown requested through cfg");
		return;
	}
	if (svc->requester) {
		syn_conn_respond_error(conn, SYN_CFG_RES_TRYSHUTDOWN, CS_ERR_EXIST);
		return;
	}
	svc->requester = cc;
	svc->flags = flags;
	svc->expected = svc->yes = svc->no = 0;
	for (struct cfg_conn *t = svc->trackers; t; t = t->next) {
		if (t == cc)
			continue;
		t->replied = false;
		svc->expected++;
		send_testshutdown(t->conn, flags);
	}
	if (svc->expected == 0) {
		shutdown_end(svc, true);
		return;
	}
	syn_store_get_u32(svc->icmap, "cfg.shutdown_timeout", &timeout_ms);
	syn_timer_arm_in(&svc->timer, (uint64_t)timeout_ms * 1000);
}

static void vote(struct syn_svc_cfg *svc, struct cfg_conn *cc, bool yes)
{
	if (!svc->requester || cc == svc->requester || cc->replied || !cc->tracking)
		return;
	cc->replied = true;
	if (yes)
		svc->yes++;
	else
		svc->no++;
	shutdown_check(svc, false);
}

static void track_start(struct syn_svc_cfg *svc, struct syn_conn *conn, struct cfg_conn *cc)
{
	cc->conn = conn;
	if (!cc->tracking) {
		cc->tracking = true;
		cc->replied = false;
		cc->next = svc->trackers;
		svc->trackers = cc;
		if (svc->requester) {
			svc->expected++;
			send_testshutdown(conn, svc->flags);
		}
	}
	syn_conn_respond_error(conn, SYN_CFG_RES_TRACKSTART, CS_OK);
}

static void track_stop(struct syn_svc_cfg *svc, struct cfg_conn *cc)
{
	if (!cc->tracking)
		return;
	vote(svc, cc, true);
	for (struct cfg_conn **p = &svc->trackers; *p; p = &(*p)->next)
		if (*p == cc) {
			*p = cc->next;
			break;
		}
	cc->tracking = false;
}

/* ---- cluster-wide reload ---------------------------------------------- */

static void reload_unwait(struct syn_svc_cfg *svc, struct cfg_conn *cc)
{
	for (struct cfg_conn **p = &svc->reloads; *p; p = &(*p)->next_reload)
		if (*p == cc) {
			*p = cc->next_reload;
			break;
		}
	cc->reload_token = 0;
}

static void handle_reload(struct syn_svc_cfg *svc, struct syn_conn *conn, struct cfg_conn *cc)
{
	/* The reload request on the ordered channel (proto/net_cluster.h). */
	struct syn_net_cfg_reload msg = {SYN_NET_CFG_RELOAD, svc->local_nodeid, ++svc->next_token};
	uint8_t buf[SYN_NET_CFG_LEN];
	int rc;

	if (cc->reload_token) {
		syn_conn_respond_error(conn, SYN_CFG_RES_RELOAD_CONFIG, CS_ERR_TRY_AGAIN);
		return;
	}
	syn_net_cfg_reload_encode(buf, &msg);
	rc = syn_cluster_send(svc->cluster, SYN_CLUSTER_MSG_CFG, buf, sizeof(buf));
	if (rc != 0) {
		syn_conn_respond_error(conn, SYN_CFG_RES_RELOAD_CONFIG,
				       syn_config_reload_result(rc));
		return;
	}
	cc->conn = conn;
	cc->reload_token = msg.token;
	cc->next_reload = svc->reloads;
	svc->reloads = cc;
}

static void cfg_deliver(void *ctx, uint32_t sender, const void *data, size_t len)
{
	struct syn_svc_cfg *svc = ctx;
	struct syn_net_cfg_reload msg;
	int rc;

	if (syn_net_cfg_reload_decode(data, len, &msg) != 0 || msg.type != SYN_NET_CFG_RELOAD)
		return;
	rc = svc->hooks.reload(svc->hooks.ctx, sender);
	if (sender != svc->local_nodeid)
		return;
	for (struct cfg_conn *cc = svc->reloads; cc; cc = cc->next_reload)
		if (cc->reload_token == msg.token) {
			reload_unwait(svc, cc);
			syn_conn_respond_error(cc->conn, SYN_CFG_RES_RELOAD_CONFIG,
					       syn_config_reload_result(rc));
			break;
		}
}

/* ---- requests --------------------------------------------------------- */

static void cfg_request(void *svc_ptr, struct syn_conn *conn, void *priv, int32_t id,
			const void *msg, size_t len)
{
	struct syn_svc_cfg *svc = svc_ptr;
	struct cfg_conn *cc = priv;
	const struct syn_cfg_req_u32 *u = msg;
	struct syn_cfg_res_u32 res;

	(void)len;
	switch (id) {
	case SYN_CFG_REQ_RINGSTATUSGET:
		handle_ringstatus(svc, conn);
		break;
	case SYN_CFG_REQ_RINGREENABLE:
		syn_conn_respond_error(conn, SYN_CFG_RES_RINGREENABLE, CS_ERR_NOT_SUPPORTED);
		break;
	case SYN_CFG_REQ_KILLNODE:
		handle_killnode(svc, conn, msg);
		break;
	case SYN_CFG_REQ_TRYSHUTDOWN:
		handle_tryshutdown(svc, conn, cc, u->value);
		break;
	case SYN_CFG_REQ_REPLYTOSHUTDOWN:
		if (!svc->requester) {
			syn_conn_respond_error(conn, SYN_CFG_RES_REPLYTOSHUTDOWN, CS_ERR_ACCESS);
			break;
		}
		syn_conn_respond_error(conn, SYN_CFG_RES_REPLYTOSHUTDOWN, CS_OK);
		vote(svc, cc, u->value != 0);
		break;
	case SYN_CFG_REQ_GET_NODE_ADDRS:
		handle_get_node_addrs(svc, conn, u->value);
		break;
	case SYN_CFG_REQ_LOCAL_GET:
		memset(&res, 0, sizeof(res));
		res.header.id = SYN_CFG_RES_LOCAL_GET;
		res.header.size = sizeof(res);
		res.header.error = CS_OK;
		res.value = svc->local_nodeid;
		syn_conn_respond(conn, &res, sizeof(res));
		break;
	case SYN_CFG_REQ_RELOAD_CONFIG:
		handle_reload(svc, conn, cc);
		break;
	case SYN_CFG_REQ_REOPEN_LOG_FILES:
		syn_conn_respond_error(conn, SYN_CFG_RES_REOPEN_LOG_FILES, CS_OK);
		break;
	case SYN_CFG_REQ_NODESTATUSGET:
		handle_nodestatus(svc, conn, msg);
		break;
	case SYN_CFG_REQ_TRACKSTART:
		track_start(svc, conn, cc);
		break;
	default:
		track_stop(svc, cc);
		syn_conn_respond_error(conn, SYN_CFG_RES_TRACKSTOP, CS_OK);
		break;
	}
}

static void cfg_closed(void *svc_ptr, struct syn_conn *conn, void *priv)
{
	struct syn_svc_cfg *svc = svc_ptr;
	struct cfg_conn *cc = priv;

	(void)conn;
	if (svc->requester == cc) {
		syn_timer_cancel(&svc->timer);
		svc->requester = NULL;
	}
	if (cc->reload_token)
		reload_unwait(svc, cc);
	track_stop(svc, cc);
}

static const size_t min_request_size[SYN_CFG_REQ_COUNT] = {
	[SYN_CFG_REQ_RINGSTATUSGET] = sizeof(struct qb_ipc_request_header),
	[SYN_CFG_REQ_RINGREENABLE] = sizeof(struct qb_ipc_request_header),
	[SYN_CFG_REQ_KILLNODE] = sizeof(struct syn_cfg_req_killnode),
	[SYN_CFG_REQ_TRYSHUTDOWN] = sizeof(struct syn_cfg_req_u32),
	[SYN_CFG_REQ_REPLYTOSHUTDOWN] = sizeof(struct syn_cfg_req_u32),
	[SYN_CFG_REQ_GET_NODE_ADDRS] = sizeof(struct syn_cfg_req_u32),
	[SYN_CFG_REQ_LOCAL_GET] = sizeof(struct qb_ipc_request_header),
	[SYN_CFG_REQ_RELOAD_CONFIG] = sizeof(struct qb_ipc_request_header),
	[SYN_CFG_REQ_REOPEN_LOG_FILES] = sizeof(struct qb_ipc_request_header),
	[SYN_CFG_REQ_NODESTATUSGET] = sizeof(struct syn_cfg_req_nodestatusget),
	[SYN_CFG_REQ_TRACKSTART] = sizeof(struct syn_cfg_req_u32),
	[SYN_CFG_REQ_TRACKSTOP] = sizeof(struct qb_ipc_request_header),
};

static const struct syn_service_def cfg_def = {
	.name = "cfg",
	.id = 1,
	.priv_size = sizeof(struct cfg_conn),
	.n_requests = SYN_CFG_REQ_COUNT,
	.min_request_size = min_request_size,
	.request = cfg_request,
	.closed = cfg_closed,
};

static void cfg_fini(void *ctx)
{
	struct syn_svc_cfg *svc = ctx;

	syn_timer_cancel(&svc->timer);
	free(svc);
}

enum syn_start_result syn_svc_cfg_start(const struct syn_service_env *env, struct syn_service *out)
{
	struct syn_svc_cfg *svc;

	if (!env->node_addrs)
		return SYN_START_FAILED;
	svc = calloc(1, sizeof(*svc));
	if (!svc)
		return SYN_START_FAILED;
	svc->icmap = env->icmap;
	svc->node_addrs = env->node_addrs;
	svc->loop = env->loop;
	syn_timer_init(&svc->timer, env->loop, QB_LOOP_MED, on_shutdown_timeout, svc);
	svc->cluster = env->cluster;
	svc->local_nodeid = syn_cluster_local_nodeid(env->cluster);
	svc->hooks = *env->daemon;
	*out = (struct syn_service){.name = "cfg",
				    .ipc = &cfg_def,
				    .channel = SYN_CLUSTER_MSG_CFG,
				    .ctx = svc,
				    .deliver = cfg_deliver,
				    .fini = cfg_fini};
	return SYN_START_OK;
}
