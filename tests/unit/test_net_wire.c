/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_net_wire.c - golden bytes of every node-to-node format declared in
 * proto/net_*.h.  For each message type: encode a fixed message and
 * compare with the literal bytes; decode those bytes and compare the
 * fields; then show that truncated, overlong or garbled input is rejected
 * (the ASan build catches any read past the buffer).  The literals are
 * the format: a change here is a protocol change and must be deliberate.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proto/le.h"
#include "proto/net_cluster.h"
#include "proto/net_quorum.h"

#include "cmm_int.h"
#include "cmm_verdict.h"
#include "proto/net_membership.h"
#include "quorum.h"

/*
 * Decode from a heap copy of exactly len bytes, so an over-read is an
 * ASan error rather than a silent read of the neighbouring literal.
 */
static void *heap_copy(const void *src, size_t len)
{
	void *p = malloc(len ? len : 1);

	assert_non_null(p);
	if (len)
		memcpy(p, src, len);
	return p;
}

/* Parse a literal of space-separated hex bytes; returns its length. */
static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;

	while (*hex) {
		unsigned int v;
		int used;

		if (*hex == ' ') {
			hex++;
			continue;
		}
		assert_int_equal(sscanf(hex, "%2x%n", &v, &used), 1);
		assert_true(n < cap);
		out[n++] = (uint8_t)v;
		hex += used;
	}
	return n;
}

/* ---- the codec itself ------------------------------------------------- */

static void test_le_fixed(void **state)
{
	uint8_t b[15];
	static const uint8_t golden[15] = {0xab, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12, 0xef,
					   0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01};

	(void)state;
	syn_le_put8(b, 0xab);
	syn_le_put16(b + 1, 0x1234);
	syn_le_put32(b + 3, 0x12345678);
	syn_le_put64(b + 7, 0x0123456789abcdefull);
	assert_memory_equal(b, golden, sizeof(golden));
	assert_int_equal(syn_le_get8(b), 0xab);
	assert_int_equal(syn_le_get16(b + 1), 0x1234);
	assert_int_equal(syn_le_get32(b + 3), 0x12345678);
	assert_true(syn_le_get64(b + 7) == 0x0123456789abcdefull);
}

static void test_le_cursor(void **state)
{
	uint8_t b[8];
	struct syn_le_wr w = syn_le_wr_init(b, sizeof(b));
	struct syn_le_wr count = syn_le_wr_init(NULL, 0);
	struct syn_le_rd r;

	(void)state;
	syn_le_wr_u16(&w, 0xbeef);
	syn_le_wr_u32(&w, 0xdeadbeef);
	syn_le_wr_u16(&w, 7);
	assert_false(w.bad);
	assert_int_equal(w.off, 8);
	syn_le_wr_u8(&w, 1); /* no room: sticky failure, nothing written */
	assert_true(w.bad);
	assert_int_equal(w.off, 8);

	syn_le_wr_u64(&count, 1);
	syn_le_wr_bytes(&count, b, 3);
	assert_false(count.bad);
	assert_int_equal(count.off, 11);

	r = syn_le_rd_init(b, sizeof(b));
	assert_int_equal(syn_le_rd_u16(&r), 0xbeef);
	assert_int_equal(syn_le_rd_u32(&r), 0xdeadbeef);
	assert_int_equal(syn_le_rd_left(&r), 2);
	assert_int_equal(syn_le_rd_u32(&r), 0); /* past the end */
	assert_true(r.bad);
	assert_false(syn_le_rd_done(&r));
	assert_int_equal(syn_le_rd_u8(&r), 0); /* stays failed */
}

/* ---- quorum (proto/net_quorum.h) -------------------------------------- */

static const uint8_t q_nodeinfo[SYN_NET_QUORUM_LEN] = {
	[0] = 0x01,			       /* type NODEINFO */
	[4] = 0x03,			       /* nodeid 3 */
	[8] = 0x02,			       /* votes 2 */
	[12] = 0x05,			       /* expected 5 */
	[16] = 0x41, [17] = 0x02, [19] = 0x80, /* flags 0x80000241 */
};

static const uint8_t q_reconfigure[SYN_NET_QUORUM_LEN] = {
	[0] = 0x02,  /* type RECONFIGURE */
	[4] = 0x07,  /* nodeid 7 */
	[20] = 0x01, /* param EXPECTED_VOTES */
	[24] = 0x0c, /* value 0x10c */
	[25] = 0x01,
};

