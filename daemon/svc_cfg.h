/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svc_cfg.h - the cfg IPC service (corosync service id 1): local node id,
 * node addresses and link status from the configuration, config reload,
 * log reopening, kill node and the shutdown negotiation with trackers.
 * The daemon supplies the actions it owns through struct syn_cfg_hooks.
 */
#ifndef SYN_DAEMON_SVC_CFG_H
#define SYN_DAEMON_SVC_CFG_H

#include <stdint.h>
#include <qb/qbloop.h>

#include "ipc.h"
#include "store.h"
#include "view.h"

struct syn_link_status;

struct syn_cfg_hooks {
	void *ctx;
	/* Re-read the configuration file: 0 or -errno. */
	int (*reload)(void *ctx, uint32_t requester);
	/* Leave cleanly: the daemon stops its loop after the current event. */
	void (*shutdown)(void *ctx, const char *why);
	/* The live state of a link (may be NULL: links then follow the config). */
	int (*link_status)(void *ctx, uint32_t nodeid, unsigned int link,
			   struct syn_link_status *out);
};

struct syn_svc_cfg;

struct syn_svc_cfg *syn_svc_cfg_create(struct syn_store *icmap, qb_loop_t *loop,
				       struct syn_view_source *views,
				       const struct syn_cfg_hooks *hooks);
void syn_svc_cfg_destroy(struct syn_svc_cfg *svc);
const struct syn_service_def *syn_svc_cfg_def(void);

#endif /* SYN_DAEMON_SVC_CFG_H */
