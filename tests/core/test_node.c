/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_node.c - the node core (core/node.h) on a two-node in-test
 * network: channel framing and mux, dropped frames, nothing handed out
 * inside a send, views and verdicts to every service in table order, the
 * up_to_view flush, the place accessor, an event lost to a failed
 * allocation, and the API's error paths.  (A frame shorter than its
 * channel byte cannot be made: the membership core refuses empty
 * messages, so the mux's check for it is not reachable from here.)
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "node.h"

#define MAXQ 2048
#define MAXREC 256
#define N_SVC 3

struct pkt {
	uint32_t from, to;
	size_t len;
	uint8_t data[1200];
};

/* What one service saw, with a global sequence number to check orders. */
struct rec {
	char kind; /* 'v' view, 'd' deliver, 'q' verdict */
	uint64_t order;
	uint32_t sender;
	size_t len;
	uint8_t body[64];
	uint64_t ring_seq;
	size_t n_members, prev_members;
	bool quorate;
	int place_rc;
	struct syn_node_place place;
};

struct world;

struct svc {
	struct world *w;
	uint32_t node;
	size_t idx;
	struct rec recs[MAXREC];
	size_t n;
	/* a deliver hook that sends and flushes from inside a hand-out */
	bool send_back;
	int send_back_rc;
};

struct host {
	struct world *w;
	uint32_t id;
	struct syn_node *node;
	unsigned wakes;
	unsigned observed_views, observed_delivers;
	struct syn_mem_deliver_event last_raw; /* data not kept */
	struct svc svc[N_SVC];
};

struct world {
	uint64_t now;
	uint64_t order;
	bool cut;
	struct pkt *q;
	size_t nq;
	struct host h[3];   /* 1-based */
	long fail_alloc_at; /* node allocations: fail the Nth from now, -1 never */
	long n_alloc;
};

static void *t_alloc(void *ctx, size_t size)
{
	struct world *w = ((struct host *)ctx)->w;

	if (w->fail_alloc_at >= 0 && w->n_alloc++ == w->fail_alloc_at)
		return NULL;
	return malloc(size);
}

