/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * reload.h - configuration reload at run time (shared spec
 * config-and-keys.md section 10): parse the file into a scratch store,
 * validate and derive as at start-up, delete keys the file no longer
 * has, refuse keys that cannot change at run time (logged, old value
 * kept), copy the rest into the live store, resolve the new nodelist
 * into the node address table (node_addrs.h), and keep the
 * config.reload_* / config.totemconfig_reload_in_progress keys.
 */
#ifndef SYN_DAEMON_RELOAD_H
#define SYN_DAEMON_RELOAD_H

#include <stddef.h>
#include <corosync/corotypes.h>

#include "store.h"

struct syn_node_addrs;

/*
 * 0, or -EINVAL (parse or validation error, logged), -ENOMEM.  On success
 * the contents of node_addrs are replaced by the new nodelist's resolved
 * addresses before config.totemconfig_reload_in_progress drops to 0 (its
 * followers see the new table); on failure node_addrs is unchanged.
 */
int syn_config_reload(struct syn_store *icmap, const char *path, uint32_t requester,
		      struct syn_node_addrs *node_addrs);

/*
 * What a reload's result means to a client and in config.reload_status:
 * CS_OK, CS_ERR_NO_MEMORY for -ENOMEM, CS_ERR_INVALID_PARAM for any
 * other failure (the request could be sent and read, the file was bad).
 */
cs_error_t syn_config_reload_result(int rc);

#endif /* SYN_DAEMON_RELOAD_H */
