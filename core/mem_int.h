/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mem_int.h - internal state of the membership core, shared by its three
 * files: membership.c (API, dispatch, timers), mem_gather.c (forming views)
 * and mem_order.c (the ordered log inside a view).  Nothing here is part
 * of the API.
 */
#ifndef SYN_CORE_MEM_INT_H
#define SYN_CORE_MEM_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "membership.h"
#include "proto/net_membership.h"

#define SYN_MEM_NEVER UINT64_MAX

/* One ordered message.  Allocated in one block with its data. */
struct syn_mem_entry {
	uint64_t msg_id;
	uint32_t sender;
	uint32_t sender_epoch;
	uint32_t frag; /* wire fragment field, 0 for a whole message */
	uint32_t len;
	unsigned char data[];
};

/*
 * The ordered log of one ring.  Slot i holds seq base + i or NULL.
 * Invariant: delivered <= have <= high, and every seq in (base-1, have]
 * is present; seqs below base were delivered and are stable.
 */
struct syn_mem_log {
	struct syn_mem_ring_id ring;
	uint64_t base;
	uint64_t have;
	uint64_t high;
	uint64_t delivered;
	uint64_t msgs_delivered; /* whole messages, the seq of deliver events */
	uint32_t cap;
	struct syn_mem_entry **slot;
};

/* A member of the installed view. */
struct syn_mem_peer {
	uint32_t nodeid;
	uint32_t epoch;
	uint32_t join_counter; /* its JOIN counter when it accepted this view */
	uint64_t last_heard_us;
	uint64_t have;	      /* leader: what it acknowledged */
	uint64_t next_msg_id; /* leader: next SUBMIT id to order, 0 = unknown */
	/*
	 * at msg_id % SYN_MEM_MAX_WINDOW: leader: SUBMITs that arrived early;
	 * member: SUBMITs (its own too) held until their ORDER_REF
	 */
	struct syn_mem_entry *early[SYN_MEM_MAX_WINDOW];
};

/* A node heard gathering (JOIN or PROPOSE) in the current GATHER round. */
struct syn_mem_cand {
	uint32_t nodeid;
	uint32_t epoch;
	uint64_t heard_us;
};

/* Last JOIN counter per node incarnation, to drop reordered JOINs. */
struct syn_mem_known {
	uint32_t nodeid;
	uint32_t epoch;
	uint32_t join_counter;
};

/* The coordinator's view of its outstanding proposal. */
struct syn_mem_prop {
	bool active;
	uint32_t n;
	uint64_t started_us;
	struct syn_mem_commit_entry e[SYN_MEM_MAX_NODES]; /* target = reported have */
	bool accepted[SYN_MEM_MAX_NODES];
	bool heard[SYN_MEM_MAX_NODES]; /* JOIN or ACCEPT since the proposal */
};

/* A queued message; it uses ids first_id .. first_id + n_frags - 1. */
struct syn_mem_pending {
	uint64_t first_id;
	uint32_t n_frags;
	uint32_t len;
	unsigned char *data;
};

/* A message being reassembled from one sender's fragments. */
struct syn_mem_reasm {
	uint32_t sender;
	uint32_t epoch;
	uint64_t first_id;
	uint32_t count;
	uint32_t next; /* index of the next fragment expected */
	uint32_t len;
	uint32_t cap;
	unsigned char *data;
};

struct syn_mem {
	struct syn_mem_config cfg;
	struct syn_mem_env env;
	uint32_t self;
	uint32_t epoch;
	enum syn_mem_state state;
	uint64_t last_now_us;
	uint64_t max_seq; /* highest ring seq seen anywhere */
	uint32_t join_counter;

	/* installed view */
	bool has_view;
	struct syn_mem_ring_id ring;
	uint32_t n_peers;
	struct syn_mem_peer peers[SYN_MEM_MAX_NODES];
	uint32_t leader_idx;

	struct syn_mem_log log;	 /* ring of the installed view */
	struct syn_mem_log prev; /* the view before, kept to serve recovery */

	/* GATHER */
	uint32_t n_cand;
	struct syn_mem_cand cand[SYN_MEM_MAX_NODES];
	uint64_t gather_start_us;
	uint64_t cand_changed_us;
	uint32_t n_known;
	struct syn_mem_known known[SYN_MEM_MAX_NODES];

	/* ACCEPTED / RECOVER */
	struct syn_mem_ring_id acc_ring;
	uint32_t acc_proposer;
	struct syn_mem_prop prop;
	uint32_t n_commit;
	struct syn_mem_commit_entry commit[SYN_MEM_MAX_NODES];
	uint32_t commit_self; /* index of the local node in commit[] */

