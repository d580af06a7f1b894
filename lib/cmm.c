/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmm.c - libcgha_cmm: the CMM client API over the daemon's "cmm" IPC
 * service (proto/ipc_cmm.h).
 *
 * Process-wide state (the API has no handles): a request connection
 * opened implicitly by the first call, the timeout, and the notification
 * side (a second connection, the callback, the filter).  Requests are
 * serialised by one mutex and bounded by the process timeout; a request
 * that times out or breaks drops the request connection so the next call
 * reconnects.  Notifications are read only by cmm_notify_dispatch(), which
 * evaluates the filter when it processes each one.  Closing the
 * notification connection while a dispatch runs (from the callback or
 * another thread) is deferred until that dispatch returns.  A fork()ed
 * child starts with no connection, no registration and the default
 * timeout; the descriptors it inherited are closed.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/uio.h>
#include <qb/qbipcc.h>
#include <cmm.h>

#include "proto/ipc_cmm.h"

#define CMM_DEFAULT_TIMEOUT_MS 5000
#define CMM_FILTER_ALL 0x7ffu /* one bit per kind 250..260 */
#define CMM_IPC_BUF (SYN_CMM_QUERY_MAX * sizeof(cmm_member_t) + 4096)

struct cmm_lib {
	pthread_mutex_t lock;	       /* everything below but dispatch_* */
	pthread_mutex_t dispatch_lock; /* one dispatch at a time */
	pid_t pid;
	qb_ipcc_connection_t *req;
	qb_ipcc_connection_t *notif;
	int64_t timeout_ms;
	cmm_notify_t callback;
	void *client_data;
	bool registered;
	bool subscribed;
	bool notif_broken;
	bool close_pending; /* close notif when the running dispatch ends */
	bool dispatching;
	pthread_t dispatch_thread;
	uint32_t filter;
};

/* The library's only process-wide state. */
static struct cmm_lib lib = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.dispatch_lock = PTHREAD_MUTEX_INITIALIZER,
	.timeout_ms = CMM_DEFAULT_TIMEOUT_MS,
	.filter = CMM_FILTER_ALL,
};
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void close_conn_fd(qb_ipcc_connection_t *c)
{
	int fd;

	if (c && qb_ipcc_fd_get(c, &fd) == 0)
		close(fd);
}

/* In the child: forget the parent's connections without talking to them. */
static void atfork_child(void)
{
	close_conn_fd(lib.req);
	close_conn_fd(lib.notif);
	pthread_mutex_init(&lib.lock, NULL);
	pthread_mutex_init(&lib.dispatch_lock, NULL);
	lib.req = lib.notif = NULL;
	lib.timeout_ms = CMM_DEFAULT_TIMEOUT_MS;
	lib.callback = NULL;
	lib.client_data = NULL;
	lib.registered = lib.subscribed = lib.notif_broken = false;
	lib.close_pending = lib.dispatching = false;
	lib.filter = CMM_FILTER_ALL;
	lib.pid = getpid();
}

static void register_atfork(void)
{
	pthread_atfork(NULL, NULL, atfork_child);
	lib.pid = getpid();
}

static void lock(void)
{
	pthread_once(&atfork_once, register_atfork);
	pthread_mutex_lock(&lib.lock);
}

static void unlock(void)
{
	pthread_mutex_unlock(&lib.lock);
}

static void drop_req(void)
{
	if (lib.req)
		qb_ipcc_disconnect(lib.req);
	lib.req = NULL;
}

static void drop_notif(void)
{
	if (lib.dispatching) {
		lib.close_pending = true;
		return;
	}
	if (lib.notif)
		qb_ipcc_disconnect(lib.notif);
	lib.notif = NULL;
	lib.subscribed = false;
	lib.notif_broken = false;
}

static cmm_error_t open_conn(qb_ipcc_connection_t **out)
{
	*out = qb_ipcc_connect(SYN_CMM_IPC_NAME, CMM_IPC_BUF);
	if (*out)
		return CMM_OK;
	return errno == EAGAIN || errno == EBUSY ? CMM_EBUSY : CMM_ECONN;
}

