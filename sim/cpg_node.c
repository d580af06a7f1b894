/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cpg_node.c - the CPG service of every simulated node and the processes
 * using it, coupled to the node's membership core the way the daemon
 * couples them (daemon/svc_cpg.c on daemon/cluster.c), on the same node
 * core (core/node.h):
 *
 *  - it is a service on the node's bus, on the daemon's channel
 *    SYN_CLUSTER_MSG_CPG: views and CPG messages go into
 *    core/cpg_groups.c in the agreed order, and the node's place
 *    accessor tells the checker where each one stands in it;
 *  - a view's JOINLIST goes out first; process messages wait in a send
 *    queue while the groups sync and go out in order afterwards, as the
 *    daemon's flush() sends them; the application leaves a quarter of
 *    the membership send queue to the quorum service;
 *  - CONFCHG and DELIVER events reach the local processes the daemon
 *    would route them to: those whose join completed (their own JOIN
 *    CONFCHG) and that have not seen their own leave;
 *  - each node runs SIM_CPG_PROCS processes; driven from the seed they
 *    join one of SIM_CPG_GROUPS groups, send numbered messages, leave,
 *    exit (the daemon's PROCDOWN leave) and crash with their node.  A
 *    process while its connection is gated (sync, queued messages) waits,
 *    as a client retries on CS_ERR_TRY_AGAIN.
 *
 * What the processes see is checked in cpg_check.c as it happens.
 */
#include "sim_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CPG_PAYLOAD 12 /* pid, then the sender's message number */

static const struct syn_mem_ring_id no_ring;

static void group_name(uint32_t g, struct syn_cpg_name *name)
{
	memset(name, 0, sizeof(*name));
	name->len = 2;
	name->value[0] = 'g';
	name->value[1] = (uint8_t)('0' + g);
}

/* The group's index, or SIM_CPG_GROUPS for a name no process uses. */
static uint32_t group_index(const struct syn_cpg_name *name)
{
	if (name->len != 2 || name->value[0] != 'g' || name->value[1] < '0' ||
	    name->value[1] >= '0' + SIM_CPG_GROUPS)
		return SIM_CPG_GROUPS;
	return (uint32_t)(name->value[1] - '0');
}

static uint32_t new_pid(struct sim_node *nd)
{
	return (nd->epoch << 12) | (++nd->c_spawn & 0xfff);
}

static bool receives(const struct sim_cproc *p, uint32_t g)
{
	return (p->state == SIM_CP_JOIN_COMPLETED || p->state == SIM_CP_LEAVE_STARTED) &&
	       p->group == g;
}

static bool has_member(const struct syn_cpg_member *m, size_t n, uint32_t nodeid, uint32_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].nodeid == nodeid && m[i].pid == pid)
			return true;
	return false;
}

/* ---- the CPG core's environment ----------------------------------------- */

static void conf_enter(struct sim_node *nd, struct sim_cproc *p, uint64_t key,
		       const struct syn_cpg_member *members, size_t n)
{
	(void)nd;
	p->have_conf = true;
	p->conf_key = key;
	p->n_in = 0;
	p->h_in = sim_cpg_hash(0, NULL, 0);
	p->n_conf = n < SIM_CPG_MAX_MEMBERS ? n : SIM_CPG_MAX_MEMBERS;
	memcpy(p->conf, members, p->n_conf * sizeof(*members));
}

