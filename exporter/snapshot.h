/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * snapshot.h - one reading of a synod daemon's state, as the exporter
 * collects it (collect.c) and turns it into metrics (metrics.c).
 *
 * Plain data, no pointers: a snapshot can be copied between threads.
 * Every group of fields has a have_ flag, false when the daemon did not
 * answer that part (e.g. no votequorum when another quorum provider is
 * configured); metrics.c leaves such families out rather than invent
 * zeros.  When up is false nothing else is meaningful.
 */
#ifndef SYN_EXP_SNAPSHOT_H
#define SYN_EXP_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>

#define SYN_EXP_MAX_NODES 64
#define SYN_EXP_MAX_LINKS 8 /* CFG_MAX_LINKS */
#define SYN_EXP_MAX_SERVICES 16
#define SYN_EXP_MAX_MESSAGE_KINDS 16

struct syn_exp_link {
	bool enabled;	/* configured towards this node */
	bool connected; /* knet sees it up */
	bool have_latency;
	uint32_t latency_ave_us;
	uint32_t latency_max_us;
	bool have_down_count;
	uint32_t down_count;
};

struct syn_exp_node {
	uint32_t nodeid;
	char name[128]; /* nodelist name, else ring0_addr, else the id */
	bool member;	/* in the current view */
	bool local;
	bool have_votes;
	uint32_t votes;
	bool have_links;
	bool reachable;
	struct syn_exp_link links[SYN_EXP_MAX_LINKS];
};

struct syn_exp_service {
	char name[32];
	uint32_t id;
	uint32_t connections;
	uint64_t overloads; /* per-connection overload counters, summed */
	uint32_t n_message_kinds;
	uint64_t rx[SYN_EXP_MAX_MESSAGE_KINDS];
	uint64_t tx[SYN_EXP_MAX_MESSAGE_KINDS];
};

struct syn_exp_snapshot {
	bool up;
	double collect_seconds;

	bool have_uptime;
	uint64_t uptime_ms;

	uint32_t local_nodeid;
	bool have_ring;
	char ring_id[48]; /* "rep.seq" in hex, as synod-quorumtool prints it */
	uint32_t ring_rep;
	uint64_t ring_seq;
	uint32_t n_members;
	bool have_views;
	uint64_t views_installed;

	bool have_quorate;
	bool quorate;
	bool have_votes;
	uint32_t expected_votes;
	uint32_t highest_expected;
	uint32_t total_votes;
	uint32_t quorum;
	bool qdevice_registered;
	uint32_t qdevice_votes;

	uint32_t n_nodes;
	struct syn_exp_node nodes[SYN_EXP_MAX_NODES];
	char local_addr[SYN_EXP_MAX_LINKS][64]; /* the local node's ringN_addr */

	bool have_ipc;
	uint64_t ipc_active;
	uint64_t ipc_closed;
	uint64_t ipc_overload_disconnects;
	uint64_t ipc_queued_bytes;
	uint32_t n_services;
	struct syn_exp_service services[SYN_EXP_MAX_SERVICES];

	bool have_cmap;
	uint64_t cmap_keys;
	uint64_t cmap_stats_keys;

	bool have_cpg;
	uint32_t cpg_groups;
	uint32_t cpg_members;
};

#endif
