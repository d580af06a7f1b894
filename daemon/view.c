/*
 * view.c - the view source (see view.h).  Single-node implementation of
 * agreed-order delivery: a FIFO of (channel, sender, bytes) drained in
 * order; every member is the local node, so delivering locally is the
 * whole broadcast.  A flush in progress is never re-entered: messages
 * sent from a delivery join the tail of the same FIFO.
 */
#include "view.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SYN_VIEW_MAX_CLIENTS 8

struct queued {
	struct queued *next;
	int channel;
	uint32_t sender;
	size_t len;
	unsigned char data[];
};

struct syn_view_source {
	struct syn_store *icmap;
	uint32_t local_nodeid;
	struct syn_view_client clients[SYN_VIEW_MAX_CLIENTS];
	size_t n_clients;
	uint32_t *members;
	size_t n_members;
	uint32_t ring_nodeid;
	uint64_t ring_seq;
	struct queued *head, **tail;
	bool flushing;
};

struct syn_view_source *syn_view_source_create(struct syn_store *icmap, uint32_t local_nodeid)
{
	struct syn_view_source *src = calloc(1, sizeof(*src));

	if (!src)
		return NULL;
	src->icmap = icmap;
	src->local_nodeid = local_nodeid;
	src->tail = &src->head;
	return src;
}

void syn_view_source_destroy(struct syn_view_source *src)
{
	if (!src)
		return;
	while (src->head) {
		struct queued *m = src->head;

		src->head = m->next;
		free(m);
	}
	free(src->members);
	free(src);
}

int syn_view_client_add(struct syn_view_source *src, const struct syn_view_client *client,
			int *channel)
{
	if (src->n_clients == SYN_VIEW_MAX_CLIENTS)
		return -ENOSPC;
	src->clients[src->n_clients] = *client;
	*channel = (int)src->n_clients++;
	return 0;
}

static void publish_member(struct syn_store *icmap, uint32_t id, const char *status, bool joined)
{
	char key[128];
	uint32_t count = 0;

	snprintf(key, sizeof(key), "runtime.members.%u.status", id);
	syn_store_set_str(icmap, key, status);
	if (!joined)
		return;
	snprintf(key, sizeof(key), "runtime.members.%u.join_count", id);
	syn_store_get_u32(icmap, key, &count);
	syn_store_set_u32(icmap, key, count + 1);
	snprintf(key, sizeof(key), "runtime.members.%u.config_version", id);
	syn_store_set_u64(icmap, key, 0);
}

static bool contains(const uint32_t *list, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == id)
			return true;
	return false;
}

int syn_view_set(struct syn_view_source *src, uint32_t ring_nodeid, uint64_t ring_seq,
		 const uint32_t *members, size_t n_members)
{
	uint32_t *copy = malloc((n_members ? n_members : 1) * sizeof(*copy));
	struct syn_view view, prev;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, members, n_members * sizeof(*copy));
	prev = (struct syn_view){src->ring_nodeid, src->ring_seq, src->n_members, src->members};
	view = (struct syn_view){ring_nodeid, ring_seq, n_members, copy};
	for (size_t i = 0; i < n_members; i++)
		if (!contains(src->members, src->n_members, copy[i]))
			publish_member(src->icmap, copy[i], "joined", true);
	for (size_t i = 0; i < src->n_members; i++)
		if (!contains(copy, n_members, src->members[i]))
			publish_member(src->icmap, src->members[i], "left", false);
	for (size_t i = 0; i < src->n_clients; i++)
		if (src->clients[i].view_changed)
			src->clients[i].view_changed(src->clients[i].ctx, &view, &prev);
	free(src->members);
	src->members = copy;
	src->n_members = n_members;
	src->ring_nodeid = ring_nodeid;
	src->ring_seq = ring_seq;
	syn_view_flush(src);
	return 0;
}

void syn_view_current(const struct syn_view_source *src, struct syn_view *out)
{
	*out = (struct syn_view){src->ring_nodeid, src->ring_seq, src->n_members, src->members};
}

uint32_t syn_view_local_nodeid(const struct syn_view_source *src)
{
	return src->local_nodeid;
}

int syn_view_send(struct syn_view_source *src, int channel, const void *msg, size_t len)
{
	struct queued *m = malloc(sizeof(*m) + len);

	if (!m)
		return -ENOMEM;
	m->next = NULL;
	m->channel = channel;
	m->sender = src->local_nodeid;
	m->len = len;
	memcpy(m->data, msg, len);
	*src->tail = m;
	src->tail = &m->next;
	return 0;
}

void syn_view_flush(struct syn_view_source *src)
{
	if (src->flushing)
		return;
	src->flushing = true;
	while (src->head) {
		struct queued *m = src->head;
		const struct syn_view_client *c = &src->clients[m->channel];

		src->head = m->next;
		if (!src->head)
			src->tail = &src->head;
		if (c->deliver)
			c->deliver(c->ctx, m->sender, m->data, m->len);
		free(m);
	}
	src->flushing = false;
}

uint32_t syn_view_config_nodeid(const struct syn_store *icmap)
{
	uint32_t pos, id = 0;
	char key[96];

	if (syn_store_get_u32(icmap, "nodelist.local_node_pos", &pos) == 0) {
		snprintf(key, sizeof(key), "nodelist.node.%u.nodeid", pos);
		if (syn_store_get_u32(icmap, key, &id) == 0)
			return id;
	}
	if (syn_store_get_u32(icmap, "totem.nodeid", &id) == 0)
		return id;
	return 0;
}