static void t_free(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

static void t_send(void *ctx, uint32_t dest, const void *pkt, size_t len)
{
	struct host *h = ctx;
	struct world *w = h->w;
	uint32_t to = h->id == 1 ? 2 : 1;

	if (w->cut || !w->h[to].node || (dest && dest != to) || w->nq == MAXQ ||
	    len > sizeof(w->q[0].data))
		return;
	w->q[w->nq] = (struct pkt){.from = h->id, .to = to, .len = len};
	memcpy(w->q[w->nq++].data, pkt, len);
}

static void t_wake(void *ctx)
{
	((struct host *)ctx)->wakes++;
}

static void t_observe_view(void *ctx, const struct syn_mem_view_event *ev)
{
	(void)ev;
	((struct host *)ctx)->observed_views++;
}

static void t_observe_deliver(void *ctx, const struct syn_mem_deliver_event *ev)
{
	struct host *h = ctx;

	h->observed_delivers++;
	h->last_raw = *ev;
	h->last_raw.data = NULL;
}

static struct rec *rec_new(struct svc *s, char kind)
{
	struct host *h = &s->w->h[s->node];
	struct rec *r;

	assert_true(s->n < MAXREC);
	r = &s->recs[s->n++];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->order = s->w->order++;
	r->place_rc = syn_node_get_place(h->node, &r->place);
	return r;
}

static void s_view(void *ctx, const struct syn_node_view *view, const struct syn_node_view *prev)
{
	struct rec *r = rec_new(ctx, 'v');

	r->ring_seq = view->ring_seq;
	r->n_members = view->n_members;
	r->prev_members = prev->n_members;
}

static void s_deliver(void *ctx, uint32_t sender, const void *msg, size_t len)
{
	struct svc *s = ctx;
	struct rec *r = rec_new(s, 'd');
	struct syn_node *node = s->w->h[s->node].node;

	r->sender = sender;
	r->len = len;
	memcpy(r->body, msg, len < sizeof(r->body) ? len : sizeof(r->body));
	if (s->send_back) {
		s->send_back = false;
		s->send_back_rc = syn_node_send(node, s->w->now, SYN_CLUSTER_MSG_CPG, "again", 5);
		syn_node_dispatch(node, false); /* nested: must do nothing */
	}
}

static void s_quorum(void *ctx, bool quorate, const struct syn_node_view *view)
{
	struct rec *r = rec_new(ctx, 'q');

	r->quorate = quorate;
	r->n_members = view->n_members;
}

static const enum syn_cluster_msg_type channels[N_SVC] = {SYN_CLUSTER_MSG_CPG,
							  SYN_CLUSTER_MSG_VOTEQUORUM, 0};

static void host_start(struct world *w, uint32_t id, bool start_services)
{
	struct host *h = &w->h[id];
	struct syn_node_env env = {.ctx = h,
				   .alloc = t_alloc,
				   .free = t_free,
				   .send = t_send,
				   .wake = t_wake,
				   .observe_view = t_observe_view,
				   .observe_deliver = t_observe_deliver};
	struct syn_mem_config cfg;

	syn_mem_config_init(&cfg);
	h->w = w;
	h->id = id;
	assert_int_equal(syn_node_create(&cfg, &env, id, 1, w->now, &h->node), 0);
	for (size_t i = 0; i < N_SVC; i++) {
		struct svc *s = &h->svc[i];
		struct syn_node_service def = {.channel = channels[i],
					       .ctx = s,
					       .view_changed = s_view,
					       /* the channel-less one gets no messages anyway */
					       .deliver = channels[i] ? s_deliver : NULL,
					       /* the middle one has no verdict hook */
					       .quorum_changed = i == 1 ? NULL : s_quorum};
		s->w = w;
		s->node = id;
		s->idx = i;
		assert_int_equal(syn_node_add_service(h->node, &def), 0);
	}
	if (start_services)
		syn_node_start_services(h->node);
}

/* Run the network for ms of virtual time; dispatch after every input on nodes in mask. */
static void run(struct world *w, uint64_t ms, unsigned dispatch_mask)
{
	uint64_t end = w->now + ms * 1000;

	while (w->now < end) {
		size_t n = w->nq;
		struct pkt *batch = malloc((n ? n : 1) * sizeof(*batch));

		assert_non_null(batch);
		memcpy(batch, w->q, n * sizeof(*batch));
		w->nq = 0;
		for (size_t i = 0; i < n; i++) {
			struct host *h = &w->h[batch[i].to];
			if (!h->node)
				continue;
			syn_node_receive(h->node, w->now, batch[i].from, batch[i].data,
					 batch[i].len);
			if (dispatch_mask & (1u << h->id))
				syn_node_dispatch(h->node, false);
		}
		free(batch);
		for (uint32_t id = 1; id <= 2; id++) {
			struct host *h = &w->h[id];
			if (!h->node || syn_node_next_deadline(h->node) > w->now)
				continue;
			syn_node_timeout(h->node, w->now);
			if (dispatch_mask & (1u << id))
				syn_node_dispatch(h->node, false);
		}
		w->now += 1000;
	}
}

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	if (!w)
		return -1;
	w->q = calloc(MAXQ, sizeof(*w->q));
	if (!w->q) {
		free(w);
		return -1;
	}
	w->now = 1000000;
	w->fail_alloc_at = -1;
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;

	for (uint32_t id = 1; id <= 2; id++)
		syn_node_destroy(w->h[id].node);
	free(w->q);
	free(w);
	return 0;
}

static size_t count(const struct svc *s, char kind)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++)
		n += s->recs[i].kind == kind;
	return n;
}

static const struct rec *last(const struct svc *s, char kind)
{
	for (size_t i = s->n; i-- > 0;)
		if (s->recs[i].kind == kind)
			return &s->recs[i];
	return NULL;
}

static void form_pair(struct world *w)
{
	host_start(w, 1, true);
	host_start(w, 2, true);
	run(w, 1500, 0x6);
	for (uint32_t id = 1; id <= 2; id++) {
		const struct rec *v = last(&w->h[id].svc[0], 'v');
		assert_non_null(v);
		assert_int_equal(v->n_members, 2);
	}
}

static void form_alone_then_pair(struct world *w)
{
	host_start(w, 1, true);
	host_start(w, 2, true);
	run(w, 1500, 0x6);
	w->cut = false;
	run(w, 1500, 0x6);
	assert_int_equal(last(&w->h[1].svc[0], 'v')->n_members, 2);
}

