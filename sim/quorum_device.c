/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * quorum_device.c - a quorum device in the simulator: one arbiter for
 * the cluster (qnetd with the ffsplit algorithm, reduced to its promise)
 * and on every node a device client (corosync-qdevice, reduced to what
 * votequorum sees of it).
 *
 * Client, per node incarnation:
 *
 *   input                          effect
 *   -----------------------------  -----------------------------------------
 *   start                          register the device with the node's core
 *   NODELIST event with ring r     if r is new: forget the vote, report r to
 *                                  the arbiter (after a network delay), poll
 *                                  nothing until the arbiter answers for r
 *   answer (r, ACK | NACK)         if r is still the client's ring: poll the
 *                                  core with ring r, cast_vote = ACK
 *   node stops                     the arbiter sees the connection close
 *
 * Arbiter:
 *
 *   input                          effect
 *   -----------------------------  -----------------------------------------
 *   report (node i, ring r)        seen[i] = r; decide; answer i for r
 *   connection of i closed         seen[i] forgotten; decide
 *   decide                         the grant (one ring) stays while a
 *                                  connected client still reports it; else
 *                                  it moves to the ring reported by the most
 *                                  clients (ties: the lowest node id), and
 *                                  every client reporting that ring is sent
 *                                  ACK
 *
 * Invariant the arbiter keeps: at any time it has answered ACK for at most
 * one ring that a connected client still has as its own; answers travel
 * with a delay and may arrive after the client moved on, so a client polls
 * only for its current ring.  The promise the quorum core must add is that
 * a vote cast for one ring is not counted in the next; quorum_check.c's Q1
 * checks the two together.
 *
 * Not modelled: the arbiter's own failures and the clients' lost contact
 * with it, heuristics, the device's periodic re-polls (the simulated run is
 * shorter than the device timeout), master_wins.
 */
#include "sim_int.h"

#include <errno.h>
#include <string.h>

#define DEVICE_NAME "Qdevice"

enum { VOTE_NONE, VOTE_ACK, VOTE_NACK };

/* What travels in an event's src: the ring's rep, the vote, the incarnation. */
static uint32_t pack(uint32_t rep, uint32_t vote, uint32_t epoch)
{
	return rep | vote << 5 | epoch << 7;
}

static bool same_ring(struct syn_quorum_ring a, struct syn_quorum_ring b)
{
	return a.nodeid == b.nodeid && a.seq == b.seq;
}

static uint64_t delay_us(struct sim_world *w)
{
	return sim_range(w, 1, 40) * 1000;
}

static void answer(struct sim_world *w, uint32_t id, bool ack)
{
	struct sim_arbiter *a = &w->arb;
	struct syn_quorum_ring r = a->seen[id];

	sim_schedule_src(w, w->now + delay_us(w), SIM_EV_DEV_ANSWER, id,
			 pack(r.nodeid, ack ? VOTE_ACK : VOTE_NACK, a->epoch[id]), r.seq);
}

/* The ring most connected clients report; ties go to the lowest reporter. */
static bool best_ring(const struct sim_world *w, struct syn_quorum_ring *out)
{
	const struct sim_arbiter *a = &w->arb;
	uint32_t best = 0;

	for (uint32_t i = 1; i <= w->n; i++) {
		uint32_t count = 0;

		if (!a->connected[i])
			continue;
		for (uint32_t j = 1; j <= w->n; j++)
			count += a->connected[j] && same_ring(a->seen[j], a->seen[i]);
		if (count > best) {
			best = count;
			*out = a->seen[i];
		}
	}
	return best > 0;
}

/* Returns whether the grant moved (everyone reporting its ring has been answered). */
static bool decide(struct sim_world *w)
{
	struct sim_arbiter *a = &w->arb;
	struct syn_quorum_ring r;

	if (a->granted)
		for (uint32_t i = 1; i <= w->n; i++)
			if (a->connected[i] && same_ring(a->seen[i], a->grant))
				return false;
	a->granted = best_ring(w, &r);
	if (!a->granted)
		return false;
	a->grant = r;
	a->grants++;
	sim_trace(w, "ARB vote to ring %u/%llu", r.nodeid, (unsigned long long)r.seq);
	for (uint32_t i = 1; i <= w->n; i++)
		if (a->connected[i] && same_ring(a->seen[i], r))
			answer(w, i, true);
	return true;
}

void sim_device_report(struct sim_world *w, uint32_t id, uint32_t src, uint64_t seq)
{
	struct sim_arbiter *a = &w->arb;
	struct syn_quorum_ring r = {src & 31, seq};
	bool moved;

	if (src >> 7 != w->node[id].epoch || w->node[id].q == NULL)
		return; /* sent by an incarnation that has stopped since */
	a->connected[id] = true;
	a->epoch[id] = w->node[id].epoch;
	a->seen[id] = r;
	moved = decide(w);
	if (!a->granted || !same_ring(a->grant, r))
		answer(w, id, false);
	else if (!moved)
		answer(w, id, true);
}

void sim_device_answer(struct sim_node *nd, uint32_t src, uint64_t seq)
{
	struct syn_quorum_ring r = {src & 31, seq};
	uint32_t vote = (src >> 5) & 3;
	int rc;

	if (nd->q == NULL || src >> 7 != nd->epoch || !nd->dev_have_ring ||
	    !same_ring(nd->dev_ring, r))
		return;
	nd->dev_vote = vote;
	rc = syn_quorum_qdevice_poll(nd->q, DEVICE_NAME, vote == VOTE_ACK, r,
				     sim_local_now(nd) / 1000);
	if (rc != 0 && rc != -EBADMSG && rc != -ENOENT)
		sim_fail(nd->w, "Q0: n%u: device poll refused: %d", nd->id, rc);
	sim_trace(nd->w, "n%u DEVICE poll %s ring %u/%llu: %d", nd->id,
		  vote == VOTE_ACK ? "ACK" : "NACK", r.nodeid, (unsigned long long)r.seq, rc);
	/* the world hands the node's events out and re-arms its timers next */
	syn_quorum_drive_settle(&nd->qd);
}

void sim_device_nodelist(struct sim_node *nd, struct syn_quorum_ring ring)
{
	struct sim_world *w = nd->w;

	if (nd->dev_have_ring && same_ring(nd->dev_ring, ring))
		return;
	nd->dev_have_ring = true;
	nd->dev_ring = ring;
	nd->dev_vote = VOTE_NONE;
	sim_schedule_src(w, w->now + delay_us(w), SIM_EV_DEV_REPORT, nd->id,
			 pack(ring.nodeid, VOTE_NONE, nd->epoch), ring.seq);
}

int sim_device_start(struct sim_node *nd)
{
	int rc = syn_quorum_qdevice_register(nd->q, DEVICE_NAME);

	nd->dev_have_ring = false;
	nd->dev_vote = VOTE_NONE;
	return rc < 0 ? rc : 0;
}

void sim_device_stop(struct sim_node *nd)
{
	struct sim_world *w = nd->w;

	if (!w->arb.connected[nd->id])
		return;
	w->arb.connected[nd->id] = false;
	decide(w);
}
