/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim_cmm.h - the CMM service of a simulated node (cmm_node.c) and what
 * its checker (cmm_check.c) reads of it.
 *
 * One struct sim_cmm per node, allocated at the node's first start and
 * kept across crashes: it holds the persistent record (the daemon's state
 * file) next to the running service, which a crash destroys.
 */
#ifndef SYN_SIM_CMM_H
#define SYN_SIM_CMM_H

#include "cmm_node.h"
#include "cmm_verdict.h"
#include "sim_int.h"

struct sim_cmm {
	struct sim_node *nd;
	struct syn_cmm_node *core; /* NULL while the node is down */
	struct syn_cmm_record rec; /* persisted: survives crashes */
	struct sim_cout *out_head, **out_tail;
	/* the checker's own account of the node's current ring */
	bool have_ring;
	uint64_t ring_seq;
	uint32_t ring_rep;
	size_t n_members;
	uint32_t members[SIM_MAX_NODES];
	int8_t verdict[SIM_MAX_NODES + 1]; /* latest VERDICT delivered per member: -1 none */
	uint64_t ring_key;		   /* the ring's id and members, hashed */
	uint64_t msg_hash;		   /* ... then the CMM messages delivered in it, chained */
};

/* The node table every node runs with (drawn once per run from the seed). */
size_t sim_cmm_table(struct sim_world *w, struct syn_cmm_node_conf *table);
/* ... and the mode (drawn once per run from the seed). */
enum syn_cmm_node_mode sim_cmm_mode(const struct sim_world *w);

/* cmm_check.c: after every input a node's CMM handled, and at the end. */
uint64_t sim_cmm_ring_key(struct sim_world *w, uint64_t ring_seq, uint32_t ring_rep,
			  const uint32_t *members, size_t n);
void sim_cmm_check_view(struct sim_cmm *m, uint64_t ring_seq, uint32_t ring_rep, uint64_t ring_key,
			const uint32_t *members, size_t n);
void sim_cmm_check_deliver(struct sim_cmm *m, uint32_t sender, const void *msg, size_t len);
void sim_cmm_check_state(struct sim_cmm *m);
/* votequorum's verdict as the node core relays it. */
void sim_cmm_check_report(struct sim_node *nd, bool quorate, uint64_t ring_seq);

#endif /* SYN_SIM_CMM_H */