/* One round trip on conn; with the lock held. */
static cmm_error_t call_on(qb_ipcc_connection_t *conn, void *req, size_t req_len, void *res,
			   size_t res_len, int64_t timeout_ms)
{
	struct iovec iov = {.iov_base = req, .iov_len = req_len};
	int32_t err;
	ssize_t rc;

	((struct qb_ipc_request_header *)req)->size = (int32_t)req_len;
	do {
		rc = qb_ipcc_sendv_recv(conn, &iov, 1, res, res_len, (int32_t)timeout_ms);
	} while (rc == -EINTR);
	if (rc == -ETIMEDOUT || rc == -EAGAIN)
		return CMM_ETIMEDOUT;
	if (rc < 0)
		return CMM_ECONN;
	if ((size_t)rc < sizeof(struct qb_ipc_response_header))
		return CMM_ENOTSUP;
	err = ((struct qb_ipc_response_header *)res)->error;
	if (err > 0 || err < CMM_EBADF)
		return CMM_ENOTSUP;
	return (cmm_error_t)err;
}

/* Request on the (implicitly opened) request connection; lock held. */
static cmm_error_t call(void *req, size_t req_len, void *res, size_t res_len)
{
	cmm_error_t err = CMM_OK;

	if (!lib.req)
		err = open_conn(&lib.req);
	if (err != CMM_OK)
		return err;
	err = call_on(lib.req, req, req_len, res, res_len, lib.timeout_ms);
	if (err == CMM_ETIMEDOUT || err == CMM_ECONN)
		drop_req();
	return err;
}

static cmm_error_t hello(uint32_t *nodeid, int64_t timeout_ms)
{
	struct syn_cmm_req_hello req = {.header.id = SYN_CMM_REQ_HELLO,
					.version = SYN_CMM_PROTO_VERSION};
	struct syn_cmm_res_hello res = {0};
	cmm_error_t err = CMM_OK;

	if (!lib.req)
		err = open_conn(&lib.req);
	if (err == CMM_OK)
		err = call_on(lib.req, &req, sizeof(req), &res, sizeof(res), timeout_ms);
	if (err == CMM_ETIMEDOUT || err == CMM_ECONN)
		drop_req();
	if (err == CMM_OK && nodeid)
		*nodeid = res.nodeid;
	return err;
}

cmm_error_t cmm_connect(const timespec_t timeout)
{
	int64_t ms;
	cmm_error_t err;

	if (timeout.tv_sec < 0 || timeout.tv_nsec < 0 || timeout.tv_nsec >= 1000000000L ||
	    (timeout.tv_sec == 0 && timeout.tv_nsec == 0))
		return CMM_EINVAL;
	ms = (int64_t)timeout.tv_sec * 1000 + (timeout.tv_nsec + 999999) / 1000000;
	if (ms > INT32_MAX)
		ms = INT32_MAX;
	lock();
	err = hello(NULL, lib.timeout_ms);
	if (err == CMM_OK)
		lib.timeout_ms = ms;
	unlock();
	return err;
}

cmm_error_t cmm_disconnect(void)
{
	lock();
	drop_req();
	drop_notif();
	lib.registered = false;
	lib.callback = NULL;
	lib.client_data = NULL;
	lib.filter = CMM_FILTER_ALL;
	unlock();
	return CMM_OK;
}

cmm_error_t cmm_node_getid(cmm_nodeid_t *const me)
{
	cmm_error_t err;

	if (!me)
		return CMM_EINVAL;
	lock();
	err = hello(me, lib.timeout_ms);
	unlock();
	if (err != CMM_OK)
		*me = CMM_INVALID_NODE_ID;
	return err;
}

/* ---- queries --------------------------------------------------------- */

/* A query answering one member into *member (filled on OK and EAGAIN). */
static cmm_error_t query_one(uint32_t query, cmm_nodeid_t nodeid, cmm_member_t *member)
{
	struct syn_cmm_req_query req = {
		.header.id = SYN_CMM_REQ_QUERY, .query = query, .nodeid = nodeid};
	struct {
		struct syn_cmm_res_query head;
		cmm_member_t m;
	} res;
	cmm_error_t err;

	if (!member)
		return CMM_EINVAL;
	memset(&res, 0, sizeof(res));
	lock();
	err = call(&req, sizeof(req), &res, sizeof(res));
	unlock();
	if ((err == CMM_OK || err == CMM_EAGAIN) && res.head.n_entries == 1) {
		*member = res.m;
		member->name[CMM_MAX_NAME_SIZE - 1] = '\0';
		member->addr[CMM_MAX_ADDR_SIZE - 1] = '\0';
		member->software_load_id[CMM_MAX_SWLOADID_SIZE - 1] = '\0';
	} else if (err == CMM_OK || err == CMM_EAGAIN) {
		err = CMM_ENOTSUP;
	}
	return err;
}

