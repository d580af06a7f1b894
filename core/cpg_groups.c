/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cpg_groups.c - the replicated process table and the view-change sync
 * of closed process groups.  The state table and the argument for the
 * table's agreement are in cpg_groups.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cpg_int.h"

/* The path hash before any ring (FNV-1a offset basis). */
#define PATH_START 0xcbf29ce484222325ull

struct held {
	struct held *next;
	uint32_t sender;
	size_t len;
	uint8_t data[];
};

struct joinlist {
	uint32_t sender;
	uint64_t nonce;
	uint64_t path;
	struct syn_cpg_entry *entries;
	size_t n;
};

struct node_nonce {
	uint32_t nodeid;
	uint64_t nonce;
};

struct syn_cpg {
	struct syn_cpg_env env;
	uint32_t local;
	uint64_t nonce;
	struct syn_cpg_entry *table;
	size_t n_table, cap_table;
	/* the last activated view */
	uint32_t *old_members;
	size_t n_old;
	struct node_nonce *nonces; /* of old_members, as their JOINLISTs said */
	size_t n_nonces;
	uint64_t path; /* last activated ring and the rings since (cpg_groups.h) */
	/* the view being synced */
	bool syncing;
	uint64_t ring_seq;
	uint32_t ring_rep;
	uint32_t *members;
	size_t n_members;
	uint32_t *cont; /* in every view since the last activation */
	size_t n_cont;
	struct joinlist *jl; /* delivered JOINLISTs of this view, in order */
	size_t n_jl;
	struct held *held, **held_tail;
	uint8_t *jl_msg;
};

static void *c_alloc(struct syn_cpg *c, size_t size)
{
	void *p = c->env.alloc ? c->env.alloc(c->env.ctx, size) : malloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

static void c_free(struct syn_cpg *c, void *p)
{
	if (!p)
		return;
	if (c->env.free)
		c->env.free(c->env.ctx, p);
	else
		free(p);
}

bool syn_cpg_name_eq(const struct syn_cpg_name *a, const struct syn_cpg_name *b)
{
	return a->len == b->len && memcmp(a->value, b->value, a->len) == 0;
}

/* Group order of the sync's per-group events: bytes, then length. */
static int name_cmp(const struct syn_cpg_name *a, const struct syn_cpg_name *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int r = memcmp(a->value, b->value, n);

	if (r)
		return r;
	return a->len < b->len ? -1 : a->len > b->len;
}

static bool entry_is(const struct syn_cpg_entry *e, uint32_t nodeid, uint32_t pid,
		     const struct syn_cpg_name *g)
{
	return e->nodeid == nodeid && e->pid == pid && syn_cpg_name_eq(&e->group, g);
}

static bool in_set(const uint32_t *set, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == id)
			return true;
	return false;
}

int syn_cpg_create(const struct syn_cpg_env *env, uint32_t local_nodeid, uint64_t nonce,
		   struct syn_cpg **out)
{
	struct syn_cpg *c = env->alloc ? env->alloc(env->ctx, sizeof(*c)) : malloc(sizeof(*c));

	if (!c)
		return -ENOMEM;
	memset(c, 0, sizeof(*c));
	c->env = *env;
	c->local = local_nodeid;
	c->nonce = nonce;
	c->path = PATH_START;
	c->held_tail = &c->held;
	*out = c;
	return 0;
}

static void jl_clear(struct syn_cpg *c)
{
	for (size_t i = 0; i < c->n_jl; i++)
		c_free(c, c->jl[i].entries);
	c_free(c, c->jl);
	c->jl = NULL;
	c->n_jl = 0;
}

void syn_cpg_destroy(struct syn_cpg *c)
{
	if (!c)
		return;
	jl_clear(c);
	while (c->held) {
		struct held *h = c->held;
		c->held = h->next;
		c_free(c, h);
	}
	c_free(c, c->table);
	c_free(c, c->old_members);
	c_free(c, c->nonces);
	c_free(c, c->members);
	c_free(c, c->cont);
	c_free(c, c->jl_msg);
	c_free(c, c);
}