/* Every service sees every view, in table order, with the previous one. */
static void test_views_in_table_order(void **state)
{
	struct world *w = *state;
	struct syn_node_view cur;

	w->cut = true;
	form_alone_then_pair(w);
	for (uint32_t id = 1; id <= 2; id++) {
		struct host *h = &w->h[id];
		size_t nv = count(&h->svc[0], 'v');

		assert_true(nv >= 2);
		assert_int_equal(h->observed_views, nv);
		for (size_t i = 1; i < N_SVC; i++)
			assert_int_equal(count(&h->svc[i], 'v'), nv);
		for (size_t k = 0; k < nv; k++) {
			const struct rec *a = &h->svc[0].recs[k], *b = &h->svc[1].recs[k],
					 *c = &h->svc[2].recs[k];
			assert_true(a->order < b->order && b->order < c->order);
			assert_int_equal(a->ring_seq, c->ring_seq);
			assert_int_equal(a->prev_members,
					 k == 0 ? 0 : h->svc[0].recs[k - 1].n_members);
		}
		syn_node_get_view(h->node, &cur);
		assert_int_equal(cur.n_members, 2);
		assert_int_equal(cur.members[0], 1);
		assert_int_equal(cur.members[1], 2);
		assert_int_equal(cur.ring_seq, last(&h->svc[0], 'v')->ring_seq);
	}
}

/* A message goes to its channel's owner on every node, body only; others are dropped. */
static void test_mux_by_channel(void **state)
{
	struct world *w = *state;
	struct host *h1, *h2;

	form_pair(w);
	h1 = &w->h[1];
	h2 = &w->h[2];
	assert_int_equal(syn_node_send(h1->node, w->now, SYN_CLUSTER_MSG_CPG, "hello", 5), 0);
	assert_int_equal(syn_node_send(h1->node, w->now, SYN_CLUSTER_MSG_VOTEQUORUM, "q", 1), 0);
	/* nobody owns CMM here: ordered like the others, handed to nobody */
	assert_int_equal(syn_node_send(h2->node, w->now, SYN_CLUSTER_MSG_CMM, "lost", 4), 0);
	assert_int_equal(syn_node_send(h2->node, w->now, SYN_CLUSTER_MSG_CPG, "", 0), 0);
	run(w, 300, 0x6);
	for (uint32_t id = 1; id <= 2; id++) {
		struct host *h = &w->h[id];
		const struct rec *d;

		assert_int_equal(h->observed_delivers, 4);
		assert_int_equal(count(&h->svc[0], 'd'), 2);
		assert_int_equal(count(&h->svc[1], 'd'), 1);
		assert_int_equal(count(&h->svc[2], 'd'), 0);
		d = last(&h->svc[1], 'd');
		assert_int_equal(d->sender, 1);
		assert_int_equal(d->len, 1);
		assert_memory_equal(d->body, "q", 1);
		/* the CPG owner's two messages, in the agreed order both nodes share */
		d = last(&h->svc[0], 'd');
		assert_int_equal(d->len, 0);
		assert_int_equal(d->sender, 2);
		for (size_t i = 0; i < h->svc[0].n; i++) {
			const struct rec *r = &h->svc[0].recs[i];
			if (r->kind == 'd' && r->len == 5) {
				assert_int_equal(r->sender, 1);
				assert_memory_equal(r->body, "hello", 5);
			}
		}
	}
	/* same order on both nodes: seq positions match */
	assert_int_equal(last(&w->h[1].svc[0], 'd')->place.seq,
			 last(&w->h[2].svc[0], 'd')->place.seq);
}

/* A lone node orders its own message at once: still nothing inside the send. */
static void test_nothing_inside_send(void **state)
{
	struct world *w = *state;
	struct host *h;
	unsigned before;

	w->cut = true;
	host_start(w, 1, true);
	run(w, 1500, 0x2);
	h = &w->h[1];
	assert_int_equal(count(&h->svc[0], 'v'), 1);
	before = h->observed_delivers;
	h->wakes = 0;
	assert_int_equal(syn_node_send(h->node, w->now, SYN_CLUSTER_MSG_CPG, "x", 1), 0);
	if (h->observed_delivers == before)
		run(w, 50, 0); /* ordered on a timer: run it without handing out */
	assert_int_equal(h->observed_delivers, before + 1);
	assert_int_equal(count(&h->svc[0], 'd'), 0);
	syn_node_dispatch(h->node, false);
	assert_int_equal(count(&h->svc[0], 'd'), 1);
	/* a deliver hook that sends and dispatches: the nested call hands out nothing */
	h->svc[0].send_back = true;
	assert_int_equal(syn_node_send(h->node, w->now, SYN_CLUSTER_MSG_CPG, "y", 1), 0);
	run(w, 50, 0);
	syn_node_dispatch(h->node, false);
	assert_int_equal(h->svc[0].send_back_rc, 0);
	assert_memory_equal(last(&h->svc[0], 'd')->body, "again", 5);
	assert_int_equal(count(&h->svc[0], 'd'), 3);
	assert_true(h->wakes >= 1);
}

