/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * quorum.c - libquorum.so.5: the client side of the quorum service, ABI
 * compatible with corosync 3 (shared spec ipc-wire.md section 6).  A
 * handle remembers its model; V0 handles receive only NOTIFICATION, V1
 * handles the V1 quorum and node list events.  The handle database is
 * the library's only process-wide state.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/uio.h>
#include <qb/qbhdb.h>
#include <corosync/quorum.h>

#include "ipc_client.h"
#include "proto/ipc_quorum.h"

struct qu_inst {
	struct syn_ipcc ipc;
	const void *context;
	quorum_model_t model;
	quorum_notification_fn_t v0_fn;
	quorum_v1_quorum_notification_fn_t v1_quorum_fn;
	quorum_v1_nodelist_notification_fn_t v1_nodelist_fn;
};

_Static_assert(offsetof(struct qu_inst, ipc) == 0, "syn_ipcc_handle_* need the connection first");

QB_HDB_DECLARE(qu_handles, syn_ipcc_instance_free);

static cs_error_t inst_get(quorum_handle_t handle, struct qu_inst **inst)
{
	return hdb_error_to_cs(qb_hdb_handle_get(&qu_handles, handle, (void **)inst));
}

static void inst_put(quorum_handle_t handle)
{
	qb_hdb_handle_put(&qu_handles, handle);
}

static cs_error_t call(quorum_handle_t handle, void *req, size_t req_len, int32_t id, void *res,
		       size_t res_len)
{
	return syn_ipcc_handle_request(&qu_handles, handle, req, req_len, id, res, res_len);
}

static cs_error_t connect_handle(quorum_handle_t *handle, struct qu_inst **out)
{
	return syn_ipcc_handle_open(&qu_handles, sizeof(**out), "quorum", handle, (void **)out);
}

/* Ask for the quorum type (and switch the connection's model). */
static cs_error_t gettype(quorum_handle_t handle, quorum_model_t model, bool v0,
			  uint32_t *quorum_type)
{
	struct syn_qu_req_model_gettype req;
	struct syn_qu_res_u32 res;
	cs_error_t err;

	memset(&req, 0, sizeof(req));
	memset(&res, 0, sizeof(res));
	req.model = model;
	if (v0)
		err = call(handle, &req.header, sizeof(req.header), SYN_QU_REQ_GETTYPE, &res,
			   sizeof(res));
	else
		err = call(handle, &req, sizeof(req), SYN_QU_REQ_MODEL_GETTYPE, &res, sizeof(res));
	if (err == CS_OK && quorum_type)
		*quorum_type = res.value;
	return err;
}

static cs_error_t init_fail(quorum_handle_t handle, cs_error_t err)
{
	quorum_finalize(handle);
	return err;
}

cs_error_t quorum_initialize(quorum_handle_t *handle, quorum_callbacks_t *callbacks,
			     uint32_t *quorum_type)
{
	struct qu_inst *inst;
	cs_error_t err;

	if (!handle || !quorum_type)
		return CS_ERR_INVALID_PARAM;
	err = connect_handle(handle, &inst);
	if (err != CS_OK)
		return err;
	inst->model = QUORUM_MODEL_V0;
	if (callbacks)
		inst->v0_fn = callbacks->quorum_notify_fn;
	inst_put(*handle);
	err = gettype(*handle, QUORUM_MODEL_V0, true, quorum_type);
	return err == CS_OK ? CS_OK : init_fail(*handle, err);
}

cs_error_t quorum_model_initialize(quorum_handle_t *handle, quorum_model_t model,
				   quorum_model_data_t *model_data, uint32_t *quorum_type,
				   void *context)
{
	struct qu_inst *inst;
	cs_error_t err;

	if (!handle || !quorum_type || (model != QUORUM_MODEL_V0 && model != QUORUM_MODEL_V1))
		return CS_ERR_INVALID_PARAM;
	err = connect_handle(handle, &inst);
	if (err != CS_OK)
		return err;
	inst->model = model;
	inst->context = context;
	if (model_data && model == QUORUM_MODEL_V0) {
		inst->v0_fn = ((quorum_model_v0_data_t *)model_data)->quorum_notify_fn;
	} else if (model_data) {
		quorum_model_v1_data_t *v1 = (quorum_model_v1_data_t *)model_data;

		inst->v1_quorum_fn = v1->quorum_notify_fn;
		inst->v1_nodelist_fn = v1->nodelist_notify_fn;
	}
	inst_put(*handle);
	err = gettype(*handle, model, false, quorum_type);
	return err == CS_OK ? CS_OK : init_fail(*handle, err);
}

cs_error_t quorum_finalize(quorum_handle_t handle)
{
	return syn_ipcc_handle_close(&qu_handles, handle);
}

cs_error_t quorum_fd_get(quorum_handle_t handle, int *fd)
{
	return syn_ipcc_handle_fd(&qu_handles, handle, fd);
}

