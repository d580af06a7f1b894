/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cfg.c - libcfg.so.7: the client side of the cfg service, ABI
 * compatible with corosync 3 (shared spec ipc-wire.md section 7).  The
 * handle database is the library's only process-wide state.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <qb/qbhdb.h>
#include <corosync/cfg.h>

#include "ipc_client.h"
#include "proto/ipc_cfg.h"

struct cfg_inst {
	struct syn_ipcc ipc;
	corosync_cfg_callbacks_t callbacks;
};

_Static_assert(offsetof(struct cfg_inst, ipc) == 0, "syn_ipcc_handle_* need the connection first");

QB_HDB_DECLARE(cfg_handles, syn_ipcc_instance_free);

static cs_error_t inst_get(corosync_cfg_handle_t handle, struct cfg_inst **inst)
{
	return hdb_error_to_cs(qb_hdb_handle_get(&cfg_handles, handle, (void **)inst));
}

static void inst_put(corosync_cfg_handle_t handle)
{
	qb_hdb_handle_put(&cfg_handles, handle);
}

static cs_error_t call(corosync_cfg_handle_t handle, void *req, size_t req_len, int32_t id,
		       void *res, size_t res_len)
{
	return syn_ipcc_handle_request(&cfg_handles, handle, req, req_len, id, res, res_len);
}

static cs_error_t bare_call(corosync_cfg_handle_t handle, int32_t id)
{
	struct qb_ipc_request_header req;
	struct qb_ipc_response_header res;

	memset(&req, 0, sizeof(req));
	return call(handle, &req, sizeof(req), id, &res, sizeof(res));
}

cs_error_t corosync_cfg_initialize(corosync_cfg_handle_t *cfg_handle,
				   const corosync_cfg_callbacks_t *cfg_callbacks)
{
	struct cfg_inst *inst;
	cs_error_t err;

	if (!cfg_handle)
		return CS_ERR_INVALID_PARAM;
	err = syn_ipcc_handle_open(&cfg_handles, sizeof(*inst), "cfg", cfg_handle, (void **)&inst);
	if (err != CS_OK)
		return err;
	if (cfg_callbacks)
		inst->callbacks = *cfg_callbacks;
	inst_put(*cfg_handle);
	return CS_OK;
}

cs_error_t corosync_cfg_finalize(corosync_cfg_handle_t cfg_handle)
{
	return syn_ipcc_handle_close(&cfg_handles, cfg_handle);
}

cs_error_t corosync_cfg_fd_get(corosync_cfg_handle_t cfg_handle, int32_t *selection_fd)
{
	return syn_ipcc_handle_fd(&cfg_handles, cfg_handle, selection_fd);
}

struct dispatch_ctx {
	corosync_cfg_handle_t handle;
	corosync_cfg_callbacks_t callbacks;
};

static cs_error_t on_event(void *ctx, const void *event, size_t len)
{
	const struct syn_cfg_res_u32 *ev = event;
	struct dispatch_ctx *dc = ctx;

	if (ev->header.id != SYN_CFG_RES_TESTSHUTDOWN || len < sizeof(*ev))
		return CS_ERR_LIBRARY;
	if (dc->callbacks.corosync_cfg_shutdown_callback)
		dc->callbacks.corosync_cfg_shutdown_callback(dc->handle, ev->value);
	return CS_OK;
}

cs_error_t corosync_cfg_dispatch(corosync_cfg_handle_t cfg_handle,
				 cs_dispatch_flags_t dispatch_flags)
{
	struct dispatch_ctx dc = {.handle = cfg_handle};
	struct cfg_inst *inst;
	cs_error_t err = inst_get(cfg_handle, &inst);

	if (err != CS_OK)
		return err;
	dc.callbacks = inst->callbacks;
	err = syn_ipcc_dispatch(&inst->ipc, dispatch_flags, on_event, &dc);
	inst_put(cfg_handle);
	return err;
}

