/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * quorum.c - the votequorum node table, the quorum calculation, views and
 * ordered messages (shared spec votequorum.md sections 3-5 and 8).
 *
 * Transitions:
 *
 *   input                        effect
 *   ---------------------------  -------------------------------------------
 *   create                       table = {us: MEMBER, FIRST}; NODEINFO(us)
 *   sync_init(view)              sync on; nodes gone from the view -> DEAD;
 *                                LMS deadline rule; view recorded; a new
 *                                ring id takes the device's vote out of
 *                                the total until a poll carries that ring;
 *                                waiting for that poll recalculates at once
 *   sync_process                 once: NODEINFO(us), NODEINFO(device),
 *                                DEVICE_REG if a name is known, NODELIST event;
 *                                complete unless waiting for a device poll
 *   sync_activate                recalculate(no decrease); QUORUM event; sync off
 *   deliver NODEINFO             update the sender's entry (5.3); recalculate
 *   deliver RECONFIGURE          expected / votes / cancel WFA (5.4)
 *   tick                         LMS window: shrink expected to the voters;
 *                                device timeouts: drop ALIVE and CAST_VOTE
 *
 * Deviation from the reference, on purpose: quorum is 32-bit (the
 * reference wraps at 256).  Kept on purpose: the table insertion order,
 * no re-announcement of state after activation, quorum never decreasing
 * without an explicit reason.
 */
#include "quorum_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

static void *q_realloc(struct syn_quorum *q, void *ptr, size_t size)
{
	if (q->env.realloc)
		return q->env.realloc(q->env.ctx, ptr, size);
	return realloc(ptr, size);
}

static void q_free(struct syn_quorum *q, void *ptr)
{
	if (ptr)
		q_realloc(q, ptr, 0);
}

void syn_quorum_logf(struct syn_quorum *q, int level, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	if (!q->env.log)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	q->env.log(q->env.ctx, level, text);
}

/*
 * Remember what a quorum notification describes.  Without room for the
 * copy (the table grew and the copy's allocation failed) the record is
 * marked invalid and the next change check notifies once more.
 */
static void note_sent(struct syn_quorum *q)
{
	struct qnode *us = syn_quorum_us(q);

	q->sent_valid = q->cap_sent >= q->n_nodes;
	if (!q->sent_valid)
		return;
	memcpy(q->sent_nodes, q->nodes, q->n_nodes * sizeof(q->nodes[0]));
	q->n_sent = q->n_nodes;
	q->sent_quorate = q->quorate;
	q->sent_device = (us->flags & SYN_QUORUM_NF_QDEVICE_REGISTERED) != 0;
	q->sent_expected = us->expected;
}

static bool sent_differs(struct syn_quorum *q)
{
	struct qnode *us = syn_quorum_us(q);

	if (!q->sent_valid || q->n_sent != q->n_nodes || q->sent_quorate != q->quorate ||
	    q->sent_device != ((us->flags & SYN_QUORUM_NF_QDEVICE_REGISTERED) != 0) ||
	    q->sent_expected != us->expected)
		return true;
	for (size_t i = 0; i < q->n_nodes; i++) {
		const struct qnode *a = &q->nodes[i], *b = &q->sent_nodes[i];

		if (a->nodeid != b->nodeid || a->state != b->state || a->votes != b->votes)
			return true;
	}
	return false;
}

void syn_quorum_emit(struct syn_quorum *q, struct syn_quorum_event *ev)
{
	ev->ring = q->ring;
	ev->members = q->members;
	ev->n_members = q->n_members;
	if (ev->type == SYN_QUORUM_EV_QUORUM)
		note_sent(q);
	if (q->env.event)
		q->env.event(q->env.ctx, ev);
}

/*
 * Notify again when anything a quorum notification carries changed since
 * the last one: a node's state or votes arriving after the view was
 * activated, expected votes, the device entry.  Nothing goes out during a
 * sync (activation notifies) or before the first notification.
 */