	/* timers, absolute, SYN_MEM_NEVER when off */
	uint64_t t_join;
	uint64_t t_consensus;
	uint64_t t_retrans;
	uint64_t t_hb;
	uint64_t t_submit;

	/* send queue: a ring buffer of cfg.send_queue_max entries */
	struct syn_mem_pending *pend;
	uint32_t pend_head;
	uint32_t pend_len;
	uint64_t next_msg_id;
	uint64_t sent_upto;	   /* highest msg id sent to the leader in this view */
	uint64_t own_delivered_id; /* own msg ids up to here need no sending (mem_frag.c) */
	uint64_t acked_have;	   /* member: the have of its last ACK in this view */

	/* partly reassembled messages, at most one per sender */
	uint32_t n_reasm;
	struct syn_mem_reasm reasm[SYN_MEM_MAX_NODES];

	/* per sender, the highest message id held in order (sorted by id) */
	uint32_t n_seen;
	struct syn_mem_seen seen[SYN_MEM_MAX_NODES];

	struct syn_mem_stats stats;
	uint32_t scratch_a[SYN_MEM_MAX_NODES];
	uint32_t scratch_b[SYN_MEM_MAX_NODES];
	uint32_t scratch_c[SYN_MEM_MAX_NODES];
	uint8_t *tx; /* SYN_MEM_WIRE_MAX bytes */
};

/* membership.c */
void *syn_mem__alloc(struct syn_mem *m, size_t size);
void syn_mem__free(struct syn_mem *m, void *p);
void syn_mem__log(struct syn_mem *m, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void syn_mem__send(struct syn_mem *m, uint32_t dest, size_t len);
struct syn_mem_wire_src syn_mem__src(const struct syn_mem *m);
int syn_mem__peer_find(const struct syn_mem *m, uint32_t nodeid);
bool syn_mem__ring_eq(const struct syn_mem_ring_id *a, const struct syn_mem_ring_id *b);

/* mem_gather.c */
void syn_mem__gather_enter(struct syn_mem *m, uint64_t now, const char *why);
void syn_mem__gather_on_join(struct syn_mem *m, uint64_t now, const struct syn_mem_pkt *p);
void syn_mem__gather_on_propose(struct syn_mem *m, uint64_t now, const struct syn_mem_pkt *p);
void syn_mem__gather_on_accept(struct syn_mem *m, uint64_t now, const struct syn_mem_pkt *p);
void syn_mem__gather_on_commit(struct syn_mem *m, uint64_t now, const struct syn_mem_pkt *p);
void syn_mem__gather_timeout(struct syn_mem *m, uint64_t now);
uint64_t syn_mem__gather_deadline(const struct syn_mem *m);
void syn_mem__recover_progress(struct syn_mem *m, uint64_t now);

/* mem_order.c */
void syn_mem__log_init(struct syn_mem_log *l, const struct syn_mem_ring_id *ring);
void syn_mem__log_fini(struct syn_mem *m, struct syn_mem_log *l);
const struct syn_mem_entry *syn_mem__log_get(const struct syn_mem_log *l, uint64_t seq);
void syn_mem__log_deliver_upto(struct syn_mem *m, uint64_t upto);
int syn_mem__order_on_packet(struct syn_mem *m, uint64_t now, const struct syn_mem_pkt *p);
void syn_mem__order_timeout(struct syn_mem *m, uint64_t now);
uint64_t syn_mem__order_deadline(const struct syn_mem *m);
void syn_mem__order_installed(struct syn_mem *m, uint64_t now);
void syn_mem__order_reset_peers(struct syn_mem *m);
void syn_mem__pending_pop_upto(struct syn_mem *m, uint64_t msg_id);
void syn_mem__order_flush_pending(struct syn_mem *m, uint64_t now);
void syn_mem__order_foreign(struct syn_mem *m, uint64_t now, const struct syn_mem_pkt *p);
void syn_mem__order_retrans_serve(struct syn_mem *m, const struct syn_mem_pkt *p);

/* mem_frag.c */
uint32_t syn_mem__frag_count(const struct syn_mem *m, size_t len);
void syn_mem__frag_piece(const struct syn_mem *m, const struct syn_mem_pending *p, uint32_t i,
			 const unsigned char **data, uint32_t *len, uint32_t *frag);
int syn_mem__frag_deliver(struct syn_mem *m, const struct syn_mem_deliver_event *ev, uint32_t frag,
			  uint32_t sender_epoch);
void syn_mem__frag_view_change(struct syn_mem *m, uint64_t delivered_id);
void syn_mem__frag_fini(struct syn_mem *m);

#endif
