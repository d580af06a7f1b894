/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svc_cmap.h - the cmap IPC service (corosync service id 0): requests on
 * the default map and the stats map, iterators and trackers owned by the
 * connection, notifications as events, and corosync's access rules.
 */
#ifndef SYN_DAEMON_SVC_CMAP_H
#define SYN_DAEMON_SVC_CMAP_H

#include "ipc.h"
#include "service.h"
#include "store.h"

/* Iterators and trackers one connection may hold open (corosync's limit). */
#define SYN_CMAP_CONN_ITERS_MAX 65536
#define SYN_CMAP_CONN_TRACKS_MAX 65536

struct syn_svc_cmap;

struct syn_svc_cmap *syn_svc_cmap_create(struct syn_store *icmap, struct syn_store *stats,
					 struct syn_ipc *ipc);
void syn_svc_cmap_destroy(struct syn_svc_cmap *svc);
/* The service definition to register with syn_ipc_service_add(). */
const struct syn_service_def *syn_svc_cmap_def(void);
/* The daemon's start function (service.h); the others serve the fuzz target. */
enum syn_start_result syn_svc_cmap_start(const struct syn_service_env *env,
					 struct syn_service *out);

/* True when clients may not SET/DELETE/ADJUST key in the default map. */
bool syn_svc_cmap_key_read_only(const struct syn_store *icmap, const char *key);

/*
 * Handle one request as if received from conn; exposed for the fuzz
 * target, which drives the handler without a socket.
 */
void syn_svc_cmap_request(void *svc, struct syn_conn *conn, void *priv, int32_t id, const void *msg,
			  size_t len);

#endif /* SYN_DAEMON_SVC_CMAP_H */
