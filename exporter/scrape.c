/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * scrape.c - the collection worker and time-bounded scrapes (see scrape.h).
 *
 * Invariant (under lock): done <= requested.  A scrape takes ticket
 * ++requested; the worker, when done < requested, collects for target =
 * requested (every ticket issued so far, all of them issued before the
 * collection starts) and then publishes the snapshot with done = target.
 * A scrape with ticket n is answered by the first snapshot with done >= n.
 */
#include "scrape.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collect.h"

struct syn_exp_scraper {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake; /* worker: a request or stop */
	pthread_cond_t done_cond;
	uint64_t requested;
	uint64_t done;
	bool stop;
	int timeout_ms;
	struct syn_exp_conn conn;	/* worker's only */
	struct syn_exp_snapshot work;	/* worker's only */
	struct syn_exp_snapshot latest; /* under lock */
};

/* One stderr line (the journal, under systemd) when the daemon comes or goes. */
static void report_change(bool was_up, bool up)
{
	if (up && !was_up)
		fprintf(stderr, "synod-exporter: connected to the synod daemon\n");
	else if (!up && was_up)
		fprintf(stderr, "synod-exporter: the synod daemon does not answer; "
				"reporting synod_up 0 until it does\n");
}

static void *worker(void *arg)
{
	struct syn_exp_scraper *sc = arg;
	bool was_up = false;

	pthread_mutex_lock(&sc->lock);
	while (!sc->stop) {
		uint64_t target;

		if (sc->done == sc->requested) {
			pthread_cond_wait(&sc->wake, &sc->lock);
			continue;
		}
		target = sc->requested;
		pthread_mutex_unlock(&sc->lock);
		syn_exp_collect(&sc->conn, &sc->work);
		report_change(was_up, sc->work.up);
		was_up = sc->work.up;
		pthread_mutex_lock(&sc->lock);
		sc->latest = sc->work;
		sc->done = target;
		pthread_cond_broadcast(&sc->done_cond);
	}
	pthread_mutex_unlock(&sc->lock);
	syn_exp_conn_fini(&sc->conn);
	return NULL;
}

int syn_exp_scraper_create(int timeout_ms, struct syn_exp_scraper **out)
{
	struct syn_exp_scraper *sc = calloc(1, sizeof(*sc));
	pthread_condattr_t attr;
	int rc;

	if (!sc)
		return -ENOMEM;
	sc->timeout_ms = timeout_ms;
	syn_exp_conn_init(&sc->conn);
	pthread_mutex_init(&sc->lock, NULL);
	pthread_cond_init(&sc->wake, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&sc->done_cond, &attr);
	pthread_condattr_destroy(&attr);
	rc = pthread_create(&sc->thread, NULL, worker, sc);
	if (rc != 0)
		goto err_free;
	*out = sc;
	return 0;

err_free:
	pthread_cond_destroy(&sc->done_cond);
	pthread_cond_destroy(&sc->wake);
	pthread_mutex_destroy(&sc->lock);
	free(sc);
	return -rc;
}

static struct timespec deadline_after(int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

void syn_exp_scraper_destroy(struct syn_exp_scraper *sc)
{
	struct timespec until;

	if (!sc)
		return;
	pthread_mutex_lock(&sc->lock);
	sc->stop = true;
	pthread_cond_signal(&sc->wake);
	pthread_mutex_unlock(&sc->lock);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += sc->timeout_ms / 1000 + 1;
	if (pthread_timedjoin_np(sc->thread, NULL, &until) != 0) {
		pthread_detach(sc->thread);
		return;
	}
	pthread_cond_destroy(&sc->done_cond);
	pthread_cond_destroy(&sc->wake);
	pthread_mutex_destroy(&sc->lock);
	free(sc);
}

int syn_exp_scraper_scrape(struct syn_exp_scraper *sc, struct syn_exp_snapshot *out)
{
	struct timespec start, deadline = deadline_after(sc->timeout_ms), end;
	uint64_t ticket;
	int rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	pthread_mutex_lock(&sc->lock);
	ticket = ++sc->requested;
	pthread_cond_signal(&sc->wake);
	while (sc->done < ticket && rc == 0)
		rc = pthread_cond_timedwait(&sc->done_cond, &sc->lock, &deadline);
	if (sc->done >= ticket) {
		*out = sc->latest;
		rc = 0;
	}
	pthread_mutex_unlock(&sc->lock);
	if (rc == 0)
		return 0;
	memset(out, 0, sizeof(*out));
	clock_gettime(CLOCK_MONOTONIC, &end);
	out->collect_seconds =
		(double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
	return -ETIMEDOUT;
}