void syn_quorum_notify_changes(struct syn_quorum *q)
{
	struct syn_quorum_event ev = {.type = SYN_QUORUM_EV_QUORUM, .refresh = true};

	if (q->sync_in_progress || q->n_sent == 0 || !sent_differs(q))
		return;
	ev.quorate = q->quorate;
	syn_quorum_emit(q, &ev);
}

static void send_msg(struct syn_quorum *q, const struct syn_quorum_msg *msg)
{
	if (q->env.send)
		q->env.send(q->env.ctx, msg);
}

struct qnode *syn_quorum_find(struct syn_quorum *q, uint32_t nodeid)
{
	for (size_t i = 0; i < q->n_nodes; i++)
		if (q->nodes[i].nodeid == nodeid)
			return &q->nodes[i];
	return NULL;
}

static const struct qnode *find_const(const struct syn_quorum *q, uint32_t nodeid)
{
	return syn_quorum_find((struct syn_quorum *)q, nodeid);
}

struct qnode *syn_quorum_us(struct syn_quorum *q)
{
	return syn_quorum_find(q, q->local_nodeid);
}

/*
 * Whether the device's vote is in the local total: cast, and cast by a
 * poll carrying the current ring id.  The flag alone survives a view
 * change (as in the reference, which publishes nothing until the poll);
 * counting it there would let both sides of a split count the one vote
 * the arbiter gave to the old view.
 */
bool syn_quorum_device_counts(const struct syn_quorum *q)
{
	const struct qnode *us = find_const(q, q->local_nodeid);

	return (us->flags & SYN_QUORUM_NF_QDEVICE_CAST_VOTE) && q->vote_in_view;
}

/*
 * Insert a new entry where the reference would: before the first entry
 * with a larger id, or before the last entry when none is larger.
 */
static struct qnode *node_add(struct syn_quorum *q, uint32_t nodeid)
{
	size_t pos;

	if (q->n_nodes == q->cap_nodes) {
		size_t cap = q->cap_nodes ? q->cap_nodes * 2 : 8;
		struct qnode *n = q_realloc(q, q->nodes, cap * sizeof(*n));

		if (!n)
			return NULL;
		q->nodes = n;
		q->cap_nodes = cap;
	}
	if (q->cap_sent < q->cap_nodes) {
		struct qnode *c = q_realloc(q, q->sent_nodes, q->cap_nodes * sizeof(*c));

		if (!c)
			return NULL;
		q->sent_nodes = c;
		q->cap_sent = q->cap_nodes;
	}
	for (pos = 0; pos < q->n_nodes; pos++)
		if (q->nodes[pos].nodeid > nodeid)
			break;
	if (pos == q->n_nodes && q->n_nodes > 0)
		pos = q->n_nodes - 1;
	memmove(&q->nodes[pos + 1], &q->nodes[pos], (q->n_nodes - pos) * sizeof(q->nodes[0]));
	q->n_nodes++;
	memset(&q->nodes[pos], 0, sizeof(q->nodes[pos]));
	q->nodes[pos].nodeid = nodeid;
	q->nodes[pos].state = SYN_QUORUM_STATE_DEAD;
	return &q->nodes[pos];
}

static bool in_list(const uint32_t *list, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == id)
			return true;
	return false;
}

/* Votes, voters and the highest expected over MEMBER entries. */
struct tally {
	uint32_t total, voters, highest;
};

static struct tally tally_members(const struct syn_quorum *q)
{
	struct tally t = {0};

	for (size_t i = 0; i < q->n_nodes; i++) {
		const struct qnode *n = &q->nodes[i];

		if (n->state != SYN_QUORUM_STATE_MEMBER)
			continue;
		t.total += n->votes;
		t.voters++;
		if (n->expected > t.highest)
			t.highest = n->expected;
	}
	return t;
}

