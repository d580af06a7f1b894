/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ipc_client.c - shared client-side IPC: connect, call, dispatch loop.
 * See ipc_client.h.
 */
#include "ipc_client.h"

#include <errno.h>
#include <stdlib.h>
#include <qb/qbipc_common.h>

#include "proto/ipc_common.h"

cs_error_t syn_ipcc_connect(struct syn_ipcc *ipc, const char *service)
{
	ipc->conn = qb_ipcc_connect(service, SYN_IPC_BUFFER_SIZE);
	if (!ipc->conn)
		return qb_to_cs_error(-errno);
	pthread_mutex_init(&ipc->request_lock, NULL);
	ipc->dispatch_buf = NULL;
	ipc->finalized = false;
	return CS_OK;
}

void syn_ipcc_disconnect(struct syn_ipcc *ipc)
{
	pthread_mutex_lock(&ipc->request_lock);
	ipc->finalized = true;
	if (ipc->conn) {
		qb_ipcc_disconnect(ipc->conn);
		ipc->conn = NULL;
	}
	pthread_mutex_unlock(&ipc->request_lock);
}

void syn_ipcc_release(struct syn_ipcc *ipc)
{
	syn_ipcc_disconnect(ipc);
	pthread_mutex_destroy(&ipc->request_lock);
	free(ipc->dispatch_buf);
	ipc->dispatch_buf = NULL;
}

cs_error_t syn_ipcc_call(struct syn_ipcc *ipc, const struct iovec *iov, unsigned int iov_len,
			 void *res, size_t res_len)
{
	ssize_t rc;

	pthread_mutex_lock(&ipc->request_lock);
	if (!ipc->conn) {
		pthread_mutex_unlock(&ipc->request_lock);
		return CS_ERR_BAD_HANDLE;
	}
	rc = qb_ipcc_sendv_recv(ipc->conn, iov, iov_len, res, res_len, CS_IPC_TIMEOUT_MS);
	pthread_mutex_unlock(&ipc->request_lock);
	if (rc < 0)
		return qb_to_cs_error((int)rc);
	if ((size_t)rc < sizeof(struct qb_ipc_response_header))
		return CS_ERR_LIBRARY;
	return ((const struct qb_ipc_response_header *)res)->error;
}

cs_error_t syn_ipcc_dispatch(struct syn_ipcc *ipc, cs_dispatch_flags_t flags,
			     syn_ipcc_event_fn on_event, void *ctx)
{
	bool nonblocking = flags == CS_DISPATCH_ALL || flags == CS_DISPATCH_ONE_NONBLOCKING;
	bool just_one = flags == CS_DISPATCH_ONE || flags == CS_DISPATCH_ONE_NONBLOCKING;

	if (!ipc->dispatch_buf) {
		ipc->dispatch_buf = malloc(SYN_IPC_BUFFER_SIZE);
		if (!ipc->dispatch_buf)
			return CS_ERR_NO_MEMORY;
	}
	for (;;) {
		ssize_t rc = qb_ipcc_event_recv(ipc->conn, ipc->dispatch_buf, SYN_IPC_BUFFER_SIZE,
						nonblocking ? 0 : -1);
		cs_error_t err = qb_to_cs_error(rc < 0 ? (int)rc : 0);

		if (err == CS_ERR_BAD_HANDLE)
			return CS_OK;
		if (err == CS_ERR_TRY_AGAIN) {
			if (flags == CS_DISPATCH_ONE_NONBLOCKING)
				return CS_ERR_TRY_AGAIN;
			if (flags == CS_DISPATCH_ALL)
				return CS_OK;
			continue;
		}
		if (err != CS_OK)
			return err;
		if ((size_t)rc < sizeof(struct qb_ipc_response_header))
			return CS_ERR_LIBRARY;
		err = on_event(ctx, ipc->dispatch_buf, (size_t)rc);
		if (err != CS_OK)
			return err;
		if (ipc->finalized)
			return CS_ERR_BAD_HANDLE;
		if (just_one)
			return CS_OK;
	}
}

cs_error_t syn_ipcc_handle_open(struct qb_hdb *db, size_t inst_size, const char *service,
				qb_handle_t *handle, void **inst)
{
	struct syn_ipcc *ipc;
	cs_error_t err;
	int rc = qb_hdb_handle_create(db, (int32_t)inst_size, handle);

	if (rc != 0)
		return hdb_error_to_cs(rc);
	qb_hdb_handle_get(db, *handle, inst);
	ipc = *inst;
	err = syn_ipcc_connect(ipc, service);
	if (err != CS_OK) {
		/* the destructor releases the instance: give it a valid lock */
		ipc->conn = NULL;
		pthread_mutex_init(&ipc->request_lock, NULL);
		qb_hdb_handle_put(db, *handle);
		qb_hdb_handle_destroy(db, *handle);
	}
	return err;
}

cs_error_t syn_ipcc_handle_close(struct qb_hdb *db, qb_handle_t handle)
{
	struct syn_ipcc *ipc;
	cs_error_t err = hdb_error_to_cs(qb_hdb_handle_get(db, handle, (void **)&ipc));

	if (err != CS_OK)
		return err;
	if (ipc->finalized) {
		err = CS_ERR_BAD_HANDLE;
	} else {
		syn_ipcc_disconnect(ipc);
		qb_hdb_handle_destroy(db, handle);
	}
	qb_hdb_handle_put(db, handle);
	return err;
}

cs_error_t syn_ipcc_handle_fd(struct qb_hdb *db, qb_handle_t handle, int *fd)
{
	struct syn_ipcc *ipc;
	cs_error_t err = hdb_error_to_cs(qb_hdb_handle_get(db, handle, (void **)&ipc));

	if (err != CS_OK)
		return err;
	err = fd ? qb_to_cs_error(qb_ipcc_fd_get(ipc->conn, fd)) : CS_ERR_INVALID_PARAM;
	qb_hdb_handle_put(db, handle);
	return err;
}

cs_error_t syn_ipcc_handle_call(struct qb_hdb *db, qb_handle_t handle, const struct iovec *iov,
				unsigned int iov_len, void *res, size_t res_len)
{
	struct syn_ipcc *ipc;
	cs_error_t err = hdb_error_to_cs(qb_hdb_handle_get(db, handle, (void **)&ipc));

	if (err != CS_OK)
		return err;
	err = syn_ipcc_call(ipc, iov, iov_len, res, res_len);
	qb_hdb_handle_put(db, handle);
	return err;
}

cs_error_t syn_ipcc_handle_request(struct qb_hdb *db, qb_handle_t handle, void *req, size_t req_len,
				   int32_t id, void *res, size_t res_len)
{
	struct qb_ipc_request_header *h = req;
	struct iovec iov = {.iov_base = req, .iov_len = req_len};

	h->id = id;
	h->size = (int32_t)req_len;
	return syn_ipcc_handle_call(db, handle, &iov, 1, res, res_len);
}

void syn_ipcc_instance_free(void *instance)
{
	syn_ipcc_release(instance);
}
