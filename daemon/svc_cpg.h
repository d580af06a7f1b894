/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svc_cpg.h - the cpg IPC service (corosync service id 2): closed
 * process groups on the cluster's ordered broadcast, byte-compatible with
 * corosync 3.1.7 (shared spec cpg.md).  The group state itself is the
 * pure core (core/cpg_groups.h); this module is its IPC and cluster glue.
 *
 * Like corosync, it counts its cluster messages per handler in the cmap
 * store: runtime.services.cpg.<n>.tx (sent by this node) and .rx
 * (delivered here, its own included), n being corosync's handler number
 * (0 PROCJOIN, 1 PROCLEAVE, 2 JOINLIST, 3 MCAST, 4 and 5 corosync's
 * downlists, never sent by synod, 6 PARTIAL_MCAST).  They start at 0 and
 * are written at most once a second, when they changed.
 */
#ifndef SYN_DAEMON_SVC_CPG_H
#define SYN_DAEMON_SVC_CPG_H

#include "service.h"

enum syn_start_result syn_svc_cpg_start(const struct syn_service_env *env, struct syn_service *out);

#endif /* SYN_DAEMON_SVC_CPG_H */
