/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cpg_member.c - joins each group named on the command line (one
 * connection per group, the name's length including its NUL), prints
 * "ready" once every join is in the membership, and stays until SIGTERM.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <corosync/cpg.h>

#define GROUPS_MAX 8

int main(int argc, char **argv)
{
	cpg_handle_t h[GROUPS_MAX];
	sigset_t set;
	int sig, n = argc - 1;

	if (n < 1 || n > GROUPS_MAX)
		return 2;
	for (int i = 0; i < n; i++) {
		struct cpg_name g;
		struct cpg_address list[CPG_MEMBERS_MAX];
		int k = 0;

		memset(&g, 0, sizeof(g));
		g.length = (uint32_t)strlen(argv[i + 1]) + 1;
		memcpy(g.value, argv[i + 1], g.length);
		if (cpg_initialize(&h[i], NULL) != CS_OK || cpg_join(h[i], &g) != CS_OK)
			return 1;
		for (int tries = 0; tries < 500; tries++) {
			int m = CPG_MEMBERS_MAX;
			k = 0;
			if (cpg_membership_get(h[i], &g, list, &m) == CS_OK)
				for (int j = 0; j < m; j++)
					k += list[j].pid == (uint32_t)getpid();
			if (k)
				break;
			usleep(10000);
		}
		if (!k)
			return 1;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	printf("ready\n");
	fflush(stdout);
	sigwait(&set, &sig);
	for (int i = 0; i < n; i++)
		cpg_finalize(h[i]);
	return 0;
}
