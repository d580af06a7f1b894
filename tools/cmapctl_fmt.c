/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmapctl_fmt.c - value parsing and output formatting of synod-cmapctl
 * (contract in cmapctl_fmt.h).
 *
 * The text output must match corosync-cmapctl byte for byte, including its
 * odd corners: quiet mode still prints "bin)" for binary keys, unknown type
 * codes print "<key> (" and nothing more, and binary escapes sign-extend
 * bytes >= 0x80.  These are kept on purpose because scripts parse them.
 */
#include "cmapctl_fmt.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const type_names[] = {
	[CMAP_VALUETYPE_INT8] = "i8",	 [CMAP_VALUETYPE_UINT8] = "u8",
	[CMAP_VALUETYPE_INT16] = "i16",	 [CMAP_VALUETYPE_UINT16] = "u16",
	[CMAP_VALUETYPE_INT32] = "i32",	 [CMAP_VALUETYPE_UINT32] = "u32",
	[CMAP_VALUETYPE_INT64] = "i64",	 [CMAP_VALUETYPE_UINT64] = "u64",
	[CMAP_VALUETYPE_FLOAT] = "flt",	 [CMAP_VALUETYPE_DOUBLE] = "dbl",
	[CMAP_VALUETYPE_STRING] = "str", [CMAP_VALUETYPE_BINARY] = "bin",
};

#define N_TYPE_NAMES (sizeof(type_names) / sizeof(type_names[0]))

const char *syn_cmapctl_type_name(int type)
{
	if (type < 0 || (size_t)type >= N_TYPE_NAMES)
		return NULL;
	return type_names[type];
}

int syn_cmapctl_type_parse(const char *name)
{
	for (size_t i = 0; i < N_TYPE_NAMES; i++) {
		if (type_names[i] != NULL && strcmp(type_names[i], name) == 0)
			return (int)i;
	}
	return -EINVAL;
}

static int parse_signed(int type, const char *text, struct syn_cmapctl_setval *out)
{
	int64_t v;
	int64_t min = INT64_MIN, max = INT64_MAX;

	if (sscanf(text, "%" SCNd64, &v) != 1)
		return -EINVAL;
	switch (type) {
	case CMAP_VALUETYPE_INT8:
		min = INT8_MIN;
		max = INT8_MAX;
		break;
	case CMAP_VALUETYPE_INT16:
		min = INT16_MIN;
		max = INT16_MAX;
		break;
	case CMAP_VALUETYPE_INT32:
		min = INT32_MIN;
		max = INT32_MAX;
		break;
	default:
		break;
	}
	if (v < min || v > max)
		return -ERANGE;
	switch (type) {
	case CMAP_VALUETYPE_INT8:
		out->num.i8 = (int8_t)v;
		out->len = 1;
		break;
	case CMAP_VALUETYPE_INT16:
		out->num.i16 = (int16_t)v;
		out->len = 2;
		break;
	case CMAP_VALUETYPE_INT32:
		out->num.i32 = (int32_t)v;
		out->len = 4;
		break;
	default:
		out->num.i64 = v;
		out->len = 8;
		break;
	}
	return 0;
}

static int parse_unsigned(int type, const char *text, struct syn_cmapctl_setval *out)
{
	uint64_t v;
	uint64_t max = UINT64_MAX;

	/* Like the reference, "-1" is accepted here and wraps to 2^64 - 1. */
	if (sscanf(text, "%" SCNu64, &v) != 1)
		return -EINVAL;
	switch (type) {
	case CMAP_VALUETYPE_UINT8:
		max = UINT8_MAX;
		break;
	case CMAP_VALUETYPE_UINT16:
		max = UINT16_MAX;
		break;
	case CMAP_VALUETYPE_UINT32:
		max = UINT32_MAX;
		break;
	default:
		break;
	}
	if (v > max)
		return -ERANGE;
	switch (type) {
	case CMAP_VALUETYPE_UINT8:
		out->num.u8 = (uint8_t)v;
		out->len = 1;
		break;
	case CMAP_VALUETYPE_UINT16:
		out->num.u16 = (uint16_t)v;
		out->len = 2;
		break;
	case CMAP_VALUETYPE_UINT32:
		out->num.u32 = (uint32_t)v;
		out->len = 4;
		break;
	default:
		out->num.u64 = v;
		out->len = 8;
		break;
	}
	return 0;
}

int syn_cmapctl_value_parse(int type, const char *text, struct syn_cmapctl_setval *out)
{
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->type = type;
	out->data = &out->num;
	switch (type) {
	case CMAP_VALUETYPE_INT8:
	case CMAP_VALUETYPE_INT16:
	case CMAP_VALUETYPE_INT32:
	case CMAP_VALUETYPE_INT64:
		rc = parse_signed(type, text, out);
		break;
	case CMAP_VALUETYPE_UINT8:
	case CMAP_VALUETYPE_UINT16:
	case CMAP_VALUETYPE_UINT32:
	case CMAP_VALUETYPE_UINT64:
		rc = parse_unsigned(type, text, out);
		break;
	case CMAP_VALUETYPE_FLOAT:
		rc = sscanf(text, "%f", &out->num.flt) == 1 ? 0 : -EINVAL;
		out->len = sizeof(float);
		break;
	case CMAP_VALUETYPE_DOUBLE:
		rc = sscanf(text, "%lf", &out->num.dbl) == 1 ? 0 : -EINVAL;
		out->len = sizeof(double);
		break;
	case CMAP_VALUETYPE_STRING:
		out->data = text;
		out->len = strlen(text);
		break;
	case CMAP_VALUETYPE_BINARY:
		out->data = NULL;
		break;
	default:
		rc = -EINVAL;
		break;
	}
	return rc;
}

