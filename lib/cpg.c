/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cpg.c - libcpg.so.4: the client side of the cpg service, ABI compatible
 * with corosync 3's library (shared spec cpg.md sections 5 and 9).
 *
 * What the library does by itself: one group per handle is the server's
 * rule, not checked here; names longer than 128 bytes are refused before
 * any IPC; JOIN and LEAVE are sent again while the server answers BUSY;
 * messages above SYN_CPG_MAX_ATOMIC_MSG bytes travel as PARTIAL_MCAST
 * fragments (never spanning two iovec elements, TRY_AGAIN retried every
 * 10 ms up to 100 times) and are reassembled per sender in dispatch;
 * MCAST is sent without waiting for an answer, with libqb's flow-control
 * threshold 2 so that a gated server makes it fail with TRY_AGAIN.  The
 * handle databases are the library's only process-wide state.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <qb/qbhdb.h>
#include <corosync/cpg.h>

#include "ipc_client.h"
#include "proto/ipc_cpg.h"

#define CPG_FRAG_RETRIES 100
#define CPG_FRAG_RETRY_NS 10000000L
#define CPG_IOV_MAX 64

struct assembly {
	struct assembly *next;
	uint32_t nodeid, pid;
	char *buf;
	size_t len, used;
};

struct cpg_inst {
	struct syn_ipcc ipc;
	void *context;
	cpg_model_v1_data_t model;
	struct assembly *assemblies;
};

_Static_assert(offsetof(struct cpg_inst, ipc) == 0, "syn_ipcc_handle_* need the connection first");

struct cpg_iter_inst {
	cpg_handle_t handle;
	uint64_t server_handle;
};

QB_HDB_DECLARE(cpg_handles, syn_ipcc_instance_free);
QB_HDB_DECLARE(cpg_iter_handles, NULL);

static cs_error_t inst_get(cpg_handle_t handle, struct cpg_inst **inst)
{
	return hdb_error_to_cs(qb_hdb_handle_get(&cpg_handles, handle, (void **)inst));
}

static void inst_put(cpg_handle_t handle)
{
	qb_hdb_handle_put(&cpg_handles, handle);
}

static cs_error_t call(cpg_handle_t handle, void *req, size_t req_len, int32_t id, void *res,
		       size_t res_len)
{
	return syn_ipcc_handle_request(&cpg_handles, handle, req, req_len, id, res, res_len);
}

static void name_put(struct syn_cpg_mar_name *dst, const struct cpg_name *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->length = src->length;
	memcpy(dst->value, src->value, sizeof(dst->value));
}

static void assemblies_free(struct cpg_inst *inst)
{
	while (inst->assemblies) {
		struct assembly *a = inst->assemblies;
		inst->assemblies = a->next;
		free(a->buf);
		free(a);
	}
}

/* ---- life cycle ---------------------------------------------------- */

cs_error_t cpg_initialize(cpg_handle_t *handle, cpg_callbacks_t *callbacks)
{
	cpg_model_v1_data_t v1;

	memset(&v1, 0, sizeof(v1));
	v1.model = CPG_MODEL_V1;
	if (callbacks) {
		v1.cpg_deliver_fn = callbacks->cpg_deliver_fn;
		v1.cpg_confchg_fn = callbacks->cpg_confchg_fn;
	}
	return cpg_model_initialize(handle, CPG_MODEL_V1, (cpg_model_data_t *)&v1, NULL);
}

cs_error_t cpg_model_initialize(cpg_handle_t *handle, cpg_model_t model,
				cpg_model_data_t *model_data, void *context)
{
	struct cpg_inst *inst;
	cs_error_t err;

	if (!handle || model != CPG_MODEL_V1)
		return CS_ERR_INVALID_PARAM;
	if (model_data && (((cpg_model_v1_data_t *)model_data)->flags &
			   ~(unsigned int)CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF))
		return CS_ERR_INVALID_PARAM;
	err = syn_ipcc_handle_open(&cpg_handles, sizeof(*inst), "cpg", handle, (void **)&inst);
	if (err != CS_OK)
		return err;
	if (model_data)
		memcpy(&inst->model, model_data, sizeof(inst->model));
	inst->model.model = CPG_MODEL_V1;
	inst->context = context;
	inst_put(*handle);
	return CS_OK;
}

