/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmap.c - libcmap.so.4: the client side of the cmap service, ABI
 * compatible with corosync 3 (shared spec ipc-wire.md section 4).
 *
 * Handles are entries of two process-wide handle databases (libqb hdb):
 * one for connections, one for track instances.  A track instance's
 * handle is what the server echoes in every notification, so events are
 * routed without trusting the server's data; an event for an unknown
 * instance is consumed silently.  The two databases are the library's
 * only process-wide state: a cmap_handle_t must be valid process-wide.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <corosync/cmap.h>

#include "ipc_client.h"
#include "proto/ipc_cmap.h"

struct cmap_inst {
	struct syn_ipcc ipc;
	const void *context;
};

_Static_assert(offsetof(struct cmap_inst, ipc) == 0, "syn_ipcc_handle_* need the connection first");

struct cmap_track_inst {
	cmap_handle_t cmap_handle;
	cmap_notify_fn_t notify_fn;
	void *user_data;
	cmap_track_handle_t track_handle;
};

QB_HDB_DECLARE(cmap_handles, syn_ipcc_instance_free);
QB_HDB_DECLARE(track_handles, NULL);

static cs_error_t inst_get(cmap_handle_t handle, struct cmap_inst **inst)
{
	return hdb_error_to_cs(qb_hdb_handle_get(&cmap_handles, handle, (void **)inst));
}

static void inst_put(cmap_handle_t handle)
{
	qb_hdb_handle_put(&cmap_handles, handle);
}

/* One request/response round trip on a handle. */
static cs_error_t call(cmap_handle_t handle, const struct iovec *iov, unsigned int n, void *res,
		       size_t res_len)
{
	return syn_ipcc_handle_call(&cmap_handles, handle, iov, n, res, res_len);
}

static cs_error_t call1(cmap_handle_t handle, void *req, size_t req_len, void *res, size_t res_len)
{
	struct iovec iov = {.iov_base = req, .iov_len = req_len};

	return call(handle, &iov, 1, res, res_len);
}

static cs_error_t check_key(const char *key_name)
{
	if (!key_name)
		return CS_ERR_INVALID_PARAM;
	if (strlen(key_name) >= SYN_IPC_NAME_MAX)
		return CS_ERR_NAME_TOO_LONG;
	return CS_OK;
}

static void req_header(struct qb_ipc_request_header *h, int32_t id, size_t size)
{
	h->id = id;
	h->size = (int32_t)size;
}

cs_error_t cmap_initialize(cmap_handle_t *handle)
{
	struct cmap_inst *inst;
	cs_error_t err;

	if (!handle)
		return CS_ERR_INVALID_PARAM;
	err = syn_ipcc_handle_open(&cmap_handles, sizeof(*inst), "cmap", handle, (void **)&inst);
	if (err != CS_OK)
		return err;
	inst_put(*handle);
	return CS_OK;
}

cs_error_t cmap_initialize_map(cmap_handle_t *handle, cmap_map_t map)
{
	struct syn_cmap_req_set_current_map req = {0};
	struct qb_ipc_response_header res;
	cs_error_t err = cmap_initialize(handle);

	if (err != CS_OK)
		return err;
	req_header(&req.header, SYN_CMAP_REQ_SET_CURRENT_MAP, sizeof(req));
	req.map = map;
	return call1(*handle, &req, sizeof(req), &res, sizeof(res));
}

/* Drop every local track instance of a connection. */
static void destroy_track_insts(cmap_handle_t handle)
{
	struct cmap_track_inst *t;
	qb_handle_t th;

	qb_hdb_iterator_reset(&track_handles);
	while (qb_hdb_iterator_next(&track_handles, (void **)&t, &th) == 0) {
		if (t->cmap_handle == handle)
			qb_hdb_handle_destroy(&track_handles, th);
		qb_hdb_handle_put(&track_handles, th);
	}
}

cs_error_t cmap_finalize(cmap_handle_t handle)
{
	cs_error_t err = syn_ipcc_handle_close(&cmap_handles, handle);

	if (err == CS_OK)
		destroy_track_insts(handle);
	return err;
}

cs_error_t cmap_fd_get(cmap_handle_t handle, int *fd)
{
	return syn_ipcc_handle_fd(&cmap_handles, handle, fd);
}

