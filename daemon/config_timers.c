/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config_timers.c - the totem protocol timers: defaults, the values
 * derived from the token timeout and the node count, their validation,
 * and their publication under runtime.config.totem.*.
 *
 * Rules: a timer key that is absent, not a u32, or 0 takes its default
 * (the few keys whose default is 0, and token_coefficient and
 * token_warning where 0 disables, keep an explicit 0).  The effective
 * token grows by token_coefficient per node beyond two in the nodelist's
 * link 0; token_retransmit, hold, consensus and the knet ping timers
 * derive from the effective token unless configured.  Validation
 * rejects a set and writes nothing, so a live change with a bad value
 * keeps the values in use.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_int.h"

#define MINIMUM_TIMEOUT 30
#define MINIMUM_TIMEOUT_HOLD 14
#define DEFAULT_PONG_COUNT 2

uint32_t syn_config_get_u32(const struct syn_store *store, const char *key, uint32_t def)
{
	uint32_t v;

	return syn_store_get_u32(store, key, &v) == 0 ? v : def;
}

const char *syn_config_get_str(const struct syn_store *store, const char *key, const char *def)
{
	const char *v;

	return syn_store_get_str(store, key, &v) == 0 ? v : def;
}

/* A timer whose 0 means "use the default". */
static uint32_t get_nonzero(const struct syn_store *store, const char *item, uint32_t def)
{
	char key[128];

	snprintf(key, sizeof(key), "totem.%s", item);
	uint32_t v = syn_config_get_u32(store, key, 0);
	return v ? v : def;
}

