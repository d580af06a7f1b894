/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * quorum_wire.c - encoding and decoding of the quorum message declared
 * in proto/net_quorum.h, field by field through proto/le.h.
 */
#include <errno.h>
#include <string.h>

#include "proto/le.h"
#include "proto/net_quorum.h"
#include "quorum.h"

_Static_assert(SYN_QUORUM_NAME_MAX + 1 == SYN_NET_QUORUM_NAME_SIZE, "quorum name size");

static void put_name(uint8_t *p, const char *name)
{
	size_t n = 0;

	/* Bytes past the terminator are never sent: the padding is zero. */
	while (n < SYN_QUORUM_NAME_MAX && name[n] != '\0')
		n++;
	memset(p, 0, SYN_NET_QUORUM_NAME_SIZE);
	memcpy(p, name, n);
}

static void get_name(const uint8_t *p, char *name)
{
	memcpy(name, p, SYN_QUORUM_NAME_MAX);
	name[SYN_QUORUM_NAME_MAX] = '\0';
}

void syn_net_quorum_encode(const struct syn_quorum_msg *m, uint8_t out[SYN_NET_QUORUM_LEN])
{
	syn_le_put32(out + SYN_NET_QUORUM_OFF_TYPE, m->type);
	syn_le_put32(out + SYN_NET_QUORUM_OFF_NODEID, m->nodeid);
	syn_le_put32(out + SYN_NET_QUORUM_OFF_VOTES, m->votes);
	syn_le_put32(out + SYN_NET_QUORUM_OFF_EXPECTED, m->expected);
	syn_le_put32(out + SYN_NET_QUORUM_OFF_FLAGS, m->flags);
	syn_le_put32(out + SYN_NET_QUORUM_OFF_PARAM, m->param);
	syn_le_put32(out + SYN_NET_QUORUM_OFF_VALUE, m->value);
	syn_le_put32(out + SYN_NET_QUORUM_OFF_OP, m->op);
	put_name(out + SYN_NET_QUORUM_OFF_NAME, m->name);
	put_name(out + SYN_NET_QUORUM_OFF_OLDNAME, m->oldname);
}

int syn_net_quorum_decode(const void *buf, size_t len, struct syn_quorum_msg *m)
{
	const uint8_t *p = buf;

	if (len != SYN_NET_QUORUM_LEN)
		return -EBADMSG;
	memset(m, 0, sizeof(*m));
	m->type = syn_le_get32(p + SYN_NET_QUORUM_OFF_TYPE);
	m->nodeid = syn_le_get32(p + SYN_NET_QUORUM_OFF_NODEID);
	m->votes = syn_le_get32(p + SYN_NET_QUORUM_OFF_VOTES);
	m->expected = syn_le_get32(p + SYN_NET_QUORUM_OFF_EXPECTED);
	m->flags = syn_le_get32(p + SYN_NET_QUORUM_OFF_FLAGS);
	m->param = syn_le_get32(p + SYN_NET_QUORUM_OFF_PARAM);
	m->value = syn_le_get32(p + SYN_NET_QUORUM_OFF_VALUE);
	m->op = syn_le_get32(p + SYN_NET_QUORUM_OFF_OP);
	get_name(p + SYN_NET_QUORUM_OFF_NAME, m->name);
	get_name(p + SYN_NET_QUORUM_OFF_OLDNAME, m->oldname);
	return 0;
}
