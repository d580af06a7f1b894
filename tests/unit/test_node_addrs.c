/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_node_addrs.c - unit tests of the node address table: every
 * totem.ip_version preference on a dual-stack name, the defaults per
 * transport, a name that does not resolve, numeric <N> ordering, one
 * resolver call per link and none per lookup, replacement by swap, and
 * a config reload that replaces the daemon's table (or, refused, keeps
 * it).  Names resolve through a fake resolver that counts its calls.
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
#include <arpa/inet.h>
#include <cmocka.h>

#include "config.h"
#include "node_addrs.h"
#include "reload.h"
#include "store.h"

/* A fake host: "dual" has one IPv4 and one IPv6 address, "v4only" one IPv4. */
struct fake_resolver {
	unsigned calls;
};

static void add(struct syn_config_addr *out, size_t max, int *n, const char *text)
{
	if ((size_t)*n < max && syn_config_addr_parse(text, &out[*n]))
		(*n)++;
}

static int fake_resolve(void *ctx, const char *name, enum syn_config_ip_version ipv,
			struct syn_config_addr *out, size_t max)
{
	struct fake_resolver *r = ctx;
	const char *v4 = NULL, *v6 = NULL;
	int n = 0;

	r->calls++;
	if (syn_config_addr_parse(name, out))
		return max ? 1 : 0;
	if (strcmp(name, "dual") == 0) {
		v4 = "192.168.7.1";
		v6 = "fd00::7";
	} else if (strcmp(name, "v4only") == 0) {
		v4 = "192.168.7.2";
	} else if (strcmp(name, "other") == 0) {
		v4 = "192.168.7.3";
	} else {
		return -ENOENT;
	}
	if (ipv == SYN_IP_V6 || ipv == SYN_IP_V6_4) {
		if (v6)
			add(out, max, &n, v6);
		if (v4 && ipv == SYN_IP_V6_4)
			add(out, max, &n, v4);
	} else {
		if (v4)
			add(out, max, &n, v4);
		if (v6 && ipv == SYN_IP_V4_6)
			add(out, max, &n, v6);
	}
	return n > 0 ? n : -ENOENT;
}

static struct syn_config_env fake_env(struct fake_resolver *r)
{
	struct syn_config_env env;

	memset(&env, 0, sizeof(env));
	env.hostname = "h";
	env.resolve = fake_resolve;
	env.ctx = r;
	return env;
}

static struct syn_store *parse(const char *text)
{
	struct syn_store *s = syn_store_create();
	char err[SYN_CONFIG_ERR_LEN];

	assert_non_null(s);
	if (syn_config_parse_buffer(s, "t.conf", text, strlen(text), 0, err, sizeof(err)) != 0)
		fail_msg("parse failed: %s", err);
	return s;
}

static void addr_text(const struct syn_config_addr *a, char *out, size_t len)
{
	if (!inet_ntop(a->family, a->bytes, out, (socklen_t)len))
		snprintf(out, len, "?");
}

/* Build the table of a config; node nodeid's link 0 must have address want. */
static void expect_link0(const char *totem, uint32_t nodeid, const char *want)
{
	char text[1024], err[SYN_CONFIG_ERR_LEN], got[64];
	struct fake_resolver r = {0};
	struct syn_config_env env = fake_env(&r);
	struct syn_node_addrs t;
	struct syn_store *s;

	snprintf(text, sizeof(text),
		 "totem {\n%s\n}\nnodelist {\n node {\n  nodeid: 1\n  ring0_addr: dual\n }\n"
		 " node {\n  nodeid: 2\n  ring0_addr: %s\n }\n}\n",
		 totem, nodeid == 2 ? "v4only" : "fd00::2");
	s = parse(text);
	syn_node_addrs_init(&t);
	assert_int_equal(
		syn_node_addrs_build(&t, s, syn_config_ip_version(s), &env, err, sizeof(err)), 0);
	const struct syn_node_addr_entry *e = syn_node_addrs_find(&t, nodeid);
	assert_non_null(e);
	assert_true(e->has_link[0]);
	addr_text(&e->addr[0], got, sizeof(got));
	if (strcmp(got, want) != 0)
		fail_msg("%s: node %u link 0 is %s, expected %s", totem, nodeid, got, want);
	syn_node_addrs_fini(&t);
	syn_store_destroy(s);
}

