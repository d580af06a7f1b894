/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svc_votequorum.h - the votequorum IPC service (corosync service id 5)
 * around the pure quorum core: reads the quorum configuration from the
 * store, follows views and ordered messages through the view source,
 * arms the core's deadline on the loop, answers clients, sends tracking
 * notifications and publishes runtime.votequorum.*.
 *
 * It is also the quorum provider of the quorum service: every quorum
 * decision (after each view, and on each flip) is reported to the
 * listener set with syn_svc_votequorum_set_listener, before votequorum's
 * own QUORUM notifications.
 */
#ifndef SYN_DAEMON_SVC_VOTEQUORUM_H
#define SYN_DAEMON_SVC_VOTEQUORUM_H

#include <stdbool.h>
#include <qb/qbloop.h>

#include "ipc.h"
#include "store.h"
#include "view.h"

struct syn_svc_votequorum;

typedef void (*syn_quorum_listener_fn)(void *ctx, bool quorate, const struct syn_view *view);

/*
 * Create the service; -EINVAL with reason filled when the quorum
 * configuration is refused (the daemon must not start), -ENOMEM.
 * state_dir holds the expected-votes tracking barrier file.
 */
int syn_svc_votequorum_create(struct syn_store *icmap, qb_loop_t *loop,
			      struct syn_view_source *views, const char *state_dir,
			      struct syn_svc_votequorum **out, char *reason, size_t reason_len);
void syn_svc_votequorum_destroy(struct syn_svc_votequorum *svc);
const struct syn_service_def *syn_svc_votequorum_def(void);
void syn_svc_votequorum_set_listener(struct syn_svc_votequorum *svc, syn_quorum_listener_fn fn,
				     void *ctx);
/* Clean shutdown: announce leaving (allow_downscale). */
void syn_svc_votequorum_leave(struct syn_svc_votequorum *svc);

#endif /* SYN_DAEMON_SVC_VOTEQUORUM_H */
