/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * node_addrs.c - the node address table (see node_addrs.h).
 *
 * The nodelist keys are read in one pass over the store, grouped by
 * their <N>, then every link address is resolved once and the entries
 * are sorted by <N> as numbers (the store's order puts 10 before 2).
 * Keys that are not a u32 nodeid or a string ring<L>_addr with L below
 * the link limit are ignored here: validation has judged them already.
 */
#include "node_addrs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NODE_PREFIX "nodelist.node."

void syn_node_addrs_init(struct syn_node_addrs *t)
{
	t->nodes = NULL;
	t->n_nodes = 0;
}

void syn_node_addrs_fini(struct syn_node_addrs *t)
{
	for (size_t i = 0; i < t->n_nodes; i++)
		for (unsigned l = 0; l < SYN_NODE_ADDRS_MAX_LINKS; l++)
			free(t->nodes[i].text[l]);
	free(t->nodes);
	syn_node_addrs_init(t);
}

void syn_node_addrs_swap(struct syn_node_addrs *a, struct syn_node_addrs *b)
{
	struct syn_node_addrs tmp = *a;

	*a = *b;
	*b = tmp;
}

static struct syn_node_addr_entry *entry_get(struct syn_node_addrs *t, uint32_t pos)
{
	struct syn_node_addr_entry *grown;

	for (size_t i = t->n_nodes; i-- > 0;)
		if (t->nodes[i].pos == pos)
			return &t->nodes[i];
	grown = realloc(t->nodes, (t->n_nodes + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	t->nodes = grown;
	grown = &t->nodes[t->n_nodes++];
	memset(grown, 0, sizeof(*grown));
	grown->pos = pos;
	return grown;
}

/* One nodelist.node.<N>.<item> key; 0 or -ENOMEM. */
static int collect_key(struct syn_node_addrs *t, const char *key, const struct syn_value *v)
{
	const char *pos_text = key + strlen(NODE_PREFIX);
	struct syn_node_addr_entry *e;
	unsigned long pos;
	unsigned link;
	char *dot, tail[8];

	pos = strtoul(pos_text, &dot, 10);
	if (dot == pos_text || *dot != '.' || pos > UINT32_MAX)
		return 0;
	if (strcmp(dot + 1, "nodeid") == 0 && v->type == SYN_TYPE_UINT32) {
		if (!(e = entry_get(t, (uint32_t)pos)))
			return -ENOMEM;
		memcpy(&e->nodeid, v->data, sizeof(e->nodeid));
		return 0;
	}
	if (v->type != SYN_TYPE_STRING || sscanf(dot + 1, "ring%u%7s", &link, tail) != 2 ||
	    strcmp(tail, "_addr") != 0 || link >= SYN_NODE_ADDRS_MAX_LINKS)
		return 0;
	if (!(e = entry_get(t, (uint32_t)pos)))
		return -ENOMEM;
	free(e->text[link]);
	e->text[link] = strdup(v->data);
	return e->text[link] ? 0 : -ENOMEM;
}

static int collect(struct syn_node_addrs *t, const struct syn_store *store)
{
	struct syn_store_iter *it = syn_store_iter_create(store, NODE_PREFIX);
	const char *key;
	struct syn_value v;
	int rc = 0;

	if (!it)
		return -ENOMEM;
	while (rc == 0 && syn_store_iter_next(it, &key, &v) == 0)
		rc = collect_key(t, key, &v);
	syn_store_iter_destroy(it);
	return rc;
}

static int resolve_all(struct syn_node_addrs *t, enum syn_config_ip_version ipv,
		       const struct syn_config_env *env, char *err, size_t err_len)
{
	for (size_t i = 0; i < t->n_nodes; i++) {
		struct syn_node_addr_entry *e = &t->nodes[i];

		for (unsigned l = 0; l < SYN_NODE_ADDRS_MAX_LINKS; l++) {
			if (!e->text[l])
				continue;
			if (env->resolve(env->ctx, e->text[l], ipv, &e->addr[l], 1) < 1) {
				if (err_len)
					snprintf(err, err_len, "failed to parse node address '%s'",
						 e->text[l]);
				return -EINVAL;
			}
			e->has_link[l] = true;
		}
	}
	return 0;
}

static int by_pos(const void *a, const void *b)
{
	const struct syn_node_addr_entry *x = a, *y = b;

	return (x->pos > y->pos) - (x->pos < y->pos);
}

int syn_node_addrs_build(struct syn_node_addrs *t, const struct syn_store *store,
			 enum syn_config_ip_version ipv, const struct syn_config_env *env,
			 char *err, size_t err_len)
{
	int rc = collect(t, store);

	if (rc == 0)
		rc = resolve_all(t, ipv, env, err, err_len);
	if (rc != 0) {
		if (rc == -ENOMEM && err_len)
			snprintf(err, err_len, "Cannot allocate the node address table");
		syn_node_addrs_fini(t);
		return rc;
	}
	if (t->n_nodes > 1)
		qsort(t->nodes, t->n_nodes, sizeof(*t->nodes), by_pos);
	return 0;
}

const struct syn_node_addr_entry *syn_node_addrs_find(const struct syn_node_addrs *t,
						      uint32_t nodeid)
{
	if (nodeid == 0)
		return NULL;
	for (size_t i = 0; i < t->n_nodes; i++)
		if (t->nodes[i].nodeid == nodeid)
			return &t->nodes[i];
	return NULL;
}
