/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * logjournal.c - see logjournal.h.
 *
 * The target is found again on later calls (a configuration reload
 * applies the logging section anew) by its user data, the address of a
 * constant of this file, so no state is kept here.  Priorities below
 * LOG_DEBUG (libqb's trace) are written as LOG_DEBUG: the journal knows
 * only the eight syslog levels.
 */
#include "logjournal.h"

#include <inttypes.h>
#include <stdio.h>
#include <syslog.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <qb/qblog.h>

static const char journal_target_tag[] = "synod journal stream";

bool syn_logjournal_stderr_is_journal(void)
{
	const char *stream = getenv("JOURNAL_STREAM");
	uintmax_t dev, ino;
	struct stat st;
	char tail;

	if (!stream || sscanf(stream, "%ju:%ju%c", &dev, &ino, &tail) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st) != 0)
		return false;
	return (uintmax_t)st.st_dev == dev && (uintmax_t)st.st_ino == ino;
}

static void write_line(int32_t t, struct qb_log_callsite *cs, struct timespec *timestamp,
		       const char *msg)
{
	char line[QB_LOG_ABSOLUTE_MAX_LEN], out[QB_LOG_ABSOLUTE_MAX_LEN + 8];
	int priority = cs->priority > LOG_DEBUG ? LOG_DEBUG : cs->priority;
	int len;

	line[0] = '\0';
	qb_log_target_format(t, cs, timestamp, msg, line);
	len = snprintf(out, sizeof(out), "<%d>%s\n", priority, line);
	if (len > (int)sizeof(out) - 1) {
		len = (int)sizeof(out) - 1;
		out[len - 1] = '\n';
	}
	/* one write per line, so other writers' lines never split it */
	if (write(STDERR_FILENO, out, (size_t)len) < 0)
		return; /* nowhere left to say so */
}

int32_t syn_logjournal_target(void)
{
	int32_t t;

	for (t = QB_LOG_TARGET_DYNAMIC_START; t < QB_LOG_TARGET_MAX; t++)
		if (qb_log_target_user_data_get(t) == journal_target_tag)
			return t;
	return qb_log_custom_open(write_line, NULL, NULL, (void *)journal_target_tag);
}
