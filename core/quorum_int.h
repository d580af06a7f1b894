/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * quorum_int.h - the state of the quorum core, shared by its source
 * files (quorum.c: table, calculation, views and messages;
 * quorum_config.c: start-up and run-time configuration;
 * quorum_device.c: the quorum device).  Not installed, not used outside
 * core/.
 *
 * Invariants: the local node's entry always exists (it is created first
 * and never removed); `members` holds the current view, `prev_members`
 * the one before; the device pseudo-entry is not in the table.
 */
#ifndef SYN_CORE_QUORUM_INT_H
#define SYN_CORE_QUORUM_INT_H

#include "quorum.h"

struct qnode {
	uint32_t nodeid;
	uint32_t state; /* 0 = never seen (device), else SYN_QUORUM_STATE_* */
	uint32_t votes;
	uint32_t expected;
	uint32_t flags;
};

struct syn_quorum {
	struct syn_quorum_env env;
	uint32_t local_nodeid;

	struct qnode *nodes; /* table order (spec 3.4) */
	size_t n_nodes, cap_nodes;
	struct qnode device; /* pseudo-entry, node id 0 */

	/*
	 * What the last quorum notification described: the node table (ids,
	 * states, votes), the device entry's presence, the quorate flag and
	 * our expected votes.  Any difference outside a sync notifies again.
	 */
	struct qnode *sent_nodes;
	size_t n_sent, cap_sent;
	bool sent_valid, sent_quorate, sent_device;
	uint32_t sent_expected;

	uint32_t *members, *prev_members;
	size_t n_members, n_prev, cap_members;
	struct syn_quorum_ring ring;

	uint32_t quorum;
	bool quorate;
	bool wfa_status;
	uint32_t ev_barrier;
	uint32_t evt_barrier;
	bool have_lowest;
	uint32_t lowest_node_id, highest_node_id;

	/* options */
	bool two_node;
	bool wfa, wfa_autoset;
	bool lms;
	uint32_t lms_window_ms;
	enum syn_quorum_atb atb, atb_startup;
	uint32_t atb_list[SYN_QUORUM_ATB_MAX];
	size_t n_atb;
	bool atb_published;
	bool allow_downscale;
	bool evt;

	/* device */
	bool have_device;
	bool qdevice_can_operate;
	uint32_t device_timeout_ms, device_sync_timeout_ms;
	char device_name[SYN_QUORUM_NAME_MAX + 1]; /* cluster-wide, "" = none */
	bool master_wins, master_wins_published;
	bool register_pending;
	/*
	 * The device's vote counts only in the view of the poll that cast it:
	 * set by a poll with cast_vote (its ring id is the current one),
	 * cleared when a view with another ring id starts.
	 */
	bool vote_in_view;

	/* synchronisation and deadlines */
	bool sync_in_progress;
	bool sync_sent;
	bool sync_wait_device;
	uint64_t lms_deadline, device_deadline, sync_deadline;

	const char *cause; /* why the current calculation runs, for the log */
};

/* quorum.c */
struct qnode *syn_quorum_find(struct syn_quorum *q, uint32_t nodeid);
struct qnode *syn_quorum_us(struct syn_quorum *q);
bool syn_quorum_device_counts(const struct syn_quorum *q);
void syn_quorum_recalculate(struct syn_quorum *q, bool allow_decrease, bool by_current);
void syn_quorum_send_nodeinfo(struct syn_quorum *q, uint32_t nodeid);
void syn_quorum_emit(struct syn_quorum *q, struct syn_quorum_event *ev);
void syn_quorum_notify_changes(struct syn_quorum *q);
void syn_quorum_logf(struct syn_quorum *q, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* quorum_config.c */
int syn_quorum_config_apply(struct syn_quorum *q, const struct syn_quorum_config *cfg, char *reason,
			    size_t reason_len);

/* quorum_device.c */
void syn_quorum_device_deliver(struct syn_quorum *q, uint32_t sender,
			       const struct syn_quorum_msg *msg);

#endif /* SYN_CORE_QUORUM_INT_H */
