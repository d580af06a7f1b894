/*
 * svc_cpg.h - the cpg IPC service (corosync service id 2): closed
 * process groups on the cluster's ordered broadcast, byte-compatible with
 * corosync 3.1.7 (shared spec cpg.md).  The group state itself is the
 * pure core (core/cpg_groups.h); this module is its IPC and cluster glue.
 */
#ifndef SYN_DAEMON_SVC_CPG_H
#define SYN_DAEMON_SVC_CPG_H

#include <qb/qbloop.h>

#include "cluster.h"
#include "ipc.h"

struct syn_svc_cpg;

struct syn_svc_cpg *syn_svc_cpg_create(qb_loop_t *loop, struct syn_cluster *cluster,
				       struct syn_ipc *ipc);
void syn_svc_cpg_destroy(struct syn_svc_cpg *svc);
const struct syn_service_def *syn_svc_cpg_def(void);

#endif /* SYN_DAEMON_SVC_CPG_H */
