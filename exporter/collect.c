/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * collect.c - one collection of a synod daemon's state through the client
 * libraries (see collect.h).
 *
 * Where each figure comes from:
 *   members, ring id        cmap runtime.totem.members / runtime.totem.ring_id
 *   view changes, uptime    stats map stats.membership.views_installed / uptime_ms
 *   quorate                 libquorum quorum_getquorate
 *   votes, expected, quorum libvotequorum votequorum_getinfo (local node,
 *                           then each member for its own votes)
 *   node names              cmap nodelist.node.<pos>.name (else ring0_addr)
 *   links up/down           libcfg corosync_cfg_node_status_get per node
 *   link latency, downs     stats map stats.knet.node<id>.link<n>.*
 *   IPC                     stats map stats.ipcs.global.* and, per
 *                           connection, stats.ipcs.service<S>.<pid>.<ptr>.*
 *   service messages        cmap runtime.services.<name>.<n>.rx / tx
 *   cmap, CPG counts        key iteration of both maps; cpg_iteration
 * Everything but the cmap reads of the ring is optional: a part that does
 * not answer leaves its have_ flag false.
 */
#include "collect.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A call failed because the connection is gone (not because a key is absent). */
static bool lost(cs_error_t err)
{
	return err == CS_ERR_LIBRARY || err == CS_ERR_BAD_HANDLE;
}

void syn_exp_conn_init(struct syn_exp_conn *c)
{
	memset(c, 0, sizeof(*c));
}

void syn_exp_conn_fini(struct syn_exp_conn *c)
{
	if (!c->open)
		return;
	if (c->have_cpg)
		cpg_finalize(c->cpg);
	if (c->have_votequorum)
		votequorum_finalize(c->votequorum);
	if (c->have_quorum)
		quorum_finalize(c->quorum);
	corosync_cfg_finalize(c->cfg);
	cmap_finalize(c->stats);
	cmap_finalize(c->icmap);
	syn_exp_conn_init(c);
}

/* cmap and cfg are required; quorum, votequorum and cpg are optional. */
static int conn_open(struct syn_exp_conn *c)
{
	quorum_callbacks_t qcb = {0};
	votequorum_callbacks_t vcb = {0};
	cpg_callbacks_t ccb = {0};
	uint32_t quorum_type;

	syn_exp_conn_init(c);
	if (cmap_initialize(&c->icmap) != CS_OK)
		return -ENOTCONN;
	if (cmap_initialize_map(&c->stats, CMAP_MAP_STATS) != CS_OK)
		goto err_close_icmap;
	if (corosync_cfg_initialize(&c->cfg, NULL) != CS_OK)
		goto err_close_stats;
	c->have_quorum = quorum_initialize(&c->quorum, &qcb, &quorum_type) == CS_OK;
	c->have_votequorum = votequorum_initialize(&c->votequorum, &vcb) == CS_OK;
	c->have_cpg = cpg_initialize(&c->cpg, &ccb) == CS_OK;
	c->open = true;
	return 0;

err_close_stats:
	cmap_finalize(c->stats);
err_close_icmap:
	cmap_finalize(c->icmap);
	return -ENOTCONN;
}

static struct syn_exp_node *node_find(struct syn_exp_snapshot *s, uint32_t nodeid)
{
	for (uint32_t i = 0; i < s->n_nodes; i++)
		if (s->nodes[i].nodeid == nodeid)
			return &s->nodes[i];
	return NULL;
}

static struct syn_exp_node *node_add(struct syn_exp_snapshot *s, uint32_t nodeid)
{
	struct syn_exp_node *n = node_find(s, nodeid);

	if (n || s->n_nodes == SYN_EXP_MAX_NODES)
		return n;
	n = &s->nodes[s->n_nodes++];
	n->nodeid = nodeid;
	snprintf(n->name, sizeof(n->name), "%" PRIu32, nodeid);
	return n;
}

static int node_cmp(const void *a, const void *b)
{
	const struct syn_exp_node *x = a, *y = b;

	return x->nodeid < y->nodeid ? -1 : x->nodeid > y->nodeid;
}

static void copy_str(char *dst, size_t len, char *src)
{
	snprintf(dst, len, "%s", src);
	free(src);
}