bool syn_cpg_syncing(const struct syn_cpg *c)
{
	return c->syncing;
}

size_t syn_cpg_table(const struct syn_cpg *c, const struct syn_cpg_entry **entries)
{
	*entries = c->table;
	return c->n_table;
}

bool syn_cpg_has_entry(const struct syn_cpg *c, uint32_t nodeid, uint32_t pid,
		       const struct syn_cpg_name *group)
{
	for (size_t i = 0; i < c->n_table; i++)
		if (entry_is(&c->table[i], nodeid, pid, group))
			return true;
	return false;
}

/* ---- table --------------------------------------------------------- */

static int table_insert(struct syn_cpg *c, uint32_t nodeid, uint32_t pid,
			const struct syn_cpg_name *g)
{
	size_t at;

	if (c->n_table == c->cap_table) {
		size_t cap = c->cap_table ? 2 * c->cap_table : 16;
		struct syn_cpg_entry *t = c_alloc(c, cap * sizeof(*t));

		if (!t)
			return -ENOMEM;
		if (c->n_table)
			memcpy(t, c->table, c->n_table * sizeof(*t));
		c_free(c, c->table);
		c->table = t;
		c->cap_table = cap;
	}
	for (at = 0; at < c->n_table; at++) {
		const struct syn_cpg_entry *e = &c->table[at];
		if (e->nodeid > nodeid || (e->nodeid == nodeid && e->pid > pid))
			break;
	}
	memmove(&c->table[at + 1], &c->table[at], (c->n_table - at) * sizeof(*c->table));
	c->table[at] = (struct syn_cpg_entry){.nodeid = nodeid, .pid = pid, .group = *g};
	c->n_table++;
	return 0;
}

static void table_remove_at(struct syn_cpg *c, size_t i)
{
	memmove(&c->table[i], &c->table[i + 1], (c->n_table - i - 1) * sizeof(*c->table));
	c->n_table--;
}

/* The members of g, optionally without (skip_node, skip_pid); caller frees. */
static struct syn_cpg_member *group_members(struct syn_cpg *c, const struct syn_cpg_name *g,
					    bool skip, uint32_t skip_node, uint32_t skip_pid,
					    size_t *n)
{
	struct syn_cpg_member *m = c_alloc(c, (c->n_table + 1) * sizeof(*m));

	*n = 0;
	if (!m)
		return NULL;
	for (size_t i = 0; i < c->n_table; i++) {
		const struct syn_cpg_entry *e = &c->table[i];
		if (!syn_cpg_name_eq(&e->group, g))
			continue;
		if (skip && e->nodeid == skip_node && e->pid == skip_pid)
			continue;
		m[(*n)++] = (struct syn_cpg_member){e->nodeid, e->pid, 0};
	}
	return m;
}

static int emit_confchg(struct syn_cpg *c, const struct syn_cpg_name *g, bool skip,
			const struct syn_cpg_member *one, const struct syn_cpg_member *left,
			size_t n_left, const struct syn_cpg_member *joined, size_t n_joined)
{
	size_t n;
	struct syn_cpg_member *m =
		group_members(c, g, skip, one ? one->nodeid : 0, one ? one->pid : 0, &n);

	if (!m)
		return -ENOMEM;
	if (c->env.confchg)
		c->env.confchg(c->env.ctx, g, m, n, left, n_left, joined, n_joined);
	c_free(c, m);
	return 0;
}

/* ---- ordered messages ---------------------------------------------- */

