/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svc_cfg.h - the cfg IPC service (corosync service id 1): local node id,
 * node addresses and link status from the configuration and the links,
 * cluster-wide config reload, log reopening, kill node and the shutdown
 * negotiation with trackers.  Reload and shutdown are the daemon's own
 * actions (struct syn_daemon_hooks in service.h).
 */
#ifndef SYN_DAEMON_SVC_CFG_H
#define SYN_DAEMON_SVC_CFG_H

#include "service.h"

enum syn_start_result syn_svc_cfg_start(const struct syn_service_env *env, struct syn_service *out);

#endif /* SYN_DAEMON_SVC_CFG_H */