/* Spec 4.1; reads state only. */
static uint32_t calculate(const struct syn_quorum *q, bool allow_decrease, uint32_t max_expected,
			  bool allow_downscale, uint32_t *total_out)
{
	struct tally t = tally_members(q);
	uint32_t quorum, by_votes;

	if (allow_downscale && allow_decrease && max_expected > 0 && q->ev_barrier > max_expected)
		max_expected = q->ev_barrier;
	if (syn_quorum_device_counts(q)) {
		t.total += q->device.votes;
		t.voters++;
	}
	if (max_expected > 0)
		t.highest = max_expected;
	quorum = syn_quorum_majority(t.highest);
	by_votes = syn_quorum_majority(t.total);
	if (by_votes > quorum)
		quorum = by_votes;
	if (!allow_decrease && q->quorum > quorum)
		quorum = q->quorum;
	if (q->two_node && t.voters <= 2)
		quorum = 1;
	*total_out = t.total;
	return quorum;
}

static bool member_state(const struct syn_quorum *q, uint32_t nodeid)
{
	const struct qnode *n = find_const(q, nodeid);

	return n && n->state == SYN_QUORUM_STATE_MEMBER;
}

/* The auto_tie_breaker decision for an exact half split (spec 4.3). */
static bool atb_decision(const struct syn_quorum *q)
{
	switch (q->atb) {
	case SYN_QUORUM_ATB_LOWEST:
		return member_state(q, q->lowest_node_id);
	case SYN_QUORUM_ATB_HIGHEST:
		return member_state(q, q->highest_node_id);
	case SYN_QUORUM_ATB_LIST:
		for (size_t i = 0; i < q->n_atb; i++) {
			if (!in_list(q->members, q->n_members, q->atb_list[i]))
				continue;
			for (size_t j = 0; j < i; j++)
				if (in_list(q->prev_members, q->n_prev, q->atb_list[j]))
					return false;
			return true;
		}
		return false;
	default:
		return false;
	}
}

static void update_low_high(struct syn_quorum *q)
{
	bool first = true;

	for (size_t i = 0; i < q->n_nodes; i++) {
		const struct qnode *n = &q->nodes[i];

		if (n->state != SYN_QUORUM_STATE_MEMBER)
			continue;
		if (first || n->nodeid < q->lowest_node_id)
			q->lowest_node_id = n->nodeid;
		if (first || n->nodeid > q->highest_node_id)
			q->highest_node_id = n->nodeid;
		first = false;
	}
	q->have_lowest = true;
}

static bool master_wins_member(const struct syn_quorum *q)
{
	const uint32_t both = SYN_QUORUM_NF_QDEVICE_MASTER_WINS | SYN_QUORUM_NF_QDEVICE_CAST_VOTE;

	for (size_t i = 0; i < q->n_nodes; i++)
		if (q->nodes[i].state == SYN_QUORUM_STATE_MEMBER &&
		    (q->nodes[i].flags & both) == both)
			return true;
	return false;
}

static void quorate_changed(struct syn_quorum *q, bool quorate, uint32_t total)
{
	struct syn_quorum_event ev = {.type = SYN_QUORUM_EV_QUORUM, .quorate = quorate};

	syn_quorum_logf(q, LOG_NOTICE,
			"quorum %s (%s): total votes %u, quorum %u, expected votes %u",
			quorate ? "gained" : "lost", q->cause ? q->cause : "recalculation", total,
			q->quorum, syn_quorum_us(q)->expected);
	if (!q->sync_in_progress)
		syn_quorum_emit(q, &ev);
}

/* Spec 4.3. */
static void are_we_quorate(struct syn_quorum *q, uint32_t total)
{
	struct qnode *us = syn_quorum_us(q);
	bool quorate;
	int64_t lost = (int64_t)q->n_prev - (int64_t)q->n_members;

	if (q->wfa && q->wfa_status) {
		if (total != us->expected)
			return;
		q->wfa_status = false;
	}
	quorate = q->quorum <= total;
	if (quorate)
		update_low_high(q);
	if (!quorate && q->atb != SYN_QUORUM_ATB_NONE && total == us->expected / 2 &&
	    lost < (int64_t)q->quorum && atb_decision(q))
		quorate = true;
	if (!quorate && q->master_wins && master_wins_member(q))
		quorate = true;
	if (quorate)
		us->flags |= SYN_QUORUM_NF_QUORATE;
	else
		us->flags &= ~(uint32_t)SYN_QUORUM_NF_QUORATE;
	if (q->wfa)
		q->wfa_status = !quorate;
	if (quorate != q->quorate) {
		q->quorate = quorate;
		quorate_changed(q, quorate, total);
	}
}

