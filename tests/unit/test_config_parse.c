/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_config_parse.c - unit tests of the corosync.conf parser: every
 * syntax and value error with its exact message and line, the syntax
 * consequences table, and the mapping of items to typed keys.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "store.h"

static int parse_flags(struct syn_store *s, const char *text, unsigned flags, char *err)
{
	return syn_config_parse_buffer(s, "t.conf", text, strlen(text), flags, err,
				       SYN_CONFIG_ERR_LEN);
}

/* Parse text into a fresh store and return it; fails the test on error. */
static struct syn_store *parse_ok(const char *text)
{
	struct syn_store *s = syn_store_create();
	char err[SYN_CONFIG_ERR_LEN];
	int rc = parse_flags(s, text, 0, err);
	if (rc != 0)
		fail_msg("unexpected parse error %d: %s", rc, err);
	return s;
}

static void expect_error_flags(const char *text, unsigned flags, unsigned line, const char *reason)
{
	struct syn_store *s = syn_store_create();
	char err[SYN_CONFIG_ERR_LEN], want[SYN_CONFIG_ERR_LEN + 64];

	syn_store_set_str(s, "pre.existing", "kept");
	assert_int_equal(parse_flags(s, text, flags, err), -EINVAL);
	snprintf(want, sizeof(want), "parser error: t.conf:%u: %s", line, reason);
	assert_string_equal(err, want);
	/* a failed parse leaves the target store untouched */
	assert_int_equal(syn_store_count(s), 1);
	syn_store_destroy(s);
}

static void expect_error(const char *text, unsigned line, const char *reason)
{
	expect_error_flags(text, 0, line, reason);
}

static void assert_str_key(struct syn_store *s, const char *key, const char *value)
{
	const char *v;
	if (syn_store_get_str(s, key, &v) != 0)
		fail_msg("string key %s missing", key);
	assert_string_equal(v, value);
}

static void assert_typed(struct syn_store *s, const char *key, uint8_t type, uint64_t value)
{
	struct syn_value v;
	if (syn_store_get(s, key, &v) != 0)
		fail_msg("key %s missing", key);
	if (v.type != type)
		fail_msg("key %s has type %u, want %u", key, v.type, type);
	uint64_t got = 0;
	switch (type) {
	case SYN_TYPE_UINT8:
		got = *(const uint8_t *)v.data;
		break;
	case SYN_TYPE_UINT16:
		got = *(const uint16_t *)v.data;
		break;
	case SYN_TYPE_UINT32:
		got = *(const uint32_t *)v.data;
		break;
	case SYN_TYPE_INT32:
		got = (uint64_t)(int64_t) * (const int32_t *)v.data;
		break;
	default:
		got = *(const uint64_t *)v.data;
		break;
	}
	assert_int_equal(got, value);
}

static void test_line_length(void **state)
{
	(void)state;
	char line[600];
	/* "kkk: " + 505 x = 510 characters: accepted, with or without LF */
	memset(line, 'x', sizeof(line));
	memcpy(line, "kkk: ", 5);
	line[510] = '\n';
	line[511] = '\0';
	struct syn_store *s = parse_ok(line);
	syn_store_destroy(s);
	line[510] = '\0';
	s = parse_ok(line);
	syn_store_destroy(s);
	line[510] = 'x';
	line[511] = '\n';
	line[512] = '\0';
	expect_error(line, 1, "Line too long");
	line[511] = '\0';
	expect_error(line, 1, "Line too long");
	/* a CR counts towards the limit */
	line[510] = '\r';
	line[511] = '\n';
	expect_error(line, 1, "Line too long");
}

