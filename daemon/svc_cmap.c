/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svc_cmap.c - the cmap service (shared spec ipc-wire.md section 4).
 *
 * Every connection works on one map, chosen by SET_CURRENT_MAP before it
 * opens iterators or trackers: the default map (the daemon's store) or
 * the stats map (a second store the daemon keeps current).  Iterator and
 * tracker handles are per connection, at most SYN_CMAP_CONN_ITERS_MAX
 * and SYN_CMAP_CONN_TRACKS_MAX open at once (corosync's handle database
 * holds 65,536 of each and answers CS_ERR_LIBRARY beyond); a closing
 * connection's iterators and trackers are freed with it, and the heap is
 * trimmed when that gave back much memory.  Notifications are built here
 * from the store's callbacks and queued as events, in the order the
 * store delivers them.
 *
 * Stats map rules: writes only to stats.clear.<group>; prefix trackers
 * must ask for ADD and DELETE and get only those (keys appear and
 * disappear with connections); exact trackers get MODIFY with the true
 * old value as the daemon refreshes counters.
 */
#include "svc_cmap.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <corosync/corotypes.h>

#include "cs_errno.h"
#include "proto/ipc_cmap.h"

struct syn_svc_cmap {
	struct syn_store *icmap;
	struct syn_store *stats;
	struct syn_ipc *ipc;
};

struct cmap_iter {
	struct cmap_iter *next;
	uint64_t handle;
	struct syn_store_iter *it;
};

struct cmap_track {
	struct cmap_track *next;
	uint64_t handle;
	uint64_t inst_handle;
	struct syn_conn *conn;
	struct syn_store *store;
	struct syn_store_tracker *tracker;
	bool prefix_add_delete_only;
	bool stats_map; /* additions and deletions carry the value as both */
};

struct cmap_conn {
	bool stats_map;
	uint64_t next_handle;
	struct cmap_iter *iters;
	struct cmap_track *tracks;
	size_t n_iters;
	size_t n_tracks;
};

/* Closing a connection that held this many handles trims the heap. */
#define TRIM_HANDLES 1024

static const size_t min_request_size[SYN_CMAP_REQ_COUNT] = {
	[SYN_CMAP_REQ_SET] = sizeof(struct syn_cmap_req_set),
	[SYN_CMAP_REQ_DELETE] = sizeof(struct syn_cmap_req_delete),
	[SYN_CMAP_REQ_GET] = sizeof(struct syn_cmap_req_get),
	[SYN_CMAP_REQ_ADJUST_INT] = sizeof(struct syn_cmap_req_adjust_int),
	[SYN_CMAP_REQ_ITER_INIT] = sizeof(struct syn_cmap_req_iter_init),
	[SYN_CMAP_REQ_ITER_NEXT] = sizeof(struct syn_cmap_req_iter),
	[SYN_CMAP_REQ_ITER_FINALIZE] = sizeof(struct syn_cmap_req_iter),
	[SYN_CMAP_REQ_TRACK_ADD] = sizeof(struct syn_cmap_req_track_add),
	[SYN_CMAP_REQ_TRACK_DELETE] = sizeof(struct syn_cmap_req_track_delete),
	[SYN_CMAP_REQ_SET_CURRENT_MAP] = sizeof(struct syn_cmap_req_set_current_map),
};

static const char *const read_only_prefixes[] = {
	"internal_configuration.", "runtime.services.", "runtime.config.", "runtime.totem.",
	"uidgid.config.",	   "system.",		"nodelist.",
};

static const char *const read_only_keys[] = {
	"totem.crypto_cipher",
	"totem.crypto_hash",
	"totem.crypto_model",
	"totem.keyfile",
	"totem.key",
	"totem.secauth",
	"totem.ip_version",
	"totem.rrp_mode",
	"totem.transport",
	"totem.cluster_name",
	"totem.netmtu",
	"totem.threads",
	"totem.version",
	"totem.nodeid",
	"totem.clear_node_high_bit",
	"config.reload_in_progress",
	"config.totemconfig_reload_in_progress",
	"nodelist.local_node_pos",
};

static const char *const votequorum_read_only_keys[] = {
	"quorum.allow_downscale",	  "quorum.wait_for_all",
	"quorum.last_man_standing",	  "quorum.last_man_standing_window",
	"quorum.expected_votes_tracking", "quorum.auto_tie_breaker",
	"quorum.auto_tie_breaker_node",
};

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

static bool in_list(const char *const *list, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], key) == 0)
			return true;
	return false;
}

