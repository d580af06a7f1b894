/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * node.h - the node core: what one cluster node runs between its
 * membership protocol and its services, the same for the daemon
 * (daemon/cluster.c) and the simulator (sim/sim.c).
 *
 * It composes:
 *
 *   - the membership core (membership.h), which it owns and drives;
 *   - one event queue: the membership core's callbacks only copy views
 *     and deliveries into it, and syn_node_dispatch() hands them out once
 *     no core call is running, so a service may send while it handles
 *     an event;
 *   - the channel framing and mux: every message on the ordered
 *     broadcast starts with one channel byte (proto/net_cluster.h,
 *     SYN_CLUSTER_MSG_OFF_TYPE); a message goes to the one service
 *     owning its channel, body only.  Frames shorter than the channel
 *     byte, or on a channel nobody owns, are dropped;
 *   - a table of services in registration order;
 *   - the view bookkeeping (current members, previous view to services);
 *   - the quorum relay: the quorum provider's verdicts to every service.
 *
 * Ordering guarantees, once syn_node_start_services() was called:
 *
 *   - every service sees every installed view, in table order, with the
 *     previous one (empty before the first);
 *   - every service sees every message of its channel, the sender's own
 *     included, in the agreed total order, interleaved with the views as
 *     the membership core produced them;
 *   - quorum verdicts reach every service in table order;
 *   - nothing is handed out inside syn_node_send(): the node asks its
 *     host (env.wake) to call syn_node_dispatch() soon instead.
 *
 * The node is pure: no clock, no I/O, no logging but env.log.  Time
 * comes in as a monotonic now_us with every call.  Single threaded.
 */
#ifndef SYN_CORE_NODE_H
#define SYN_CORE_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "membership.h"
#include "proto/net_cluster.h"

/* Most services one node carries. */
#define SYN_NODE_MAX_SERVICES 12

/* An installed view as services see it; pointers valid for the call only. */
struct syn_node_view {
	uint64_t ring_seq;
	uint32_t ring_rep;
	const uint32_t *members; /* sorted ascending */
	size_t n_members;
	const uint32_t *joined;
	size_t n_joined;
	const uint32_t *left;
	size_t n_left;
};

/* Where the event a service is handling stands in the agreed order. */
struct syn_node_place {
	bool is_view;
	struct syn_mem_ring_id ring; /* the view's, or the ring the message was ordered in */
	struct syn_mem_ring_id prev; /* a view: this node's previous ring (all zero: none) */
	uint64_t seq;		     /* a message: its position in ring, from 1; a view: 0 */
};

/* One service on the node's bus.  Hooks may be NULL. */
struct syn_node_service {
	enum syn_cluster_msg_type channel; /* 0: owns no channel */
	void *ctx;
	void (*view_changed)(void *ctx, const struct syn_node_view *view,
			     const struct syn_node_view *prev);
	void (*deliver)(void *ctx, uint32_t sender, const void *msg, size_t len);
	void (*quorum_changed)(void *ctx, bool quorate, const struct syn_node_view *view);
};

/* Log levels follow syslog, as membership.h's. */
struct syn_node_env {
	void *ctx;
	/* The node's own allocations (queue, frames, views); both NULL: malloc/free. */
	void *(*alloc)(void *ctx, size_t size);
	void (*free)(void *ctx, void *ptr);
	/* The membership core's allocation hook; both NULL: malloc/free. */
	void *(*mem_alloc)(void *ctx, size_t size);
	void (*mem_free)(void *ctx, void *ptr);
	/* One packet of the membership core to dest (a node id or SYN_MEM_BROADCAST). */
	void (*send)(void *ctx, uint32_t dest, const void *pkt, size_t len);
	/* One log line without a newline.  May be NULL. */
	void (*log)(void *ctx, int level, const char *line);
	/*
	 * Events are queued: call syn_node_dispatch() soon, from outside any
	 * node call.  Called from syn_node_send() only: after a receive or a
	 * timeout the host dispatches anyway.  May be NULL.
	 */
	void (*wake)(void *ctx);
	/*
	 * The membership core's raw events, synchronously, as they are
	 * queued (for observers: logs, checkers).  Must not call the node.
	 * May be NULL.
	 */
	void (*observe_view)(void *ctx, const struct syn_mem_view_event *ev);
	void (*observe_deliver)(void *ctx, const struct syn_mem_deliver_event *ev);
};

struct syn_node;

/*
 * Create a node with its membership core (cfg, local nodeid, boot epoch,
 * as syn_mem_create()).  env is copied.  0, -EINVAL or -ENOMEM.
 */
int syn_node_create(const struct syn_mem_config *cfg, const struct syn_node_env *env,
		    uint32_t nodeid, uint32_t epoch, uint64_t now_us, struct syn_node **out);
/* Frees the queue and the membership core; destroy(NULL) is a no-op. */
void syn_node_destroy(struct syn_node *node);

/*
 * Register a service (copied), before syn_node_start_services().  0,
 * -ENOSPC (table full or channel out of range), -EEXIST (channel owned),
 * -EBUSY (services already started).
 */
int syn_node_add_service(struct syn_node *node, const struct syn_node_service *svc);
/* Every service is registered: syn_node_dispatch() hands events out from now on. */
void syn_node_start_services(struct syn_node *node);

/*
 * One packet of the membership protocol from node src.  Events it
 * produces wait in the queue: the host calls syn_node_dispatch() after
 * this call (and after syn_node_timeout() and syn_node_start_services()).
 */
void syn_node_receive(struct syn_node *node, uint64_t now_us, uint32_t src, const void *pkt,
		      size_t len);
/* The deadline was reached (calling it early is harmless). */
void syn_node_timeout(struct syn_node *node, uint64_t now_us);
/* The membership core's next deadline, or SYN_MEM_NO_DEADLINE. */
uint64_t syn_node_next_deadline(const struct syn_node *node);

/*
 * Broadcast data on channel in the agreed order.  Nothing is handed out
 * inside this call; env.wake is called when events wait.  0, -EINVAL
 * (channel 0 or out of range), -EMSGSIZE, -EAGAIN (send queue full),
 * -ENOMEM.
 */
int syn_node_send(struct syn_node *node, uint64_t now_us, enum syn_cluster_msg_type channel,
		  const void *data, size_t len);

/*
 * Hand out queued events in order; with up_to_view, stop before the next
 * queued view (the quorum drive's flush).  Nothing when called from
 * inside a hand-out or before the services are started.
 */
void syn_node_dispatch(struct syn_node *node, bool up_to_view);

/*
 * The quorum provider's verdict on view, relayed to every service in
 * table order (synchronously).  Nothing before the services are started.
 */
void syn_node_quorum_report(struct syn_node *node, bool quorate, const struct syn_node_view *view);

/* The current view (n_members 0 before the first); valid until the next view is handed out. */
void syn_node_get_view(const struct syn_node *node, struct syn_node_view *out);

/*
 * The place of the event being handed out: 0, or -ENOENT outside a
 * service's view_changed or deliver hook.
 */
int syn_node_get_place(const struct syn_node *node, struct syn_node_place *out);

/* Events lost because the queue could not allocate (logged at LOG_CRIT too). */
uint64_t syn_node_events_lost(const struct syn_node *node);

/* The membership core, for stats and state (do not drive it directly). */
const struct syn_mem *syn_node_mem(const struct syn_node *node);

#endif /* SYN_CORE_NODE_H */