static void test_syntax_errors(void **state)
{
	(void)state;
	expect_error("{\n", 1, "Missing section name before opening bracket '{'");
	expect_error("  : {\n", 1, "Missing section name before opening bracket '{'");
	expect_error("a {\n}\nb { c: d }\n", 3, "Extra characters after opening bracket '{'");
	expect_error("x: a{b\n", 1, "Extra characters after opening bracket '{'");
	expect_error("a {\n x }\n}\n", 2, "Extra characters before or after closing bracket '}'");
	expect_error("a {\n}}\n", 2, "Extra characters before or after closing bracket '}'");
	expect_error("a {\n}\n}\n", 3, "Unexpected closing brace");
	expect_error("a {\n b: c\n", 2, "Missing closing brace");
	expect_error("a {\n b {\n }\n\n# end\n", 5, "Missing closing brace");
	expect_error("\nabc\n", 2, "Line is not opening or closing section or key value");
	expect_error(": v\n", 1, "Key name can't be empty");
	expect_error("a {\n  :v\n}\n", 2, "Key name can't be empty");
	expect_error(
		"my key: v\n", 1,
		"Can't store key \"my key\" into icmap, returned error is CS_ERR_NAME_TOO_LONG");
	expect_error("k: v\n", 1,
		     "Can't store key \"k\" into icmap, returned error is CS_ERR_NAME_TOO_LONG");
	expect_error("a$ {\n b: c\n}\n", 2,
		     "Can't store key \"a$.b\" into icmap, returned error is CS_ERR_NAME_TOO_LONG");
	/* an empty section with a bad name is accepted */
	struct syn_store *s = parse_ok("a$ {\n}\n");
	assert_int_equal(syn_store_count(s), 0);
	syn_store_destroy(s);
}

static void test_path_lengths(void **state)
{
	(void)state;
	char text[1200];
	char name[300];

	/* top-level key: at most 253 characters */
	memset(name, 'k', 253);
	name[253] = '\0';
	snprintf(text, sizeof(text), "%s: v\n", name);
	struct syn_store *s = parse_ok(text);
	assert_str_key(s, name, "v");
	syn_store_destroy(s);
	snprintf(text, sizeof(text), "%sk: v\n", name);
	expect_error(text, 1, "New key makes total cmap path too long");
	/* section names: 253 fits at top level, 254 does not */
	snprintf(text, sizeof(text), "%s {\n}\n", name);
	s = parse_ok(text);
	syn_store_destroy(s);
	snprintf(text, sizeof(text), "%sk {\n}\n", name);
	expect_error(text, 1, "Start of section makes total cmap path too long");
	/* nested: "abc." + 250 = 254 characters for a full key */
	memset(name, 'n', 250);
	name[250] = '\0';
	snprintf(text, sizeof(text), "abc {\n%s: v\n}\n", name);
	s = parse_ok(text);
	syn_store_destroy(s);
	snprintf(text, sizeof(text), "abc {\n%sn: v\n}\n", name);
	expect_error(text, 2, "New key makes total cmap path too long");
	/* deep nesting stays bounded by the path length */
	text[0] = '\0';
	for (int i = 0; i < 130; i++)
		strcat(text, "a{\n");
	expect_error(text, 128, "Start of section makes total cmap path too long");
}

static void test_range_errors(void **state)
{
	(void)state;
	expect_error("totem {\n token: 3000 # c\n}\n", 2,
		     "Value of key \"totem.token\" is expected to be integer in range "
		     "(0..4294967295), but \"3000 # c\" was given");
	expect_error("totem {\n token: 12a\n}\n", 2,
		     "Value of key \"totem.token\" is expected to be integer in range "
		     "(0..4294967295), but \"12a\" was given");
	expect_error("totem {\n token: -1\n}\n", 2,
		     "Value of key \"totem.token\" is expected to be integer in range "
		     "(0..4294967295), but \"-1\" was given");
	expect_error("totem {\n token: 4294967296\n}\n", 2,
		     "Value of key \"totem.token\" is expected to be integer in range "
		     "(0..4294967295), but \"4294967296\" was given");
	expect_error("totem {\n token:\n}\n", 2,
		     "Value of key \"totem.token\" is expected to be integer in range "
		     "(0..4294967295), but \"\" was given");
	expect_error("totem {\n knet_compression_level: 2147483648\n}\n", 2,
		     "Value of key \"totem.knet_compression_level\" is expected to be integer in "
		     "range (-2147483648..2147483647), but \"2147483648\" was given");
	expect_error("quorum {\n two_node: 256\n}\n", 2,
		     "Value of key \"quorum.two_node\" is expected to be integer in range "
		     "(0..255), but \"256\" was given");
	expect_error("quorum {\n device {\n  votes: x\n }\n}\n", 3,
		     "Value of key \"quorum.device.votes\" is expected to be integer in range "
		     "(0..4294967295), but \"x\" was given");
	expect_error("totem {\n interface {\n  mcastport: 65536\n }\n}\n", 3,
		     "Value of key \"totem.interface.mcastport\" is expected to be integer in "
		     "range (0..65535), but \"65536\" was given");
	expect_error("totem {\n interface {\n  linknumber: 256\n }\n}\n", 3,
		     "Value of key \"totem.interface.linknumber\" is expected to be integer in "
		     "range (0..255), but \"256\" was given");
	expect_error("nodelist {\n node {\n  nodeid: 1\n }\n node {\n  nodeid: one\n }\n}\n", 6,
		     "Value of key \"nodelist.node.1.nodeid\" is expected to be integer in range "
		     "(0..4294967295), but \"one\" was given");
	expect_error("resources {\n watchdog_timeout: 1.5\n}\n", 2,
		     "Value of key \"resources.watchdog_timeout\" is expected to be integer in "
		     "range (0..4294967295), but \"1.5\" was given");
	expect_error("totem {\n config_version: abc\n}\n", 2,
		     "Value of key \"totem.config_version\" is expected to be unsigned integer, "
		     "but \"abc\" was given");
	expect_error("resources {\n system {\n  memory_used {\n   poll_period: 1x\n  }\n }\n}\n", 4,
		     "Value of key \"resources.system.memory_used.poll_period\" is expected to be "
		     "unsigned integer, but \"1x\" was given");
	expect_error("totem {\n config_version: 18446744073709551616\n}\n", 2,
		     "Value of key \"totem.config_version\" is expected to be unsigned integer, "
		     "but \"18446744073709551616\" was given");
}