cmm_error_t cmm_member_getinfo(cmm_nodeid_t const nodeid, cmm_member_t *const member)
{
	return query_one(SYN_CMM_Q_MEMBER, nodeid, member);
}

cmm_error_t cmm_potential_getinfo(cmm_nodeid_t const nodeid, cmm_member_t *const member)
{
	return query_one(SYN_CMM_Q_POTENTIAL, nodeid, member);
}

cmm_error_t cmm_master_getinfo(cmm_member_t *const member)
{
	return query_one(SYN_CMM_Q_MASTER, 0, member);
}

cmm_error_t cmm_vicemaster_getinfo(cmm_member_t *const member)
{
	return query_one(SYN_CMM_Q_VICE, 0, member);
}

cmm_error_t cmm_member_getall(uint32_t const table_size, cmm_member_t *const member_table,
			      uint32_t *const member_count)
{
	struct syn_cmm_req_query req = {.header.id = SYN_CMM_REQ_QUERY, .query = SYN_CMM_Q_ALL};
	size_t res_len =
		sizeof(struct syn_cmm_res_query) + SYN_CMM_QUERY_MAX * sizeof(cmm_member_t);
	struct syn_cmm_res_query *res;
	uint32_t cap = table_size > SYN_CMM_QUERY_MAX ? SYN_CMM_QUERY_MAX : table_size;
	cmm_error_t err;

	if (!member_count)
		return CMM_EINVAL;
	res = calloc(1, res_len);
	if (!res)
		return CMM_ENOTSUP;
	lock();
	err = call(&req, sizeof(req), res, res_len);
	unlock();
	if (err == CMM_OK || err == CMM_EAGAIN) {
		*member_count = res->count;
		if (member_table && res->n_entries > cap) {
			err = CMM_ERANGE;
		} else if (member_table) {
			memcpy(member_table, res->entries, res->n_entries * sizeof(cmm_member_t));
			*member_count = res->n_entries;
		}
	}
	free(res);
	return err;
}

cmm_error_t cmm_member_getcount(uint32_t *const member_count)
{
	if (!member_count)
		return CMM_EINVAL;
	return cmm_member_getall(0, NULL, member_count);
}

/* ---- predicates ------------------------------------------------------ */

static int has(cmm_member_t const *m, uint32_t bit)
{
	return m && (m->sflag & bit) ? 1 : 0;
}

int cmm_member_ismaster(cmm_member_t const *member)
{
	return has(member, CMM_MASTER);
}

int cmm_member_isvicemaster(cmm_member_t const *member)
{
	return has(member, CMM_VICEMASTER);
}

int cmm_member_isoutofcluster(cmm_member_t const *member)
{
	return has(member, CMM_OUT_OF_CLUSTER);
}

int cmm_member_iseligible(cmm_member_t const *member)
{
	return has(member, CMM_ELIGIBLE_MEMBER);
}

int cmm_member_isexcluded(cmm_member_t const *member)
{
	return has(member, CMM_EXCLUDED_MEMBER);
}

int cmm_member_isfrozen(cmm_member_t const *member)
{
	return has(member, CMM_FROZEN_MEMBER);
}

int cmm_member_isdisqualified(cmm_member_t const *member)
{
	return has(member, CMM_FLAG_DISQUALIFIED);
}

int cmm_member_isqualified(cmm_member_t const *member)
{
	return has(member, CMM_ELIGIBLE_MEMBER) && !has(member, CMM_FLAG_DISQUALIFIED);
}

int cmm_member_isdesynchronized(cmm_member_t const *member)
{
	return has(member, CMM_FLAG_SYNCHRO_NEEDED);
}

/* ---- modifications --------------------------------------------------- */

static cmm_error_t modify(uint32_t op, uint32_t target, int32_t arg)
{
	struct syn_cmm_req_modify req = {
		.header.id = SYN_CMM_REQ_MODIFY, .op = op, .target = target, .arg = arg};
	struct qb_ipc_response_header res;
	cmm_error_t err;

	lock();
	err = call(&req, sizeof(req), &res, sizeof(res));
	unlock();
	return err;
}