bool syn_svc_cmap_key_read_only(const struct syn_store *icmap, const char *key)
{
	const char *provider;

	for (size_t i = 0; i < N_ELEM(read_only_prefixes); i++)
		if (strncmp(key, read_only_prefixes[i], strlen(read_only_prefixes[i])) == 0)
			return true;
	if (in_list(read_only_keys, N_ELEM(read_only_keys), key))
		return true;
	return syn_store_get_str(icmap, "quorum.provider", &provider) == 0 &&
	       strcmp(provider, "corosync_votequorum") == 0 &&
	       in_list(votequorum_read_only_keys, N_ELEM(votequorum_read_only_keys), key);
}

/*
 * cmap's answers: unknown failures are CS_ERR_LIBRARY, and so is -EMFILE
 * (corosync's answer when its handle database is full).
 */
static cs_error_t cmap_error(int rc)
{
	return rc == -EMFILE ? CS_ERR_LIBRARY : syn_cs_error(rc, CS_ERR_LIBRARY);
}

static struct syn_store *conn_store(struct syn_svc_cmap *svc, const struct cmap_conn *cc)
{
	return cc->stats_map ? svc->stats : svc->icmap;
}

/* Key name of a request, NUL-terminated inside its 256 bytes, or NULL. */
static const char *req_key(const struct syn_mar_name *name)
{
	return syn_mar_name_valid(name) ? (const char *)name->value : NULL;
}

/* stats.clear.<group>: clear it.  -EACCES outside stats.clear. */
static int stats_clear(struct syn_svc_cmap *svc, const char *key)
{
	static const char *const groups[] = {"stats.clear.knet", "stats.clear.ipc",
					     "stats.clear.totem", "stats.clear.schedmiss",
					     "stats.clear.all"};
	size_t i;

	if (strncmp(key, "stats.clear.", 12) != 0)
		return -EACCES;
	for (i = 0; i < N_ELEM(groups); i++)
		if (strncmp(key, groups[i], strlen(groups[i])) == 0)
			break;
	if (i == N_ELEM(groups))
		return -EOPNOTSUPP;
	if (i == 0 || i == 4)
		syn_ipc_stats_clear_knet(svc->ipc);
	if (i == 1 || i == 4)
		syn_ipc_stats_clear(svc->ipc);
	return 0;
}

static int handle_set(struct syn_svc_cmap *svc, struct cmap_conn *cc, const void *msg, size_t len)
{
	const struct syn_cmap_req_set *req = msg;
	const char *key = req_key(&req->key_name);

	if (!key || req->value_len > SYN_CMAP_VALUE_MAX || len != sizeof(*req) + req->value_len)
		return -EINVAL;
	if (cc->stats_map)
		return stats_clear(svc, key);
	if (syn_svc_cmap_key_read_only(svc->icmap, key))
		return -EACCES;
	return syn_store_set(svc->icmap, key, req->value, req->value_len, req->type);
}

static int handle_delete(struct syn_svc_cmap *svc, struct cmap_conn *cc, const void *msg)
{
	const struct syn_cmap_req_delete *req = msg;
	const char *key = req_key(&req->key_name);

	if (!key)
		return -ENOENT;
	if (cc->stats_map)
		return strncmp(key, "stats.clear.", 12) == 0 ? -EOPNOTSUPP : -EACCES;
	if (syn_svc_cmap_key_read_only(svc->icmap, key))
		return -EACCES;
	return syn_store_delete(svc->icmap, key);
}

static int handle_adjust(struct syn_svc_cmap *svc, struct cmap_conn *cc, const void *msg)
{
	const struct syn_cmap_req_adjust_int *req = msg;
	const char *key = req_key(&req->key_name);

	if (!key)
		return -ENOENT;
	if (cc->stats_map)
		return strncmp(key, "stats.clear.", 12) == 0 ? -EOPNOTSUPP : -EACCES;
	if (syn_svc_cmap_key_read_only(svc->icmap, key))
		return -EACCES;
	return syn_store_adjust(svc->icmap, key, req->step);
}

