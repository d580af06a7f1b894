/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_core.c - libFuzzer target for the membership core: the packet
 * decoder and the state machine behind it.
 *
 * The input is a script of operations.  Raw packets exercise validation;
 * "well-formed" operations build valid packets (correct CRC and lengths)
 * from fuzzer-chosen field values with the core's own encoders, so the
 * fuzzer reaches the state machine rather than stopping at the checksum.
 * Without libFuzzer (SYN_FUZZ_STANDALONE) main() runs a fixed number of
 * pseudo-random scripts, so the target also builds and runs as a test.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "membership.h"
#include "proto/net_membership.h"

struct reader {
	const uint8_t *p;
	size_t n;
};

static uint64_t take(struct reader *r, int bytes)
{
	uint64_t v = 0;
	for (int i = 0; i < bytes && r->n; i++, r->p++, r->n--)
		v |= (uint64_t)*r->p << (8 * i);
	return v;
}

static void nop_send(void *ctx, uint32_t dest, const void *pkt, size_t len)
{
	(void)ctx;
	(void)dest;
	(void)pkt;
	(void)len;
}

/* Build one valid packet of a fuzzer-chosen type from node src. */
static size_t build(uint8_t *buf, struct reader *r, uint32_t src)
{
	struct syn_mem_wire_src s = {src, (uint32_t)take(r, 1)};
	struct syn_mem_ring_id ring = {take(r, 1), (uint32_t)take(r, 1) % 5, s.epoch};
	struct syn_mem_ring_id old = {take(r, 1), (uint32_t)take(r, 1) % 5, (uint32_t)take(r, 1)};
	uint32_t ids[4], eps[4], n = (uint32_t)take(r, 1) % 4 + 1;
	struct syn_mem_commit_entry ce[4];
	struct syn_mem_seen seen[4];
	uint64_t a = take(r, 1), b = take(r, 1);
	uint8_t data[16];

	if (ring.rep == 0)
		ring.rep = src;
	for (uint32_t i = 0; i < n; i++) {
		ids[i] = i + 1;
		eps[i] = (uint32_t)take(r, 1);
		memset(&ce[i], 0, sizeof(ce[i]));
		ce[i].nodeid = i + 1;
		ce[i].epoch = eps[i];
		ce[i].old_ring = old;
		ce[i].target = take(r, 1);
		ce[i].source = (uint32_t)take(r, 1) % 4 + 1;
		ce[i].join_counter = (uint32_t)take(r, 1);
		ce[i].delivered_id = take(r, 1);
		seen[i].nodeid = i + 1;
		seen[i].epoch = eps[i];
		seen[i].max_id = take(r, 1);
	}
	memset(data, (int)a, sizeof(data));
	switch (take(r, 1) % 9) {
	case 0:
		return syn_mem_wire_join(buf, s, &ring, a, b, (uint32_t)take(r, 2));
	case 1:
		return syn_mem_wire_propose(buf, s, &ring, ids, eps, n);
	case 2:
		return syn_mem_wire_accept(buf, s, &ring, &old, a, b, (uint32_t)take(r, 2), seen,
					   n);
	case 3:
		return syn_mem_wire_commit(buf, s, &ring, ce, n);
	case 4:
		return syn_mem_wire_ring3(buf, s, SYN_MEM_PKT_HEARTBEAT, &ring, a > b ? a : b,
					  a > b ? b : a);
	case 5:
		return syn_mem_wire_ring3(buf, s, SYN_MEM_PKT_ACK, &ring, a, 0);
	case 6:
		return syn_mem_wire_submit(buf, s, &ring, a + b + 1, b + 1,
					   (a & 7) ? 0 : syn_mem_frag_make(3, (uint32_t)(b % 3)),
					   data, 1 + (a & 15));
	case 7:
		return syn_mem_wire_ordered(buf, s, &ring, a + 1, b + 1, a, (uint32_t)n, eps[0],
					    (b & 7) ? 0 : syn_mem_frag_make(2, (uint32_t)(a & 1)),
					    data, 1 + (b & 15));
	default:
		return syn_mem_wire_ring3(buf, s, SYN_MEM_PKT_RETRANS, &ring, a + 1, a + 1 + b);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[SYN_MEM_WIRE_MAX];
	struct syn_mem_env env = {.send = nop_send};
	struct reader r = {data, size};
	struct syn_mem *m;
	uint64_t now = 1000000;

	if (syn_mem_create(NULL, &env, 1, 1, now, &m) != 0)
		return 0;
	while (r.n > 0) {
		uint32_t op = (uint32_t)take(&r, 1), src = op / 8 % 4 + 1;
		size_t len;
		switch (op % 4) {
		case 0: /* raw bytes as a packet */
			len = (size_t)take(&r, 1);
			len = len < r.n ? len : r.n;
			syn_mem_receive(m, now, src, r.p, len);
			r.p += len;
			r.n -= len;
			break;
		case 1: /* a well-formed packet with chosen fields */
			len = build(buf, &r, src);
			syn_mem_receive(m, now, src, buf, len);
			break;
		case 2:
			now += take(&r, 2) * 100;
			if (syn_mem_next_deadline(m) <= now)
				syn_mem_timeout(m, now);
			break;
		default:
			syn_mem_submit(m, now, "fuzz", 1 + take(&r, 1) % 4);
			break;
		}
	}
	syn_mem_destroy(m);
	return 0;
}

#ifdef SYN_FUZZ_STANDALONE
int main(int argc, char **argv)
{
	uint64_t x = 0x853c49e6748fea9bull;
	long runs = argc > 1 ? strtol(argv[1], NULL, 10) : 20000;
	static uint8_t in[512];

	for (long i = 0; i < runs; i++) {
		size_t n = 1 + (size_t)(x % sizeof(in));
		for (size_t k = 0; k < n; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			in[k] = (uint8_t)x;
		}
		LLVMFuzzerTestOneInput(in, n);
	}
	return 0;
}
#endif
