/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * priority.c - see priority.h.  Failures to raise the priority are logged and
 * not fatal (as in corosync); only an unparsable system.priority is.
 */
#include "priority.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <qb/qblog.h>

static void set_nice(int value)
{
	if (setpriority(PRIO_PROCESS, 0, value) != 0)
		qb_log(LOG_WARNING, "Could not set priority %d: %s", value, strerror(errno));
}

/* "max", "min" or an integer nice value; -EINVAL otherwise. */
static int parse_priority(const char *s, int *out)
{
	char *end;
	long v;

	if (strcmp(s, "max") == 0) {
		*out = -20;
		return 0;
	}
	if (strcmp(s, "min") == 0) {
		*out = 19;
		return 0;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < -20 || v > 19)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

int syn_priority_apply(const struct syn_store *icmap, char *err, size_t err_len)
{
	const char *rr = NULL, *prio = NULL;
	struct sched_param param;
	int nice_value;

	if (syn_store_get_str(icmap, "system.sched_rr", &rr) != 0 || strcmp(rr, "no") != 0) {
		param.sched_priority = sched_get_priority_max(SCHED_RR);
		if (sched_setscheduler(0, SCHED_RR, &param) == 0)
			return 0;
		qb_log(LOG_WARNING, "Could not set SCHED_RR at priority %d: %s",
		       param.sched_priority, strerror(errno));
		set_nice(-20);
		return 0;
	}
	if (syn_store_get_str(icmap, "system.priority", &prio) != 0)
		return 0;
	if (parse_priority(prio, &nice_value) != 0) {
		snprintf(err, err_len, "Priority value %s is invalid", prio);
		return -EINVAL;
	}
	set_nice(nice_value);
	return 0;
}
