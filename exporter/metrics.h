/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * metrics.h - the exporter's metrics: turns a snapshot into metric
 * families through textfmt.h.  The list of names, types, labels and help
 * texts lives here and nowhere else (man/synod-exporter.8 documents it).
 *
 * Names follow ClusterLabs ha_cluster_exporter's ha_cluster_corosync_*
 * metrics where it has one (quorate, quorum_votes{type}, member_votes
 * {node_id,node,local}, rings{ring_id,node_id,number,address},
 * ring_errors), so its dashboards work; the rest are synod_*.  When the
 * daemon is down only synod_up 0 and the exporter's own figure appear.
 */
#ifndef SYN_EXP_METRICS_H
#define SYN_EXP_METRICS_H

#include "snapshot.h"
#include "textfmt.h"

void syn_exp_metrics_write(const struct syn_exp_snapshot *s, struct syn_exp_text *t);

#endif