static void c_confchg(void *ctx, const struct syn_cpg_name *group,
		      const struct syn_cpg_member *members, size_t n_members,
		      const struct syn_cpg_member *left, size_t n_left,
		      const struct syn_cpg_member *joined, size_t n_joined)
{
	struct sim_node *nd = ctx;
	struct sim_world *w = nd->w;
	uint32_t g = group_index(group);
	uint64_t key;

	if (g == SIM_CPG_GROUPS) {
		sim_fail(w, "CPG: n%u got a CONFCHG of a group no process joined", nd->id);
		return;
	}
	key = sim_cpg_conf_key(nd, g, members, n_members);
	/* The joiner's own PROCJOIN completes its join before it gets the event. */
	for (size_t i = 0; i < n_joined; i++) {
		if (joined[i].nodeid != nd->id || joined[i].reason != SYN_CPG_REASON_JOIN)
			continue;
		for (size_t k = 0; k < SIM_CPG_PROCS; k++) {
			struct sim_cproc *p = &nd->cproc[k];
			if (p->state == SIM_CP_JOIN_STARTED && p->pid == joined[i].pid &&
			    p->group == g)
				p->state = SIM_CP_JOIN_COMPLETED;
		}
	}
	for (size_t k = 0; k < SIM_CPG_PROCS; k++) {
		struct sim_cproc *p = &nd->cproc[k];
		bool in = has_member(members, n_members, nd->id, p->pid);

		if (!receives(p, g))
			continue;
		w->r->c_confchgs++;
		if (!p->have_conf) {
			if (!in || !has_member(joined, n_joined, nd->id, p->pid))
				sim_fail(w, "D: n%u pid %u: first event of g%u is not its own join",
					 nd->id, p->pid, g);
		} else {
			sim_cpg_check_transition(nd, p, key);
		}
		if (p->state == SIM_CP_LEAVE_STARTED && has_member(left, n_left, nd->id, p->pid)) {
			if (in)
				sim_fail(w, "D: n%u pid %u still a member of g%u after its leave",
					 nd->id, p->pid, g);
			p->state = SIM_CP_UNJOINED;
			p->have_conf = false;
			continue;
		}
		if (!in) {
			sim_fail(w, "D: n%u pid %u dropped from g%u without leaving", nd->id,
				 p->pid, g);
			continue;
		}
		conf_enter(nd, p, key, members, n_members);
	}
}

static void c_deliver(void *ctx, const struct syn_cpg_delivery *d)
{
	struct sim_node *nd = ctx;
	struct sim_world *w = nd->w;
	uint32_t g = group_index(d->group);
	const uint8_t *b = d->data;
	uint8_t rec[4 + CPG_PAYLOAD];

	if (g == SIM_CPG_GROUPS || d->partial || d->fraglen != CPG_PAYLOAD ||
	    (uint32_t)(b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24) != d->pid) {
		sim_fail(w, "CPG: n%u delivered a malformed message from n%u", nd->id, d->nodeid);
		return;
	}
	for (int i = 0; i < 4; i++)
		rec[i] = (uint8_t)(d->nodeid >> (8 * i));
	memcpy(rec + 4, b, CPG_PAYLOAD);
	for (size_t k = 0; k < SIM_CPG_PROCS; k++) {
		struct sim_cproc *p = &nd->cproc[k];

		if (!receives(p, g))
			continue;
		if (!p->have_conf) {
			sim_fail(w, "D: n%u pid %u got a message of g%u before its own join",
				 nd->id, p->pid, g);
			return;
		}
		if (!has_member(p->conf, p->n_conf, d->nodeid, d->pid)) {
			sim_fail(w,
				 "C: n%u pid %u got a message of g%u from n%u pid %u, not in its "
				 "configuration",
				 nd->id, p->pid, g, d->nodeid, d->pid);
			return;
		}
		p->h_in = sim_cpg_hash(p->h_in, rec, sizeof(rec));
		p->n_in++;
		w->r->c_delivered++;
	}
}

static void c_activated(void *ctx, uint64_t ring_seq, uint32_t ring_rep, const uint32_t *members,
			size_t n_members)
{
	struct sim_node *nd = ctx;

	(void)members;
	sim_trace(nd->w, "n%u CPG synced ring %llu/%u, %zu nodes", nd->id,
		  (unsigned long long)ring_seq, ring_rep, n_members);
	nd->w->r->c_activated++;
	sim_cpg_check_activated(nd, ring_seq, ring_rep);
}

/* ---- sending ------------------------------------------------------------ */

static int c_submit(struct sim_node *nd, const void *data, size_t len)
{
	return syn_node_send(nd->node, sim_local_now(nd), SYN_CLUSTER_MSG_CPG, data, len);
}

/* Send what may go now; keep the rest, in order, for later (the daemon's flush()). */
static void flush(struct sim_node *nd)
{
	struct sim_world *w = nd->w;
	struct syn_mem_stats st;
	int rc;

	if (nd->node == NULL || nd->cpg == NULL)
		return;
	if (nd->c_joinlist) {
		rc = c_submit(nd, nd->c_joinlist, nd->c_joinlist_len);
		if (rc == 0)
			nd->c_joinlist = NULL;
		else if (rc != -EAGAIN)
			sim_fail(w, "CPG: n%u cannot send its JOINLIST: %d", nd->id, rc);
	}
	while (!nd->c_joinlist && nd->c_out && !syn_cpg_syncing(nd->cpg)) {
		struct sim_cout *o = nd->c_out;

		sim_node_stats(nd, &st);
		if (st.send_queue_len >= w->cfg.send_queue_max * 3 / 4)
			break;
		rc = c_submit(nd, o->data, o->len);
		if (rc == -EAGAIN)
			break;
		if (rc != 0)
			sim_fail(w, "CPG: n%u cannot send: %d", nd->id, rc);
		nd->c_out = o->next;
		if (nd->c_out == NULL)
			nd->c_out_tail = &nd->c_out;
		free(o);
	}
}

