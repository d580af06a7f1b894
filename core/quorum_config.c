/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * quorum_config.c - votequorum configuration: the start-up computation
 * with its fatal errors (shared spec votequorum.md 2.2/2.3) and the
 * run-time re-read (section 7), where the same conflicts only log and
 * forbid device operation.
 *
 * Device operation is allowed unless a re-read found a configured device
 * in conflict with the rest of the configuration, as in corosync: a
 * configuration without any device lets a device register (its votes are
 * then 0), and a re-read without a device leaves the permission as it was.
 *
 * Start-up sets the local entry's votes and expected votes directly;
 * a re-read never does: it multicasts NODE_VOTES / EXPECTED_VOTES so every
 * node applies the change in agreed order.
 */
#include "quorum_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

/* Values derived from the nodelist and the device settings. */
struct derived {
	uint32_t expected_cfg;
	uint32_t node_count, node_expected, node_votes;
	bool device_votes_set;
	uint32_t device_votes;
};

static void derive(const struct syn_quorum_config *cfg, struct derived *d)
{
	memset(d, 0, sizeof(*d));
	d->expected_cfg = cfg->expected_votes;
	d->node_votes = 1;
	if (cfg->have_nodelist) {
		d->node_count = (uint32_t)cfg->n_nodes;
		for (size_t i = 0; i < cfg->n_nodes; i++) {
			d->node_expected += cfg->nodes[i].votes;
			if (cfg->nodes[i].nodeid == cfg->local_nodeid)
				d->node_votes = cfg->nodes[i].votes;
		}
	}
	if (cfg->have_device) {
		d->device_votes_set = cfg->device_votes_set;
		d->device_votes = cfg->device_votes_set ? cfg->device_votes : 0;
	}
}

/* Parse auto_tie_breaker_node; false when the value is unusable. */
static bool atb_parse(struct syn_quorum *q, const char *text)
{
	const char *p = text;

	q->n_atb = 0;
	if (!text || strcmp(text, "lowest") == 0) {
		q->atb = SYN_QUORUM_ATB_LOWEST;
		return true;
	}
	if (strcmp(text, "highest") == 0) {
		q->atb = SYN_QUORUM_ATB_HIGHEST;
		return true;
	}
	while (q->n_atb < SYN_QUORUM_ATB_MAX) {
		char *end;
		unsigned long v;

		while (isspace((unsigned char)*p))
			p++;
		if (!isdigit((unsigned char)*p))
			break;
		v = strtoul(p, &end, 10);
		if (v == 0 || v > UINT32_MAX)
			break;
		q->atb_list[q->n_atb++] = (uint32_t)v;
		p = end;
	}
	if (q->n_atb == 0)
		return false;
	q->atb = SYN_QUORUM_ATB_LIST;
	return true;
}

static void read_atb(struct syn_quorum *q, const struct syn_quorum_config *cfg)
{
	q->atb = SYN_QUORUM_ATB_NONE;
	if (!cfg->auto_tie_breaker) {
		if (cfg->auto_tie_breaker_node)
			syn_quorum_logf(q, LOG_WARNING,
					"auto_tie_breaker_node is set but "
					"auto_tie_breaker is off; ignoring it");
		return;
	}
	if (!atb_parse(q, cfg->auto_tie_breaker_node)) {
		q->atb = SYN_QUORUM_ATB_NONE;
		syn_quorum_logf(q, LOG_WARNING,
				"auto_tie_breaker_nodes is not valid. It must be 'lowest', "
				"'highest' or a space-separated list of node IDs. "
				"auto_tie_breaker is disabled");
	}
	q->atb_published = true;
}

