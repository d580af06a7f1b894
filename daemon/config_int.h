/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config_int.h - internals shared by the configuration modules
 * (config_parse.c, config_file.c, config_totem.c); not for other modules.
 */
#ifndef SYN_DAEMON_CONFIG_INT_H
#define SYN_DAEMON_CONFIG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* Crypto and compression models offered by the transport library. */
extern const char *const syn_config_crypto_models[];
extern const char *const syn_config_compress_models[];

/* Join a NULL-terminated list as "a, b, c or d". */
void syn_config_join_models(const char *const *list, char *out, size_t out_len);

/* Parse one buffer straight into scratch (no copy; partial on error). */
int syn_config_parse_into(struct syn_store *scratch, const char *name, const char *buf, size_t len,
			  unsigned flags, char *err, size_t err_len);

#define SYN_CONFIG_MAX_LINKS 8

/* The totem protocol timers and constants in use (spec 5.2). */
struct syn_totem_timers {
	uint32_t token; /* effective: coefficient applied */
	uint32_t token_coefficient;
	uint32_t token_warning;
	uint32_t token_retransmits_before_loss_const;
	uint32_t token_retransmit;
	uint32_t hold;
	uint32_t join;
	uint32_t send_join;
	uint32_t consensus;
	uint32_t merge;
	uint32_t downcheck;
	uint32_t fail_recv_const;
	uint32_t seqno_unchanged_const;
	uint32_t heartbeat_failures_allowed;
	uint32_t max_network_delay;
	uint32_t window_size;
	uint32_t max_messages;
	uint32_t miss_count_const;
	uint32_t knet_pmtud_interval;
	uint32_t knet_mtu;
	uint32_t knet_compression_threshold;
	int32_t knet_compression_level;
	char knet_compression_model[64];
	uint32_t block_unlisted_ips;
	uint32_t cancel_token_hold_on_retransmit;
	/* per link: 0 when the link is not configured */
	bool link_present[SYN_CONFIG_MAX_LINKS];
	uint32_t knet_ping_interval[SYN_CONFIG_MAX_LINKS];
	uint32_t knet_ping_timeout[SYN_CONFIG_MAX_LINKS];
};

/*
 * Compute the timers from store and validate them; on failure msg gets
 * the reason without the "parse error in config: " prefix.
 */
int syn_config_timers_compute(const struct syn_store *store, struct syn_totem_timers *t, char *msg,
			      size_t msg_len);
/* Write runtime.config.totem.* from t. */
int syn_config_timers_write(struct syn_store *store, const struct syn_totem_timers *t);

/* Read a u32 key; def when absent or not a u32. */
uint32_t syn_config_get_u32(const struct syn_store *store, const char *key, uint32_t def);
/* Borrow a string key; def when absent or not a string. */
const char *syn_config_get_str(const struct syn_store *store, const char *key, const char *def);

#endif /* SYN_DAEMON_CONFIG_INT_H */