static void c_send(struct sim_node *nd, const uint8_t *msg, size_t len)
{
	struct sim_cout *o = malloc(sizeof(*o) + len);

	if (o == NULL || len == 0)
		abort();
	o->next = NULL;
	o->len = len;
	memcpy(o->data, msg, len);
	*nd->c_out_tail = o;
	nd->c_out_tail = &o->next;
	flush(nd);
}

static void send_proc(struct sim_node *nd, enum syn_cpg_msg_kind kind, uint32_t g, uint32_t pid,
		      uint32_t reason)
{
	struct syn_cpg_name name;
	uint8_t buf[256];

	group_name(g, &name);
	c_send(nd, buf, syn_cpg_encode_proc(buf, sizeof(buf), kind, &name, pid, reason));
}

static void send_mcast(struct sim_node *nd, struct sim_cproc *p)
{
	struct syn_cpg_name name;
	uint8_t payload[CPG_PAYLOAD], buf[256];
	uint64_t c = ++p->sent;

	group_name(p->group, &name);
	for (int i = 0; i < 4; i++)
		payload[i] = (uint8_t)(p->pid >> (8 * i));
	for (int i = 0; i < 8; i++)
		payload[4 + i] = (uint8_t)(c >> (8 * i));
	c_send(nd, buf,
	       syn_cpg_encode_mcast(buf, sizeof(buf), &name, p->pid, payload, sizeof(payload)));
}

/* ---- the node's bus --------------------------------------------------------- */

/* Where the event being handled stands in the agreed order, for the checker. */
static bool take_place(struct sim_node *nd)
{
	struct syn_node_place place;

	if (syn_node_get_place(nd->node, &place) != 0) {
		sim_fail(nd->w, "CPG: n%u handled an event with no place in the order", nd->id);
		return false;
	}
	nd->c_ring = place.ring;
	nd->c_prev = place.is_view ? place.prev : no_ring;
	nd->c_seq = place.seq;
	memset(nd->c_ord, 0, sizeof(nd->c_ord));
	return true;
}

static void on_view(void *ctx, const struct syn_node_view *view, const struct syn_node_view *prev)
{
	struct sim_node *nd = ctx;
	struct sim_world *w = nd->w;
	const void *msg;
	size_t len;
	int rc;

	(void)prev;
	if (nd->cpg == NULL || w->failed || !take_place(nd))
		return;
	if (syn_cpg_syncing(nd->cpg))
		sim_trace(w, "n%u CPG sync aborted by ring %llu/%u", nd->id,
			  (unsigned long long)view->ring_seq, view->ring_rep);
	rc = syn_cpg_view(nd->cpg, view->ring_seq, view->ring_rep, view->members, view->n_members,
			  &msg, &len);
	if (rc != 0) {
		sim_fail(w, "CPG: n%u cannot start the group sync: %d", nd->id, rc);
		return;
	}
	nd->c_joinlist = msg;
	nd->c_joinlist_len = len;
	flush(nd);
}

static void on_deliver(void *ctx, uint32_t sender, const void *msg, size_t len)
{
	struct sim_node *nd = ctx;
	bool was_syncing;
	int rc;

	if (nd->cpg == NULL || nd->w->failed || !take_place(nd))
		return;
	was_syncing = syn_cpg_syncing(nd->cpg);
	rc = syn_cpg_deliver(nd->cpg, sender, msg, len);
	if (rc != 0)
		sim_fail(nd->w, "CPG: n%u: message from n%u refused: %d", nd->id, sender, rc);
	if (was_syncing && !syn_cpg_syncing(nd->cpg))
		flush(nd);
}

/* The daemon's retry timer: the send queue may have room again. */
static void cpg_after(struct sim_node *nd)
{
	flush(nd);
}

/* ---- the processes --------------------------------------------------------- */

