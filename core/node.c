/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * node.c - the node core (see node.h): the membership core, its event
 * queue, the channel mux, the service table and the quorum relay.
 *
 * Invariants: events leave the queue in the order the membership core
 * produced them; at most one hand-out runs at a time (dispatching), so a
 * hook that sends or flushes never re-enters it; the current view's
 * member array belongs to the node and is replaced, not edited, when a
 * view is handed out.
 */
#include "node.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct node_event {
	struct node_event *next;
	bool is_view;
	struct syn_mem_ring_id ring;
	uint64_t seq; /* a message's position in ring */
	uint32_t sender;
	size_t n_members, n_joined, n_left; /* a view: ids in data, in this order */
	size_t len;			    /* a message: its frame in data */
	unsigned char data[];
};

struct syn_node {
	struct syn_node_env env;
	struct syn_mem *mem;
	struct syn_node_service services[SYN_NODE_MAX_SERVICES];
	size_t n_services;
	/* channel_owner[channel]: index + 1 in services, 0 for none */
	uint8_t channel_owner[SYN_CLUSTER_MSG_TYPES];
	bool started;
	bool dispatching;
	struct node_event *head, **tail;
	/* the view handed out last */
	struct syn_mem_ring_id ring;
	uint32_t *members;
	size_t n_members;
	/* the event being handed out */
	bool have_place;
	struct syn_node_place place;
	uint64_t events_lost;
};

static void *node_alloc(struct syn_node *node, size_t size)
{
	if (node->env.alloc)
		return node->env.alloc(node->env.ctx, size);
	return malloc(size);
}

static void node_free(struct syn_node *node, void *ptr)
{
	if (!ptr)
		return;
	if (node->env.free)
		node->env.free(node->env.ctx, ptr);
	else
		free(ptr);
}

static void node_log(struct syn_node *node, int level, const char *line)
{
	if (node->env.log)
		node->env.log(node->env.ctx, level, line);
}

/* ---- the membership core's environment: observe, then queue a copy ---- */

static struct node_event *event_push(struct syn_node *node, size_t payload)
{
	struct node_event *e = node_alloc(node, sizeof(*e) + payload);

	if (!e) {
		node->events_lost++;
		node_log(node, 2, "out of memory queueing a membership event: event lost");
		return NULL;
	}
	memset(e, 0, sizeof(*e));
	*node->tail = e;
	node->tail = &e->next;
	return e;
}

static void mem_send(void *ctx, uint32_t dest, const void *pkt, size_t len)
{
	struct syn_node *node = ctx;

	node->env.send(node->env.ctx, dest, pkt, len);
}

static void mem_view(void *ctx, const struct syn_mem_view_event *ev)
{
	struct syn_node *node = ctx;
	size_t n = ev->n_members + ev->n_joined + ev->n_left;
	struct node_event *e;
	uint32_t *ids;

	if (node->env.observe_view)
		node->env.observe_view(node->env.ctx, ev);
	e = event_push(node, n * sizeof(uint32_t));
	if (!e)
		return;
	e->is_view = true;
	e->ring = ev->ring;
	e->n_members = ev->n_members;
	e->n_joined = ev->n_joined;
	e->n_left = ev->n_left;
	ids = (uint32_t *)(void *)e->data;
	memcpy(ids, ev->members, ev->n_members * sizeof(*ids));
	memcpy(ids + ev->n_members, ev->joined, ev->n_joined * sizeof(*ids));
	memcpy(ids + ev->n_members + ev->n_joined, ev->left, ev->n_left * sizeof(*ids));
}

static void mem_deliver(void *ctx, const struct syn_mem_deliver_event *ev)
{
	struct syn_node *node = ctx;
	struct node_event *e;

	if (node->env.observe_deliver)
		node->env.observe_deliver(node->env.ctx, ev);
	e = event_push(node, ev->len);
	if (!e)
		return;
	e->ring = ev->ring;
	e->seq = ev->seq;
	e->sender = ev->sender;
	e->len = ev->len;
	memcpy(e->data, ev->data, ev->len);
}