static void test_ip_version_preference(void **state)
{
	(void)state;
	expect_link0(" ip_version: ipv4", 1, "192.168.7.1");
	expect_link0(" ip_version: ipv6", 1, "fd00::7");
	expect_link0(" ip_version: ipv4-6", 1, "192.168.7.1");
	expect_link0(" ip_version: ipv6-4", 1, "fd00::7");
	/* a single-stack name falls back only where the preference allows it */
	expect_link0(" ip_version: ipv6-4", 2, "192.168.7.2");
	expect_link0(" ip_version: ipv4-6", 2, "192.168.7.2");
	/* defaults: ipv6-4 for knet, ipv4 for udp */
	expect_link0(" transport: knet", 1, "fd00::7");
	expect_link0(" transport: udp", 1, "192.168.7.1");
}

static void test_ipv6_only_name_missing(void **state)
{
	char err[SYN_CONFIG_ERR_LEN];
	struct fake_resolver r = {0};
	struct syn_config_env env = fake_env(&r);
	struct syn_node_addrs t;
	struct syn_store *s = parse("totem {\n ip_version: ipv6\n}\nnodelist {\n node {\n"
				    "  nodeid: 1\n  ring0_addr: dual\n }\n node {\n  nodeid: 2\n"
				    "  ring0_addr: v4only\n }\n}\n");

	(void)state;
	syn_node_addrs_init(&t);
	assert_int_equal(
		syn_node_addrs_build(&t, s, syn_config_ip_version(s), &env, err, sizeof(err)),
		-EINVAL);
	assert_string_equal(err, "failed to parse node address 'v4only'");
	assert_int_equal(t.n_nodes, 0);
	assert_null(t.nodes);
	syn_store_destroy(s);
}

