/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bcast.c - synod-bcast: drive the daemon's broadcast load service
 * (proto/ipc_bcast.h) and print what the local daemon counted.
 *
 *   synod-bcast run COUNT SIZE [serial]   reset, send, wait until every
 *                                         own message came back, report
 *   synod-bcast start COUNT SIZE [serial] send and return at once
 *   synod-bcast stats                     print the counters
 *   synod-bcast reset                     zero them
 *
 * Output is one line of key=value pairs; "run" adds msgs_per_s and
 * mb_per_s measured on the origin from the first send to the last own
 * delivery.  Exit status 0, 1 on an error (message on stderr), 2 on a
 * usage error.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <corosync/corotypes.h>
#include <qb/qbipcc.h>

#include "proto/ipc_bcast.h"

#define RUN_TIMEOUT_S 600

static int call(qb_ipcc_connection_t *c, const void *req, size_t req_len, void *res, size_t res_len)
{
	struct iovec iov = {(void *)req, req_len};
	ssize_t n = qb_ipcc_sendv_recv(c, &iov, 1, res, res_len, 10000);
	const struct qb_ipc_response_header *h = res;

	if (n < (ssize_t)sizeof(*h)) {
		fprintf(stderr, "synod-bcast: no answer from the daemon: %s\n",
			strerror(n < 0 ? (int)-n : EPROTO));
		return -1;
	}
	if (h->error != CS_OK) {
		fprintf(stderr, "synod-bcast: the daemon refused: error %d\n", h->error);
		return -1;
	}
	return 0;
}

static int simple(qb_ipcc_connection_t *c, int32_t id, void *res, size_t res_len)
{
	struct qb_ipc_request_header req = {.id = id, .size = sizeof(req)};

	return call(c, &req, sizeof(req), res, res_len);
}

static int start(qb_ipcc_connection_t *c, uint32_t count, uint32_t size, uint32_t mode)
{
	struct syn_bcast_req_start req = {
		.header = {.id = SYN_BCAST_REQ_START, .size = sizeof(req)},
		.count = count,
		.size = size,
		.mode = mode};
	struct qb_ipc_response_header res;

	return call(c, &req, sizeof(req), &res, sizeof(res));
}

static void print_stats(const struct syn_bcast_res_stats *s)
{
	printf("sent=%" PRIu64 " own_delivered=%" PRIu64 " delivered=%" PRIu64 " bytes=%" PRIu64
	       " bad=%" PRIu64 " lat_p50_us=%" PRIu64 " lat_p99_us=%" PRIu64 " lat_max_us=%" PRIu64,
	       s->sent, s->own_delivered, s->delivered, s->bytes, s->bad, s->lat_p50_us,
	       s->lat_p99_us, s->lat_max_us);
}

static int run(qb_ipcc_connection_t *c, uint32_t count, uint32_t size, uint32_t mode)
{
	struct syn_bcast_res_stats s;
	struct qb_ipc_response_header r;
	time_t end = time(NULL) + RUN_TIMEOUT_S;

	if (simple(c, SYN_BCAST_REQ_RESET, &r, sizeof(r)) != 0 || start(c, count, size, mode) != 0)
		return 1;
	for (;;) {
		if (simple(c, SYN_BCAST_REQ_STATS, &s, sizeof(s)) != 0)
			return 1;
		if (s.own_delivered >= count)
			break;
		if (time(NULL) > end) {
			fprintf(stderr, "synod-bcast: %" PRIu64 " of %u messages back after %d s\n",
				s.own_delivered, count, RUN_TIMEOUT_S);
			return 1;
		}
		usleep(2000);
	}
	double secs = (double)(s.last_own_us - s.first_send_us) / 1e6;
	print_stats(&s);
	printf(" seconds=%.3f msgs_per_s=%.0f mb_per_s=%.2f\n", secs, secs > 0 ? count / secs : 0.0,
	       secs > 0 ? (double)count * size / secs / 1e6 : 0.0);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: synod-bcast run|start COUNT SIZE [serial] | stats | reset\n");
	return 2;
}

static int parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int main(int argc, char **argv)
{
	qb_ipcc_connection_t *c;
	uint32_t count = 0, size = 0, mode = SYN_BCAST_FLOOD;
	int rc;

	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "run") == 0 || strcmp(argv[1], "start") == 0) {
		if (argc < 4 || argc > 5 || parse_u32(argv[2], &count) || parse_u32(argv[3], &size))
			return usage();
		if (argc == 5 && strcmp(argv[4], "serial") != 0)
			return usage();
		mode = argc == 5 ? SYN_BCAST_SERIAL : SYN_BCAST_FLOOD;
	} else if (argc != 2 || (strcmp(argv[1], "stats") && strcmp(argv[1], "reset"))) {
		return usage();
	}
	c = qb_ipcc_connect("synod_bcast", SYN_IPC_BUFFER_SIZE);
	if (c == NULL) {
		fprintf(stderr, "synod-bcast: cannot connect to synod: %s\n", strerror(errno));
		return 1;
	}
	if (strcmp(argv[1], "run") == 0) {
		rc = run(c, count, size, mode);
	} else if (strcmp(argv[1], "start") == 0) {
		rc = start(c, count, size, mode) != 0;
	} else if (strcmp(argv[1], "stats") == 0) {
		struct syn_bcast_res_stats s;

		rc = simple(c, SYN_BCAST_REQ_STATS, &s, sizeof(s)) != 0;
		if (rc == 0) {
			print_stats(&s);
			printf("\n");
		}
	} else {
		struct qb_ipc_response_header r;

		rc = simple(c, SYN_BCAST_REQ_RESET, &r, sizeof(r)) != 0;
	}
	qb_ipcc_disconnect(c);
	return rc;
}
