/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_config_totem.c - unit tests of start-up validation and derivation:
 * the derived timer table, every validation message, crypto key rules,
 * node id rules and generation, local node detection against a fake
 * host, and the keys written afterwards.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "store.h"

/* A fake host: a name table for resolve/reverse plus local addresses. */
struct fake_host {
	const char *names[8];
	const char *addrs[8];
	struct syn_config_addr local[4];
	int warnings;
};

static int fake_resolve(void *ctx, const char *name, enum syn_config_ip_version ipv,
			struct syn_config_addr *out, size_t max)
{
	struct fake_host *h = ctx;
	(void)ipv;
	if (max < 1)
		return 0;
	if (syn_config_addr_parse(name, out))
		return 1;
	for (int i = 0; i < 8 && h->names[i]; i++)
		if (strcmp(h->names[i], name) == 0 && syn_config_addr_parse(h->addrs[i], out))
			return 1;
	return -ENOENT;
}

static int fake_reverse(void *ctx, const struct syn_config_addr *addr, char *name, size_t len)
{
	struct fake_host *h = ctx;
	struct syn_config_addr a;
	for (int i = 0; i < 8 && h->names[i]; i++)
		if (syn_config_addr_parse(h->addrs[i], &a) && a.family == addr->family &&
		    memcmp(a.bytes, addr->bytes, 16) == 0) {
			snprintf(name, len, "%s", h->names[i]);
			return 0;
		}
	return -ENOENT;
}

static void fake_log(void *ctx, const char *msg)
{
	(void)msg;
	((struct fake_host *)ctx)->warnings++;
}

static struct fake_host host;

static struct syn_config_env fake_env(const char *hostname, const char *local_addr)
{
	struct syn_config_env env;
	memset(&env, 0, sizeof(env));
	env.hostname = hostname;
	if (local_addr) {
		assert_true(syn_config_addr_parse(local_addr, &host.local[0]));
		env.n_local_addrs = 1;
	}
	env.local_addrs = host.local;
	env.resolve = fake_resolve;
	env.reverse = fake_reverse;
	env.ctx = &host;
	env.log = fake_log;
	env.log_ctx = &host;
	return env;
}

static int setup(void **state)
{
	(void)state;
	memset(&host, 0, sizeof(host));
	return 0;
}

static struct syn_store *parse(const char *text)
{
	struct syn_store *s = syn_store_create();
	char err[SYN_CONFIG_ERR_LEN];
	if (syn_config_parse_buffer(s, "t.conf", text, strlen(text), 0, err, sizeof(err)) != 0)
		fail_msg("parse failed: %s", err);
	return s;
}

/* Parse totem_extra + nodes_text as a config and run validation. */
static int apply(const char *totem_extra, const char *nodes_text, const char *hostname,
		 const char *local_addr, char *err, struct syn_store **out)
{
	char text[4096];
	snprintf(text, sizeof(text), "totem {\n version: 2\n cluster_name: c\n%s\n}\n%s\n",
		 totem_extra, nodes_text);
	struct syn_store *s = parse(text);
	struct syn_config_env env = fake_env(hostname, local_addr);
	int rc = syn_config_totem_apply(s, &env, err, SYN_CONFIG_ERR_LEN);
	if (out)
		*out = s;
	else
		syn_store_destroy(s);
	return rc;
}

#define ONE_NODE "nodelist {\n node {\n  nodeid: 1\n  ring0_addr: 10.0.0.1\n }\n}\n"

static void expect_fail(const char *totem_extra, const char *nodes, const char *msg)
{
	char err[SYN_CONFIG_ERR_LEN];
	int rc = apply(totem_extra, nodes, "h", "10.0.0.1", err, NULL);
	if (rc != -EINVAL)
		fail_msg("expected failure \"%s\", got %d for \"%s\"", msg, rc, totem_extra);
	assert_string_equal(err, msg);
}

static uint32_t get_u32(struct syn_store *s, const char *key)
{
	uint32_t v = 0;
	if (syn_store_get_u32(s, key, &v) != 0)
		fail_msg("u32 key %s missing", key);
	return v;
}