static void expected_event(struct syn_quorum *q)
{
	struct syn_quorum_event ev = {.type = SYN_QUORUM_EV_EXPECTED,
				      .value = syn_quorum_us(q)->expected};

	syn_quorum_emit(q, &ev);
}

static void evt_update(struct syn_quorum *q)
{
	struct qnode *us = syn_quorum_us(q);
	struct syn_quorum_event ev = {.type = SYN_QUORUM_EV_EVT_BARRIER};

	if (!q->evt || us->expected <= q->evt_barrier)
		return;
	q->evt_barrier = us->expected;
	ev.value = q->evt_barrier;
	syn_quorum_emit(q, &ev);
}

/* Spec 4.2. */
void syn_quorum_recalculate(struct syn_quorum *q, bool allow_decrease, bool by_current)
{
	struct tally t = tally_members(q);
	struct qnode *us = syn_quorum_us(q);
	uint32_t members = t.voters, total_all = t.total, total;

	if (q->device.votes > 0) {
		total_all += q->device.votes;
		members++;
	}
	if (!by_current)
		members = 0;
	if (total_all > us->expected) {
		us->expected = total_all;
		expected_event(q);
	}
	evt_update(q);
	q->quorum = calculate(q, allow_decrease, members, q->allow_downscale, &total);
	if (members > 0)
		for (size_t i = 0; i < q->n_nodes; i++)
			if (q->nodes[i].state == SYN_QUORUM_STATE_MEMBER)
				q->nodes[i].expected = members;
	are_we_quorate(q, total);
}

void syn_quorum_send_nodeinfo(struct syn_quorum *q, uint32_t nodeid)
{
	struct syn_quorum_msg msg = {.type = SYN_QUORUM_MSG_NODEINFO, .nodeid = nodeid};
	const struct qnode *n = nodeid ? syn_quorum_us(q) : &q->device;

	msg.votes = n->votes;
	msg.expected = n->expected;
	msg.flags = n->flags;
	if (nodeid) {
		msg.flags &= ~(uint32_t)SYN_QUORUM_NF_WFASTATUS;
		if (q->wfa_status)
			msg.flags |= SYN_QUORUM_NF_WFASTATUS;
	}
	send_msg(q, &msg);
}

int syn_quorum_create(const struct syn_quorum_config *cfg, const struct syn_quorum_env *env,
		      struct syn_quorum **out, char *reason, size_t reason_len)
{
	struct syn_quorum *q;
	void *mem = env->realloc ? env->realloc(env->ctx, NULL, sizeof(*q)) : malloc(sizeof(*q));
	int rc;

	if (!mem)
		return -ENOMEM;
	q = mem;
	memset(q, 0, sizeof(*q));
	q->env = *env;
	q->local_nodeid = cfg->local_nodeid;
	q->lms_deadline = q->device_deadline = q->sync_deadline = SYN_QUORUM_NO_DEADLINE;
	if (!node_add(q, cfg->local_nodeid)) {
		rc = -ENOMEM;
		goto err_free;
	}
	q->nodes[0].state = SYN_QUORUM_STATE_MEMBER;
	q->nodes[0].flags = SYN_QUORUM_NF_FIRST;
	rc = syn_quorum_config_apply(q, cfg, reason, reason_len);
	if (rc != 0)
		goto err_free;
	q->cause = "start-up";
	syn_quorum_recalculate(q, false, false);
	syn_quorum_send_nodeinfo(q, q->local_nodeid);
	q->cause = NULL;
	*out = q;
	return 0;
err_free:
	q_free(q, q->nodes);
	q_free(q, q->sent_nodes);
	q_free(q, q);
	return rc;
}

void syn_quorum_destroy(struct syn_quorum *q)
{
	if (!q)
		return;
	q_free(q, q->nodes);
	q_free(q, q->sent_nodes);
	q_free(q, q->members);
	q_free(q, q->prev_members);
	q_free(q, q);
}

