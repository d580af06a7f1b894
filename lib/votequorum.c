/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * votequorum.c - libvotequorum.so.8: the client side of the votequorum
 * service, ABI compatible with corosync 3 (shared spec ipc-wire.md
 * section 5).  The handle database is the library's only process-wide
 * state.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/uio.h>
#include <qb/qbhdb.h>
#include <corosync/votequorum.h>

#include "ipc_client.h"
#include "proto/ipc_votequorum.h"

struct vq_inst {
	struct syn_ipcc ipc;
	void *context;
	votequorum_callbacks_t callbacks;
};

_Static_assert(offsetof(struct vq_inst, ipc) == 0, "syn_ipcc_handle_* need the connection first");

QB_HDB_DECLARE(vq_handles, syn_ipcc_instance_free);

static cs_error_t inst_get(votequorum_handle_t handle, struct vq_inst **inst)
{
	return hdb_error_to_cs(qb_hdb_handle_get(&vq_handles, handle, (void **)inst));
}

static void inst_put(votequorum_handle_t handle)
{
	qb_hdb_handle_put(&vq_handles, handle);
}

static cs_error_t call(votequorum_handle_t handle, void *req, size_t req_len, int32_t id, void *res,
		       size_t res_len)
{
	return syn_ipcc_handle_request(&vq_handles, handle, req, req_len, id, res, res_len);
}

cs_error_t votequorum_initialize(votequorum_handle_t *handle, votequorum_callbacks_t *callbacks)
{
	struct vq_inst *inst;
	cs_error_t err;

	if (!handle)
		return CS_ERR_INVALID_PARAM;
	err = syn_ipcc_handle_open(&vq_handles, sizeof(*inst), "votequorum", handle,
				   (void **)&inst);
	if (err != CS_OK)
		return err;
	if (callbacks)
		inst->callbacks = *callbacks;
	inst_put(*handle);
	return CS_OK;
}

cs_error_t votequorum_finalize(votequorum_handle_t handle)
{
	return syn_ipcc_handle_close(&vq_handles, handle);
}

cs_error_t votequorum_fd_get(votequorum_handle_t handle, int *fd)
{
	return syn_ipcc_handle_fd(&vq_handles, handle, fd);
}

