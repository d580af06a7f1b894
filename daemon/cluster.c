/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cluster.c - the membership layer of the daemon (see cluster.h): host
 * glue around the node core (core/node.h).
 *
 * The node core owns the membership core, the event queue, the channel
 * mux and the service bus.  Here: its packets go to knet and come from
 * it; one loop timer follows the node's next deadline; a loop job hands
 * out what a send queued (the node's wake); the cluster's own node-core
 * service, first in the table, logs every view, publishes it to cmap and
 * runs the config version check.
 */
#include "cluster_int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <corosync/corotypes.h>
#include <qb/qblog.h>

#include "config.h"
#include "loop.h"
#include "service.h"

#define SYN_CLUSTER_MAX_SERVICES 8
#define SYN_CLUSTER_STATS_MS 1000
#define FIREWALL_KEY "stats.srp.firewall_enabled_or_nic_failure"

struct syn_cluster {
	struct syn_loop *loop;
	struct syn_store *icmap;
	const struct syn_node_addrs *node_addrs; /* the daemon's; its contents change on reload */
	struct syn_store *stats;
	struct syn_transport *transport;
	struct syn_node *node;
	uint32_t local;
	uint32_t send_queue_max;
	uint64_t started_us; /* monotonic; stats.membership.uptime_ms counts from here */
	/* the node's timer and wake-up (see "host timer" below) */
	struct syn_timer timer; /* at the node's next deadline */
	struct syn_job dispatch_job;
	struct syn_timer stats_timer;
	/* the registered services, for their shutdown and fini hooks */
	struct syn_service services[SYN_CLUSTER_MAX_SERVICES];
	size_t n_services;
	bool saw_others;
	bool fatal;
	struct syn_store_tracker *reload_tracker;
};

/* ---- host timer: one loop timer at the node's deadline, one job for its wake-ups ---- */

static void after_node(struct syn_cluster *cl);

static void on_timer(void *data)
{
	struct syn_cluster *cl = data;

	syn_node_timeout(cl->node, syn_loop_now_us(cl->loop));
	after_node(cl);
}

static void rearm(struct syn_cluster *cl)
{
	uint64_t deadline = syn_node_next_deadline(cl->node);

	if (deadline == SYN_MEM_NO_DEADLINE)
		syn_timer_cancel(&cl->timer);
	else
		syn_timer_arm_at(&cl->timer, deadline);
}

static void dispatch_job(void *data)
{
	after_node(data);
}

/* The node's wake: a send queued events; hand them out from the loop. */
static void node_wake(void *ctx)
{
	struct syn_cluster *cl = ctx;

	syn_job_schedule(&cl->dispatch_job);
}

static void host_timer_init(struct syn_cluster *cl)
{
	syn_timer_init(&cl->timer, cl->loop, QB_LOOP_HIGH, on_timer, cl);
	syn_job_init(&cl->dispatch_job, cl->loop, QB_LOOP_HIGH, dispatch_job, cl);
}

static void host_timer_stop(struct syn_cluster *cl)
{
	syn_timer_cancel(&cl->timer);
	syn_job_cancel(&cl->dispatch_job);
}

/* ---- the node core's environment ---------------------------------------- */

/* After every input to the node: hand out its events, then follow its deadline. */
static void after_node(struct syn_cluster *cl)
{
	syn_node_dispatch(cl->node, false);
	rearm(cl);
}

static void on_packet(void *ctx, uint32_t src, const void *pkt, size_t len)
{
	struct syn_cluster *cl = ctx;

	syn_node_receive(cl->node, syn_loop_update_now(cl->loop), src, pkt, len);
	after_node(cl);
}

static void node_send(void *ctx, uint32_t dest, const void *pkt, size_t len)
{
	struct syn_cluster *cl = ctx;

	syn_transport_send(cl->transport, dest, pkt, len);
}

/* The daemon's own "Members[n]" line is the one notice per view change. */
static void node_log(void *ctx, int level, const char *line)
{
	(void)ctx;
	qb_log(level < LOG_INFO ? (level <= LOG_WARNING ? level : LOG_INFO) : level, "%s", line);
}

/* ---- the cluster's own service: views to the log and cmap, config version ---- */

static void member_key(char *buf, size_t len, uint32_t id, const char *name)
{
	snprintf(buf, len, "runtime.members.%" PRIu32 ".%s", id, name);
}

static void member_joined(struct syn_cluster *cl, uint32_t id)
{
	char key[SYN_KEY_MAX + 1], ip[256];
	uint32_t count = 0;

	member_key(key, sizeof(key), id, "join_count");
	syn_store_get_u32(cl->icmap, key, &count);
	syn_store_set_u32(cl->icmap, key, count + 1);
	member_key(key, sizeof(key), id, "ip");
	if (!syn_store_exists(cl->icmap, key)) {
		syn_transport_member_ip(cl->transport, id, ip, sizeof(ip));
		syn_store_set_str(cl->icmap, key, ip);
	}
	member_key(key, sizeof(key), id, "config_version");
	if (!syn_store_exists(cl->icmap, key))
		syn_store_set_u64(cl->icmap, key, 0);
	member_key(key, sizeof(key), id, "status");
	syn_store_set_str(cl->icmap, key, "joined");
}

static void log_view(const struct syn_node_view *view)
{
	char line[2048];
	size_t off;

	off = (size_t)snprintf(line, sizeof(line), "Members[%zu]: ", view->n_members);
	for (size_t i = 0; i < view->n_members && off < sizeof(line); i++)
		off += (size_t)snprintf(line + off, sizeof(line) - off, "%s%" PRIu32, i ? " " : "",
					view->members[i]);
	if (off < sizeof(line))
		snprintf(line + off, sizeof(line) - off, " (ring %" PRIx32 ".%" PRIx64 ")",
			 view->ring_rep, view->ring_seq);
	qb_log(LOG_NOTICE, "%s", line);
}

static void publish_ring(struct syn_cluster *cl, const struct syn_node_view *view)
{
	char buf[2048];
	size_t off = 0;

	snprintf(buf, sizeof(buf), "%" PRIx32 ".%" PRIx64, view->ring_rep, view->ring_seq);
	syn_store_set_str(cl->icmap, "runtime.totem.ring_id", buf);
	buf[0] = '\0';
	for (size_t i = 0; i < view->n_members && off < sizeof(buf); i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%" PRIu32, i ? " " : "",
					view->members[i]);
	syn_store_set_str(cl->icmap, "runtime.totem.members", buf);
}

static void send_config_version(struct syn_cluster *cl)
{
	uint64_t version = 0;
	uint8_t body[SYN_NET_CONFIG_VERSION_LEN];

	syn_store_get_u64(cl->icmap, "totem.config_version", &version);
	syn_net_config_version_encode(body, version);
	syn_cluster_send(cl, SYN_CLUSTER_MSG_CONFIG_VERSION, body, sizeof(body));
}

/* First in the table: cmap shows the view before any other service sees it. */
static void on_view(void *ctx, const struct syn_node_view *view, const struct syn_node_view *prev)
{
	struct syn_cluster *cl = ctx;
	char key[SYN_KEY_MAX + 1];

	(void)prev;
	log_view(view);
	for (size_t i = 0; i < view->n_joined; i++)
		member_joined(cl, view->joined[i]);
	for (size_t i = 0; i < view->n_left; i++) {
		member_key(key, sizeof(key), view->left[i], "status");
		syn_store_set_str(cl->icmap, key, "left");
	}
	publish_ring(cl, view);
	if (view->n_joined > 0 && view->n_members > 1)
		send_config_version(cl);
}

/* corosync's config version check (config-and-keys.md section 7.3). */
static void on_config_version(void *ctx, uint32_t sender, const void *data, size_t len)
{
	struct syn_cluster *cl = ctx;
	uint64_t theirs, mine = 0;
	char key[SYN_KEY_MAX + 1];

	if (syn_net_config_version_decode(data, len, &theirs) != 0)
		return;
	member_key(key, sizeof(key), sender, "config_version");
	syn_store_set_u64(cl->icmap, key, theirs);
	if (sender == cl->local)
		return;
	syn_store_get_u64(cl->icmap, "totem.config_version", &mine);
	if (!cl->saw_others && mine != 0 && theirs != mine) {
		qb_log(LOG_ERR,
		       "Received config version (%" PRIu64 ") is different than my config "
		       "version (%" PRIu64 ")! Exiting",
		       theirs, mine);
		cl->fatal = true;
		syn_loop_stop(cl->loop);
	}
	cl->saw_others = true;
}

/* ---- the bus ------------------------------------------------------------------ */

void syn_cluster_flush(struct syn_cluster *cl)
{
	syn_node_dispatch(cl->node, true);
}

int syn_cluster_send(struct syn_cluster *cl, enum syn_cluster_msg_type type, const void *data,
		     size_t len)
{
	int rc;

	/*
	 * Bulk traffic (the broadcast load service) may fill only half of
	 * the send queue: the other half stays free for the services, whose
	 * few messages per view change (votequorum's node information, CMM)
	 * must never be refused because a load run is going.
	 */
	if (type == SYN_CLUSTER_MSG_BENCH) {
		struct syn_mem_stats st;

		syn_mem_get_stats(syn_node_mem(cl->node), &st);
		if (st.send_queue_len >= cl->send_queue_max / 2)
			return -EAGAIN;
	}
	/* Never delivers inside the sender's call: node_wake hands events out from a job. */
	rc = syn_node_send(cl->node, syn_loop_now_us(cl->loop), type, data, len);
	rearm(cl);
	return rc;
}

/* A value that grows with every start, even two starts in one second. */
static uint32_t boot_epoch(const struct syn_store *icmap)
{
	uint32_t epoch = (uint32_t)time(NULL), last = 0;
	char path[512], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/synod-boot-epoch", syn_config_state_dir(icmap));
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return epoch;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		last = (uint32_t)strtoul(buf, NULL, 10);
	}
	if (epoch <= last)
		epoch = last + 1;
	n = snprintf(buf, sizeof(buf), "%" PRIu32 "\n", epoch);
	if (pwrite(fd, buf, (size_t)n, 0) == n)
		(void)ftruncate(fd, n);
	close(fd);
	return epoch;
}