/* Copies up to size bytes of val into dst, zero padding a short value. */
static void val_copy(void *dst, size_t size, const struct syn_cmapctl_val *val)
{
	memset(dst, 0, size);
	if (val->data != NULL)
		memcpy(dst, val->data, val->len < size ? val->len : size);
}

/*
 * Writes the textual value of a fixed-size type; returns false for a
 * type that is not one.
 */
static bool print_number(FILE *out, const struct syn_cmapctl_val *val, bool json)
{
	union syn_cmapctl_num n;
	double d;

	val_copy(&n, sizeof(n), val);
	switch (val->type) {
	case CMAP_VALUETYPE_INT8:
		fprintf(out, "%" PRId8, n.i8);
		return true;
	case CMAP_VALUETYPE_UINT8:
		fprintf(out, "%" PRIu8, n.u8);
		return true;
	case CMAP_VALUETYPE_INT16:
		fprintf(out, "%" PRId16, n.i16);
		return true;
	case CMAP_VALUETYPE_UINT16:
		fprintf(out, "%" PRIu16, n.u16);
		return true;
	case CMAP_VALUETYPE_INT32:
		fprintf(out, "%" PRId32, n.i32);
		return true;
	case CMAP_VALUETYPE_UINT32:
		fprintf(out, "%" PRIu32, n.u32);
		return true;
	case CMAP_VALUETYPE_INT64:
		fprintf(out, "%" PRId64, n.i64);
		return true;
	case CMAP_VALUETYPE_UINT64:
		fprintf(out, "%" PRIu64, n.u64);
		return true;
	case CMAP_VALUETYPE_FLOAT:
	case CMAP_VALUETYPE_DOUBLE:
		d = val->type == CMAP_VALUETYPE_FLOAT ? (double)n.flt : n.dbl;
		if (!json)
			fprintf(out, "%f", d);
		else if (!isfinite(d))
			fputs("null", out);
		else if (val->type == CMAP_VALUETYPE_FLOAT)
			fprintf(out, "%.9g", d);
		else
			fprintf(out, "%.17g", d);
		return true;
	default:
		return false;
	}
}

/* Length of the string stored in val, stopping at the first NUL. */
static size_t val_strlen(const struct syn_cmapctl_val *val)
{
	return val->data == NULL ? 0 : strnlen(val->data, val->len);
}

void syn_cmapctl_print_binary(FILE *out, const unsigned char *data, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = data[i];

		if (c == '\\')
			fputs("\\\\", out);
		else if (c >= 0x20 && c < 0x7f)
			fputc(c, out);
		else if (c < 0x80)
			fprintf(out, "\\x%02X", c);
		else
			/* The reference formats a signed char, sign-extended. */
			fprintf(out, "\\xFFFFFF%02X", c);
	}
}

void syn_cmapctl_print_text(FILE *out, const char *key, const struct syn_cmapctl_val *val,
			    bool quiet, bool show_binary)
{
	const char *name = syn_cmapctl_type_name(val->type);

	if (!quiet)
		fprintf(out, "%s (", key);
	if (val->type == CMAP_VALUETYPE_BINARY) {
		/* "bin)" is printed even in quiet mode, as the reference does. */
		fputs("bin)", out);
		if (show_binary) {
			fputs(" = ", out);
			syn_cmapctl_print_binary(out, val->data, val->len);
		}
	} else if (val->type == CMAP_VALUETYPE_STRING) {
		if (!quiet)
			fputs("str) = ", out);
		fwrite(val->data == NULL ? "" : val->data, 1, val_strlen(val), out);
	} else if (name != NULL) {
		if (!quiet)
			fprintf(out, "%s) = ", name);
		print_number(out, val, false);
	}
	fputc('\n', out);
}

void syn_cmapctl_json_string(FILE *out, const char *s, size_t len)
{
	fputc('"', out);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

void syn_cmapctl_json_value(FILE *out, const struct syn_cmapctl_val *val)
{
	const unsigned char *bytes = val->data;

	if (val->type == CMAP_VALUETYPE_STRING) {
		syn_cmapctl_json_string(out, val->data == NULL ? "" : val->data, val_strlen(val));
	} else if (val->type == CMAP_VALUETYPE_BINARY) {
		fputc('"', out);
		for (size_t i = 0; i < val->len; i++)
			fprintf(out, "%02x", bytes[i]);
		fputc('"', out);
	} else if (!print_number(out, val, true)) {
		fputs("null", out);
	}
}

void syn_cmapctl_json_typed_value(FILE *out, const struct syn_cmapctl_val *val, const char *prefix)
{
	const char *name = syn_cmapctl_type_name(val->type);

	fprintf(out, "\"%stype\":", prefix);
	if (name != NULL)
		fprintf(out, "\"%s\"", name);
	else
		fputs("null", out);
	fprintf(out, ",\"%svalue\":", prefix);
	syn_cmapctl_json_value(out, val);
}

void syn_cmapctl_print_json(FILE *out, const char *key, const struct syn_cmapctl_val *val)
{
	fputs("{\"key\":", out);
	syn_cmapctl_json_string(out, key, strlen(key));
	fputc(',', out);
	syn_cmapctl_json_typed_value(out, val, "");
	fputc('}', out);
}

void syn_cmapctl_load_line_split(char *line, struct syn_cmapctl_load_line *out)
{
	char *save = NULL;

	memset(out, 0, sizeof(*out));
	while (*line == ' ' || *line == '\t')
		line++;
	if (*line == '#' || *line == '\n') {
		out->skip = true;
		return;
	}
	out->key = strtok_r(line, " \n", &save);
	if (out->key == NULL)
		return;
	out->type_s = strtok_r(NULL, " \n", &save);
	if (out->type_s != NULL)
		out->value_s = strtok_r(NULL, " \n", &save);
}