static int apply_proc(struct syn_cpg *c, uint32_t sender, const struct syn_cpg_msg *m)
{
	struct syn_cpg_member who = {sender, m->pid, m->reason};
	int rc;

	if (m->kind == SYN_CPG_MSG_PROCJOIN) {
		if (syn_cpg_has_entry(c, sender, m->pid, &m->group))
			return 0;
		rc = table_insert(c, sender, m->pid, &m->group);
		if (rc == 0) {
			who.reason = SYN_CPG_REASON_JOIN;
			rc = emit_confchg(c, &m->group, false, NULL, NULL, 0, &who, 1);
		}
		return rc;
	}
	if (!syn_cpg_has_entry(c, sender, m->pid, &m->group))
		return 0; /* gone already (NODEDOWN), or never joined here */
	rc = emit_confchg(c, &m->group, true, &who, &who, 1, NULL, 0);
	for (size_t i = 0; i < c->n_table; i++) {
		if (entry_is(&c->table[i], sender, m->pid, &m->group)) {
			table_remove_at(c, i);
			break;
		}
	}
	return rc;
}

/*
 * strict: the message was held by a sync that a newer view aborted.  The
 * table has not been synced with the other members then, and the sender
 * may be a process of another partition's groups (a message cut by a view
 * change is delivered in the next ring): only a member of the group, as
 * this node knows it, may speak to it.
 */
static void apply_mcast(struct syn_cpg *c, uint32_t sender, const struct syn_cpg_msg *m,
			bool strict)
{
	struct syn_cpg_delivery d = {.group = &m->group,
				     .nodeid = sender,
				     .pid = m->pid,
				     .partial = m->kind == SYN_CPG_MSG_PARTIAL,
				     .msglen = m->msglen,
				     .fraglen = m->fraglen,
				     .type = m->type,
				     .data = m->data};
	bool known = false;

	/* Only a node with a member in the group may speak to it. */
	for (size_t i = 0; i < c->n_table && !known; i++)
		known = c->table[i].nodeid == sender && (!strict || c->table[i].pid == m->pid) &&
			syn_cpg_name_eq(&c->table[i].group, &m->group);
	if (known && c->env.deliver)
		c->env.deliver(c->env.ctx, &d);
}

static int apply(struct syn_cpg *c, uint32_t sender, const struct syn_cpg_msg *m, bool strict)
{
	switch (m->kind) {
	case SYN_CPG_MSG_PROCJOIN:
	case SYN_CPG_MSG_PROCLEAVE:
		return apply_proc(c, sender, m);
	case SYN_CPG_MSG_MCAST:
	case SYN_CPG_MSG_PARTIAL:
		apply_mcast(c, sender, m, strict);
		return 0;
	default:
		return 0;
	}
}

static int held_flush(struct syn_cpg *c, bool aborted)
{
	int rc = 0;

	while (c->held) {
		struct held *h = c->held;
		struct syn_cpg_msg m;

		c->held = h->next;
		if (!c->held)
			c->held_tail = &c->held;
		if (syn_cpg_msg_decode(h->data, h->len, &m) == 0 &&
		    apply(c, h->sender, &m, aborted) != 0)
			rc = -ENOMEM;
		c_free(c, h);
	}
	return rc;
}

/* ---- view change --------------------------------------------------- */