cs_error_t cpg_finalize(cpg_handle_t handle)
{
	struct qb_ipc_request_header req;
	struct qb_ipc_response_header res;
	struct cpg_inst *inst;
	cs_error_t err = inst_get(handle, &inst);

	if (err != CS_OK)
		return err;
	if (inst->ipc.finalized) {
		inst_put(handle);
		return CS_ERR_BAD_HANDLE;
	}
	memset(&req, 0, sizeof(req));
	/* Only the transport result counts; the handle goes in any case. */
	err = call(handle, &req, sizeof(req), SYN_CPG_REQ_FINALIZE, &res, sizeof(res));
	if (err != CS_ERR_LIBRARY && err != CS_ERR_BAD_HANDLE && err != CS_ERR_TRY_AGAIN)
		err = CS_OK;
	assemblies_free(inst);
	inst_put(handle);
	syn_ipcc_handle_close(&cpg_handles, handle);
	return err;
}

cs_error_t cpg_fd_get(cpg_handle_t handle, int *fd)
{
	return syn_ipcc_handle_fd(&cpg_handles, handle, fd);
}

cs_error_t cpg_max_atomic_msgsize_get(cpg_handle_t handle, uint32_t *size)
{
	struct cpg_inst *inst;
	cs_error_t err = inst_get(handle, &inst);

	if (err != CS_OK)
		return err;
	if (size)
		*size = SYN_CPG_MAX_ATOMIC_MSG;
	inst_put(handle);
	return CS_OK;
}

cs_error_t cpg_context_get(cpg_handle_t handle, void **context)
{
	struct cpg_inst *inst;
	cs_error_t err = inst_get(handle, &inst);

	if (err != CS_OK)
		return err;
	if (context)
		*context = inst->context;
	inst_put(handle);
	return CS_OK;
}

cs_error_t cpg_context_set(cpg_handle_t handle, void *context)
{
	struct cpg_inst *inst;
	cs_error_t err = inst_get(handle, &inst);

	if (err != CS_OK)
		return err;
	inst->context = context;
	inst_put(handle);
	return CS_OK;
}

cs_error_t cpg_flow_control_state_get(cpg_handle_t handle,
				      cpg_flow_control_state_t *flow_control_enabled)
{
	struct cpg_inst *inst;
	cs_error_t err = inst_get(handle, &inst);

	if (err != CS_OK)
		return err;
	if (flow_control_enabled)
		*flow_control_enabled = CPG_FLOW_CONTROL_DISABLED;
	inst_put(handle);
	return CS_OK;
}

/* ---- dispatch ------------------------------------------------------ */

struct dispatch_ctx {
	cpg_handle_t handle;
	struct cpg_inst *inst;
};

static void to_addresses(struct cpg_address *dst, const struct syn_cpg_mar_address *src, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		dst[i].nodeid = src[i].nodeid;
		dst[i].pid = src[i].pid;
		dst[i].reason = src[i].reason;
	}
}

static void to_name(struct cpg_name *dst, const struct syn_cpg_mar_name *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->length = src->length;
	memcpy(dst->value, src->value, sizeof(dst->value));
}

static struct assembly *assembly_find(struct cpg_inst *inst, uint32_t nodeid, uint32_t pid,
				      struct assembly ***link)
{
	for (struct assembly **pp = &inst->assemblies; *pp; pp = &(*pp)->next) {
		if ((*pp)->nodeid == nodeid && (*pp)->pid == pid) {
			*link = pp;
			return *pp;
		}
	}
	return NULL;
}

static void assembly_drop(struct cpg_inst *inst, uint32_t nodeid, uint32_t pid)
{
	struct assembly **link;
	struct assembly *a = assembly_find(inst, nodeid, pid, &link);

	if (a) {
		*link = a->next;
		free(a->buf);
		free(a);
	}
}

