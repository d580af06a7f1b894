/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * scrape.h - fresh snapshots bounded in time.  A worker thread owns the
 * daemon connection (collect.h) and collects on request; a scrape asks
 * for a collection that starts after the request and waits for it at
 * most timeout_ms.  A daemon that is stopped (not dead) blocks the
 * library calls: the scrape then answers up = false while the worker
 * keeps waiting, and later scrapes wait for the worker to come back,
 * each no longer than timeout_ms.
 *
 * Thread-safe: scrapes may come from several HTTP threads at once; they
 * share collections that start after all of them asked.
 */
#ifndef SYN_EXP_SCRAPE_H
#define SYN_EXP_SCRAPE_H

#include "snapshot.h"

struct syn_exp_scraper;

/* Start the worker.  0 or -errno. */
int syn_exp_scraper_create(int timeout_ms, struct syn_exp_scraper **out);
/*
 * Stop the worker.  If it is stuck in a library call for longer than the
 * timeout it is left behind (the process is about to exit) and its
 * memory with it.  destroy(NULL) is a no-op.
 */
void syn_exp_scraper_destroy(struct syn_exp_scraper *sc);

/*
 * Fill *out with a collection started after this call.  Returns 0, or
 * -ETIMEDOUT with out->up false and out->collect_seconds the time waited.
 */
int syn_exp_scraper_scrape(struct syn_exp_scraper *sc, struct syn_exp_snapshot *out);

#endif
