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
 * votequorum reports for the current ring (quorum_changed) and the view's
 * flag is agreed from those messages in total order (core/cmm_verdict.h).
 * Without votequorum the flag is a strict majority of the node table in
 * the view, which every member computes alike.
 */
#ifndef SYN_DAEMON_SVC_CMM_H
#define SYN_DAEMON_SVC_CMM_H

#include "service.h"

/* Fails (after logging why) on a bad node table. */
enum syn_start_result syn_svc_cmm_start(const struct syn_service_env *env, struct syn_service *out);

#endif /* SYN_DAEMON_SVC_CMM_H */
