/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * metrics.c - snapshot to metric families (see metrics.h).
 *
 * A ring (ha_cluster_corosync_rings) is one knet link number of the local
 * node.  It counts as faulty when the local end of that link is down, or
 * when the link is down towards a node that is still a member (so the
 * member is reached over another link): a link fault, as opposed to a
 * node that left, which shows in synod_members and synod_node_member.
 */
#include "metrics.h"

#include <inttypes.h>
#include <stdio.h>

#define ID_LEN 16

static void write_gauge(struct syn_exp_text *t, const char *name, const char *help, double v)
{
	syn_exp_text_family(t, name, SYN_EXP_GAUGE, help);
	syn_exp_text_sample(t, NULL, v);
}

static void write_counter(struct syn_exp_text *t, const char *name, const char *help, double v)
{
	syn_exp_text_family(t, name, SYN_EXP_COUNTER, help);
	syn_exp_text_sample(t, NULL, v);
}

static void id_str(char *buf, uint32_t id)
{
	snprintf(buf, ID_LEN, "%" PRIu32, id);
}

static void write_membership(const struct syn_exp_snapshot *s, struct syn_exp_text *t)
{
	char id[ID_LEN];

	if (s->have_uptime)
		write_gauge(t, "synod_uptime_seconds", "Time since the daemon started",
			    (double)s->uptime_ms / 1000.0);
	write_gauge(t, "synod_members", "Nodes in the current membership view",
		    (double)s->n_members);
	if (s->have_ring) {
		syn_exp_text_family(t, "synod_ring_sequence", SYN_EXP_GAUGE,
				    "Sequence number of the current view; ring_id is "
				    "representative.sequence in hex");
		syn_exp_text_sample(t, (const char *[]){"ring_id", s->ring_id, NULL},
				    (double)s->ring_seq);
	}
	if (s->have_views)
		write_counter(t, "synod_view_changes", "Membership views installed by this node",
			      (double)s->views_installed);
	syn_exp_text_family(t, "synod_node_member", SYN_EXP_GAUGE,
			    "1 when a configured node is in the current view, 0 otherwise");
	for (uint32_t i = 0; i < s->n_nodes; i++) {
		id_str(id, s->nodes[i].nodeid);
		syn_exp_text_sample(t,
				    (const char *[]){"node_id", id, "node", s->nodes[i].name, NULL},
				    s->nodes[i].member);
	}
}

static void write_quorum(const struct syn_exp_snapshot *s, struct syn_exp_text *t)
{
	char id[ID_LEN];

	if (s->have_quorate)
		write_gauge(t, "ha_cluster_corosync_quorate",
			    "Whether or not the cluster is quorate", s->quorate);
	if (!s->have_votes)
		return;
	syn_exp_text_family(t, "ha_cluster_corosync_quorum_votes", SYN_EXP_GAUGE,
			    "Cluster quorum votes; one line per type");
	syn_exp_text_sample(t, (const char *[]){"type", "expected_votes", NULL}, s->expected_votes);
	syn_exp_text_sample(t, (const char *[]){"type", "highest_expected", NULL},
			    s->highest_expected);
	syn_exp_text_sample(t, (const char *[]){"type", "total_votes", NULL}, s->total_votes);
	syn_exp_text_sample(t, (const char *[]){"type", "quorum", NULL}, s->quorum);
	syn_exp_text_family(
		t, "ha_cluster_corosync_member_votes", SYN_EXP_GAUGE,
		"How many votes each member node has contributed with to the current quorum");
	for (uint32_t i = 0; i < s->n_nodes; i++) {
		const struct syn_exp_node *n = &s->nodes[i];

		if (!n->member || !n->have_votes)
			continue;
		id_str(id, n->nodeid);
		syn_exp_text_sample(t,
				    (const char *[]){"node_id", id, "node", n->name, "local",
						     n->local ? "true" : "false", NULL},
				    n->votes);
	}
	if (s->qdevice_registered)
		syn_exp_text_sample(
			t,
			(const char *[]){"node_id", "0", "node", "Qdevice", "local", "false", NULL},
			s->qdevice_votes);
}

