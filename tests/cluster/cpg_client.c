/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cpg_client.c - a CPG member for the cluster scenarios: joins one group
 * (model V1, initial TOTEM_CONFCHG) and logs every event on stdout, one
 * line each:
 *   C <members nodeid:pid,...> L <left nodeid:pid:reason,...> J <joined ...>
 *   T <ring seq> <member count>
 *   D <nodeid> <pid> <length> <checksum> <first bytes, small messages only>
 * SIGUSR1 makes it send NMSG numbered messages ("m<nodeid>-<i>", i
 * counting on from one SIGUSR1 to the next), SIGUSR2 NBIG messages of BIG
 * bytes each (NBIG 1 unless given; each starts with "b<nodeid>-<k>", so
 * their checksums differ); SIGTERM finalizes and exits.
 * With "stall" instead of NBIG it joins and then never dispatches again
 * (a member that stops reading its events) until SIGTERM.
 * usage: cpg_client GROUP NMSG BIG [NBIG|stall]
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <corosync/cpg.h>

static volatile sig_atomic_t want_small, want_big, want_stop;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		want_small = 1;
	else if (sig == SIGUSR2)
		want_big = 1;
	else
		want_stop = 1;
}

static void print_list(const char *tag, const struct cpg_address *a, size_t n, int reason)
{
	printf(" %s ", tag);
	for (size_t i = 0; i < n; i++) {
		if (reason)
			printf("%s%u:%u:%u", i ? "," : "", a[i].nodeid, a[i].pid, a[i].reason);
		else
			printf("%s%u:%u", i ? "," : "", a[i].nodeid, a[i].pid);
	}
	if (!n)
		printf("-");
}

static void on_confchg(cpg_handle_t h, const struct cpg_name *g, const struct cpg_address *m,
		       size_t nm, const struct cpg_address *l, size_t nl,
		       const struct cpg_address *j, size_t nj)
{
	(void)h;
	(void)g;
	printf("C");
	print_list("M", m, nm, 0);
	print_list("L", l, nl, 1);
	print_list("J", j, nj, 1);
	printf("\n");
	fflush(stdout);
}

static void on_totem(cpg_handle_t h, struct cpg_ring_id ring, uint32_t n, const uint32_t *m)
{
	(void)h;
	(void)m;
	printf("T %llu %u\n", (unsigned long long)ring.seq, n);
	fflush(stdout);
}

static void on_deliver(cpg_handle_t h, const struct cpg_name *g, uint32_t nodeid, uint32_t pid,
		       void *msg, size_t len)
{
	uint32_t sum = 0;

	(void)h;
	(void)g;
	for (size_t i = 0; i < len; i++)
		sum = sum * 31 + ((unsigned char *)msg)[i];
	printf("D %u %u %zu %08x %.*s\n", nodeid, pid, len, sum, len < 32 ? (int)len : 0,
	       (char *)msg);
	fflush(stdout);
}

static void send_retry(cpg_handle_t h, const void *buf, size_t len)
{
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
	struct timespec pause = {0, 1000000};
	cs_error_t err;

	for (int tries = 0; tries < 10000; tries++) {
		err = cpg_mcast_joined(h, CPG_TYPE_AGREED, &iov, 1);
		if (err != CS_ERR_TRY_AGAIN)
			break;
		cpg_dispatch(h, CS_DISPATCH_ALL);
		nanosleep(&pause, NULL);
	}
	if (err != CS_OK)
		fprintf(stderr, "send failed: %d\n", err);
}

int main(int argc, char **argv)
{
	cpg_model_v1_data_t md = {CPG_MODEL_V1, on_deliver, on_confchg, on_totem,
				  CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF};
	struct cpg_name g;
	cpg_handle_t h;
	unsigned int nodeid = 0;
	int nmsg, fd, nbig = 1, stall = 0, next_small = 0, next_big = 0;
	size_t big;
	cs_error_t err;

	if (argc < 4 || argc > 5 || strlen(argv[1]) >= CPG_MAX_NAME_LENGTH) {
		fprintf(stderr, "usage: cpg_client GROUP NMSG BIG [NBIG|stall]\n");
		return 2;
	}
	nmsg = atoi(argv[2]);
	big = (size_t)atol(argv[3]);
	if (argc == 5 && strcmp(argv[4], "stall") == 0)
		stall = 1;
	else if (argc == 5)
		nbig = atoi(argv[4]);
	signal(SIGUSR1, on_signal);
	signal(SIGUSR2, on_signal);
	signal(SIGTERM, on_signal);
	memset(&g, 0, sizeof(g));
	g.length = (uint32_t)strlen(argv[1]) + 1;
	memcpy(g.value, argv[1], g.length);
	for (int i = 0; i < 100; i++) {
		err = cpg_model_initialize(&h, CPG_MODEL_V1, (cpg_model_data_t *)&md, NULL);
		if (err != CS_ERR_TRY_AGAIN)
			break;
		usleep(100000);
	}
	if (err != CS_OK || cpg_local_get(h, &nodeid) != CS_OK || cpg_join(h, &g) != CS_OK ||
	    cpg_fd_get(h, &fd) != CS_OK) {
		fprintf(stderr, "cannot join: %d\n", err);
		return 1;
	}
	if (stall) {
		/* Read nothing more: the daemon must bound what waits for us. */
		printf("S joined, not dispatching\n");
		fflush(stdout);
		while (!want_stop)
			pause();
		return 0;
	}
	while (!want_stop) {
		struct pollfd p = {.fd = fd, .events = POLLIN};

		if (poll(&p, 1, 100) < 0 && errno != EINTR)
			break;
		err = cpg_dispatch(h, CS_DISPATCH_ALL);
		if (err != CS_OK && err != CS_ERR_TRY_AGAIN) {
			fprintf(stderr, "dispatch: %d\n", err);
			return 1;
		}
		if (want_small) {
			char buf[32];

			want_small = 0;
			for (int i = 0; i < nmsg; i++) {
				int n = snprintf(buf, sizeof(buf), "m%u-%d", nodeid, next_small++);
				send_retry(h, buf, (size_t)n);
			}
		}
		if (want_big) {
			char *buf = malloc(big);

			want_big = 0;
			for (size_t i = 0; buf && i < big; i++)
				buf[i] = (char)(i * 13 + nodeid);
			for (int k = 0; buf && k < nbig && !want_stop; k++) {
				char tag[32];
				int n = snprintf(tag, sizeof(tag), "b%u-%d", nodeid, next_big++);

				memcpy(buf, tag, (size_t)n < big ? (size_t)n : big);
				send_retry(h, buf, big);
				cpg_dispatch(h, CS_DISPATCH_ALL);
			}
			free(buf);
		}
	}
	cpg_finalize(h);
	return 0;
}