static void test_validated_values(void **state)
{
	(void)state;
	expect_error("totem {\n ip_version: IPv4\n}\n", 2, "Invalid ip_version type");
	expect_error("totem {\n crypto_cipher: aes512\n}\n", 2,
		     "Invalid cipher type. Should be none, aes256, aes192 or aes128");
	expect_error("totem {\n crypto_hash: crc\n}\n", 2,
		     "Invalid hash type. Should be none, md5, sha1, sha256, sha384 or sha512");
	expect_error("totem {\n crypto_model: gcrypt\n}\n", 2,
		     "Invalid crypto model. Should be nss or openssl");
	expect_error("totem {\n knet_compression_model: none\n}\n", 2,
		     "Invalid compression model. Should be zlib, lz4, lz4hc, lzo2, lzma, bzip2 "
		     "or zstd");
	expect_error("system {\n qb_ipc_type: pipe\n}\n", 2, "Invalid system.qb_ipc_type");
	expect_error("system {\n sched_rr: on\n}\n", 2, "Invalid system.sched_rr value");
	expect_error("system {\n move_to_root_cgroup: maybe\n}\n", 2,
		     "Invalid system.move_to_root_cgroup");
	expect_error("system {\n allow_knet_handle_fallback: 1\n}\n", 2,
		     "Invalid system.allow_knet_handle_fallback");
	struct syn_store *s = parse_ok("totem {\n ip_version: ipv4-6\n crypto_model: openssl\n"
				       " knet_compression_model: zstd\n}\n"
				       "system {\n sched_rr: no\n move_to_root_cgroup: auto\n}\n");
	assert_str_key(s, "totem.ip_version", "ipv4-6");
	assert_str_key(s, "totem.knet_compression_model", "zstd");
	assert_str_key(s, "system.move_to_root_cgroup", "auto");
	syn_store_destroy(s);
	/* the check is on the exact key: nested sections are plain strings */
	s = parse_ok("totem {\n sub {\n  ip_version: x\n  token: y\n }\n}\n");
	assert_str_key(s, "totem.sub.ip_version", "x");
	assert_str_key(s, "totem.sub.token", "y");
	syn_store_destroy(s);
}

