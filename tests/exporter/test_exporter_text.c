/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_exporter_text.c - synod-exporter's text side without a daemon:
 * the OpenMetrics / Prometheus text writer (textfmt.c: family lines,
 * counter naming in each format, label escaping, "# EOF") and the metric
 * list built from hand-made snapshots (metrics.c: nothing but synod_up
 * when the daemon is down, member votes of members only, what counts as
 * a ring fault, the quorum device line).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "metrics.h"
#include "textfmt.h"

static char *render(const struct syn_exp_snapshot *s, bool openmetrics)
{
	struct syn_exp_text t;
	char *out = NULL;
	size_t len = 0;

	syn_exp_text_init(&t, openmetrics);
	syn_exp_metrics_write(s, &t);
	assert_int_equal(syn_exp_text_finish(&t, &out, &len), 0);
	syn_exp_text_fini(&t);
	assert_int_equal(strlen(out), len);
	return out;
}

static void test_counter_names_per_format(void **state)
{
	struct syn_exp_text t;
	char *out;
	size_t len;

	(void)state;
	syn_exp_text_init(&t, true);
	syn_exp_text_family(&t, "x_events", SYN_EXP_COUNTER, "Events");
	syn_exp_text_sample(&t, NULL, 3);
	assert_int_equal(syn_exp_text_finish(&t, &out, &len), 0);
	assert_string_equal(out, "# HELP x_events Events\n# TYPE x_events counter\n"
				 "x_events_total 3\n# EOF\n");
	free(out);
	syn_exp_text_fini(&t);

	syn_exp_text_init(&t, false);
	syn_exp_text_family(&t, "x_events", SYN_EXP_COUNTER, "Events");
	syn_exp_text_sample(&t, NULL, 3);
	assert_int_equal(syn_exp_text_finish(&t, &out, &len), 0);
	assert_string_equal(out, "# HELP x_events_total Events\n# TYPE x_events_total counter\n"
				 "x_events_total 3\n");
	free(out);
	syn_exp_text_fini(&t);
}

static void test_labels_escaped(void **state)
{
	struct syn_exp_text t;
	char *out;
	size_t len;

	(void)state;
	syn_exp_text_init(&t, false);
	syn_exp_text_family(&t, "g", SYN_EXP_GAUGE, "a\\b\nc");
	syn_exp_text_sample(&t, (const char *[]){"a", "q\"b\\s\nn", "b", "", NULL}, 0.25);
	syn_exp_text_sample(&t, NULL, 0.1);
	syn_exp_text_sample(&t, NULL, 9007199254740992.0);
	assert_int_equal(syn_exp_text_finish(&t, &out, &len), 0);
	assert_string_equal(out, "# HELP g a\\\\b\\nc\n# TYPE g gauge\n"
				 "g{a=\"q\\\"b\\\\s\\nn\",b=\"\"} 0.25\n"
				 "g 0.1\ng 9007199254740992\n");
	free(out);
	syn_exp_text_fini(&t);
}

static void test_empty_exposition(void **state)
{
	struct syn_exp_text t;
	char *out;
	size_t len;

	(void)state;
	syn_exp_text_init(&t, true);
	assert_int_equal(syn_exp_text_finish(&t, &out, &len), 0);
	assert_string_equal(out, "# EOF\n");
	free(out);
	syn_exp_text_fini(&t);
	assert_non_null(strstr(syn_exp_text_content_type(true), "application/openmetrics-text; "
								"version=1.0.0"));
	assert_non_null(strstr(syn_exp_text_content_type(false), "text/plain; version=0.0.4"));
}

static void test_down_only_up(void **state)
{
	struct syn_exp_snapshot *s = calloc(1, sizeof(*s));
	char *out;

	(void)state;
	s->collect_seconds = 0.5;
	out = render(s, true);
	assert_non_null(strstr(out, "\nsynod_up 0\n"));
	assert_non_null(strstr(out, "\nsynod_exporter_collect_seconds 0.5\n"));
	assert_null(strstr(out, "ha_cluster"));
	assert_null(strstr(out, "synod_members"));
	free(out);
	free(s);
}