/* Values of enum syn_cmm_op (core/cmm_roles.h). */
cmm_error_t cmm_mastership_release(void)
{
	return modify(1, 0, 0);
}

cmm_error_t cmm_membership_remove(void)
{
	return modify(2, 0, 0);
}

cmm_error_t cmm_member_setqualif(cmm_nodeid_t const nodeid, cmm_qualif_t const new_qualif)
{
	if (new_qualif < CMM_QUALIFIED_MEMBER || new_qualif > CMM_SYNCHRO_NEEDED)
		return CMM_EINVAL;
	return modify(3, nodeid, (int32_t)new_qualif);
}

cmm_error_t cmm_member_seizequalif(void)
{
	return modify(4, 0, 0);
}

cmm_error_t cmm_config_reload(void)
{
	return modify(5, 0, 0);
}

/* ---- notifications --------------------------------------------------- */

static bool kind_valid(cmm_cmchanges_t k)
{
	return k >= CMM_MASTER_ELECTED && k <= CMM_NODE_INELIGIBLE;
}

static uint32_t kind_bit(cmm_cmchanges_t k)
{
	return 1u << (k - CMM_MASTER_ELECTED);
}

/* Open the notification connection if needed; lock held. */
static cmm_error_t notif_open(void)
{
	if (lib.notif)
		return lib.notif_broken ? CMM_EBADF : CMM_OK;
	return open_conn(&lib.notif);
}

static cmm_error_t subscribe(void)
{
	struct syn_cmm_req_subscribe req = {.header.id = SYN_CMM_REQ_SUBSCRIBE};
	struct qb_ipc_response_header res;
	cmm_error_t err = call_on(lib.notif, &req, sizeof(req), &res, sizeof(res), lib.timeout_ms);

	if (err == CMM_OK)
		lib.subscribed = true;
	else
		drop_notif();
	return err;
}

cmm_error_t cmm_cmc_register(cmm_notify_t const callback, void *client_data)
{
	cmm_error_t err;

	if (!callback)
		return CMM_EINVAL;
	lock();
	if (lib.registered) {
		unlock();
		return CMM_EEXIST;
	}
	err = notif_open();
	if (err == CMM_OK && !lib.subscribed)
		err = subscribe();
	if (err == CMM_OK) {
		lib.registered = true;
		lib.callback = callback;
		lib.client_data = client_data;
	}
	unlock();
	return err == CMM_EBADF ? CMM_ECONN : err;
}

cmm_error_t cmm_cmc_unregister(void)
{
	lock();
	if (!lib.registered) {
		unlock();
		return CMM_ENOENT;
	}
	lib.registered = false;
	lib.callback = NULL;
	lib.client_data = NULL;
	lib.filter = CMM_FILTER_ALL;
	drop_notif();
	unlock();
	return CMM_OK;
}

cmm_error_t cmm_cmc_filter(cmm_cmcfilter_t const action,
			   cmm_cmchanges_t const *const notifications_list,
			   uint32_t const notifications_count)
{
	uint32_t bits = 0;

	if (action == CMM_CMC_NOTIFY_ALL || action == CMM_CMC_NOTIFY_NONE) {
		lock();
		lib.filter = action == CMM_CMC_NOTIFY_ALL ? CMM_FILTER_ALL : 0;
		unlock();
		return CMM_OK;
	}
	if (action != CMM_CMC_NOTIFY_ADD && action != CMM_CMC_NOTIFY_REM &&
	    action != CMM_CMC_NOTIFY_SET)
		return CMM_EINVAL;
	if (!notifications_list || notifications_count == 0)
		return CMM_EINVAL;
	for (uint32_t i = 0; i < notifications_count; i++) {
		if (!kind_valid(notifications_list[i]))
			return CMM_EINVAL;
		bits |= kind_bit(notifications_list[i]);
	}
	lock();
	if (action == CMM_CMC_NOTIFY_ADD)
		lib.filter |= bits;
	else if (action == CMM_CMC_NOTIFY_REM)
		lib.filter &= ~bits;
	else
		lib.filter = bits;
	unlock();
	return CMM_OK;
}