/* One nodelist entry at position pos: its id, name and, if local, addresses. */
static void nodelist_entry(struct syn_exp_conn *c, struct syn_exp_snapshot *s, unsigned pos)
{
	char key[CMAP_KEYNAME_MAXLEN + 1];
	struct syn_exp_node *n;
	uint32_t nodeid;
	char *str;

	snprintf(key, sizeof(key), "nodelist.node.%u.nodeid", pos);
	if (cmap_get_uint32(c->icmap, key, &nodeid) != CS_OK || !(n = node_add(s, nodeid)))
		return;
	snprintf(key, sizeof(key), "nodelist.node.%u.name", pos);
	if (cmap_get_string(c->icmap, key, &str) == CS_OK) {
		copy_str(n->name, sizeof(n->name), str);
	} else {
		snprintf(key, sizeof(key), "nodelist.node.%u.ring0_addr", pos);
		if (cmap_get_string(c->icmap, key, &str) == CS_OK)
			copy_str(n->name, sizeof(n->name), str);
	}
	if (nodeid != s->local_nodeid)
		return;
	for (unsigned l = 0; l < SYN_EXP_MAX_LINKS; l++) {
		snprintf(key, sizeof(key), "nodelist.node.%u.ring%u_addr", pos, l);
		if (cmap_get_string(c->icmap, key, &str) == CS_OK)
			copy_str(s->local_addr[l], sizeof(s->local_addr[l]), str);
	}
}

static void collect_nodelist(struct syn_exp_conn *c, struct syn_exp_snapshot *s)
{
	char key[CMAP_KEYNAME_MAXLEN + 1];
	cmap_iter_handle_t it;
	cmap_value_types_t type;
	size_t len;
	unsigned pos;
	char field[32];

	if (cmap_iter_init(c->icmap, "nodelist.node.", &it) != CS_OK)
		return;
	while (cmap_iter_next(c->icmap, it, key, &len, &type) == CS_OK)
		if (sscanf(key, "nodelist.node.%u.%31s", &pos, field) == 2 &&
		    strcmp(field, "nodeid") == 0)
			nodelist_entry(c, s, pos);
	cmap_iter_finalize(c->icmap, it);
}

/* The view: ring id and members.  Returns false when the daemon is gone. */
static bool collect_view(struct syn_exp_conn *c, struct syn_exp_snapshot *s)
{
	char *ring = NULL, *members = NULL, *p, *end;
	cs_error_t err;

	err = cmap_get_string(c->icmap, "runtime.totem.ring_id", &ring);
	if (lost(err))
		return false;
	if (err == CS_OK) {
		s->have_ring =
			sscanf(ring, "%" SCNx32 ".%" SCNx64, &s->ring_rep, &s->ring_seq) == 2;
		copy_str(s->ring_id, sizeof(s->ring_id), ring);
	}
	err = cmap_get_string(c->icmap, "runtime.totem.members", &members);
	if (lost(err))
		return false;
	if (err != CS_OK)
		return true;
	for (p = members;; p = end) {
		unsigned long id = strtoul(p, &end, 10);
		struct syn_exp_node *n;

		if (end == p)
			break;
		s->n_members++;
		if ((n = node_add(s, (uint32_t)id)))
			n->member = true;
	}
	free(members);
	return true;
}

static void collect_quorum(struct syn_exp_conn *c, struct syn_exp_snapshot *s)
{
	struct votequorum_info info;
	int quorate;

	if (c->have_quorum && quorum_getquorate(c->quorum, &quorate) == CS_OK) {
		s->have_quorate = true;
		s->quorate = quorate != 0;
	}
	if (!c->have_votequorum ||
	    votequorum_getinfo(c->votequorum, s->local_nodeid, &info) != CS_OK)
		return;
	s->have_votes = true;
	s->expected_votes = info.node_expected_votes;
	s->highest_expected = info.highest_expected;
	s->total_votes = info.total_votes;
	s->quorum = info.quorum;
	if (info.flags & VOTEQUORUM_INFO_QDEVICE_REGISTERED) {
		s->qdevice_registered = true;
		s->qdevice_votes = info.qdevice_votes;
	}
	for (uint32_t i = 0; i < s->n_nodes; i++) {
		struct syn_exp_node *n = &s->nodes[i];

		if (n->member && votequorum_getinfo(c->votequorum, n->nodeid, &info) == CS_OK) {
			n->have_votes = true;
			n->votes = info.node_votes;
		}
	}
}

static bool stats_u32(struct syn_exp_conn *c, const char *key, uint32_t *out)
{
	return cmap_get_uint32(c->stats, key, out) == CS_OK;
}

static bool stats_u64(struct syn_exp_conn *c, const char *key, uint64_t *out)
{
	return cmap_get_uint64(c->stats, key, out) == CS_OK;
}

