/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmm_verdict.h - agreeing on the quorate flag CMM uses for a view.
 *
 * votequorum decides quorum on each node from that node's own history
 * (expected votes never fall without a reason, wait_for_all status, last
 * man standing timers), and it reports a new ring before it has seen the
 * other members' node information.  So the local verdicts of one view may
 * differ for a while, and they arrive at different moments on different
 * nodes: CMM cannot elect from them directly.
 *
 * Instead every member broadcasts its verdict for the ring in agreed
 * order (a VERDICT message, layout in proto/net_cmm.h) when votequorum reports
 * it, and again whenever it flips.  The agreed flag of the ring is
 * decided once a verdict from every member of the view has been
 * delivered, and it is "quorate" when at least one member's latest
 * verdict says so.  Every member delivers the same verdicts in the same
 * order, so every member decides, and changes its mind, at the same point
 * of the total order with the same result.
 *
 * Why "at least one": a member whose votequorum reports quorate has
 * counted a quorum of votes among the members of this very view, so the
 * view holds a quorum by that member's configuration; a member that just
 * started reports "not quorate" until the others' node information
 * reaches it, and would otherwise demote a healthy cluster for a moment.
 * A partition without quorum gets "not quorate" from every member.
 */
#ifndef SYN_CORE_CMM_VERDICT_H
#define SYN_CORE_CMM_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmm_roles.h"

struct syn_cmm_verdicts {
	uint64_t ring_seq;
	size_t n;
	size_t n_known;
	bool decided;
	bool quorate; /* the agreed flag, when decided */
	uint32_t nodeid[SYN_CMM_NODES_MAX];
	int8_t verdict[SYN_CMM_NODES_MAX]; /* -1 none yet, 0 no, 1 yes */
};

/* A new view: forget the verdicts of the previous ring. -EINVAL if n is too large. */
int syn_cmm_verdicts_view(struct syn_cmm_verdicts *v, uint64_t ring_seq, const uint32_t *members,
			  size_t n);
/*
 * A VERDICT delivered in agreed order.  Returns 1 when the agreed flag was
 * just decided or changed (read it from v->quorate), 0 when nothing
 * changed (another ring, a non-member, an undecided view), -EBADMSG.
 */
int syn_cmm_verdicts_deliver(struct syn_cmm_verdicts *v, uint32_t sender, const void *msg,
			     size_t len);
int syn_cmm_verdict_encode(uint64_t ring_seq, bool quorate, void *msg, size_t cap, size_t *len);
int syn_cmm_verdict_decode(const void *msg, size_t len, uint64_t *ring_seq, bool *quorate);

#endif /* SYN_CORE_CMM_VERDICT_H */
