/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * textfmt.h - writes metric families in the OpenMetrics 1.0.0 text format
 * or in Prometheus' text format 0.0.4, into a growing buffer.
 *
 * It knows nothing about synod: callers open a family (name, type, help),
 * then add samples with label pairs.  The two formats differ only in how a
 * counter is named (OpenMetrics: family "x", sample "x_total"; Prometheus
 * text: family and sample "x_total") and in the closing "# EOF" line that
 * only OpenMetrics has.  Label values are escaped (\\, \", \n); names are
 * the caller's and must already be valid metric and label names.
 *
 * Errors are sticky: after an allocation failure every call does nothing
 * and syn_exp_text_finish() returns -ENOMEM.
 */
#ifndef SYN_EXP_TEXTFMT_H
#define SYN_EXP_TEXTFMT_H

#include <stdbool.h>
#include <stddef.h>

enum syn_exp_metric_type {
	SYN_EXP_GAUGE,
	SYN_EXP_COUNTER,
};

struct syn_exp_text {
	char *buf;
	size_t len;
	size_t cap;
	bool openmetrics;
	int err;
	enum syn_exp_metric_type type; /* of the open family */
	char family[128];	       /* the open family's name, without _total */
};

/* Caller storage; openmetrics selects the format. */
void syn_exp_text_init(struct syn_exp_text *t, bool openmetrics);
void syn_exp_text_fini(struct syn_exp_text *t);

/* Open a family: its HELP and TYPE lines.  name has no _total suffix. */
void syn_exp_text_family(struct syn_exp_text *t, const char *name, enum syn_exp_metric_type type,
			 const char *help);

/*
 * One sample of the open family.  labels holds name, value, name, value,
 * ... and ends with NULL (labels itself may be NULL for none).
 */
void syn_exp_text_sample(struct syn_exp_text *t, const char *const *labels, double value);

/*
 * Close the exposition ("# EOF" in OpenMetrics).  Returns 0 and hands the
 * text over (*out, *out_len; free() it), or -ENOMEM.
 */
int syn_exp_text_finish(struct syn_exp_text *t, char **out, size_t *out_len);

/* The Content-Type header value of the format. */
const char *syn_exp_text_content_type(bool openmetrics);

#endif
