/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_security.c - unit tests of the start-up exposure checks
 * (daemon/security.h): counting the nodelist, the crypto rule (secauth,
 * cipher, hash) and when the warning is due.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "security.h"
#include "store.h"

static struct syn_store *parse(const char *totem, int n_nodes)
{
	struct syn_store *s = syn_store_create();
	char text[2048], err[SYN_CONFIG_ERR_LEN];
	int off;

	off = snprintf(text, sizeof(text), "totem {\n%s\n}\nnodelist {\n", totem);
	for (int i = 1; i <= n_nodes; i++)
		off += snprintf(text + off, sizeof(text) - (size_t)off,
				"node {\nnodeid: %d\nring0_addr: 10.0.0.%d\n}\n", i, i);
	snprintf(text + off, sizeof(text) - (size_t)off, "}\n");
	if (syn_config_parse_buffer(s, "t.conf", text, strlen(text), 0, err, sizeof(err)) != 0)
		fail_msg("parse failed: %s", err);
	return s;
}

static void test_n_nodes(void **state)
{
	(void)state;
	for (int n = 0; n <= 5; n++) {
		struct syn_store *s = parse("", n);

		assert_int_equal(syn_security_n_nodes(s), n);
		syn_store_destroy(s);
	}
}

static void test_crypto_on(void **state)
{
	static const struct {
		const char *totem;
		bool on;
	} cases[] = {
		{"", false},
		{"crypto_cipher: none\ncrypto_hash: none", false},
		{"secauth: off", false},
		{"secauth: on", true},
		{"secauth: on\ncrypto_cipher: none\ncrypto_hash: none", false},
		{"crypto_hash: sha256", true},
		{"crypto_cipher: aes256\ncrypto_hash: sha256", true},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct syn_store *s = parse(cases[i].totem, 3);

		assert_int_equal(syn_security_crypto_on(s), cases[i].on);
		syn_store_destroy(s);
	}
}

static void test_warn(void **state)
{
	struct syn_store *s;

	(void)state;
	s = parse("crypto_cipher: none", 2);
	assert_true(syn_security_warn(s));
	syn_store_destroy(s);
	s = parse("", 1);
	assert_false(syn_security_warn(s));
	syn_store_destroy(s);
	s = parse("crypto_cipher: aes256\ncrypto_hash: sha256", 3);
	assert_false(syn_security_warn(s));
	syn_store_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_n_nodes),
		cmocka_unit_test(test_crypto_on),
		cmocka_unit_test(test_warn),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
