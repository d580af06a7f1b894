/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmm_verdict.c - the agreed quorate flag of a view (see cmm_verdict.h).
 *
 *   input                       effect
 *   --------------------------  ---------------------------------------
 *   view(ring, members)         all verdicts unknown, undecided
 *   VERDICT(ring, q) of member  latest verdict of that member = q; once
 *                               every member has one: decided, agreed =
 *                               OR of the latest verdicts; report 1 on
 *                               the first decision and on every change
 *   VERDICT of another ring or
 *   of a non-member             ignored
 */
#include <errno.h>
#include <string.h>

#include "cmm_verdict.h"

int syn_cmm_verdicts_view(struct syn_cmm_verdicts *v, uint64_t ring_seq, const uint32_t *members,
			  size_t n)
{
	if (n > SYN_CMM_NODES_MAX)
		return -EINVAL;
	v->ring_seq = ring_seq;
	v->n = n;
	v->n_known = 0;
	v->decided = false;
	v->quorate = false;
	memcpy(v->nodeid, members, n * sizeof(members[0]));
	memset(v->verdict, -1, n);
	return 0;
}

static bool agreed(const struct syn_cmm_verdicts *v)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->verdict[i] == 1)
			return true;
	return false;
}

int syn_cmm_verdicts_deliver(struct syn_cmm_verdicts *v, uint32_t sender, const void *msg,
			     size_t len)
{
	uint64_t ring_seq;
	bool quorate, was_decided = v->decided, was = v->quorate;
	size_t i;
	int rc = syn_cmm_verdict_decode(msg, len, &ring_seq, &quorate);

	if (rc != 0)
		return rc;
	if (ring_seq != v->ring_seq)
		return 0;
	for (i = 0; i < v->n && v->nodeid[i] != sender; i++)
		;
	if (i == v->n)
		return 0;
	if (v->verdict[i] < 0)
		v->n_known++;
	v->verdict[i] = quorate ? 1 : 0;
	if (v->n_known < v->n)
		return 0;
	v->decided = true;
	v->quorate = agreed(v);
	return !was_decided || v->quorate != was;
}
