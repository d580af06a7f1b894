/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim.h - the deterministic cluster simulator for the membership core.
 *
 * One process runs many cores against a simulated network and a virtual
 * clock.  Everything random comes from one seeded generator, so a seed
 * replays exactly.  The invariants of docs/membership.md are checked after
 * every step; the first violation stops the run and is reported with the
 * seed and, when tracing, the last events that led to it.  Every node also
 * runs the votequorum core on its views and ordered broadcast, with an
 * option combination drawn from the seed, and the quorum's promises
 * (docs/quorum.md) are checked the same way.  With the CPG option every
 * node also runs the CPG core with a few processes joining groups and
 * sending, and group membership's promises are checked too.
 */
#ifndef SYN_SIM_H
#define SYN_SIM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct syn_sim_opts {
	uint64_t seed;
	uint32_t nodes;	   /* 0: drawn from the seed, 3..16 */
	uint32_t fault_ms; /* virtual time with faults injected */
	uint32_t quiet_ms; /* convergence bound after faults stop; 0: from the config */
	bool trace;	   /* keep a trace and print its tail on failure */
	bool verbose;	   /* print every trace line as it happens */
	bool device; /* quorum device runs (sim/quorum_device.c) instead of the drawn options */
	bool cpg;    /* every node runs the CPG service with processes (sim/cpg_node.c) */
	bool cmm;    /* every node runs the CMM service (sim/cmm_node.c) */
	FILE *out;
};

struct syn_sim_result {
	bool ok;
	char failure[512];
	uint32_t nodes;
	uint64_t events;
	uint64_t views;
	uint64_t delivered;
	uint64_t submitted;
	uint64_t converge_ms; /* from faults stopping to the final view */
	char quorum[200];     /* the quorum option combination of the run */
	uint64_t q_delivered; /* quorum messages delivered */
	uint64_t q_flips;     /* quorate changes seen by the checker */
	uint64_t fenced;      /* nodes fenced by a quorate partition */
	uint64_t c_delivered; /* CPG messages delivered to processes */
	uint64_t c_confchgs;  /* CPG configuration changes seen by processes */
	uint64_t c_compared;  /* ... of which checked against another process's */
	uint64_t c_activated; /* CPG syncs activated */
	uint64_t c_waiting;   /* processes whose join or leave never came back */
	uint64_t m_applied;   /* CMM views that reached the role logic */
	uint64_t m_primary;   /* settled primary CMM states checked (C1, C2) */
	uint64_t m_masters;   /* runs ending in a quorate view with an eligible node (C4) */
};

void syn_sim_opts_init(struct syn_sim_opts *o, uint64_t seed);
/* Run one seed.  Returns 0, or -ENOMEM if the simulator itself ran out. */
int syn_sim_run(const struct syn_sim_opts *o, struct syn_sim_result *r);

/*
 * Failover measurement: n nodes, no faults until they agree, then the
 * leader (victim_leader) or another member crashes.  *detect_ms is the
 * time from the crash until every survivor installed the next view.
 * *spurious counts view changes seen while one node is paused for
 * pause_ms afterwards (0 pause_ms skips that part).
 */
int syn_sim_failover(uint64_t seed, uint32_t n, bool victim_leader, uint32_t pause_ms,
		     uint64_t *detect_ms, uint64_t *spurious);

#endif