/* FNV-1a over a ring id, continuing h: the path of rings (cpg_groups.h). */
static uint64_t path_add(uint64_t h, uint64_t ring_seq, uint32_t ring_rep)
{
	uint8_t b[12];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(ring_seq >> (8 * i));
	for (int i = 0; i < 4; i++)
		b[8 + i] = (uint8_t)(ring_rep >> (8 * i));
	for (size_t i = 0; i < sizeof(b); i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

static int nodedown(struct syn_cpg *c, bool (*stays)(const struct syn_cpg *c, uint32_t nodeid));

/* In every view since the last activation (so far as this node knows). */
static bool in_history(const struct syn_cpg *c, uint32_t nodeid)
{
	return nodeid == c->local || in_set(c->cont, c->n_cont, nodeid);
}

static int copy_ids(struct syn_cpg *c, uint32_t **dst, size_t *n_dst, const uint32_t *src, size_t n)
{
	uint32_t *ids = c_alloc(c, (n ? n : 1) * sizeof(*ids));

	if (!ids)
		return -ENOMEM;
	if (n)
		memcpy(ids, src, n * sizeof(*ids));
	c_free(c, *dst);
	*dst = ids;
	*n_dst = n;
	return 0;
}

int syn_cpg_view(struct syn_cpg *c, uint64_t ring_seq, uint32_t ring_rep, const uint32_t *members,
		 size_t n_members, const void **msg, size_t *len)
{
	const uint32_t *base = c->syncing ? c->cont : c->old_members;
	size_t n_base = c->syncing ? c->n_cont : c->n_old;
	uint32_t *cont = c_alloc(c, (n_members ? n_members : 1) * sizeof(*cont));
	struct syn_cpg_entry *local;
	size_t n_cont = 0, n_local = 0, size;
	int rc;

	if (!cont)
		return -ENOMEM;
	for (size_t i = 0; i < n_members; i++)
		if (in_set(base, n_base, members[i]))
			cont[n_cont++] = members[i];
	/*
	 * An aborted sync: what its view delivered takes effect first; then
	 * the processes of nodes that are no longer in every view since the
	 * last activation leave (NODEDOWN), so that this node's
	 * configurations part from theirs before anything else is delivered.
	 */
	if (c->syncing)
		held_flush(c, true);
	jl_clear(c);
	c_free(c, c->cont);
	c->cont = cont;
	c->n_cont = n_cont;
	if (c->syncing && nodedown(c, in_history) != 0)
		return -ENOMEM;
	rc = copy_ids(c, &c->members, &c->n_members, members, n_members);
	if (rc)
		return rc;
	c->ring_seq = ring_seq;
	c->ring_rep = ring_rep;
	c->syncing = true;
	c->path = path_add(c->path, ring_seq, ring_rep);

	local = c_alloc(c, (c->n_table + 1) * sizeof(*local));
	if (!local)
		return -ENOMEM;
	for (size_t i = 0; i < c->n_table; i++)
		if (c->table[i].nodeid == c->local)
			local[n_local++] = c->table[i];
	size = syn_cpg_encode_joinlist(NULL, 0, ring_seq, ring_rep, c->nonce, c->path, local,
				       n_local);
	c_free(c, c->jl_msg);
	c->jl_msg = c_alloc(c, size);
	if (!c->jl_msg) {
		c_free(c, local);
		return -ENOMEM;
	}
	*len = syn_cpg_encode_joinlist(c->jl_msg, size, ring_seq, ring_rep, c->nonce, c->path,
				       local, n_local);
	*msg = c->jl_msg;
	c_free(c, local);
	return 0;
}

static const struct joinlist *jl_of(const struct syn_cpg *c, uint32_t nodeid)
{
	for (size_t i = 0; i < c->n_jl; i++)
		if (c->jl[i].sender == nodeid)
			return &c->jl[i];
	return NULL;
}

static bool continuing(const struct syn_cpg *c, uint32_t nodeid)
{
	const struct joinlist *jl = jl_of(c, nodeid);

	if (nodeid == c->local)
		return true;
	if (!jl || !in_set(c->cont, c->n_cont, nodeid) || jl->path != c->path)
		return false;
	for (size_t i = 0; i < c->n_nonces; i++)
		if (c->nonces[i].nodeid == nodeid)
			return c->nonces[i].nonce == jl->nonce;
	return false;
}

/* Distinct groups of the flagged entries, in name order. */
static size_t groups_sorted(struct syn_cpg *c, const struct syn_cpg_entry *ents, size_t n,
			    const bool *flag, const struct syn_cpg_name **out)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		size_t at;
		bool dup = false;

		if (!flag[i])
			continue;
		for (size_t j = 0; j < k && !dup; j++)
			dup = syn_cpg_name_eq(out[j], &ents[i].group);
		if (dup)
			continue;
		for (at = k; at > 0 && name_cmp(out[at - 1], &ents[i].group) > 0; at--)
			out[at] = out[at - 1];
		out[at] = &ents[i].group;
		k++;
	}
	(void)c;
	return k;
}