static const char *get_str(struct syn_store *s, const char *key)
{
	const char *v = NULL;
	if (syn_store_get_str(s, key, &v) != 0)
		fail_msg("string key %s missing", key);
	return v;
}

static void nodes_text(char *buf, size_t len, int n)
{
	size_t used = (size_t)snprintf(buf, len, "nodelist {\n");
	for (int i = 0; i < n; i++)
		used += (size_t)snprintf(buf + used, len - used,
					 " node {\n  nodeid: %d\n  ring0_addr: 10.0.0.%d\n }\n",
					 i + 1, i + 1);
	snprintf(buf + used, len - used, "}\n");
}

static void test_derived_timer_table(void **state)
{
	(void)state;
	static const struct {
		uint32_t token;
		int nodes;
		uint32_t eff, retransmit, hold, consensus, ping_timeout, ping_interval;
	} rows[] = {
		{3000, 1, 3000, 714, 561, 3600, 1500, 750},
		{3000, 2, 3000, 714, 561, 3600, 1500, 750},
		{3000, 3, 3650, 869, 685, 4380, 1825, 912},
		{3000, 5, 4950, 1178, 932, 5940, 2475, 1237},
		{1000, 2, 1000, 238, 180, 1200, 500, 250},
		{1000, 3, 1650, 392, 303, 1980, 825, 412},
		{5000, 16, 14100, 3357, 2675, 16920, 7050, 3525},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char totem[64], nodes[2048], err[SYN_CONFIG_ERR_LEN];
		struct syn_store *s;
		snprintf(totem, sizeof(totem), " token: %u", rows[i].token);
		nodes_text(nodes, sizeof(nodes), rows[i].nodes);
		assert_int_equal(apply(totem, nodes, "h", "10.0.0.1", err, &s), 0);
		assert_int_equal(get_u32(s, "runtime.config.totem.token"), rows[i].eff);
		assert_int_equal(get_u32(s, "runtime.config.totem.token_retransmit"),
				 rows[i].retransmit);
		assert_int_equal(get_u32(s, "runtime.config.totem.hold"), rows[i].hold);
		assert_int_equal(get_u32(s, "runtime.config.totem.consensus"), rows[i].consensus);
		assert_int_equal(get_u32(s, "runtime.config.totem.interface.0.knet_ping_timeout"),
				 rows[i].ping_timeout);
		assert_int_equal(get_u32(s, "runtime.config.totem.interface.0.knet_ping_interval"),
				 rows[i].ping_interval);
		syn_store_destroy(s);
	}
}

