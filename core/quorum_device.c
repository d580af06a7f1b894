/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * quorum_device.c - the quorum device (qdevice) side of votequorum
 * (shared spec votequorum.md 6.7, ipc-wire.md 5.5): register (deferred
 * until the node's own DEVICE_REG is delivered), unregister, rename, the
 * poll with its timeout, and master_wins.
 *
 * The device name is cluster-wide: every node records the first name a
 * DEVICE_REG(REGISTER) carries and forgets it when no member still has a
 * device registered.  Polls are accepted only for the ring id of the
 * current view, and a cast vote counts only in the view whose ring id
 * its poll carried: after a view change the vote is out of the total
 * (the CAST_VOTE flag stays, as in the reference) until the device has
 * seen the new view and polled for it.  An arbiter that gives its vote
 * to one partition can then never be counted on both sides of a split.
 */
#include "quorum_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define DEVICE_FLAGS                                                                               \
	(SYN_QUORUM_NF_QDEVICE_REGISTERED | SYN_QUORUM_NF_QDEVICE_ALIVE |                          \
	 SYN_QUORUM_NF_QDEVICE_CAST_VOTE | SYN_QUORUM_NF_QDEVICE_MASTER_WINS)

static bool name_is(const struct syn_quorum *q, const char *name)
{
	return strncmp(q->device_name, name, SYN_QUORUM_NAME_MAX) == 0;
}

static void send_device_reg(struct syn_quorum *q, uint32_t op, const char *name)
{
	struct syn_quorum_msg msg = {.type = SYN_QUORUM_MSG_DEVICE_REG, .op = op};

	strncpy(msg.name, name, SYN_QUORUM_NAME_MAX);
	if (q->env.send)
		q->env.send(q->env.ctx, &msg);
}

int syn_quorum_qdevice_register(struct syn_quorum *q, const char *name)
{
	struct qnode *us = syn_quorum_us(q);

	if (!q->qdevice_can_operate)
		return -EACCES;
	if (us->flags & SYN_QUORUM_NF_QDEVICE_REGISTERED)
		return name_is(q, name) ? 0 : -EEXIST;
	if (q->register_pending)
		return -EAGAIN;
	q->register_pending = true;
	send_device_reg(q, SYN_QUORUM_DEVICE_REGISTER, name);
	return 1;
}

int syn_quorum_qdevice_unregister(struct syn_quorum *q, const char *name)
{
	struct qnode *us = syn_quorum_us(q);

	if (!(us->flags & SYN_QUORUM_NF_QDEVICE_REGISTERED))
		return -ENOENT;
	if (!name_is(q, name))
		return -EINVAL;
	us->flags &= ~(uint32_t)DEVICE_FLAGS;
	q->master_wins = false;
	q->device_deadline = SYN_QUORUM_NO_DEADLINE;
	syn_quorum_send_nodeinfo(q, q->local_nodeid);
	send_device_reg(q, SYN_QUORUM_DEVICE_UNREGISTER, name);
	return 0;
}

int syn_quorum_qdevice_update(struct syn_quorum *q, const char *oldname, const char *newname)
{
	struct syn_quorum_msg msg = {.type = SYN_QUORUM_MSG_DEVICE_RENAME};

	if (!(syn_quorum_us(q)->flags & SYN_QUORUM_NF_QDEVICE_REGISTERED))
		return -ENOENT;
	if (!name_is(q, oldname))
		return -EINVAL;
	strncpy(msg.oldname, oldname, SYN_QUORUM_NAME_MAX);
	strncpy(msg.name, newname, SYN_QUORUM_NAME_MAX);
	if (q->env.send)
		q->env.send(q->env.ctx, &msg);
	return 0;
}

int syn_quorum_qdevice_poll(struct syn_quorum *q, const char *name, bool cast_vote,
			    struct syn_quorum_ring ring, uint64_t now_ms)
{
	struct qnode *us = syn_quorum_us(q);
	uint32_t old = us->flags;

	if (!q->qdevice_can_operate)
		return -EACCES;
	if (!(us->flags & SYN_QUORUM_NF_QDEVICE_REGISTERED))
		return -ENOENT;
	if (ring.nodeid != q->ring.nodeid || ring.seq != q->ring.seq)
		return -EBADMSG;
	if (!name_is(q, name))
		return -EINVAL;
	us->flags |= SYN_QUORUM_NF_QDEVICE_ALIVE;
	if (cast_vote)
		us->flags |= SYN_QUORUM_NF_QDEVICE_CAST_VOTE;
	else
		us->flags &= ~(uint32_t)SYN_QUORUM_NF_QDEVICE_CAST_VOTE;
	if (us->flags != old) {
		q->vote_in_view = cast_vote;
		syn_quorum_send_nodeinfo(q, q->local_nodeid);
	} else if (cast_vote && !q->vote_in_view) {
		/* the same flags, a new view: the vote enters the total now */
		q->vote_in_view = true;
		q->cause = "quorum device vote";
		syn_quorum_recalculate(q, false, false);
		q->cause = NULL;
	}
	q->device_deadline = now_ms + q->device_timeout_ms;
	if (q->sync_wait_device) {
		q->sync_wait_device = false;
		q->sync_deadline = SYN_QUORUM_NO_DEADLINE;
	}
	return 0;
}

int syn_quorum_qdevice_master_wins(struct syn_quorum *q, const char *name, bool allow)
{
	struct qnode *us = syn_quorum_us(q);
	uint32_t old = us->flags;

	if (!q->qdevice_can_operate)
		return -EACCES;
	if (!(us->flags & SYN_QUORUM_NF_QDEVICE_REGISTERED))
		return -ENOENT;
	if (!name_is(q, name))
		return -EINVAL;
	q->master_wins = allow;
	q->master_wins_published = true;
	if (allow)
		us->flags |= SYN_QUORUM_NF_QDEVICE_MASTER_WINS;
	else
		us->flags &= ~(uint32_t)SYN_QUORUM_NF_QDEVICE_MASTER_WINS;
	if (us->flags != old)
		syn_quorum_send_nodeinfo(q, q->local_nodeid);
	return 0;
}

static bool any_member_registered(struct syn_quorum *q)
{
	for (size_t i = 0; i < q->n_nodes; i++)
		if (q->nodes[i].state == SYN_QUORUM_STATE_MEMBER &&
		    (q->nodes[i].flags & SYN_QUORUM_NF_QDEVICE_REGISTERED))
			return true;
	return false;
}

static void deliver_register(struct syn_quorum *q, uint32_t sender, const char *name)
{
	struct syn_quorum_event ev = {.type = SYN_QUORUM_EV_REGISTERED};

	if (!q->device_name[0])
		snprintf(q->device_name, sizeof(q->device_name), "%s", name);
	if (sender != q->local_nodeid || !q->register_pending)
		return;
	q->register_pending = false;
	if (name_is(q, name)) {
		syn_quorum_us(q)->flags |= SYN_QUORUM_NF_QDEVICE_REGISTERED;
		syn_quorum_send_nodeinfo(q, 0);
		syn_quorum_send_nodeinfo(q, q->local_nodeid);
		ev.result = 0;
	} else {
		ev.result = -EEXIST;
	}
	syn_quorum_emit(q, &ev);
}

void syn_quorum_device_deliver(struct syn_quorum *q, uint32_t sender,
			       const struct syn_quorum_msg *msg)
{
	char name[SYN_QUORUM_NAME_MAX + 1];

	memcpy(name, msg->name, SYN_QUORUM_NAME_MAX);
	name[SYN_QUORUM_NAME_MAX] = '\0';
	if (msg->type == SYN_QUORUM_MSG_DEVICE_RENAME) {
		if (strncmp(q->device_name, msg->oldname, SYN_QUORUM_NAME_MAX) == 0)
			memcpy(q->device_name, name, sizeof(name));
		return;
	}
	if (msg->op == SYN_QUORUM_DEVICE_REGISTER)
		deliver_register(q, sender, name);
	else if (msg->op == SYN_QUORUM_DEVICE_UNREGISTER && !any_member_registered(q))
		memset(q->device_name, 0, sizeof(q->device_name));
}
