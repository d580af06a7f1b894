/*
 * svc_bcast.h - the broadcast load service (proto/ipc_bcast.h): on a
 * client's request, the daemon broadcasts messages through the
 * membership's total order; every daemon checks and counts what it
 * delivers, and the origin measures how long its own messages take to
 * come back.  Used by the fragmentation test and the broadcast benchmark.
 */
#ifndef SYN_DAEMON_SVC_BCAST_H
#define SYN_DAEMON_SVC_BCAST_H

#include <qb/qbloop.h>

#include "cluster.h"
#include "ipc.h"

struct syn_svc_bcast;

struct syn_svc_bcast *syn_svc_bcast_create(qb_loop_t *loop, struct syn_cluster *cluster);
void syn_svc_bcast_destroy(struct syn_svc_bcast *svc);
const struct syn_service_def *syn_svc_bcast_def(void);

#endif
