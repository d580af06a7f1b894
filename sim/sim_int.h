/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim_int.h - internals shared by the simulator's world (sim.c) and its
 * invariant checker (check.c).
 */
#ifndef SYN_SIM_INT_H
#define SYN_SIM_INT_H

#include "cpg_groups.h"
#include "membership.h"
#include "node.h"
#include "quorum.h"
#include "quorum_drive.h"
#include "sim.h"

#define SIM_MAX_NODES 16
/* Longest message the simulated application submits (bytes). */
#define SIM_MAX_MSG 1500
#define SIM_NEVER UINT64_MAX
#define SIM_TRACE_LINES 400
/*
 * Channels of the node core (proto/net_cluster.h): the random application
 * traffic on SYN_CLUSTER_MSG_TEST, the services on the daemon's channels.
 */
/* Simulated processes per node, and the groups they join. */
#define SIM_CPG_PROCS 3
#define SIM_CPG_GROUPS 2
#define SIM_CPG_MAX_MEMBERS (SIM_MAX_NODES * SIM_CPG_PROCS)

/*
 * The quorum option combination of a run, drawn from the seed, and which
 * promises it makes (docs/quorum.md): Q1 no two quorate nodes in disjoint
 * views, Q2 agreement once views converged, Q3 quorate once every node is
 * back, W1 (two_node) quorate only after seeing the peer.
 */
struct sim_qcfg {
	const char *name;
	uint32_t votes[SIM_MAX_NODES + 1];
	uint32_t expected_votes; /* 0: from the nodelist */
	bool two_node, wfa_set, wfa, lms, atb, ad, evt;
	bool device; /* a quorum device on every node, one arbiter */
	uint32_t lms_window_ms;
	char atb_node[96];
	bool partitions;       /* faults may cut the network (else crashes, pauses, loss) */
	bool cut_when_settled; /* ... only from one view every node agrees on */
	bool short_pauses;     /* pauses end before the failure timeout (no cut in disguise) */
	bool check_split, check_agree, check_live, check_two_node;
};

struct sim_world;
struct sim_node;
struct sim_cmm;
struct sim_cmm_check;

/*
 * One service every simulated node runs on its node core (the daemon's
 * main.c table, in small): started in table order after the node core is
 * created (start registers its syn_node_service), stopped before it is
 * destroyed, and after every input to the node (after) once the node's
 * events were handed out: re-arm timers, retry sends.
 */
struct sim_service {
	const char *name;
	bool (*wanted)(const struct sim_world *w);
	int (*start)(struct sim_node *nd);
	void (*stop)(struct sim_node *nd);
	void (*after)(struct sim_node *nd);
};

/* A simulated process: one connection, in at most one group at a time (daemon/svc_cpg.c). */
enum { SIM_CP_UNJOINED, SIM_CP_JOIN_STARTED, SIM_CP_JOIN_COMPLETED, SIM_CP_LEAVE_STARTED };

struct sim_cproc {
	uint32_t pid;
	int state;
	uint32_t group;
	uint64_t sent; /* numbered messages sent in the group, this process */
	/* what the process saw: its current configuration of the group */
	bool have_conf;
	uint64_t conf_key;
	uint64_t n_in, h_in; /* messages delivered in it: count, hash chain */
	size_t n_conf;
	struct syn_cpg_member conf[SIM_CPG_MAX_MEMBERS];
};

/* A queued outgoing CPG or CMM message, waiting for room in the send queue. */
struct sim_cout {
	struct sim_cout *next;
	size_t len;
	uint8_t data[];
};

/* Checker records: one per configuration transition, one per activated ring. */
struct sim_ctrans {
	uint64_t from, to;
	uint64_t n, h;
	uint32_t nodeid, pid;
};

struct sim_cact {
	struct syn_mem_ring_id ring;
	uint64_t table_hash;
	uint32_t nodeid;
};

/* The quorum device's arbiter (quorum_device.c). */
struct sim_arbiter {
	bool granted;
	struct syn_quorum_ring grant;			/* the one ring holding the vote */
	bool connected[SIM_MAX_NODES + 1];		/* the node's client is connected */
	uint32_t epoch[SIM_MAX_NODES + 1];		/* ... in this incarnation */
	struct syn_quorum_ring seen[SIM_MAX_NODES + 1]; /* the ring it last reported */
	uint64_t grants;
};