static void test_section_errors(void **state)
{
	(void)state;
	expect_error("uidgid {\n uid: 0\n name: x\n}\n", 3,
		     "uidgid: Only uid and gid are allowed items");
	expect_error("uidgid {\n uid: no_such_user_synod_test\n}\n", 2,
		     "The 'no_such_user_synod_test' user is not found in /etc/passwd, please read "
		     "the documentation.");
	expect_error("uidgid {\n gid: no_such_group_synod_test\n}\n", 2,
		     "The 'no_such_group_synod_test' group is not found in /etc/group, please "
		     "read the documentation.");
	expect_error("totem {\n interface {\n  member {\n   addr: 1.2.3.4\n  }\n }\n}\n", 4,
		     "Only memberaddr is allowed in member section");
	expect_error("logging {\n logger_subsys {\n  debug: on\n }\n}\n", 4,
		     "No subsys key in logger_subsys directive");
	expect_error("logging {\n logging_daemon {\n  subsys: QUORUM\n }\n}\n", 4,
		     "No name key in logging_daemon directive");
	expect_error("nodelist {\n node {\n  sub {\n  }\n }\n}\n", 3,
		     "Subsections are not allowed within nodelist.node section");
	/* drop-in files: only uidgid sections with uid/gid items */
	expect_error_flags("totem {\n}\n", SYN_CONFIG_UIDGID_ONLY, 1,
			   "uidgid: Can't add subsection different than uidgid");
	expect_error_flags("uidgid {\n sub {\n }\n}\n", SYN_CONFIG_UIDGID_ONLY, 2,
			   "uidgid: Can't add subsection different than uidgid");
	expect_error_flags("uid: 0\n", SYN_CONFIG_UIDGID_ONLY, 1,
			   "uidgid: Only uid and gid are allowed items");
	expect_error_flags("uidgid {\n user: 0\n}\n", SYN_CONFIG_UIDGID_ONLY, 2,
			   "uidgid: Only uid and gid are allowed items");
}

/* §2.3: the consequences of the line algorithm. */
static void test_syntax_consequences(void **state)
{
	(void)state;
	struct syn_store *s = parse_ok("a {\n"
				       " token: 3000 # c\n"
				       " q: \"x y\"\n"
				       " withcolon: a:b::c\n"
				       " withbrace: x}y\n"
				       " empty:\n"
				       " dup: 1\n"
				       " dup: 2\n"
				       " hash: #x\n"
				       "   sp   :   b   \t\n"
				       "\t# comment {\n"
				       "   \t \n"
				       "}\r\n"
				       "foo{\n}\nbar: {\n}\nbaz :{\n  k1: v\n}\n"
				       "name: v\n"
				       "unknown {\n a {\n  b: c\n }\n}\n"
				       "a {\n dup: 3\n other: o\n}\n");
	assert_str_key(s, "a.token", "3000 # c");
	assert_str_key(s, "a.q", "\"x y\"");
	assert_str_key(s, "a.withcolon", "a:b::c");
	assert_str_key(s, "a.withbrace", "x}y");
	assert_str_key(s, "a.empty", "");
	assert_str_key(s, "a.dup", "3");
	assert_str_key(s, "a.other", "o");
	assert_str_key(s, "a.hash", "#x");
	assert_str_key(s, "a.sp", "b");
	assert_str_key(s, "baz.k1", "v");
	assert_str_key(s, "name", "v");
	assert_str_key(s, "unknown.a.b", "c");
	assert_int_equal(syn_store_count(s), 12);
	syn_store_destroy(s);
	/* CRLF everywhere */
	s = parse_ok("totem {\r\n version: 2\r\n cluster_name: c \r\n}\r\n");
	assert_typed(s, "totem.version", SYN_TYPE_UINT32, 2);
	assert_str_key(s, "totem.cluster_name", "c");
	syn_store_destroy(s);
	/* case-sensitive section names */
	s = parse_ok("Totem {\n token: x\n}\n");
	assert_str_key(s, "Totem.token", "x");
	syn_store_destroy(s);
	/* a NUL byte ends the line's text */
	struct syn_store *t = syn_store_create();
	char err[SYN_CONFIG_ERR_LEN];
	assert_int_equal(syn_config_parse_buffer(t, "t.conf", "abc: d\n\0ef: g\nhij: k\n", 21, 0,
						 err, sizeof(err)),
			 0);
	assert_int_equal(syn_store_count(t), 2);
	assert_int_equal(
		syn_config_parse_buffer(t, "t.conf", "abc: d\nef\0: g\n", 14, 0, err, sizeof(err)),
		-EINVAL);
	assert_string_equal(err, "parser error: t.conf:2: Line too long");
	syn_store_destroy(t);
}

