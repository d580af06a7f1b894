/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * quorum_bench.c - votequorum measurements for bench/quorum_bench.sh.
 *
 * Written only against the public <corosync/votequorum.h> API, so the same
 * binary runs on synod's libvotequorum or the distribution's, against
 * whichever daemon serves "votequorum" in the current network namespace.
 *
 *   quorum_bench getinfo [-n CALLS]
 *       one client, synchronous votequorum_getinfo(local node) round trips;
 *       prints "getinfo_ops <calls/s> ops/s".
 *   quorum_bench notify -k NODEID [-t TIMEOUT_S]
 *       tracks with CS_TRACK_CHANGES, prints "ready" once the current state
 *       has been delivered, then waits for the first QUORUM notification in
 *       which NODEID is no longer a member and prints "notify_ns <ns>", the
 *       CLOCK_REALTIME time it was dispatched (the shell that kills the node
 *       stamps the kill with the same clock).  Exit 1 on timeout.
 *
 * Diagnostics go to stderr; every wait is bounded.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <corosync/votequorum.h>

#define NODESTATE_MEMBER 1

struct watch {
	uint32_t nodeid;     /* the node whose loss is awaited */
	int n_notifications; /* QUORUM notifications dispatched so far */
	bool gone;
	uint64_t gone_ns;
};

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int bench_getinfo(long calls)
{
	votequorum_handle_t h;
	struct votequorum_info info;
	votequorum_callbacks_t cb = {0};
	uint64_t t0, t1;
	cs_error_t err;

	err = votequorum_initialize(&h, &cb);
	if (err != CS_OK) {
		fprintf(stderr, "votequorum_initialize: %d\n", err);
		return 1;
	}
	/* a few warm-up calls map the ring buffers and fault in the pages */
	for (int i = 0; i < 100; i++)
		votequorum_getinfo(h, 0, &info);
	t0 = clock_ns(CLOCK_MONOTONIC);
	for (long i = 0; i < calls; i++) {
		err = votequorum_getinfo(h, 0, &info);
		if (err != CS_OK) {
			fprintf(stderr, "votequorum_getinfo: %d after %ld calls\n", err, i);
			votequorum_finalize(h);
			return 1;
		}
	}
	t1 = clock_ns(CLOCK_MONOTONIC);
	printf("getinfo_ops %.0f ops/s\n", (double)calls * 1e9 / (double)(t1 - t0));
	votequorum_finalize(h);
	return 0;
}

static void on_quorum(votequorum_handle_t h, uint64_t context, uint32_t quorate, uint32_t n_nodes,
		      votequorum_node_t nodes[])
{
	struct watch *w = NULL;
	bool member = false;
	uint64_t now = clock_ns(CLOCK_REALTIME);

	(void)context, (void)quorate;
	if (votequorum_context_get(h, (void **)&w) != CS_OK || !w)
		return;
	w->n_notifications++;
	for (uint32_t i = 0; i < n_nodes; i++)
		if (nodes[i].nodeid == w->nodeid && nodes[i].state == NODESTATE_MEMBER)
			member = true;
	if (!member && !w->gone && w->n_notifications > 1) {
		w->gone = true;
		w->gone_ns = now;
	}
}

/* Dispatch until pred holds or the deadline passes; false on timeout/error. */
static bool dispatch_until(votequorum_handle_t h, int fd, const struct watch *w, bool for_gone,
			   uint64_t deadline_ns)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	while (for_gone ? !w->gone : w->n_notifications < 1) {
		uint64_t now = clock_ns(CLOCK_MONOTONIC);

		if (now >= deadline_ns)
			return false;
		if (poll(&p, 1, (int)((deadline_ns - now) / 1000000 + 1)) < 0 && errno != EINTR)
			return false;
		if ((p.revents & POLLIN) && votequorum_dispatch(h, CS_DISPATCH_ALL) != CS_OK)
			return false;
		if (p.revents & (POLLHUP | POLLERR))
			return false;
	}
	return true;
}

static int bench_notify(uint32_t nodeid, int timeout_s)
{
	votequorum_callbacks_t cb = {.votequorum_quorum_notify_fn = on_quorum};
	struct watch w = {.nodeid = nodeid};
	votequorum_handle_t h;
	uint64_t deadline = clock_ns(CLOCK_MONOTONIC) + (uint64_t)timeout_s * 1000000000u;
	int fd, rc = 1;

	if (votequorum_initialize(&h, &cb) != CS_OK) {
		fprintf(stderr, "votequorum_initialize failed\n");
		return 1;
	}
	votequorum_context_set(h, &w);
	if (votequorum_fd_get(h, &fd) != CS_OK ||
	    votequorum_trackstart(h, 0, CS_TRACK_CHANGES) != CS_OK) {
		fprintf(stderr, "votequorum_trackstart failed\n");
		goto out;
	}
	if (!dispatch_until(h, fd, &w, false, deadline)) {
		fprintf(stderr, "no initial quorum notification\n");
		goto out;
	}
	printf("ready\n");
	fflush(stdout);
	if (!dispatch_until(h, fd, &w, true, deadline)) {
		fprintf(stderr, "node %" PRIu32 " still a member at the deadline\n", nodeid);
		goto out;
	}
	printf("notify_ns %" PRIu64 "\n", w.gone_ns);
	rc = 0;
out:
	votequorum_finalize(h);
	return rc;
}

int main(int argc, char **argv)
{
	long calls = 20000;
	uint32_t nodeid = 0;
	int timeout_s = 30, ch;
	const char *mode = argc > 1 ? argv[1] : "";

	optind = 2;
	while ((ch = getopt(argc, argv, "n:k:t:")) != -1) {
		switch (ch) {
		case 'n':
			calls = strtol(optarg, NULL, 10);
			break;
		case 'k':
			nodeid = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 't':
			timeout_s = atoi(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (strcmp(mode, "getinfo") == 0 && calls > 0)
		return bench_getinfo(calls);
	if (strcmp(mode, "notify") == 0 && nodeid != 0 && timeout_s > 0)
		return bench_notify(nodeid, timeout_s);
usage:
	fprintf(stderr,
		"usage: quorum_bench getinfo [-n CALLS] | notify -k NODEID [-t TIMEOUT_S]\n");
	return 2;
}
