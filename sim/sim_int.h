/*
 * sim_int.h - internals shared by the simulator's world (sim.c) and its
 * invariant checker (check.c).
 */
#ifndef SYN_SIM_INT_H
#define SYN_SIM_INT_H

#include "membership.h"
#include "quorum.h"
#include "quorum_drive.h"
#include "sim.h"

#define SIM_MAX_NODES 16
/* Longest message the simulated application submits (bytes). */
#define SIM_MAX_MSG 1500
#define SIM_NEVER UINT64_MAX
#define SIM_TRACE_LINES 400
/* First byte of a quorum message on the broadcast; app messages start with a node id. */
#define SIM_QUORUM_TAG 0xa5

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
	bool check_split, check_agree, check_live, check_two_node;
};

/* A membership event waiting for the node's quorum service. */
struct sim_qev {
	struct sim_qev *next;
	bool is_view;
	struct syn_quorum_ring ring;
	uint32_t sender;
	size_t n; /* members, or message length */
	uint32_t members[SIM_MAX_NODES];
	uint8_t data[];
};

struct sim_world;

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
	struct syn_mem *core;
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
	bool q_attached; /* else its messages are delivered locally, as before attach */
	bool q_draining;
	struct sim_qev *qev_head, **qev_tail;
	uint64_t qtimer_at, qtimer_gen;
	uint32_t evt_barrier; /* persisted across restarts, like the state file */
	bool saw_all;	      /* this incarnation's quorum had a view of every node */
	bool q_quorate;	      /* as the checker last saw it */
	/* its quorum device client (quorum_device.c) */
	bool dev_have_ring;
	struct syn_quorum_ring dev_ring; /* of the last node list it saw */
	uint32_t dev_vote;
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
enum { SIM_EV_QTIMER = 100, SIM_EV_LEAVE_DONE, SIM_EV_DEV_REPORT, SIM_EV_DEV_ANSWER };

/* quorum_node.c: the quorum service of each node, driven like the daemon's */
/*
 * mode < 0: drawn from the seed; may set w->n (two_node runs on two nodes);
 * SIM_QUORUM_DEVICE: the quorum device, never drawn.
 */
#define SIM_QUORUM_DEVICE 11
void sim_quorum_choose(struct sim_world *w, uint64_t seed, int mode);
int sim_quorum_start(struct sim_node *nd);
void sim_quorum_stop(struct sim_node *nd);
void sim_quorum_on_view(struct sim_node *nd, const struct syn_mem_view_event *ev);
void sim_quorum_on_deliver(struct sim_node *nd, const struct syn_mem_deliver_event *ev);
void sim_quorum_after_core(struct sim_node *nd);
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

#endif
