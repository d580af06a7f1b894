/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svc_votequorum.h - the votequorum IPC service (corosync service id 5)
 * around the pure quorum core: reads the quorum configuration from the
 * store, follows views and its cluster channel, arms the core's deadline
 * on the loop, answers clients, sends tracking notifications and
 * publishes runtime.votequorum.*.
 *
 * It is also the quorum provider: every quorum decision (after each
 * view, and on each flip) goes to every service on the bus
 * (syn_cluster_quorum_report), before votequorum's own QUORUM
 * notifications.  The service starts when quorum.provider names it; any
 * other provider is refused (SYN_START_QUORUM_REFUSED), as corosync does.
 */
#ifndef SYN_DAEMON_SVC_VOTEQUORUM_H
#define SYN_DAEMON_SVC_VOTEQUORUM_H

#include <stdbool.h>

#include "service.h"
#include "store.h"

/* True when the configuration names a quorum provider. */
bool syn_svc_votequorum_configured(const struct syn_store *icmap);
enum syn_start_result syn_svc_votequorum_start(const struct syn_service_env *env,
					       struct syn_service *out);

#endif /* SYN_DAEMON_SVC_VOTEQUORUM_H */