static void test_typed_keys(void **state)
{
	(void)state;
	struct syn_store *s = parse_ok("totem {\n version: 2\n token: +0100\n"
				       " knet_compression_level: -5\n config_version: 42\n"
				       " netmtu: 9000\n rrp_problem_count_timeout: 7\n"
				       " secauth: on\n}\n"
				       "quorum {\n provider: corosync_votequorum\n two_node: 1\n"
				       " expected_votes: 3\n auto_tie_breaker_node: lowest\n"
				       " device {\n  model: net\n  votes: 1\n  master_wins: 1\n"
				       "  net {\n   host: h\n   tie_breaker: lowest\n  }\n }\n}\n"
				       "resources {\n watchdog_timeout: 6\n watchdog_device: off\n"
				       " system {\n  memory_used {\n   poll_period: 3000\n  }\n }\n"
				       " process {\n  poll_period: 18446744073709551615\n }\n}\n"
				       "pload {\n count: 5\n}\n");
	assert_typed(s, "totem.version", SYN_TYPE_UINT32, 2);
	assert_typed(s, "totem.token", SYN_TYPE_UINT32, 100);
	assert_typed(s, "totem.knet_compression_level", SYN_TYPE_INT32, (uint64_t)-5);
	assert_typed(s, "totem.config_version", SYN_TYPE_UINT64, 42);
	assert_typed(s, "totem.netmtu", SYN_TYPE_UINT32, 9000);
	assert_typed(s, "totem.rrp_problem_count_timeout", SYN_TYPE_UINT32, 7);
	assert_str_key(s, "totem.secauth", "on");
	assert_str_key(s, "quorum.provider", "corosync_votequorum");
	assert_typed(s, "quorum.two_node", SYN_TYPE_UINT8, 1);
	assert_typed(s, "quorum.expected_votes", SYN_TYPE_UINT32, 3);
	assert_str_key(s, "quorum.auto_tie_breaker_node", "lowest");
	assert_str_key(s, "quorum.device.model", "net");
	assert_typed(s, "quorum.device.votes", SYN_TYPE_UINT32, 1);
	assert_typed(s, "quorum.device.master_wins", SYN_TYPE_UINT8, 1);
	assert_str_key(s, "quorum.device.net.host", "h");
	assert_str_key(s, "quorum.device.net.tie_breaker", "lowest");
	assert_typed(s, "resources.watchdog_timeout", SYN_TYPE_UINT32, 6);
	assert_str_key(s, "resources.watchdog_device", "off");
	assert_typed(s, "resources.system.memory_used.poll_period", SYN_TYPE_UINT64, 3000);
	assert_typed(s, "resources.process.poll_period", SYN_TYPE_UINT64, UINT64_MAX);
	assert_str_key(s, "pload.count", "5");
	syn_store_destroy(s);
	/* 64-bit values accept a sign and wrap, as strtoull does */
	s = parse_ok("totem {\n config_version: -1\n}\n");
	assert_typed(s, "totem.config_version", SYN_TYPE_UINT64, UINT64_MAX);
	syn_store_destroy(s);
}

static void test_interface_mapping(void **state)
{
	(void)state;
	struct syn_store *s = parse_ok("totem {\n interface {\n  bindnetaddr: 10.0.0.0\n"
				       "  mcastport: 5405\n  ttl: 3\n  knet_link_priority: 5\n"
				       "  knet_ping_interval: 100\n  knet_ping_timeout: 200\n"
				       "  knet_ping_precision: 64\n  knet_pong_count: 3\n"
				       "  knet_transport: sctp\n  mcastaddr: 239.1.1.1\n"
				       "  broadcast: no\n  other: x\n"
				       "  member {\n   memberaddr: 10.0.0.1\n  }\n"
				       "  member {\n   memberaddr: 10.0.0.2\n  }\n"
				       "  linknumber: 1\n }\n"
				       " interface {\n  mcastport: 6000\n }\n}\n");
	assert_str_key(s, "totem.interface.1.bindnetaddr", "10.0.0.0");
	assert_typed(s, "totem.interface.1.mcastport", SYN_TYPE_UINT16, 5405);
	assert_typed(s, "totem.interface.1.ttl", SYN_TYPE_UINT8, 3);
	assert_typed(s, "totem.interface.1.knet_link_priority", SYN_TYPE_UINT8, 5);
	assert_typed(s, "totem.interface.1.knet_ping_interval", SYN_TYPE_UINT32, 100);
	assert_typed(s, "totem.interface.1.knet_ping_timeout", SYN_TYPE_UINT32, 200);
	assert_typed(s, "totem.interface.1.knet_ping_precision", SYN_TYPE_UINT32, 64);
	assert_typed(s, "totem.interface.1.knet_pong_count", SYN_TYPE_UINT32, 3);
	assert_str_key(s, "totem.interface.1.knet_transport", "sctp");
	assert_str_key(s, "totem.interface.1.mcastaddr", "239.1.1.1");
	assert_str_key(s, "totem.interface.1.broadcast", "no");
	assert_str_key(s, "totem.interface.1.member.0", "10.0.0.1");
	assert_str_key(s, "totem.interface.1.member.1", "10.0.0.2");
	assert_str_key(s, "totem.interface.other", "x");
	assert_typed(s, "totem.interface.0.mcastport", SYN_TYPE_UINT16, 6000);
	assert_false(syn_store_exists(s, "totem.interface.1.linknumber"));
	assert_int_equal(syn_store_count(s), 15);
	syn_store_destroy(s);
}