static void own_stats_write(struct syn_cluster *cl);
static void firewall_stat_read(struct syn_cluster *cl);

/*
 * Our own counters once a second, and the knet-backed keys that somebody
 * tracks (corosync polls tracked stats keys on a timer too).  Never every
 * link: that waits on knet's locks once per host and link, and at 64
 * nodes kept the loop from running for tens of seconds.
 */
static void stats_tick(void *data)
{
	struct syn_cluster *cl = data;

	own_stats_write(cl);
	syn_transport_stats_poll_watched(cl->transport);
	if (syn_store_watched(cl->stats, FIREWALL_KEY))
		firewall_stat_read(cl);
	syn_timer_arm_in(&cl->stats_timer, SYN_CLUSTER_STATS_MS * 1000);
}

/*
 * A finished, successful config reload may have added or removed nodes:
 * give knet the new nodelist (corosync adds and removes links the same
 * way).  The membership core needs nothing: it learns peers from packets,
 * and a removed member falls silent and leaves the view.
 */
static void on_reload(void *ctx, struct syn_store_tracker *tracker, int event, const char *key,
		      const struct syn_value *new_value, const struct syn_value *old_value)
{
	struct syn_cluster *cl = ctx;
	struct syn_transport_config *tc;
	struct syn_mem_config mc;
	struct syn_value st;
	int32_t status = CS_OK;
	char err[256];
	uint8_t busy;

	(void)tracker, (void)event, (void)key, (void)new_value, (void)old_value;
	if (syn_store_get_u8(cl->icmap, "config.totemconfig_reload_in_progress", &busy) != 0 ||
	    busy)
		return;
	if (syn_store_get(cl->icmap, "config.reload_status", &st) == 0 && st.len == 4)
		memcpy(&status, st.data, 4);
	if (status != CS_OK)
		return;
	tc = malloc(sizeof(*tc));
	if (!tc) {
		qb_log(LOG_ERR, "reload: no memory to update the links");
		return;
	}
	if (syn_cluster_config_read(cl->icmap, cl->node_addrs, tc, &mc, err, sizeof(err)) != 0 ||
	    syn_transport_set_nodes(cl->transport, tc->nodes, tc->n_nodes, err, sizeof(err)) != 0)
		qb_log(LOG_ERR, "reload: links not updated: %s", err);
	free(tc);
}