static void mem_log(void *ctx, int level, const char *line)
{
	node_log(ctx, level, line);
}

static void *mem_alloc(void *ctx, size_t size)
{
	struct syn_node *node = ctx;

	return node->env.mem_alloc ? node->env.mem_alloc(node->env.ctx, size) : malloc(size);
}

static void mem_free(void *ctx, void *ptr)
{
	struct syn_node *node = ctx;

	if (node->env.mem_free)
		node->env.mem_free(node->env.ctx, ptr);
	else
		free(ptr);
}

/* ---- life cycle ---------------------------------------------------------- */

int syn_node_create(const struct syn_mem_config *cfg, const struct syn_node_env *env,
		    uint32_t nodeid, uint32_t epoch, uint64_t now_us, struct syn_node **out)
{
	struct syn_mem_env menv = {0};
	struct syn_node *node;
	int rc;

	if (!env || !env->send || (env->alloc == NULL) != (env->free == NULL) ||
	    (env->mem_alloc == NULL) != (env->mem_free == NULL))
		return -EINVAL;
	node = env->alloc ? env->alloc(env->ctx, sizeof(*node)) : malloc(sizeof(*node));
	if (!node)
		return -ENOMEM;
	memset(node, 0, sizeof(*node));
	node->env = *env;
	node->tail = &node->head;
	menv.ctx = node;
	if (env->mem_alloc) {
		menv.alloc = mem_alloc;
		menv.free = mem_free;
	}
	menv.send = mem_send;
	menv.on_view = mem_view;
	menv.on_deliver = mem_deliver;
	menv.log = mem_log;
	rc = syn_mem_create(cfg, &menv, nodeid, epoch, now_us, &node->mem);
	if (rc != 0) {
		node_free(node, node);
		return rc;
	}
	*out = node;
	return 0;
}

void syn_node_destroy(struct syn_node *node)
{
	if (!node)
		return;
	syn_mem_destroy(node->mem);
	while (node->head) {
		struct node_event *e = node->head;
		node->head = e->next;
		node_free(node, e);
	}
	node_free(node, node->members);
	node_free(node, node);
}

int syn_node_add_service(struct syn_node *node, const struct syn_node_service *svc)
{
	unsigned int ch = svc->channel;

	if (node->started)
		return -EBUSY;
	if (node->n_services == SYN_NODE_MAX_SERVICES || ch >= SYN_CLUSTER_MSG_TYPES)
		return -ENOSPC;
	if (ch != 0 && node->channel_owner[ch])
		return -EEXIST;
	node->services[node->n_services++] = *svc;
	if (ch != 0)
		node->channel_owner[ch] = (uint8_t)node->n_services;
	return 0;
}

void syn_node_start_services(struct syn_node *node)
{
	/* nothing was handed out before: the first view is still queued */
	node->started = true;
}

/* ---- hand-out -------------------------------------------------------------- */

static void hand_out_view(struct syn_node *node, const struct node_event *e)
{
	const uint32_t *ids = (const uint32_t *)(const void *)e->data;
	struct syn_node_view view, prev;
	uint32_t *members = node_alloc(node, (e->n_members ? e->n_members : 1) * sizeof(*members));

	if (!members) {
		node->events_lost++;
		node_log(node, 2, "out of memory installing a view: view lost");
		return;
	}
	memcpy(members, ids, e->n_members * sizeof(*members));
	syn_node_get_view(node, &prev);
	node->place = (struct syn_node_place){.is_view = true, .ring = e->ring, .prev = node->ring};
	node->members = members;
	node->n_members = e->n_members;
	node->ring = e->ring;
	view = (struct syn_node_view){.ring_seq = e->ring.seq,
				      .ring_rep = e->ring.rep,
				      .members = members,
				      .n_members = e->n_members,
				      .joined = ids + e->n_members,
				      .n_joined = e->n_joined,
				      .left = ids + e->n_members + e->n_joined,
				      .n_left = e->n_left};
	node->have_place = true;
	for (size_t i = 0; i < node->n_services; i++)
		if (node->services[i].view_changed)
			node->services[i].view_changed(node->services[i].ctx, &view, &prev);
	node->have_place = false;
	node_free(node, (void *)prev.members);
}