/* NODEDOWN: the entries of every node for which stays() is false. */
static int nodedown(struct syn_cpg *c, bool (*stays)(const struct syn_cpg *c, uint32_t nodeid))
{
	size_t n = c->n_table;
	struct syn_cpg_entry *snap = c_alloc(c, (n + 1) * sizeof(*snap));
	bool *gone = c_alloc(c, n + 1);
	const struct syn_cpg_name **groups = c_alloc(c, (n + 1) * sizeof(*groups));
	struct syn_cpg_member *left = c_alloc(c, (n + 1) * sizeof(*left));
	size_t n_groups;
	int rc = -ENOMEM;

	if (!snap || !gone || !groups || !left)
		goto out;
	if (n)
		memcpy(snap, c->table, n * sizeof(*snap));
	for (size_t i = 0; i < n; i++)
		gone[i] = !stays(c, snap[i].nodeid);
	n_groups = groups_sorted(c, snap, n, gone, groups);
	rc = 0;
	for (size_t g = 0; g < n_groups && rc == 0; g++) {
		size_t n_left = 0;

		for (size_t i = 0; i < n; i++) {
			if (!gone[i] || !syn_cpg_name_eq(&snap[i].group, groups[g]))
				continue;
			left[n_left++] = (struct syn_cpg_member){snap[i].nodeid, snap[i].pid,
								 SYN_CPG_REASON_NODEDOWN};
			for (size_t t = 0; t < c->n_table; t++) {
				if (entry_is(&c->table[t], snap[i].nodeid, snap[i].pid,
					     &snap[i].group)) {
					table_remove_at(c, t);
					break;
				}
			}
		}
		rc = emit_confchg(c, groups[g], false, NULL, left, n_left, NULL, 0);
	}
out:
	c_free(c, left);
	c_free(c, groups);
	c_free(c, gone);
	c_free(c, snap);
	return rc;
}

static int activate_nodeup(struct syn_cpg *c)
{
	size_t total = 0, k = 0, n_groups;
	struct syn_cpg_entry *added;
	struct syn_cpg_member *joined;
	const struct syn_cpg_name **groups;
	bool *flag;
	int rc = -ENOMEM;

	for (size_t i = 0; i < c->n_jl; i++)
		total += c->jl[i].n;
	added = c_alloc(c, (total + 1) * sizeof(*added));
	joined = c_alloc(c, (total + 1) * sizeof(*joined));
	groups = c_alloc(c, (total + 1) * sizeof(*groups));
	flag = c_alloc(c, total + 1);
	if (!added || !joined || !groups || !flag)
		goto out;
	for (size_t i = c->n_jl; i-- > 0;) {
		const struct joinlist *jl = &c->jl[i];

		if (jl->sender == c->local)
			continue;
		for (size_t j = jl->n; j-- > 0;) {
			const struct syn_cpg_entry *e = &jl->entries[j];

			if (syn_cpg_has_entry(c, e->nodeid, e->pid, &e->group))
				continue;
			if (table_insert(c, e->nodeid, e->pid, &e->group) != 0)
				goto out;
			flag[k] = true;
			added[k++] = *e;
		}
	}
	n_groups = groups_sorted(c, added, k, flag, groups);
	rc = 0;
	for (size_t g = 0; g < n_groups && rc == 0; g++) {
		size_t n_joined = 0;

		for (size_t i = 0; i < k; i++)
			if (syn_cpg_name_eq(&added[i].group, groups[g]))
				joined[n_joined++] = (struct syn_cpg_member){
					added[i].nodeid, added[i].pid, SYN_CPG_REASON_NODEUP};
		rc = emit_confchg(c, groups[g], false, NULL, NULL, 0, joined, n_joined);
	}
out:
	c_free(c, flag);
	c_free(c, groups);
	c_free(c, joined);
	c_free(c, added);
	return rc;
}

static bool jl_holds(const struct joinlist *jl, const struct syn_cpg_entry *e)
{
	for (size_t i = 0; jl && i < jl->n; i++)
		if (entry_is(&jl->entries[i], e->nodeid, e->pid, &e->group))
			return true;
	return false;
}

