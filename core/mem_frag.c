/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mem_frag.c - messages larger than one packet.
 *
 * A message longer than cfg.frag_len is queued once and sent as k
 * fragments with k consecutive message ids (wire field frag = k << 16 | i,
 * proto/net_membership.h).  The leader orders them like any messages: a sender's ids
 * are ordered strictly in sequence, so inside one view its fragments reach
 * every member consecutively among that sender's messages.  A member
 * appends each fragment to the sender's reassembly buffer and delivers the
 * message when the last fragment is delivered; the deliver event's seq
 * counts whole messages, so delivery stays gap-free in the view.
 *
 * Atomicity across views.  If a view change falls between two fragments
 * of one message, members of the next view may hold the first part (the
 * ones that came through the old view, all the same part, by extended
 * virtual synchrony) or nothing (the ones that joined).  So at every view
 * installation every member drops all partial buffers, and a sender whose
 * head message was partly delivered anywhere (its own delivery or the
 * commit's delivered_id says so) sends it again from the first fragment,
 * with the same ids: the new view's leader starts ordering the sender at
 * the id the sender names as its base.  Keeping the ids keeps the dedup of
 * mem_gather.c exact: a message some member of the new view holds whole
 * is dropped from the queue (its last id is at or below delivered_id); a
 * message held only in part is sent again whole.  Either way it is
 * delivered once, complete, in one view, to each node that delivers it.
 *
 * Memory: a buffer is allocated at the first fragment for count x its
 * length and grown if a later fragment is longer.  If that allocation
 * fails, delivery stops before the fragment (state unchanged) and resumes
 * on the next packet or timer, as with a lost packet.
 */
#include "mem_int.h"

#include <errno.h>
#include <string.h>

uint32_t syn_mem__frag_count(const struct syn_mem *m, size_t len)
{
	if (len <= m->cfg.frag_len)
		return 1;
	return (uint32_t)((len + m->cfg.frag_len - 1) / m->cfg.frag_len);
}

void syn_mem__frag_piece(const struct syn_mem *m, const struct syn_mem_pending *p, uint32_t i,
			 const unsigned char **data, uint32_t *len, uint32_t *frag)
{
	size_t off = (size_t)i * m->cfg.frag_len;
	size_t left = p->len - off;

	*data = p->data + off;
	*len = (uint32_t)(left < m->cfg.frag_len ? left : m->cfg.frag_len);
	*frag = syn_mem_frag_make(p->n_frags, i);
}

static void reasm_drop(struct syn_mem *m, uint32_t i)
{
	syn_mem__free(m, m->reasm[i].data);
	m->reasm[i] = m->reasm[--m->n_reasm];
}

static int reasm_find(const struct syn_mem *m, uint32_t sender)
{
	for (uint32_t i = 0; i < m->n_reasm; i++)
		if (m->reasm[i].sender == sender)
			return (int)i;
	return -1;
}

static void deliver_whole(struct syn_mem *m, const struct syn_mem_deliver_event *ev)
{
	struct syn_mem_deliver_event out = *ev;

	out.seq = ++m->log.msgs_delivered;
	if (m->env.on_deliver)
		m->env.on_deliver(m->env.ctx, &out);
}

/* Make room for need bytes in r.  0 or -ENOMEM (r unchanged). */
static int reasm_reserve(struct syn_mem *m, struct syn_mem_reasm *r, size_t need)
{
	unsigned char *data;

	if (need <= r->cap)
		return 0;
	if (need > UINT32_MAX)
		return -ENOMEM;
	data = syn_mem__alloc(m, need);
	if (data == NULL)
		return -ENOMEM;
	if (r->len)
		memcpy(data, r->data, r->len);
	syn_mem__free(m, r->data);
	r->data = data;
	r->cap = (uint32_t)need;
	return 0;
}

/* A first fragment: open a buffer for its sender.  0 or -ENOMEM. */
static int reasm_open(struct syn_mem *m, const struct syn_mem_deliver_event *ev, uint32_t frag,
		      uint32_t sender_epoch)
{
	struct syn_mem_reasm r = {
		.sender = ev->sender,
		.epoch = sender_epoch,
		.first_id = ev->msg_id,
		.count = syn_mem_frag_count(frag),
	};

	if (m->n_reasm >= SYN_MEM_MAX_NODES)
		return -ENOMEM;
	if (reasm_reserve(m, &r, (size_t)r.count * ev->len) != 0)
		return -ENOMEM;
	m->reasm[m->n_reasm++] = r;
	return 0;
}

int syn_mem__frag_deliver(struct syn_mem *m, const struct syn_mem_deliver_event *ev, uint32_t frag,
			  uint32_t sender_epoch)
{
	int k = reasm_find(m, ev->sender);
	uint32_t index = syn_mem_frag_index(frag);
	struct syn_mem_reasm *r;

	if (k >= 0) {
		r = &m->reasm[k];
		if (frag == 0 || r->epoch != sender_epoch || syn_mem_frag_count(frag) != r->count ||
		    index != r->next || ev->msg_id != r->first_id + index) {
			/* The sender's fragments always arrive in sequence in a view. */
			syn_mem__log(m, 4, "dropping a partial message from node %u", ev->sender);
			reasm_drop(m, (uint32_t)k);
			k = -1;
		}
	}
	if (frag == 0) {
		deliver_whole(m, ev);
		return 0;
	}
	if (k < 0) {
		if (index != 0)
			return 0; /* the rest of a message cut by a view change */
		if (reasm_open(m, ev, frag, sender_epoch) != 0)
			return -ENOMEM;
		k = (int)m->n_reasm - 1;
	}
	r = &m->reasm[k];
	if (reasm_reserve(m, r, (size_t)r->len + ev->len) != 0)
		return -ENOMEM;
	memcpy(r->data + r->len, ev->data, ev->len);
	r->len += (uint32_t)ev->len;
	if (++r->next < r->count)
		return 0;
	struct syn_mem_deliver_event whole = *ev;
	whole.msg_id = r->first_id;
	whole.data = r->data;
	whole.len = r->len;
	deliver_whole(m, &whole);
	reasm_drop(m, (uint32_t)k);
	return 0;
}

void syn_mem__frag_view_change(struct syn_mem *m, uint64_t delivered_id)
{
	uint64_t cut = delivered_id > m->own_delivered_id ? delivered_id : m->own_delivered_id;

	while (m->n_reasm > 0)
		reasm_drop(m, m->n_reasm - 1);
	if (m->pend_len == 0 || m->pend[m->pend_head].first_id > cut)
		return;
	syn_mem__log(m, 6, "resending a message cut by the view change from its first fragment");
	m->own_delivered_id = m->pend[m->pend_head].first_id - 1;
}

void syn_mem__frag_fini(struct syn_mem *m)
{
	while (m->n_reasm > 0)
		reasm_drop(m, m->n_reasm - 1);
}