int syn_cluster_create(struct syn_loop *loop, struct syn_store *icmap,
		       const struct syn_node_addrs *node_addrs, struct syn_store *stats,
		       struct syn_cluster **out, char *err, size_t err_len)
{
	struct syn_cluster *cl = calloc(1, sizeof(*cl));
	struct syn_transport_config *tc = malloc(sizeof(*tc));
	struct syn_mem_config mc;
	struct syn_node_env env = {0};
	struct syn_node_service own = {.channel = SYN_CLUSTER_MSG_CONFIG_VERSION,
				       .ctx = cl,
				       .view_changed = on_view,
				       .deliver = on_config_version};
	int rc;

	if (!cl || !tc) {
		free(cl);
		free(tc);
		return -ENOMEM;
	}
	cl->loop = loop;
	host_timer_init(cl);
	syn_timer_init(&cl->stats_timer, loop, QB_LOOP_LOW, stats_tick, cl);
	cl->icmap = icmap;
	cl->node_addrs = node_addrs;
	cl->stats = stats;
	cl->started_us = syn_loop_update_now(loop);
	rc = syn_cluster_config_read(icmap, node_addrs, tc, &mc, err, err_len);
	if (rc == 0) {
		cl->local = tc->local_nodeid;
		rc = syn_transport_create(syn_loop_qb(loop), tc, stats, on_packet, cl,
					  &cl->transport, err, err_len);
	}
	free(tc);
	if (rc != 0)
		goto err_free;
	env.ctx = cl;
	env.send = node_send;
	env.log = node_log;
	env.wake = node_wake;
	cl->send_queue_max = mc.send_queue_max;
	rc = syn_node_create(&mc, &env, cl->local, boot_epoch(icmap), syn_loop_update_now(loop),
			     &cl->node);
	if (rc == 0)
		rc = syn_node_add_service(cl->node, &own);
	if (rc != 0) {
		snprintf(err, err_len, "Cannot start the membership protocol: %s", strerror(-rc));
		goto err_free;
	}
	qb_log(LOG_INFO, "membership: node %" PRIu32 ", failure timeout %" PRIu32 " ms", cl->local,
	       mc.fail_timeout_ms);
	rc = syn_store_track_add(icmap, "config.totemconfig_reload_in_progress",
				 SYN_TRACK_ADD | SYN_TRACK_MODIFY, on_reload, cl,
				 &cl->reload_tracker);
	if (rc != 0) {
		snprintf(err, err_len, "Cannot follow config reloads: %s", strerror(-rc));
		goto err_free;
	}
	after_node(cl);
	stats_tick(cl);
	*out = cl;
	return 0;
err_free:
	syn_cluster_destroy(cl);
	return rc;
}

