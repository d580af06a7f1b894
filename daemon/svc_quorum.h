/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svc_quorum.h - the quorum IPC service (corosync service id 3): the
 * simple quorate / not-quorate view with model V0 and V1 notifications.
 * With a provider (votequorum) configured, quorum decisions come from
 * syn_svc_quorum_provider_report; without one the node is always quorate
 * and every view is reported as is.
 */
#ifndef SYN_DAEMON_SVC_QUORUM_H
#define SYN_DAEMON_SVC_QUORUM_H

#include <stdbool.h>

#include "ipc.h"
#include "view.h"

struct syn_svc_quorum;

/* ipc: the glue the service is registered with (gated during a sync). */
struct syn_svc_quorum *syn_svc_quorum_create(struct syn_view_source *views, struct syn_ipc *ipc,
					     bool have_provider);
void syn_svc_quorum_destroy(struct syn_svc_quorum *svc);
const struct syn_service_def *syn_svc_quorum_def(void);
/* The provider's decision (a syn_quorum_listener_fn). */
void syn_svc_quorum_provider_report(void *svc, bool quorate, const struct syn_view *view);

#endif /* SYN_DAEMON_SVC_QUORUM_H */