/* The quorum drive's flush: messages before the next view, not the view. */
static void test_up_to_view_flush(void **state)
{
	struct world *w = *state;
	struct host *h1;
	unsigned views;

	w->cut = true;
	host_start(w, 1, true);
	host_start(w, 2, true);
	run(w, 1500, 0x6);
	h1 = &w->h[1];
	assert_int_equal(count(&h1->svc[0], 'v'), 1);
	assert_int_equal(syn_node_send(h1->node, w->now, SYN_CLUSTER_MSG_CPG, "m", 1), 0);
	/* heal; node 1 hands nothing out until its second view is queued behind m */
	w->cut = false;
	views = h1->observed_views;
	for (int i = 0; i < 300 && h1->observed_views == views; i++)
		run(w, 10, 0x4);
	assert_int_equal(h1->observed_views, views + 1);
	assert_int_equal(count(&h1->svc[0], 'd'), 0);
	syn_node_dispatch(h1->node, true);
	assert_int_equal(count(&h1->svc[0], 'd'), 1);
	assert_int_equal(count(&h1->svc[0], 'v'), 1);
	syn_node_dispatch(h1->node, true); /* a view heads the queue: nothing */
	assert_int_equal(count(&h1->svc[0], 'v'), 1);
	syn_node_dispatch(h1->node, false);
	assert_int_equal(count(&h1->svc[0], 'v'), 2);
	assert_int_equal(last(&h1->svc[0], 'v')->n_members, 2);
}

/* The place: the view's ring and the previous one; a message's ring and seq. */
static void test_place(void **state)
{
	struct world *w = *state;
	struct syn_node_place p;
	const struct svc *s;
	const struct rec *d, *first = NULL, *second = NULL;

	/* two views on node 1: alone, then with node 2 */
	w->cut = true;
	form_alone_then_pair(w);
	assert_int_equal(syn_node_get_place(w->h[1].node, &p), -ENOENT);
	assert_int_equal(syn_node_send(w->h[2].node, w->now, SYN_CLUSTER_MSG_CPG, "p", 1), 0);
	run(w, 300, 0x6);
	s = &w->h[1].svc[0];
	for (size_t i = 0; i < s->n; i++) {
		const struct rec *r = &s->recs[i];
		if (r->kind != 'v')
			continue;
		assert_int_equal(r->place_rc, 0);
		assert_true(r->place.is_view);
		assert_int_equal(r->place.seq, 0);
		assert_int_equal(r->place.ring.seq, r->ring_seq);
		if (!first) {
			first = r;
			assert_int_equal(r->place.prev.seq, 0);
			assert_int_equal(r->place.prev.rep, 0);
		} else {
			second = r;
		}
	}
	assert_non_null(second);
	/* the last view's previous ring is the view before it */
	for (size_t i = 0; i < s->n; i++)
		if (s->recs[i].kind == 'v' && &s->recs[i] != second)
			first = &s->recs[i];
	assert_int_equal(second->place.prev.seq, first->place.ring.seq);
	assert_int_equal(second->place.prev.rep, first->place.ring.rep);
	assert_int_equal(second->place.prev.rep_epoch, first->place.ring.rep_epoch);
	d = last(s, 'd');
	assert_int_equal(d->place_rc, 0);
	assert_false(d->place.is_view);
	assert_int_equal(d->place.seq, w->h[1].last_raw.seq);
	assert_int_equal(d->place.ring.seq, w->h[1].last_raw.ring.seq);
	assert_int_equal(d->place.ring.rep, w->h[1].last_raw.ring.rep);
	assert_int_equal(d->place.ring.seq, second->ring_seq);
	/* the channel-less service also saw the views' places */
	assert_int_equal(last(&w->h[1].svc[2], 'v')->place.ring.seq, second->ring_seq);
}

/* Verdicts: every service with a hook, in table order; none before the start. */
static void test_quorum_relay(void **state)
{
	struct world *w = *state;
	struct syn_node_view v;
	struct host *h;

	host_start(w, 1, false);
	h = &w->h[1];
	syn_node_get_view(h->node, &v);
	syn_node_quorum_report(h->node, true, &v);
	assert_int_equal(count(&h->svc[0], 'q') + count(&h->svc[2], 'q'), 0);
	syn_node_start_services(h->node);
	run(w, 1500, 0x2);
	syn_node_get_view(h->node, &v);
	syn_node_quorum_report(h->node, false, &v);
	assert_int_equal(count(&h->svc[0], 'q'), 1);
	assert_int_equal(count(&h->svc[1], 'q'), 0);
	assert_int_equal(count(&h->svc[2], 'q'), 1);
	assert_true(last(&h->svc[0], 'q')->order < last(&h->svc[2], 'q')->order);
	assert_false(last(&h->svc[2], 'q')->quorate);
	assert_int_equal(last(&h->svc[2], 'q')->n_members, 1);
	assert_int_equal(last(&h->svc[0], 'q')->place_rc, -ENOENT);
}