void syn_cluster_destroy(struct syn_cluster *cl)
{
	if (!cl)
		return;
	for (size_t i = cl->n_services; i-- > 0;)
		if (cl->services[i].fini)
			cl->services[i].fini(cl->services[i].ctx);
	if (cl->reload_tracker)
		syn_store_track_delete(cl->icmap, cl->reload_tracker);
	host_timer_stop(cl);
	syn_timer_cancel(&cl->stats_timer);
	syn_node_destroy(cl->node);
	syn_transport_destroy(cl->transport);
	free(cl);
}

uint32_t syn_cluster_local_nodeid(const struct syn_cluster *cl)
{
	return cl->local;
}

void syn_cluster_get_view(const struct syn_cluster *cl, struct syn_node_view *out)
{
	syn_node_get_view(cl->node, out);
}

int syn_cluster_add_service(struct syn_cluster *cl, const struct syn_service *svc)
{
	struct syn_node_service bus = {.channel = svc->channel,
				       .ctx = svc->ctx,
				       .view_changed = svc->view_changed,
				       .deliver = svc->deliver,
				       .quorum_changed = svc->quorum_changed};
	int rc;

	if (cl->n_services == SYN_CLUSTER_MAX_SERVICES)
		return -ENOSPC;
	rc = syn_node_add_service(cl->node, &bus);
	if (rc != 0)
		return rc;
	cl->services[cl->n_services++] = *svc;
	return 0;
}