static void handle_get(struct syn_svc_cmap *svc, struct syn_conn *conn, struct cmap_conn *cc,
		       const void *msg)
{
	const struct syn_cmap_req_get *req = msg;
	const char *key = req_key(&req->key_name);
	struct syn_cmap_res_get head, *res;
	uint64_t small[512]; /* responses up to 4 KiB are built here */
	struct syn_value v;
	size_t cap = req->value_len, res_len;
	int rc;

	if (key && cc->stats_map)
		syn_ipc_stats_refresh(svc->ipc, key);
	rc = key ? syn_store_get(conn_store(svc, cc), key, &v) : -ENOENT;
	if (rc == 0 && cap > 0 && cap < v.len)
		rc = -EINVAL;
	memset(&head, 0, sizeof(head));
	head.header.id = SYN_CMAP_RES_GET;
	if (rc != 0 || cap == 0) {
		head.header.size = sizeof(head);
		head.header.error = cmap_error(rc);
		if (rc == 0) {
			head.value_len = v.len;
			head.type = v.type;
		}
		syn_conn_respond(conn, &head, sizeof(head));
		return;
	}
	/* Fill the client's whole buffer, as corosync does, within the channel size. */
	if (cap > SYN_IPC_BUFFER_SIZE / 2)
		cap = v.len;
	res_len = sizeof(*res) + cap;
	res = res_len <= sizeof(small) ? (struct syn_cmap_res_get *)small : malloc(res_len);
	if (!res) {
		head.header.size = sizeof(head);
		head.header.error = CS_ERR_NO_MEMORY;
		syn_conn_respond(conn, &head, sizeof(head));
		return;
	}
	memset(res, 0, res_len);
	res->header.id = SYN_CMAP_RES_GET;
	res->header.size = (int32_t)res_len;
	res->header.error = CS_OK;
	res->value_len = v.len;
	res->type = v.type;
	if (v.len)
		memcpy(res->value, v.data, v.len);
	syn_conn_respond(conn, res, res_len);
	if (res != (struct syn_cmap_res_get *)small)
		free(res);
}

static void handle_iter_init(struct syn_svc_cmap *svc, struct syn_conn *conn, struct cmap_conn *cc,
			     const void *msg)
{
	const struct syn_cmap_req_iter_init *req = msg;
	const char *prefix = req_key(&req->prefix);
	struct syn_cmap_res_iter_init res;
	struct cmap_iter *ci = NULL;

	memset(&res, 0, sizeof(res));
	res.header.id = SYN_CMAP_RES_ITER_INIT;
	res.header.size = sizeof(res);
	res.header.error = CS_ERR_NO_SECTIONS;
	if (prefix && cc->n_iters >= SYN_CMAP_CONN_ITERS_MAX)
		res.header.error = CS_ERR_LIBRARY;
	else if (prefix)
		ci = calloc(1, sizeof(*ci));
	if (ci) {
		ci->it = syn_store_iter_create(conn_store(svc, cc), prefix);
		if (!ci->it) {
			free(ci);
			ci = NULL;
		}
	}
	if (ci) {
		ci->handle = ++cc->next_handle;
		ci->next = cc->iters;
		cc->iters = ci;
		cc->n_iters++;
		res.iter_handle = ci->handle;
		res.header.error = CS_OK;
	}
	syn_conn_respond(conn, &res, sizeof(res));
}

static struct cmap_iter **find_iter(struct cmap_conn *cc, uint64_t handle)
{
	struct cmap_iter **p = &cc->iters;

	while (*p && (*p)->handle != handle)
		p = &(*p)->next;
	return *p ? p : NULL;
}

static void handle_iter_next(struct syn_conn *conn, struct cmap_conn *cc, const void *msg)
{
	const struct syn_cmap_req_iter *req = msg;
	struct cmap_iter **p = find_iter(cc, req->iter_handle);
	struct syn_cmap_res_iter_next res;
	const char *key;
	struct syn_value v;

	memset(&res, 0, sizeof(res));
	res.header.id = SYN_CMAP_RES_ITER_NEXT;
	res.header.size = sizeof(res);
	if (!p) {
		res.header.error = CS_ERR_BAD_HANDLE;
	} else if (syn_store_iter_next((*p)->it, &key, &v) != 0) {
		res.header.error = CS_ERR_NO_SECTIONS;
	} else {
		res.header.error = CS_OK;
		syn_mar_name_set(&res.key_name, key);
		res.value_len = v.len;
		res.type = v.type;
	}
	syn_conn_respond(conn, &res, sizeof(res));
}

static int handle_iter_finalize(struct cmap_conn *cc, const void *msg)
{
	const struct syn_cmap_req_iter *req = msg;
	struct cmap_iter **p = find_iter(cc, req->iter_handle);
	struct cmap_iter *ci;

	if (!p)
		return -EBADF;
	ci = *p;
	*p = ci->next;
	cc->n_iters--;
	syn_store_iter_destroy(ci->it);
	free(ci);
	return 0;
}

