/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * view.h - the daemon's view source: the one place services learn about
 * cluster views (ring id + member node ids) and exchange messages in
 * agreed order.  The membership layer drives it; until that exists the
 * daemon installs one static single-node view at start-up and messages
 * loop back to the local node.
 *
 * Contract for services:
 *   - view_changed hooks run in registration order for every new view,
 *     with the previous view (empty before the first).  Register the quorum
 *     service before votequorum, as corosync synchronises them.
 *   - syn_view_send queues a message on the service's channel; it is
 *     delivered to every member of the current view, the sender included,
 *     in one order common to all members, never from inside the send call.
 *   - syn_view_flush delivers what is queued; the daemon calls it after
 *     each event it handles.  Deliveries may send more; flush drains them.
 * The source publishes runtime.members.<id>.* for the members it knows.
 */
#ifndef SYN_DAEMON_VIEW_H
#define SYN_DAEMON_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include <qb/qbloop.h>

#include "store.h"

struct syn_cluster;

struct syn_view {
	uint32_t ring_nodeid;
	uint64_t ring_seq;
	size_t n_members;
	const uint32_t *members;
};

struct syn_view_client {
	void *ctx;
	void (*view_changed)(void *ctx, const struct syn_view *view, const struct syn_view *prev);
	void (*deliver)(void *ctx, uint32_t sender, const void *msg, size_t len);
};

struct syn_view_source;

struct syn_view_source *syn_view_source_create(struct syn_store *icmap, uint32_t local_nodeid);
void syn_view_source_destroy(struct syn_view_source *src);
/*
 * Follow the membership layer: its views are installed here and sends go
 * through its ordered broadcast.  Without it (unit tests) messages loop
 * back to the local node.
 */
int syn_view_source_attach(struct syn_view_source *src, struct syn_cluster *cluster,
			   qb_loop_t *loop);
/* Register a client; its channel number comes back in channel. */
int syn_view_client_add(struct syn_view_source *src, const struct syn_view_client *client,
			int *channel);
/* Install a new view (membership layer; single node: once at start-up). */
int syn_view_set(struct syn_view_source *src, uint32_t ring_nodeid, uint64_t ring_seq,
		 const uint32_t *members, size_t n_members);
/* The current view; valid until the next syn_view_set. */
void syn_view_current(const struct syn_view_source *src, struct syn_view *out);
uint32_t syn_view_local_nodeid(const struct syn_view_source *src);
/* The local node id the configuration gives (nodelist entry, else totem.nodeid). */
uint32_t syn_view_config_nodeid(const struct syn_store *icmap);
int syn_view_send(struct syn_view_source *src, int channel, const void *msg, size_t len);
void syn_view_flush(struct syn_view_source *src);

#endif /* SYN_DAEMON_VIEW_H */
