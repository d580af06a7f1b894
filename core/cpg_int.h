/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cpg_int.h - what the CPG core's files share: the decoded form of a
 * node-to-node CPG message.  Not for the daemon.
 */
#ifndef SYN_CORE_CPG_INT_H
#define SYN_CORE_CPG_INT_H

#include "cpg_groups.h"

struct syn_cpg_msg {
	uint8_t kind;
	uint32_t pid;
	uint32_t reason;
	uint32_t msglen;
	uint32_t fraglen;
	uint32_t type;
	struct syn_cpg_name group;
	const uint8_t *data; /* MCAST/PARTIAL payload */
	/* JOINLIST */
	uint64_t ring_seq;
	uint32_t ring_rep;
	uint64_t nonce;
	uint64_t path;
	uint32_t n_entries;
	const uint8_t *entries; /* encoded (pid, name) pairs, checked */
	size_t entries_len;
};

/* Decode and check a whole message; 0 or -EINVAL. */
int syn_cpg_msg_decode(const uint8_t *p, size_t len, struct syn_cpg_msg *m);
/* Next JOINLIST entry at *off of m (checked by decode); advances *off. */
void syn_cpg_joinlist_entry(const struct syn_cpg_msg *m, size_t *off, uint32_t *pid,
			    struct syn_cpg_name *group);

#endif /* SYN_CORE_CPG_INT_H */