static void test_unresolvable_name(void **state)
{
	char err[SYN_CONFIG_ERR_LEN];
	struct fake_resolver r = {0};
	struct syn_config_env env = fake_env(&r);
	struct syn_node_addrs t;
	struct syn_store *s = parse("nodelist {\n node {\n  nodeid: 1\n  ring0_addr: 10.0.0.1\n"
				    "  ring1_addr: no-such-name\n }\n}\n");

	(void)state;
	syn_node_addrs_init(&t);
	assert_int_equal(syn_node_addrs_build(&t, s, SYN_IP_V6_4, &env, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "failed to parse node address 'no-such-name'");
	assert_int_equal(t.n_nodes, 0);
	syn_store_destroy(s);
}

static void test_links_order_and_calls(void **state)
{
	char err[SYN_CONFIG_ERR_LEN], got[64];
	struct fake_resolver r = {0};
	struct syn_config_env env = fake_env(&r);
	struct syn_node_addrs t;
	struct syn_store *s =
		parse("nodelist {\n"
		      " node {\n  nodeid: 3\n  ring0_addr: 10.0.0.3\n  ring3_addr: other\n }\n"
		      " node {\n  nodeid: 1\n  ring0_addr: 10.0.0.1\n  ring3_addr: 10.0.3.1\n }\n"
		      " node {\n  ring0_addr: 10.0.0.9\n }\n}\n");

	(void)state;
	/* positions 0, 1, 2 plus seven more so that 10 sorts before 2 in the store */
	for (int i = 3; i <= 10; i++) {
		char key[64];
		snprintf(key, sizeof(key), "nodelist.node.%d.ring0_addr", i);
		assert_int_equal(syn_store_set_str(s, key, "10.9.9.9"), 0);
	}
	assert_int_equal(syn_store_set_u32(s, "nodelist.node.10.nodeid", 10), 0);
	syn_node_addrs_init(&t);
	assert_int_equal(syn_node_addrs_build(&t, s, SYN_IP_V4, &env, err, sizeof(err)), 0);
	/* one call per configured link: 2 + 2 + 1 + 8 */
	assert_int_equal(r.calls, 13);
	assert_int_equal(t.n_nodes, 11);
	for (size_t i = 0; i < t.n_nodes; i++)
		assert_int_equal(t.nodes[i].pos, i);
	assert_int_equal(t.nodes[2].nodeid, 0);
	assert_true(t.nodes[2].has_link[0]);

	const struct syn_node_addr_entry *e = syn_node_addrs_find(&t, 3);
	assert_non_null(e);
	assert_int_equal(e->pos, 0);
	assert_true(e->has_link[0] && e->has_link[3]);
	assert_false(e->has_link[1] || e->has_link[2]);
	assert_string_equal(e->text[3], "other");
	assert_null(e->text[1]);
	addr_text(&e->addr[3], got, sizeof(got));
	assert_string_equal(got, "192.168.7.3");
	assert_int_equal(syn_node_addrs_find(&t, 10)->pos, 10);
	assert_null(syn_node_addrs_find(&t, 0));
	assert_null(syn_node_addrs_find(&t, 99));
	/* lookups never resolve */
	for (int i = 0; i < 100; i++)
		assert_non_null(syn_node_addrs_find(&t, 1));
	assert_int_equal(r.calls, 13);
	syn_node_addrs_fini(&t);
	syn_node_addrs_fini(&t); /* fini of an empty table is harmless */
	syn_store_destroy(s);
}

static void test_swap_replaces(void **state)
{
	char err[SYN_CONFIG_ERR_LEN];
	struct fake_resolver r = {0};
	struct syn_config_env env = fake_env(&r);
	struct syn_node_addrs live, fresh;
	struct syn_store *a = parse("nodelist {\n node {\n  nodeid: 1\n  ring0_addr: 10.0.0.1\n"
				    " }\n node {\n  nodeid: 2\n  ring0_addr: 10.0.0.2\n }\n}\n");
	struct syn_store *b = parse("nodelist {\n node {\n  nodeid: 1\n  ring0_addr: 10.0.0.1\n"
				    " }\n node {\n  nodeid: 4\n  ring0_addr: dual\n }\n}\n");
	const struct syn_node_addrs *seen_by_services = &live;

	(void)state;
	syn_node_addrs_init(&live);
	syn_node_addrs_init(&fresh);
	assert_int_equal(syn_node_addrs_build(&live, a, SYN_IP_V6_4, &env, err, sizeof(err)), 0);
	assert_non_null(syn_node_addrs_find(seen_by_services, 2));
	assert_int_equal(syn_node_addrs_build(&fresh, b, SYN_IP_V6_4, &env, err, sizeof(err)), 0);
	syn_node_addrs_swap(&live, &fresh);
	syn_node_addrs_fini(&fresh);
	assert_null(syn_node_addrs_find(seen_by_services, 2));
	assert_non_null(syn_node_addrs_find(seen_by_services, 4));
	assert_int_equal(syn_node_addrs_find(seen_by_services, 4)->addr[0].family, AF_INET6);
	syn_node_addrs_fini(&live);
	syn_store_destroy(a);
	syn_store_destroy(b);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

#define RELOAD_CONF                                                                                \
	"totem {\n version: 2\n cluster_name: c\n}\nlogging {\n to_stderr: no\n}\n"                \
	"nodelist {\n node {\n  nodeid: 1\n  ring0_addr: 127.0.0.1\n }\n%s}\n"

/* A reload through the system host: numeric addresses only, no DNS needed. */
static void test_reload_replaces_table(void **state)
{
	char dir[] = "/tmp/syn-node-addrs-XXXXXX", path[128], text[512];
	char err[SYN_CONFIG_ERR_LEN];
	struct syn_config_env env;
	struct syn_node_addrs live;
	struct syn_store *icmap;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/corosync.conf", dir);
	snprintf(text, sizeof(text), RELOAD_CONF, "");
	write_file(path, text);
	icmap = syn_store_create();
	assert_int_equal(syn_config_parse_file(icmap, path, err, sizeof(err)), 0);
	assert_int_equal(syn_config_env_init_system(&env), 0);
	assert_int_equal(syn_config_totem_apply(icmap, &env, err, sizeof(err)), 0);
	syn_node_addrs_init(&live);
	assert_int_equal(syn_node_addrs_build(&live, icmap, syn_config_ip_version(icmap), &env, err,
					      sizeof(err)),
			 0);
	syn_config_env_fini(&env);
	assert_int_equal(live.n_nodes, 1);

	/* an accepted reload adds node 2 to the table */
	snprintf(text, sizeof(text), RELOAD_CONF,
		 " node {\n  nodeid: 2\n  ring0_addr: 127.0.0.2\n }\n");
	write_file(path, text);
	assert_int_equal(syn_config_reload(icmap, path, 1, &live), 0);
	assert_int_equal(live.n_nodes, 2);
	assert_non_null(syn_node_addrs_find(&live, 2));

	/* a refused reload (syntax error) keeps the table as it was */
	write_file(path, "nodelist {\n");
	assert_int_equal(syn_config_reload(icmap, path, 1, &live), -EINVAL);
	assert_int_equal(live.n_nodes, 2);
	assert_non_null(syn_node_addrs_find(&live, 2));

	syn_node_addrs_fini(&live);
	syn_store_destroy(icmap);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ip_version_preference),
		cmocka_unit_test(test_ipv6_only_name_missing),
		cmocka_unit_test(test_unresolvable_name),
		cmocka_unit_test(test_links_order_and_calls),
		cmocka_unit_test(test_swap_replaces),
		cmocka_unit_test(test_reload_replaces_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
