/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * membership.h - the pure protocol core: cluster membership plus reliable,
 * totally ordered broadcast with extended virtual synchrony.
 *
 * The core is a state machine.  It never reads a clock, opens a socket,
 * draws a random number or sleeps; everything it needs comes in through
 * the calls below and everything it produces goes out through the
 * callbacks in struct syn_mem_env.  The algorithm, its state table and the
 * argument for its properties are in docs/membership.md.
 *
 * Driving the core (what the daemon and the simulator both do):
 *
 *   syn_mem_create()          once, with the local node id and boot epoch
 *   syn_mem_receive()         for every packet that arrives, with its source
 *   syn_mem_timeout()         when the monotonic time reaches the deadline
 *   syn_mem_next_deadline()   after every call above, to re-arm one timer
 *   syn_mem_submit()          to broadcast an application message in order
 *   syn_mem_get_stats()       for the stats map
 *   syn_mem_get_view()        for the current ring id and members
 *   syn_mem_destroy()
 *
 * Time is a monotonic clock in microseconds chosen by the caller; it must
 * never go backwards for one core.  All calls are single threaded.
 *
 * Callbacks run synchronously inside syn_mem_receive(), syn_mem_timeout()
 * and syn_mem_submit().  They must not call back into the same core; the
 * pointers they receive are valid only for the duration of the callback.
 *
 * Node ids are non-zero.  The boot epoch must differ (and should grow) every
 * time a node starts with fresh state, e.g. a persisted boot counter or the
 * wall clock in seconds: it keeps ring ids unique across restarts and lets
 * peers tell a restarted node from its former self.
 */
#ifndef SYN_CORE_MEMBERSHIP_H
#define SYN_CORE_MEMBERSHIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest cluster the wire format and the fixed tables support. */
#define SYN_MEM_MAX_NODES 256
/* Destination node id meaning "every other node". */
#define SYN_MEM_BROADCAST 0u
/* Largest fragment: the most application data one packet carries. */
#define SYN_MEM_MAX_MSG_LEN 65000u
/* Most fragments one message is split into. */
#define SYN_MEM_MAX_FRAGS 65535u
/* Largest send_window: the leader buffers this many early SUBMITs per sender. */
#define SYN_MEM_MAX_WINDOW 32u
/* No deadline pending. */
#define SYN_MEM_NO_DEADLINE UINT64_MAX

/*
 * A ring id names one view.  It is created by exactly one coordinator
 * incarnation (rep, rep_epoch), which never reuses a seq, so a ring id
 * names one member list.  Ordered by seq, then rep, then rep_epoch.
 * The daemon exposes (rep, seq) as corosync's ring id.
 */
struct syn_mem_ring_id {
	uint64_t seq;
	uint32_t rep;
	uint32_t rep_epoch;
};

/* Tunables; syn_mem_config_init() fills the defaults shown. */
struct syn_mem_config {
	uint32_t heartbeat_ms;	       /* 40: leader heartbeat and member ack period */
	uint32_t fail_timeout_ms;      /* 400: silence after which a peer is suspected */
	uint32_t join_interval_ms;     /* 20: JOIN broadcast period while gathering */
	uint32_t join_settle_ms;       /* 50: candidate set must be stable this long */
	uint32_t consensus_timeout_ms; /* 200: proposal / commit / recovery timeout */
	uint32_t retransmit_ms;	       /* 20: retry period for RETRANS, PROPOSE, ACCEPT */
	uint32_t send_queue_max;       /* 1024: submitted, not yet delivered messages */
	uint32_t send_window;	       /* 32: submitted messages in flight, <= SYN_MEM_MAX_WINDOW */
	uint32_t log_max;	       /* 8192: ordered messages kept until stable */
	uint32_t max_msg_len;	       /* 1 MiB: largest message syn_mem_submit() takes */
	uint32_t frag_len;	       /* 16384: larger messages travel in fragments of this size */
	uint32_t retransmit_batch;     /* 64: messages resent per RETRANS request */
};

struct syn_mem_view_event {
	struct syn_mem_ring_id ring;
	const uint32_t *members; /* sorted ascending, includes the local node */
	size_t n_members;
	const uint32_t *joined; /* members not in the previous view */
	size_t n_joined;
	const uint32_t *left; /* previous members not in this view */
	size_t n_left;
};

struct syn_mem_deliver_event {
	struct syn_mem_ring_id ring; /* the view the message was ordered in */
	uint64_t seq;		     /* its position among the view's messages, from 1 */
	uint32_t sender;
	uint64_t msg_id; /* the sender's own counter (first fragment), for diagnostics */
	const void *data;
	size_t len;
};