static cs_error_t on_confchg(struct dispatch_ctx *dc, const void *event, size_t len)
{
	const struct syn_cpg_ev_confchg *ev = event;
	struct cpg_address *lists;
	struct cpg_name group;
	size_t m, l, j;

	if (len < sizeof(*ev))
		return CS_ERR_LIBRARY;
	m = ev->member_list_entries;
	l = ev->left_list_entries;
	j = ev->joined_list_entries;
	if ((len - sizeof(*ev)) / sizeof(struct syn_cpg_mar_address) < m + l + j)
		return CS_ERR_LIBRARY;
	lists = calloc(m + l + j + 1, sizeof(*lists));
	if (!lists)
		return CS_ERR_NO_MEMORY;
	to_addresses(lists, ev->member_list, m + l + j);
	to_name(&group, &ev->group_name);
	if (dc->inst->model.cpg_confchg_fn)
		dc->inst->model.cpg_confchg_fn(dc->handle, &group, lists, m, lists + m, l,
					       lists + m + l, j);
	for (size_t i = 0; i < l; i++)
		assembly_drop(dc->inst, lists[m + i].nodeid, lists[m + i].pid);
	free(lists);
	return CS_OK;
}

static cs_error_t on_partial(struct dispatch_ctx *dc, const void *event, size_t len)
{
	const struct syn_cpg_ev_partial_deliver *ev = event;
	struct assembly **link, *a;
	struct cpg_name group;

	if (len < sizeof(*ev) || len - sizeof(*ev) < ev->fraglen)
		return CS_ERR_LIBRARY;
	if (ev->type == SYN_CPG_PARTIAL_FIRST) {
		assembly_drop(dc->inst, ev->nodeid, ev->pid);
		a = calloc(1, sizeof(*a));
		if (!a || !(a->buf = malloc(ev->msglen ? ev->msglen : 1))) {
			free(a);
			return CS_ERR_NO_MEMORY;
		}
		a->nodeid = ev->nodeid;
		a->pid = ev->pid;
		a->len = ev->msglen;
		a->next = dc->inst->assemblies;
		dc->inst->assemblies = a;
	}
	a = assembly_find(dc->inst, ev->nodeid, ev->pid, &link);
	if (!a)
		return CS_OK; /* joined in the middle of someone's message */
	if (ev->fraglen > a->len - a->used) {
		assembly_drop(dc->inst, ev->nodeid, ev->pid);
		return CS_OK;
	}
	memcpy(a->buf + a->used, ev->message, ev->fraglen);
	a->used += ev->fraglen;
	if (ev->type != SYN_CPG_PARTIAL_LAST)
		return CS_OK;
	*link = a->next;
	to_name(&group, &ev->group_name);
	if (dc->inst->model.cpg_deliver_fn && a->used == a->len)
		dc->inst->model.cpg_deliver_fn(dc->handle, &group, ev->nodeid, ev->pid, a->buf,
					       a->used);
	free(a->buf);
	free(a);
	return CS_OK;
}

static cs_error_t on_event(void *ctx, const void *event, size_t len)
{
	const struct qb_ipc_response_header *h = event;
	struct dispatch_ctx *dc = ctx;
	struct cpg_name group;

	switch (h->id) {
	case SYN_CPG_RES_DELIVER_CALLBACK: {
		const struct syn_cpg_ev_deliver *ev = event;

		if (len < sizeof(*ev) || len - sizeof(*ev) < ev->msglen)
			return CS_ERR_LIBRARY;
		to_name(&group, &ev->group_name);
		if (dc->inst->model.cpg_deliver_fn)
			dc->inst->model.cpg_deliver_fn(dc->handle, &group, ev->nodeid, ev->pid,
						       (void *)ev->message, ev->msglen);
		return CS_OK;
	}
	case SYN_CPG_RES_CONFCHG_CALLBACK:
		return on_confchg(dc, event, len);
	case SYN_CPG_RES_PARTIAL_DELIVER_CALLBACK:
		return on_partial(dc, event, len);
	case SYN_CPG_RES_TOTEM_CONFCHG_CALLBACK: {
		const struct syn_cpg_ev_totem_confchg *ev = event;
		struct cpg_ring_id ring;

		if (len < SYN_CPG_TOTEM_CONFCHG_LIST_OFF ||
		    (len - SYN_CPG_TOTEM_CONFCHG_LIST_OFF) / 4 < ev->member_list_entries)
			return CS_ERR_LIBRARY;
		ring.nodeid = ev->ring_id.nodeid;
		ring.seq = ev->ring_id.seq;
		if (dc->inst->model.cpg_totem_confchg_fn)
			dc->inst->model.cpg_totem_confchg_fn(
				dc->handle, ring, ev->member_list_entries, ev->member_list);
		return CS_OK;
	}
	default:
		return CS_ERR_LIBRARY;
	}
}