static bool someone_left(const struct syn_quorum *q, const uint32_t *members, size_t n)
{
	for (size_t i = 0; i < q->n_members; i++)
		if (!in_list(members, n, q->members[i]))
			return true;
	return false;
}

static void lms_rule(struct syn_quorum *q, const uint32_t *members, size_t n, uint64_t now_ms)
{
	bool arm = false;

	if (!q->lms)
		return;
	if (n >= q->quorum && someone_left(q, members, n))
		arm = true;
	else if (n <= q->quorum && q->atb != SYN_QUORUM_ATB_NONE &&
		 member_state(q, q->lowest_node_id))
		arm = true;
	if (arm)
		q->lms_deadline = now_ms + q->lms_window_ms;
}

static int members_reserve(struct syn_quorum *q, size_t n)
{
	uint32_t *a, *b;

	if (n <= q->cap_members)
		return 0;
	a = q_realloc(q, q->members, n * sizeof(*a));
	if (!a)
		return -ENOMEM;
	q->members = a;
	b = q_realloc(q, q->prev_members, n * sizeof(*b));
	if (!b)
		return -ENOMEM;
	q->prev_members = b;
	q->cap_members = n;
	return 0;
}

/*
 * Activation waits for a device poll with the new ring id.  Until then the
 * total is this view's without the device's vote: recalculate now, as
 * activation would, so that no one reads the previous view's verdict for
 * the new members (events wait for activation, as in the reference).
 */
static void wait_for_device(struct syn_quorum *q, uint64_t now_ms)
{
	q->sync_wait_device = true;
	q->sync_deadline = now_ms + q->device_sync_timeout_ms;
	q->cause = "membership change";
	syn_quorum_recalculate(q, false, false);
	q->cause = NULL;
}

int syn_quorum_sync_init(struct syn_quorum *q, struct syn_quorum_ring ring, const uint32_t *members,
			 size_t n_members, uint64_t now_ms)
{
	struct qnode *us = syn_quorum_us(q);
	size_t need = n_members > q->n_members ? n_members : q->n_members;

	if (members_reserve(q, need ? need : 1) != 0)
		return -ENOMEM;
	q->sync_in_progress = true;
	q->sync_sent = false;
	if (n_members > 1)
		us->flags &= ~(uint32_t)SYN_QUORUM_NF_FIRST;
	for (size_t i = 0; i < q->n_members; i++) {
		struct qnode *n = syn_quorum_find(q, q->members[i]);

		if (n && !in_list(members, n_members, n->nodeid))
			n->state = SYN_QUORUM_STATE_DEAD;
	}
	lms_rule(q, members, n_members, now_ms);
	memcpy(q->prev_members, q->members, q->n_members * sizeof(uint32_t));
	q->n_prev = q->n_members;
	memcpy(q->members, members, n_members * sizeof(uint32_t));
	q->n_members = n_members;
	if (ring.nodeid != q->ring.nodeid || ring.seq != q->ring.seq)
		q->vote_in_view = false;
	q->ring = ring;
	if ((us->flags & SYN_QUORUM_NF_QDEVICE_REGISTERED) &&
	    (us->flags & SYN_QUORUM_NF_QDEVICE_ALIVE))
		wait_for_device(q, now_ms);
	return 0;
}

bool syn_quorum_sync_process(struct syn_quorum *q)
{
	if (!q->sync_sent) {
		struct syn_quorum_event ev = {.type = SYN_QUORUM_EV_NODELIST};

		q->sync_sent = true;
		syn_quorum_send_nodeinfo(q, q->local_nodeid);
		syn_quorum_send_nodeinfo(q, 0);
		if (q->device_name[0]) {
			struct syn_quorum_msg msg = {.type = SYN_QUORUM_MSG_DEVICE_REG,
						     .op = SYN_QUORUM_DEVICE_REGISTER};

			memcpy(msg.name, q->device_name, sizeof(msg.name));
			send_msg(q, &msg);
		}
		syn_quorum_emit(q, &ev);
	}
	return !q->sync_wait_device;
}