cs_error_t cmap_context_get(cmap_handle_t handle, const void **context)
{
	struct cmap_inst *inst;
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

cs_error_t cmap_context_set(cmap_handle_t handle, const void *context)
{
	struct cmap_inst *inst;
	cs_error_t err = inst_get(handle, &inst);

	if (err != CS_OK)
		return err;
	inst->context = context;
	inst_put(handle);
	return CS_OK;
}

struct dispatch_ctx {
	cmap_handle_t handle;
};

static cs_error_t on_event(void *ctx, const void *event, size_t len)
{
	const struct syn_cmap_res_notify *ev = event;
	struct dispatch_ctx *dc = ctx;
	struct cmap_track_inst *t;
	struct cmap_notify_value nv, ov;
	char key[SYN_IPC_NAME_MAX + 1];

	if (ev->header.id != SYN_CMAP_RES_NOTIFY_CALLBACK || len < sizeof(*ev) ||
	    len < sizeof(*ev) + ev->new_value_len + ev->old_value_len)
		return CS_ERR_LIBRARY;
	if (qb_hdb_handle_get(&track_handles, ev->track_inst_handle, (void **)&t) != 0)
		return CS_OK;
	memcpy(key, ev->key_name.value, SYN_IPC_NAME_MAX);
	key[SYN_IPC_NAME_MAX] = '\0';
	/*
	 * Both values point into the message, empty ones too (an empty new
	 * value shares its address with the old one), as corosync's library
	 * does: callers print or copy them without a NULL check.
	 */
	nv.type = ev->new_value_type;
	nv.len = ev->new_value_len;
	nv.data = ev->new_value;
	ov.type = ev->old_value_type;
	ov.len = ev->old_value_len;
	ov.data = ev->new_value + ev->new_value_len;
	t->notify_fn(dc->handle, t->track_handle, ev->event, key, nv, ov, t->user_data);
	qb_hdb_handle_put(&track_handles, ev->track_inst_handle);
	return CS_OK;
}

cs_error_t cmap_dispatch(cmap_handle_t handle, cs_dispatch_flags_t dispatch_types)
{
	struct dispatch_ctx dc = {.handle = handle};
	struct cmap_inst *inst;
	cs_error_t err = inst_get(handle, &inst);

	if (err != CS_OK)
		return err;
	err = syn_ipcc_dispatch(&inst->ipc, dispatch_types, on_event, &dc);
	inst_put(handle);
	return err;
}

cs_error_t cmap_set(cmap_handle_t handle, const char *key_name, const void *value, size_t value_len,
		    cmap_value_types_t type)
{
	struct syn_cmap_req_set req;
	struct qb_ipc_response_header res;
	struct iovec iov[2];
	cs_error_t err = check_key(key_name);

	if (err != CS_OK)
		return err;
	if (!value)
		return CS_ERR_INVALID_PARAM;
	memset(&req, 0, sizeof(req));
	req_header(&req.header, SYN_CMAP_REQ_SET, sizeof(req) + value_len);
	syn_mar_name_set(&req.key_name, key_name);
	req.value_len = value_len;
	req.type = (uint8_t)type;
	iov[0].iov_base = &req;
	iov[0].iov_len = sizeof(req);
	iov[1].iov_base = (void *)value;
	iov[1].iov_len = value_len;
	return call(handle, iov, 2, &res, sizeof(res));
}

#define SYN_CMAP_SETTER(name, ctype, code)                                                         \
	cs_error_t cmap_set_##name(cmap_handle_t handle, const char *key_name, ctype value)        \
	{                                                                                          \
		return cmap_set(handle, key_name, &value, sizeof(value), code);                    \
	}
SYN_CMAP_SETTER(int8, int8_t, CMAP_VALUETYPE_INT8)
SYN_CMAP_SETTER(uint8, uint8_t, CMAP_VALUETYPE_UINT8)
SYN_CMAP_SETTER(int16, int16_t, CMAP_VALUETYPE_INT16)
SYN_CMAP_SETTER(uint16, uint16_t, CMAP_VALUETYPE_UINT16)
SYN_CMAP_SETTER(int32, int32_t, CMAP_VALUETYPE_INT32)
SYN_CMAP_SETTER(uint32, uint32_t, CMAP_VALUETYPE_UINT32)
SYN_CMAP_SETTER(int64, int64_t, CMAP_VALUETYPE_INT64)
SYN_CMAP_SETTER(uint64, uint64_t, CMAP_VALUETYPE_UINT64)
SYN_CMAP_SETTER(float, float, CMAP_VALUETYPE_FLOAT)
SYN_CMAP_SETTER(double, double, CMAP_VALUETYPE_DOUBLE)

cs_error_t cmap_set_string(cmap_handle_t handle, const char *key_name, const char *value)
{
	if (!value)
		return CS_ERR_INVALID_PARAM;
	return cmap_set(handle, key_name, value, strlen(value), CMAP_VALUETYPE_STRING);
}

cs_error_t cmap_delete(cmap_handle_t handle, const char *key_name)
{
	struct syn_cmap_req_delete req;
	struct qb_ipc_response_header res;
	cs_error_t err = check_key(key_name);

	if (err != CS_OK)
		return err;
	memset(&req, 0, sizeof(req));
	req_header(&req.header, SYN_CMAP_REQ_DELETE, sizeof(req));
	syn_mar_name_set(&req.key_name, key_name);
	return call1(handle, &req, sizeof(req), &res, sizeof(res));
}

cs_error_t cmap_get(cmap_handle_t handle, const char *key_name, void *value, size_t *value_len,
		    cmap_value_types_t *type)
{
	struct syn_cmap_req_get req;
	struct syn_cmap_res_get *res;
	uint64_t small[64]; /* responses up to 512 bytes need no allocation */
	size_t cap;
	cs_error_t err = check_key(key_name);

	if (err != CS_OK)
		return err;
	if (value && !value_len)
		return CS_ERR_INVALID_PARAM;
	cap = value ? *value_len : 0;
	res = sizeof(*res) + cap <= sizeof(small) ? (struct syn_cmap_res_get *)small
						  : malloc(sizeof(*res) + cap);
	if (!res)
		return CS_ERR_NO_MEMORY;
	memset(&req, 0, sizeof(req));
	req_header(&req.header, SYN_CMAP_REQ_GET, sizeof(req));
	syn_mar_name_set(&req.key_name, key_name);
	req.value_len = cap;
	err = call1(handle, &req, sizeof(req), res, sizeof(*res) + cap);
	if (err == CS_OK) {
		if (type)
			*type = res->type;
		if (value_len)
			*value_len = res->value_len;
		if (value && res->value_len <= cap)
			memcpy(value, res->value, res->value_len);
	}
	if (res != (struct syn_cmap_res_get *)small)
		free(res);
	return err;
}

/* Read a fixed-size value, insisting on its exact type. */
static cs_error_t get_typed(cmap_handle_t handle, const char *key_name, void *out, size_t size,
			    cmap_value_types_t want)
{
	unsigned char buf[16];
	size_t len = sizeof(buf);
	cmap_value_types_t type;
	cs_error_t err = cmap_get(handle, key_name, buf, &len, &type);

	if (err != CS_OK)
		return err;
	if (type != want)
		return CS_ERR_INVALID_PARAM;
	memcpy(out, buf, size);
	return CS_OK;
}

#define SYN_CMAP_GETTER(name, ctype, code)                                                         \
	cs_error_t cmap_get_##name(cmap_handle_t handle, const char *key_name, ctype *out)         \
	{                                                                                          \
		return get_typed(handle, key_name, out, sizeof(*out), code);                       \
	}
SYN_CMAP_GETTER(int8, int8_t, CMAP_VALUETYPE_INT8)
SYN_CMAP_GETTER(uint8, uint8_t, CMAP_VALUETYPE_UINT8)
SYN_CMAP_GETTER(int16, int16_t, CMAP_VALUETYPE_INT16)
SYN_CMAP_GETTER(uint16, uint16_t, CMAP_VALUETYPE_UINT16)
SYN_CMAP_GETTER(int32, int32_t, CMAP_VALUETYPE_INT32)
SYN_CMAP_GETTER(uint32, uint32_t, CMAP_VALUETYPE_UINT32)
SYN_CMAP_GETTER(int64, int64_t, CMAP_VALUETYPE_INT64)
SYN_CMAP_GETTER(uint64, uint64_t, CMAP_VALUETYPE_UINT64)
SYN_CMAP_GETTER(float, float, CMAP_VALUETYPE_FLOAT)
SYN_CMAP_GETTER(double, double, CMAP_VALUETYPE_DOUBLE)

cs_error_t cmap_get_string(cmap_handle_t handle, const char *key_name, char **str)
{
	size_t len = 0;
	cmap_value_types_t type;
	cs_error_t err;
	char *buf;

	if (!str)
		return CS_ERR_INVALID_PARAM;
	err = cmap_get(handle, key_name, NULL, &len, &type);
	if (err != CS_OK)
		return err;
	if (type != CMAP_VALUETYPE_STRING)
		return CS_ERR_INVALID_PARAM;
	buf = malloc(len ? len : 1);
	if (!buf)
		return CS_ERR_NO_MEMORY;
	err = cmap_get(handle, key_name, buf, &len, &type);
	if (err != CS_OK || type != CMAP_VALUETYPE_STRING) {
		free(buf);
		return err != CS_OK ? err : CS_ERR_INVALID_PARAM;
	}
	buf[len ? len - 1 : 0] = '\0';
	*str = buf;
	return CS_OK;
}

static cs_error_t adjust(cmap_handle_t handle, const char *key_name, int32_t step)
{
	struct syn_cmap_req_adjust_int req;
	struct qb_ipc_response_header res;
	cs_error_t err = check_key(key_name);

	if (err != CS_OK)
		return err;
	memset(&req, 0, sizeof(req));
	req_header(&req.header, SYN_CMAP_REQ_ADJUST_INT, sizeof(req));
	syn_mar_name_set(&req.key_name, key_name);
	req.step = step;
	return call1(handle, &req, sizeof(req), &res, sizeof(res));
}

cs_error_t cmap_inc(cmap_handle_t handle, const char *key_name)
{
	return adjust(handle, key_name, 1);
}

cs_error_t cmap_dec(cmap_handle_t handle, const char *key_name)
{
	return adjust(handle, key_name, -1);
}

cs_error_t cmap_iter_init(cmap_handle_t handle, const char *prefix,
			  cmap_iter_handle_t *cmap_iter_handle)
{
	struct syn_cmap_req_iter_init req;
	struct syn_cmap_res_iter_init res;
	cs_error_t err;

	if (!cmap_iter_handle)
		return CS_ERR_INVALID_PARAM;
	memset(&req, 0, sizeof(req));
	if (prefix) {
		if (strlen(prefix) >= SYN_IPC_NAME_MAX)
			return CS_ERR_NAME_TOO_LONG;
		syn_mar_name_set(&req.prefix, prefix);
	}
	req_header(&req.header, SYN_CMAP_REQ_ITER_INIT, sizeof(req));
	err = call1(handle, &req, sizeof(req), &res, sizeof(res));
	if (err == CS_OK)
		*cmap_iter_handle = res.iter_handle;
	return err;
}

cs_error_t cmap_iter_next(cmap_handle_t handle, cmap_iter_handle_t iter_handle, char key_name[],
			  size_t *value_len, cmap_value_types_t *type)
{
	struct syn_cmap_req_iter req = {0};
	struct syn_cmap_res_iter_next res;
	cs_error_t err;

	if (!key_name)
		return CS_ERR_INVALID_PARAM;
	req_header(&req.header, SYN_CMAP_REQ_ITER_NEXT, sizeof(req));
	req.iter_handle = iter_handle;
	err = call1(handle, &req, sizeof(req), &res, sizeof(res));
	if (err == CS_OK) {
		size_t n = strnlen((const char *)res.key_name.value, CMAP_KEYNAME_MAXLEN);
		memcpy(key_name, res.key_name.value, n);
		key_name[n] = '\0';
		if (value_len)
			*value_len = res.value_len;
		if (type)
			*type = res.type;
	}
	return err;
}

cs_error_t cmap_iter_finalize(cmap_handle_t handle, cmap_iter_handle_t iter_handle)
{
	struct syn_cmap_req_iter req = {0};
	struct qb_ipc_response_header res;

	req_header(&req.header, SYN_CMAP_REQ_ITER_FINALIZE, sizeof(req));
	req.iter_handle = iter_handle;
	return call1(handle, &req, sizeof(req), &res, sizeof(res));
}

cs_error_t cmap_track_add(cmap_handle_t handle, const char *key_name, int32_t track_type,
			  cmap_notify_fn_t notify_fn, void *user_data,
			  cmap_track_handle_t *cmap_track_handle)
{
	struct syn_cmap_req_track_add req;
	struct syn_cmap_res_track_add res;
	struct cmap_track_inst *t;
	qb_handle_t th;
	cs_error_t err;

	if (!cmap_track_handle || !notify_fn)
		return CS_ERR_INVALID_PARAM;
	memset(&req, 0, sizeof(req));
	if (key_name) {
		if (strlen(key_name) >= SYN_IPC_NAME_MAX)
			return CS_ERR_NAME_TOO_LONG;
		syn_mar_name_set(&req.key_name, key_name);
	}
	err = hdb_error_to_cs(qb_hdb_handle_create(&track_handles, sizeof(*t), &th));
	if (err != CS_OK)
		return err;
	qb_hdb_handle_get(&track_handles, th, (void **)&t);
	t->cmap_handle = handle;
	t->notify_fn = notify_fn;
	t->user_data = user_data;
	req_header(&req.header, SYN_CMAP_REQ_TRACK_ADD, sizeof(req));
	req.track_type = track_type;
	req.track_inst_handle = th;
	err = call1(handle, &req, sizeof(req), &res, sizeof(res));
	if (err == CS_OK) {
		t->track_handle = res.track_handle;
		*cmap_track_handle = res.track_handle;
	} else {
		qb_hdb_handle_destroy(&track_handles, th);
	}
	qb_hdb_handle_put(&track_handles, th);
	return err;
}

cs_error_t cmap_track_delete(cmap_handle_t handle, cmap_track_handle_t track_handle)
{
	struct syn_cmap_req_track_delete req = {0};
	struct syn_cmap_res_track_delete res;
	cs_error_t err;

	req_header(&req.header, SYN_CMAP_REQ_TRACK_DELETE, sizeof(req));
	req.track_handle = track_handle;
	err = call1(handle, &req, sizeof(req), &res, sizeof(res));
	if (err == CS_OK)
		qb_hdb_handle_destroy(&track_handles, res.track_inst_handle);
	return err;
}
