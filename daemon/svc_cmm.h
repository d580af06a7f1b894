/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svc_cmm.h - the CMM IPC service ("cmm", service id 8): the Cluster
 * Membership Manager of the CMM reference on top of the membership layer.
 *
 * Node table: the nodelist plus per-node keys
 *   nodelist.node.<N>.cmm.eligible    yes/no (default yes)
 *   nodelist.node.<N>.cmm.attributes  letters D (disqualified), X
 *                                     (excluded), F (frozen), S (synchro
 *                                     needed), or "-" (default)
 * and the cluster-wide keys cmm.domain_id (default 1),
 * cmm.software_load_id (default the synod version), cmm.stale_timeout_ms
 * (default 10000).  Each node's persistent record lives in
 * <system.state_dir>/synod-cmm.<nodeid>.state.
 *
 * Quorum: with votequorum, every member broadcasts the verdict its
 * votequorum reports for the current ring (syn_svc_cmm_quorum_report) and
 * the view's flag is agreed from those messages in total order
 * (core/cmm_verdict.h).  Without votequorum the flag is a strict majority
 * of the node table in the view, which every member computes alike.
 */
#ifndef SYN_DAEMON_SVC_CMM_H
#define SYN_DAEMON_SVC_CMM_H

#include <stdbool.h>
#include <qb/qbloop.h>

#include "cluster.h"
#include "ipc.h"
#include "store.h"

struct syn_svc_cmm;

/*
 * Returns NULL on failure (bad node table, no memory) after logging why.
 * follow_votequorum: the daemon will call syn_svc_cmm_quorum_report.
 */
struct syn_svc_cmm *syn_svc_cmm_create(qb_loop_t *loop, struct syn_store *icmap,
				       struct syn_cluster *cluster, bool follow_votequorum);
void syn_svc_cmm_destroy(struct syn_svc_cmm *svc);
const struct syn_service_def *syn_svc_cmm_def(void);

/* A new agreed view. */
void syn_svc_cmm_view(struct syn_svc_cmm *svc, const struct syn_cluster_view *view);
/* votequorum's local verdict for ring ring_seq (after each view and flip). */
void syn_svc_cmm_quorum_report(struct syn_svc_cmm *svc, bool quorate, uint64_t ring_seq);

#endif /* SYN_DAEMON_SVC_CMM_H */