static void link_stats(struct syn_exp_conn *c, uint32_t nodeid, unsigned l, struct syn_exp_link *lk)
{
	char key[CMAP_KEYNAME_MAXLEN + 1];
	uint32_t samples = 0;

	snprintf(key, sizeof(key), "stats.knet.node%" PRIu32 ".link%u.down_count", nodeid, l);
	lk->have_down_count = stats_u32(c, key, &lk->down_count);
	snprintf(key, sizeof(key), "stats.knet.node%" PRIu32 ".link%u.latency_samples", nodeid, l);
	if (!stats_u32(c, key, &samples) || samples == 0)
		return;
	snprintf(key, sizeof(key), "stats.knet.node%" PRIu32 ".link%u.latency_ave", nodeid, l);
	lk->have_latency = stats_u32(c, key, &lk->latency_ave_us);
	snprintf(key, sizeof(key), "stats.knet.node%" PRIu32 ".link%u.latency_max", nodeid, l);
	lk->have_latency = lk->have_latency && stats_u32(c, key, &lk->latency_max_us);
}

static void collect_links(struct syn_exp_conn *c, struct syn_exp_snapshot *s)
{
	for (uint32_t i = 0; i < s->n_nodes; i++) {
		struct syn_exp_node *n = &s->nodes[i];
		struct corosync_cfg_node_status_v1 st;

		memset(&st, 0, sizeof(st));
		if (corosync_cfg_node_status_get(c->cfg, n->nodeid, CFG_NODE_STATUS_V1, &st) !=
		    CS_OK)
			continue;
		n->have_links = true;
		n->reachable = st.reachable != 0;
		for (unsigned l = 0; l < SYN_EXP_MAX_LINKS; l++) {
			n->links[l].enabled = st.link_status[l].enabled != 0;
			n->links[l].connected = st.link_status[l].connected != 0;
			if (n->links[l].enabled)
				link_stats(c, n->nodeid, l, &n->links[l]);
		}
	}
}

static struct syn_exp_service *service_by_name(struct syn_exp_snapshot *s, const char *name)
{
	struct syn_exp_service *svc;

	for (uint32_t i = 0; i < s->n_services; i++)
		if (strcmp(s->services[i].name, name) == 0)
			return &s->services[i];
	if (s->n_services == SYN_EXP_MAX_SERVICES)
		return NULL;
	svc = &s->services[s->n_services++];
	snprintf(svc->name, sizeof(svc->name), "%s", name);
	svc->id = UINT32_MAX;
	return svc;
}

/* runtime.services.<name>.service_id and .<n>.rx / .<n>.tx */
static void collect_services(struct syn_exp_conn *c, struct syn_exp_snapshot *s)
{
	char key[CMAP_KEYNAME_MAXLEN + 1], name[32], rest[64];
	cmap_iter_handle_t it;
	cmap_value_types_t type;
	size_t len;

	if (cmap_iter_init(c->icmap, "runtime.services.", &it) != CS_OK)
		return;
	while (cmap_iter_next(c->icmap, it, key, &len, &type) == CS_OK) {
		struct syn_exp_service *svc;
		unsigned kind;
		char dir[8];
		uint16_t id;
		uint64_t v;

		if (sscanf(key, "runtime.services.%31[^.].%63s", name, rest) != 2 ||
		    !(svc = service_by_name(s, name)))
			continue;
		if (strcmp(rest, "service_id") == 0) {
			if (cmap_get_uint16(c->icmap, key, &id) == CS_OK)
				svc->id = id;
		} else if (sscanf(rest, "%u.%7s", &kind, dir) == 2 &&
			   kind < SYN_EXP_MAX_MESSAGE_KINDS &&
			   cmap_get_uint64(c->icmap, key, &v) == CS_OK) {
			if (strcmp(dir, "rx") == 0)
				svc->rx[kind] = v;
			else if (strcmp(dir, "tx") == 0)
				svc->tx[kind] = v;
			else
				continue;
			if (kind + 1 > svc->n_message_kinds)
				svc->n_message_kinds = kind + 1;
		}
	}
	cmap_iter_finalize(c->icmap, it);
}

static struct syn_exp_service *service_by_id(struct syn_exp_snapshot *s, uint32_t id)
{
	for (uint32_t i = 0; i < s->n_services; i++)
		if (s->services[i].id == id)
			return &s->services[i];
	return NULL;
}