static void test_timer_defaults_and_runtime_keys(void **state)
{
	(void)state;
	char err[SYN_CONFIG_ERR_LEN];
	struct syn_store *s;
	assert_int_equal(apply(" join: 0\n token_coefficient: 0\n knet_compression_level: -1\n"
			       " block_unlisted_ips: no\n cancel_token_hold_on_retransmit: yes\n"
			       " interface {\n  knet_pong_count: 3\n  knet_ping_interval: 77\n }",
			       ONE_NODE, "h", "10.0.0.1", err, &s),
			 0);
	static const struct {
		const char *key;
		uint32_t v;
	} want[] = {
		{"token", 3000},
		{"token_warning", 75},
		{"token_retransmits_before_loss_const", 4},
		{"join", 50},
		{"send_join", 0},
		{"merge", 200},
		{"downcheck", 1000},
		{"fail_recv_const", 2500},
		{"seqno_unchanged_const", 30},
		{"heartbeat_failures_allowed", 0},
		{"max_network_delay", 50},
		{"window_size", 50},
		{"max_messages", 17},
		{"miss_count_const", 5},
		{"knet_pmtud_interval", 30},
		{"knet_mtu", 0},
		{"knet_compression_threshold", 0},
		{"block_unlisted_ips", 0},
		{"cancel_token_hold_on_retransmit", 1},
		{"interface.0.knet_ping_timeout", 1000},
		{"interface.0.knet_ping_interval", 77},
	};
	char key[128];
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		snprintf(key, sizeof(key), "runtime.config.totem.%s", want[i].key);
		assert_int_equal(get_u32(s, key), want[i].v);
	}
	/* the reference publishes the effective token, not the coefficient */
	assert_false(syn_store_exists(s, "runtime.config.totem.token_coefficient"));
	struct syn_value v;
	assert_int_equal(syn_store_get(s, "runtime.config.totem.knet_compression_level", &v), 0);
	assert_int_equal(v.type, SYN_TYPE_INT32);
	assert_int_equal(*(const int32_t *)v.data, -1);
	assert_string_equal(get_str(s, "runtime.config.totem.knet_compression_model"), "none");
	assert_string_equal(get_str(s, "runtime.blackbox.dump_flight_data"), "no");
	assert_string_equal(get_str(s, "runtime.blackbox.dump_state"), "no");
	assert_string_equal(get_str(s, "runtime.force_gather"), "no");
	assert_int_equal(get_u32(s, "nodelist.local_node_pos"), 0);
	assert_string_equal(get_str(s, "totem.interface.0.bindnetaddr"), "10.0.0.1");
	/* knet does not get udp's multicast keys */
	assert_false(syn_store_exists(s, "totem.interface.0.mcastport"));
	/* publish again after a live change; a bad value changes nothing */
	assert_int_equal(syn_store_set_u32(s, "totem.token", 1000), 0);
	assert_int_equal(syn_config_totem_timers_publish(s, err, sizeof(err)), 0);
	assert_int_equal(get_u32(s, "runtime.config.totem.token"), 1000);
	assert_int_equal(syn_store_set_u32(s, "totem.token", 5), 0);
	assert_int_equal(syn_config_totem_timers_publish(s, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "parse error in config: The token timeout parameter (5 ms) may "
				 "not be less than (30 ms).");
	assert_int_equal(get_u32(s, "runtime.config.totem.token"), 1000);
	syn_store_destroy(s);
}

static void test_timer_validation(void **state)
{
	(void)state;
	static const struct {
		const char *cfg;
		const char *msg;
	} cases[] = {
		{" token: 10", "The token timeout parameter (10 ms) may not be less than (30 ms)."},
		{" token: 40",
		 "Not appropriate token or token_retransmits_before_loss_const value set"},
		{" token_warning: 101",
		 "The token warning parameter (101%) must be between 0 (disabled) and 100."},
		{" token_retransmit: 10",
		 "The token retransmit timeout parameter (10 ms) may not be less than (30 ms)."},
		{" hold: 10",
		 "The token hold timeout parameter (10 ms) may not be less than (14 ms)."},
		{" join: 10", "The join timeout parameter (10 ms) may not be less than (30 ms)."},
		{" consensus: 10",
		 "The consensus timeout parameter (10 ms) may not be less than (30 ms)."},
		{" consensus: 40",
		 "The consensus timeout parameter (40 ms) may not be less than join "
		 "timeout (50 ms)."},
		{" merge: 10", "The merge timeout parameter (10 ms) may not be less than (30 ms)."},
		{" downcheck: 10",
		 "The downcheck timeout parameter (10 ms) may not be less than (30 ms)."},
		{" max_network_delay: 10",
		 "The max_network_delay parameter (10 ms) may not be less than (30 ms)."},
	};
	char msg[SYN_CONFIG_ERR_LEN];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(msg, sizeof(msg), "parse error in config: %s", cases[i].msg);
		expect_fail(cases[i].cfg, ONE_NODE, msg);
	}
	/* the computed consensus for token 40 is 48: below the join timeout */
	expect_fail(" token: 40\n token_retransmits_before_loss_const: 1", ONE_NODE,
		    "parse error in config: The consensus timeout parameter (48 ms) may not be "
		    "less than join timeout (50 ms).");
}

static void write_key(const char *path, size_t len)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	for (size_t i = 0; i < len; i++)
		fputc((int)(i & 0xFF), f);
	fclose(f);
}

