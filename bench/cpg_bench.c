/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cpg_bench.c - the corosync side of the ordered-broadcast benchmark: the
 * same measurement synod-bcast makes, through corosync's CPG service
 * (agreed order), so bcast_bench.sh can compare the two in one run.
 *
 *   cpg_bench recv                 join the group and deliver until killed
 *   cpg_bench run N COUNT SIZE [serial]
 *                                  wait for N members, send COUNT messages
 *                                  of SIZE bytes (flood, or one in flight),
 *                                  report when every one came back
 *
 * Messages carry the send time (monotonic, this host) and a byte pattern
 * the receivers check.  The report is one key=value line in synod-bcast's
 * format.  Built only when libcpg is installed; links nothing of synod.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <corosync/cpg.h>

#define HDR 24
#define MAX_SAMPLES (1u << 20)

struct bench {
	cpg_handle_t h;
	uint32_t self;
	size_t members;
	uint64_t own, delivered, bad, last_own_us;
	uint32_t *lat;
	size_t n_lat;
};

static struct bench *the_bench(cpg_handle_t h)
{
	void *ctx = NULL;

	cpg_context_get(h, &ctx);
	return ctx;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void on_deliver(cpg_handle_t h, const struct cpg_name *g, uint32_t nodeid, uint32_t pid,
		       void *msg, size_t len)
{
	struct bench *b = the_bench(h);
	const unsigned char *d = msg;
	uint64_t seq, sent;
	(void)g;
	(void)pid;

	if (len < HDR) {
		b->bad++;
		return;
	}
	memcpy(&seq, d + 8, 8);
	memcpy(&sent, d + 16, 8);
	for (size_t i = HDR; i < len; i++)
		if (d[i] != (unsigned char)(seq * 131 + i)) {
			b->bad++;
			return;
		}
	b->delivered++;
	if (nodeid != b->self)
		return;
	uint64_t now = now_us();
	b->own++;
	b->last_own_us = now;
	if (b->n_lat < MAX_SAMPLES && now >= sent)
		b->lat[b->n_lat++] = (uint32_t)(now - sent);
}

static void on_confchg(cpg_handle_t h, const struct cpg_name *g, const struct cpg_address *m,
		       size_t nm, const struct cpg_address *l, size_t nl,
		       const struct cpg_address *j, size_t nj)
{
	(void)g;
	(void)m;
	(void)l;
	(void)nl;
	(void)j;
	(void)nj;
	the_bench(h)->members = nm;
}

static int dispatch(struct bench *b, int timeout_ms)
{
	int fd;
	struct pollfd p;

	if (cpg_fd_get(b->h, &fd) != CS_OK)
		return -1;
	p = (struct pollfd){.fd = fd, .events = POLLIN};
	if (poll(&p, 1, timeout_ms) > 0 && cpg_dispatch(b->h, CS_DISPATCH_ALL) != CS_OK)
		return -1;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int run(struct bench *b, size_t want, uint32_t count, uint32_t size, int serial)
{
	unsigned char *msg = malloc(size);
	uint64_t first = 0, deadline = now_us() + 600000000ull;
	uint32_t sent = 0;

	if (msg == NULL)
		return 1;
	while (b->members < want && now_us() < deadline)
		if (dispatch(b, 100) != 0)
			return 1;
	while (b->own < count && now_us() < deadline) {
		while (sent < count && !(serial && sent > b->own)) {
			uint64_t seq = sent + 1, t = now_us();
			struct iovec iov = {msg, size};
			cs_error_t err;

			memcpy(msg, &b->self, 4);
			memset(msg + 4, 0, 4);
			memcpy(msg + 8, &seq, 8);
			memcpy(msg + 16, &t, 8);
			for (uint32_t i = HDR; i < size; i++)
				msg[i] = (unsigned char)(seq * 131 + i);
			err = cpg_mcast_joined(b->h, CPG_TYPE_AGREED, &iov, 1);
			if (err == CS_ERR_TRY_AGAIN)
				break;
			if (err != CS_OK) {
				fprintf(stderr, "cpg_bench: cpg_mcast_joined: error %d\n", err);
				return 1;
			}
			if (first == 0)
				first = t;
			sent++;
		}
		if (dispatch(b, 1) != 0)
			return 1;
	}
	if (b->own < count) {
		fprintf(stderr, "cpg_bench: %" PRIu64 " of %u messages back\n", b->own, count);
		return 1;
	}
	qsort(b->lat, b->n_lat, sizeof(*b->lat), cmp_u32);
	double secs = (double)(b->last_own_us - first) / 1e6;
	printf("sent=%u own_delivered=%" PRIu64 " delivered=%" PRIu64 " bytes=%" PRIu64
	       " bad=%" PRIu64 " lat_p50_us=%u lat_p99_us=%u lat_max_us=%u"
	       " seconds=%.3f msgs_per_s=%.0f mb_per_s=%.2f\n",
	       sent, b->own, b->delivered, (uint64_t)b->delivered * size, b->bad,
	       b->lat[b->n_lat / 2], b->lat[b->n_lat * 99 / 100], b->lat[b->n_lat - 1], secs,
	       secs > 0 ? count / secs : 0.0, secs > 0 ? (double)count * size / secs / 1e6 : 0.0);
	free(msg);
	return 0;
}

int main(int argc, char **argv)
{
	cpg_callbacks_t cb = {.cpg_deliver_fn = on_deliver, .cpg_confchg_fn = on_confchg};
	struct cpg_name group = {.length = 10, .value = "synodbench"};
	struct bench b = {0};
	int recv_mode = argc == 2 && strcmp(argv[1], "recv") == 0;
	int run_mode = (argc == 5 || argc == 6) && strcmp(argv[1], "run") == 0;

	if (!recv_mode && !run_mode) {
		fprintf(stderr, "usage: cpg_bench recv | run MEMBERS COUNT SIZE [serial]\n");
		return 2;
	}
	b.lat = malloc(MAX_SAMPLES * sizeof(*b.lat));
	if (b.lat == NULL || cpg_initialize(&b.h, &cb) != CS_OK ||
	    cpg_context_set(b.h, &b) != CS_OK || cpg_local_get(b.h, &b.self) != CS_OK ||
	    cpg_join(b.h, &group) != CS_OK) {
		fprintf(stderr, "cpg_bench: cannot join a CPG group\n");
		return 1;
	}
	if (recv_mode) {
		for (;;)
			if (dispatch(&b, 1000) != 0)
				return 1;
	}
	uint32_t size = (uint32_t)strtoul(argv[4], NULL, 10);
	if (size < HDR)
		size = HDR;
	return run(&b, strtoul(argv[2], NULL, 10), (uint32_t)strtoul(argv[3], NULL, 10), size,
		   argc == 6);
}
