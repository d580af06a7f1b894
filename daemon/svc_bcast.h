/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svc_bcast.h - the broadcast load service (proto/ipc_bcast.h): on a
 * client's request, the daemon broadcasts messages through the
 * membership's total order; every daemon checks and counts what it
 * delivers, and the origin measures how long its own messages take to
 * come back.  Used by the fragmentation test and the broadcast benchmark.
 *
 * A load generator has no place on a production node: the daemon offers
 * the service only when the configuration says `system { bcast_service:
 * yes }`, and then only to root (uid 0; uidgid grants do not apply).  A
 * run is bounded whatever it asks for: at most 256 messages or 4 MiB of
 * its own messages wait in the daemon at a time, and it queues at most
 * 32 messages or 256 KiB per millisecond, so it neither grows the daemon
 * nor keeps the loop from other clients (svc_bcast.c).
 */
#ifndef SYN_DAEMON_SVC_BCAST_H
#define SYN_DAEMON_SVC_BCAST_H

#include "service.h"

/* "yes" offers the service; absent or "no" (the default) does not. */
#define SYN_SVC_BCAST_KEY "system.bcast_service"

/* SYN_START_NOT_CONFIGURED unless the configuration offers it. */
enum syn_start_result syn_svc_bcast_start(const struct syn_service_env *env,
					  struct syn_service *out);

#endif
