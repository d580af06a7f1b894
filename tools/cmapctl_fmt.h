/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmapctl_fmt.h - pure helpers of synod-cmapctl: value parsing and output
 * formatting.
 *
 * Nothing here talks to the daemon, so everything can be unit tested
 * without one.  The text formats reproduce corosync-cmapctl 3.1.7 byte for
 * byte (config-and-keys.md §11.2, §11.4, §11.5); the JSON formats are
 * synod's own and documented next to the functions that write them.
 *
 * A value is described by struct syn_cmapctl_val, which only borrows its
 * bytes.  Values whose length does not match their type (possible only
 * with a misbehaving daemon) are read as if zero padded, never past len.
 */
#ifndef SYN_TOOLS_CMAPCTL_FMT_H
#define SYN_TOOLS_CMAPCTL_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <corosync/cmap.h>

/* Longest line of a -p file, without the terminating NUL. */
#define SYN_CMAPCTL_LOAD_LINE_MAX 1023

/* A typed value as read from the daemon; data is borrowed. */
struct syn_cmapctl_val {
	int type;	  /* a cmap_value_types_t, or any other code the daemon sent */
	size_t len;	  /* bytes at data */
	const void *data; /* NULL when len == 0 */
};

/* Storage for one value of any fixed-size type. */
union syn_cmapctl_num {
	int8_t i8;
	uint8_t u8;
	int16_t i16;
	uint16_t u16;
	int32_t i32;
	uint32_t u32;
	int64_t i64;
	uint64_t u64;
	float flt;
	double dbl;
};

/* The bytes to hand to cmap_set() for one parsed SET operand. */
struct syn_cmapctl_setval {
	int type;
	size_t len;
	union syn_cmapctl_num num;
	const void *data; /* num for numbers, the operand for str; unset for bin */
};

/* One line of a -p file split into tokens; the pointers point into the line. */
struct syn_cmapctl_load_line {
	bool skip;	     /* blank or comment line */
	const char *key;     /* NULL when the line holds only spaces/TABs */
	const char *type_s;  /* NULL when absent */
	const char *value_s; /* NULL when absent */
};

/* "i8" … "bin" for the twelve value types, NULL for any other code. */
const char *syn_cmapctl_type_name(int type);

/* The type named exactly (case sensitive) by name, or -EINVAL. */
int syn_cmapctl_type_parse(const char *name);

/*
 * Parses a SET operand for the number types with corosync-cmapctl's rules:
 * scanf conversions (leading blanks and a sign accepted, trailing garbage
 * ignored, unsigned types accept '-' and wrap), range checks for the
 * narrow integer types.  str points data at text; bin leaves data unset.
 * Returns 0, -EINVAL when text is not a number ("is not valid <t> type
 * value"), -ERANGE when it does not fit ("is not valid <t> integer").
 */
int syn_cmapctl_value_parse(int type, const char *text, struct syn_cmapctl_setval *out);

/*
 * Writes one key line as corosync-cmapctl does (§11.2), with the trailing
 * LF.  quiet drops the "<key> (" prefix; show_binary prints bin values.
 */
void syn_cmapctl_print_text(FILE *out, const char *key, const struct syn_cmapctl_val *val,
			    bool quiet, bool show_binary);

/*
 * Writes bin bytes the way corosync-cmapctl does: printable ASCII as is,
 * '\' doubled, every other byte as \x%02X of the byte taken as a signed
 * char, so bytes >= 0x80 appear as \xFFFFFF80 … \xFFFFFFFF.
 */
void syn_cmapctl_print_binary(FILE *out, const unsigned char *data, size_t len);

/* Writes s as a JSON string literal, quotes included. */
void syn_cmapctl_json_string(FILE *out, const char *s, size_t len);

/*
 * Writes the JSON form of val's value: integers as numbers, flt/dbl as
 * numbers with enough digits to round-trip (null when not finite), str as
 * a string, bin as a string of lowercase hex digits, null for an unknown
 * type code.
 */
void syn_cmapctl_json_value(FILE *out, const struct syn_cmapctl_val *val);

/*
 * Writes "<prefix>type":<t>,"<prefix>value":<v> (no braces); the type is
 * null for an unknown type code.
 */
void syn_cmapctl_json_typed_value(FILE *out, const struct syn_cmapctl_val *val, const char *prefix);

/* Writes {"key":…,"type":…,"value":…} without a line end. */
void syn_cmapctl_print_json(FILE *out, const char *key, const struct syn_cmapctl_val *val);

/*
 * Splits a -p line (modified in place) with corosync-cmapctl's rules:
 * leading spaces and TABs skipped, '#' or LF then means a comment/blank
 * line, tokens are separated by spaces and LF only.
 */
void syn_cmapctl_load_line_split(char *line, struct syn_cmapctl_load_line *out);

#endif