/* Device rules shared by start-up and re-read (steps 10-13); NULL = fine. */
static const char *device_conflict(const struct syn_quorum *q, const struct syn_quorum_config *cfg,
				   const struct derived *d)
{
	if (!cfg->have_device)
		return NULL;
	if (q->lms)
		return "configuration error: quorum.device is not compatible with "
		       "last_man_standing";
	if (q->atb != SYN_QUORUM_ATB_NONE)
		return "configuration error: quorum.device is not compatible with "
		       "auto_tie_breaker";
	if (q->allow_downscale)
		return "configuration error: quorum.device is not compatible with allow_downscale";
	if (d->expected_cfg && !d->device_votes_set)
		return "configuration error: quorum.device.votes must be specified when "
		       "quorum.expected_votes is set";
	if (!d->device_votes_set && cfg->have_nodelist && d->node_count != d->node_expected)
		return "configuration error: quorum.device.votes must be specified when not all "
		       "nodes votes 1";
	if (d->device_votes > 0 && d->expected_cfg &&
	    (int64_t)d->expected_cfg - (int64_t)d->device_votes < 2)
		return "configuration error: quorum.device.votes is too high or expected_votes "
		       "is too low";
	return NULL;
}

static void auto_device_votes(const struct syn_quorum_config *cfg, struct derived *d)
{
	if (cfg->have_device && !d->device_votes_set && !d->expected_cfg && cfg->have_nodelist) {
		d->device_votes = d->node_count - 1;
		d->node_expected += d->device_votes;
	}
}

static int fail(char *reason, size_t len, const char *text)
{
	snprintf(reason, len, "%s", text);
	return -EINVAL;
}

/* Steps 6-9: the options read only at start-up. */
static int read_options(struct syn_quorum *q, const struct syn_quorum_config *cfg,
			const struct derived *d, char *reason, size_t reason_len)
{
	q->allow_downscale = cfg->allow_downscale;
	q->wfa_autoset = !cfg->wait_for_all_set;
	q->wfa = cfg->wait_for_all_set ? cfg->wait_for_all : q->two_node;
	q->lms = cfg->last_man_standing;
	q->lms_window_ms = cfg->lms_window_ms;
	q->evt = cfg->ev_tracking || cfg->allow_downscale;
	read_atb(q, cfg);
	if (q->two_node && q->atb != SYN_QUORUM_ATB_NONE) {
		q->two_node = false;
		syn_quorum_logf(q, LOG_CRIT,
				"two_node and auto_tie_breaker are both specified "
				"but are not compatible.");
	}
	if (q->atb != SYN_QUORUM_ATB_NONE && (d->node_expected % 2) == 1 && !q->wfa) {
		if (q->lms)
			return fail(reason, reason_len,
				    "configuration error: auto_tie_breaker & last_man_standing "
				    "not available in odd sized cluster");
		q->atb = SYN_QUORUM_ATB_NONE;
		syn_quorum_logf(q, LOG_CRIT,
				"auto_tie_breaker is set and the cluster has an odd "
				"number of nodes; wait_for_all is needed, so "
				"auto_tie_breaker is disabled.");
	}
	q->atb_startup = q->atb;
	return 0;
}

int syn_quorum_config_apply(struct syn_quorum *q, const struct syn_quorum_config *cfg, char *reason,
			    size_t reason_len)
{
	struct qnode *us = syn_quorum_us(q);
	struct derived d;
	const char *conflict;
	int rc;

	derive(cfg, &d);
	q->have_device = cfg->have_device;
	q->device_timeout_ms = cfg->device_timeout_ms;
	q->device_sync_timeout_ms = cfg->device_sync_timeout_ms;
	q->two_node = cfg->two_node;
	if (!cfg->have_nodelist && d.expected_cfg == 0)
		return fail(reason, reason_len,
			    "configuration error: nodelist or quorum.expected_votes must be "
			    "configured!");
	if (q->two_node && cfg->have_device)
		return fail(reason, reason_len,
			    "configuration error: two_node and quorum device cannot be "
			    "configured at the same time!");
	rc = read_options(q, cfg, &d, reason, reason_len);
	if (rc != 0)
		return rc;
	conflict = device_conflict(q, cfg, &d);
	if (conflict)
		return fail(reason, reason_len, conflict);
	auto_device_votes(cfg, &d);
	q->qdevice_can_operate = true;
	if (q->evt) {
		q->evt_barrier = cfg->evt_barrier;
		d.expected_cfg = cfg->evt_barrier;
	}
	if (cfg->have_nodelist) {
		us->votes = d.node_votes;
		us->expected = d.node_expected;
	} else {
		us->votes = cfg->votes;
	}
	if (d.expected_cfg)
		us->expected = d.expected_cfg;
	q->device.votes = d.device_votes;
	q->ev_barrier = us->expected;
	if (q->wfa)
		q->wfa_status = true;
	return 0;
}