void syn_quorum_sync_activate(struct syn_quorum *q)
{
	struct syn_quorum_event ev = {.type = SYN_QUORUM_EV_QUORUM};

	q->cause = "membership change";
	syn_quorum_recalculate(q, false, false);
	ev.quorate = q->quorate;
	syn_quorum_emit(q, &ev);
	q->sync_in_progress = false;
	q->cause = NULL;
}

static bool node_changed(const struct qnode *a, const struct qnode *b)
{
	return a->votes != b->votes || a->expected != b->expected || a->flags != b->flags ||
	       a->state != b->state;
}

/* Spec 5.3, real nodes. */
static int deliver_nodeinfo(struct syn_quorum *q, const struct syn_quorum_msg *msg)
{
	struct qnode *n = syn_quorum_find(q, msg->nodeid), old;
	bool is_new = !n, allow_decrease = false, by_nodes = false;

	if (!n && !(n = node_add(q, msg->nodeid)))
		return -ENOMEM;
	old = *n;
	n->flags = msg->flags;
	n->votes = msg->votes;
	n->state = SYN_QUORUM_STATE_MEMBER;
	if (msg->flags & SYN_QUORUM_NF_LEAVING) {
		n->state = SYN_QUORUM_STATE_LEAVING;
		allow_decrease = by_nodes = true;
	}
	if (!q->quorate && (msg->flags & SYN_QUORUM_NF_QUORATE)) {
		allow_decrease = true;
		syn_quorum_us(q)->expected = msg->expected;
	}
	if ((msg->flags & SYN_QUORUM_NF_QUORATE) || q->evt)
		n->expected = msg->expected;
	else
		n->expected = syn_quorum_us(q)->expected;
	if (q->lms && n->votes > 1) {
		q->lms = false;
		q->lms_deadline = SYN_QUORUM_NO_DEADLINE;
		syn_quorum_logf(q, LOG_WARNING,
				"Last Man Standing feature is supported only when all cluster "
				"nodes votes are set to 1. Disabling LMS.");
	}
	if (is_new || n->nodeid == q->local_nodeid || (msg->flags & SYN_QUORUM_NF_FIRST) ||
	    node_changed(&old, n)) {
		q->cause = q->cause ? q->cause : "node information";
		syn_quorum_recalculate(q, allow_decrease, by_nodes);
	}
	if (q->wfa && !(msg->flags & SYN_QUORUM_NF_WFASTATUS) &&
	    (msg->flags & SYN_QUORUM_NF_QUORATE))
		q->wfa_status = false;
	return 0;
}

static void deliver_device_info(struct syn_quorum *q, uint32_t sender,
				const struct syn_quorum_msg *msg)
{
	const struct qnode *s = syn_quorum_find(q, sender);
	uint32_t old = q->device.votes;

	if (!q->quorate && s && (s->flags & SYN_QUORUM_NF_QUORATE))
		q->device.votes = msg->votes;
	else if (msg->votes > q->device.votes)
		q->device.votes = msg->votes;
	if (q->device.votes != old)
		syn_quorum_recalculate(q, false, false);
}

/* Spec 5.4. */
static void deliver_reconfigure(struct syn_quorum *q, uint32_t sender,
				const struct syn_quorum_msg *msg)
{
	struct qnode *us = syn_quorum_us(q), *n;

	switch (msg->param) {
	case SYN_QUORUM_PARAM_EXPECTED_VOTES:
		for (size_t i = 0; i < q->n_nodes; i++)
			if (q->nodes[i].state == SYN_QUORUM_STATE_MEMBER)
				q->nodes[i].expected = msg->value;
		q->ev_barrier = msg->value;
		if (q->evt && us->expected < q->evt_barrier)
			us->expected = q->evt_barrier;
		expected_event(q);
		q->cause = "expected votes changed";
		syn_quorum_recalculate(q, true, false);
		break;
	case SYN_QUORUM_PARAM_NODE_VOTES:
		n = msg->nodeid ? syn_quorum_find(q, msg->nodeid) : &q->device;
		if (!n)
			return;
		n->votes = msg->value;
		q->cause = "votes changed";
		syn_quorum_recalculate(q, true, false);
		break;
	case SYN_QUORUM_PARAM_CANCEL_WFA:
		q->wfa_status = false;
		syn_quorum_logf(q, LOG_NOTICE, "wait_for_all_status reset by user on node %u.",
				sender);
		q->cause = "wait_for_all cancelled";
		syn_quorum_recalculate(q, false, false);
		break;
	default:
		break;
	}
}

