/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_cmapctl_fmt.c - synod-cmapctl's value parsing and output formats,
 * without a daemon.
 *
 * The expected strings are what corosync-cmapctl 3.1.7 prints for the same
 * values (config-and-keys.md §11); the JSON expectations are synod's own
 * format.  Each case writes into a memory stream and compares the bytes.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cmapctl_fmt.h"

struct memout {
	FILE *f;
	char *buf;
	size_t len;
};

static void mem_open(struct memout *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	assert_non_null(m->f);
}

/* Closes the stream, compares its bytes with want and frees them. */
static void mem_check(struct memout *m, const char *want, size_t want_len)
{
	fclose(m->f);
	assert_int_equal(m->len, want_len);
	assert_memory_equal(m->buf, want, want_len);
	free(m->buf);
}

#define MEM_CHECK(m, lit) mem_check((m), (lit), sizeof(lit) - 1)

static void text_line(const char *key, int type, const void *data, size_t len, bool quiet, bool bin,
		      const char *want, size_t want_len)
{
	struct syn_cmapctl_val v = {.type = type, .len = len, .data = data};
	struct memout m;

	mem_open(&m);
	syn_cmapctl_print_text(m.f, key, &v, quiet, bin);
	mem_check(&m, want, want_len);
}

#define TEXT(key, type, data, len, quiet, bin, lit)                                                \
	text_line((key), (type), (data), (len), (quiet), (bin), (lit), sizeof(lit) - 1)

static void test_text_numbers(void **state)
{
	int8_t i8 = -128;
	uint8_t u8 = 255;
	int16_t i16 = -32768;
	uint16_t u16 = 65535;
	int32_t i32 = INT32_MIN;
	uint32_t u32 = UINT32_MAX;
	int64_t i64 = INT64_MIN;
	uint64_t u64 = UINT64_MAX;
	float flt = 1.5f;
	double dbl = -2250.0;

	(void)state;
	TEXT("k.i8", CMAP_VALUETYPE_INT8, &i8, 1, false, false, "k.i8 (i8) = -128\n");
	TEXT("k.u8", CMAP_VALUETYPE_UINT8, &u8, 1, false, false, "k.u8 (u8) = 255\n");
	TEXT("k.i16", CMAP_VALUETYPE_INT16, &i16, 2, false, false, "k.i16 (i16) = -32768\n");
	TEXT("k.u16", CMAP_VALUETYPE_UINT16, &u16, 2, false, false, "k.u16 (u16) = 65535\n");
	TEXT("k.i32", CMAP_VALUETYPE_INT32, &i32, 4, false, false, "k.i32 (i32) = -2147483648\n");
	TEXT("k.u32", CMAP_VALUETYPE_UINT32, &u32, 4, false, false, "k.u32 (u32) = 4294967295\n");
	TEXT("k.i64", CMAP_VALUETYPE_INT64, &i64, 8, false, false,
	     "k.i64 (i64) = -9223372036854775808\n");
	TEXT("k.u64", CMAP_VALUETYPE_UINT64, &u64, 8, false, false,
	     "k.u64 (u64) = 18446744073709551615\n");
	TEXT("k.f", CMAP_VALUETYPE_FLOAT, &flt, 4, false, false, "k.f (flt) = 1.500000\n");
	TEXT("k.d", CMAP_VALUETYPE_DOUBLE, &dbl, 8, false, false, "k.d (dbl) = -2250.000000\n");
	TEXT("k.d", CMAP_VALUETYPE_DOUBLE, &dbl, 8, true, false, "-2250.000000\n");
}

static void test_text_strings_and_odd_types(void **state)
{
	(void)state;
	TEXT("k.s", CMAP_VALUETYPE_STRING, "hello world", 12, false, false,
	     "k.s (str) = hello world\n");
	TEXT("k.s", CMAP_VALUETYPE_STRING, "", 1, false, false, "k.s (str) = \n");
	TEXT("k.s", CMAP_VALUETYPE_STRING, "qt", 3, true, false, "qt\n");
	/* A string without its NUL is not read past its length. */
	TEXT("k.s", CMAP_VALUETYPE_STRING, "abcdef", 3, false, false, "k.s (str) = abc\n");
	/* Unknown type codes print the opening parenthesis only. */
	TEXT("k.z", 0, NULL, 0, false, false, "k.z (\n");
	TEXT("k.z", 13, NULL, 0, true, false, "\n");
}

