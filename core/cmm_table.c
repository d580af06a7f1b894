/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmm_table.c - the node table of the CMM core: validation at creation
 * and the RELOAD request (cmm_config_reload), which replaces the table at
 * one point of the total order on every member.
 *
 * A reload may add nodes and remove nodes that are out of the cluster;
 * it is refused whole (-EINVAL, nothing changes) when an existing node's
 * attributes differ (eligibility, frozen, excluded and the initial D/S
 * levels), when it removes a member of the current view or a node that
 * is not OUT in the primary state, or when the table itself is invalid.
 * Only the master of the installed primary state may reload (-EPERM; a
 * node that never was in a primary view gets -ENOTCONN, "no cluster").
 * Added nodes enter both states OUT with their initial levels; removed
 * nodes disappear.  Neither produces a notification: OUT to absent and
 * absent to OUT are no change a client can observe.
 */
#include <errno.h>
#include <string.h>

#include "cmm_int.h"

int syn_cmm_table_check(const struct syn_cmm_node_conf *table, size_t n, uint32_t self)
{
	bool found = false;

	if (n == 0 || n > SYN_CMM_NODES_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (table[i].nodeid == 0 || table[i].nodeid == UINT32_MAX)
			return -EINVAL;
		for (size_t j = i + 1; j < n; j++)
			if (table[j].nodeid == table[i].nodeid)
				return -EINVAL;
		found |= table[i].nodeid == self;
	}
	return found ? 0 : -EINVAL;
}

void syn_cmm_table_sort(struct syn_cmm_node_conf *t, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct syn_cmm_node_conf x = t[i];
		size_t j = i;

		for (; j > 0 && t[j - 1].nodeid > x.nodeid; j--)
			t[j] = t[j - 1];
		t[j] = x;
	}
}

static const struct syn_cmm_node_conf *conf_find(const struct syn_cmm_node_conf *t, size_t n,
						 uint32_t nodeid)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].nodeid == nodeid)
			return &t[i];
	return NULL;
}

static bool same_attributes(const struct syn_cmm_node_conf *a, const struct syn_cmm_node_conf *b)
{
	return a->eligible == b->eligible && a->frozen == b->frozen && a->excluded == b->excluded &&
	       a->disqualified == b->disqualified && a->synchro_needed == b->synchro_needed;
}

static bool in_view(const struct syn_cmm *c, uint32_t nodeid)
{
	for (size_t i = 0; i < c->n_members; i++)
		if (c->members[i].nodeid == nodeid)
			return true;
	return false;
}

static int check_change(const struct syn_cmm *c, const struct syn_cmm_node_conf *t, size_t n)
{
	for (size_t i = 0; i < c->n_table; i++) {
		const struct syn_cmm_node_conf *old = &c->table[i];
		const struct syn_cmm_node_conf *now = conf_find(t, n, old->nodeid);

		if (now && !same_attributes(old, now))
			return -EINVAL;
		if (!now && (in_view(c, old->nodeid) ||
			     (c->primary->valid && c->primary->e[i].status != SYN_CMM_OUT)))
			return -EINVAL;
	}
	return 0;
}

/* Rebuild st over table t: kept nodes keep their entry, new ones are OUT. */
static void remap(struct syn_cmm *c, struct syn_cmm_state *st, const struct syn_cmm_node_conf *t,
		  size_t n)
{
	struct syn_cmm_state *out = c->tmp;

	memcpy(out, st, offsetof(struct syn_cmm_state, e));
	out->n = n;
	for (size_t i = 0; i < n; i++) {
		size_t k;

		for (k = 0; k < st->n && st->e[k].nodeid != t[i].nodeid; k++)
			;
		if (k < st->n)
			out->e[i] = st->e[k];
		else
			out->e[i] = (struct syn_cmm_entry){.nodeid = t[i].nodeid,
							   .disqualified = t[i].disqualified,
							   .synchro_needed = t[i].synchro_needed};
	}
	memcpy(st, out, offsetof(struct syn_cmm_state, e) + n * sizeof(out->e[0]));
}

int syn_cmm_table_apply(struct syn_cmm *c, uint32_t sender, const struct syn_cmm_node_conf *table,
			size_t n)
{
	struct syn_cmm_node_conf *t = c->table_in;
	int rc;

	if (!c->primary->valid)
		return -ENOTCONN; /* never in a primary view: no cluster */
	if (!c->quorate || !c->primary->master || sender != c->primary->master)
		return -EPERM;
	if (t != table)
		memcpy(t, table, n * sizeof(*t));
	syn_cmm_table_sort(t, n);
	rc = syn_cmm_table_check(t, n, c->self);
	if (rc == 0)
		rc = check_change(c, t, n);
	if (rc != 0)
		return rc;
	remap(c, c->primary, t, n);
	remap(c, c->local, t, n);
	memcpy(c->table, t, n * sizeof(*t));
	c->n_table = n;
	if (c->env.table_changed)
		c->env.table_changed(c->env.ctx);
	return 0;
}