/* Nodes 1 (local), 2, 3; node 3 not a member, its link down. */
static struct syn_exp_snapshot *three_nodes(void)
{
	struct syn_exp_snapshot *s = calloc(1, sizeof(*s));

	s->up = true;
	s->local_nodeid = 1;
	s->have_ring = true;
	snprintf(s->ring_id, sizeof(s->ring_id), "1.a");
	s->ring_seq = 10;
	s->n_members = 2;
	s->have_quorate = s->quorate = true;
	s->have_votes = true;
	s->expected_votes = s->highest_expected = 3;
	s->total_votes = s->quorum = 2;
	s->n_nodes = 3;
	for (uint32_t i = 0; i < 3; i++) {
		struct syn_exp_node *n = &s->nodes[i];

		n->nodeid = i + 1;
		snprintf(n->name, sizeof(n->name), "node%u", i + 1);
		n->member = i < 2;
		n->local = i == 0;
		n->have_votes = n->member;
		n->votes = 1;
		n->have_links = true;
		n->reachable = n->member;
		n->links[0].enabled = true;
		n->links[0].connected = n->member;
	}
	snprintf(s->local_addr[0], sizeof(s->local_addr[0]), "10.0.0.1");
	return s;
}

static void test_lost_node_is_no_ring_fault(void **state)
{
	struct syn_exp_snapshot *s = three_nodes();
	char *out;

	(void)state;
	out = render(s, false);
	assert_non_null(strstr(out, "\nsynod_members 2\n"));
	assert_non_null(strstr(out, "ha_cluster_corosync_member_votes{node_id=\"1\",node=\"node1\","
				    "local=\"true\"} 1\n"));
	assert_non_null(strstr(out, "ha_cluster_corosync_member_votes{node_id=\"2\""));
	assert_null(strstr(out, "ha_cluster_corosync_member_votes{node_id=\"3\""));
	assert_non_null(strstr(out, "synod_node_member{node_id=\"3\",node=\"node3\"} 0\n"));
	assert_non_null(strstr(out, "synod_link_up{node_id=\"3\",node=\"node3\",link=\"0\"} 0\n"));
	assert_non_null(strstr(out, "ha_cluster_corosync_rings{ring_id=\"1.a\",node_id=\"1\","
				    "number=\"0\",address=\"10.0.0.1\"} 1\n"));
	assert_non_null(strstr(out, "\nha_cluster_corosync_ring_errors 0\n"));
	assert_non_null(strstr(out, "ha_cluster_corosync_quorum_votes{type=\"total_votes\"} 2\n"));
	free(out);
	free(s);
}

static void test_member_link_down_is_ring_fault(void **state)
{
	struct syn_exp_snapshot *s = three_nodes();
	char *out;

	(void)state;
	/* node 2 stays a member over link 1 while link 0 to it is down */
	s->nodes[1].links[0].connected = false;
	s->nodes[1].links[1].enabled = s->nodes[1].links[1].connected = true;
	s->nodes[0].links[1].enabled = s->nodes[0].links[1].connected = true;
	out = render(s, false);
	assert_non_null(strstr(out, "number=\"0\",address=\"10.0.0.1\"} 0\n"));
	assert_non_null(strstr(out, "number=\"1\",address=\"\"} 1\n"));
	assert_non_null(strstr(out, "\nha_cluster_corosync_ring_errors 1\n"));
	free(out);
	free(s);
}

static void test_qdevice_line(void **state)
{
	struct syn_exp_snapshot *s = three_nodes();
	char *out;

	(void)state;
	s->qdevice_registered = true;
	s->qdevice_votes = 1;
	out = render(s, true);
	assert_non_null(strstr(out,
			       "ha_cluster_corosync_member_votes{node_id=\"0\",node=\"Qdevice\","
			       "local=\"false\"} 1\n"));
	free(out);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counter_names_per_format),
		cmocka_unit_test(test_labels_escaped),
		cmocka_unit_test(test_empty_exposition),
		cmocka_unit_test(test_down_only_up),
		cmocka_unit_test(test_lost_node_is_no_ring_fault),
		cmocka_unit_test(test_member_link_down_is_ring_fault),
		cmocka_unit_test(test_qdevice_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