cs_error_t cpg_dispatch(cpg_handle_t handle, cs_dispatch_flags_t dispatch_types)
{
	struct dispatch_ctx dc = {.handle = handle};
	cs_error_t err = inst_get(handle, &dc.inst);

	if (err != CS_OK)
		return err;
	err = syn_ipcc_dispatch(&dc.inst->ipc, dispatch_types, on_event, &dc);
	inst_put(handle);
	return err;
}

/* ---- groups -------------------------------------------------------- */

static cs_error_t join_or_leave(cpg_handle_t handle, const struct cpg_name *group, bool join)
{
	struct syn_cpg_req_join req;
	struct qb_ipc_response_header res;
	struct cpg_inst *inst;
	cs_error_t err;

	if (!group)
		return CS_ERR_INVALID_PARAM;
	if (group->length > CPG_MAX_NAME_LENGTH)
		return CS_ERR_NAME_TOO_LONG;
	err = inst_get(handle, &inst);
	if (err != CS_OK)
		return err;
	memset(&req, 0, sizeof(req));
	name_put(&req.group_name, group);
	req.pid = (uint32_t)getpid();
	req.flags = inst->model.flags;
	inst_put(handle);
	do {
		err = join ? call(handle, &req, sizeof(req), SYN_CPG_REQ_JOIN, &res, sizeof(res))
			   : call(handle, &req, sizeof(struct syn_cpg_req_leave), SYN_CPG_REQ_LEAVE,
				  &res, sizeof(res));
	} while (err == CS_ERR_BUSY);
	return err;
}

cs_error_t cpg_join(cpg_handle_t handle, const struct cpg_name *group)
{
	return join_or_leave(handle, group, true);
}

cs_error_t cpg_leave(cpg_handle_t handle, const struct cpg_name *group)
{
	return join_or_leave(handle, group, false);
}

/* Send without an answer, failing with TRY_AGAIN while the server is gated. */
static cs_error_t send_gated(struct cpg_inst *inst, const struct iovec *iov, size_t n, void *res,
			     size_t res_len)
{
	ssize_t rc;

	pthread_mutex_lock(&inst->ipc.request_lock);
	if (!inst->ipc.conn) {
		pthread_mutex_unlock(&inst->ipc.request_lock);
		return CS_ERR_BAD_HANDLE;
	}
	qb_ipcc_fc_enable_max_set(inst->ipc.conn, 2);
	if (res)
		rc = qb_ipcc_sendv_recv(inst->ipc.conn, iov, n, res, res_len, CS_IPC_TIMEOUT_MS);
	else
		rc = qb_ipcc_sendv(inst->ipc.conn, iov, n);
	qb_ipcc_fc_enable_max_set(inst->ipc.conn, 1);
	pthread_mutex_unlock(&inst->ipc.request_lock);
	if (rc < 0)
		return qb_to_cs_error((int)rc);
	if (res && (size_t)rc < sizeof(struct qb_ipc_response_header))
		return CS_ERR_LIBRARY;
	return res ? ((const struct qb_ipc_response_header *)res)->error : CS_OK;
}

static cs_error_t send_fragment(struct cpg_inst *inst, uint32_t msglen, uint32_t type,
				const char *data, size_t len)
{
	struct syn_cpg_req_partial_mcast req;
	struct qb_ipc_response_header res;
	struct iovec iov[2];
	struct timespec pause = {0, CPG_FRAG_RETRY_NS};
	cs_error_t err;

	memset(&req, 0, sizeof(req));
	req.header.id = SYN_CPG_REQ_PARTIAL_MCAST;
	req.header.size = (int32_t)(sizeof(req) + len);
	req.guarantee = CPG_TYPE_AGREED;
	req.msglen = msglen;
	req.fraglen = (uint32_t)len;
	req.type = type;
	iov[0] = (struct iovec){.iov_base = &req, .iov_len = sizeof(req)};
	iov[1] = (struct iovec){.iov_base = (void *)data, .iov_len = len};
	for (int tries = 0;; tries++) {
		err = send_gated(inst, iov, 2, &res, sizeof(res));
		if (err != CS_ERR_TRY_AGAIN || tries >= CPG_FRAG_RETRIES)
			return err;
		nanosleep(&pause, NULL);
	}
}

