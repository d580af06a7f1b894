/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svc_cmm_int.h - internals of the CMM service shared by svc_cmm.c (IPC,
 * cluster glue) and svc_cmm_table.c (configuration, persistent record).
 */
#ifndef SYN_DAEMON_SVC_CMM_INT_H
#define SYN_DAEMON_SVC_CMM_INT_H

#include <cmm.h>

#include "cmm_roles.h"
#include "cmm_verdict.h"
#include "cluster.h"
#include "ipc.h"
#include "loop.h"
#include "store.h"
#include "svc_cmm.h"

struct syn_svc_cmm_node {
	struct syn_cmm_node_conf conf;
	char name[CMM_MAX_NAME_SIZE];
	char addr[CMM_MAX_ADDR_SIZE];
};

/* Room for one "cmm: state" log line (about 16 bytes per node). */
#define SYN_CMM_STATE_LINE_MAX (64 + 24 * SYN_CMM_NODES_MAX)

struct cmm_pending;
struct cmm_conn;

struct syn_svc_cmm {
	struct syn_loop *loop;
	struct syn_store *icmap;
	struct syn_cluster *cluster;
	struct syn_cmm *core;
	uint32_t self;
	uint32_t domain_id;
	uint32_t stale_timeout_ms;
	char swload[CMM_MAX_SWLOADID_SIZE];
	char state_dir[512];
	size_t n_nodes;
	struct syn_svc_cmm_node nodes[SYN_CMM_NODES_MAX];
	struct cmm_conn *subscribers;
	struct cmm_pending *pending;
	uint32_t next_req_id;
	struct syn_timer stale_timer;
	bool have_view;
	/*
	 * Quorum source: votequorum's verdicts agreed through VERDICT
	 * messages (cmm_verdict.h), or, without votequorum, a strict
	 * majority of the node table in the view.
	 */
	bool follow_votequorum;
	bool awaiting_verdict; /* the current view's flag is not agreed yet */
	bool report_known;     /* votequorum's latest local verdict ... */
	bool report_quorate;
	uint64_t report_ring; /* ... and the ring it is for */
	bool sent_known;      /* the last VERDICT this node sent */
	bool sent_quorate;
	uint64_t sent_ring;
	struct syn_cmm_verdicts verdicts;
	char *state_line;	   /* the last state logged (state_log) */
	struct syn_node_view view; /* members copied below */
	uint32_t view_members[SYN_CMM_NODES_MAX];
	uint8_t msg[SYN_CMM_MSG_MAX];
};

int syn_svc_cmm_table_read(struct syn_svc_cmm *svc, const struct syn_store *icmap);
/* Read the node table alone into nodes (capacity SYN_CMM_NODES_MAX). */
int syn_svc_cmm_table_load(const struct syn_store *icmap, struct syn_svc_cmm_node *nodes, size_t *n,
			   uint32_t *domain_id);
const struct syn_svc_cmm_node *syn_svc_cmm_node(const struct syn_svc_cmm *svc, uint32_t nodeid);
void syn_svc_cmm_record_load(const struct syn_svc_cmm *svc, struct syn_cmm_record *rec);
int syn_svc_cmm_record_save(const struct syn_svc_cmm *svc, const struct syn_cmm_record *rec);

#endif /* SYN_DAEMON_SVC_CMM_INT_H */