static void free_strings(char **list, unsigned int n)
{
	if (!list)
		return;
	for (unsigned int i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

cs_error_t corosync_cfg_ring_status_get(corosync_cfg_handle_t cfg_handle, char ***interface_names,
					char ***status, unsigned int *interface_count)
{
	struct qb_ipc_request_header req;
	struct syn_cfg_res_ringstatusget *res = malloc(sizeof(*res));
	char **names = NULL, **stat = NULL;
	unsigned int n;
	cs_error_t err;

	if (!interface_names || !status || !interface_count || !res) {
		free(res);
		return res ? CS_ERR_INVALID_PARAM : CS_ERR_NO_MEMORY;
	}
	memset(&req, 0, sizeof(req));
	err = call(cfg_handle, &req, sizeof(req), SYN_CFG_REQ_RINGSTATUSGET, res, sizeof(*res));
	if (err != CS_OK && err != CS_ERR_NAME_TOO_LONG)
		goto out;
	n = res->interface_count > SYN_CFG_MAX_INTERFACES ? SYN_CFG_MAX_INTERFACES
							  : res->interface_count;
	names = calloc(n + 1, sizeof(*names));
	stat = calloc(n + 1, sizeof(*stat));
	err = names && stat ? CS_OK : CS_ERR_NO_MEMORY;
	for (unsigned int i = 0; i < n && err == CS_OK; i++) {
		names[i] = strndup(res->interface_name[i], SYN_CFG_INTERFACE_NAME_LEN - 1);
		stat[i] = strndup(res->interface_status[i], SYN_CFG_INTERFACE_STATUS_LEN - 1);
		if (!names[i] || !stat[i])
			err = CS_ERR_NO_MEMORY;
	}
	if (err != CS_OK) {
		free_strings(names, n);
		free_strings(stat, n);
		goto out;
	}
	*interface_names = names;
	*status = stat;
	*interface_count = n;
out:
	free(res);
	return err;
}

cs_error_t corosync_cfg_node_status_get(corosync_cfg_handle_t cfg_handle, unsigned int nodeid,
					corosync_cfg_node_status_version_t version,
					void *node_status)
{
	struct syn_cfg_req_nodestatusget req;
	struct syn_cfg_res_nodestatusget *res;
	cs_error_t err;

	if (!node_status || version != CFG_NODE_STATUS_V1)
		return CS_ERR_INVALID_PARAM;
	res = calloc(1, sizeof(*res));
	if (!res)
		return CS_ERR_NO_MEMORY;
	memset(&req, 0, sizeof(req));
	req.nodeid = nodeid;
	req.version = version;
	err = call(cfg_handle, &req, sizeof(req), SYN_CFG_REQ_NODESTATUSGET, res, sizeof(*res));
	if (err == CS_OK && res->status.version != (uint32_t)version)
		err = CS_ERR_NOT_SUPPORTED;
	if (err == CS_OK) {
		_Static_assert(sizeof(struct corosync_cfg_node_status_v1) ==
				       sizeof(struct syn_cfg_node_status_v1),
			       "node status layout");
		memcpy(node_status, &res->status, sizeof(res->status));
	}
	free(res);
	return err;
}

cs_error_t corosync_cfg_kill_node(corosync_cfg_handle_t cfg_handle, unsigned int nodeid,
				  const char *reason)
{
	struct syn_cfg_req_killnode req;
	struct qb_ipc_response_header res;
	size_t len = reason ? strlen(reason) : 0;

	if (len >= SYN_IPC_NAME_MAX)
		return CS_ERR_NAME_TOO_LONG;
	memset(&req, 0, sizeof(req));
	req.nodeid = nodeid;
	req.reason.length = (uint16_t)(len + 1);
	if (reason)
		memcpy(req.reason.value, reason, len);
	return call(cfg_handle, &req, sizeof(req), SYN_CFG_REQ_KILLNODE, &res, sizeof(res));
}

static cs_error_t u32_call(corosync_cfg_handle_t handle, int32_t id, uint32_t value)
{
	struct syn_cfg_req_u32 req;
	struct qb_ipc_response_header res;

	memset(&req, 0, sizeof(req));
	req.value = value;
	return call(handle, &req, sizeof(req), id, &res, sizeof(res));
}

cs_error_t corosync_cfg_trackstart(corosync_cfg_handle_t cfg_handle, uint8_t track_flags)
{
	return u32_call(cfg_handle, SYN_CFG_REQ_TRACKSTART, track_flags);
}

cs_error_t corosync_cfg_trackstop(corosync_cfg_handle_t cfg_handle)
{
	return bare_call(cfg_handle, SYN_CFG_REQ_TRACKSTOP);
}

cs_error_t corosync_cfg_try_shutdown(corosync_cfg_handle_t cfg_handle,
				     corosync_cfg_shutdown_flags_t flags)
{
	return u32_call(cfg_handle, SYN_CFG_REQ_TRYSHUTDOWN, flags);
}

cs_error_t corosync_cfg_replyto_shutdown(corosync_cfg_handle_t cfg_handle,
					 corosync_cfg_shutdown_reply_flags_t flags)
{
	cs_error_t err = u32_call(cfg_handle, SYN_CFG_REQ_REPLYTOSHUTDOWN, flags);

	/* Only transport errors reach the caller, as with the reference library. */
	return err == CS_ERR_ACCESS ? CS_OK : err;
}

static void fill_address(corosync_cfg_node_address_t *out, uint32_t family, const char *slot)
{
	memset(out, 0, sizeof(*out));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)out->address;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, slot, 4);
		out->address_length = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)out->address;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, slot, 16);
		out->address_length = sizeof(*sin6);
	}
}

