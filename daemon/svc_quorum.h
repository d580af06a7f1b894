/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svc_quorum.h - the quorum IPC service (corosync service id 3): the
 * simple quorate / not-quorate view with model V0 and V1 notifications.
 * With a provider (votequorum) configured, quorum decisions come from its
 * verdicts (service.h quorum_changed); without one the node is always
 * quorate and every view is reported as is.
 */
#ifndef SYN_DAEMON_SVC_QUORUM_H
#define SYN_DAEMON_SVC_QUORUM_H

#include "service.h"

enum syn_start_result syn_svc_quorum_start(const struct syn_service_env *env,
					   struct syn_service *out);

#endif /* SYN_DAEMON_SVC_QUORUM_H */
