/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * loop.c - timers, deferred jobs and the cached clock over qb_loop (see
 * loop.h).
 *
 * Each armed syn_timer is one qb_loop timer whose data is the syn_timer
 * itself; each pending syn_job is one qb_loop job, identified by libqb
 * through (data, function) = (the syn_job, job_fire), so two jobs never
 * collide.  qb_loop takes timers as relative nanoseconds: an absolute
 * deadline is converted against a fresh clock reading at arm time, not
 * the cached one, so a timer armed late in a long callback still fires
 * at its deadline.
 *
 * Invariants: t->armed exactly while libqb holds a timer for t;
 * j->pending exactly while libqb holds a job for j and j is on the
 * loop's pending list.  Both flags are cleared before the owner's
 * callback runs, and the callback's struct is not touched after it
 * returns.
 *
 * qb_loop_destroy() frees its timers but not its pending jobs, so the
 * loop keeps the pending jobs on a list and deletes them first.
 */
#include "loop.h"

#include <errno.h>
#include <stdlib.h>
#include <qb/qbutil.h>

struct syn_loop {
	qb_loop_t *qb;
	uint64_t now_us;
	struct syn_job *pending_jobs;
};

static uint64_t clock_read_us(void)
{
	return qb_util_nano_current_get() / QB_TIME_NS_IN_USEC;
}

int syn_loop_create(struct syn_loop **out)
{
	struct syn_loop *loop = calloc(1, sizeof(*loop));

	if (!loop)
		return -ENOMEM;
	loop->qb = qb_loop_create();
	if (!loop->qb) {
		free(loop);
		return -ENOMEM;
	}
	loop->now_us = clock_read_us();
	*out = loop;
	return 0;
}

void syn_loop_destroy(struct syn_loop *loop)
{
	if (!loop)
		return;
	while (loop->pending_jobs)
		syn_job_cancel(loop->pending_jobs);
	qb_loop_destroy(loop->qb);
	free(loop);
}

qb_loop_t *syn_loop_qb(struct syn_loop *loop)
{
	return loop->qb;
}

void syn_loop_run(struct syn_loop *loop)
{
	syn_loop_update_now(loop);
	qb_loop_run(loop->qb);
}

void syn_loop_stop(struct syn_loop *loop)
{
	qb_loop_stop(loop->qb);
}

uint64_t syn_loop_now_us(const struct syn_loop *loop)
{
	return loop->now_us;
}

uint64_t syn_loop_update_now(struct syn_loop *loop)
{
	uint64_t now = clock_read_us();

	/* CLOCK_MONOTONIC does not go back; the guard keeps the promise anyway. */
	if (now > loop->now_us)
		loop->now_us = now;
	return loop->now_us;
}

/* ---- timers -------------------------------------------------------------- */

static void timer_fire(void *data)
{
	struct syn_timer *t = data;

	t->armed = false;
	syn_loop_update_now(t->loop);
	t->fn(t->ctx);
}

void syn_timer_init(struct syn_timer *t, struct syn_loop *loop, enum qb_loop_priority priority,
		    syn_loop_fn fn, void *ctx)
{
	*t = (struct syn_timer){.loop = loop, .priority = priority, .fn = fn, .ctx = ctx};
}

int syn_timer_arm_at(struct syn_timer *t, uint64_t deadline_us)
{
	uint64_t now_us, delay_ns;
	int rc;

	if (t->armed && t->deadline_us == deadline_us)
		return 0;
	syn_timer_cancel(t);
	now_us = clock_read_us();
	delay_ns = deadline_us > now_us ? (deadline_us - now_us) * QB_TIME_NS_IN_USEC : 0;
	rc = qb_loop_timer_add(t->loop->qb, t->priority, delay_ns, t, timer_fire, &t->handle);
	if (rc != 0)
		return rc < 0 ? rc : -EINVAL;
	t->armed = true;
	t->deadline_us = deadline_us;
	return 0;
}

int syn_timer_arm_in(struct syn_timer *t, uint64_t delay_us)
{
	return syn_timer_arm_at(t, syn_loop_now_us(t->loop) + delay_us);
}

void syn_timer_cancel(struct syn_timer *t)
{
	if (!t->armed)
		return;
	qb_loop_timer_del(t->loop->qb, t->handle);
	t->armed = false;
}

bool syn_timer_armed(const struct syn_timer *t)
{
	return t->armed;
}

uint64_t syn_timer_deadline_us(const struct syn_timer *t)
{
	return t->deadline_us;
}

/* ---- jobs ---------------------------------------------------------------- */

static void job_unlink(struct syn_job *j)
{
	if (j->prev)
		j->prev->next = j->next;
	else
		j->loop->pending_jobs = j->next;
	if (j->next)
		j->next->prev = j->prev;
	j->prev = j->next = NULL;
	j->pending = false;
}

static void job_fire(void *data)
{
	struct syn_job *j = data;

	job_unlink(j);
	syn_loop_update_now(j->loop);
	j->fn(j->ctx);
}

void syn_job_init(struct syn_job *j, struct syn_loop *loop, enum qb_loop_priority priority,
		  syn_loop_fn fn, void *ctx)
{
	*j = (struct syn_job){.loop = loop, .priority = priority, .fn = fn, .ctx = ctx};
}

int syn_job_schedule(struct syn_job *j)
{
	int rc;

	if (j->pending)
		return 0;
	rc = qb_loop_job_add(j->loop->qb, j->priority, j, job_fire);
	if (rc != 0)
		return rc < 0 ? rc : -EINVAL;
	j->pending = true;
	j->prev = NULL;
	j->next = j->loop->pending_jobs;
	if (j->next)
		j->next->prev = j;
	j->loop->pending_jobs = j;
	return 0;
}

void syn_job_cancel(struct syn_job *j)
{
	if (!j->pending)
		return;
	qb_loop_job_del(j->loop->qb, j->priority, j, job_fire);
	job_unlink(j);
}

bool syn_job_pending(const struct syn_job *j)
{
	return j->pending;
}
