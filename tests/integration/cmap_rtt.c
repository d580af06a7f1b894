/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmap_rtt.c - how long one cmap round trip takes: one connection, a
 * cmap_get of a small key in a loop for the given time, then one line
 * "n=N p50_us=A p99_us=B max_us=C" on stdout.  A failed request ends the
 * run with status 1.  Used to check that a load on the daemon does not
 * starve its other clients.
 *
 * usage: cmap-rtt SECONDS
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <corosync/cmap.h>

#define MAX_SAMPLES 200000

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Round trips for seconds; the samples go to lat_us, their count to *n. */
static int probe(cmap_handle_t h, double seconds, uint32_t *lat_us, size_t *n)
{
	uint64_t end = now_us() + (uint64_t)(seconds * 1e6);
	char name[256];

	*n = 0;
	while (*n < MAX_SAMPLES) {
		uint64_t t0 = now_us(), t1;
		size_t len = sizeof(name);

		if (cmap_get(h, "totem.cluster_name", name, &len, NULL) != CS_OK)
			return -1;
		t1 = now_us();
		lat_us[(*n)++] = (uint32_t)(t1 - t0);
		if (t1 >= end)
			break;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static uint32_t lat_us[MAX_SAMPLES];
	double seconds = argc == 2 ? atof(argv[1]) : 0;
	cmap_handle_t h;
	size_t n;
	int rc;

	if (seconds <= 0) {
		fprintf(stderr, "usage: cmap-rtt SECONDS\n");
		return 2;
	}
	if (cmap_initialize(&h) != CS_OK) {
		fprintf(stderr, "cmap-rtt: cannot connect\n");
		return 1;
	}
	rc = probe(h, seconds, lat_us, &n);
	cmap_finalize(h);
	if (rc != 0 || n == 0) {
		fprintf(stderr, "cmap-rtt: a request failed after %zu round trips\n", n);
		return 1;
	}
	qsort(lat_us, n, sizeof(*lat_us), cmp_u32);
	printf("n=%zu p50_us=%u p99_us=%u max_us=%u\n", n, lat_us[n / 2], lat_us[n * 99 / 100],
	       lat_us[n - 1]);
	return 0;
}