static const uint8_t q_device_reg[SYN_NET_QUORUM_LEN] = {
	[0] = 0x03,			     /* type DEVICE_REG */
	[28] = 0x02,			     /* op UNREGISTER */
	[32] = 'Q',  [33] = 'd', [34] = 'e', /* name "Qdevice" */
	[35] = 'v',  [36] = 'i', [37] = 'c', [38] = 'e',
};

static const uint8_t q_device_rename[SYN_NET_QUORUM_LEN] = {
	[0] = 0x04,			       /* type DEVICE_RENAME */
	[32] = 'n',  [33] = 'e',  [34] = 'w',  /* name "new" */
	[288] = 'o', [289] = 'l', [290] = 'd', /* oldname "old" */
};

static void check_quorum(const struct syn_quorum_msg *m, const uint8_t *golden)
{
	uint8_t out[SYN_NET_QUORUM_LEN];
	struct syn_quorum_msg back;
	uint8_t *copy;

	memset(out, 0xee, sizeof(out));
	syn_net_quorum_encode(m, out);
	assert_memory_equal(out, golden, SYN_NET_QUORUM_LEN);

	copy = heap_copy(golden, SYN_NET_QUORUM_LEN);
	assert_int_equal(syn_net_quorum_decode(copy, SYN_NET_QUORUM_LEN, &back), 0);
	assert_int_equal(back.type, m->type);
	assert_int_equal(back.nodeid, m->nodeid);
	assert_int_equal(back.votes, m->votes);
	assert_int_equal(back.expected, m->expected);
	assert_int_equal(back.flags, m->flags);
	assert_int_equal(back.param, m->param);
	assert_int_equal(back.value, m->value);
	assert_int_equal(back.op, m->op);
	assert_string_equal(back.name, m->name);
	assert_string_equal(back.oldname, m->oldname);
	free(copy);
}

static void test_quorum_golden(void **state)
{
	struct syn_quorum_msg ni = {.type = SYN_QUORUM_MSG_NODEINFO,
				    .nodeid = 3,
				    .votes = 2,
				    .expected = 5,
				    .flags = 0x80000241u};
	struct syn_quorum_msg rc = {.type = SYN_QUORUM_MSG_RECONFIGURE,
				    .nodeid = 7,
				    .param = SYN_QUORUM_PARAM_EXPECTED_VOTES,
				    .value = 0x10c};
	struct syn_quorum_msg reg = {.type = SYN_QUORUM_MSG_DEVICE_REG,
				     .op = SYN_QUORUM_DEVICE_UNREGISTER};
	struct syn_quorum_msg ren = {.type = SYN_QUORUM_MSG_DEVICE_RENAME};

	(void)state;
	strcpy(reg.name, "Qdevice");
	strcpy(ren.name, "new");
	strcpy(ren.oldname, "old");
	check_quorum(&ni, q_nodeinfo);
	check_quorum(&rc, q_reconfigure);
	check_quorum(&reg, q_device_reg);
	check_quorum(&ren, q_device_rename);
}

static void test_quorum_rejects(void **state)
{
	struct syn_quorum_msg m;
	uint8_t big[SYN_NET_QUORUM_LEN + 1] = {0};
	uint8_t *p;

	(void)state;
	for (size_t len = 0; len < SYN_NET_QUORUM_LEN; len += 17) {
		p = heap_copy(q_nodeinfo, len);
		assert_int_equal(syn_net_quorum_decode(p, len, &m), -EBADMSG);
		free(p);
	}
	assert_int_equal(syn_net_quorum_decode(big, sizeof(big), &m), -EBADMSG);

	/* Unterminated names come out terminated; the last byte is dropped. */
	p = heap_copy(q_device_reg, SYN_NET_QUORUM_LEN);
	memset(p + SYN_NET_QUORUM_OFF_NAME, 'x', SYN_NET_QUORUM_NAME_SIZE * 2);
	assert_int_equal(syn_net_quorum_decode(p, SYN_NET_QUORUM_LEN, &m), 0);
	assert_int_equal(strlen(m.name), SYN_QUORUM_NAME_MAX);
	assert_int_equal(strlen(m.oldname), SYN_QUORUM_NAME_MAX);
	free(p);
}

/* ---- daemon framing and messages (proto/net_cluster.h) ------------------ */