/* Nothing is handed out before the services start, and then in the order queued. */
static void test_queue_until_start(void **state)
{
	struct world *w = *state;
	struct host *h;

	w->cut = true;
	host_start(w, 1, false);
	h = &w->h[1];
	run(w, 1500, 0x2);
	assert_int_equal(h->observed_views, 1);
	assert_int_equal(count(&h->svc[0], 'v'), 0);
	syn_node_start_services(h->node);
	assert_int_equal(count(&h->svc[0], 'v'), 0);
	syn_node_dispatch(h->node, false);
	assert_int_equal(count(&h->svc[0], 'v'), 1);
	assert_int_equal(last(&h->svc[0], 'v')->prev_members, 0);
}

/* The queue cannot allocate: the event is lost, counted, and the next ones still flow. */
static void test_queue_alloc_failure(void **state)
{
	struct world *w = *state;
	struct host *h;

	w->cut = true;
	host_start(w, 1, true);
	h = &w->h[1];
	w->n_alloc = 0;
	w->fail_alloc_at = 0; /* the first node allocation: the singleton view's copy */
	while (h->observed_views == 0 && w->now < 3000000)
		run(w, 10, 0x2);
	w->fail_alloc_at = -1;
	assert_int_equal(h->observed_views, 1);
	assert_int_equal(syn_node_events_lost(h->node), 1);
	assert_int_equal(count(&h->svc[0], 'v'), 0);
	assert_int_equal(syn_node_send(h->node, w->now, SYN_CLUSTER_MSG_CPG, "z", 1), 0);
	run(w, 50, 0x2);
	syn_node_dispatch(h->node, false);
	assert_int_equal(count(&h->svc[0], 'd'), 1);
}

static void test_errors(void **state)
{
	struct world *w = *state;
	struct syn_node_service dup = {.channel = SYN_CLUSTER_MSG_CPG};
	struct syn_node_service big = {.channel = SYN_CLUSTER_MSG_TYPES};
	struct syn_node_service none = {0};
	struct syn_node_env bad = {0};
	struct syn_mem_config cfg;
	struct syn_node *node = NULL;
	struct host *h;
	static uint8_t huge[(1u << 20) + 2];

	syn_mem_config_init(&cfg);
	assert_int_equal(syn_node_create(&cfg, &bad, 1, 1, 0, &node), -EINVAL);
	host_start(w, 1, false);
	h = &w->h[1];
	assert_int_equal(syn_node_add_service(h->node, &dup), -EEXIST);
	assert_int_equal(syn_node_add_service(h->node, &big), -ENOSPC);
	for (size_t i = N_SVC; i < SYN_NODE_MAX_SERVICES; i++)
		assert_int_equal(syn_node_add_service(h->node, &none), 0);
	assert_int_equal(syn_node_add_service(h->node, &none), -ENOSPC);
	syn_node_start_services(h->node);
	assert_int_equal(syn_node_add_service(h->node, &none), -EBUSY);
	assert_int_equal(syn_node_send(h->node, w->now, 0, "x", 1), -EINVAL);
	assert_int_equal(syn_node_send(h->node, w->now, SYN_CLUSTER_MSG_TYPES, "x", 1), -EINVAL);
	assert_int_equal(syn_node_send(h->node, w->now, SYN_CLUSTER_MSG_CPG, huge, sizeof(huge)),
			 -EMSGSIZE);
	w->n_alloc = 0;
	w->fail_alloc_at = 0;
	assert_int_equal(syn_node_send(h->node, w->now, SYN_CLUSTER_MSG_CPG, "x", 1), -ENOMEM);
	w->fail_alloc_at = -1;
	assert_int_equal(syn_node_events_lost(h->node), 0);
	assert_non_null(syn_node_mem(h->node));
	syn_node_destroy(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_views_in_table_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mux_by_channel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_inside_send, setup, teardown),
		cmocka_unit_test_setup_teardown(test_up_to_view_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quorum_relay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_until_start, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_alloc_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
