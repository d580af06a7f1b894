/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * loop.h - the daemon's event loop: one timer type, deferred jobs and a
 * cached monotonic clock over a libqb qb_loop.
 *
 * Every daemon module arms its timers, schedules its deferred work and
 * reads the time through this file; none calls qb_loop_timer_* or
 * qb_loop_job_* or reads a clock itself.  fd polls, signals and the IPC
 * server still register on the underlying qb_loop (syn_loop_qb()).
 *
 * Timers and jobs live in their owner's struct (init, no allocation by
 * the owner) and remember whether they are pending, so an owner keeps no
 * "armed" flag of its own.  A callback runs at most once per arm or
 * schedule; it may re-arm, cancel, or free the struct that embeds its
 * timer or job (the loop does not touch it after the callback returns).
 *
 * The clock: syn_loop_now_us() is CLOCK_MONOTONIC in microseconds (the
 * clock qb_loop's timers use), read once and cached.  The cache is
 * refreshed
 *   - when the loop is created;
 *   - at the entry of every syn_timer and syn_job callback;
 *   - when syn_loop_run() starts;
 *   - by syn_loop_update_now(), which every other entry point that reads
 *     the time or arms a timer calls first: the cluster's packet callback
 *     (once per packet of a burst the transport reads), the IPC server's
 *     connection-created, connection-destroyed and message callbacks,
 *     syn_cluster_create(), and main() before the services' shutdown
 *     hooks once the loop has stopped.
 * So every reading within one timer or job callback, one packet or one
 * IPC request returns the same value, and readings never decrease.
 *
 * Errors: 0 or a negative errno.
 */
#ifndef SYN_DAEMON_LOOP_H
#define SYN_DAEMON_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <qb/qbloop.h>

struct syn_loop;
struct syn_job;

typedef void (*syn_loop_fn)(void *ctx);

/*
 * A one-shot timer at an absolute monotonic deadline.  Fields are private
 * to loop.c; they are here so the timer can live inside its owner.
 */
struct syn_timer {
	struct syn_loop *loop;
	enum qb_loop_priority priority;
	syn_loop_fn fn;
	void *ctx;
	qb_loop_timer_handle handle;
	uint64_t deadline_us;
	bool armed;
};

/* A deferred call: runs once from the loop after the current callback. */
struct syn_job {
	struct syn_loop *loop;
	enum qb_loop_priority priority;
	syn_loop_fn fn;
	void *ctx;
	bool pending;
	/* the loop's list of pending jobs, so destroy can drop them */
	struct syn_job *prev, *next;
};

/* Create a loop (and its qb_loop); -ENOMEM. */
int syn_loop_create(struct syn_loop **out);

/*
 * Destroy the loop.  Timers still armed are dropped without running and
 * their structs are not touched (their owners may be gone).  Jobs still
 * pending are dropped too; their structs must still exist (an owner
 * cancels its job before freeing it, as it must anyway).  NULL: no-op.
 */
void syn_loop_destroy(struct syn_loop *loop);

/* The underlying qb_loop, for fd polls, signals and the IPC server. */
qb_loop_t *syn_loop_qb(struct syn_loop *loop);

/* Run until syn_loop_stop(); refreshes the cached time first. */
void syn_loop_run(struct syn_loop *loop);
void syn_loop_stop(struct syn_loop *loop);

/* The cached monotonic time in microseconds (see the header comment). */
uint64_t syn_loop_now_us(const struct syn_loop *loop);

/* Read the clock into the cache; returns the new value. */
uint64_t syn_loop_update_now(struct syn_loop *loop);

/* Prepare a timer; fn(ctx) runs at its deadline.  Not armed. */
void syn_timer_init(struct syn_timer *t, struct syn_loop *loop, enum qb_loop_priority priority,
		    syn_loop_fn fn, void *ctx);

/*
 * Arm at an absolute deadline (syn_loop_now_us() scale).  Armed at the
 * same deadline: nothing changes.  Armed at another: the new deadline
 * replaces the old.  A deadline already past fires from the loop at once
 * (never inside this call).  -ENOMEM/-errno from qb_loop: the timer is
 * left disarmed.
 */
int syn_timer_arm_at(struct syn_timer *t, uint64_t deadline_us);

/* Arm at syn_loop_now_us() + delay_us (same rules as syn_timer_arm_at). */
int syn_timer_arm_in(struct syn_timer *t, uint64_t delay_us);

/* Disarm; a disarmed timer: no-op. */
void syn_timer_cancel(struct syn_timer *t);

bool syn_timer_armed(const struct syn_timer *t);

/* The armed deadline; meaningless when not armed. */
uint64_t syn_timer_deadline_us(const struct syn_timer *t);

/* Prepare a job; not pending. */
void syn_job_init(struct syn_job *j, struct syn_loop *loop, enum qb_loop_priority priority,
		  syn_loop_fn fn, void *ctx);

/* Run fn(ctx) from the loop soon; already pending: no-op.  -ENOMEM. */
int syn_job_schedule(struct syn_job *j);

/* Drop a pending job; not pending: no-op. */
void syn_job_cancel(struct syn_job *j);

bool syn_job_pending(const struct syn_job *j);

#endif /* SYN_DAEMON_LOOP_H */
