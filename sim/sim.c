/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sim.c - the simulated world: a virtual clock, an event heap, a network
 * with per-link delay, jitter (so reordering), loss, duplication, garbling
 * and symmetric or asymmetric partitions, and nodes that crash, restart
 * with fresh state, pause and run on skewed clocks.
 *
 * Determinism: one xoshiro256** generator seeded from the seed drives
 * every choice; events at the same instant run in the order they were
 * scheduled.  No wall clock, no hash of pointers, no threads.
 *
 * A run: all nodes start at once; for fault_ms a random fault hits every
 * 100..600 ms while nodes submit messages; then faults stop (links heal,
 * loss and duplication stop, crashed nodes restart, pauses end) and the
 * cluster must converge within the bound (L1 in check.c) and stay so.
 * Each node also runs the quorum service (quorum_node.c); some quorum
 * options restrict the faults to the model they promise safety under
 * (docs/quorum.md), and the application leaves room in the send queue
 * for the quorum's messages, as a daemon's queue is far from full.
 * With the CPG option each node also runs the CPG service and its
 * processes (cpg_node.c), with the CMM option the CMM service
 * (cmm_node.c).
 *
 * Each node runs the daemon's node core (core/node.h): the services sit
 * on its bus, on the daemon's channels, in the table below; the checkers
 * observe the membership core's raw events through the node's observe
 * hooks.  Like the daemon, the world hands a node's events out after
 * every input to it, and after a send from a wake event at the same
 * instant (the daemon's loop job).
 */
#include "sim_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum { EV_PACKET, EV_TIMER, EV_FAULT, EV_SUBMIT, EV_RESTART, EV_QUIET, EV_CHECK, EV_END };

/* The services of every node, in bus order; a new one is one more line. */
static const struct sim_service *const services[] = {
	&sim_quorum_service,
	&sim_cpg_service,
	&sim_cmm_service,
};
#define N_SERVICES (sizeof(services) / sizeof(*services))

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t sim_rand(struct sim_world *w)
{
	uint64_t *s = w->rng;
	uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

uint64_t sim_range(struct sim_world *w, uint64_t lo, uint64_t hi)
{
	return lo + sim_rand(w) % (hi - lo + 1);
}

static bool chance_ppm(struct sim_world *w, uint32_t ppm)
{
	return ppm && sim_rand(w) % 1000000 < ppm;
}

static void seed_rng(struct sim_world *w, uint64_t seed)
{
	for (int i = 0; i < 4; i++) {
		uint64_t z = (seed += 0x9e3779b97f4a7c15ull);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		w->rng[i] = z ^ (z >> 31);
	}
}

void sim_trace(struct sim_world *w, const char *fmt, ...)
{
	char *line;
	va_list ap;
	int n;

	if (!w->o->trace && !w->o->verbose)
		return;
	line = w->trace[w->n_trace++ % SIM_TRACE_LINES];
	n = snprintf(line, 160, "%8llu.%03llu ", (unsigned long long)(w->now / 1000),
		     (unsigned long long)(w->now % 1000));
	va_start(ap, fmt);
	vsnprintf(line + n, 160 - (size_t)n, fmt, ap);
	va_end(ap);
	if (w->o->verbose)
		fprintf(w->o->out, "%s\n", line);
}

void sim_fail(struct sim_world *w, const char *fmt, ...)
{
	va_list ap;

	if (w->failed)
		return;
	w->failed = true;
	va_start(ap, fmt);
	vsnprintf(w->r->failure, sizeof(w->r->failure), fmt, ap);
	va_end(ap);
	sim_trace(w, "INVARIANT VIOLATED: %s", w->r->failure);
}

/* ---- event heap ------------------------------------------------------ */

static bool ev_before(const struct sim_ev *a, const struct sim_ev *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void push(struct sim_world *w, struct sim_ev ev)
{
	size_t i;

	if (w->n_heap == w->cap_heap) {
		size_t cap = w->cap_heap ? w->cap_heap * 2 : 1024;
		struct sim_ev *h = realloc(w->heap, cap * sizeof(*h));
		if (h == NULL)
			abort();
		w->heap = h;
		w->cap_heap = cap;
	}
	ev.seq = w->ev_seq++;
	i = w->n_heap++;
	while (i > 0 && ev_before(&ev, &w->heap[(i - 1) / 2])) {
		w->heap[i] = w->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	w->heap[i] = ev;
}

static struct sim_ev pop(struct sim_world *w)
{
	struct sim_ev top = w->heap[0], last = w->heap[--w->n_heap];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= w->n_heap)
			break;
		if (c + 1 < w->n_heap && ev_before(&w->heap[c + 1], &w->heap[c]))
			c++;
		if (!ev_before(&w->heap[c], &last))
			break;
		w->heap[i] = w->heap[c];
		i = c;
	}
	if (w->n_heap)
		w->heap[i] = last;
	return top;
}

static void push_simple(struct sim_world *w, uint64_t t, uint8_t type, uint32_t node)
{
	struct sim_ev ev = {.t = t, .type = type, .node = node};
	push(w, ev);
}

void sim_schedule(struct sim_world *w, uint64_t t, uint8_t type, uint32_t node, uint64_t gen)
{
	struct sim_ev ev = {.t = t, .type = type, .node = node, .gen = gen};
	push(w, ev);
}

void sim_schedule_src(struct sim_world *w, uint64_t t, uint8_t type, uint32_t node, uint32_t src,
		      uint64_t gen)
{
	struct sim_ev ev = {.t = t, .type = type, .node = node, .src = src, .gen = gen};
	push(w, ev);
}

/* ---- clocks and timers ----------------------------------------------- */

static uint64_t local_now(const struct sim_node *nd)
{
	return nd->clock_off + nd->w->now * nd->rate_ppm / 1000000;
}

uint64_t sim_local_now(const struct sim_node *nd)
{
	return local_now(nd);
}

/* The first virtual instant at which nd's clock reads local_us or more. */
uint64_t sim_global_at(const struct sim_node *nd, uint64_t local_us)
{
	uint64_t l = local_now(nd), now = nd->w->now;

	return local_us <= l ? now
			     : now + ((local_us - l) * 1000000 + nd->rate_ppm - 1) / nd->rate_ppm;
}

static void arm_timer(struct sim_node *nd)
{
	struct sim_world *w = nd->w;
	uint64_t d, t;

	if (nd->node == NULL)
		return;
	d = syn_node_next_deadline(nd->node);
	t = d == SYN_MEM_NO_DEADLINE ? SIM_NEVER : sim_global_at(nd, d);
	if (t == nd->timer_at)
		return;
	nd->timer_at = t;
	nd->timer_gen++;
	if (t != SIM_NEVER) {
		struct sim_ev ev = {.t = t, .type = EV_TIMER, .node = nd->id, .gen = nd->timer_gen};
		push(w, ev);
	}
}

/* ---- core environment ------------------------------------------------ */

static void env_send(void *ctx, uint32_t dest, const void *pkt, size_t len)
{
	struct sim_node *nd = ctx;
	struct sim_world *w = nd->w;

	for (uint32_t to = 1; to <= w->n; to++) {
		if (to == nd->id || (dest != SYN_MEM_BROADCAST && dest != to))
			continue;
		if (!w->link_up[nd->id][to] || chance_ppm(w, w->loss_ppm))
			continue;
		int copies = chance_ppm(w, w->dup_ppm) ? 2 : 1;
		for (int c = 0; c < copies; c++) {
			struct sim_ev ev = {
				.type = EV_PACKET, .node = to, .src = nd->id, .len = (uint32_t)len};
			ev.t = w->now + w->delay_us[nd->id][to] + sim_range(w, 0, w->jitter_us);
			ev.pkt = malloc(len);
			if (ev.pkt == NULL)
				abort();
			memcpy(ev.pkt, pkt, len);
			if (chance_ppm(w, w->garble_ppm))
				ev.pkt[sim_range(w, 0, len - 1)] ^= (uint8_t)sim_range(w, 1, 255);
			push(w, ev);
		}
	}
}

/* A send queued events: hand them out from an event at this instant (the daemon's job). */
static void env_wake(void *ctx)
{
	struct sim_node *nd = ctx;

	sim_schedule(nd->w, nd->w->now, SIM_EV_WAKE, nd->id, nd->epoch);
}

static void env_view(void *ctx, const struct syn_mem_view_event *ev)
{
	struct sim_node *nd = ctx;
	char buf[80];
	size_t o = 0;

	for (size_t i = 0; i < ev->n_members && o + 4 < sizeof(buf); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%u", i ? "," : "",
				      ev->members[i]);
	sim_trace(nd->w, "n%u VIEW ring %llu/%u members {%s}", nd->id,
		  (unsigned long long)ev->ring.seq, ev->ring.rep, buf);
	nd->w->r->views++;
	sim_check_view(nd, ev);
}

static void env_deliver(void *ctx, const struct syn_mem_deliver_event *ev)
{
	sim_check_deliver(ctx, ev);
}

static void env_log(void *ctx, int level, const char *line)
{
	struct sim_node *nd = ctx;
	if (level <= 6)
		sim_trace(nd->w, "n%u %s", nd->id, line);
}

/* The allocation hook: fails now and then while a core handles an input. */
static void *env_alloc(void *ctx, size_t size)
{
	struct sim_node *nd = ctx;
	struct sim_world *w = nd->w;

	if (w->in_core && chance_ppm(w, w->alloc_fail_ppm))
		return NULL;
	return malloc(size);
}

static void env_free(void *ctx, void *ptr)
{
	(void)ctx;
	free(ptr);
}

void sim_node_stats(const struct sim_node *nd, struct syn_mem_stats *out)
{
	syn_mem_get_stats(syn_node_mem(nd->node), out);
}

/* After every input to a node: hand its events out, then each service's after hook. */
static void node_after(struct sim_node *nd)
{
	if (nd->node == NULL)
		return;
	syn_node_dispatch(nd->node, false);
	for (size_t i = 0; i < N_SERVICES && nd->node; i++)
		if (services[i]->wanted(nd->w) && services[i]->after)
			services[i]->after(nd);
	arm_timer(nd);
}

static void services_stop(struct sim_node *nd)
{
	for (size_t i = N_SERVICES; i-- > 0;)
		if (services[i]->wanted(nd->w))
			services[i]->stop(nd);
}

static void node_start(struct sim_node *nd)
{
	struct sim_world *w = nd->w;
	struct syn_node_env env = {.ctx = nd,
				   .mem_alloc = env_alloc,
				   .mem_free = env_free,
				   .send = env_send,
				   .log = env_log,
				   .wake = env_wake,
				   .observe_view = env_view,
				   .observe_deliver = env_deliver};
	int rc;

	nd->epoch++;
	nd->has_view = false;
	nd->delivered_in_view = 0;
	nd->msg_counter = nd->own_delivered = 0;
	memset(nd->last_from, 0, sizeof(nd->last_from));
	if (nd->any)
		memset(nd->any, 0, nd->cap_any);
	memset(nd->last_from_epoch, 0, sizeof(nd->last_from_epoch));
	nd->timer_at = SIM_NEVER;
	nd->timer_gen++;
	rc = syn_node_create(&w->cfg, &env, nd->id, nd->epoch, local_now(nd), &nd->node);
	if (rc != 0) {
		nd->node = NULL;
		sim_fail(w, "n%u: syn_node_create failed: %d", nd->id, rc);
		return;
	}
	sim_trace(w, "n%u START epoch %u", nd->id, nd->epoch);
	for (size_t i = 0; i < N_SERVICES; i++)
		if (services[i]->wanted(w) && services[i]->start(nd) != 0)
			return;
	syn_node_start_services(nd->node);
	node_after(nd);
}

static void node_crash(struct sim_node *nd)
{
	sim_trace(nd->w, "n%u CRASH", nd->id);
	services_stop(nd);
	syn_node_destroy(nd->node);
	nd->node = NULL;
	nd->timer_gen++;
	nd->timer_at = SIM_NEVER;
	nd->paused_until = 0;
}

void sim_node_crash(struct sim_node *nd)
{
	node_crash(nd);
}

/* ---- faults ---------------------------------------------------------- */

static void heal(struct sim_world *w)
{
	for (uint32_t a = 1; a <= w->n; a++)
		for (uint32_t b = 1; b <= w->n; b++)
			w->link_up[a][b] = true;
}

static void fault(struct sim_world *w)
{
	uint32_t a = (uint32_t)sim_range(w, 1, w->n), b = (uint32_t)sim_range(w, 1, w->n);
	struct sim_node *nd = &w->node[a];
	uint64_t kind = sim_range(w, 0, 99);
	bool may_cut = w->qcfg.partitions && (!w->qcfg.cut_when_settled || sim_quorum_settled(w));

	if (kind < 20 && nd->node) {
		/* with allow_downscale, some stops are clean: LEAVING first */
		if (kind % 2 && w->now + 300000 < w->quiet_at && sim_quorum_leave(nd)) {
			sim_schedule(w, w->now + sim_range(w, 0, 200) * 1000, SIM_EV_LEAVE_DONE, a,
				     nd->epoch);
			node_after(nd);
			return;
		}
		node_crash(nd);
		push_simple(w, w->now + sim_range(w, 100, 1500) * 1000, EV_RESTART, a);
	} else if (kind < 35 && may_cut) {
		uint64_t mask = sim_rand(w);
		sim_trace(w, "PARTITION mask %llx", (unsigned long long)(mask & 0xffff));
		for (uint32_t x = 1; x <= w->n; x++)
			for (uint32_t y = 1; y <= w->n; y++)
				w->link_up[x][y] = ((mask >> x) & 1) == ((mask >> y) & 1);
	} else if (kind < 45 && a != b && may_cut) {
		sim_trace(w, "LINK n%u->n%u DOWN", a, b);
		w->link_up[a][b] = false;
	} else if (kind < 60) {
		sim_trace(w, "HEAL");
		heal(w);
	} else if (kind < 75 && nd->node) {
		uint64_t ms =
			sim_range(w, 0, 9) < 7 ? sim_range(w, 20, 300) : sim_range(w, 300, 1500);
		if (w->qcfg.short_pauses && ms >= w->cfg.fail_timeout_ms / 2)
			ms = w->cfg.fail_timeout_ms / 2;
		sim_trace(w, "n%u PAUSE %llu ms", a, (unsigned long long)ms);
		nd->paused_until = w->now + ms * 1000;
	} else if (kind < 90) {
		w->loss_ppm = (uint32_t)sim_range(w, 0, 3) * 30000;
		w->dup_ppm = (uint32_t)sim_range(w, 0, 2) * 10000;
		sim_trace(w, "LOSS %u ppm DUP %u ppm", w->loss_ppm, w->dup_ppm);
	} else {
		w->jitter_us = sim_range(w, 0, 3000);
		sim_trace(w, "JITTER %llu us", (unsigned long long)w->jitter_us);
	}
}

/* Pauses end now: events held back until a pause's end run now instead. */
static void end_pauses(struct sim_world *w)
{
	struct sim_ev *h = w->heap;
	size_t n = w->n_heap;

	for (size_t i = 0; i < n; i++) {
		struct sim_node *nd = &w->node[h[i].node];
		if (h[i].node && nd->paused_until && h[i].t == nd->paused_until)
			h[i].t = w->now;
	}
	for (uint32_t i = 1; i <= w->n; i++)
		w->node[i].paused_until = 0;
	/* Rebuild the heap: sift every parent down, last first. */
	for (size_t k = n / 2; k-- > 0;) {
		size_t i = k;
		struct sim_ev x = h[i];
		for (;;) {
			size_t c = 2 * i + 1;
			if (c >= n)
				break;
			if (c + 1 < n && ev_before(&h[c + 1], &h[c]))
				c++;
			if (!ev_before(&h[c], &x))
				break;
			h[i] = h[c];
			i = c;
		}
		h[i] = x;
	}
}

static void quiet(struct sim_world *w)
{
	sim_trace(w, "FAULTS STOP");
	w->faults = false;
	heal(w);
	w->loss_ppm = w->dup_ppm = w->garble_ppm = w->alloc_fail_ppm = 0;
	end_pauses(w);
	for (uint32_t i = 1; i <= w->n; i++) {
		struct sim_node *nd = &w->node[i];
		if (nd->node == NULL)
			node_start(nd);
	}
}

/* ---- application traffic --------------------------------------------- */

static void submit(struct sim_node *nd)
{
	struct sim_world *w = nd->w;
	uint8_t buf[SIM_MAX_MSG];
	uint64_t c = nd->msg_counter + 1;
	/* One message in eight is long enough to travel in many fragments. */
	size_t len = 20 + sim_range(w, 0, sim_range(w, 0, 7) ? 100 : SIM_MAX_MSG - 20);
	struct syn_mem_stats st;
	int rc;

	/* leave half the send queue to the quorum service: a view adds two messages */
	sim_node_stats(nd, &st);
	if (st.send_queue_len >= w->cfg.send_queue_max / 2)
		return;
	for (int i = 0; i < 4; i++) {
		buf[i] = (uint8_t)(nd->id >> (8 * i));
		buf[4 + i] = (uint8_t)(nd->epoch >> (8 * i));
	}
	for (int i = 0; i < 8; i++)
		buf[8 + i] = (uint8_t)(c >> (8 * i));
	for (int i = 0; i < 4; i++)
		buf[16 + i] = (uint8_t)(len >> (8 * i));
	for (size_t i = 20; i < len; i++)
		buf[i] = (uint8_t)(c + i);
	w->in_core = true;
	rc = syn_node_send(nd->node, local_now(nd), SYN_CLUSTER_MSG_TEST, buf, len);
	w->in_core = false;
	if (rc == 0) {
		nd->msg_counter = c;
		w->r->submitted++;
	} else if (rc != -EAGAIN && rc != -ENOMEM) {
		sim_fail(w, "n%u: syn_node_send failed: %d", nd->id, rc);
	}
}

/* ---- the step -------------------------------------------------------- */

static void deliver_to_node(struct sim_world *w, struct sim_ev *ev)
{
	struct sim_node *nd = &w->node[ev->node];

	if (ev->type == EV_TIMER) {
		if (ev->gen != nd->timer_gen || nd->node == NULL)
			return;
		nd->timer_at = SIM_NEVER;
		if (++nd->timer_same > 1000 && ev->t == w->now) {
			sim_fail(w, "n%u: timer fires forever at one instant", nd->id);
			return;
		}
		w->in_core = true;
		syn_node_timeout(nd->node, local_now(nd));
	} else {
		if (nd->node == NULL)
			return;
		w->in_core = true;
		syn_node_receive(nd->node, local_now(nd), ev->src, ev->pkt, ev->len);
	}
	w->in_core = false;
	node_after(nd);
}

static void step(struct sim_world *w, struct sim_ev *ev)
{
	struct sim_node *nd = &w->node[ev->node];

	if (ev->node && nd->paused_until > ev->t &&
	    (ev->type == EV_PACKET || ev->type == EV_TIMER || ev->type == EV_SUBMIT ||
	     ev->type == SIM_EV_QTIMER || ev->type == SIM_EV_DEV_ANSWER ||
	     ev->type == SIM_EV_CPG_ACT || ev->type == SIM_EV_WAKE)) {
		struct sim_ev again = *ev;
		again.t = nd->paused_until;
		push(w, again);
		ev->pkt = NULL;
		return;
	}
	if (ev->t != w->now)
		for (uint32_t i = 1; i <= w->n; i++)
			w->node[i].timer_same = 0;
	w->now = ev->t;
	w->r->events++;
	switch (ev->type) {
	case EV_PACKET:
	case EV_TIMER:
		deliver_to_node(w, ev);
		break;
	case EV_FAULT:
		if (!w->faults)
			break;
		fault(w);
		push_simple(w, w->now + sim_range(w, 100, 600) * 1000, EV_FAULT, 0);
		break;
	case EV_SUBMIT:
		if (nd->node && w->now + 50000 < w->quiet_at) {
			submit(nd);
			node_after(nd);
		}
		if (w->now + 50000 < w->quiet_at)
			push_simple(w, w->now + sim_range(w, 5, 150) * 1000, EV_SUBMIT, ev->node);
		break;
	case EV_RESTART:
		if (w->faults && nd->node == NULL)
			node_start(nd);
		break;
	case EV_QUIET:
		quiet(w);
		break;
	case SIM_EV_QTIMER:
		sim_quorum_timer(nd, ev->gen);
		node_after(nd);
		break;
	case SIM_EV_WAKE:
		if (nd->node && nd->epoch == ev->gen)
			node_after(nd);
		break;
	case SIM_EV_CPG_ACT:
		sim_cpg_act(nd, ev->gen);
		node_after(nd);
		break;
	case SIM_EV_DEV_REPORT:
		sim_device_report(w, ev->node, ev->src, ev->gen);
		break;
	case SIM_EV_DEV_ANSWER:
		sim_device_answer(nd, ev->src, ev->gen);
		node_after(nd);
		break;
	case SIM_EV_LEAVE_DONE:
		if (nd->node && nd->epoch == ev->gen) {
			node_crash(nd);
			push_simple(w, w->now + sim_range(w, 100, 1500) * 1000, EV_RESTART,
				    ev->node);
		}
		break;
	case EV_CHECK:
		sim_check_converged(w, false);
		sim_quorum_check_converged(w, false);
		w->r->converge_ms =
			w->last_view_at > w->quiet_at ? (w->last_view_at - w->quiet_at) / 1000 : 0;
		break;
	case EV_END:
		sim_check_converged(w, true);
		sim_quorum_check_converged(w, true);
		sim_cpg_check_converged(w);
		sim_cmm_check_converged(w);
		if (w->last_view_at > w->check_at)
			sim_fail(w, "L1: view change after convergence");
		break;
	}
	sim_quorum_check_step(w);
}

static void world_setup(struct sim_world *w)
{
	uint64_t now = 1000000; /* start at 1 s so nothing is at time zero */

	w->now = now;
	heal(w);
	w->jitter_us = sim_range(w, 0, 2000);
	for (uint32_t a = 1; a <= w->n; a++) {
		struct sim_node *nd = &w->node[a];
		nd->w = w;
		nd->id = a;
		nd->epoch = (uint32_t)sim_range(w, 1, 1000);
		nd->clock_off = sim_range(w, 0, 1ull << 40);
		nd->rate_ppm = sim_range(w, 980000, 1020000);
		for (uint32_t b = 1; b <= w->n; b++)
			w->delay_us[a][b] = sim_range(w, 50, 2000);
	}
	w->garble_ppm = 1000;
	w->alloc_fail_ppm = 2000;
	w->quiet_at = now + (uint64_t)w->o->fault_ms * 1000;
	w->check_at = w->quiet_at + (uint64_t)syn_sim_bound_ms(&w->cfg, w->o) * 1000;
	w->end_at = w->check_at + 1000000;
	w->faults = true;
	for (uint32_t a = 1; a <= w->n; a++) {
		node_start(&w->node[a]);
		push_simple(w, now + sim_range(w, 50, 500) * 1000, EV_SUBMIT, a);
	}
	push_simple(w, now + sim_range(w, 300, 800) * 1000, EV_FAULT, 0);
	push_simple(w, w->quiet_at, EV_QUIET, 0);
	push_simple(w, w->check_at, EV_CHECK, 0);
	push_simple(w, w->end_at, EV_END, 0);
}

static void world_free(struct sim_world *w)
{
	for (size_t i = 0; i < w->n_heap; i++)
		free(w->heap[i].pkt);
	free(w->heap);
	for (uint32_t i = 1; i <= w->n; i++) {
		services_stop(&w->node[i]);
		sim_cmm_free(&w->node[i]);
		syn_node_destroy(w->node[i].node);
	}
	sim_check_free(w);
	sim_cpg_check_free(w);
	sim_cmm_check_free(w);
	free(w->trace);
}

/*
 * How long after faults stop the cluster must have converged: a node may
 * first wait out a fail timeout (a dead leader) or 1.5 consensus timeouts
 * (a dead coordinator), then one gather settles and one proposal may fail
 * once more before the final one commits.
 */
uint32_t syn_sim_bound_ms(const struct syn_mem_config *c, const struct syn_sim_opts *o)
{
	if (o->quiet_ms)
		return o->quiet_ms;
	return 2 * c->fail_timeout_ms + 2 * c->consensus_timeout_ms + c->join_settle_ms;
}

void syn_sim_opts_init(struct syn_sim_opts *o, uint64_t seed)
{
	memset(o, 0, sizeof(*o));
	o->seed = seed;
	o->fault_ms = 3000;
	o->out = stdout;
}

static void print_trace(struct sim_world *w)
{
	uint64_t from = w->n_trace > SIM_TRACE_LINES ? w->n_trace - SIM_TRACE_LINES : 0;
	if (w->o->verbose)
		return;
	for (uint64_t i = from; i < w->n_trace; i++)
		fprintf(w->o->out, "%s\n", w->trace[i % SIM_TRACE_LINES]);
}

int syn_sim_run(const struct syn_sim_opts *o, struct syn_sim_result *r)
{
	struct sim_world *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return -ENOMEM;
	memset(r, 0, sizeof(*r));
	w->o = o;
	w->r = r;
	seed_rng(w, o->seed);
	w->n = o->nodes ? o->nodes : (uint32_t)sim_range(w, 3, SIM_MAX_NODES);
	if (w->n > SIM_MAX_NODES)
		w->n = SIM_MAX_NODES;
	sim_quorum_choose(w, o->seed, o->device ? SIM_QUORUM_DEVICE : -1);
	r->nodes = w->n;
	sim_quorum_describe(&w->qcfg, w->n, r->quorum, sizeof(r->quorum));
	syn_mem_config_init(&w->cfg);
	w->cfg.send_queue_max = 64;
	/*
	 * Small fragments, so that view changes often cut a message.  Not
	 * below 64 bytes: votequorum's messages travel whole (288 bytes,
	 * proto/net_quorum.h), and at 24-byte fragments each took 13 packets,
	 * a backlog after every view change that a 12- to 16-node cluster did
	 * not drain within the convergence bound (seeds 3155, and 71 with the
	 * device, in the first version that sent them whole).
	 */
	w->cfg.frag_len = (uint32_t)sim_range(w, 64, 400);
	if (o->trace || o->verbose) {
		w->trace = calloc(SIM_TRACE_LINES, sizeof(*w->trace));
		if (w->trace == NULL) {
			free(w);
			return -ENOMEM;
		}
	}
	world_setup(w);
	while (w->n_heap > 0 && !w->failed) {
		struct sim_ev ev = pop(w);
		step(w, &ev);
		free(ev.pkt);
		if (ev.type == EV_END)
			break;
	}
	r->ok = !w->failed;
	if (w->failed && o->trace)
		print_trace(w);
	world_free(w);
	free(w);
	return 0;
}

/* ---- failover measurement -------------------------------------------- */

static bool one_view(struct sim_world *w, uint32_t n_live)
{
	struct sim_node *first = NULL;
	for (uint32_t i = 1; i <= w->n; i++) {
		struct sim_node *nd = &w->node[i];
		if (nd->node == NULL)
			continue;
		if (!nd->has_view)
			return false;
		if (first && first->ring_idx != nd->ring_idx)
			return false;
		first = nd;
	}
	return first && w->rings[first->ring_idx].n == n_live;
}

static bool run_until(struct sim_world *w, uint64_t deadline, uint32_t n_live)
{
	while (w->n_heap > 0 && !w->failed && w->heap[0].t <= deadline) {
		struct sim_ev ev = pop(w);
		step(w, &ev);
		free(ev.pkt);
		if (n_live && one_view(w, n_live))
			return true;
	}
	return false;
}

static int failover_run(struct sim_world *w, bool victim_leader, uint32_t pause_ms,
			uint64_t *detect_ms, uint64_t *spurious)
{
	uint32_t victim = 0;
	uint64_t t0, views;

	if (!run_until(w, w->now + 5000000, w->n))
		return -ETIMEDOUT;
	run_until(w, w->now + 1000000, 0); /* settle */
	const struct sim_ring_rec *rec = &w->rings[w->node[1].ring_idx];
	victim = victim_leader ? rec->ring.rep : (rec->ring.rep == w->n ? 1 : w->n);
	node_crash(&w->node[victim]);
	t0 = w->now;
	if (!run_until(w, w->now + 5000000, w->n - 1))
		return -ETIMEDOUT;
	*detect_ms = (w->last_view_at - t0) / 1000;
	*spurious = 0;
	if (pause_ms == 0)
		return 0;
	run_until(w, w->now + 1000000, 0);
	views = w->views_seen;
	w->node[victim == 1 ? 2 : 1].paused_until = w->now + (uint64_t)pause_ms * 1000;
	run_until(w, w->now + 3000000, 0);
	*spurious = w->views_seen - views;
	return w->failed ? -EPROTO : 0;
}

int syn_sim_failover(uint64_t seed, uint32_t n, bool victim_leader, uint32_t pause_ms,
		     uint64_t *detect_ms, uint64_t *spurious)
{
	struct syn_sim_opts o;
	struct syn_sim_result r;
	struct sim_world *w = calloc(1, sizeof(*w));
	int rc;

	if (w == NULL)
		return -ENOMEM;
	syn_sim_opts_init(&o, seed);
	memset(&r, 0, sizeof(r));
	w->o = &o;
	w->r = &r;
	seed_rng(w, seed);
	w->n = n > SIM_MAX_NODES ? SIM_MAX_NODES : n;
	sim_quorum_choose(w, seed, 0);
	syn_mem_config_init(&w->cfg);
	w->now = 1000000;
	heal(w);
	for (uint32_t a = 1; a <= w->n; a++) {
		struct sim_node *nd = &w->node[a];
		nd->w = w;
		nd->id = a;
		nd->epoch = 1;
		nd->clock_off = sim_range(w, 0, 1ull << 40);
		nd->rate_ppm = sim_range(w, 990000, 1010000);
		for (uint32_t b = 1; b <= w->n; b++)
			w->delay_us[a][b] = sim_range(w, 100, 1000);
	}
	for (uint32_t a = 1; a <= w->n; a++)
		node_start(&w->node[a]);
	rc = failover_run(w, victim_leader, pause_ms, detect_ms, spurious);
	world_free(w);
	free(w);
	return rc;
}