cs_error_t quorum_context_get(quorum_handle_t handle, const void **context)
{
	struct qu_inst *inst;
	cs_error_t err;

	if (!context)
		return CS_ERR_INVALID_PARAM;
	err = inst_get(handle, &inst);
	if (err != CS_OK)
		return err;
	*context = inst->context;
	inst_put(handle);
	return CS_OK;
}

cs_error_t quorum_context_set(quorum_handle_t handle, const void *context)
{
	struct qu_inst *inst;
	cs_error_t err = inst_get(handle, &inst);

	if (err != CS_OK)
		return err;
	inst->context = context;
	inst_put(handle);
	return CS_OK;
}

cs_error_t quorum_getquorate(quorum_handle_t handle, int *quorate)
{
	struct qb_ipc_request_header req;
	struct syn_qu_res_u32 res;
	cs_error_t err;

	if (!quorate)
		return CS_ERR_INVALID_PARAM;
	memset(&req, 0, sizeof(req));
	err = call(handle, &req, sizeof(req), SYN_QU_REQ_GETQUORATE, &res, sizeof(res));
	if (err == CS_OK)
		*quorate = (int)res.value;
	return err;
}

cs_error_t quorum_trackstart(quorum_handle_t handle, unsigned int flags)
{
	struct syn_qu_req_trackstart req;
	struct qb_ipc_response_header res;

	memset(&req, 0, sizeof(req));
	req.track_flags = flags;
	return call(handle, &req, sizeof(req), SYN_QU_REQ_TRACKSTART, &res, sizeof(res));
}

cs_error_t quorum_trackstop(quorum_handle_t handle)
{
	struct qb_ipc_request_header req;
	struct qb_ipc_response_header res;

	memset(&req, 0, sizeof(req));
	return call(handle, &req, sizeof(req), SYN_QU_REQ_TRACKSTOP, &res, sizeof(res));
}

struct dispatch_ctx {
	quorum_handle_t handle;
	struct qu_inst copy;
};

static cs_error_t on_event(void *ctx, const void *event, size_t len)
{
	const struct qb_ipc_response_header *h = event;
	struct dispatch_ctx *dc = ctx;

	if (h->id == SYN_QU_RES_NOTIFICATION) {
		const struct syn_qu_res_notification *ev = event;

		if (len < sizeof(*ev) || (len - sizeof(*ev)) / 4 < ev->view_list_entries)
			return CS_ERR_LIBRARY;
		if (dc->copy.v0_fn)
			dc->copy.v0_fn(dc->handle, (uint32_t)ev->quorate, ev->ring_seq,
				       ev->view_list_entries, (uint32_t *)ev->view_list);
	} else if (h->id == SYN_QU_RES_V1_QUORUM_NOTIFICATION) {
		const struct syn_qu_res_v1_quorum_notification *ev = event;
		struct quorum_ring_id ring = {ev->ring_id.nodeid, ev->ring_id.seq};

		if (len < sizeof(*ev) || (len - sizeof(*ev)) / 4 < ev->view_list_entries)
			return CS_ERR_LIBRARY;
		if (dc->copy.v1_quorum_fn)
			dc->copy.v1_quorum_fn(dc->handle, (uint32_t)ev->quorate, ring,
					      ev->view_list_entries, ev->view_list);
	} else if (h->id == SYN_QU_RES_V1_NODELIST_NOTIFICATION) {
		const struct syn_qu_res_v1_nodelist_notification *ev = event;
		struct quorum_ring_id ring = {ev->ring_id.nodeid, ev->ring_id.seq};
		uint64_t n = (uint64_t)ev->member_list_entries + ev->joined_list_entries +
			     ev->left_list_entries;

		if (len < sizeof(*ev) || (len - sizeof(*ev)) / 4 < n)
			return CS_ERR_LIBRARY;
		if (dc->copy.v1_nodelist_fn)
			dc->copy.v1_nodelist_fn(
				dc->handle, ring, ev->member_list_entries, ev->lists,
				ev->joined_list_entries, ev->lists + ev->member_list_entries,
				ev->left_list_entries,
				ev->lists + ev->member_list_entries + ev->joined_list_entries);
	} else {
		return CS_ERR_LIBRARY;
	}
	return CS_OK;
}

cs_error_t quorum_dispatch(quorum_handle_t handle, cs_dispatch_flags_t dispatch_types)
{
	struct dispatch_ctx dc = {.handle = handle};
	struct qu_inst *inst;
	cs_error_t err;

	if (dispatch_types < CS_DISPATCH_ONE || dispatch_types > CS_DISPATCH_ONE_NONBLOCKING)
		return CS_ERR_INVALID_PARAM;
	err = inst_get(handle, &inst);
	if (err != CS_OK)
		return err;
	dc.copy.v0_fn = inst->v0_fn;
	dc.copy.v1_quorum_fn = inst->v1_quorum_fn;
	dc.copy.v1_nodelist_fn = inst->v1_nodelist_fn;
	err = syn_ipcc_dispatch(&inst->ipc, dispatch_types, on_event, &dc);
	inst_put(handle);
	return err;
}