cmm_error_t cmm_notify_getfd(int *const fd)
{
	cmm_error_t err;

	if (!fd)
		return CMM_EINVAL;
	lock();
	err = notif_open();
	if (err == CMM_OK && qb_ipcc_fd_get(lib.notif, fd) != 0)
		err = CMM_ENOTSUP;
	unlock();
	return err == CMM_EBADF ? CMM_ECONN : err;
}

/*
 * Take the next pending notification; lock held.  1 with *out filled,
 * 0 when nothing is pending, or a negative cmm_error_t.
 */
static int next_event(cmm_cmc_notification_t *out, bool *deliver)
{
	struct syn_cmm_res_notify ev;
	ssize_t rc;

	if (!lib.registered || !lib.notif || lib.close_pending)
		return 0;
	do {
		rc = qb_ipcc_event_recv(lib.notif, &ev, sizeof(ev), 0);
	} while (rc == -EINTR);
	if (rc == -EAGAIN || rc == -ETIMEDOUT)
		return qb_ipcc_is_connected(lib.notif) ? 0 : CMM_EBADF;
	if (rc < 0 || (size_t)rc < sizeof(ev) || ev.header.id != SYN_CMM_RES_NOTIFY) {
		lib.notif_broken = true;
		return CMM_EBADF;
	}
	out->cmchange = (cmm_cmchanges_t)ev.cmchange;
	out->nodeid = ev.nodeid;
	*deliver = kind_valid(out->cmchange) && (lib.filter & kind_bit(out->cmchange));
	return 1;
}

static cmm_error_t dispatch_loop(void)
{
	cmm_cmc_notification_t n;
	bool deliver = false;
	int rc;

	for (;;) {
		cmm_notify_t cb;
		void *data;

		lock();
		rc = next_event(&n, &deliver);
		cb = lib.callback;
		data = lib.client_data;
		if (rc == CMM_EBADF)
			lib.notif_broken = true;
		unlock();
		if (rc <= 0)
			return rc == 0 ? CMM_OK : (cmm_error_t)rc;
		if (deliver && cb)
			cb(&n, data);
	}
}

cmm_error_t cmm_notify_dispatch(void)
{
	cmm_error_t err;

	lock();
	if (lib.dispatching && pthread_equal(lib.dispatch_thread, pthread_self())) {
		unlock();
		return CMM_EBUSY;
	}
	if (!lib.registered) {
		unlock();
		return CMM_ENOENT;
	}
	if (lib.notif_broken) {
		unlock();
		return CMM_EBADF;
	}
	unlock();
	pthread_mutex_lock(&lib.dispatch_lock);
	lock();
	lib.dispatching = true;
	lib.dispatch_thread = pthread_self();
	unlock();
	err = dispatch_loop();
	lock();
	lib.dispatching = false;
	if (lib.close_pending) {
		lib.close_pending = false;
		drop_notif();
		if (err == CMM_OK && lib.registered)
			err = CMM_EBADF;
	}
	unlock();
	pthread_mutex_unlock(&lib.dispatch_lock);
	return err;
}

/* ---- messages -------------------------------------------------------- */

char *cmm_strerror(cmm_error_t errnum)
{
	static const char *const texts[] = {
		"CMM_OK: success",
		"CMM_EBADF: notification descriptor no longer valid, register again",
		"CMM_EBUSY: daemon temporarily out of resources, retry later",
		"CMM_ECANCELED: no node can take the master role",
		"CMM_EEXIST: a callback is already registered in this process",
		"CMM_EINVAL: invalid argument",
		"CMM_ENOENT: no notification registration in this process",
		"CMM_ENOMSG: no message",
		"CMM_ENOTSUP: unexpected service error",
		"CMM_EPERM: operation not permitted on this node",
		"CMM_ERANGE: table too small",
		"CMM_ESRCH: no such member",
		"CMM_ENOCLUSTER: no cluster or no master",
		"CMM_ECONN: no CMM daemon reachable on this node",
		"CMM_ETIMEDOUT: the call did not complete in time",
		"CMM_EAGAIN: data returned may be outdated",
		"CMM_ENOMEM: out of memory",
		"CMM_EOTHER: other error",
	};
	static const char unknown[] = "CMM_EUNKNOWN: unknown CMM error";

	if (errnum == CMM_OK)
		return (char *)texts[0];
	if (errnum >= CMM_EBADF && errnum <= CMM_EOTHER)
		return (char *)texts[1 + (errnum - CMM_EBADF)];
	return (char *)unknown;
}
