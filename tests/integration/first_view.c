/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * first_view.c - started together with a single-node daemon (node id 1),
 * connects again and again from the first instant to cmap, quorum,
 * votequorum and cfg and checks every answer: a connection is either
 * refused with CS_ERR_TRY_AGAIN (or not there yet: the daemon has not
 * created its IPC servers) or serves a complete state - the quorum member
 * list holds the local node, votequorum knows the local node with its vote
 * counted, cfg names the local node.  A half-built state (a member list
 * without the local node, votes not yet counted) fails the test.
 *
 * Ends once every service has served a complete state, or after 20 s
 * (failure).  Prints, per service, the number of refusals seen first.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <corosync/cfg.h>
#include <corosync/cmap.h>
#include <corosync/quorum.h>
#include <corosync/votequorum.h>

#define LOCAL_NODEID 1u

enum answer { NOT_YET, SERVED, BAD };

struct members_seen {
	bool have;
	bool has_local;
	uint32_t n;
};

static bool refused(cs_error_t err)
{
	/* CS_ERR_LIBRARY: no server yet (connection refused) */
	return err == CS_ERR_TRY_AGAIN || err == CS_ERR_LIBRARY;
}

static enum answer try_cmap(void)
{
	cmap_handle_t h;
	char *name = NULL;
	cs_error_t err = cmap_initialize(&h);

	if (err != CS_OK)
		return refused(err) ? NOT_YET : BAD;
	err = cmap_get_string(h, "totem.cluster_name", &name);
	cmap_finalize(h);
	free(name);
	return err == CS_OK ? SERVED : BAD;
}

static void members_cb(quorum_handle_t h, uint32_t quorate, struct quorum_ring_id ring, uint32_t n,
		       const uint32_t *members)
{
	const void *ctx = NULL;
	struct members_seen *seen;

	(void)quorate, (void)ring;
	quorum_context_get(h, &ctx);
	seen = (struct members_seen *)ctx;
	seen->have = true;
	seen->n = n;
	for (uint32_t i = 0; i < n; i++)
		if (members[i] == LOCAL_NODEID)
			seen->has_local = true;
}

static enum answer try_quorum(void)
{
	quorum_model_v1_data_t cb = {.model = QUORUM_MODEL_V1, .quorum_notify_fn = members_cb};
	struct members_seen seen = {0};
	quorum_handle_t h;
	uint32_t type;
	cs_error_t err = quorum_model_initialize(&h, QUORUM_MODEL_V1, (quorum_model_data_t *)&cb,
						 &type, &seen);

	if (err != CS_OK)
		return refused(err) ? NOT_YET : BAD;
	err = quorum_trackstart(h, CS_TRACK_CURRENT);
	for (int i = 0; err == CS_OK && i < 50 && !seen.have; i++)
		err = quorum_dispatch(h, CS_DISPATCH_ALL);
	quorum_finalize(h);
	if (err != CS_OK || !seen.have || !seen.has_local) {
		fprintf(stderr, "quorum: err %d, event %d, %u members, local %s\n", (int)err,
			seen.have, seen.n, seen.has_local ? "in" : "missing");
		return BAD;
	}
	return SERVED;
}

static enum answer try_votequorum(void)
{
	struct votequorum_info info;
	votequorum_handle_t h;
	cs_error_t err = votequorum_initialize(&h, NULL);

	if (err != CS_OK)
		return refused(err) ? NOT_YET : BAD;
	err = votequorum_getinfo(h, 0, &info);
	votequorum_finalize(h);
	if (err != CS_OK || info.node_id != LOCAL_NODEID || info.node_votes < 1 ||
	    info.total_votes < info.node_votes || info.quorum < 1 ||
	    ((info.flags & VOTEQUORUM_INFO_QUORATE) != 0) != (info.total_votes >= info.quorum)) {
		fprintf(stderr,
			"votequorum: err %d node %u votes %u total %u quorum %u flags %#x\n",
			(int)err, info.node_id, info.node_votes, info.total_votes, info.quorum,
			info.flags);
		return BAD;
	}
	return SERVED;
}

static enum answer try_cfg(void)
{
	corosync_cfg_handle_t h;
	unsigned int nodeid = 0;
	cs_error_t err = corosync_cfg_initialize(&h, NULL);

	if (err != CS_OK)
		return refused(err) ? NOT_YET : BAD;
	err = corosync_cfg_local_get(h, &nodeid);
	corosync_cfg_finalize(h);
	if (err != CS_OK || nodeid != LOCAL_NODEID) {
		fprintf(stderr, "cfg: err %d local node %u\n", (int)err, nodeid);
		return BAD;
	}
	return SERVED;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
	static const char *const names[] = {"cmap", "quorum", "votequorum", "cfg"};
	enum answer (*const tries[])(void) = {try_cmap, try_quorum, try_votequorum, try_cfg};
	unsigned refusals[4] = {0}, served[4] = {0};
	double start = now_s(), first[4] = {0};
	bool done = false;

	while (!done && now_s() - start < 20.0) {
		done = true;
		for (int s = 0; s < 4; s++) {
			enum answer a = tries[s]();

			if (a == BAD) {
				fprintf(stderr, "%s: half-built answer at %.3f s\n", names[s],
					now_s() - start);
				return 1;
			}
			if (a == NOT_YET && !served[s])
				refusals[s]++;
			if (a == SERVED && !served[s]++)
				first[s] = now_s() - start;
			done = done && served[s] >= 3;
		}
		usleep(2000);
	}
	for (int s = 0; s < 4; s++)
		printf("%s: %u refusals, served from %.3f s\n", names[s], refusals[s], first[s]);
	return done ? 0 : 1;
}