static void test_nodelist_mapping(void **state)
{
	(void)state;
	struct syn_store *s =
		parse_ok("nodelist {\n x: y\n node {\n  nodeid: 1\n"
			 "  ring0_addr: 10.0.0.1\n  name: a\n  quorum_votes: 2\n"
			 "  extra: e\n }\n node {\n  nodeid: 2\n  ring1_addr: b1\n }\n"
			 "}\n");
	assert_str_key(s, "nodelist.x", "y");
	assert_typed(s, "nodelist.node.0.nodeid", SYN_TYPE_UINT32, 1);
	assert_str_key(s, "nodelist.node.0.ring0_addr", "10.0.0.1");
	assert_str_key(s, "nodelist.node.0.name", "a");
	assert_typed(s, "nodelist.node.0.quorum_votes", SYN_TYPE_UINT32, 2);
	assert_str_key(s, "nodelist.node.0.extra", "e");
	assert_typed(s, "nodelist.node.1.nodeid", SYN_TYPE_UINT32, 2);
	assert_str_key(s, "nodelist.node.1.ring1_addr", "b1");
	syn_store_destroy(s);
	/* a second nodelist restarts numbering and overwrites key by key */
	s = parse_ok("nodelist {\n node {\n  nodeid: 1\n  name: a\n }\n node {\n  nodeid: 2\n"
		     " }\n}\nnodelist {\n node {\n  nodeid: 7\n }\n}\n");
	assert_typed(s, "nodelist.node.0.nodeid", SYN_TYPE_UINT32, 7);
	assert_str_key(s, "nodelist.node.0.name", "a");
	assert_typed(s, "nodelist.node.1.nodeid", SYN_TYPE_UINT32, 2);
	syn_store_destroy(s);
}

static void test_logging_mapping(void **state)
{
	(void)state;
	struct syn_store *s =
		parse_ok("logging {\n to_syslog: yes\n"
			 " logger_subsys {\n  subsys: QUORUM\n  debug: on\n }\n"
			 " logging_daemon {\n  name: corosync\n  to_stderr: no\n }\n"
			 " logging_daemon {\n  name: corosync\n  subsys: CMAP\n  debug: trace\n }\n"
			 " logging_daemon {\n  name: other\n  logfile: /x\n }\n"
			 " logging_daemon {\n  name: other\n  subsys: S\n  debug: off\n }\n"
			 "}\n");
	assert_str_key(s, "logging.to_syslog", "yes");
	assert_str_key(s, "logging.logger_subsys.QUORUM.subsys", "QUORUM");
	assert_str_key(s, "logging.logger_subsys.QUORUM.debug", "on");
	assert_str_key(s, "logging.to_stderr", "no");
	assert_str_key(s, "logging.logger_subsys.CMAP.subsys", "CMAP");
	assert_str_key(s, "logging.logger_subsys.CMAP.debug", "trace");
	assert_str_key(s, "logging.logging_daemon.other.name", "other");
	assert_str_key(s, "logging.logging_daemon.other.logfile", "/x");
	assert_str_key(s, "logging.logging_daemon.other.S.subsys", "S");
	assert_str_key(s, "logging.logging_daemon.other.S.name", "other");
	assert_str_key(s, "logging.logging_daemon.other.S.debug", "off");
	assert_int_equal(syn_store_count(s), 11);
	syn_store_destroy(s);
}

