/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * quorum_drive.c - the coupling of the quorum core to a membership layer
 * (see quorum_drive.h).  It holds one bit of state, whether a view's
 * synchronisation is still to finish; everything else is the core's.
 */
#include "quorum_drive.h"

#include "proto/net_quorum.h"

#include <errno.h>
#include <string.h>

static void flush(struct syn_quorum_drive *d)
{
	if (d->flush)
		d->flush(d->ctx);
}

void syn_quorum_drive_init(struct syn_quorum_drive *d, struct syn_quorum *q,
			   void (*flush_fn)(void *ctx), void *ctx)
{
	memset(d, 0, sizeof(*d));
	d->q = q;
	d->flush = flush_fn;
	d->ctx = ctx;
}

int syn_quorum_drive_view(struct syn_quorum_drive *d, struct syn_quorum_ring ring,
			  const uint32_t *members, size_t n_members, uint64_t now_ms)
{
	int rc = syn_quorum_sync_init(d->q, ring, members, n_members, now_ms);

	if (rc == 0)
		d->sync_pending = true;
	return rc;
}

/*
 * Process may have to wait for a device poll; the host settles again
 * after every poll and tick, so the loop runs until the core says the
 * phase is complete, then activates exactly once per view.
 */
void syn_quorum_drive_settle(struct syn_quorum_drive *d)
{
	flush(d);
	while (d->sync_pending && syn_quorum_sync_process(d->q)) {
		flush(d);
		syn_quorum_sync_activate(d->q);
		d->sync_pending = false;
		flush(d);
	}
}

int syn_quorum_drive_deliver(struct syn_quorum_drive *d, uint32_t sender, const void *data,
			     size_t len)
{
	struct syn_quorum_msg m;
	int rc = syn_net_quorum_decode(data, len, &m);

	if (rc != 0)
		return rc;
	return syn_quorum_deliver(d->q, sender, &m);
}
