/*
 * config_int.h - internals shared by the configuration modules
 * (config_parse.c, config_file.c, config_totem.c); not for other modules.
 */
#ifndef SYN_DAEMON_CONFIG_INT_H
#define SYN_DAEMON_CONFIG_INT_H

#include <stddef.h>

#include "store.h"

/* Crypto and compression models offered by the transport library. */
extern const char *const syn_config_crypto_models[];
extern const char *const syn_config_compress_models[];

/* Join a NULL-terminated list as "a, b, c or d". */
void syn_config_join_models(const char *const *list, char *out, size_t out_len);

/* Parse one buffer straight into scratch (no copy; partial on error). */
int syn_config_parse_into(struct syn_store *scratch, const char *name, const char *buf,
			  size_t len, unsigned flags, char *err, size_t err_len);

/* Copy every key of src into dst. */
int syn_config_store_copy(struct syn_store *dst, const struct syn_store *src);

#endif /* SYN_DAEMON_CONFIG_INT_H */
