/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ipc_client.h - the parts every client library shares: one libqb IPC
 * connection with a request lock (so handles may be used from several
 * threads), the synchronous request/response call, and the dispatch loop
 * with corosync's four dispatch modes.  Compiled into each library,
 * never exported.  Libraries never log; everything returns cs_error_t.
 */
#ifndef SYN_LIB_IPC_CLIENT_H
#define SYN_LIB_IPC_CLIENT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>
#include <qb/qbhdb.h>
#include <qb/qbipcc.h>
#include <corosync/corotypes.h>

struct syn_ipcc {
	qb_ipcc_connection_t *conn;
	pthread_mutex_t request_lock;
	void *dispatch_buf; /* allocated on first dispatch */
	bool finalized;	    /* set by finalize, checked after each callback */
};

/* Connect to the named service; CS_OK or the mapped connect error. */
cs_error_t syn_ipcc_connect(struct syn_ipcc *ipc, const char *service);
/* Close the connection (finalize); the struct stays usable for checks. */
void syn_ipcc_disconnect(struct syn_ipcc *ipc);
/* Free everything; called when the last reference to the handle goes. */
void syn_ipcc_release(struct syn_ipcc *ipc);

/*
 * Send the iovec as one request and wait for its response in res
 * (res_len bytes at most).  Returns the transport error or the
 * response header's error.
 */
cs_error_t syn_ipcc_call(struct syn_ipcc *ipc, const struct iovec *iov, unsigned int iov_len,
			 void *res, size_t res_len);

/*
 * Handle one received event; return CS_OK, or an error that ends the
 * dispatch (CS_ERR_LIBRARY for an unknown event id).
 */
typedef cs_error_t (*syn_ipcc_event_fn)(void *ctx, const void *event, size_t len);

/*
 * The dispatch loop of every library (shared spec ipc-wire.md 3.4).
 * A flags value outside 1..4 behaves like CS_DISPATCH_BLOCKING.
 */
cs_error_t syn_ipcc_dispatch(struct syn_ipcc *ipc, cs_dispatch_flags_t flags,
			     syn_ipcc_event_fn on_event, void *ctx);

/*
 * Handles: every library keeps its instances in a qb_hdb, each instance
 * starting with a struct syn_ipcc.  handle_open creates one of inst_size
 * bytes connected to service and returns it held (fill it, then put it);
 * handle_close is finalize (CS_ERR_BAD_HANDLE the second time);
 * handle_fd is fd_get.
 */
cs_error_t syn_ipcc_handle_open(struct qb_hdb *db, size_t inst_size, const char *service,
				qb_handle_t *handle, void **inst);
cs_error_t syn_ipcc_handle_close(struct qb_hdb *db, qb_handle_t handle);
/* One request/response round trip on a handle (see syn_ipcc_call). */
cs_error_t syn_ipcc_handle_call(struct qb_hdb *db, qb_handle_t handle, const struct iovec *iov,
				unsigned int iov_len, void *res, size_t res_len);
/*
 * The same for a single-buffer request: its header gets id and req_len
 * as size first.
 */
cs_error_t syn_ipcc_handle_request(struct qb_hdb *db, qb_handle_t handle, void *req, size_t req_len,
				   int32_t id, void *res, size_t res_len);
/* The handle database destructor of such instances. */
void syn_ipcc_instance_free(void *instance);
cs_error_t syn_ipcc_handle_fd(struct qb_hdb *db, qb_handle_t handle, int *fd);

#endif /* SYN_LIB_IPC_CLIENT_H */