static const struct syn_exp_node *local_node(const struct syn_exp_snapshot *s)
{
	for (uint32_t i = 0; i < s->n_nodes; i++)
		if (s->nodes[i].local)
			return &s->nodes[i];
	return NULL;
}

static bool ring_faulty(const struct syn_exp_snapshot *s, const struct syn_exp_node *me, unsigned l)
{
	if (!me->links[l].connected)
		return true;
	for (uint32_t i = 0; i < s->n_nodes; i++) {
		const struct syn_exp_node *n = &s->nodes[i];

		if (n != me && n->member && n->have_links && n->links[l].enabled &&
		    !n->links[l].connected)
			return true;
	}
	return false;
}

static void write_rings(const struct syn_exp_snapshot *s, struct syn_exp_text *t)
{
	const struct syn_exp_node *me = local_node(s);
	char id[ID_LEN], number[ID_LEN];
	unsigned errors = 0;

	if (!me || !me->have_links)
		return;
	id_str(id, me->nodeid);
	syn_exp_text_family(t, "ha_cluster_corosync_rings", SYN_EXP_GAUGE,
			    "The status of each Corosync ring; 1 means healthy, 0 means faulty.");
	for (unsigned l = 0; l < SYN_EXP_MAX_LINKS; l++) {
		bool faulty;

		if (!me->links[l].enabled)
			continue;
		faulty = ring_faulty(s, me, l);
		errors += faulty;
		snprintf(number, sizeof(number), "%u", l);
		syn_exp_text_sample(t,
				    (const char *[]){"ring_id", s->ring_id, "node_id", id, "number",
						     number, "address", s->local_addr[l], NULL},
				    !faulty);
	}
	write_gauge(t, "ha_cluster_corosync_ring_errors",
		    "The total number of faulty corosync rings", errors);
}

/* One family over every enabled link of every node; value picks the figure. */
static void write_link_family(const struct syn_exp_snapshot *s, struct syn_exp_text *t,
			      const char *name, enum syn_exp_metric_type type, const char *help,
			      bool (*value)(const struct syn_exp_link *, double *))
{
	char id[ID_LEN], link[ID_LEN];
	bool opened = false;
	double v;

	for (uint32_t i = 0; i < s->n_nodes; i++) {
		const struct syn_exp_node *n = &s->nodes[i];

		if (!n->have_links)
			continue;
		id_str(id, n->nodeid);
		for (unsigned l = 0; l < SYN_EXP_MAX_LINKS; l++) {
			if (!n->links[l].enabled || !value(&n->links[l], &v))
				continue;
			if (!opened)
				syn_exp_text_family(t, name, type, help);
			opened = true;
			snprintf(link, sizeof(link), "%u", l);
			syn_exp_text_sample(t,
					    (const char *[]){"node_id", id, "node", n->name, "link",
							     link, NULL},
					    v);
		}
	}
}

static bool link_up(const struct syn_exp_link *l, double *v)
{
	*v = l->connected;
	return true;
}

static bool link_latency(const struct syn_exp_link *l, double *v)
{
	*v = l->latency_ave_us / 1e6;
	return l->have_latency;
}

static bool link_latency_max(const struct syn_exp_link *l, double *v)
{
	*v = l->latency_max_us / 1e6;
	return l->have_latency;
}

static bool link_downs(const struct syn_exp_link *l, double *v)
{
	*v = l->down_count;
	return l->have_down_count;
}

static void write_links(const struct syn_exp_snapshot *s, struct syn_exp_text *t)
{
	char id[ID_LEN];
	bool opened = false;

	for (uint32_t i = 0; i < s->n_nodes; i++) {
		if (!s->nodes[i].have_links)
			continue;
		if (!opened)
			syn_exp_text_family(t, "synod_node_reachable", SYN_EXP_GAUGE,
					    "1 when knet reaches the node over at least one link");
		opened = true;
		id_str(id, s->nodes[i].nodeid);
		syn_exp_text_sample(t,
				    (const char *[]){"node_id", id, "node", s->nodes[i].name, NULL},
				    s->nodes[i].reachable);
	}
	write_link_family(s, t, "synod_link_up", SYN_EXP_GAUGE,
			  "1 when the knet link to the node is connected, 0 when it is down",
			  link_up);
	write_link_family(s, t, "synod_link_latency_seconds", SYN_EXP_GAUGE,
			  "Average round trip of knet pings on the link", link_latency);
	write_link_family(s, t, "synod_link_latency_max_seconds", SYN_EXP_GAUGE,
			  "Longest round trip of knet pings on the link", link_latency_max);
	write_link_family(s, t, "synod_link_down_events", SYN_EXP_COUNTER,
			  "Times knet saw the link go down", link_downs);
}