static void act_proc(struct sim_node *nd, struct sim_cproc *p)
{
	struct sim_world *w = nd->w;
	uint64_t r = sim_range(w, 0, 99);

	if (p->state == SIM_CP_UNJOINED) {
		p->group = (uint32_t)sim_range(w, 0, SIM_CPG_GROUPS - 1);
		p->state = SIM_CP_JOIN_STARTED;
		p->sent = 0;
		p->have_conf = false;
		sim_trace(w, "n%u pid %u JOIN g%u", nd->id, p->pid, p->group);
		send_proc(nd, SYN_CPG_MSG_PROCJOIN, p->group, p->pid, SYN_CPG_REASON_JOIN);
	} else if (p->state != SIM_CP_JOIN_COMPLETED) {
		return;
	} else if (r < 6) {
		sim_trace(w, "n%u pid %u LEAVE g%u", nd->id, p->pid, p->group);
		p->state = SIM_CP_LEAVE_STARTED;
		send_proc(nd, SYN_CPG_MSG_PROCLEAVE, p->group, p->pid, SYN_CPG_REASON_LEAVE);
	} else if (r < 9) {
		/* the connection closes while joined: gone at once, a new process later */
		sim_trace(w, "n%u pid %u EXIT g%u", nd->id, p->pid, p->group);
		send_proc(nd, SYN_CPG_MSG_PROCLEAVE, p->group, p->pid, SYN_CPG_REASON_PROCDOWN);
		p->state = SIM_CP_UNJOINED;
		p->have_conf = false;
		p->pid = new_pid(nd);
	} else {
		send_mcast(nd, p);
	}
}

void sim_cpg_act(struct sim_node *nd, uint64_t gen)
{
	struct sim_world *w = nd->w;

	if (nd->cpg == NULL || nd->node == NULL || gen != nd->epoch ||
	    w->now + 50000 >= w->quiet_at)
		return;
	sim_schedule(w, w->now + sim_range(w, 5, 100) * 1000, SIM_EV_CPG_ACT, nd->id, gen);
	/* the daemon gates its clients during a sync and while messages wait */
	if (syn_cpg_syncing(nd->cpg) || nd->c_out || nd->c_joinlist)
		return;
	act_proc(nd, &nd->cproc[sim_range(w, 0, SIM_CPG_PROCS - 1)]);
}

static int cpg_start(struct sim_node *nd)
{
	struct syn_cpg_env env = {
		.ctx = nd, .confchg = c_confchg, .deliver = c_deliver, .activated = c_activated};
	struct syn_node_service bus = {.channel = SYN_CLUSTER_MSG_CPG,
				       .ctx = nd,
				       .view_changed = on_view,
				       .deliver = on_deliver};
	int rc;

	nd->c_out = NULL;
	nd->c_out_tail = &nd->c_out;
	nd->c_joinlist = NULL;
	nd->c_spawn = 0;
	for (size_t k = 0; k < SIM_CPG_PROCS; k++) {
		memset(&nd->cproc[k], 0, sizeof(nd->cproc[k]));
		nd->cproc[k].pid = new_pid(nd);
	}
	/* the boot nonce: the epoch grows at every start */
	rc = syn_cpg_create(&env, nd->id, nd->epoch, &nd->cpg);
	if (rc != 0) {
		nd->cpg = NULL;
		sim_fail(nd->w, "n%u: syn_cpg_create failed: %d", nd->id, rc);
		return rc;
	}
	rc = syn_node_add_service(nd->node, &bus);
	if (rc != 0) {
		sim_fail(nd->w, "n%u: the CPG service cannot join the bus: %d", nd->id, rc);
		return rc;
	}
	sim_schedule(nd->w, nd->w->now + sim_range(nd->w, 50, 300) * 1000, SIM_EV_CPG_ACT, nd->id,
		     nd->epoch);
	return 0;
}

static void cpg_stop(struct sim_node *nd)
{
	while (nd->c_out) {
		struct sim_cout *o = nd->c_out;
		nd->c_out = o->next;
		free(o);
	}
	nd->c_out_tail = &nd->c_out;
	nd->c_joinlist = NULL;
	syn_cpg_destroy(nd->cpg);
	nd->cpg = NULL;
	for (size_t k = 0; k < SIM_CPG_PROCS; k++)
		nd->cproc[k].state = SIM_CP_UNJOINED;
}

static bool cpg_wanted(const struct sim_world *w)
{
	return w->o->cpg;
}

const struct sim_service sim_cpg_service = {
	.name = "cpg",
	.wanted = cpg_wanted,
	.start = cpg_start,
	.stop = cpg_stop,
	.after = cpg_after,
};