static void test_frame_golden(void **state)
{
	static const uint8_t golden[SYN_FRAME_LEN] = {0x53, 0x59, 0x4e, 0x31, 0x02, 0x01,
						      0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
	struct syn_net_frame f = {.src = 0x102, .dst = 0}, back;
	uint8_t out[SYN_FRAME_LEN];
	uint8_t *p;

	(void)state;
	syn_net_frame_encode(out, &f);
	assert_memory_equal(out, golden, sizeof(golden));
	assert_memory_equal(out, "SYN1", 4);

	p = heap_copy(golden, sizeof(golden));
	assert_int_equal(syn_net_frame_decode(p, sizeof(golden), &back), 0);
	assert_int_equal(back.src, 0x102);
	assert_int_equal(back.dst, 0);
	for (size_t len = 0; len < SYN_FRAME_LEN; len++)
		assert_int_equal(syn_net_frame_decode(p, len, &back), -EBADMSG);
	p[3] ^= 0x01; /* "SYN0" */
	assert_int_equal(syn_net_frame_decode(p, sizeof(golden), &back), -EBADMSG);
	free(p);
}

static void test_config_version_golden(void **state)
{
	/* The whole cluster message: type byte, then the version. */
	static const uint8_t golden[1 + SYN_NET_CONFIG_VERSION_LEN] = {0x01, 0x08, 0x07, 0x06, 0x05,
								       0x04, 0x03, 0x02, 0x01};
	uint8_t out[sizeof(golden)];
	uint64_t v;
	uint8_t *p;

	(void)state;
	out[SYN_CLUSTER_MSG_OFF_TYPE] = SYN_CLUSTER_MSG_CONFIG_VERSION;
	syn_net_config_version_encode(out + SYN_CLUSTER_MSG_OFF_BODY, 0x0102030405060708ull);
	assert_memory_equal(out, golden, sizeof(golden));

	p = heap_copy(golden + 1, SYN_NET_CONFIG_VERSION_LEN);
	assert_int_equal(syn_net_config_version_decode(p, SYN_NET_CONFIG_VERSION_LEN, &v), 0);
	assert_true(v == 0x0102030405060708ull);
	for (size_t len = 0; len < SYN_NET_CONFIG_VERSION_LEN; len++)
		assert_int_equal(syn_net_config_version_decode(p, len, &v), -EBADMSG);
	free(p);
	assert_int_equal(syn_net_config_version_decode(golden, sizeof(golden), &v), -EBADMSG);
}

static void test_cfg_reload_golden(void **state)
{
	/* cluster channel CFG, then the reload request. */
	static const uint8_t golden[1 + SYN_NET_CFG_LEN] = {
		0x05,						/* channel CFG */
		0x01, 0x00, 0x00, 0x00,				/* type RELOAD */
		0x04, 0x03, 0x02, 0x01,				/* requester 0x01020304 */
		0x2a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, /* token */
	};
	struct syn_net_cfg_reload m = {SYN_NET_CFG_RELOAD, 0x01020304, 0x800000000000002aull};
	struct syn_net_cfg_reload back;
	uint8_t out[sizeof(golden)];
	uint8_t *p;

	(void)state;
	out[SYN_CLUSTER_MSG_OFF_TYPE] = SYN_CLUSTER_MSG_CFG;
	syn_net_cfg_reload_encode(out + SYN_CLUSTER_MSG_OFF_BODY, &m);
	assert_memory_equal(out, golden, sizeof(golden));

	p = heap_copy(golden + 1, SYN_NET_CFG_LEN);
	assert_int_equal(syn_net_cfg_reload_decode(p, SYN_NET_CFG_LEN, &back), 0);
	assert_int_equal(back.type, m.type);
	assert_int_equal(back.requester, m.requester);
	assert_true(back.token == m.token);
	for (size_t len = 0; len < SYN_NET_CFG_LEN; len++)
		assert_int_equal(syn_net_cfg_reload_decode(p, len, &back), -EBADMSG);
	free(p);
	assert_int_equal(syn_net_cfg_reload_decode(golden, sizeof(golden), &back), -EBADMSG);
}

static void test_bench_golden(void **state)
{
	static const uint8_t golden[SYN_NET_BENCH_HDR + 4] = {
		0x05, 0x00, 0x00, 0x00,				/* sender 5 */
		0x00, 0x00, 0x00, 0x00,				/* zero */
		0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* seq 3 */
		0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01, /* sent_us */
		0xa1, 0xa2, 0xa3, 0xa4, /* filler (3 * 131 + i) & 0xff, i = 24.. */
	};
	struct syn_net_bench b = {5, 3, 0x0123456789abcdefull}, back;
	uint8_t out[sizeof(golden)];
	uint8_t *p;

	(void)state;
	syn_net_bench_encode(out, sizeof(out), &b);
	assert_memory_equal(out, golden, sizeof(golden));

	p = heap_copy(golden, sizeof(golden));
	assert_int_equal(syn_net_bench_decode(p, sizeof(golden), &back), 0);
	assert_int_equal(back.sender, 5);
	assert_true(back.seq == 3 && back.sent_us == b.sent_us);
	/* A shorter message of the same run is still well-formed... */
	assert_int_equal(syn_net_bench_decode(p, SYN_NET_BENCH_HDR, &back), 0);
	/* ...a truncated header is not. */
	for (size_t len = 0; len < SYN_NET_BENCH_HDR; len++)
		assert_int_equal(syn_net_bench_decode(p, len, &back), -EBADMSG);
	p[sizeof(golden) - 1] ^= 1; /* garbled filler */
	assert_int_equal(syn_net_bench_decode(p, sizeof(golden), &back), -EBADMSG);
	p[sizeof(golden) - 1] ^= 1;
	p[SYN_NET_BENCH_OFF_ZERO] = 1;
	assert_int_equal(syn_net_bench_decode(p, sizeof(golden), &back), -EBADMSG);
	free(p);
}

static void test_quorum_in_channel(void **state)
{
	/* The votequorum channel's message as it rides the cluster message. */
	static const uint8_t head[] = {0x02, 0x01, 0x00, 0x00, 0x00, 0x03};
	struct syn_quorum_msg ni = {.type = SYN_QUORUM_MSG_NODEINFO, .nodeid = 3};
	uint8_t out[1 + SYN_NET_QUORUM_LEN];

	(void)state;
	out[SYN_CLUSTER_MSG_OFF_TYPE] = SYN_CLUSTER_MSG_VOTEQUORUM;
	syn_net_quorum_encode(&ni, out + SYN_CLUSTER_MSG_OFF_BODY);
	assert_memory_equal(out, head, sizeof(head));
}

/* ---- membership (proto/net_membership.h) ------------------------------- */

/*
 * Every packet from node 2 (epoch 7) on ring {seq 0x1122334455667788,
 * rep 1, rep_epoch 3}; old ring {5, 1, 3}.  Bytes 16..19 are the CRC-32C.
 */
static const char *const mem_golden[] = {
	[SYN_MEM_PKT_JOIN] = "59 53 01 01 40 00 00 00 02 00 00 00 07 00 00 00"
			     "4a 88 86 19 00 00 00 00 88 77 66 55 44 33 22 11"
			     "01 00 00 00 03 00 00 00 0a 00 00 00 00 00 00 00"
			     "0c 00 00 00 00 00 00 00 04 00 00 00 00 00 00 00",
	[SYN_MEM_PKT_PROPOSE] = "59 53 01 02 40 00 00 00 02 00 00 00 07 00 00 00"
				"a1 2b 39 c1 00 00 00 00 88 77 66 55 44 33 22 11"
				"01 00 00 00 03 00 00 00 02 00 00 00 00 00 00 00"
				"01 00 00 00 03 00 00 00 02 00 00 00 07 00 00 00",
	[SYN_MEM_PKT_ACCEPT] = "59 53 01 03 70 00 00 00 02 00 00 00 07 00 00 00"
			       "ab 1d ae 14 00 00 00 00 88 77 66 55 44 33 22 11"
			       "01 00 00 00 03 00 00 00 05 00 00 00 00 00 00 00"
			       "01 00 00 00 03 00 00 00 0a 00 00 00 00 00 00 00"
			       "0c 00 00 00 00 00 00 00 04 00 00 00 02 00 00 00"
			       "01 00 00 00 03 00 00 00 0a 00 00 00 00 00 00 00"
			       "02 00 00 00 07 00 00 00 0b 00 00 00 00 00 00 00",
	[SYN_MEM_PKT_COMMIT] = "59 53 01 04 60 00 00 00 02 00 00 00 07 00 00 00"
			       "b2 f3 a9 2a 00 00 00 00 88 77 66 55 44 33 22 11"
			       "01 00 00 00 03 00 00 00 01 00 00 00 00 00 00 00"
			       "02 00 00 00 07 00 00 00 05 00 00 00 00 00 00 00"
			       "01 00 00 00 03 00 00 00 09 00 00 00 00 00 00 00"
			       "01 00 00 00 04 00 00 00 0c 00 00 00 00 00 00 00",
	[SYN_MEM_PKT_HEARTBEAT] = "59 53 01 05 38 00 00 00 02 00 00 00 07 00 00 00"
				  "e0 6a 20 04 00 00 00 00 88 77 66 55 44 33 22 11"
				  "01 00 00 00 03 00 00 00 14 00 00 00 00 00 00 00"
				  "12 00 00 00 00 00 00 00",
	[SYN_MEM_PKT_ACK] = "59 53 01 06 30 00 00 00 02 00 00 00 07 00 00 00"
			    "60 e1 ca fb 00 00 00 00 88 77 66 55 44 33 22 11"
			    "01 00 00 00 03 00 00 00 13 00 00 00 00 00 00 00",
	[SYN_MEM_PKT_SUBMIT] = "59 53 01 07 43 00 00 00 02 00 00 00 07 00 00 00"
			       "b4 54 6f 20 00 00 00 00 88 77 66 55 44 33 22 11"
			       "01 00 00 00 03 00 00 00 21 00 00 00 00 00 00 00"
			       "1e 00 00 00 00 00 00 00 03 00 00 00 00 00 00 00"
			       "61 62 63",
	[SYN_MEM_PKT_ORDERED] = "59 53 01 08 52 00 00 00 02 00 00 00 07 00 00 00"
				"3a 76 00 c9 00 00 00 00 88 77 66 55 44 33 22 11"
				"01 00 00 00 03 00 00 00 15 00 00 00 00 00 00 00"
				"21 00 00 00 00 00 00 00 12 00 00 00 00 00 00 00"
				"02 00 00 00 07 00 00 00 02 00 00 00 01 00 02 00"
				"78 79",
	[SYN_MEM_PKT_RETRANS] = "59 53 01 09 38 00 00 00 02 00 00 00 07 00 00 00"
				"2f 71 5a 2d 00 00 00 00 88 77 66 55 44 33 22 11"
				"01 00 00 00 03 00 00 00 0f 00 00 00 00 00 00 00"
				"11 00 00 00 00 00 00 00",
	/* an ORDERED without data: the SUBMIT of 1000 bytes it names */
	[SYN_MEM_PKT_ORDER_REF] = "59 53 01 0a 50 00 00 00 02 00 00 00 07 00 00 00"
				  "85 1b a9 b7 00 00 00 00 88 77 66 55 44 33 22 11"
				  "01 00 00 00 03 00 00 00 15 00 00 00 00 00 00 00"
				  "21 00 00 00 00 00 00 00 12 00 00 00 00 00 00 00"
				  "02 00 00 00 07 00 00 00 e8 03 00 00 01 00 02 00",
};

static const struct syn_mem_wire_src mem_src = {2, 7};
static const struct syn_mem_ring_id mem_ring = {0x1122334455667788ull, 1, 3};
static const struct syn_mem_ring_id mem_old = {5, 1, 3};

static size_t mem_encode(uint8_t type, uint8_t *buf)
{
	static const uint32_t ids[2] = {1, 2}, epochs[2] = {3, 7};
	static const struct syn_mem_seen seen[2] = {{1, 3, 10}, {2, 7, 11}};
	static const struct syn_mem_commit_entry ce[1] = {{2, 7, {5, 1, 3}, 9, 1, 4, 12}};

	switch (type) {
	case SYN_MEM_PKT_JOIN:
		return syn_mem_wire_join(buf, mem_src, &mem_ring, 10, 12, 4);
	case SYN_MEM_PKT_PROPOSE:
		return syn_mem_wire_propose(buf, mem_src, &mem_ring, ids, epochs, 2);
	case SYN_MEM_PKT_ACCEPT:
		return syn_mem_wire_accept(buf, mem_src, &mem_ring, &mem_old, 10, 12, 4, seen, 2);
	case SYN_MEM_PKT_COMMIT:
		return syn_mem_wire_commit(buf, mem_src, &mem_ring, ce, 1);
	case SYN_MEM_PKT_HEARTBEAT:
		return syn_mem_wire_ring3(buf, mem_src, type, &mem_ring, 20, 18);
	case SYN_MEM_PKT_ACK:
		return syn_mem_wire_ring3(buf, mem_src, type, &mem_ring, 19, 0);
	case SYN_MEM_PKT_SUBMIT:
		return syn_mem_wire_submit(buf, mem_src, &mem_ring, 33, 30, 0, "abc", 3);
	case SYN_MEM_PKT_ORDERED:
		return syn_mem_wire_ordered(buf, mem_src, &mem_ring, 21, 33, 18, 2, 7,
					    syn_mem_frag_make(2, 1), "xy", 2);
	case SYN_MEM_PKT_RETRANS:
		return syn_mem_wire_ring3(buf, mem_src, type, &mem_ring, 15, 17);
	case SYN_MEM_PKT_ORDER_REF:
		return syn_mem_wire_order_ref(buf, mem_src, &mem_ring, 21, 33, 18, 2, 7,
					      syn_mem_frag_make(2, 1), 1000);
	}
	fail();
	return 0;
}

static void check_mem_fields(uint8_t type, const struct syn_mem_pkt *p)
{
	struct syn_mem_commit_entry ce;
	struct syn_mem_seen seen;
	uint32_t id, ep;

	assert_int_equal(p->type, type);
	assert_int_equal(p->sender, 2);
	assert_int_equal(p->epoch, 7);
	assert_true(p->ring.seq == mem_ring.seq && p->ring.rep == 1 && p->ring.rep_epoch == 3);
	switch (type) {
	case SYN_MEM_PKT_JOIN:
		assert_true(p->a == 10 && p->b == 12 && p->u32 == 4);
		break;
	case SYN_MEM_PKT_PROPOSE:
		assert_int_equal(p->n, 2);
		syn_mem_wire_member(p, 1, &id, &ep);
		assert_true(id == 2 && ep == 7);
		break;
	case SYN_MEM_PKT_ACCEPT:
		assert_true(p->old_ring.seq == 5 && p->a == 10 && p->b == 12 && p->u32 == 4);
		assert_int_equal(p->n, 2);
		syn_mem_wire_seen(p, 1, &seen);
		assert_true(seen.nodeid == 2 && seen.epoch == 7 && seen.max_id == 11);
		break;
	case SYN_MEM_PKT_COMMIT:
		assert_int_equal(p->n, 1);
		syn_mem_wire_commit_entry(p, 0, &ce);
		assert_true(ce.nodeid == 2 && ce.epoch == 7 && ce.old_ring.seq == 5 &&
			    ce.target == 9 && ce.source == 1 && ce.join_counter == 4 &&
			    ce.delivered_id == 12);
		break;
	case SYN_MEM_PKT_HEARTBEAT:
		assert_true(p->a == 20 && p->b == 18);
		break;
	case SYN_MEM_PKT_ACK:
		assert_true(p->a == 19);
		break;
	case SYN_MEM_PKT_SUBMIT:
		assert_true(p->a == 33 && p->b == 30 && p->frag == 0 && p->len == 3);
		assert_memory_equal(p->data, "abc", 3);
		break;
	case SYN_MEM_PKT_ORDERED:
		assert_true(p->a == 21 && p->b == 33 && p->c == 18 && p->u32 == 2 && p->u32b == 7 &&
			    p->frag == syn_mem_frag_make(2, 1) && p->len == 2);
		assert_memory_equal(p->data, "xy", 2);
		break;
	case SYN_MEM_PKT_RETRANS:
		assert_true(p->a == 15 && p->b == 17);
		break;
	case SYN_MEM_PKT_ORDER_REF:
		assert_true(p->a == 21 && p->b == 33 && p->c == 18 && p->u32 == 2 && p->u32b == 7 &&
			    p->frag == syn_mem_frag_make(2, 1) && p->len == 1000 &&
			    p->data == NULL);
		break;
	}
}

static void test_membership_golden(void **state)
{
	static uint8_t out[SYN_MEM_WIRE_MAX];
	uint8_t golden[256];

	(void)state;
	for (uint8_t type = SYN_MEM_PKT_JOIN; type <= SYN_MEM_PKT_ORDER_REF; type++) {
		size_t len = unhex(mem_golden[type], golden, sizeof(golden));
		struct syn_mem_pkt pkt;
		uint8_t *p;

		assert_int_equal(mem_encode(type, out), len);
		assert_memory_equal(out, golden, len);

		p = heap_copy(golden, len);
		assert_int_equal(syn_mem_wire_decode(p, len, 2, &pkt), 0);
		check_mem_fields(type, &pkt);
		/* From the wrong source, truncated, or any byte garbled: rejected. */
		assert_int_equal(syn_mem_wire_decode(p, len, 3, &pkt), -EBADMSG);
		free(p);
		for (size_t n = 0; n < len; n++) {
			p = heap_copy(golden, n);
			assert_int_equal(syn_mem_wire_decode(p, n, 2, &pkt), -EBADMSG);
			free(p);
		}
		p = heap_copy(golden, len);
		for (size_t i = 0; i < len; i++) {
			p[i] ^= 0x10;
			assert_int_equal(syn_mem_wire_decode(p, len, 2, &pkt), -EBADMSG);
			p[i] ^= 0x10;
		}
		free(p);
	}
}

/* ---- CMM (proto/net_cmm.h) --------------------------------------------- */

static const char cmm_sync_golden[] = "01 01 0d 00 08 07 06 05 04 03 02 01 09 00 00 00"
				      "00 00 00 00 02 00 00 00 04 00 00 00 03 06 00 00"
				      "09 00 00 00 00 00 00 00 28 00 00 00 00 00 00 00"
				      "02 00 00 00 01 00 00 00 02 00 00 00 01 00 00 00"
				      "03 00 00 00 02 00 02 00 00 00 04 00 00 00 03 02";
static const char cmm_req_golden[] = "02 01 03 00 08 07 06 05 04 03 02 01 4d 00 00 00"
				     "03 00 00 00 6c ff ff ff";
static const char cmm_table_golden[] = "03 01 00 00 08 07 06 05 04 03 02 01 4e 00 00 00"
				       "02 00 00 00 01 00 00 00 01 03 00 00 00 12";
static const char cmm_verdict_golden[] = "04 01 01 00 08 07 06 05 04 03 02 01";

/* Node 2, master of a two-node primary state, freshly started. */
static void cmm_fixture(struct syn_cmm *c, struct syn_cmm_state *prim, struct syn_cmm_state *local)
{
	memset(c, 0, sizeof(*c));
	memset(prim, 0, sizeof(*prim));
	c->primary = prim;
	c->local = local;
	c->self = 2;
	c->ring_seq = 0x0102030405060708ull;
	c->fresh = true;
	c->rec = (struct syn_cmm_record){9, 2, 4, SYN_CMM_MASTER, false, true, true};
	prim->valid = true;
	prim->epoch = 9;
	prim->view_seq = 40;
	prim->master = 2;
	prim->vice = 1;
	prim->n = 2;
	prim->e[0].nodeid = 1;
	prim->e[0].incarnation = 3;
	prim->e[0].status = SYN_CMM_VICE;
	prim->e[1].nodeid = 2;
	prim->e[1].incarnation = 4;
	prim->e[1].status = SYN_CMM_MASTER;
	prim->e[1].synchro_needed = true;
	*local = *prim;
}

static void test_cmm_golden(void **state)
{
	static struct syn_cmm c;
	static struct syn_cmm_state prim, local, back_state;
	static uint8_t out[SYN_CMM_MSG_MAX];
	struct syn_cmm_node_conf table[2] = {{.nodeid = 1, .eligible = true},
					     {.nodeid = 3, .frozen = true, .synchro_needed = true}};
	struct syn_cmm_node_conf table_back[2];
	struct syn_cmm_sync_msg sync = {.primary = &back_state};
	struct syn_cmm_req_msg req;
	uint8_t golden[128];
	size_t len, glen, n;
	uint64_t ring;
	bool quorate;

	(void)state;
	cmm_fixture(&c, &prim, &local);

	glen = unhex(cmm_sync_golden, golden, sizeof(golden));
	assert_int_equal(syn_cmm_sync_encode(&c, out, sizeof(out), &len), 0);
	assert_int_equal(len, glen);
	assert_memory_equal(out, golden, glen);
	assert_int_equal(syn_cmm_sync_decode(golden, glen, &sync), 0);
	assert_true(sync.fresh && !sync.removed && sync.master_active && sync.has_primary);
	assert_true(sync.ring_seq == c.ring_seq && sync.rec.epoch == 9 &&
		    sync.rec.last_master == 2 && sync.rec.incarnation == 4 &&
		    sync.rec.last_role == SYN_CMM_MASTER && sync.rec.synchro_needed &&
		    sync.rec.valid && !sync.rec.disqualified);
	assert_true(back_state.epoch == 9 && back_state.view_seq == 40 && back_state.master == 2 &&
		    back_state.vice == 1 && back_state.n == 2);
	assert_true(back_state.e[1].nodeid == 2 && back_state.e[1].incarnation == 4 &&
		    back_state.e[1].status == SYN_CMM_MASTER && back_state.e[1].synchro_needed);

	glen = unhex(cmm_req_golden, golden, sizeof(golden));
	assert_int_equal(syn_cmm_request_encode(&c, SYN_CMM_OP_SETQUALIF, 77, 3,
						SYN_CMM_DISQUALIFIED, out, sizeof(out), &len),
			 0);
	assert_int_equal(len, glen);
	assert_memory_equal(out, golden, glen);
	assert_int_equal(syn_cmm_req_decode(golden, glen, &req), 0);
	assert_true(req.op == SYN_CMM_OP_SETQUALIF && req.ring_seq == c.ring_seq &&
		    req.req_id == 77 && req.target == 3 && req.arg == SYN_CMM_DISQUALIFIED);

	glen = unhex(cmm_table_golden, golden, sizeof(golden));
	assert_int_equal(syn_cmm_reload_encode(&c, 78, table, 2, out, sizeof(out), &len), 0);
	assert_int_equal(len, glen);
	assert_memory_equal(out, golden, glen);
	assert_int_equal(syn_cmm_table_decode(golden, glen, &req, table_back, &n), 0);
	assert_true(n == 2 && req.op == SYN_CMM_OP_RELOAD && req.req_id == 78);
	assert_true(table_back[0].nodeid == 1 && table_back[0].eligible && !table_back[0].frozen);
	assert_true(table_back[1].nodeid == 3 && table_back[1].frozen &&
		    table_back[1].synchro_needed && !table_back[1].eligible);

	glen = unhex(cmm_verdict_golden, golden, sizeof(golden));
	assert_int_equal(syn_cmm_verdict_encode(c.ring_seq, true, out, sizeof(out), &len), 0);
	assert_int_equal(len, glen);
	assert_memory_equal(out, golden, glen);
	assert_int_equal(syn_cmm_verdict_decode(golden, glen, &ring, &quorate), 0);
	assert_true(ring == c.ring_seq && quorate);
}

static void test_cmm_rejects(void **state)
{
	static struct syn_cmm_state back_state;
	struct syn_cmm_sync_msg sync = {.primary = &back_state};
	struct syn_cmm_node_conf table_back[2];
	struct syn_cmm_req_msg req;
	uint8_t golden[128];
	size_t glen, n;
	uint64_t ring;
	bool quorate;
	uint8_t *p;

	(void)state;
	glen = unhex(cmm_sync_golden, golden, sizeof(golden));
	for (size_t len = 0; len < glen; len++) {
		p = heap_copy(golden, len);
		assert_int_equal(syn_cmm_sync_decode(p, len, &sync), -EBADMSG);
		free(p);
	}
	golden[56] = 3; /* n says one entry more than there is */
	assert_int_equal(syn_cmm_sync_decode(golden, glen, &sync), -EBADMSG);

	glen = unhex(cmm_req_golden, golden, sizeof(golden));
	for (size_t len = 0; len < glen; len++) {
		p = heap_copy(golden, len);
		assert_int_equal(syn_cmm_req_decode(p, len, &req), -EBADMSG);
		free(p);
	}
	golden[1] = 2; /* unknown version */
	assert_int_equal(syn_cmm_req_decode(golden, glen, &req), -EBADMSG);

	glen = unhex(cmm_table_golden, golden, sizeof(golden));
	for (size_t len = 0; len < glen; len++) {
		p = heap_copy(golden, len);
		assert_int_equal(syn_cmm_table_decode(p, len, &req, table_back, &n), -EBADMSG);
		free(p);
	}
	golden[glen - 1] = 0x20; /* an unknown flag */
	assert_int_equal(syn_cmm_table_decode(golden, glen, &req, table_back, &n), -EBADMSG);

	glen = unhex(cmm_verdict_golden, golden, sizeof(golden));
	for (size_t len = 0; len < glen; len++) {
		p = heap_copy(golden, len);
		assert_int_equal(syn_cmm_verdict_decode(p, len, &ring, &quorate), -EBADMSG);
		free(p);
	}
	golden[2] = 2; /* quorate is 0 or 1 */
	assert_int_equal(syn_cmm_verdict_decode(golden, glen, &ring, &quorate), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_le_fixed),
		cmocka_unit_test(test_le_cursor),
		cmocka_unit_test(test_quorum_golden),
		cmocka_unit_test(test_quorum_rejects),
		cmocka_unit_test(test_frame_golden),
		cmocka_unit_test(test_config_version_golden),
		cmocka_unit_test(test_cfg_reload_golden),
		cmocka_unit_test(test_bench_golden),
		cmocka_unit_test(test_quorum_in_channel),
		cmocka_unit_test(test_membership_golden),
		cmocka_unit_test(test_cmm_golden),
		cmocka_unit_test(test_cmm_rejects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
