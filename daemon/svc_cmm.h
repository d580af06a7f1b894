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
 * Quorum: the service follows whatever the daemon tells it through
 * syn_svc_cmm_view() and syn_svc_cmm_set_quorate().  Until votequorum is
 * wired in, the daemon uses syn_svc_cmm_interim_quorate(): more than half
 * of the nodes of the nodelist are in the view.
 */
#ifndef SYN_DAEMON_SVC_CMM_H
#define SYN_DAEMON_SVC_CMM_H

#include <stdbool.h>
#include <qb/qbloop.h>

#include "cluster.h"
#include "ipc.h"
#include "store.h"

struct syn_svc_cmm;

/* Returns NULL on failure (bad node table, no memory) after logging why. */
struct syn_svc_cmm *syn_svc_cmm_create(qb_loop_t *loop, struct syn_store *icmap,
				       struct syn_cluster *cluster);
void syn_svc_cmm_destroy(struct syn_svc_cmm *svc);
const struct syn_service_def *syn_svc_cmm_def(void);

/* A new agreed view and whether it is quorate. */
void syn_svc_cmm_view(struct syn_svc_cmm *svc, const struct syn_cluster_view *view,
		      bool quorate);
/* The quorate flag changed within the current view. */
void syn_svc_cmm_set_quorate(struct syn_svc_cmm *svc, bool quorate);
/* Interim rule until votequorum answers: a strict majority of the nodelist. */
bool syn_svc_cmm_interim_quorate(const struct syn_svc_cmm *svc,
				 const struct syn_cluster_view *view);

#endif /* SYN_DAEMON_SVC_CMM_H */