static void test_text_binary(void **state)
{
	static const unsigned char bytes[] = {'a',  'b',  '\\', 'c',  '\n', 0x01,
					      0x7f, 0x80, 0xff, 0x00, 'z'};

	(void)state;
	TEXT("k.b", CMAP_VALUETYPE_BINARY, bytes, sizeof(bytes), false, false, "k.b (bin)\n");
	TEXT("k.b", CMAP_VALUETYPE_BINARY, bytes, sizeof(bytes), true, false, "bin)\n");
	TEXT("k.b", CMAP_VALUETYPE_BINARY, bytes, sizeof(bytes), false, true,
	     "k.b (bin) = ab\\\\c\\x0A\\x01\\x7F\\xFFFFFF80\\xFFFFFFFF\\x00z\n");
	TEXT("k.b", CMAP_VALUETYPE_BINARY, bytes, 2, true, true, "bin) = ab\n");
	TEXT("k.b", CMAP_VALUETYPE_BINARY, NULL, 0, false, true, "k.b (bin) = \n");
}

static void json_item(const char *key, int type, const void *data, size_t len, const char *want,
		      size_t want_len)
{
	struct syn_cmapctl_val v = {.type = type, .len = len, .data = data};
	struct memout m;

	mem_open(&m);
	syn_cmapctl_print_json(m.f, key, &v);
	mem_check(&m, want, want_len);
}

#define JSON(key, type, data, len, lit)                                                            \
	json_item((key), (type), (data), (len), (lit), sizeof(lit) - 1)

static void test_json(void **state)
{
	static const unsigned char bytes[] = {0x00, 0x7f, 0x80, 0xff};
	uint64_t u64 = UINT64_MAX;
	int16_t i16 = -5;
	float flt = 0.1f;
	double dbl = 0.1;

	(void)state;
	JSON("a.b", CMAP_VALUETYPE_UINT64, &u64, 8,
	     "{\"key\":\"a.b\",\"type\":\"u64\",\"value\":18446744073709551615}");
	JSON("a.b", CMAP_VALUETYPE_INT16, &i16, 2,
	     "{\"key\":\"a.b\",\"type\":\"i16\",\"value\":-5}");
	JSON("a.f", CMAP_VALUETYPE_FLOAT, &flt, 4,
	     "{\"key\":\"a.f\",\"type\":\"flt\",\"value\":0.100000001}");
	JSON("a.d", CMAP_VALUETYPE_DOUBLE, &dbl, 8,
	     "{\"key\":\"a.d\",\"type\":\"dbl\",\"value\":0.10000000000000001}");
	JSON("a.s", CMAP_VALUETYPE_STRING, "q\"\\\n\x01", 6,
	     "{\"key\":\"a.s\",\"type\":\"str\",\"value\":\"q\\\"\\\\\\n\\u0001\"}");
	JSON("a.x", CMAP_VALUETYPE_BINARY, bytes, sizeof(bytes),
	     "{\"key\":\"a.x\",\"type\":\"bin\",\"value\":\"007f80ff\"}");
	JSON("a.z", 0, NULL, 0, "{\"key\":\"a.z\",\"type\":null,\"value\":null}");
}

static void test_json_nonfinite(void **state)
{
	double inf = INFINITY;
	struct memout m;
	struct syn_cmapctl_val v = {.type = CMAP_VALUETYPE_DOUBLE, .len = 8, .data = &inf};

	(void)state;
	mem_open(&m);
	syn_cmapctl_json_typed_value(m.f, &v, "old_");
	MEM_CHECK(&m, "\"old_type\":\"dbl\",\"old_value\":null");
}

static void test_type_names(void **state)
{
	static const char *const names[] = {"i8",  "u8",  "i16", "u16", "i32", "u32",
					    "i64", "u64", "flt", "dbl", "str", "bin"};

	(void)state;
	for (int i = 0; i < 12; i++) {
		assert_int_equal(syn_cmapctl_type_parse(names[i]), i + 1);
		assert_string_equal(syn_cmapctl_type_name(i + 1), names[i]);
	}
	assert_int_equal(syn_cmapctl_type_parse("U8"), -EINVAL);
	assert_int_equal(syn_cmapctl_type_parse(""), -EINVAL);
	assert_int_equal(syn_cmapctl_type_parse("int"), -EINVAL);
	assert_null(syn_cmapctl_type_name(0));
	assert_null(syn_cmapctl_type_name(13));
	assert_null(syn_cmapctl_type_name(-1));
}