static void test_crypto_rules(void **state)
{
	(void)state;
	char cfg[512], msg[600];
	char short_key[] = "/tmp/synod-keyXXXXXX", good_key[] = "/tmp/synod-keyXXXXXX";
	close(mkstemp(short_key));
	close(mkstemp(good_key));
	write_key(short_key, 64);
	write_key(good_key, 128);

	expect_fail(" transport: tcp", ONE_NODE,
		    "Invalid transport type. Should be udpu, udp or knet");
	expect_fail(" crypto_cipher: aes256", ONE_NODE,
		    "crypto_cipher requires crypto_hash with value other than none");
	expect_fail(" crypto_hash: sha1\n keyfile: /nonexistent/authkey", ONE_NODE,
		    "Could not open /nonexistent/authkey: No such file or directory");
	snprintf(cfg, sizeof(cfg), " secauth: on\n keyfile: %s", short_key);
	snprintf(msg, sizeof(msg), "Could only read 512 bits of minimum 1024 bits from %s.",
		 short_key);
	expect_fail(cfg, ONE_NODE, msg);
	expect_fail(" crypto_hash: sha1\n key: tooshort", ONE_NODE, "key is too short");
	snprintf(cfg, sizeof(cfg), " crypto_cipher: aes128\n crypto_hash: sha256\n keyfile: %s",
		 good_key);
	char err[SYN_CONFIG_ERR_LEN];
	assert_int_equal(apply(cfg, ONE_NODE, "h", "10.0.0.1", err, NULL), 0);
	snprintf(cfg, sizeof(cfg), " transport: udpu\n crypto_hash: sha1\n keyfile: %s", good_key);
	expect_fail(cfg, ONE_NODE,
		    "parse error in config: crypto_cipher & crypto_hash are only valid for the "
		    "Knet transport.");
	unlink(short_key);
	unlink(good_key);
}

static void test_link_and_node_rules(void **state)
{
	(void)state;
	char long_mode[100];
	memset(long_mode, 'a', sizeof(long_mode));
	memcpy(long_mode, " link_mode: ", 12);
	long_mode[12 + 64] = '\0';
	expect_fail(long_mode, ONE_NODE, "totem.link_mode is too long");
	expect_fail(" link_mode: foo", ONE_NODE,
		    "parse error in config: The Knet link mode \"foo\" specified is invalid.  It "
		    "must be active, passive or rr.");
	expect_fail("", "nodelist {\n node {\n  ring0_addr: 10.0.0.1\n }\n}\n",
		    "Knet requires an explicit nodeid for the local node");
	expect_fail("", "nodelist {\n node {\n  nodeid: 0\n  ring0_addr: 10.0.0.1\n }\n}\n",
		    "Knet requires an explicit nodeid for the local node");
	expect_fail("",
		    ONE_NODE "nodelist {\n node {\n }\n node {\n  ring0_addr: 10.9.9.9\n }\n}\n",
		    "Knet requires an explicit nodeid to be specified for address '10.9.9.9'.");
	expect_fail("", "nodelist {\n node {\n  nodeid: 70000\n  ring0_addr: 10.0.0.1\n }\n}\n",
		    "Knet requires nodeid to be less than 65536 for address '10.0.0.1'.");
	expect_fail("",
		    ONE_NODE "nodelist {\n node {\n }\n node {\n  nodeid: 1\n"
			     "  ring0_addr: 10.0.0.2\n }\n}\n",
		    "Nodeid 1 appears twice in corosync.conf");
	expect_fail("",
		    ONE_NODE "nodelist {\n node {\n }\n node {\n  nodeid: 2\n"
			     "  ring0_addr: nosuchhost.invalid\n }\n}\n",
		    "failed to parse node address 'nosuchhost.invalid'");
	expect_fail(
		"",
		"nodelist {\n node {\n  nodeid: 1\n  ring0_addr: 10.0.0.1\n"
		"  ring8_addr: 10.0.0.1\n }\n}\n",
		"parse error in config: interface ring number 8 is bigger than allowed maximum 7");
	expect_fail(
		" interface {\n  linknumber: 9\n  knet_link_priority: 3\n }", ONE_NODE,
		"parse error in config: interface ring number 9 is bigger than allowed maximum 7");
	expect_fail(" interface {\n  knet_transport: tcp\n }", ONE_NODE,
		    "Unrecognised knet_transport. expected 'udp' or 'sctp'");
	expect_fail(" interface {\n  ttl: 3\n }", ONE_NODE,
		    "parse error in config: Can only set ttl on multicast transport types for "
		    "interface 0");
	expect_fail(" transport: udp\n interface {\n  knet_link_priority: 3\n }", ONE_NODE,
		    "parse error in config: Can only set link priority on knet transport type for "
		    "interface 0");
	expect_fail(" interface {\n  mcastport: 0\n }", ONE_NODE,
		    "parse error in config: No multicast port specified for interface 0");
	expect_fail("", "", "parse error in config: No interfaces defined");
	expect_fail("", "nodelist {\n node {\n  nodeid: 1\n  ring0_addr: 10.9.9.8\n }\n}\n",
		    "parse error in config: No valid name found for local host");
	expect_fail(" version: 3", ONE_NODE,
		    "parse error in config: This totem parser can only parse version 2 "
		    "configurations.");
	expect_fail("",
		    "nodelist {\n node {\n  nodeid: 1\n  ring0_addr: 10.0.0.1\n"
		    "  ring1_addr: 10.1.0.1\n }\n}\n",
		    "parse error in config: for a multi-link configuration, all nodes must have a "
		    "'name' attribute");
	expect_fail("",
		    "nodelist {\n node {\n  nodeid: 1\n  name: a\n  ring0_addr: 10.0.0.1\n"
		    "  ring1_addr: 10.1.0.1\n }\n node {\n  nodeid: 2\n  name: b\n"
		    "  ring0_addr: 10.0.0.2\n }\n}\n",
		    "parse error in config: Not all nodes have the same number of links");
	expect_fail(" transport: udpu",
		    "nodelist {\n node {\n  nodeid: 1\n  name: a\n"
		    "  ring0_addr: 10.0.0.1\n  ring1_addr: 10.1.0.1\n }\n}\n",
		    "parse error in config: 2 is too many configured interfaces for non-Knet "
		    "transport.");
}