static cs_error_t send_fragmented(struct cpg_inst *inst, const struct iovec *iov,
				  unsigned int iov_len, size_t total)
{
	size_t sent = 0;
	bool first = true;
	cs_error_t err = CS_OK;

	for (unsigned int i = 0; i < iov_len && err == CS_OK; i++) {
		size_t off = 0;

		do {
			size_t len = iov[i].iov_len - off;
			uint32_t type;

			if (len > SYN_CPG_MAX_ATOMIC_MSG)
				len = SYN_CPG_MAX_ATOMIC_MSG;
			type = first		     ? SYN_CPG_PARTIAL_FIRST
			       : sent + len == total ? SYN_CPG_PARTIAL_LAST
						     : SYN_CPG_PARTIAL_CONTINUED;
			if (first && sent + len == total)
				type = SYN_CPG_PARTIAL_FIRST; /* cannot happen above the limit */
			err = send_fragment(inst, (uint32_t)total, type,
					    (const char *)iov[i].iov_base + off, len);
			first = false;
			off += len;
			sent += len;
		} while (err == CS_OK && off < iov[i].iov_len);
	}
	return err;
}

cs_error_t cpg_mcast_joined(cpg_handle_t handle, cpg_guarantee_t guarantee,
			    const struct iovec *iovec, unsigned int iov_len)
{
	struct syn_cpg_req_mcast req;
	struct iovec *iov;
	struct cpg_inst *inst;
	size_t total = 0;
	cs_error_t err;

	if (iov_len && !iovec)
		return CS_ERR_INVALID_PARAM;
	for (unsigned int i = 0; i < iov_len; i++)
		total += iovec[i].iov_len;
	err = inst_get(handle, &inst);
	if (err != CS_OK)
		return err;
	if (total > SYN_CPG_MAX_ATOMIC_MSG) {
		err = send_fragmented(inst, iovec, iov_len, total);
		inst_put(handle);
		return err;
	}
	iov = calloc((size_t)iov_len + 1, sizeof(*iov));
	if (!iov) {
		inst_put(handle);
		return CS_ERR_NO_MEMORY;
	}
	memset(&req, 0, sizeof(req));
	req.header.id = SYN_CPG_REQ_MCAST;
	req.header.size = (int32_t)(sizeof(req) + total);
	req.guarantee = guarantee;
	req.msglen = (uint32_t)total;
	iov[0] = (struct iovec){.iov_base = &req, .iov_len = sizeof(req)};
	if (iov_len)
		memcpy(iov + 1, iovec, iov_len * sizeof(*iov));
	err = send_gated(inst, iov, (size_t)iov_len + 1, NULL, 0);
	free(iov);
	inst_put(handle);
	return err;
}

cs_error_t cpg_membership_get(cpg_handle_t handle, struct cpg_name *groupName,
			      struct cpg_address *member_list, int *member_list_entries)
{
	struct syn_cpg_req_membership req;
	struct syn_cpg_res_membership *res;
	cs_error_t err;

	if (!groupName || !member_list || !member_list_entries)
		return CS_ERR_INVALID_PARAM;
	if (groupName->length > CPG_MAX_NAME_LENGTH)
		return CS_ERR_NAME_TOO_LONG;
	res = calloc(1, sizeof(*res));
	if (!res)
		return CS_ERR_NO_MEMORY;
	memset(&req, 0, sizeof(req));
	name_put(&req.group_name, groupName);
	err = call(handle, &req, sizeof(req), SYN_CPG_REQ_MEMBERSHIP, res, sizeof(*res));
	if (err == CS_OK) {
		/* corosync copies member_count entries; callers size for CPG_MEMBERS_MAX */
		size_t n = res->member_count;

		if (n > SYN_CPG_PROCESSOR_COUNT_MAX)
			n = SYN_CPG_PROCESSOR_COUNT_MAX;
		*member_list_entries = (int)n;
		to_addresses(member_list, res->member_list, n);
	}
	free(res);
	return err;
}

