/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * main.c - synod-sim, the simulator's command line.
 *
 *   synod-sim --seed N [--nodes K] [--verbose]   replay one seed exactly
 *   synod-sim --seeds A-B [--nodes K]            run a range of seeds
 *   synod-sim --soak SECONDS                     random seeds until time is up
 *   synod-sim --failover                         failover latency, 3 and 16 nodes
 *
 * --fault-ms and --quiet-ms change the scenario length.  --device runs
 * every seed with a quorum device and its arbiter instead of the drawn
 * quorum options; --cpg adds the CPG service and its processes on
 * every node, --cmm the CMM service on every node.  The seed also
 * chooses the quorum option combination (seed modulo the number of
 * combinations, details from the seed), printed with the result, so
 * --seed N replays it.  The exit status is 0 when every seed held every
 * invariant, 1 otherwise.
 */
#include "sim.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int usage(void)
{
	fprintf(stderr, "usage: synod-sim --seed N | --seeds A-B | --soak SECONDS | --failover\n"
			"                 [--nodes K] [--fault-ms MS] [--quiet-ms MS] [--device] "
			"[--cpg] [--cmm] [--verbose]\n");
	return 2;
}

static int run_one(struct syn_sim_opts *o, bool report_ok, uint64_t *max_converge,
		   struct syn_sim_result *total)
{
	struct syn_sim_result r;

	if (syn_sim_run(o, &r) != 0) {
		fprintf(stderr, "out of memory\n");
		return -1;
	}
	if (!r.ok && !o->trace) {
		/* Replay with tracing to show how it happened: the run is deterministic. */
		o->trace = true;
		syn_sim_run(o, &r);
		o->trace = false;
	}
	if (r.ok && max_converge && r.converge_ms > *max_converge)
		*max_converge = r.converge_ms;
	if (total) {
		total->c_delivered += r.c_delivered;
		total->c_compared += r.c_compared;
		total->c_waiting += r.c_waiting;
		total->m_applied += r.m_applied;
		total->m_primary += r.m_primary;
		total->m_masters += r.m_masters;
	}
	if (!r.ok)
		printf("seed %" PRIu64
		       " FAILED (%u nodes, %s): %s\n  replay: synod-sim --seed %" PRIu64 "%s%s%s\n",
		       o->seed, r.nodes, r.quorum, r.failure, o->seed, o->device ? " --device" : "",
		       o->cpg ? " --cpg" : "", o->cmm ? " --cmm" : "");
	else if (report_ok)
		printf("seed %" PRIu64 " ok: %u nodes, %" PRIu64 " events, %" PRIu64
		       " views, %" PRIu64 "/%" PRIu64 " delivered/submitted, converged %" PRIu64
		       " ms after faults stopped\n  %s; %" PRIu64 " quorum messages, %" PRIu64
		       " quorate changes\n",
		       o->seed, r.nodes, r.events, r.views, r.delivered, r.submitted, r.converge_ms,
		       r.quorum, r.q_delivered, r.q_flips);
	if (r.ok && report_ok && o->cpg)
		printf("  cpg: %" PRIu64 " syncs activated, %" PRIu64 " messages and %" PRIu64
		       " configuration changes seen by processes, %" PRIu64
		       " transitions compared, %" PRIu64 " waiting at the end\n",
		       r.c_activated, r.c_delivered, r.c_confchgs, r.c_compared, r.c_waiting);
	return r.ok ? 0 : 1;
}

static int run_range(struct syn_sim_opts *o, uint64_t a, uint64_t b)
{
	uint64_t failed = 0, conv = 0;
	clock_t start = clock();
	struct syn_sim_result total;

	memset(&total, 0, sizeof(total));
	for (uint64_t s = a; s <= b; s++) {
		o->seed = s;
		int rc = run_one(o, false, &conv, &total);
		if (rc < 0)
			return 1;
		failed += (uint64_t)rc;
	}
	printf("%" PRIu64 " seeds, %" PRIu64 " failed, %.1f s cpu, slowest convergence %" PRIu64
	       " ms after faults stopped\n",
	       b - a + 1, failed, (double)(clock() - start) / CLOCKS_PER_SEC, conv);
	if (o->cpg)
		printf("cpg: %" PRIu64 " messages seen by processes, %" PRIu64
		       " configuration transitions compared, %" PRIu64
		       " processes waiting at the end for a lost join or leave\n",
		       total.c_delivered, total.c_compared, total.c_waiting);
	if (o->cmm)
		printf("cmm: %" PRIu64 " views applied, %" PRIu64
		       " settled primary states checked, %" PRIu64
		       " runs ended with exactly one master in a quorate view\n",
		       total.m_applied, total.m_primary, total.m_masters);
	return failed ? 1 : 0;
}

