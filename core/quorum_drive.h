/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * quorum_drive.h - how a host couples the quorum core to a membership
 * layer with ordered broadcast (votequorum.md section 5.1).  The daemon
 * and the simulator both drive the core through these calls, so the
 * simulator checks the coupling the daemon runs.
 *
 * The host calls syn_quorum_drive_view() for every installed view,
 * syn_quorum_drive_deliver() for every message of the quorum's channel
 * in agreed order, and syn_quorum_drive_settle() after every input to
 * the core (view, delivery, tick, client operation).  Settling finishes
 * a pending synchronisation as soon as the core allows: process, then
 * activate.  Before each phase the host's flush hook hands in deliveries
 * that are already queued, so they are processed in the order the
 * membership layer produced them.
 *
 * Messages the core sends (env.send) travel on the host's ordered
 * broadcast encoded as proto/net_quorum.h declares (the host calls
 * syn_net_quorum_encode()); they are delivered back,
 * the sender's own included, through syn_quorum_drive_deliver().
 */
#ifndef SYN_CORE_QUORUM_DRIVE_H
#define SYN_CORE_QUORUM_DRIVE_H

#include "quorum.h"

struct syn_quorum_drive {
	struct syn_quorum *q; /* borrowed */
	bool sync_pending;
	void (*flush)(void *ctx); /* may be NULL */
	void *ctx;
};

void syn_quorum_drive_init(struct syn_quorum_drive *d, struct syn_quorum *q,
			   void (*flush)(void *ctx), void *ctx);
/* A new view: starts synchronisation.  -ENOMEM leaves the core unchanged. */
int syn_quorum_drive_view(struct syn_quorum_drive *d, struct syn_quorum_ring ring,
			  const uint32_t *members, size_t n_members, uint64_t now_ms);
/* Finish a pending synchronisation if the core is ready. */
void syn_quorum_drive_settle(struct syn_quorum_drive *d);
/*
 * One delivered message of the quorum's channel: 0, -EBADMSG when it is
 * not a well-formed quorum message (ignored), or -ENOMEM (core unchanged).
 */
int syn_quorum_drive_deliver(struct syn_quorum_drive *d, uint32_t sender, const void *data,
			     size_t len);

#endif /* SYN_CORE_QUORUM_DRIVE_H */