cs_error_t votequorum_context_get(votequorum_handle_t handle, void **context)
{
	struct vq_inst *inst;
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

cs_error_t votequorum_context_set(votequorum_handle_t handle, void *context)
{
	struct vq_inst *inst;
	cs_error_t err = inst_get(handle, &inst);

	if (err != CS_OK)
		return err;
	inst->context = context;
	inst_put(handle);
	return CS_OK;
}

cs_error_t votequorum_getinfo(votequorum_handle_t handle, unsigned int nodeid,
			      struct votequorum_info *info)
{
	struct syn_vq_req_getinfo req;
	struct syn_vq_res_getinfo res;
	cs_error_t err;

	if (!info)
		return CS_ERR_INVALID_PARAM;
	memset(&req, 0, sizeof(req));
	memset(&res, 0, sizeof(res));
	req.nodeid = (int32_t)nodeid;
	err = call(handle, &req, sizeof(req), SYN_VQ_REQ_GETINFO, &res, sizeof(res));
	if (err == CS_ERR_BAD_HANDLE || err == CS_ERR_LIBRARY)
		return err;
	info->node_id = res.nodeid;
	info->node_state = res.state;
	info->node_votes = res.votes;
	info->node_expected_votes = res.expected_votes;
	info->highest_expected = res.highest_expected;
	info->total_votes = res.total_votes;
	info->quorum = res.quorum;
	info->flags = res.flags;
	info->qdevice_votes = res.qdevice_votes;
	memcpy(info->qdevice_name, res.qdevice_name, VOTEQUORUM_QDEVICE_MAX_NAME_LEN);
	info->qdevice_name[VOTEQUORUM_QDEVICE_MAX_NAME_LEN - 1] = '\0';
	return err;
}

cs_error_t votequorum_setexpected(votequorum_handle_t handle, unsigned int expected_votes)
{
	struct syn_vq_req_setexpected req;
	struct qb_ipc_response_header res;

	memset(&req, 0, sizeof(req));
	req.expected_votes = expected_votes;
	return call(handle, &req, sizeof(req), SYN_VQ_REQ_SETEXPECTED, &res, sizeof(res));
}

cs_error_t votequorum_setvotes(votequorum_handle_t handle, unsigned int nodeid, unsigned int votes)
{
	struct syn_vq_req_setvotes req;
	struct qb_ipc_response_header res;

	memset(&req, 0, sizeof(req));
	req.nodeid = (int32_t)nodeid;
	req.votes = votes;
	return call(handle, &req, sizeof(req), SYN_VQ_REQ_SETVOTES, &res, sizeof(res));
}

cs_error_t votequorum_trackstart(votequorum_handle_t handle, uint64_t context, unsigned int flags)
{
	struct syn_vq_req_trackstart req;
	struct qb_ipc_response_header res;

	memset(&req, 0, sizeof(req));
	req.context = context;
	req.track_flags = flags;
	return call(handle, &req, sizeof(req), SYN_VQ_REQ_TRACKSTART, &res, sizeof(res));
}

cs_error_t votequorum_trackstop(votequorum_handle_t handle)
{
	struct qb_ipc_request_header req;
	struct qb_ipc_response_header res;

	memset(&req, 0, sizeof(req));
	return call(handle, &req, sizeof(req), SYN_VQ_REQ_TRACKSTOP, &res, sizeof(res));
}

static bool name_ok(const char *name)
{
	return name && name[0] && strlen(name) < VOTEQUORUM_QDEVICE_MAX_NAME_LEN;
}

static cs_error_t qdevice_name_call(votequorum_handle_t handle, const char *name, int32_t id)
{
	struct syn_vq_req_qdevice_name req;
	struct qb_ipc_response_header res;

	if (!name_ok(name))
		return CS_ERR_INVALID_PARAM;
	memset(&req, 0, sizeof(req));
	strcpy(req.name, name);
	return call(handle, &req, sizeof(req), id, &res, sizeof(res));
}

cs_error_t votequorum_qdevice_register(votequorum_handle_t handle, const char *name)
{
	return qdevice_name_call(handle, name, SYN_VQ_REQ_QDEVICE_REGISTER);
}

cs_error_t votequorum_qdevice_unregister(votequorum_handle_t handle, const char *name)
{
	return qdevice_name_call(handle, name, SYN_VQ_REQ_QDEVICE_UNREGISTER);
}

cs_error_t votequorum_qdevice_update(votequorum_handle_t handle, const char *oldname,
				     const char *newname)
{
	struct syn_vq_req_qdevice_update req;
	struct qb_ipc_response_header res;

	if (!name_ok(oldname) || !name_ok(newname))
		return CS_ERR_INVALID_PARAM;
	memset(&req, 0, sizeof(req));
	strcpy(req.oldname, oldname);
	strcpy(req.newname, newname);
	return call(handle, &req, sizeof(req), SYN_VQ_REQ_QDEVICE_UPDATE, &res, sizeof(res));
}

cs_error_t votequorum_qdevice_poll(votequorum_handle_t handle, const char *name,
				   unsigned int cast_vote, votequorum_ring_id_t ring_id)
{
	struct syn_vq_req_qdevice_poll req;
	struct qb_ipc_response_header res;

	if (!name_ok(name))
		return CS_ERR_INVALID_PARAM;
	memset(&req, 0, sizeof(req));
	strcpy(req.name, name);
	req.cast_vote = (int32_t)cast_vote;
	req.ring_id.nodeid = ring_id.nodeid;
	req.ring_id.seq = ring_id.seq;
	return call(handle, &req, sizeof(req), SYN_VQ_REQ_QDEVICE_POLL, &res, sizeof(res));
}

cs_error_t votequorum_qdevice_master_wins(votequorum_handle_t handle, const char *name,
					  unsigned int allow)
{
	struct syn_vq_req_qdevice_master_wins req;
	struct qb_ipc_response_header res;

	if (!name_ok(name))
		return CS_ERR_INVALID_PARAM;
	memset(&req, 0, sizeof(req));
	strcpy(req.name, name);
	req.allow = allow;
	return call(handle, &req, sizeof(req), SYN_VQ_REQ_QDEVICE_MASTER_WINS, &res, sizeof(res));
}

struct dispatch_ctx {
	votequorum_handle_t handle;
	votequorum_callbacks_t callbacks;
};

static cs_error_t on_event(void *ctx, const void *event, size_t len)
{
	const struct qb_ipc_response_header *h = event;
	struct dispatch_ctx *dc = ctx;
	votequorum_callbacks_t *cb = &dc->callbacks;

	switch (h->id) {
	case SYN_VQ_RES_QUORUM_NOTIFICATION: {
		const struct syn_vq_res_quorum_notification *ev = event;

		if (len < sizeof(*ev) || (len - sizeof(*ev)) / 8 < ev->node_list_entries)
			return CS_ERR_LIBRARY;
		if (cb->votequorum_quorum_notify_fn)
			cb->votequorum_quorum_notify_fn(dc->handle, ev->context, ev->quorate,
							ev->node_list_entries,
							(votequorum_node_t *)ev->node_list);
		return CS_OK;
	}
	case SYN_VQ_RES_EXPECTEDVOTES_NOTIFICATION: {
		const struct syn_vq_res_expectedvotes_notification *ev = event;

		if (len < sizeof(*ev))
			return CS_ERR_LIBRARY;
		if (cb->votequorum_expectedvotes_notify_fn)
			cb->votequorum_expectedvotes_notify_fn(dc->handle, ev->context,
							       ev->expected_votes);
		return CS_OK;
	}
	case SYN_VQ_RES_NODELIST_NOTIFICATION: {
		const struct syn_vq_res_nodelist_notification *ev = event;
		votequorum_ring_id_t ring = {ev->ring_id.nodeid, ev->ring_id.seq};

		if (len < sizeof(*ev) || (len - sizeof(*ev)) / 4 < ev->node_list_entries)
			return CS_ERR_LIBRARY;
		if (cb->votequorum_nodelist_notify_fn)
			cb->votequorum_nodelist_notify_fn(dc->handle, ev->context, ring,
							  ev->node_list_entries,
							  (uint32_t *)ev->node_list);
		return CS_OK;
	}
	default:
		return CS_ERR_LIBRARY;
	}
}

cs_error_t votequorum_dispatch(votequorum_handle_t handle, cs_dispatch_flags_t dispatch_types)
{
	struct dispatch_ctx dc = {.handle = handle};
	struct vq_inst *inst;
	cs_error_t err;

	if (dispatch_types < CS_DISPATCH_ONE || dispatch_types > CS_DISPATCH_ONE_NONBLOCKING)
		return CS_ERR_INVALID_PARAM;
	err = inst_get(handle, &inst);
	if (err != CS_OK)
		return err;
	dc.callbacks = inst->callbacks;
	err = syn_ipcc_dispatch(&inst->ipc, dispatch_types, on_event, &dc);
	inst_put(handle);
	return err;
}