static void send_notification(void *ctx, struct syn_store_tracker *tracker, int event,
			      const char *key, const struct syn_value *nv,
			      const struct syn_value *ov)
{
	struct cmap_track *t = ctx;
	struct syn_cmap_res_notify ev;
	struct iovec iov[3];

	(void)tracker;
	if (t->prefix_add_delete_only && event == SYN_TRACK_MODIFY)
		return;
	/*
	 * corosync's stats map reads the key's value when it notifies and
	 * hands it over as both the new and the old value, for every event.
	 */
	if (t->stats_map && event == SYN_TRACK_DELETE)
		nv = ov;
	else if (t->stats_map)
		ov = nv;
	memset(&ev, 0, sizeof(ev));
	ev.header.id = SYN_CMAP_RES_NOTIFY_CALLBACK;
	ev.header.size = (int32_t)(sizeof(ev) + nv->len + ov->len);
	ev.header.error = CS_OK;
	ev.track_inst_handle = t->inst_handle;
	syn_mar_name_set(&ev.key_name, key);
	ev.event = event;
	ev.new_value_type = nv->type;
	ev.old_value_type = ov->type;
	ev.new_value_len = nv->len;
	ev.old_value_len = ov->len;
	iov[0].iov_base = &ev;
	iov[0].iov_len = sizeof(ev);
	iov[1].iov_base = (void *)nv->data;
	iov[1].iov_len = nv->len;
	iov[2].iov_base = (void *)ov->data;
	iov[2].iov_len = ov->len;
	syn_conn_event(t->conn, iov, 3);
}

static void handle_track_add(struct syn_svc_cmap *svc, struct syn_conn *conn, struct cmap_conn *cc,
			     const void *msg)
{
	const struct syn_cmap_req_track_add *req = msg;
	const char *key = req_key(&req->key_name);
	struct syn_cmap_res_track_add res;
	struct cmap_track *t = NULL;
	int32_t type = req->track_type;
	int rc = key ? 0 : -EINVAL;

	if (rc == 0 && (type & ~0x0F))
		rc = -EINVAL;
	if (rc == 0 && cc->stats_map && (type & SYN_TRACK_PREFIX) &&
	    (type & (SYN_TRACK_ADD | SYN_TRACK_DELETE)) != (SYN_TRACK_ADD | SYN_TRACK_DELETE))
		rc = -EOPNOTSUPP;
	if (rc == 0 && cc->n_tracks >= SYN_CMAP_CONN_TRACKS_MAX)
		rc = -EMFILE;
	if (rc == 0) {
		t = calloc(1, sizeof(*t));
		rc = t ? 0 : -ENOMEM;
	}
	if (rc == 0) {
		t->conn = conn;
		t->store = conn_store(svc, cc);
		t->inst_handle = req->track_inst_handle;
		t->prefix_add_delete_only = cc->stats_map && (type & SYN_TRACK_PREFIX);
		t->stats_map = cc->stats_map;
		/* the first change is reported against the value now, as corosync does */
		if (cc->stats_map && !(type & SYN_TRACK_PREFIX))
			syn_ipc_stats_refresh(svc->ipc, key);
		rc = syn_store_track_add(t->store, key, type, send_notification, t, &t->tracker);
	}
	memset(&res, 0, sizeof(res));
	res.header.id = SYN_CMAP_RES_TRACK_ADD;
	res.header.size = sizeof(res);
	if (rc == 0) {
		t->handle = ++cc->next_handle;
		t->next = cc->tracks;
		cc->tracks = t;
		cc->n_tracks++;
		res.track_handle = t->handle;
	} else {
		free(t);
	}
	res.header.error = cmap_error(rc);
	syn_conn_respond(conn, &res, sizeof(res));
}

static void handle_track_delete(struct syn_conn *conn, struct cmap_conn *cc, const void *msg)
{
	const struct syn_cmap_req_track_delete *req = msg;
	struct syn_cmap_res_track_delete res;
	struct cmap_track **p = &cc->tracks;

	while (*p && (*p)->handle != req->track_handle)
		p = &(*p)->next;
	memset(&res, 0, sizeof(res));
	res.header.id = SYN_CMAP_RES_TRACK_DELETE;
	res.header.size = sizeof(res);
	res.header.error = CS_ERR_BAD_HANDLE;
	if (*p) {
		struct cmap_track *t = *p;
		*p = t->next;
		cc->n_tracks--;
		res.track_inst_handle = t->inst_handle;
		res.header.error = CS_OK;
		syn_store_track_delete(t->store, t->tracker);
		free(t);
	}
	syn_conn_respond(conn, &res, sizeof(res));
}

static int handle_set_current_map(struct cmap_conn *cc, const void *msg)
{
	const struct syn_cmap_req_set_current_map *req = msg;

	if (cc->iters || cc->tracks)
		return -EBUSY;
	if (req->map != 0 && req->map != 1)
		return -ENOENT;
	cc->stats_map = req->map == 1;
	return 0;
}

