/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * reload.h - configuration reload at run time (shared spec
 * config-and-keys.md section 10): parse the file into a scratch store,
 * validate and derive as at start-up, delete keys the file no longer
 * has, refuse keys that cannot change at run time (logged, old value
 * kept), copy the rest into the live store, and keep the
 * config.reload_* / config.totemconfig_reload_in_progress keys.
 */
#ifndef SYN_DAEMON_RELOAD_H
#define SYN_DAEMON_RELOAD_H

#include <stddef.h>

#include "store.h"

/* 0, or -EINVAL (parse or validation error, logged), -ENOMEM. */
int syn_config_reload(struct syn_store *icmap, const char *path, uint32_t requester);

#endif /* SYN_DAEMON_RELOAD_H */