static int set_msg(char *msg, size_t msg_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int set_msg(char *msg, size_t msg_len, const char *fmt, ...)
{
	va_list ap;

	if (msg_len) {
		va_start(ap, fmt);
		vsnprintf(msg, msg_len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Number of nodes with a link-0 address, and which links exist. */
static uint32_t scan_links(const struct syn_store *store, bool present[SYN_CONFIG_MAX_LINKS])
{
	struct syn_store_iter *it = syn_store_iter_create(store, "nodelist.node.");
	const char *key;
	struct syn_value v;
	uint32_t nodes = 0;
	unsigned l;
	char item[32];

	memset(present, 0, SYN_CONFIG_MAX_LINKS * sizeof(bool));
	while (it && syn_store_iter_next(it, &key, &v) == 0) {
		const char *dot = strchr(key + strlen("nodelist.node."), '.');
		if (dot && sscanf(dot + 1, "ring%u_addr%31s", &l, item) == 1 &&
		    l < SYN_CONFIG_MAX_LINKS) {
			present[l] = true;
			nodes += l == 0;
		}
	}
	syn_store_iter_destroy(it);
	it = syn_store_iter_create(store, "totem.interface.");
	while (it && syn_store_iter_next(it, &key, &v) == 0) {
		if (sscanf(key, "totem.interface.%u.%31s", &l, item) == 2 &&
		    l < SYN_CONFIG_MAX_LINKS)
			present[l] = true;
	}
	syn_store_iter_destroy(it);
	return nodes;
}

static void compute_links(const struct syn_store *store, struct syn_totem_timers *t)
{
	char key[96];

	for (unsigned l = 0; l < SYN_CONFIG_MAX_LINKS; l++) {
		if (!t->link_present[l])
			continue;
		snprintf(key, sizeof(key), "totem.interface.%u.knet_pong_count", l);
		uint32_t pong = syn_config_get_u32(store, key, DEFAULT_PONG_COUNT);
		if (pong == 0)
			pong = DEFAULT_PONG_COUNT;
		snprintf(key, sizeof(key), "totem.interface.%u.knet_ping_interval", l);
		t->knet_ping_interval[l] = syn_config_get_u32(store, key, t->token / (pong * 2));
		snprintf(key, sizeof(key), "totem.interface.%u.knet_ping_timeout", l);
		t->knet_ping_timeout[l] = syn_config_get_u32(store, key, t->token / pong);
	}
}

static void compute(const struct syn_store *store, struct syn_totem_timers *t)
{
	memset(t, 0, sizeof(*t));
	uint32_t nodes = scan_links(store, t->link_present);
	t->token = get_nonzero(store, "token", 3000);
	t->token_coefficient = syn_config_get_u32(store, "totem.token_coefficient", 650);
	if (nodes > 2)
		t->token += (nodes - 2) * t->token_coefficient;
	t->token_warning = syn_config_get_u32(store, "totem.token_warning", 75);
	t->token_retransmits_before_loss_const =
		get_nonzero(store, "token_retransmits_before_loss_const", 4);
	t->token_retransmit =
		get_nonzero(store, "token_retransmit",
			    (uint32_t)(t->token / (t->token_retransmits_before_loss_const + 0.2)));
	t->hold = get_nonzero(store, "hold", (uint32_t)(int)(t->token_retransmit * 0.8 - 10));
	t->join = get_nonzero(store, "join", 50);
	t->send_join = syn_config_get_u32(store, "totem.send_join", 0);
	t->consensus = get_nonzero(store, "consensus", (uint32_t)(int)(float)(1.2 * t->token));
	t->merge = get_nonzero(store, "merge", 200);
	t->downcheck = get_nonzero(store, "downcheck", 1000);
	t->fail_recv_const = get_nonzero(store, "fail_recv_const", 2500);
	t->seqno_unchanged_const = get_nonzero(store, "seqno_unchanged_const", 30);
	t->heartbeat_failures_allowed =
		syn_config_get_u32(store, "totem.heartbeat_failures_allowed", 0);
	t->max_network_delay = get_nonzero(store, "max_network_delay", 50);
	t->window_size = get_nonzero(store, "window_size", 50);
	t->max_messages = get_nonzero(store, "max_messages", 17);
	t->miss_count_const = get_nonzero(store, "miss_count_const", 5);
	t->knet_pmtud_interval = get_nonzero(store, "knet_pmtud_interval", 30);
	t->knet_mtu = syn_config_get_u32(store, "totem.knet_mtu", 0);
	t->knet_compression_threshold =
		syn_config_get_u32(store, "totem.knet_compression_threshold", 0);
	struct syn_value v;
	if (syn_store_get(store, "totem.knet_compression_level", &v) == 0 &&
	    v.type == SYN_TYPE_INT32)
		memcpy(&t->knet_compression_level, v.data, sizeof(int32_t));
	snprintf(t->knet_compression_model, sizeof(t->knet_compression_model), "%s",
		 syn_config_get_str(store, "totem.knet_compression_model", "none"));
	const char *b = syn_config_get_str(store, "totem.block_unlisted_ips", "yes");
	t->block_unlisted_ips = strcmp(b, "no") != 0;
	const char *c = syn_config_get_str(store, "totem.cancel_token_hold_on_retransmit", "no");
	t->cancel_token_hold_on_retransmit = strcmp(c, "yes") == 0;
	compute_links(store, t);
}

static int validate(const struct syn_store *store, const struct syn_totem_timers *t, char *msg,
		    size_t len)
{
	if (t->token < MINIMUM_TIMEOUT)
		return set_msg(msg, len,
			       "The token timeout parameter (%u ms) may not be less than (%d ms).",
			       t->token, MINIMUM_TIMEOUT);
	if (t->token_warning > 100)
		return set_msg(msg, len,
			       "The token warning parameter (%u%%) must be between 0 (disabled) "
			       "and 100.",
			       t->token_warning);
	if (t->token_retransmit < MINIMUM_TIMEOUT) {
		if (syn_config_get_u32(store, "totem.token_retransmit", 0) == 0)
			return set_msg(msg, len,
				       "Not appropriate token or "
				       "token_retransmits_before_loss_const value set");
		return set_msg(msg, len,
			       "The token retransmit timeout parameter (%u ms) may not be less "
			       "than (%d ms).",
			       t->token_retransmit, MINIMUM_TIMEOUT);
	}
	if ((int32_t)t->hold < MINIMUM_TIMEOUT_HOLD)
		return set_msg(msg, len,
			       "The token hold timeout parameter (%d ms) may not be less than "
			       "(%d ms).",
			       (int32_t)t->hold, MINIMUM_TIMEOUT_HOLD);
	const struct {
		const char *what;
		uint32_t v;
	} mins[] = {{"join timeout", t->join}, {"consensus timeout", t->consensus}};
	for (size_t i = 0; i < 2; i++)
		if (mins[i].v < MINIMUM_TIMEOUT)
			return set_msg(msg, len,
				       "The %s parameter (%u ms) may not be less than (%d ms).",
				       mins[i].what, mins[i].v, MINIMUM_TIMEOUT);
	if (t->consensus < t->join)
		return set_msg(msg, len,
			       "The consensus timeout parameter (%u ms) may not be less than join "
			       "timeout (%u ms).",
			       t->consensus, t->join);
	const struct {
		const char *what;
		uint32_t v;
	} later[] = {{"merge timeout", t->merge},
		     {"downcheck timeout", t->downcheck},
		     {"max_network_delay", t->max_network_delay}};
	for (size_t i = 0; i < 3; i++)
		if (later[i].v < MINIMUM_TIMEOUT)
			return set_msg(msg, len,
				       "The %s parameter (%u ms) may not be less than (%d ms).",
				       later[i].what, later[i].v, MINIMUM_TIMEOUT);
	return 0;
}

int syn_config_timers_compute(const struct syn_store *store, struct syn_totem_timers *t, char *msg,
			      size_t msg_len)
{
	compute(store, t);
	return validate(store, t, msg, msg_len);
}

int syn_config_timers_write(struct syn_store *store, const struct syn_totem_timers *t)
{
	const struct {
		const char *name;
		uint32_t v;
	} u32s[] = {
		{"token", t->token},
		{"token_warning", t->token_warning},
		{"token_retransmits_before_loss_const", t->token_retransmits_before_loss_const},
		{"token_retransmit", t->token_retransmit},
		{"hold", t->hold},
		{"join", t->join},
		{"send_join", t->send_join},
		{"consensus", t->consensus},
		{"merge", t->merge},
		{"downcheck", t->downcheck},
		{"fail_recv_const", t->fail_recv_const},
		{"seqno_unchanged_const", t->seqno_unchanged_const},
		{"heartbeat_failures_allowed", t->heartbeat_failures_allowed},
		{"max_network_delay", t->max_network_delay},
		{"window_size", t->window_size},
		{"max_messages", t->max_messages},
		{"miss_count_const", t->miss_count_const},
		{"knet_pmtud_interval", t->knet_pmtud_interval},
		{"knet_mtu", t->knet_mtu},
		{"knet_compression_threshold", t->knet_compression_threshold},
		{"block_unlisted_ips", t->block_unlisted_ips},
		{"cancel_token_hold_on_retransmit", t->cancel_token_hold_on_retransmit},
	};
	char key[128];
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sizeof(u32s) / sizeof(u32s[0]); i++) {
		snprintf(key, sizeof(key), "runtime.config.totem.%s", u32s[i].name);
		rc = syn_store_set_u32(store, key, u32s[i].v);
	}
	if (rc == 0)
		rc = syn_store_set_i32(store, "runtime.config.totem.knet_compression_level",
				       t->knet_compression_level);
	if (rc == 0)
		rc = syn_store_set_str(store, "runtime.config.totem.knet_compression_model",
				       t->knet_compression_model);
	for (unsigned l = 0; rc == 0 && l < SYN_CONFIG_MAX_LINKS; l++) {
		if (!t->link_present[l])
			continue;
		snprintf(key, sizeof(key), "runtime.config.totem.interface.%u.knet_ping_interval",
			 l);
		rc = syn_store_set_u32(store, key, t->knet_ping_interval[l]);
		snprintf(key, sizeof(key), "runtime.config.totem.interface.%u.knet_ping_timeout",
			 l);
		if (rc == 0)
			rc = syn_store_set_u32(store, key, t->knet_ping_timeout[l]);
	}
	return rc;
}

int syn_config_totem_timers_publish(struct syn_store *store, char *err, size_t err_len)
{
	struct syn_totem_timers *t = malloc(sizeof(*t));
	char msg[SYN_CONFIG_ERR_LEN];

	if (!t)
		return -ENOMEM;
	int rc = syn_config_timers_compute(store, t, msg, sizeof(msg));
	if (rc == 0)
		rc = syn_config_timers_write(store, t);
	else if (err_len)
		snprintf(err, err_len, "parse error in config: %s", msg);
	free(t);
	return rc;
}