void syn_cluster_services_start(struct syn_cluster *cl)
{
	/* nothing was handed out before: the first view is still queued */
	syn_node_start_services(cl->node);
	after_node(cl);
}

void syn_cluster_quorum_report(struct syn_cluster *cl, bool quorate,
			       const struct syn_node_view *view)
{
	syn_node_quorum_report(cl->node, quorate, view);
}

void syn_cluster_services_shutdown(struct syn_cluster *cl)
{
	for (size_t i = 0; i < cl->n_services; i++)
		if (cl->services[i].shutdown)
			cl->services[i].shutdown(cl->services[i].ctx);
}

/*
 * corosync's stats.srp.* names, for tools that read them.  Counters with a
 * counterpart in synod's protocol carry it (docs/membership.md, "Stats");
 * the token-ring ones have none and stay 0.  corosync receives its own
 * broadcasts back and counts them, so a broadcast counts on both sides
 * here too: a lone node's counters move as a lone corosync's do.
 */
static void srp_stats_write_zero(struct syn_store *st)
{
	static const char *const no_counterpart_u64[] = {
		"token_hold_cancel_tx",
		"token_hold_cancel_rx",
		"operational_token_lost",
		"gather_token_lost",
		"commit_token_lost",
		"recovery_token_lost",
		"time_since_token_last_received",
	};
	static const char *const no_counterpart_u32[] = {
		"continuous_gather", "continuous_sendmsg_failures",
		"mtt_rx_token",	     "avg_token_workload",
		"avg_backlog_calc",
	};
	char key[64];

	for (size_t i = 0; i < sizeof(no_counterpart_u64) / sizeof(*no_counterpart_u64); i++) {
		snprintf(key, sizeof(key), "stats.srp.%s", no_counterpart_u64[i]);
		syn_store_set_u64(st, key, 0);
	}
	for (size_t i = 0; i < sizeof(no_counterpart_u32) / sizeof(*no_counterpart_u32); i++) {
		snprintf(key, sizeof(key), "stats.srp.%s", no_counterpart_u32[i]);
		syn_store_set_u32(st, key, 0);
	}
}

static void srp_stats_write(struct syn_store *st, const struct syn_mem_stats *s)
{
	srp_stats_write_zero(st);
	syn_store_set_u64(st, "stats.srp.orf_token_tx", s->heartbeats_sent + s->acks_sent);
	syn_store_set_u64(st, "stats.srp.orf_token_rx",
			  s->heartbeats_sent + s->heartbeats_received + s->acks_received);
	syn_store_set_u64(st, "stats.srp.memb_merge_detect_tx", s->heartbeats_sent);
	syn_store_set_u64(st, "stats.srp.memb_merge_detect_rx",
			  s->heartbeats_sent + s->heartbeats_received);
	syn_store_set_u64(st, "stats.srp.memb_join_tx", s->joins_sent);
	syn_store_set_u64(st, "stats.srp.memb_join_rx", s->joins_sent + s->joins_received);
	syn_store_set_u64(st, "stats.srp.memb_commit_token_tx", s->proposals);
	syn_store_set_u64(st, "stats.srp.memb_commit_token_rx", s->views_installed);
	syn_store_set_u64(st, "stats.srp.commit_entered", s->views_installed);
	syn_store_set_u64(st, "stats.srp.recovery_entered", s->views_installed);
	syn_store_set_u64(st, "stats.srp.operational_entered", s->views_installed);
	syn_store_set_u64(st, "stats.srp.gather_entered", s->gathers);
	syn_store_set_u64(st, "stats.srp.consensus_timeouts", s->consensus_timeouts);
	syn_store_set_u64(st, "stats.srp.mcast_tx", s->msgs_submitted);
	syn_store_set_u64(st, "stats.srp.mcast_rx", s->msgs_delivered);
	syn_store_set_u64(st, "stats.srp.mcast_retx", s->retransmits_sent);
	syn_store_set_u64(st, "stats.srp.rx_msg_dropped", s->pkts_dropped + s->pkts_garbled);
	/* asked of knet on read only (firewall_stat_read); here the key is made to exist */
	if (!syn_store_exists(st, FIREWALL_KEY))
		syn_store_set_u8(st, FIREWALL_KEY, 0);
}