static void test_parse_integers(void **state)
{
	struct syn_cmapctl_setval sv;

	(void)state;
	assert_int_equal(syn_cmapctl_value_parse(CMAP_VALUETYPE_INT8, "-128", &sv), 0);
	assert_int_equal(sv.num.i8, -128);
	assert_int_equal(sv.len, 1);
	assert_ptr_equal(sv.data, &sv.num);
	assert_int_equal(syn_cmapctl_value_parse(CMAP_VALUETYPE_INT8, "128", &sv), -ERANGE);
	assert_int_equal(syn_cmapctl_value_parse(CMAP_VALUETYPE_INT8, "12abc", &sv), 0);
	assert_int_equal(sv.num.i8, 12);
	assert_int_equal(syn_cmapctl_value_parse(CMAP_VALUETYPE_INT32, "  42", &sv), 0);
	assert_int_equal(sv.num.i32, 42);
	assert_int_equal(syn_cmapctl_value_parse(CMAP_VALUETYPE_INT16, "-32769", &sv), -ERANGE);
	assert_int_equal(syn_cmapctl_value_parse(CMAP_VALUETYPE_INT64, "abc", &sv), -EINVAL);
	assert_int_equal(syn_cmapctl_value_parse(CMAP_VALUETYPE_INT64, "", &sv), -EINVAL);
	assert_int_equal(syn_cmapctl_value_parse(CMAP_VALUETYPE_UINT8, "255", &sv), 0);
	assert_int_equal(sv.num.u8, 255);
	assert_int_equal(syn_cmapctl_value_parse(CMAP_VALUETYPE_UINT8, "-1", &sv), -ERANGE);
	assert_int_equal(syn_cmapctl_value_parse(CMAP_VALUETYPE_UINT32, "4294967296", &sv),
			 -ERANGE);
	assert_int_equal(syn_cmapctl_value_parse(CMAP_VALUETYPE_UINT64, "-1", &sv), 0);
	assert_true(sv.num.u64 == UINT64_MAX);
	assert_int_equal(sv.len, 8);
	assert_int_equal(syn_cmapctl_value_parse(CMAP_VALUETYPE_UINT16, "x", &sv), -EINVAL);
}

static void test_parse_other_types(void **state)
{
	struct syn_cmapctl_setval sv;

	(void)state;
	assert_int_equal(syn_cmapctl_value_parse(CMAP_VALUETYPE_FLOAT, "1.5", &sv), 0);
	assert_true(sv.num.flt == 1.5f);
	assert_int_equal(sv.len, 4);
	assert_int_equal(syn_cmapctl_value_parse(CMAP_VALUETYPE_DOUBLE, "-2.25e3", &sv), 0);
	assert_true(sv.num.dbl == -2250.0);
	assert_int_equal(sv.len, 8);
	assert_int_equal(syn_cmapctl_value_parse(CMAP_VALUETYPE_FLOAT, "abc", &sv), -EINVAL);
	assert_int_equal(syn_cmapctl_value_parse(CMAP_VALUETYPE_STRING, "two words", &sv), 0);
	assert_string_equal(sv.data, "two words");
	assert_int_equal(sv.len, 9);
	assert_int_equal(syn_cmapctl_value_parse(CMAP_VALUETYPE_BINARY, "file", &sv), 0);
	assert_null(sv.data);
	assert_int_equal(syn_cmapctl_value_parse(0, "1", &sv), -EINVAL);
}

static void test_load_lines(void **state)
{
	struct syn_cmapctl_load_line l;
	char comment[] = " \t# note\n", blank[] = "\t\n", spaces[] = "   ";
	char full[] = "  k.a u8 5 extra\n", tab[] = "k.b\tu8 6\n", del[] = "^^pre.\n";
	char cr[] = "\r\n";

	(void)state;
	syn_cmapctl_load_line_split(comment, &l);
	assert_true(l.skip);
	syn_cmapctl_load_line_split(blank, &l);
	assert_true(l.skip);
	syn_cmapctl_load_line_split(spaces, &l);
	assert_false(l.skip);
	assert_null(l.key);
	syn_cmapctl_load_line_split(full, &l);
	assert_string_equal(l.key, "k.a");
	assert_string_equal(l.type_s, "u8");
	assert_string_equal(l.value_s, "5");
	syn_cmapctl_load_line_split(tab, &l);
	assert_string_equal(l.key, "k.b\tu8");
	assert_string_equal(l.type_s, "6");
	assert_null(l.value_s);
	syn_cmapctl_load_line_split(del, &l);
	assert_string_equal(l.key, "^^pre.");
	assert_null(l.type_s);
	/* Only spaces and TABs are blanks: a CR line is a key named "\r". */
	syn_cmapctl_load_line_split(cr, &l);
	assert_false(l.skip);
	assert_string_equal(l.key, "\r");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_numbers),
		cmocka_unit_test(test_text_strings_and_odd_types),
		cmocka_unit_test(test_text_binary),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_nonfinite),
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_parse_integers),
		cmocka_unit_test(test_parse_other_types),
		cmocka_unit_test(test_load_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