static int soak(struct syn_sim_opts *o, long seconds)
{
	time_t end = time(NULL) + seconds;
	uint64_t s = (uint64_t)time(NULL) * 1000003u, n = 0, failed = 0;

	while (time(NULL) < end) {
		o->seed = s++;
		int rc = run_one(o, false, NULL, NULL);
		if (rc < 0)
			return 1;
		failed += (uint64_t)rc;
		n++;
	}
	printf("soak: %" PRIu64 " seeds, %" PRIu64 " failed\n", n, failed);
	return failed ? 1 : 0;
}

static int failover(void)
{
	uint64_t worst[2] = {0, 0};
	int bad = 0;
	const uint32_t sizes[2] = {3, 16};

	for (int k = 0; k < 2; k++) {
		for (uint64_t seed = 1; seed <= 10; seed++) {
			for (int leader = 0; leader < 2; leader++) {
				uint64_t ms = 0, spurious = 0;
				int rc = syn_sim_failover(seed, sizes[k], leader, 300, &ms,
							  &spurious);
				if (rc != 0) {
					printf("failover n=%u seed %" PRIu64 ": error %d\n",
					       sizes[k], seed, rc);
					bad = 1;
					continue;
				}
				if (spurious) {
					printf("failover n=%u seed %" PRIu64 ": %" PRIu64
					       " view changes during a 300 ms pause\n",
					       sizes[k], seed, spurious);
					bad = 1;
				}
				if (ms > worst[k])
					worst[k] = ms;
			}
		}
		printf("failover %u nodes: worst %" PRIu64 " ms from crash to new view\n", sizes[k],
		       worst[k]);
	}
	if (worst[0] > 500 || worst[1] * 100 > worst[0] * 120) {
		printf("failover target missed (<= 500 ms at 3 nodes, +20%% at 16)\n");
		bad = 1;
	}
	return bad;
}

int main(int argc, char **argv)
{
	struct syn_sim_opts o;
	uint64_t a = 0, b = 0;
	long soak_s = -1;
	enum { NONE, ONE, RANGE, SOAK, FAILOVER } mode = NONE;

	syn_sim_opts_init(&o, 0);
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(arg, "--verbose") == 0) {
			o.verbose = true;
			continue;
		}
		if (strcmp(arg, "--device") == 0) {
			o.device = true;
			continue;
		}
		if (strcmp(arg, "--cpg") == 0) {
			o.cpg = true;
			continue;
		}
		if (strcmp(arg, "--cmm") == 0) {
			o.cmm = true;
			continue;
		}
		if (strcmp(arg, "--failover") == 0) {
			mode = FAILOVER;
			continue;
		}
		if (val == NULL)
			return usage();
		i++;
		if (strcmp(arg, "--seed") == 0) {
			mode = ONE;
			o.seed = strtoull(val, NULL, 0);
		} else if (strcmp(arg, "--seeds") == 0) {
			mode = RANGE;
			if (sscanf(val, "%" SCNu64 "-%" SCNu64, &a, &b) != 2 || b < a)
				return usage();
		} else if (strcmp(arg, "--soak") == 0) {
			mode = SOAK;
			soak_s = strtol(val, NULL, 10);
		} else if (strcmp(arg, "--nodes") == 0) {
			o.nodes = (uint32_t)strtoul(val, NULL, 10);
			if (o.nodes < 1 || o.nodes > 16)
				return usage();
		} else if (strcmp(arg, "--fault-ms") == 0) {
			o.fault_ms = (uint32_t)strtoul(val, NULL, 10);
		} else if (strcmp(arg, "--quiet-ms") == 0) {
			o.quiet_ms = (uint32_t)strtoul(val, NULL, 10);
		} else {
			return usage();
		}
	}
	switch (mode) {
	case ONE:
		o.trace = true;
		return run_one(&o, true, NULL, NULL) == 0 ? 0 : 1;
	case RANGE:
		return run_range(&o, a, b);
	case SOAK:
		return soak_s > 0 ? soak(&o, soak_s) : usage();
	case FAILOVER:
		return failover();
	default:
		return usage();
	}
}