/* Log levels follow syslog: 3 error, 4 warning, 5 notice, 6 info, 7 debug. */
struct syn_mem_env {
	void *ctx;
	/* Allocation hook; both NULL means malloc/free.  May fail (NULL). */
	void *(*alloc)(void *ctx, size_t size);
	void (*free)(void *ctx, void *ptr);
	/* Send one packet to dest (a node id or SYN_MEM_BROADCAST).  Best effort. */
	void (*send)(void *ctx, uint32_t dest, const void *pkt, size_t len);
	/* A new view is installed.  Every delivery before it belongs to the old view. */
	void (*on_view)(void *ctx, const struct syn_mem_view_event *ev);
	/* One message delivered in the agreed order.  May be NULL. */
	void (*on_deliver)(void *ctx, const struct syn_mem_deliver_event *ev);
	/* One log line without a newline.  May be NULL. */
	void (*log)(void *ctx, int level, const char *line);
};

struct syn_mem_stats {
	uint64_t pkts_sent;
	uint64_t pkts_received;
	uint64_t pkts_garbled;	  /* failed validation, dropped */
	uint64_t pkts_dropped;	  /* valid but stale, foreign or no memory */
	uint64_t views_installed; /* like stats.srp.memb_commit_token_rx */
	uint64_t gathers;	  /* times the node entered GATHER */
	uint64_t proposals;	  /* proposals sent as coordinator */
	uint64_t consensus_timeouts;
	uint64_t msgs_submitted;
	uint64_t msgs_ordered; /* as leader */
	uint64_t msgs_delivered;
	uint64_t retransmits_sent;
	uint64_t nacks_sent;
	uint64_t pauses_detected; /* the host did not run us for a long time */
	/* Per packet type; received counts valid packets from other nodes. */
	uint64_t joins_sent;
	uint64_t joins_received;
	uint64_t heartbeats_sent; /* as leader, alone included */
	uint64_t heartbeats_received;
	uint64_t acks_sent;
	uint64_t acks_received;
	uint32_t send_queue_len;
	uint32_t log_len;
	uint32_t state; /* enum syn_mem_state */
};

enum syn_mem_state {
	SYN_MEM_GATHER = 0,
	SYN_MEM_ACCEPTED = 1,
	SYN_MEM_RECOVER = 2,
	SYN_MEM_OPERATIONAL = 3,
};

struct syn_mem;

/* Fill cfg with the defaults documented in struct syn_mem_config. */
void syn_mem_config_init(struct syn_mem_config *cfg);

/*
 * Create a core for node nodeid (non-zero) in boot epoch epoch.  The core
 * starts gathering at now_us and installs a singleton view if it hears
 * nobody.  cfg and env are copied.  Returns 0, -EINVAL (bad id or config)
 * or -ENOMEM.
 */
int syn_mem_create(const struct syn_mem_config *cfg, const struct syn_mem_env *env, uint32_t nodeid,
		   uint32_t epoch, uint64_t now_us, struct syn_mem **out);
void syn_mem_destroy(struct syn_mem *m);

/*
 * Feed one received packet from node src.  Returns 0 when processed,
 * -EBADMSG when it failed validation (dropped and counted) or -ENOMEM when
 * it could not be stored (dropped, state unchanged; the protocol recovers
 * as from a lost packet).
 */
int syn_mem_receive(struct syn_mem *m, uint64_t now_us, uint32_t src, const void *pkt, size_t len);

/* Run every timer due at now_us.  Calling it early is harmless.  Returns 0. */
int syn_mem_timeout(struct syn_mem *m, uint64_t now_us);

/* The absolute time of the next timer, or SYN_MEM_NO_DEADLINE. */
uint64_t syn_mem_next_deadline(const struct syn_mem *m);

/*
 * Queue one message for totally ordered delivery to the view.  It is
 * delivered to the local node too, exactly once, unless the node crashes.
 * A message longer than frag_len travels in fragments that are ordered in
 * one view and delivered as one message: if a view change cuts it, every
 * member drops the fragments it got and the sender sends it again whole.
 * Returns 0, -EMSGSIZE (len 0 or above max_msg_len), -EAGAIN (send queue
 * full; retry after deliveries) or -ENOMEM.
 */
int syn_mem_submit(struct syn_mem *m, uint64_t now_us, const void *data, size_t len);

void syn_mem_get_stats(const struct syn_mem *m, struct syn_mem_stats *out);

/*
 * The installed view: its ring id and up to cap member ids.  Returns the
 * number of members, or 0 before the first view is installed.
 */
size_t syn_mem_get_view(const struct syn_mem *m, struct syn_mem_ring_id *ring, uint32_t *members,
			size_t cap);

/* -1, 0 or 1 as a orders before, equal to or after b. */
int syn_mem_ring_id_cmp(const struct syn_mem_ring_id *a, const struct syn_mem_ring_id *b);

#endif
