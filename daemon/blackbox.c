/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * blackbox.c - the flight recorder's dumps (see blackbox.h): a fatal
 * signal or a change of a runtime.blackbox.* cmap key writes libqb's
 * blackbox ring to fdata-<time>-<pid> in the state directory and points
 * the symlink fdata at it.
 *
 * The ring itself is configured with the other log targets in
 * logconfig.c (logging.blackbox, on by default); with it off, libqb
 * writes nothing and a dump reports the error in the log.  The keys are
 * followed through the store's own trackers, the mechanism cmap clients'
 * tracking uses.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <qb/qblog.h>

#include "blackbox.h"

#define DUMP_FLIGHT_DATA_KEY "runtime.blackbox.dump_flight_data"
#define DUMP_STATE_KEY "runtime.blackbox.dump_state"
#define FDATA_LINK "fdata"

struct syn_blackbox {
	struct syn_store *icmap;
	struct syn_store_tracker *flight_tracker;
	struct syn_store_tracker *state_tracker;
	syn_blackbox_state_fn dump_state;
	void *ctx;
};

int syn_blackbox_write(void)
{
	char name[96], stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	ssize_t written;

	if (!localtime_r(&now, &tm) ||
	    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		snprintf(stamp, sizeof(stamp), "%lld", (long long)now);
	snprintf(name, sizeof(name), "%s-%s-%lld", FDATA_LINK, stamp, (long long)getpid());
	written = qb_log_blackbox_write_to_file(name);
	if (written < 0) {
		/* libqb leaves what it wrote before failing (e.g. with no ring) */
		unlink(name);
		qb_log(LOG_ERR, "Cannot write the blackbox to %s: %s", name,
		       strerror((int)-written));
		return (int)written;
	}
	/* a relative target: the link and the dump share the directory */
	if (unlink(FDATA_LINK) != 0 && errno != ENOENT) {
		qb_log(LOG_ERR, "Cannot replace the %s link: %s", FDATA_LINK, strerror(errno));
		return -errno;
	}
	if (symlink(name, FDATA_LINK) != 0) {
		qb_log(LOG_ERR, "Cannot link %s to the blackbox %s: %s", FDATA_LINK, name,
		       strerror(errno));
		return -errno;
	}
	return 0;
}

static void on_fatal_signal(int sig)
{
	int saved_errno = errno;

	/*
	 * The handler was reset on entry: the raise below is the default
	 * action.  Closing the log first removes the ring's shared-memory
	 * files, which a process killed by a signal would leave behind.
	 */
	syn_blackbox_write();
	qb_log_fini();
	errno = saved_errno;
	raise(sig);
}

void syn_blackbox_fatal_signals_install(void)
{
	static const int fatal[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		sigaction(fatal[i], &sa, NULL);
}

static void on_key_change(void *ctx, struct syn_store_tracker *tracker, int event, const char *key,
			  const struct syn_value *new_value, const struct syn_value *old_value)
{
	struct syn_blackbox *bb = ctx;

	(void)event;
	(void)new_value;
	(void)old_value;
	if (tracker == bb->state_tracker) {
		qb_log(LOG_NOTICE, "State dump requested through %s", key);
		if (bb->dump_state)
			bb->dump_state(bb->ctx);
		return;
	}
	qb_log(LOG_NOTICE, "Blackbox dump requested through %s", key);
	if (syn_blackbox_write() == 0)
		qb_log(LOG_INFO, "Blackbox written to the state directory");
}

int syn_blackbox_create(struct syn_store *icmap, syn_blackbox_state_fn dump_state, void *ctx,
			struct syn_blackbox **out)
{
	const int32_t any = SYN_TRACK_ADD | SYN_TRACK_DELETE | SYN_TRACK_MODIFY;
	struct syn_blackbox *bb = calloc(1, sizeof(*bb));
	int rc;

	*out = NULL;
	if (!bb)
		return -ENOMEM;
	bb->icmap = icmap;
	bb->dump_state = dump_state;
	bb->ctx = ctx;
	rc = syn_store_track_add(icmap, DUMP_FLIGHT_DATA_KEY, any, on_key_change, bb,
				 &bb->flight_tracker);
	if (rc == 0)
		rc = syn_store_track_add(icmap, DUMP_STATE_KEY, any, on_key_change, bb,
					 &bb->state_tracker);
	if (rc != 0) {
		syn_blackbox_destroy(bb);
		return rc;
	}
	*out = bb;
	return 0;
}

void syn_blackbox_destroy(struct syn_blackbox *bb)
{
	if (!bb)
		return;
	if (bb->state_tracker)
		syn_store_track_delete(bb->icmap, bb->state_tracker);
	if (bb->flight_tracker)
		syn_store_track_delete(bb->icmap, bb->flight_tracker);
	free(bb);
}