static void hand_out_message(struct syn_node *node, const struct node_event *e)
{
	const struct syn_node_service *svc;
	uint8_t channel;

	if (e->len < SYN_CLUSTER_MSG_OFF_BODY)
		return;
	channel = syn_le_get8(e->data + SYN_CLUSTER_MSG_OFF_TYPE);
	if (channel >= SYN_CLUSTER_MSG_TYPES || !node->channel_owner[channel])
		return;
	svc = &node->services[node->channel_owner[channel] - 1];
	if (!svc->deliver)
		return;
	node->place = (struct syn_node_place){.ring = e->ring, .seq = e->seq};
	node->have_place = true;
	svc->deliver(svc->ctx, e->sender, e->data + SYN_CLUSTER_MSG_OFF_BODY,
		     e->len - SYN_CLUSTER_MSG_OFF_BODY);
	node->have_place = false;
}

void syn_node_dispatch(struct syn_node *node, bool up_to_view)
{
	if (node->dispatching || !node->started)
		return;
	node->dispatching = true;
	while (node->head && !(up_to_view && node->head->is_view)) {
		struct node_event *e = node->head;
		node->head = e->next;
		if (!node->head)
			node->tail = &node->head;
		if (e->is_view)
			hand_out_view(node, e);
		else
			hand_out_message(node, e);
		node_free(node, e);
	}
	node->dispatching = false;
}

/* ---- inputs ------------------------------------------------------------------ */

void syn_node_receive(struct syn_node *node, uint64_t now_us, uint32_t src, const void *pkt,
		      size_t len)
{
	syn_mem_receive(node->mem, now_us, src, pkt, len);
}

void syn_node_timeout(struct syn_node *node, uint64_t now_us)
{
	syn_mem_timeout(node->mem, now_us);
}

uint64_t syn_node_next_deadline(const struct syn_node *node)
{
	return syn_mem_next_deadline(node->mem);
}

int syn_node_send(struct syn_node *node, uint64_t now_us, enum syn_cluster_msg_type channel,
		  const void *data, size_t len)
{
	unsigned char *frame;
	int rc;

	if (channel == 0 || (unsigned int)channel >= SYN_CLUSTER_MSG_TYPES)
		return -EINVAL;
	frame = node_alloc(node, SYN_CLUSTER_MSG_OFF_BODY + len);
	if (!frame)
		return -ENOMEM;
	syn_le_put8(frame + SYN_CLUSTER_MSG_OFF_TYPE, (uint8_t)channel);
	if (len)
		memcpy(frame + SYN_CLUSTER_MSG_OFF_BODY, data, len);
	rc = syn_mem_submit(node->mem, now_us, frame, SYN_CLUSTER_MSG_OFF_BODY + len);
	node_free(node, frame);
	/* never hand out inside the sender's call: the host dispatches soon */
	if (node->head && !node->dispatching && node->env.wake)
		node->env.wake(node->env.ctx);
	return rc;
}

/* ---- views, verdicts, places ---------------------------------------------------- */

void syn_node_quorum_report(struct syn_node *node, bool quorate, const struct syn_node_view *view)
{
	if (!node->started)
		return; /* a verdict before any view: nothing to report yet */
	for (size_t i = 0; i < node->n_services; i++)
		if (node->services[i].quorum_changed)
			node->services[i].quorum_changed(node->services[i].ctx, quorate, view);
}

void syn_node_get_view(const struct syn_node *node, struct syn_node_view *out)
{
	memset(out, 0, sizeof(*out));
	out->ring_seq = node->ring.seq;
	out->ring_rep = node->ring.rep;
	out->members = node->members;
	out->n_members = node->n_members;
}

int syn_node_get_place(const struct syn_node *node, struct syn_node_place *out)
{
	if (!node->have_place)
		return -ENOENT;
	*out = node->place;
	return 0;
}

uint64_t syn_node_events_lost(const struct syn_node *node)
{
	return node->events_lost;
}

const struct syn_mem *syn_node_mem(const struct syn_node *node)
{
	return node->mem;
}