static void test_udp_rules(void **state)
{
	(void)state;
	char err[SYN_CONFIG_ERR_LEN];
	struct syn_store *s;

	/* generated node ids, written back */
	assert_int_equal(apply(" transport: udpu",
			       "nodelist {\n node {\n  ring0_addr: 10.0.0.1\n }\n"
			       " node {\n  ring0_addr: 10.99.0.1\n }\n}\n",
			       "h", "10.0.0.1", err, &s),
			 0);
	assert_int_equal(get_u32(s, "nodelist.node.1.nodeid"), 174260225);
	assert_int_equal(get_u32(s, "nodelist.node.0.nodeid"), 167772161);
	syn_store_destroy(s);
	assert_int_equal(apply(" transport: udpu\n clear_node_high_bit: yes",
			       "nodelist {\n node {\n  ring0_addr: 200.0.0.1\n }\n}\n", "h",
			       "200.0.0.1", err, &s),
			 0);
	assert_int_equal(get_u32(s, "nodelist.node.0.nodeid"), 1207959553);
	syn_store_destroy(s);
	expect_fail(" transport: udpu", "nodelist {\n node {\n  ring0_addr: fd00::1\n }\n}\n",
		    "An IPV6 network requires that a node ID be specified for address 'fd00::1'.");
	expect_fail(" transport: udpu",
		    "nodelist {\n node {\n  ring0_addr: 10.0.0.1\n }\n"
		    " node {\n  nodeid: 167772161\n  ring0_addr: 10.0.0.2\n }\n}\n",
		    "Nodeid 167772161 appears twice in corosync.conf");
	expect_fail(" transport: udpu",
		    "nodelist {\n node {\n  nodeid: 167772161\n"
		    "  ring0_addr: 10.0.0.2\n }\n node {\n"
		    "  ring0_addr: 10.0.0.1\n }\n}\n",
		    "Nodeid 167772161(autogenerated from 10.0.0.1) appears twice in corosync.conf");
	/* udp: multicast address from the cluster name, port, bind address */
	assert_int_equal(
		apply(" transport: udp\n cluster_name: synod", ONE_NODE, "h", "10.0.0.1", err, &s),
		0);
	assert_string_equal(get_str(s, "totem.interface.0.mcastaddr"), "239.192.13.0");
	uint16_t port = 0;
	struct syn_value v;
	assert_int_equal(syn_store_get(s, "totem.interface.0.mcastport", &v), 0);
	memcpy(&port, v.data, 2);
	assert_int_equal(port, 5405);
	assert_string_equal(get_str(s, "totem.interface.0.bindnetaddr"), "10.0.0.1");
	syn_store_destroy(s);
	expect_fail(" transport: udp\n interface {\n  mcastaddr: 10.1.1.1\n }", ONE_NODE,
		    "parse error in config: mcastaddr is not a correct multicast address for "
		    "interface 0");
	expect_fail(" transport: udp\n interface {\n  mcastaddr: ff15::1\n }", ONE_NODE,
		    "parse error in config: Multicast address family does not match bind "
		    "address family for interface 0");
}