int syn_quorum_deliver(struct syn_quorum *q, uint32_t sender, const struct syn_quorum_msg *msg)
{
	const char *cause = q->cause;
	int rc = 0;

	switch (msg->type) {
	case SYN_QUORUM_MSG_NODEINFO:
		if (msg->nodeid == 0)
			deliver_device_info(q, sender, msg);
		else
			rc = deliver_nodeinfo(q, msg);
		break;
	case SYN_QUORUM_MSG_RECONFIGURE:
		deliver_reconfigure(q, sender, msg);
		break;
	case SYN_QUORUM_MSG_DEVICE_REG:
	case SYN_QUORUM_MSG_DEVICE_RENAME:
		syn_quorum_device_deliver(q, sender, msg);
		break;
	default:
		break;
	}
	q->cause = cause;
	if (rc == 0)
		syn_quorum_notify_changes(q);
	return rc;
}

void syn_quorum_tick(struct syn_quorum *q, uint64_t now_ms)
{
	struct qnode *us = syn_quorum_us(q);
	const uint32_t alive = SYN_QUORUM_NF_QDEVICE_ALIVE | SYN_QUORUM_NF_QDEVICE_CAST_VOTE;

	if (q->lms_deadline <= now_ms) {
		q->lms_deadline = SYN_QUORUM_NO_DEADLINE;
		if (q->quorate) {
			q->cause = "last_man_standing window";
			syn_quorum_recalculate(q, true, true);
			q->cause = NULL;
		}
	}
	if (q->device_deadline <= now_ms) {
		q->device_deadline = SYN_QUORUM_NO_DEADLINE;
		us->flags &= ~alive;
		syn_quorum_send_nodeinfo(q, q->local_nodeid);
	}
	if (q->sync_deadline <= now_ms) {
		q->sync_deadline = SYN_QUORUM_NO_DEADLINE;
		us->flags &= ~alive;
		q->sync_wait_device = false;
	}
	syn_quorum_notify_changes(q);
}

uint64_t syn_quorum_next_deadline(const struct syn_quorum *q)
{
	uint64_t d = q->lms_deadline;

	if (q->device_deadline < d)
		d = q->device_deadline;
	if (q->sync_deadline < d)
		d = q->sync_deadline;
	return d;
}

int syn_quorum_getinfo(const struct syn_quorum *q, uint32_t nodeid, struct syn_quorum_info *out)
{
	const struct qnode *n = find_const(q, nodeid ? nodeid : q->local_nodeid);
	struct tally t = tally_members(q);

	memset(out, 0, sizeof(*out));
	if (!n)
		return -ENOENT;
	out->node_id = n->nodeid;
	out->state = n->state;
	out->votes = n->votes;
	out->expected_votes = n->expected;
	out->highest_expected = t.highest;
	out->total_votes = t.total;
	if (n->nodeid == q->local_nodeid ? syn_quorum_device_counts(q)
					 : (n->flags & SYN_QUORUM_NF_QDEVICE_CAST_VOTE))
		out->total_votes += q->device.votes;
	out->quorum = q->quorum;
	out->flags = (q->two_node ? SYN_QUORUM_INFO_TWONODE : 0) |
		     (q->quorate ? SYN_QUORUM_INFO_QUORATE : 0) |
		     (q->wfa ? SYN_QUORUM_INFO_WAIT_FOR_ALL : 0) |
		     (q->lms ? SYN_QUORUM_INFO_LAST_MAN_STANDING : 0) |
		     (q->atb != SYN_QUORUM_ATB_NONE ? SYN_QUORUM_INFO_AUTO_TIE_BREAKER : 0) |
		     (q->allow_downscale ? SYN_QUORUM_INFO_ALLOW_DOWNSCALE : 0) |
		     ((n->flags & 0xF0u) << 2);
	out->qdevice_votes = q->device.votes;
	memcpy(out->qdevice_name, q->device_name, sizeof(out->qdevice_name));
	return 0;
}

