/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * textfmt.c - OpenMetrics / Prometheus text exposition writer (see
 * textfmt.h).  Numbers are written in the shortest of 15 or 17 significant
 * digits that reads back as the same double, so integers below 2^53 come
 * out exactly and without a decimal point, and 0.574 stays 0.574.
 */
#include "textfmt.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void syn_exp_text_init(struct syn_exp_text *t, bool openmetrics)
{
	memset(t, 0, sizeof(*t));
	t->openmetrics = openmetrics;
}

void syn_exp_text_fini(struct syn_exp_text *t)
{
	free(t->buf);
	t->buf = NULL;
	t->len = t->cap = 0;
}

static bool reserve(struct syn_exp_text *t, size_t more)
{
	size_t cap;
	char *p;

	if (t->err)
		return false;
	if (t->len + more + 1 <= t->cap)
		return true;
	cap = t->cap ? t->cap : 4096;
	while (cap < t->len + more + 1)
		cap *= 2;
	p = realloc(t->buf, cap);
	if (!p) {
		t->err = -ENOMEM;
		return false;
	}
	t->buf = p;
	t->cap = cap;
	return true;
}

static void put(struct syn_exp_text *t, const char *s, size_t n)
{
	if (!reserve(t, n))
		return;
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

static void puts_(struct syn_exp_text *t, const char *s)
{
	put(t, s, strlen(s));
}

static void printf_(struct syn_exp_text *t, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	put(t, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

/* HELP text escapes backslash and newline; label values also the quote. */
static void put_escaped(struct syn_exp_text *t, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			puts_(t, "\\\\");
		else if (*s == '\n')
			puts_(t, "\\n");
		else if (quote && *s == '"')
			puts_(t, "\\\"");
		else
			put(t, s, 1);
	}
}

/* The name on HELP/TYPE lines: Prometheus text names a counter by its sample. */
static void put_family_name(struct syn_exp_text *t)
{
	puts_(t, t->family);
	if (t->type == SYN_EXP_COUNTER && !t->openmetrics)
		puts_(t, "_total");
}

void syn_exp_text_family(struct syn_exp_text *t, const char *name, enum syn_exp_metric_type type,
			 const char *help)
{
	snprintf(t->family, sizeof(t->family), "%s", name);
	t->type = type;
	puts_(t, "# HELP ");
	put_family_name(t);
	puts_(t, " ");
	put_escaped(t, help, false);
	puts_(t, "\n# TYPE ");
	put_family_name(t);
	puts_(t, type == SYN_EXP_COUNTER ? " counter\n" : " gauge\n");
}

static void put_number(struct syn_exp_text *t, double value)
{
	char num[40];

	snprintf(num, sizeof(num), "%.15g", value);
	if (strtod(num, NULL) != value)
		snprintf(num, sizeof(num), "%.17g", value);
	printf_(t, " %s\n", num);
}

void syn_exp_text_sample(struct syn_exp_text *t, const char *const *labels, double value)
{
	puts_(t, t->family);
	if (t->type == SYN_EXP_COUNTER)
		puts_(t, "_total");
	if (labels && labels[0]) {
		puts_(t, "{");
		for (size_t i = 0; labels[i] && labels[i + 1]; i += 2) {
			if (i)
				puts_(t, ",");
			puts_(t, labels[i]);
			puts_(t, "=\"");
			put_escaped(t, labels[i + 1], true);
			puts_(t, "\"");
		}
		puts_(t, "}");
	}
	put_number(t, value);
}

int syn_exp_text_finish(struct syn_exp_text *t, char **out, size_t *out_len)
{
	if (t->openmetrics)
		puts_(t, "# EOF\n");
	if (!t->err && !t->buf)
		reserve(t, 0);
	if (t->err)
		return t->err;
	*out = t->buf;
	*out_len = t->len;
	t->buf = NULL;
	t->len = t->cap = 0;
	return 0;
}

const char *syn_exp_text_content_type(bool openmetrics)
{
	return openmetrics ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
			   : "text/plain; version=0.0.4; charset=utf-8";
}