/*
 * ttl and knet_link_priority at their default value (1; an explicit
 * priority 0 on a link the local node uses counts as 1) are accepted on
 * any transport; a mixed-family link is refused with one link too.
 */
static void test_link_defaults_and_families(void **state)
{
	(void)state;
	char err[SYN_CONFIG_ERR_LEN];
	const char *ok[] = {
		" transport: udpu\n interface {\n  knet_link_priority: 1\n }",
		" transport: udpu\n interface {\n  knet_link_priority: 0\n }",
		" transport: udp\n interface {\n  knet_link_priority: 1\n }",
		" interface {\n  ttl: 1\n }",
		" transport: udpu\n interface {\n  ttl: 1\n }",
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (apply(ok[i], ONE_NODE, "h", "10.0.0.1", err, NULL) != 0)
			fail_msg("refused \"%s\": %s", ok[i], err);
	expect_fail(" transport: udpu\n interface {\n  knet_link_priority: 2\n }", ONE_NODE,
		    "parse error in config: Can only set link priority on knet transport type for "
		    "interface 0");
	expect_fail(" transport: udpu\n interface {\n  linknumber: 1\n  knet_link_priority: 0\n }",
		    ONE_NODE,
		    "parse error in config: Can only set link priority on knet transport type for "
		    "interface 1");
	expect_fail(" interface {\n  ttl: 0\n }", ONE_NODE,
		    "parse error in config: Can only set ttl on multicast transport types for "
		    "interface 0");
	expect_fail("",
		    "nodelist {\n node {\n  nodeid: 1\n  ring0_addr: 10.0.0.1\n }\n"
		    " node {\n  nodeid: 2\n  ring0_addr: fd00::2\n }\n}\n",
		    "parse error in config: Nodes for link 0 have different IP families "
		    "(compared fd00::2 with 10.0.0.1)");
	expect_fail("",
		    "nodelist {\n node {\n  nodeid: 1\n  ring0_addr: fd00::9\n }\n"
		    " node {\n  nodeid: 2\n  ring0_addr: 10.0.0.1\n }\n"
		    " node {\n  nodeid: 3\n  ring0_addr: fd00::3\n }\n}\n",
		    "parse error in config: Nodes for link 0 have different IP families "
		    "(compared 10.0.0.1 with fd00::9)");
}

/* Run detection for a nodelist and return local_node_pos (or -1). */
static long detect(const char *nodes, const char *hostname, const char *local_addr)
{
	char err[SYN_CONFIG_ERR_LEN];
	struct syn_store *s;
	long pos = -1;
	int rc = apply("", nodes, hostname, local_addr, err, &s);
	if (rc == 0)
		pos = get_u32(s, "nodelist.local_node_pos");
	else
		assert_string_equal(err,
				    "parse error in config: No valid name found for local host");
	syn_store_destroy(s);
	return pos;
}

static void test_local_node_detection(void **state)
{
	(void)state;
	const char *two = "nodelist {\n node {\n  nodeid: 1\n  name: alpha.example.com\n"
			  "  ring0_addr: 10.0.0.1\n }\n node {\n  nodeid: 2\n  name: beta.lab\n"
			  "  ring0_addr: beta-ring\n }\n}\n";
	host.names[0] = "beta-ring";
	host.addrs[0] = "10.0.0.2";
	host.names[1] = "gamma.example.org";
	host.addrs[1] = "10.0.0.7";
	/* step 1: exact host name against name and ring0_addr */
	assert_int_equal(detect(two, "alpha.example.com", "192.0.2.1"), 0);
	assert_int_equal(detect(two, "beta-ring", "192.0.2.1"), 1);
	/* step 2: host name with trailing components removed */
	assert_int_equal(detect(two, "beta.lab.example.net", "192.0.2.1"), 1);
	/* step 3: short host name against names cut at the first dot */
	assert_int_equal(detect(two, "alpha.other", "192.0.2.1"), 0);
	/* step 4: local address by number */
	assert_int_equal(detect(two, "x", "10.0.0.1"), 0);
	/* step 4: local address by reverse name, cut at the first dot */
	const char *by_rev = "nodelist {\n node {\n  nodeid: 1\n  ring0_addr: 10.0.0.1\n }\n"
			     " node {\n  nodeid: 2\n  name: gamma\n  ring0_addr: 10.0.0.9\n }\n}\n";
	assert_int_equal(detect(by_rev, "x", "10.0.0.7"), 1);
	/* step 5: a node's name resolves to a local address */
	assert_int_equal(detect(two, "x", "10.0.0.2"), 1);
	/* nothing matches */
	assert_int_equal(detect(two, "x", "192.0.2.1"), -1);
	/* key-sort order: position 10 is examined before position 2 */
	host.names[2] = "same";
	host.addrs[2] = "10.0.0.3";
	char many[4096];
	size_t used = (size_t)snprintf(many, sizeof(many), "nodelist {\n");
	for (int i = 0; i < 11; i++)
		used += (size_t)snprintf(
			many + used, sizeof(many) - used,
			" node {\n  nodeid: %d\n  name: n%d\n  ring0_addr: %s\n }\n", i + 1, i,
			(i == 2 || i == 10) ? "same" : "10.0.1.1");
	snprintf(many + used, sizeof(many) - used, "}\n");
	assert_int_equal(detect(many, "same", "192.0.2.1"), 10);
}

static void test_warnings(void **state)
{
	(void)state;
	char err[SYN_CONFIG_ERR_LEN];
	assert_int_equal(apply(" nodeid: 4\n interface {\n  bindnetaddr: 10.0.0.0\n"
			       "  member {\n   memberaddr: 10.0.0.5\n  }\n }",
			       ONE_NODE, "h", "10.0.0.1", err, NULL),
			 0);
	assert_int_equal(host.warnings, 3);
}

static void test_bundled_config(void **state)
{
	(void)state;
	struct syn_store *s = syn_store_create();
	char err[SYN_CONFIG_ERR_LEN];
	assert_int_equal(
		syn_config_parse_file(s, SYN_SOURCE_ROOT "/conf/synod.conf", err, sizeof(err)), 0);
	/* on a fake host that only has loopback, and on this host */
	struct syn_config_env env = fake_env("unrelated-host", "127.0.0.1");
	assert_int_equal(syn_config_totem_apply(s, &env, err, sizeof(err)), 0);
	assert_int_equal(get_u32(s, "nodelist.local_node_pos"), 0);
	syn_store_delete(s, "nodelist.local_node_pos");
	struct syn_config_env sys;
	assert_int_equal(syn_config_env_init_system(&sys), 0);
	assert_int_equal(syn_config_totem_apply(s, &sys, err, sizeof(err)), 0);
	assert_int_equal(get_u32(s, "nodelist.local_node_pos"), 0);
	assert_string_equal(get_str(s, "totem.interface.0.bindnetaddr"), "127.0.0.1");
	syn_config_env_fini(&sys);
	syn_store_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_derived_timer_table, setup),
		cmocka_unit_test_setup(test_timer_defaults_and_runtime_keys, setup),
		cmocka_unit_test_setup(test_timer_validation, setup),
		cmocka_unit_test_setup(test_crypto_rules, setup),
		cmocka_unit_test_setup(test_link_and_node_rules, setup),
		cmocka_unit_test_setup(test_udp_rules, setup),
		cmocka_unit_test_setup(test_link_defaults_and_families, setup),
		cmocka_unit_test_setup(test_local_node_detection, setup),
		cmocka_unit_test_setup(test_warnings, setup),
		cmocka_unit_test_setup(test_bundled_config, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