static void test_uidgid_mapping(void **state)
{
	(void)state;
	struct syn_store *s = parse_ok("uidgid {\n uid: root\n gid: root\n uid: 1000\n"
				       " gid: 4294967295\n}\n");
	assert_typed(s, "uidgid.config.uid.0", SYN_TYPE_UINT8, 1);
	assert_typed(s, "uidgid.config.gid.0", SYN_TYPE_UINT8, 1);
	assert_typed(s, "uidgid.config.uid.1000", SYN_TYPE_UINT8, 1);
	assert_typed(s, "uidgid.config.gid.4294967295", SYN_TYPE_UINT8, 1);
	assert_int_equal(syn_store_count(s), 4);
	syn_store_destroy(s);
	/* drop-in mode accepts the same uidgid sections */
	s = syn_store_create();
	char err[SYN_CONFIG_ERR_LEN];
	assert_int_equal(parse_flags(s, "uidgid {\n uid: 5\n}\n", SYN_CONFIG_UIDGID_ONLY, err), 0);
	assert_typed(s, "uidgid.config.uid.5", SYN_TYPE_UINT8, 1);
	syn_store_destroy(s);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_parse_file_and_dropins(void **state)
{
	(void)state;
	char dir[] = "/tmp/synod-cfgXXXXXX";
	char path[256], dropdir[256], drop[300], err[SYN_CONFIG_ERR_LEN];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/main.conf", dir);
	snprintf(dropdir, sizeof(dropdir), "%s/uidgid.d", dir);
	struct syn_store *s = syn_store_create();

	/* unreadable main file */
	assert_int_equal(syn_config_parse_file(s, path, err, sizeof(err)), -ENOENT);
	char want[600];
	snprintf(want, sizeof(want), "Can't read file %s: No such file or directory", path);
	assert_string_equal(err, want);
	/* no drop-in directory */
	write_file(path, "totem {\n version: 2\n}\n");
	assert_int_equal(syn_config_parse_file(s, path, err, sizeof(err)), 0);
	assert_typed(s, "totem.version", SYN_TYPE_UINT32, 2);
	/* drop-ins add keys; a subdirectory is skipped */
	assert_int_equal(mkdir(dropdir, 0700), 0);
	snprintf(drop, sizeof(drop), "%s/a", dropdir);
	write_file(drop, "uidgid {\n uid: 42\n}\n");
	snprintf(drop, sizeof(drop), "%s/sub", dropdir);
	assert_int_equal(mkdir(drop, 0700), 0);
	assert_int_equal(syn_config_parse_file(s, path, err, sizeof(err)), 0);
	assert_typed(s, "uidgid.config.uid.42", SYN_TYPE_UINT8, 1);
	/* a bad drop-in fails the whole parse and changes nothing */
	write_file(path, "totem {\n version: 3\n}\n");
	snprintf(drop, sizeof(drop), "%s/b", dropdir);
	write_file(drop, "\nquorum {\n}\n");
	assert_int_equal(syn_config_parse_file(s, path, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want),
		 "parser error: %s:2: uidgid: Can't add subsection different than uidgid", drop);
	assert_string_equal(err, want);
	assert_typed(s, "totem.version", SYN_TYPE_UINT32, 2);
	syn_store_destroy(s);
	unlink(drop);
	snprintf(drop, sizeof(drop), "%s/a", dropdir);
	unlink(drop);
	snprintf(drop, sizeof(drop), "%s/sub", dropdir);
	rmdir(drop);
	rmdir(dropdir);
	unlink(path);
	rmdir(dir);
}

static void test_bundled_config(void **state)
{
	(void)state;
	struct syn_store *s = syn_store_create();
	char err[SYN_CONFIG_ERR_LEN];
	assert_int_equal(
		syn_config_parse_file(s, SYN_SOURCE_ROOT "/conf/synod.conf", err, sizeof(err)), 0);
	assert_str_key(s, "totem.cluster_name", "synod");
	assert_str_key(s, "totem.transport", "knet");
	assert_typed(s, "nodelist.node.0.nodeid", SYN_TYPE_UINT32, 1);
	assert_str_key(s, "nodelist.node.0.ring0_addr", "127.0.0.1");
	assert_str_key(s, "nodelist.node.0.name", "node1");
	assert_str_key(s, "quorum.provider", "corosync_votequorum");
	assert_str_key(s, "logging.to_stderr", "yes");
	syn_store_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_length),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_path_lengths),
		cmocka_unit_test(test_range_errors),
		cmocka_unit_test(test_validated_values),
		cmocka_unit_test(test_section_errors),
		cmocka_unit_test(test_syntax_consequences),
		cmocka_unit_test(test_typed_keys),
		cmocka_unit_test(test_interface_mapping),
		cmocka_unit_test(test_nodelist_mapping),
		cmocka_unit_test(test_logging_mapping),
		cmocka_unit_test(test_uidgid_mapping),
		cmocka_unit_test(test_parse_file_and_dropins),
		cmocka_unit_test(test_bundled_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