/* Global IPC counters, then connections and overloads per service. */
static void collect_ipc(struct syn_exp_conn *c, struct syn_exp_snapshot *s)
{
	char key[CMAP_KEYNAME_MAXLEN + 1], field[32];
	cmap_iter_handle_t it;
	cmap_value_types_t type;
	size_t len;

	s->have_ipc = stats_u64(c, "stats.ipcs.global.active", &s->ipc_active) &&
		      stats_u64(c, "stats.ipcs.global.closed", &s->ipc_closed) &&
		      stats_u64(c, "stats.ipcs.global.overload_disconnects",
				&s->ipc_overload_disconnects) &&
		      stats_u64(c, "stats.ipcs.global.queued_bytes", &s->ipc_queued_bytes);
	if (!s->have_ipc || cmap_iter_init(c->stats, "stats.ipcs.service", &it) != CS_OK)
		return;
	while (cmap_iter_next(c->stats, it, key, &len, &type) == CS_OK) {
		struct syn_exp_service *svc;
		unsigned id;
		uint64_t v;

		if (sscanf(key, "stats.ipcs.service%u.%*[^.].%*[^.].%31s", &id, field) != 2 ||
		    strcmp(field, "overload") != 0 || !(svc = service_by_id(s, id)))
			continue;
		svc->connections++;
		if (cmap_get_uint64(c->stats, key, &v) == CS_OK)
			svc->overloads += v;
	}
	cmap_iter_finalize(c->stats, it);
}

static bool count_keys(cmap_handle_t h, uint64_t *out)
{
	char key[CMAP_KEYNAME_MAXLEN + 1];
	cmap_iter_handle_t it;
	cmap_value_types_t type;
	size_t len;

	*out = 0;
	if (cmap_iter_init(h, NULL, &it) != CS_OK)
		return false;
	while (cmap_iter_next(h, it, key, &len, &type) == CS_OK)
		(*out)++;
	cmap_iter_finalize(h, it);
	return true;
}

static bool cpg_count(cpg_handle_t h, cpg_iteration_type_t what, uint32_t *out)
{
	struct cpg_iteration_description_t d;
	cpg_iteration_handle_t it;
	cs_error_t err;

	*out = 0;
	if (cpg_iteration_initialize(h, what, NULL, &it) != CS_OK)
		return false;
	while ((err = cpg_iteration_next(it, &d)) == CS_OK)
		(*out)++;
	cpg_iteration_finalize(it);
	return err == CS_ERR_NO_SECTIONS;
}

static void collect_counts(struct syn_exp_conn *c, struct syn_exp_snapshot *s)
{
	s->have_cmap =
		count_keys(c->icmap, &s->cmap_keys) && count_keys(c->stats, &s->cmap_stats_keys);
	s->have_cpg = c->have_cpg && cpg_count(c->cpg, CPG_ITERATION_NAME_ONLY, &s->cpg_groups) &&
		      cpg_count(c->cpg, CPG_ITERATION_ALL, &s->cpg_members);
}

/* One pass over an open connection; false when the daemon went away. */
static bool collect_once(struct syn_exp_conn *c, struct syn_exp_snapshot *s)
{
	unsigned int local = 0;

	memset(s, 0, sizeof(*s));
	if (lost(corosync_cfg_local_get(c->cfg, &local)))
		return false;
	s->local_nodeid = local;
	if (!collect_view(c, s))
		return false;
	collect_nodelist(c, s);
	if (s->local_nodeid && node_add(s, s->local_nodeid))
		node_find(s, s->local_nodeid)->local = true;
	qsort(s->nodes, s->n_nodes, sizeof(s->nodes[0]), node_cmp);
	s->have_views = stats_u64(c, "stats.membership.views_installed", &s->views_installed);
	s->have_uptime = stats_u64(c, "stats.membership.uptime_ms", &s->uptime_ms);
	collect_quorum(c, s);
	collect_links(c, s);
	collect_services(c, s);
	collect_ipc(c, s);
	collect_counts(c, s);
	/* a daemon that died half-way answers the last read with an error too */
	if (lost(corosync_cfg_local_get(c->cfg, &local)))
		return false;
	s->up = true;
	return true;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int syn_exp_collect(struct syn_exp_conn *c, struct syn_exp_snapshot *s)
{
	double start = now_s();
	int rc = -ENOTCONN;

	for (int attempt = 0; attempt < 2; attempt++) {
		if (!c->open && conn_open(c) != 0)
			break;
		if (collect_once(c, s)) {
			rc = 0;
			break;
		}
		syn_exp_conn_fini(c);
	}
	if (rc != 0)
		memset(s, 0, sizeof(*s));
	s->collect_seconds = now_s() - start;
	return rc;
}
