/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * quorum_node.c - the votequorum service of every simulated node, coupled
 * to the node's membership core the way the daemon couples them
 * (daemon/svc_votequorum.c on daemon/cluster.c's service bus), through
 * the same helper (core/quorum_drive.h), on the same node core
 * (core/node.h):
 *
 *  - it is a service on the node's bus, on the daemon's channel
 *    SYN_CLUSTER_MSG_VOTEQUORUM: a view starts the quorum's
 *    synchronisation and settles it, a quorum message is delivered; the
 *    drive's flush is the node's up_to_view dispatch, as the daemon's;
 *  - the quorum's messages go out whole, in proto/net_quorum.h's
 *    encoding, with syn_node_send();
 *  - its verdicts go to the node's services through the node's quorum
 *    relay, as svc_votequorum.c reports them;
 *  - what the quorum sends while it is being created (its start-up
 *    NODEINFO) is submitted like everything else: the membership orders
 *    it in the node's first view, as the daemon's cluster layer does (and
 *    corosync's totem does with votequorum's start-up message);
 *  - one timer per node at syn_quorum_next_deadline(), in milliseconds of
 *    the node's own skewed clock.
 *
 * With a quorum device (quorum_device.c) every node runs a device client
 * fed by the node list notifications and polling the core.
 *
 * It also draws the run's option combination from the seed, and plays
 * the part of the operator where an option needs one: with
 * allow_downscale some crashes are clean shutdowns announced first.
 */
#include "sim_int.h"

#include <stdlib.h>
#include <string.h>

#include "proto/net_quorum.h"

enum {
	QM_VOTES,
	QM_WEIGHTED,
	QM_WFA,
	QM_ATB_LOWEST,
	QM_ATB_HIGHEST,
	QM_ATB_LIST,
	QM_LMS_WFA,
	QM_LMS,
	QM_DOWNSCALE,
	QM_EVT,
	QM_TWO_NODE,
	QM_COUNT,
	QM_DEVICE = QM_COUNT /* chosen on request only: the draw stays as it was */
};
_Static_assert(QM_DEVICE == SIM_QUORUM_DEVICE, "device mode");

static const char *const mode_names[QM_COUNT + 1] = {
	"votes",	   "weighted",	  "wait_for_all",     "atb-lowest",
	"atb-highest",	   "atb-list",	  "lms+wait_for_all", "lms",
	"allow_downscale", "ev_tracking", "two_node",	      "device-ffsplit"};

/* splitmix64: the options get their own stream so the network's is the same as without them. */
static uint64_t qrand(struct sim_world *w)
{
	uint64_t z = (w->qrng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t qrange(struct sim_world *w, uint32_t lo, uint32_t hi)
{
	return lo + (uint32_t)(qrand(w) % (hi - lo + 1));
}

static void random_votes(struct sim_world *w, struct sim_qcfg *c)
{
	uint32_t sum = 0;

	for (uint32_t i = 1; i <= w->n; i++) {
		c->votes[i] = qrange(w, 0, 3);
		sum += c->votes[i];
	}
	if (sum == 0)
		c->votes[qrange(w, 1, w->n)] = 1;
}

/* expected_votes unset, or at least the sum of the votes: the safe settings. */
static void random_expected(struct sim_world *w, struct sim_qcfg *c)
{
	uint32_t sum = 0;

	for (uint32_t i = 1; i <= w->n; i++)
		sum += c->votes[i];
	if (qrange(w, 0, 2) == 0)
		c->expected_votes = sum + qrange(w, 0, 2);
}

static void atb_list(struct sim_world *w, struct sim_qcfg *c)
{
	uint32_t ids[SIM_MAX_NODES], k = qrange(w, 1, w->n);
	size_t o = 0;

	for (uint32_t i = 0; i < w->n; i++)
		ids[i] = i + 1;
	for (uint32_t i = w->n - 1; i > 0; i--) {
		uint32_t j = qrange(w, 0, i), t = ids[i];
		ids[i] = ids[j];
		ids[j] = t;
	}
	for (uint32_t i = 0; i < k && o + 4 < sizeof(c->atb_node); i++)
		o += (size_t)snprintf(c->atb_node + o, sizeof(c->atb_node) - o, "%s%u",
				      i ? " " : "", ids[i]);
}

void sim_quorum_choose(struct sim_world *w, uint64_t seed, int mode)
{
	struct sim_qcfg *c = &w->qcfg;

	memset(c, 0, sizeof(*c));
	w->qrng = seed ^ 0x51a7e0f0c0ffee11ull;
	if (mode < 0)
		mode = (int)(seed % QM_COUNT);
	c->name = mode_names[mode];
	for (uint32_t i = 1; i <= SIM_MAX_NODES; i++)
		c->votes[i] = 1;
	c->partitions = true;
	c->check_split = c->check_agree = c->check_live = true;
	switch (mode) {
	case QM_WEIGHTED:
	case QM_EVT:
		random_votes(w, c);
		random_expected(w, c);
		c->evt = mode == QM_EVT;
		break;
	case QM_WFA:
		c->wfa_set = c->wfa = true;
		if (qrange(w, 0, 1))
			random_votes(w, c);
		random_expected(w, c);
		break;
	case QM_ATB_LOWEST:
	case QM_ATB_HIGHEST:
	case QM_ATB_LIST:
		c->atb = true;
		c->cut_when_settled = true;
		/* an odd nodelist needs wait_for_all, or the core turns ATB off */
		c->wfa_set = true;
		c->wfa = w->n % 2 == 1 || qrange(w, 0, 1);
		/*
		 * No promise with an odd nodelist (a "half" is a minority) nor with
		 * a list (its guard looks one view back): docs/quorum.md.
		 */
		c->check_split = w->n % 2 == 0 && mode != QM_ATB_LIST;
		if (mode == QM_ATB_HIGHEST)
			snprintf(c->atb_node, sizeof(c->atb_node), "highest");
		else if (mode == QM_ATB_LIST)
			atb_list(w, c);
		else if (qrange(w, 0, 1))
			snprintf(c->atb_node, sizeof(c->atb_node), "lowest");
		break;
	case QM_LMS_WFA:
	case QM_LMS:
		c->lms = true;
		c->lms_window_ms = qrange(w, 2, 20) * 100;
		c->partitions = false;
		c->wfa_set = true;
		c->wfa = mode == QM_LMS_WFA;
		c->atb = w->n % 2 == 0 && qrange(w, 0, 1);
		/*
		 * A node paused past the failure timeout comes back with its old
		 * state, as across a healed cut, and with the tie-breaker that
		 * splits quorum (docs/quorum.md): the promise is for nodes that
		 * come back only by restarting.
		 */
		c->short_pauses = c->atb;
		/* without wait_for_all restarted nodes may outvote the survivors */
		c->check_split = c->wfa;
		break;
	case QM_DOWNSCALE:
		c->ad = true;
		c->partitions = false; /* nodes that left must not come back cut off */
		if (qrange(w, 0, 1))
			c->expected_votes = qrange(w, 1, w->n);
		c->wfa_set = true;
		c->wfa = qrange(w, 0, 1);
		c->check_split = c->wfa; /* as for last_man_standing */
		break;
	case QM_DEVICE:
		c->device = true; /* votes 1 each, the device's n - 1 */
		break;
	case QM_TWO_NODE:
		w->n = 2;
		c->two_node = true;
		c->check_split = false; /* both halves keep quorum by design */
		c->check_two_node = true;
		break;
	default:
		break;
	}
}

void sim_quorum_describe(const struct sim_qcfg *c, uint32_t n, char *buf, size_t len)
{
	size_t o = (size_t)snprintf(buf, len, "quorum %s: votes", c->name);

	for (uint32_t i = 1; i <= n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%u", i > 1 ? "," : " ", c->votes[i]);
	if (c->expected_votes && o < len)
		o += (size_t)snprintf(buf + o, len - o, " expected_votes %u", c->expected_votes);
	if (c->wfa_set && o < len)
		o += (size_t)snprintf(buf + o, len - o, " wait_for_all %d", c->wfa);
	if (c->two_node && o < len)
		o += (size_t)snprintf(buf + o, len - o, " two_node");
	if (c->lms && o < len)
		o += (size_t)snprintf(buf + o, len - o, " lms window %u ms", c->lms_window_ms);
	if (c->atb && o < len)
		o += (size_t)snprintf(buf + o, len - o, " atb %s",
				      c->atb_node[0] ? c->atb_node : "lowest");
	if (c->ad && o < len)
		o += (size_t)snprintf(buf + o, len - o, " allow_downscale");
	if (c->evt && o < len)
		o += (size_t)snprintf(buf + o, len - o, " ev_tracking");
	if (c->device && o < len)
		snprintf(buf + o, len - o, " device (ffsplit arbiter)");
}

/* ---- the node's bus ---------------------------------------------------- */

static uint64_t now_ms(const struct sim_node *nd)
{
	return sim_local_now(nd) / 1000;
}

/*
 * The daemon's order: a view is handed to the service and settled at
 * once; a delivery is handed over without settling (svc_votequorum.c's
 * on_deliver), which matters only to a device wait, not simulated.
 */
static void on_view(void *ctx, const struct syn_node_view *view, const struct syn_node_view *prev)
{
	struct sim_node *nd = ctx;
	struct syn_quorum_ring ring = {view->ring_rep, view->ring_seq};

	(void)prev;
	if (nd->q == NULL)
		return;
	nd->w->q_dirty = true;
	if (syn_quorum_drive_view(&nd->qd, ring, view->members, view->n_members, now_ms(nd)) == 0) {
		nd->saw_all |= view->n_members == nd->w->n;
		syn_quorum_drive_settle(&nd->qd);
	}
}

static void on_deliver(void *ctx, uint32_t sender, const void *msg, size_t len)
{
	struct sim_node *nd = ctx;

	if (nd->q == NULL)
		return;
	nd->w->q_dirty = true;
	if (syn_quorum_drive_deliver(&nd->qd, sender, msg, len) != 0)
		sim_fail(nd->w, "Q0: n%u: quorum message from n%u refused", nd->id, sender);
	nd->w->r->q_delivered++;
}

static void flush_node(void *ctx)
{
	struct sim_node *nd = ctx;

	syn_node_dispatch(nd->node, true);
}

/* ---- the quorum core's environment ------------------------------------ */

static void q_send(void *ctx, const struct syn_quorum_msg *msg)
{
	struct sim_node *nd = ctx;
	struct sim_world *w = nd->w;
	uint8_t buf[SYN_NET_QUORUM_LEN];
	int rc;

	syn_net_quorum_encode(msg, buf);
	rc = syn_node_send(nd->node, sim_local_now(nd), SYN_CLUSTER_MSG_VOTEQUORUM, buf,
			   sizeof(buf));
	if (rc != 0)
		sim_fail(w, "Q0: n%u could not submit a quorum message: %d", nd->id, rc);
}

static void q_event(void *ctx, const struct syn_quorum_event *ev)
{
	struct sim_node *nd = ctx;
	struct syn_node_view view;

	if (ev->type == SYN_QUORUM_EV_QUORUM && !ev->refresh) {
		view = (struct syn_node_view){.ring_seq = ev->ring.seq,
					      .ring_rep = ev->ring.nodeid,
					      .members = ev->members,
					      .n_members = ev->n_members};
		syn_node_quorum_report(nd->node, ev->quorate, &view);
	}
	if (ev->type == SYN_QUORUM_EV_EVT_BARRIER)
		nd->evt_barrier = ev->value;
	if (ev->type == SYN_QUORUM_EV_NODELIST && nd->w->qcfg.device)
		sim_device_nodelist(nd, ev->ring);
}

static void q_log(void *ctx, int level, const char *text)
{
	struct sim_node *nd = ctx;

	if (level <= 5)
		sim_trace(nd->w, "n%u Q %s", nd->id, text);
}

/* ---- driving ------------------------------------------------------------ */

static void arm_qtimer(struct sim_node *nd)
{
	uint64_t d = nd->q ? syn_quorum_next_deadline(nd->q) : SYN_QUORUM_NO_DEADLINE;
	uint64_t t = d == SYN_QUORUM_NO_DEADLINE ? SIM_NEVER : sim_global_at(nd, d * 1000);

	if (t == nd->qtimer_at)
		return;
	nd->qtimer_at = t;
	nd->qtimer_gen++;
	if (t != SIM_NEVER)
		sim_schedule(nd->w, t, SIM_EV_QTIMER, nd->id, nd->qtimer_gen);
}

void sim_quorum_timer(struct sim_node *nd, uint64_t gen)
{
	if (gen != nd->qtimer_gen || nd->q == NULL)
		return;
	nd->qtimer_at = SIM_NEVER;
	nd->w->q_dirty = true;
	syn_quorum_tick(nd->q, now_ms(nd));
	syn_quorum_drive_settle(&nd->qd);
}

static void node_config(const struct sim_node *nd, struct syn_quorum_config *cfg,
			struct syn_quorum_node_cfg *nodes)
{
	const struct sim_world *w = nd->w;
	const struct sim_qcfg *c = &w->qcfg;

	memset(cfg, 0, sizeof(*cfg));
	for (uint32_t i = 1; i <= w->n; i++)
		nodes[i - 1] = (struct syn_quorum_node_cfg){i, c->votes[i]};
	cfg->local_nodeid = nd->id;
	cfg->expected_votes = c->expected_votes;
	cfg->votes = 1;
	cfg->have_nodelist = true;
	cfg->n_nodes = w->n;
	cfg->nodes = nodes;
	cfg->two_node = c->two_node;
	cfg->wait_for_all_set = c->wfa_set;
	cfg->wait_for_all = c->wfa;
	cfg->last_man_standing = c->lms;
	cfg->lms_window_ms = c->lms_window_ms;
	cfg->auto_tie_breaker = c->atb;
	cfg->auto_tie_breaker_node = c->atb_node[0] ? c->atb_node : NULL;
	cfg->allow_downscale = c->ad;
	cfg->ev_tracking = c->evt;
	cfg->evt_barrier = nd->evt_barrier;
	cfg->have_device = c->device;
	cfg->device_timeout_ms = 10000;
	cfg->device_sync_timeout_ms = 30000;
}

static int quorum_start(struct sim_node *nd)
{
	struct syn_quorum_env env = {.ctx = nd, .send = q_send, .event = q_event, .log = q_log};
	struct syn_node_service bus = {.channel = SYN_CLUSTER_MSG_VOTEQUORUM,
				       .ctx = nd,
				       .view_changed = on_view,
				       .deliver = on_deliver};
	struct syn_quorum_node_cfg nodes[SIM_MAX_NODES];
	struct syn_quorum_config cfg;
	char reason[256];
	int rc;

	node_config(nd, &cfg, nodes);
	nd->saw_all = false;
	nd->q_quorate = false;
	rc = syn_quorum_create(&cfg, &env, &nd->q, reason, sizeof(reason));
	if (rc != 0) {
		nd->q = NULL;
		sim_fail(nd->w, "n%u: quorum configuration refused: %s", nd->id, reason);
		return rc;
	}
	rc = syn_node_add_service(nd->node, &bus);
	if (rc != 0) {
		sim_fail(nd->w, "n%u: the quorum service cannot join the bus: %d", nd->id, rc);
		return rc;
	}
	syn_quorum_drive_init(&nd->qd, nd->q, flush_node, nd);
	if (nd->w->qcfg.device && sim_device_start(nd) != 0)
		sim_fail(nd->w, "n%u: device registration refused", nd->id);
	syn_quorum_drive_settle(&nd->qd);
	nd->w->q_dirty = true;
	return 0;
}

static void quorum_stop(struct sim_node *nd)
{
	if (nd->w->qcfg.device)
		sim_device_stop(nd);
	syn_quorum_destroy(nd->q);
	nd->q = NULL;
	nd->w->q_dirty = true;
	nd->qtimer_gen++;
	nd->qtimer_at = SIM_NEVER;
}

/* A clean shutdown with allow_downscale: announce LEAVING; the caller stops the node soon. */
bool sim_quorum_leave(struct sim_node *nd)
{
	if (nd->q == NULL || !nd->w->qcfg.ad)
		return false;
	sim_trace(nd->w, "n%u LEAVE", nd->id);
	nd->w->q_dirty = true;
	syn_quorum_leave(nd->q);
	syn_quorum_drive_settle(&nd->qd);
	return true;
}

/* After every input to the node: the checker looks again, the timer follows the core. */
static void quorum_after(struct sim_node *nd)
{
	if (nd->q)
		nd->w->q_dirty = true;
	arm_qtimer(nd);
}

static bool quorum_wanted(const struct sim_world *w)
{
	(void)w;
	return true;
}

const struct sim_service sim_quorum_service = {
	.name = "votequorum",
	.wanted = quorum_wanted,
	.start = quorum_start,
	.stop = quorum_stop,
	.after = quorum_after,
};
