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
	/* cluster type SERVICES, channel 1, then the reload request. */
	static const uint8_t golden[2 + SYN_NET_CFG_LEN] = {
		0x02, 0x01,					/* SERVICES, channel 1 */
		0x01, 0x00, 0x00, 0x00,				/* type RELOAD */
		0x04, 0x03, 0x02, 0x01,				/* requester 0x01020304 */
		0x2a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, /* token */
	};
	struct syn_net_cfg_reload m = {SYN_NET_CFG_RELOAD, 0x01020304, 0x800000000000002aull};
	struct syn_net_cfg_reload back;
	uint8_t out[sizeof(golden)];
	uint8_t *p;

	(void)state;
	out[SYN_CLUSTER_MSG_OFF_TYPE] = SYN_CLUSTER_MSG_SERVICES;
	out[SYN_CLUSTER_MSG_OFF_BODY + SYN_VIEW_FRAME_OFF_CHANNEL] = 1;
	syn_net_cfg_reload_encode(out + SYN_CLUSTER_MSG_OFF_BODY + SYN_VIEW_FRAME_OFF_MSG, &m);
	assert_memory_equal(out, golden, sizeof(golden));

	p = heap_copy(golden + 2, SYN_NET_CFG_LEN);
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
	static const uint8_t head[] = {0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03};
	struct syn_quorum_msg ni = {.type = SYN_QUORUM_MSG_NODEINFO, .nodeid = 3};
	uint8_t out[2 + SYN_NET_QUORUM_LEN];

	(void)state;
	out[SYN_CLUSTER_MSG_OFF_TYPE] = SYN_CLUSTER_MSG_SERVICES;
	out[SYN_CLUSTER_MSG_OFF_BODY + SYN_VIEW_FRAME_OFF_CHANNEL] = 0;
	syn_net_quorum_encode(&ni, out + 2);
	assert_memory_equal(out, head, sizeof(head));
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