struct sim_ring_rec {
	struct syn_mem_ring_id ring;
	uint32_t n;
	uint32_t members[SIM_MAX_NODES];
	uint32_t epochs[SIM_MAX_NODES];
	uint64_t n_msgs, cap_msgs;
	struct sim_msg *msgs; /* the agreed sequence, as first delivered */
};

struct sim_msg {
	uint32_t sender;
	uint32_t epoch;
	uint64_t counter;
};

struct sim_pair {
	struct syn_mem_ring_id prev, next;
	uint64_t delivered; /* messages of prev delivered before next */
};

struct sim_node {
	struct sim_world *w;
	uint32_t id;
	uint32_t epoch;
	struct syn_node *node; /* the node core: membership, mux, services */
	uint64_t paused_until;
	uint64_t clock_off;
	uint64_t rate_ppm;
	uint64_t timer_at;
	uint64_t timer_gen;
	uint64_t timer_same; /* timer fires in a row at one instant */
	/* checker state for the current incarnation */
	bool has_view;
	uint64_t ring_idx; /* into w->rings */
	uint64_t delivered_in_view;
	uint64_t msg_counter;		       /* app messages submitted */
	uint64_t own_delivered;		       /* highest own counter delivered */
	uint64_t last_from[SIM_MAX_NODES + 1]; /* per sender: counter, this epoch */
	uint32_t last_from_epoch[SIM_MAX_NODES + 1];
	uint8_t *any; /* any[c]: own message c delivered by some node */
	uint64_t cap_any;
	/* the node's quorum service (quorum_node.c) */
	struct syn_quorum *q;
	struct syn_quorum_drive qd;
	uint64_t qtimer_at, qtimer_gen;
	uint32_t evt_barrier; /* persisted across restarts, like the state file */
	bool saw_all;	      /* this incarnation's quorum had a view of every node */
	bool q_quorate;	      /* as the checker last saw it */
	/* its quorum device client (quorum_device.c) */
	bool dev_have_ring;
	struct syn_quorum_ring dev_ring; /* of the last node list it saw */
	uint32_t dev_vote;
	/* its CPG service (cpg_node.c) */
	struct syn_cpg *cpg;
	const void *c_joinlist; /* owned by the CPG core, not yet sent */
	size_t c_joinlist_len;
	struct sim_cout *c_out, **c_out_tail;
	uint32_t c_spawn; /* processes started this incarnation */
	struct sim_cproc cproc[SIM_CPG_PROCS];
	/* the place in the agreed order of the event the CPG core is handling */
	struct syn_mem_ring_id c_ring, c_prev;
	uint64_t c_seq;
	uint32_t c_ord[SIM_CPG_GROUPS]; /* CONFCHGs of each group at that place */
	struct sim_cmm *cmm;		/* its CMM service (cmm_node.c), kept across crashes */
};

struct sim_ev {
	uint64_t t;
	uint64_t seq;
	uint8_t type;
	uint32_t node;
	uint32_t src;
	uint64_t gen;
	uint8_t *pkt;
	uint32_t len;
};

struct sim_world {
	const struct syn_sim_opts *o;
	struct syn_sim_result *r;
	uint64_t rng[4];
	uint64_t now;
	uint64_t ev_seq;
	struct sim_ev *heap;
	size_t n_heap, cap_heap;
	uint32_t n;
	struct sim_node node[SIM_MAX_NODES + 1]; /* 1-based */
	bool link_up[SIM_MAX_NODES + 1][SIM_MAX_NODES + 1];
	uint64_t delay_us[SIM_MAX_NODES + 1][SIM_MAX_NODES + 1];
	uint32_t loss_ppm, dup_ppm, garble_ppm;
	uint32_t alloc_fail_ppm; /* while a core handles an input */
	bool in_core;
	uint64_t jitter_us;
	bool faults; /* fault phase */
	uint64_t quiet_at, check_at, end_at;
	uint64_t last_view_at;
	bool failed;
	struct syn_mem_config cfg;
	struct sim_qcfg qcfg;
	struct sim_arbiter arb;
	bool q_dirty;  /* a quorum core ran since the last check */
	uint64_t qrng; /* the quorum options' own stream: the network's stays as it was */
	/* CPG checker (cpg_check.c) */
	struct sim_ctrans *ctrans; /* open addressing on (from, to); 0 from = empty */
	uint64_t n_ctrans, cap_ctrans;
	struct sim_cact *cacts;
	uint64_t n_cacts, cap_cacts;
	struct sim_cmm_check *cmm_check; /* CMM checker (cmm_check.c) */
	/* checker */
	struct sim_ring_rec *rings;
	uint64_t n_rings, cap_rings;
	struct sim_pair *pairs;
	uint64_t n_pairs, cap_pairs;
	/* trace ring buffer */
	char (*trace)[160];
	uint64_t n_trace;
	uint64_t views_seen;
};