cs_error_t cpg_local_get(cpg_handle_t handle, unsigned int *local_nodeid)
{
	struct qb_ipc_request_header req;
	struct syn_cpg_res_local_get res;
	cs_error_t err;

	if (!local_nodeid)
		return CS_ERR_INVALID_PARAM;
	memset(&req, 0, sizeof(req));
	err = call(handle, &req, sizeof(req), SYN_CPG_REQ_LOCAL_GET, &res, sizeof(res));
	if (err == CS_OK)
		*local_nodeid = res.local_nodeid;
	return err;
}

/* ---- iteration ------------------------------------------------------ */

cs_error_t cpg_iteration_initialize(cpg_handle_t handle, cpg_iteration_type_t iteration_type,
				    const struct cpg_name *group,
				    cpg_iteration_handle_t *cpg_iteration_handle)
{
	struct syn_cpg_req_iterationinitialize req;
	struct syn_cpg_res_iterationinitialize res;
	struct cpg_iter_inst *it;
	cs_error_t err;

	if (!cpg_iteration_handle || (iteration_type == CPG_ITERATION_ONE_GROUP && !group) ||
	    (iteration_type != CPG_ITERATION_ONE_GROUP && group) ||
	    iteration_type < CPG_ITERATION_NAME_ONLY || iteration_type > CPG_ITERATION_ALL)
		return CS_ERR_INVALID_PARAM;
	if (group && group->length > CPG_MAX_NAME_LENGTH)
		return CS_ERR_NAME_TOO_LONG;
	memset(&req, 0, sizeof(req));
	if (group)
		name_put(&req.group_name, group);
	req.iteration_type = iteration_type;
	err = call(handle, &req, sizeof(req), SYN_CPG_REQ_ITERATIONINITIALIZE, &res, sizeof(res));
	if (err != CS_OK)
		return err;
	err = hdb_error_to_cs(
		qb_hdb_handle_create(&cpg_iter_handles, sizeof(*it), cpg_iteration_handle));
	if (err != CS_OK)
		return err;
	err = hdb_error_to_cs(
		qb_hdb_handle_get(&cpg_iter_handles, *cpg_iteration_handle, (void **)&it));
	if (err != CS_OK)
		return err;
	it->handle = handle;
	it->server_handle = res.iteration_handle;
	qb_hdb_handle_put(&cpg_iter_handles, *cpg_iteration_handle);
	return CS_OK;
}

cs_error_t cpg_iteration_next(cpg_iteration_handle_t handle,
			      struct cpg_iteration_description_t *description)
{
	struct syn_cpg_req_iteration req;
	struct syn_cpg_res_iterationnext res;
	struct cpg_iter_inst *it;
	cs_error_t err;

	if (!description)
		return CS_ERR_INVALID_PARAM;
	err = hdb_error_to_cs(qb_hdb_handle_get(&cpg_iter_handles, handle, (void **)&it));
	if (err != CS_OK)
		return err;
	memset(&req, 0, sizeof(req));
	memset(&res, 0, sizeof(res));
	req.iteration_handle = it->server_handle;
	err = call(it->handle, &req, sizeof(req), SYN_CPG_REQ_ITERATIONNEXT, &res, sizeof(res));
	qb_hdb_handle_put(&cpg_iter_handles, handle);
	if (err != CS_OK)
		return err;
	description->group.length = res.description.group.length;
	memcpy(description->group.value, res.description.group.value, CPG_MAX_NAME_LENGTH);
	description->nodeid = res.description.nodeid;
	description->pid = res.description.pid;
	return CS_OK;
}

cs_error_t cpg_iteration_finalize(cpg_iteration_handle_t handle)
{
	struct syn_cpg_req_iteration req;
	struct qb_ipc_response_header res;
	struct cpg_iter_inst *it;
	cs_error_t err;

	err = hdb_error_to_cs(qb_hdb_handle_get(&cpg_iter_handles, handle, (void **)&it));
	if (err != CS_OK)
		return err;
	memset(&req, 0, sizeof(req));
	req.iteration_handle = it->server_handle;
	err = call(it->handle, &req, sizeof(req), SYN_CPG_REQ_ITERATIONFINALIZE, &res, sizeof(res));
	qb_hdb_handle_put(&cpg_iter_handles, handle);
	if (err == CS_OK)
		qb_hdb_handle_destroy(&cpg_iter_handles, handle);
	return err;
}

