/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmm_int.h - internals shared by cmm_roles.c and cmm_wire.c: the node
 * object and the decoded forms of the two CMM messages.
 *
 * The messages' layouts are declared in proto/net_cmm.h.
 */
#ifndef SYN_CORE_CMM_INT_H
#define SYN_CORE_CMM_INT_H

#include "cmm_roles.h"

/* What the sync phase knows of one member of the current view. */
struct syn_cmm_member {
	uint32_t nodeid;
	struct syn_cmm_record rec;
	bool fresh;   /* restarted since it last installed a primary state */
	bool removed; /* removed itself in this incarnation */
	bool synced;  /* its SYNC for the current ring was delivered */
};

struct syn_cmm_sync_msg {
	uint64_t ring_seq;
	struct syn_cmm_record rec;
	bool fresh, removed, master_active;
	struct syn_cmm_state *primary; /* filled when non-NULL and present */
	bool has_primary;
};

struct syn_cmm_req_msg {
	uint64_t ring_seq;
	uint8_t op;
	uint32_t req_id;
	uint32_t target;
	int32_t arg;
};

struct syn_cmm {
	struct syn_cmm_env env;
	uint32_t self;
	size_t n_table;
	struct syn_cmm_node_conf table[SYN_CMM_NODES_MAX];
	struct syn_cmm_record rec;
	bool fresh;
	bool removed;
	struct syn_cmm_state *primary; /* last installed primary state */
	struct syn_cmm_state *local;   /* what local clients see */
	struct syn_cmm_state *next;    /* scratch for a computed state */
	struct syn_cmm_state *best;    /* best P offered during a sync */
	struct syn_cmm_state *tmp;     /* scratch for decoding */
	uint64_t ring_seq;
	bool quorate;
	bool syncing;
	bool non_primary; /* in a non-quorate view after having a cluster */
	bool skipped;	  /* a view went by undecided since the last install */
	bool stale_signalled;
	bool inv_signalled;
	size_t n_members;
	size_t n_synced;
	struct syn_cmm_member members[SYN_CMM_NODES_MAX];
	uint32_t masters_active[SYN_CMM_NODES_MAX];
	size_t n_masters_active;
	struct syn_cmm_node_conf table_in[SYN_CMM_NODES_MAX]; /* a decoded TABLE */
};

int syn_cmm_sync_encode(const struct syn_cmm *c, void *msg, size_t cap, size_t *len);
int syn_cmm_sync_decode(const void *msg, size_t len, struct syn_cmm_sync_msg *out);
int syn_cmm_req_decode(const void *msg, size_t len, struct syn_cmm_req_msg *out);
/* A TABLE message: header into *out, entries into table (capacity SYN_CMM_NODES_MAX). */
int syn_cmm_table_decode(const void *msg, size_t len, struct syn_cmm_req_msg *out,
			 struct syn_cmm_node_conf *table, size_t *n);
/* cmm_table.c: apply a delivered TABLE message (reference 5.4, reload). */
int syn_cmm_table_apply(struct syn_cmm *c, uint32_t sender, const struct syn_cmm_node_conf *table,
			size_t n);
int syn_cmm_table_check(const struct syn_cmm_node_conf *table, size_t n, uint32_t self);
void syn_cmm_table_sort(struct syn_cmm_node_conf *t, size_t n);

#endif /* SYN_CORE_CMM_INT_H */