uint64_t sim_rand(struct sim_world *w);
uint64_t sim_range(struct sim_world *w, uint64_t lo, uint64_t hi);
void sim_trace(struct sim_world *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sim_fail(struct sim_world *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

uint32_t syn_sim_bound_ms(const struct syn_mem_config *c, const struct syn_sim_opts *o);

/* check.c */
void sim_check_view(struct sim_node *nd, const struct syn_mem_view_event *ev);
void sim_check_deliver(struct sim_node *nd, const struct syn_mem_deliver_event *ev);
void sim_check_converged(struct sim_world *w, bool final);
void sim_check_free(struct sim_world *w);

/* sim.c, for quorum_node.c */
uint64_t sim_local_now(const struct sim_node *nd);
uint64_t sim_global_at(const struct sim_node *nd, uint64_t local_us);
void sim_schedule(struct sim_world *w, uint64_t t, uint8_t type, uint32_t node, uint64_t gen);
void sim_schedule_src(struct sim_world *w, uint64_t t, uint8_t type, uint32_t node, uint32_t src,
		      uint64_t gen);
void sim_node_crash(struct sim_node *nd);
/* The node core's membership stats of a running node. */
void sim_node_stats(const struct sim_node *nd, struct syn_mem_stats *out);
enum {
	SIM_EV_QTIMER = 100,
	SIM_EV_WAKE,
	SIM_EV_LEAVE_DONE,
	SIM_EV_DEV_REPORT,
	SIM_EV_DEV_ANSWER,
	SIM_EV_CPG_ACT
};

/* quorum_node.c: the quorum service of each node, driven like the daemon's */
/*
 * mode < 0: drawn from the seed; may set w->n (two_node runs on two nodes);
 * SIM_QUORUM_DEVICE: the quorum device, never drawn.
 */
#define SIM_QUORUM_DEVICE 11
void sim_quorum_choose(struct sim_world *w, uint64_t seed, int mode);
extern const struct sim_service sim_quorum_service;
void sim_quorum_timer(struct sim_node *nd, uint64_t gen);
bool sim_quorum_leave(struct sim_node *nd);
void sim_quorum_describe(const struct sim_qcfg *c, uint32_t n, char *buf, size_t len);

/* quorum_device.c: the device client of each node and the arbiter */
int sim_device_start(struct sim_node *nd);
void sim_device_stop(struct sim_node *nd);
void sim_device_nodelist(struct sim_node *nd, struct syn_quorum_ring ring);
void sim_device_report(struct sim_world *w, uint32_t id, uint32_t src, uint64_t seq);
void sim_device_answer(struct sim_node *nd, uint32_t src, uint64_t seq);

/* quorum_check.c */
void sim_quorum_check_step(struct sim_world *w);
void sim_quorum_check_converged(struct sim_world *w, bool final);
bool sim_quorum_settled(struct sim_world *w);

/* cpg_node.c: the CPG service of each node and its processes, driven like the daemon's */
extern const struct sim_service sim_cpg_service;
void sim_cpg_act(struct sim_node *nd, uint64_t gen);

/* cpg_check.c */
uint64_t sim_cpg_conf_key(struct sim_node *nd, uint32_t group, const struct syn_cpg_member *members,
			  size_t n);
void sim_cpg_check_transition(struct sim_node *nd, const struct sim_cproc *p, uint64_t to);
void sim_cpg_check_activated(struct sim_node *nd, uint64_t ring_seq, uint32_t ring_rep);
void sim_cpg_check_converged(struct sim_world *w);
void sim_cpg_check_free(struct sim_world *w);
uint64_t sim_cpg_hash(uint64_t h, const void *data, size_t len);

/* cmm_node.c: the CMM service of each node (core/cmm_node.h); cmm_check.c */
extern const struct sim_service sim_cmm_service;
/* Free the node's CMM for good (its record survives crashes): at the end of the run. */
void sim_cmm_free(struct sim_node *nd);
void sim_cmm_check_converged(struct sim_world *w);
void sim_cmm_check_free(struct sim_world *w);

#endif