static void send_votes_change(struct syn_quorum *q, uint32_t param, uint32_t value)
{
	struct syn_quorum_msg msg = {.type = SYN_QUORUM_MSG_RECONFIGURE,
				     .nodeid = q->local_nodeid,
				     .param = param,
				     .value = value};

	if (q->env.send)
		q->env.send(q->env.ctx, &msg);
}

/* Run-time two_node and device rules (step 5 and 10-13 at run time). */
static void runtime_device_rules(struct syn_quorum *q, const struct syn_quorum_config *cfg,
				 const struct derived *d)
{
	const char *conflict;

	if (q->two_node && cfg->have_device) {
		if (syn_quorum_us(q)->flags & SYN_QUORUM_NF_QDEVICE_REGISTERED) {
			q->two_node = false;
			syn_quorum_logf(q, LOG_CRIT,
					"two_node and a quorum device cannot be used "
					"together; two_node disabled");
		} else {
			q->qdevice_can_operate = false;
			syn_quorum_logf(q, LOG_CRIT,
					"two_node and a quorum device cannot be used "
					"together; the device may not operate");
		}
	}
	conflict = device_conflict(q, cfg, d);
	if (conflict) {
		q->qdevice_can_operate = false;
		syn_quorum_logf(q, LOG_CRIT, "%s", conflict);
	}
}

int syn_quorum_reconfigure(struct syn_quorum *q, const struct syn_quorum_config *cfg)
{
	struct qnode *us = syn_quorum_us(q);
	uint32_t new_votes, new_expected;
	struct derived d;

	derive(cfg, &d);
	if (!cfg->have_nodelist && d.expected_cfg == 0) {
		syn_quorum_logf(q, LOG_CRIT,
				"configuration error: nodelist or "
				"quorum.expected_votes must be configured! "
				"Keeping the previous configuration");
		return -EINVAL;
	}
	q->atb = q->atb_startup;
	q->atb_published = true;
	q->two_node = cfg->two_node;
	if (q->two_node && q->atb != SYN_QUORUM_ATB_NONE)
		q->two_node = false;
	if (q->wfa_autoset) {
		q->wfa = q->two_node;
		if (!q->wfa)
			q->wfa_status = false;
	}
	q->have_device = cfg->have_device;
	if (cfg->have_device)
		q->qdevice_can_operate = true;
	q->device_timeout_ms = cfg->device_timeout_ms;
	q->device_sync_timeout_ms = cfg->device_sync_timeout_ms;
	runtime_device_rules(q, cfg, &d);
	auto_device_votes(cfg, &d);
	new_votes = cfg->have_nodelist ? d.node_votes : cfg->votes;
	new_expected = d.expected_cfg ? d.expected_cfg
				      : (cfg->have_nodelist ? d.node_expected : us->expected);
	if (cfg->have_device)
		q->device.votes = d.device_votes;
	syn_quorum_send_nodeinfo(q, q->local_nodeid);
	syn_quorum_send_nodeinfo(q, 0);
	if (new_votes != us->votes)
		send_votes_change(q, SYN_QUORUM_PARAM_NODE_VOTES, new_votes);
	if (new_expected != us->expected)
		send_votes_change(q, SYN_QUORUM_PARAM_EXPECTED_VOTES, new_expected);
	return 0;
}