static void send_reconfigure(struct syn_quorum *q, uint32_t nodeid, uint32_t param, uint32_t v)
{
	struct syn_quorum_msg msg = {
		.type = SYN_QUORUM_MSG_RECONFIGURE, .nodeid = nodeid, .param = param, .value = v};

	send_msg(q, &msg);
}

int syn_quorum_setexpected(struct syn_quorum *q, uint32_t expected)
{
	uint32_t total, quorum = calculate(q, true, expected, false, &total);

	if (expected < total || (q->quorate && quorum > total))
		return -EINVAL;
	for (size_t i = 0; i < q->n_nodes; i++)
		if (q->nodes[i].state == SYN_QUORUM_STATE_MEMBER)
			q->nodes[i].expected = expected;
	send_reconfigure(q, q->local_nodeid, SYN_QUORUM_PARAM_EXPECTED_VOTES, expected);
	return 0;
}

int syn_quorum_setvotes(struct syn_quorum *q, uint32_t nodeid, uint32_t votes)
{
	struct qnode *n = nodeid ? syn_quorum_find(q, nodeid) : &q->device;
	uint32_t saved, total, quorum;

	if (!n)
		return -ENOENT;
	saved = n->votes;
	n->votes = votes;
	quorum = calculate(q, true, 0, q->allow_downscale, &total);
	if (quorum < total / 2 || quorum > total) {
		n->votes = saved;
		return -EINVAL;
	}
	send_reconfigure(q, nodeid, SYN_QUORUM_PARAM_NODE_VOTES, votes);
	return 0;
}

void syn_quorum_cancel_wfa(struct syn_quorum *q)
{
	send_reconfigure(q, q->local_nodeid, SYN_QUORUM_PARAM_CANCEL_WFA, 0);
}

void syn_quorum_leave(struct syn_quorum *q)
{
	if (!q->allow_downscale)
		return;
	syn_quorum_us(q)->flags |= SYN_QUORUM_NF_LEAVING;
	syn_quorum_send_nodeinfo(q, q->local_nodeid);
}

bool syn_quorum_is_quorate(const struct syn_quorum *q)
{
	return q->quorate;
}

struct syn_quorum_ring syn_quorum_ring(const struct syn_quorum *q)
{
	return q->ring;
}

const uint32_t *syn_quorum_members(const struct syn_quorum *q, size_t *n)
{
	*n = q->n_members;
	return q->members;
}

size_t syn_quorum_nodes(const struct syn_quorum *q, struct syn_quorum_node *out, size_t max)
{
	const struct qnode *us = find_const(q, q->local_nodeid);
	size_t n = 0;

	for (size_t i = 0; i < q->n_nodes; i++, n++)
		if (n < max)
			out[n] = (struct syn_quorum_node){q->nodes[i].nodeid, q->nodes[i].state};
	if (us->flags & SYN_QUORUM_NF_QDEVICE_REGISTERED) {
		if (n < max)
			out[n] = (struct syn_quorum_node){0, 0};
		n++;
	}
	return n;
}

void syn_quorum_status(const struct syn_quorum *q, struct syn_quorum_status *out)
{
	memset(out, 0, sizeof(*out));
	out->this_node_id = q->local_nodeid;
	out->two_node = q->two_node;
	out->ev_barrier = q->ev_barrier;
	out->have_lowest = q->have_lowest;
	out->lowest_node_id = q->lowest_node_id;
	out->highest_node_id = q->highest_node_id;
	out->wfa_in_effect = q->wfa;
	out->wfa_status = q->wfa_status;
	out->atb_published = q->atb_published;
	out->atb_type = q->atb;
	out->have_device = q->have_device;
	out->qdevice_can_operate = q->qdevice_can_operate;
	out->master_wins_published = q->master_wins_published;
	out->master_wins = q->master_wins;
	out->ev_tracking = q->evt;
	out->evt_barrier = q->evt_barrier;
}