void syn_svc_cmap_request(void *svc_ptr, struct syn_conn *conn, void *priv, int32_t id,
			  const void *msg, size_t len)
{
	struct syn_svc_cmap *svc = svc_ptr;
	struct cmap_conn *cc = priv;
	int rc;

	if (cc->stats_map && id == SYN_CMAP_REQ_ITER_NEXT)
		syn_ipc_stats_refresh(svc->ipc, NULL);
	switch (id) {
	case SYN_CMAP_REQ_SET:
		rc = handle_set(svc, cc, msg, len);
		if (rc == -EINVAL)
			syn_conn_count_invalid(conn);
		break;
	case SYN_CMAP_REQ_DELETE:
		rc = handle_delete(svc, cc, msg);
		break;
	case SYN_CMAP_REQ_ADJUST_INT:
		rc = handle_adjust(svc, cc, msg);
		break;
	case SYN_CMAP_REQ_ITER_FINALIZE:
		rc = handle_iter_finalize(cc, msg);
		break;
	case SYN_CMAP_REQ_SET_CURRENT_MAP:
		syn_conn_respond_error(conn, SYN_CMAP_RES_SET_CURRENT_MAP,
				       cmap_error(handle_set_current_map(cc, msg)));
		return;
	case SYN_CMAP_REQ_GET:
		handle_get(svc, conn, cc, msg);
		return;
	case SYN_CMAP_REQ_ITER_INIT:
		handle_iter_init(svc, conn, cc, msg);
		return;
	case SYN_CMAP_REQ_ITER_NEXT:
		handle_iter_next(conn, cc, msg);
		return;
	case SYN_CMAP_REQ_TRACK_ADD:
		handle_track_add(svc, conn, cc, msg);
		return;
	case SYN_CMAP_REQ_TRACK_DELETE:
		handle_track_delete(conn, cc, msg);
		return;
	default:
		syn_conn_respond_error(conn, 0, CS_ERR_INVALID_PARAM);
		return;
	}
	syn_conn_respond_error(conn, id, rc == -EBADF ? CS_ERR_BAD_HANDLE : cmap_error(rc));
}

static void cmap_closed(void *svc_ptr, struct syn_conn *conn, void *priv)
{
	struct cmap_conn *cc = priv;
	bool trim = cc->n_iters + cc->n_tracks >= TRIM_HANDLES;

	(void)svc_ptr, (void)conn;
	while (cc->iters) {
		struct cmap_iter *ci = cc->iters;
		cc->iters = ci->next;
		syn_store_iter_destroy(ci->it);
		free(ci);
	}
	while (cc->tracks) {
		struct cmap_track *t = cc->tracks;
		cc->tracks = t->next;
		syn_store_track_delete(t->store, t->tracker);
		free(t);
	}
	cc->n_iters = cc->n_tracks = 0;
	/* Give the memory of thousands of small objects back to the system. */
	if (trim)
		malloc_trim(0);
}

static const struct syn_service_def cmap_def = {
	.name = "cmap",
	.id = 0,
	.priv_size = sizeof(struct cmap_conn),
	.n_requests = SYN_CMAP_REQ_COUNT,
	.min_request_size = min_request_size,
	.request = syn_svc_cmap_request,
	.closed = cmap_closed,
};

const struct syn_service_def *syn_svc_cmap_def(void)
{
	return &cmap_def;
}

struct syn_svc_cmap *syn_svc_cmap_create(struct syn_store *icmap, struct syn_store *stats,
					 struct syn_ipc *ipc)
{
	struct syn_svc_cmap *svc = calloc(1, sizeof(*svc));

	if (!svc)
		return NULL;
	svc->icmap = icmap;
	svc->stats = stats;
	svc->ipc = ipc;
	return svc;
}

void syn_svc_cmap_destroy(struct syn_svc_cmap *svc)
{
	free(svc);
}

static void cmap_fini(void *ctx)
{
	syn_svc_cmap_destroy(ctx);
}

enum syn_start_result syn_svc_cmap_start(const struct syn_service_env *env, struct syn_service *out)
{
	struct syn_svc_cmap *svc = syn_svc_cmap_create(env->icmap, env->stats, env->ipc);

	if (!svc)
		return SYN_START_FAILED;
	*out = (struct syn_service){
		.name = "cmap", .ipc = syn_svc_cmap_def(), .ctx = svc, .fini = cmap_fini};
	return SYN_START_OK;
}