/* corosync's test: no link of the local node (its loopback) is up. */
static void firewall_stat_read(struct syn_cluster *cl)
{
	syn_store_set_u8(cl->stats, FIREWALL_KEY,
			 !syn_transport_node_connected(cl->transport, cl->local));
}

/* Everything but knet's: no call here waits on another thread. */
static void own_stats_write(struct syn_cluster *cl)
{
	struct syn_mem_stats s;
	struct syn_store *st = cl->stats;

	syn_mem_get_stats(syn_node_mem(cl->node), &s);
	srp_stats_write(st, &s);
	syn_store_set_u32(st, "stats.pg.msg_queue_avail", cl->send_queue_max - s.send_queue_len);
	syn_store_set_u32(st, "stats.pg.msg_reserved", s.send_queue_len);
	/* all of synod's own counters */
	syn_store_set_u64(st, "stats.membership.pkts_sent", s.pkts_sent);
	syn_store_set_u64(st, "stats.membership.pkts_received", s.pkts_received);
	syn_store_set_u64(st, "stats.membership.pkts_garbled", s.pkts_garbled);
	syn_store_set_u64(st, "stats.membership.pkts_dropped", s.pkts_dropped);
	syn_store_set_u64(st, "stats.membership.views_installed", s.views_installed);
	syn_store_set_u64(st, "stats.membership.gathers", s.gathers);
	syn_store_set_u64(st, "stats.membership.proposals", s.proposals);
	syn_store_set_u64(st, "stats.membership.msgs_ordered", s.msgs_ordered);
	syn_store_set_u64(st, "stats.membership.nacks_sent", s.nacks_sent);
	syn_store_set_u64(st, "stats.membership.pauses_detected", s.pauses_detected);
	syn_store_set_u64(st, "stats.membership.joins_sent", s.joins_sent);
	syn_store_set_u64(st, "stats.membership.joins_received", s.joins_received);
	syn_store_set_u64(st, "stats.membership.heartbeats_sent", s.heartbeats_sent);
	syn_store_set_u64(st, "stats.membership.heartbeats_received", s.heartbeats_received);
	syn_store_set_u64(st, "stats.membership.acks_sent", s.acks_sent);
	syn_store_set_u64(st, "stats.membership.acks_received", s.acks_received);
	syn_store_set_u32(st, "stats.membership.send_queue_len", s.send_queue_len);
	syn_store_set_u32(st, "stats.membership.log_len", s.log_len);
	syn_store_set_u32(st, "stats.membership.state", s.state);
	syn_store_set_u64(st, "stats.membership.uptime_ms",
			  (syn_loop_now_us(cl->loop) - cl->started_us) / 1000);
	syn_transport_stats_write(cl->transport);
}

void syn_cluster_stats_refresh(struct syn_cluster *cl, const char *key)
{
	own_stats_write(cl);
	if (!key)
		return;
	if (strcmp(key, FIREWALL_KEY) == 0)
		firewall_stat_read(cl);
	else if (strncmp(key, "stats.knet.", 11) == 0)
		syn_transport_stats_read(cl->transport, key);
}

/* Values are asked of knet when read, so nothing to rewrite here. */
void syn_cluster_stats_clear_knet(struct syn_cluster *cl)
{
	syn_transport_stats_clear(cl->transport);
}

int syn_cluster_fatal(const struct syn_cluster *cl)
{
	return cl->fatal;
}

int syn_cluster_link_status(struct syn_cluster *cl, uint32_t nodeid, unsigned int link,
			    struct syn_link_status *out)
{
	return syn_transport_link_status(cl->transport, nodeid, link, out);
}