cs_error_t corosync_cfg_get_node_addrs(corosync_cfg_handle_t cfg_handle, unsigned int nodeid,
				       size_t max_addrs, int *num_addrs,
				       corosync_cfg_node_address_t *addrs)
{
	struct syn_cfg_req_u32 req;
	struct syn_cfg_res_get_node_addrs *res = malloc(SYN_IPC_BUFFER_SIZE);
	cs_error_t err;
	size_t n;

	if (!res)
		return CS_ERR_NO_MEMORY;
	if (!num_addrs || (max_addrs && !addrs)) {
		free(res);
		return CS_ERR_INVALID_PARAM;
	}
	memset(&req, 0, sizeof(req));
	memset(res, 0, sizeof(*res));
	req.value = nodeid;
	err = call(cfg_handle, &req, sizeof(req), SYN_CFG_REQ_GET_NODE_ADDRS, res,
		   SYN_IPC_BUFFER_SIZE);
	if (err == CS_OK) {
		n = res->num_addrs < max_addrs ? res->num_addrs : max_addrs;
		for (size_t i = 0; i < n; i++)
			fill_address(&addrs[i], res->family, res->addrs[i]);
		*num_addrs = (int)res->num_addrs;
	}
	free(res);
	return err;
}

cs_error_t corosync_cfg_local_get(corosync_cfg_handle_t handle, unsigned int *local_nodeid)
{
	struct qb_ipc_request_header req;
	struct syn_cfg_res_u32 res;
	cs_error_t err;

	if (!local_nodeid)
		return CS_ERR_INVALID_PARAM;
	memset(&req, 0, sizeof(req));
	err = call(handle, &req, sizeof(req), SYN_CFG_REQ_LOCAL_GET, &res, sizeof(res));
	if (err == CS_OK)
		*local_nodeid = res.value;
	return err;
}

cs_error_t corosync_cfg_reload_config(corosync_cfg_handle_t handle)
{
	return bare_call(handle, SYN_CFG_REQ_RELOAD_CONFIG);
}

cs_error_t corosync_cfg_reopen_log_files(corosync_cfg_handle_t handle)
{
	return bare_call(handle, SYN_CFG_REQ_REOPEN_LOG_FILES);
}
