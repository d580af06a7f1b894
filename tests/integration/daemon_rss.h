/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * daemon_rss.h - the resident size of the daemon under test, for
 * integration tests run by netns-run.sh (which exports its pid as
 * SYN_DAEMON_PID).  -1 when the pid or /proc entry is not there.
 */
#ifndef SYN_TESTS_DAEMON_RSS_H
#define SYN_TESTS_DAEMON_RSS_H

#include <stdio.h>
#include <stdlib.h>

static inline long daemon_rss_kb(void)
{
	const char *pid = getenv("SYN_DAEMON_PID");
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	if (!pid)
		return -1;
	snprintf(path, sizeof(path), "/proc/%s/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

#endif /* SYN_TESTS_DAEMON_RSS_H */