/* ---- zero copy ------------------------------------------------------ */

cs_error_t cpg_zcb_alloc(cpg_handle_t handle, size_t size, void **buffer)
{
	struct syn_cpg_req_zc_alloc req;
	struct qb_ipc_response_header res;
	char path[] = "/dev/shm/corosync_zerocopy-XXXXXX";
	size_t map_size = size + SYN_CPG_ZC_HEADER;
	mode_t old = umask(077);
	int fd = mkstemp(path);
	void *base;
	cs_error_t err;

	umask(old);
	if (!buffer)
		return CS_ERR_INVALID_PARAM;
	if (fd < 0)
		return CS_ERR_NO_MEMORY;
	if (ftruncate(fd, (off_t)map_size) != 0) {
		close(fd);
		unlink(path);
		return CS_ERR_NO_MEMORY;
	}
	base = mmap(NULL, map_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (base == MAP_FAILED) {
		unlink(path);
		return CS_ERR_NO_MEMORY;
	}
	memset(&req, 0, sizeof(req));
	req.map_size = map_size;
	memcpy(req.path_to_file, path, sizeof(path));
	err = call(handle, &req, sizeof(req), SYN_CPG_REQ_ZC_ALLOC, &res, sizeof(res));
	unlink(path); /* mapped by both sides now, or by nobody else */
	/* As corosync's library: the transport result only. */
	if (err != CS_ERR_LIBRARY && err != CS_ERR_BAD_HANDLE && err != CS_ERR_TRY_AGAIN)
		err = CS_OK;
	if (err != CS_OK) {
		munmap(base, map_size);
		return err;
	}
	*(int *)base = (int)map_size;
	*buffer = (char *)base + SYN_CPG_ZC_HEADER;
	return CS_OK;
}

cs_error_t cpg_zcb_free(cpg_handle_t handle, void *buffer)
{
	struct syn_cpg_req_zc_free req;
	struct qb_ipc_response_header res;
	char *base;
	cs_error_t err;

	if (!buffer)
		return CS_ERR_INVALID_PARAM;
	base = (char *)buffer - SYN_CPG_ZC_HEADER;
	memset(&req, 0, sizeof(req));
	req.map_size = (uint64_t) * (int *)base;
	memcpy(&req.server_address, base + 8, sizeof(req.server_address));
	err = call(handle, &req, sizeof(req), SYN_CPG_REQ_ZC_FREE, &res, sizeof(res));
	if (err != CS_ERR_LIBRARY && err != CS_ERR_BAD_HANDLE && err != CS_ERR_TRY_AGAIN)
		err = CS_OK;
	if (munmap(base, req.map_size) != 0 && err == CS_OK)
		err = CS_ERR_LIBRARY;
	return err;
}

cs_error_t cpg_zcb_mcast_joined(cpg_handle_t handle, cpg_guarantee_t guarantee, void *msg,
				size_t msg_len)
{
	struct syn_cpg_req_zc_execute req;
	struct qb_ipc_response_header res;
	struct syn_cpg_req_mcast head;
	char *base;

	if (!msg)
		return CS_ERR_INVALID_PARAM;
	if (msg_len > SYN_IPC_BUFFER_SIZE)
		return CS_ERR_TOO_BIG;
	base = (char *)msg - SYN_CPG_ZC_HEADER;
	memset(&head, 0, sizeof(head));
	head.header.id = SYN_CPG_REQ_MCAST;
	head.header.size = (int32_t)(sizeof(head) + msg_len);
	head.guarantee = guarantee;
	head.msglen = (uint32_t)msg_len;
	memcpy(base + 16, &head, sizeof(head));
	memset(&req, 0, sizeof(req));
	memcpy(&req.server_address, base + 8, sizeof(req.server_address));
	return call(handle, &req, sizeof(req), SYN_CPG_REQ_ZC_EXECUTE, &res, sizeof(res));
}
