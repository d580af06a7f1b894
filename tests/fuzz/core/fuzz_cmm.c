/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_cmm.c - libFuzzer target for the CMM core's message handlers: the
 * SYNC, REQUEST, TABLE and VERDICT decoders and the role logic behind
 * them, on three nodes that share one agreed order.
 *
 * The input is a script.  Each operation installs a view (members and
 * quorate flag chosen by the input; SYNC messages of quorate views are
 * delivered to every member), delivers a well-formed request or table
 * built with the core's encoders from input fields, delivers raw bytes
 * whose first byte is a valid message type, or fires the stale timer.
 * Without libFuzzer (SYN_FUZZ_STANDALONE) main() runs pseudo-random
 * scripts, so the target also runs as a test.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmm_roles.h"
#include "cmm_verdict.h"

#define NODES 3

struct reader {
	const uint8_t *p;
	size_t n;
};

static uint32_t take(struct reader *r)
{
	uint32_t v = 0;

	if (r->n) {
		v = *r->p++;
		r->n--;
	}
	return v;
}

static void *f_alloc(void *ctx, size_t size)
{
	(void)ctx;
	return calloc(1, size);
}

static void f_free(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

static void f_emit(void *ctx, enum syn_cmm_event kind, uint32_t nodeid)
{
	(void)ctx, (void)kind, (void)nodeid;
}

static void f_record(void *ctx, const struct syn_cmm_record *rec)
{
	(void)ctx, (void)rec;
}

static void f_done(void *ctx, uint32_t sender, uint32_t req_id, int result)
{
	(void)ctx, (void)sender, (void)req_id, (void)result;
}

static void deliver_all(struct syn_cmm **c, uint32_t sender, const void *msg, size_t len)
{
	for (int i = 0; i < NODES; i++)
		syn_cmm_deliver(c[i], sender, msg, len);
}

static void op_view(struct syn_cmm **c, struct reader *r, uint64_t ring, uint8_t *msg)
{
	uint32_t mask = take(r) % 7 + 1, members[NODES];
	bool quorate = take(r) & 1;
	size_t n = 0, len;

	for (uint32_t i = 0; i < NODES; i++)
		if (mask & (1u << i))
			members[n++] = i + 1;
	for (size_t k = 0; k < n; k++) {
		if (syn_cmm_view(c[members[k] - 1], ring, members, n, quorate, msg, SYN_CMM_MSG_MAX,
				 &len) == 0 &&
		    len)
			for (size_t j = 0; j < n; j++)
				syn_cmm_deliver(c[members[j] - 1], members[k], msg, len);
	}
}

static void op_request(struct syn_cmm **c, struct reader *r, uint8_t *msg)
{
	uint32_t sender = take(r) % NODES + 1;
	enum syn_cmm_op op = (enum syn_cmm_op)(take(r) % 6);
	uint32_t target = take(r) % 5;
	int32_t arg = -150 + (int32_t)(take(r) % 6);
	size_t len;

	if (syn_cmm_request_encode(c[sender - 1], op, take(r), target, arg, msg, SYN_CMM_MSG_MAX,
				   &len) == 0)
		deliver_all(c, sender, msg, len);
}

static void op_table(struct syn_cmm **c, struct reader *r, uint8_t *msg)
{
	struct syn_cmm_node_conf t[5];
	uint32_t sender = take(r) % NODES + 1, n = take(r) % 5 + 1;
	size_t len;

	for (uint32_t i = 0; i < n; i++) {
		uint32_t f = take(r);

		t[i] = (struct syn_cmm_node_conf){.nodeid = take(r) % 6,
						  .eligible = f & 1,
						  .frozen = f & 2,
						  .excluded = f & 4,
						  .disqualified = f & 8,
						  .synchro_needed = f & 16};
	}
	if (syn_cmm_reload_encode(c[sender - 1], take(r), t, n, msg, SYN_CMM_MSG_MAX, &len) == 0)
		deliver_all(c, sender, msg, len);
}

static void op_raw(struct syn_cmm **c, struct syn_cmm_verdicts *v, struct reader *r, uint8_t *msg)
{
	uint32_t sender = take(r) % NODES + 1;
	size_t len = take(r) % 64;

	msg[0] = (uint8_t)(take(r) % 4 + 1);
	for (size_t i = 1; i < len; i++)
		msg[i] = (uint8_t)take(r);
	if (len == 0)
		len = 1;
	deliver_all(c, sender, msg, len);
	syn_cmm_verdicts_deliver(v, sender, msg, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct syn_cmm_node_conf table[NODES] = {
		{.nodeid = 1, .eligible = true}, {.nodeid = 2, .eligible = true}, {.nodeid = 3}};
	struct syn_cmm_env env = {.alloc = f_alloc,
				  .free = f_free,
				  .emit = f_emit,
				  .record = f_record,
				  .request_done = f_done};
	struct syn_cmm *c[NODES] = {0};
	struct syn_cmm_verdicts *v = calloc(1, sizeof(*v));
	uint8_t *msg = malloc(SYN_CMM_MSG_MAX);
	struct reader r = {data, size};
	const uint32_t all[NODES] = {1, 2, 3};
	uint64_t ring = 0;

	for (uint32_t i = 0; i < NODES; i++)
		if (!v || !msg || syn_cmm_create(&env, i + 1, table, NODES, NULL, &c[i]) != 0)
			goto out;
	syn_cmm_verdicts_view(v, 0, all, NODES);
	while (r.n) {
		switch (take(&r) % 5) {
		case 0:
			op_view(c, &r, ++ring, msg);
			break;
		case 1:
			op_request(c, &r, msg);
			break;
		case 2:
			op_table(c, &r, msg);
			break;
		case 3:
			op_raw(c, v, &r, msg);
			break;
		default:
			syn_cmm_stale_expired(c[take(&r) % NODES]);
			break;
		}
	}
out:
	for (int i = 0; i < NODES; i++)
		syn_cmm_destroy(c[i]);
	free(msg);
	free(v);
	return 0;
}

#ifdef SYN_FUZZ_STANDALONE
int main(int argc, char **argv)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	long runs = argc > 1 ? strtol(argv[1], NULL, 10) : 2000;
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
