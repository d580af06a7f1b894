/*
 * sim_int.h - internals shared by the simulator's world (sim.c) and its
 * invariant checker (check.c).
 */
#ifndef SYN_SIM_INT_H
#define SYN_SIM_INT_H

#include "membership.h"
#include "sim.h"

#define SIM_MAX_NODES 16
/* Longest message the simulated application submits (bytes). */
#define SIM_MAX_MSG 1500
#define SIM_NEVER UINT64_MAX
#define SIM_TRACE_LINES 400

struct sim_world;

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

#endif
