/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * view.c - the view source (see view.h), on top of the membership layer
 * (cluster.h): its views become syn_view_set() calls, and the services'
 * channels travel as cluster messages of type SYN_CLUSTER_MSG_SERVICES
 * with the channel number as the first byte (proto/net_cluster.h).
 *
 * Delivered messages wait in a FIFO of (channel, sender, bytes) drained
 * in order.  A flush in progress is never re-entered, and a delivery
 * never happens inside syn_view_send(): a message the membership layer
 * hands back during the send (the local copy of a one-node view) is
 * flushed from a loop job.  runtime.members.* is the membership layer's.
 */
#include "view.h"

#include "cluster.h"

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
	bool sending;
	bool flush_job_armed;
	struct syn_cluster *cluster;
	qb_loop_t *loop;
};

static void flush_job(void *data);

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
	if (src->flush_job_armed)
		qb_loop_job_del(src->loop, QB_LOOP_HIGH, src, flush_job);
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

static int enqueue(struct syn_view_source *src, int channel, uint32_t sender, const void *msg,
		   size_t len)
{
	struct queued *m = malloc(sizeof(*m) + len);

	if (!m)
		return -ENOMEM;
	m->next = NULL;
	m->channel = channel;
	m->sender = sender;
	m->len = len;
	memcpy(m->data, msg, len);
	*src->tail = m;
	src->tail = &m->next;
	return 0;
}

static void flush_job(void *data)
{
	struct syn_view_source *src = data;

	src->flush_job_armed = false;
	syn_view_flush(src);
}

static void on_cluster_msg(void *ctx, uint32_t sender, const void *data, size_t len)
{
	struct syn_view_source *src = ctx;
	const unsigned char *p = data;
	uint8_t channel;

	if (len < SYN_VIEW_FRAME_HDR)
		return;
	channel = syn_le_get8(p + SYN_VIEW_FRAME_OFF_CHANNEL);
	if (channel >= src->n_clients || enqueue(src, channel, sender, p + SYN_VIEW_FRAME_OFF_MSG,
						 len - SYN_VIEW_FRAME_HDR) != 0)
		return;
	if (!src->sending) {
		syn_view_flush(src);
	} else if (!src->flush_job_armed &&
		   qb_loop_job_add(src->loop, QB_LOOP_HIGH, src, flush_job) == 0) {
		src->flush_job_armed = true;
	}
}

static void on_cluster_view(void *ctx, const struct syn_cluster_view *v)
{
	struct syn_view_source *src = ctx;

	syn_view_set(src, v->ring_rep, v->ring_seq, v->members, v->n_members);
}

int syn_view_source_attach(struct syn_view_source *src, struct syn_cluster *cluster,
			   qb_loop_t *loop)
{
	struct syn_cluster_view v;
	int rc;

	src->cluster = cluster;
	src->loop = loop;
	rc = syn_cluster_set_handler(cluster, SYN_CLUSTER_MSG_SERVICES, on_cluster_msg, src);
	if (rc == 0)
		rc = syn_cluster_add_view_observer(cluster, on_cluster_view, src);
	if (rc != 0)
		return rc;
	syn_cluster_get_view(cluster, &v);
	if (v.n_members > 0)
		return syn_view_set(src, v.ring_rep, v.ring_seq, v.members, v.n_members);
	return 0;
}

int syn_view_send(struct syn_view_source *src, int channel, const void *msg, size_t len)
{
	unsigned char *buf;
	int rc;

	if (!src->cluster)
		return enqueue(src, channel, src->local_nodeid, msg, len);
	buf = malloc(SYN_VIEW_FRAME_HDR + len);
	if (!buf)
		return -ENOMEM;
	syn_le_put8(buf + SYN_VIEW_FRAME_OFF_CHANNEL, (uint8_t)channel);
	memcpy(buf + SYN_VIEW_FRAME_OFF_MSG, msg, len);
	src->sending = true;
	rc = syn_cluster_send(src->cluster, SYN_CLUSTER_MSG_SERVICES, buf,
			      SYN_VIEW_FRAME_HDR + len);
	src->sending = false;
	free(buf);
	return rc;
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