static void write_services(const struct syn_exp_snapshot *s, struct syn_exp_text *t)
{
	char kind[ID_LEN];

	syn_exp_text_family(t, "synod_ipc_service_connections", SYN_EXP_GAUGE,
			    "Open client connections per IPC service (this exporter's included)");
	for (uint32_t i = 0; i < s->n_services; i++)
		syn_exp_text_sample(t, (const char *[]){"service", s->services[i].name, NULL},
				    s->services[i].connections);
	syn_exp_text_family(t, "synod_ipc_service_overloads", SYN_EXP_COUNTER,
			    "Overload events of the open connections per IPC service");
	for (uint32_t i = 0; i < s->n_services; i++)
		syn_exp_text_sample(t, (const char *[]){"service", s->services[i].name, NULL},
				    (double)s->services[i].overloads);
	syn_exp_text_family(t, "synod_service_messages", SYN_EXP_COUNTER,
			    "Cluster messages of each kind a service sent (tx) and received (rx)");
	for (uint32_t i = 0; i < s->n_services; i++) {
		const struct syn_exp_service *svc = &s->services[i];

		for (uint32_t k = 0; k < svc->n_message_kinds; k++) {
			snprintf(kind, sizeof(kind), "%" PRIu32, k);
			syn_exp_text_sample(t,
					    (const char *[]){"service", svc->name, "kind", kind,
							     "direction", "rx", NULL},
					    (double)svc->rx[k]);
			syn_exp_text_sample(t,
					    (const char *[]){"service", svc->name, "kind", kind,
							     "direction", "tx", NULL},
					    (double)svc->tx[k]);
		}
	}
}

static void write_ipc(const struct syn_exp_snapshot *s, struct syn_exp_text *t)
{
	if (!s->have_ipc)
		return;
	write_gauge(t, "synod_ipc_connections", "Open IPC client connections",
		    (double)s->ipc_active);
	write_counter(t, "synod_ipc_connections_closed", "IPC client connections closed",
		      (double)s->ipc_closed);
	write_counter(t, "synod_ipc_overload_disconnects",
		      "IPC clients disconnected because their event queue overflowed",
		      (double)s->ipc_overload_disconnects);
	write_gauge(t, "synod_ipc_queued_bytes", "Bytes queued for IPC clients, all together",
		    (double)s->ipc_queued_bytes);
	write_services(s, t);
}

static void write_counts(const struct syn_exp_snapshot *s, struct syn_exp_text *t)
{
	if (s->have_cmap) {
		syn_exp_text_family(t, "synod_cmap_keys", SYN_EXP_GAUGE,
				    "Keys in each cmap map (icmap: configuration and runtime)");
		syn_exp_text_sample(t, (const char *[]){"map", "icmap", NULL},
				    (double)s->cmap_keys);
		syn_exp_text_sample(t, (const char *[]){"map", "stats", NULL},
				    (double)s->cmap_stats_keys);
	}
	if (s->have_cpg) {
		write_gauge(t, "synod_cpg_groups", "Closed process groups in the cluster",
			    s->cpg_groups);
		write_gauge(t, "synod_cpg_members",
			    "Processes joined to closed process groups, all groups and nodes",
			    s->cpg_members);
	}
}

void syn_exp_metrics_write(const struct syn_exp_snapshot *s, struct syn_exp_text *t)
{
	write_gauge(t, "synod_up", "1 when the synod daemon answered this scrape, 0 otherwise",
		    s->up);
	write_gauge(t, "synod_exporter_collect_seconds",
		    "Time this scrape spent reading the daemon", s->collect_seconds);
	if (!s->up)
		return;
	write_membership(s, t);
	write_quorum(s, t);
	write_rings(s, t);
	write_links(s, t);
	write_ipc(s, t);
	write_counts(s, t);
}