static int activate_zombies(struct syn_cpg *c)
{
	int rc = 0;

	for (size_t i = 0; i < c->n_table && rc == 0;) {
		struct syn_cpg_entry e = c->table[i];
		struct syn_cpg_member who = {e.nodeid, e.pid, SYN_CPG_REASON_PROCDOWN};

		if (e.nodeid == c->local || jl_holds(jl_of(c, e.nodeid), &e)) {
			i++;
			continue;
		}
		table_remove_at(c, i);
		rc = emit_confchg(c, &e.group, false, NULL, &who, 1, NULL, 0);
	}
	return rc;
}

static int activate(struct syn_cpg *c)
{
	struct node_nonce *nonces = c_alloc(c, (c->n_members + 1) * sizeof(*nonces));
	int rc;

	if (!nonces)
		return -ENOMEM;
	rc = nodedown(c, continuing);
	if (rc == 0)
		rc = activate_nodeup(c);
	if (rc == 0)
		rc = activate_zombies(c);
	for (size_t i = 0; i < c->n_members; i++) {
		const struct joinlist *jl = jl_of(c, c->members[i]);
		nonces[i] = (struct node_nonce){c->members[i], jl ? jl->nonce : 0};
	}
	c_free(c, c->nonces);
	c->nonces = nonces;
	c->n_nonces = c->n_members;
	if (copy_ids(c, &c->old_members, &c->n_old, c->members, c->n_members) != 0)
		rc = -ENOMEM;
	jl_clear(c);
	c->syncing = false;
	c->path = path_add(PATH_START, c->ring_seq, c->ring_rep);
	if (c->env.activated)
		c->env.activated(c->env.ctx, c->ring_seq, c->ring_rep, c->members, c->n_members);
	if (held_flush(c, false) != 0)
		rc = -ENOMEM;
	return rc;
}

static int store_joinlist(struct syn_cpg *c, uint32_t sender, const struct syn_cpg_msg *m)
{
	struct joinlist *jl;
	size_t off = 0;

	if (m->ring_seq != c->ring_seq || m->ring_rep != c->ring_rep ||
	    !in_set(c->members, c->n_members, sender) || jl_of(c, sender))
		return 0;
	jl = c_alloc(c, (c->n_jl + 1) * sizeof(*jl));
	if (!jl)
		return -ENOMEM;
	if (c->n_jl)
		memcpy(jl, c->jl, c->n_jl * sizeof(*jl));
	c_free(c, c->jl);
	c->jl = jl;
	jl = &c->jl[c->n_jl];
	*jl = (struct joinlist){.sender = sender, .nonce = m->nonce, .path = m->path};
	jl->entries = c_alloc(c, (m->n_entries + 1) * sizeof(*jl->entries));
	if (!jl->entries)
		return -ENOMEM;
	for (uint32_t i = 0; i < m->n_entries; i++) {
		jl->entries[i].nodeid = sender;
		syn_cpg_joinlist_entry(m, &off, &jl->entries[i].pid, &jl->entries[i].group);
	}
	jl->n = m->n_entries;
	c->n_jl++;
	if (c->n_jl == c->n_members)
		return activate(c);
	return 0;
}

int syn_cpg_deliver(struct syn_cpg *c, uint32_t sender, const void *msg, size_t len)
{
	struct syn_cpg_msg m;
	struct held *h;

	if (syn_cpg_msg_decode(msg, len, &m) != 0)
		return -EINVAL;
	if (m.kind == SYN_CPG_MSG_JOINLIST)
		return c->syncing ? store_joinlist(c, sender, &m) : 0;
	if (!c->syncing)
		return apply(c, sender, &m, false);
	h = c_alloc(c, sizeof(*h) + len);
	if (!h)
		return -ENOMEM;
	h->sender = sender;
	h->len = len;
	memcpy(h->data, msg, len);
	*c->held_tail = h;
	c->held_tail = &h->next;
	return 0;
}
