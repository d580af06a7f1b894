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
 *
 * The fatal-signal path calls only what is safe in a handler that may
 * have interrupted the daemon anywhere (inside malloc, or inside libqb's
 * logging, which holds the C library's time-zone lock while it formats a
 * time stamp): open/write/close of the dump (libqb's writer allocates
 * nothing), arithmetic for the time stamp, unlink of the ring's files.
 * What it needs is prepared at install time in fatal_state, the daemon's
 * one file-level variable: a signal handler receives no context.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
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

/* Prepared by syn_blackbox_fatal_signals_install for on_fatal_signal. */
#define FATAL_SHM_MAX 4
static struct {
	long utc_offset;			/* seconds east of UTC at start-up */
	char shm[FATAL_SHM_MAX][NAME_MAX + 10]; /* the ring's /dev/shm files */
	int n_shm;
} fatal_state;

struct syn_blackbox {
	struct syn_store *icmap;
	struct syn_store_tracker *flight_tracker;
	struct syn_store_tracker *state_tracker;
	syn_blackbox_state_fn dump_state;
	void *ctx;
};

/* YYYY-MM-DDTHH:MM:SS of t (seconds since the epoch, shifted to local time). */
static void stamp_of(long long t, char out[32])
{
	long long days = t / 86400, secs = t % 86400, era, doe, yoe, doy, mp, y;
	unsigned month, day;

	if (secs < 0) {
		secs += 86400;
		days--;
	}
	/* days since 1970-01-01 to a civil date (proleptic Gregorian) */
	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	day = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	month = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	y = yoe + era * 400 + (month <= 2);
	snprintf(out, 32, "%04lld-%02u-%02uT%02lld:%02lld:%02lld", y, month, day, secs / 3600,
		 secs / 60 % 60, secs % 60);
}

/* The dump, and the link to it; the message of a failure in why. */
static int write_dump(const char **why)
{
	char name[96], stamp[32];
	ssize_t written;

	stamp_of((long long)time(NULL) + fatal_state.utc_offset, stamp);
	snprintf(name, sizeof(name), "%s-%s-%lld", FDATA_LINK, stamp, (long long)getpid());
	written = qb_log_blackbox_write_to_file(name);
	if (written < 0) {
		/* libqb leaves what it wrote before failing (e.g. with no ring) */
		unlink(name);
		*why = "Cannot write the blackbox";
		return (int)written;
	}
	/* a relative target: the link and the dump share the directory */
	if (unlink(FDATA_LINK) != 0 && errno != ENOENT) {
		*why = "Cannot replace the fdata link";
		return -errno;
	}
	if (symlink(name, FDATA_LINK) != 0) {
		*why = "Cannot link fdata to the blackbox";
		return -errno;
	}
	return 0;
}

int syn_blackbox_write(void)
{
	const char *why = NULL;
	int rc = write_dump(&why);

	if (rc != 0)
		qb_log(LOG_ERR, "%s: %s", why, strerror(-rc));
	return rc;
}

static void on_fatal_signal(int sig)
{
	int saved_errno = errno;

	const char *why;

	/*
	 * The handler was reset on entry: the raise below is the default
	 * action.  The ring's shared-memory files go first, as closing the
	 * log would remove them (a process killed by a signal leaves them).
	 */
	write_dump(&why);
	for (int i = 0; i < fatal_state.n_shm; i++)
		unlink(fatal_state.shm[i]);
	errno = saved_errno;
	raise(sig);
}

void syn_blackbox_fatal_signals_install(void)
{
	static const int fatal[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
	time_t now = time(NULL);
	struct sigaction sa;
	char mark[32];
	struct tm tm;
	DIR *shm;

	fatal_state.utc_offset = localtime_r(&now, &tm) ? tm.tm_gmtoff : 0;
	fatal_state.n_shm = 0;
	snprintf(mark, sizeof(mark), "-%lld-blackbox", (long long)getpid());
	shm = opendir("/dev/shm");
	for (struct dirent *d; shm && (d = readdir(shm)) && fatal_state.n_shm < FATAL_SHM_MAX;)
		if (strncmp(d->d_name, "qb-", 3) == 0 && strstr(d->d_name, mark))
			snprintf(fatal_state.shm[fatal_state.n_shm++], sizeof(fatal_state.shm[0]),
				 "/dev/shm/%s", d->d_name);
	if (shm)
		closedir(shm);

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
