/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ipc.c - libqb IPC glue of the daemon (see ipc.h for the contract).
 *
 * libqb's poll hooks carry no context pointer, so they use libqb's
 * default loop (the first one created, the daemon's only loop).
 *
 * Queue accounting: a queued event costs its bytes plus its list header
 * (queue_cost()).  Invariants: conn->queue_bytes is the cost of the
 * events on conn's queue, ipc->queued_bytes the sum over all connections
 * and never above ipc->queue_total_max after enqueue() returns.  A
 * connection being evicted has an empty queue and takes no more events:
 * its queue is freed when the eviction is decided, not when libqb
 * finally destroys the connection, so the bound holds at every moment.
 *
 * Until the daemon declares its first view installed
 * (syn_ipc_accept_clients()), every connection is refused with -EAGAIN,
 * which clients see as CS_ERR_TRY_AGAIN from their initialize call: as on
 * corosync, which refuses all services until its first synchronisation
 * completes, no client ever sees the state half built.
 */
#include "ipc.h"

#include <errno.h>
#include <malloc.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <qb/qbipcs.h>
#include <qb/qblog.h>

#include "ipc_intake.h"
#include "loop.h"
#include "proto/ipc_common.h"

#define SYN_QUEUE_TRIM_BYTES (1024 * 1024)

struct queued_event {
	struct queued_event *next;
	size_t len;
	unsigned char msg[];
};

struct conn_counters {
	uint64_t requests;
	uint64_t responses;
	uint64_t dispatched;
	uint64_t invalid_request;
	uint64_t overload;
	uint64_t send_retries;
};

struct registered_service {
	struct registered_service *next;
	struct syn_ipc *ipc;
	const struct syn_service_def *def;
	void *svc;
	qb_ipcs_service_t *qb;
	/*
	 * The uid libqb gave the accept hook: libqb calls the created hook
	 * right after it, in the same call, for the same connection.
	 */
	uid_t accepted_uid;
};

struct syn_conn {
	struct syn_conn *next;
	struct syn_conn *prev;
	struct syn_ipc *ipc;
	struct registered_service *rs;
	qb_ipcs_connection_t *qb;
	pid_t pid;
	uid_t uid;	/* the client's effective uid when it connected */
	size_t max_msg; /* message size of the connection's rings */
	char stats_prefix[128];
	struct conn_counters counters;
	bool stats_dirty;
	struct queued_event *queue_head;
	struct queued_event *queue_tail;
	size_t queue_len;
	size_t queue_bytes;
	struct syn_timer drain_timer;
	struct syn_job evict_job;
	bool evicting;
	size_t queue_peak_bytes; /* since the queue was last empty */
	void *priv;
};

struct syn_ipc {
	struct syn_loop *loop;
	struct syn_store *icmap;
	struct syn_store *stats;
	struct registered_service *services;
	struct syn_conn *conns;
	uint64_t active;
	uint64_t closed;
	uint64_t overload_disconnects;
	size_t queued_bytes; /* over all connections */
	size_t queued_bytes_peak;
	size_t queue_total_max;
	bool accepting; /* the first view is installed */
	struct syn_timer flush_timer;
	struct syn_stats_provider provider;
	struct syn_ipc_intake intake; /* the request being handled, copied */
};

/*
 * libqb's IPC server registers its sockets and its own jobs through these
 * on libqb's default loop, the daemon's one (loop.h); they are libqb's
 * work, with libqb's (data, function) pairs, so they do not go through
 * struct syn_job.
 */
static int32_t poll_job_add(enum qb_loop_priority p, void *data, qb_loop_job_dispatch_fn fn)
{
	return qb_loop_job_add(NULL, p, data, fn);
}

static int32_t poll_dispatch_add(enum qb_loop_priority p, int32_t fd, int32_t events, void *data,
				 qb_ipcs_dispatch_fn_t fn)
{
	return qb_loop_poll_add(NULL, p, fd, events, data, fn);
}

static int32_t poll_dispatch_mod(enum qb_loop_priority p, int32_t fd, int32_t events, void *data,
				 qb_ipcs_dispatch_fn_t fn)
{
	return qb_loop_poll_mod(NULL, p, fd, events, data, fn);
}

static int32_t poll_dispatch_del(int32_t fd)
{
	return qb_loop_poll_del(NULL, fd);
}

static struct qb_ipcs_poll_handlers poll_handlers = {
	.job_add = poll_job_add,
	.dispatch_add = poll_dispatch_add,
	.dispatch_mod = poll_dispatch_mod,
	.dispatch_del = poll_dispatch_del,
};

/* ---- statistics ------------------------------------------------------ */

static void stat_key(char *buf, size_t len, const struct syn_conn *conn, const char *name)
{
	snprintf(buf, len, "%s.%s", conn->stats_prefix, name);
}

/*
 * Write the connection's stats.ipcs keys.  procname is given once, when the
 * connection is created: the keys then appear in corosync's order (procname
 * sixth), which clients tracking stats.ipcs. see as the order of their ADD
 * events (corosync-notifyd reports a connection at its procname).
 */
static void conn_stats_write(struct syn_conn *conn, const char *procname)
{
	struct syn_store *s = conn->ipc->stats;
	const struct conn_counters *c = &conn->counters;
	char key[SYN_KEY_MAX + 1];
	int32_t queueing = conn->queue_len > 0;
	uint32_t u32;
	uint64_t zero = 0;

	stat_key(key, sizeof(key), conn, "queueing");
	syn_store_set(s, key, &queueing, sizeof(queueing), SYN_TYPE_INT32);
	u32 = (uint32_t)conn->queue_len;
	stat_key(key, sizeof(key), conn, "queued");
	syn_store_set_u32(s, key, u32);
	stat_key(key, sizeof(key), conn, "invalid_request");
	syn_store_set_u64(s, key, c->invalid_request);
	stat_key(key, sizeof(key), conn, "overload");
	syn_store_set_u64(s, key, c->overload);
	u32 = (uint32_t)c->dispatched;
	stat_key(key, sizeof(key), conn, "sent");
	syn_store_set_u32(s, key, u32);
	if (procname) {
		stat_key(key, sizeof(key), conn, "procname");
		syn_store_set_str(s, key, procname);
	}
	stat_key(key, sizeof(key), conn, "requests");
	syn_store_set_u64(s, key, c->requests);
	stat_key(key, sizeof(key), conn, "responses");
	syn_store_set_u64(s, key, c->responses);
	stat_key(key, sizeof(key), conn, "dispatched");
	syn_store_set_u64(s, key, c->dispatched);
	stat_key(key, sizeof(key), conn, "send_retries");
	syn_store_set_u64(s, key, c->send_retries);
	stat_key(key, sizeof(key), conn, "recv_retries");
	syn_store_set_u64(s, key, zero);
	stat_key(key, sizeof(key), conn, "flow_control");
	syn_store_set_u32(s, key, 0);
	stat_key(key, sizeof(key), conn, "flow_control_count");
	syn_store_set_u64(s, key, zero);
	conn->stats_dirty = false;
}

static void global_stats_write(struct syn_ipc *ipc)
{
	syn_store_set_u64(ipc->stats, "stats.ipcs.global.active", ipc->active);
	syn_store_set_u64(ipc->stats, "stats.ipcs.global.closed", ipc->closed);
	syn_store_set_u64(ipc->stats, "stats.ipcs.global.overload_disconnects",
			  ipc->overload_disconnects);
	syn_store_set_u64(ipc->stats, "stats.ipcs.global.queued_bytes", ipc->queued_bytes);
	syn_store_set_u64(ipc->stats, "stats.ipcs.global.queued_bytes_peak",
			  ipc->queued_bytes_peak);
}

void syn_ipc_set_stats_provider(struct syn_ipc *ipc, const struct syn_stats_provider *p)
{
	ipc->provider = *p;
}

void syn_ipc_stats_clear_knet(struct syn_ipc *ipc)
{
	if (ipc->provider.clear_knet)
		ipc->provider.clear_knet(ipc->provider.ctx);
}

void syn_ipc_stats_refresh(struct syn_ipc *ipc, const char *key)
{
	if (ipc->provider.refresh)
		ipc->provider.refresh(ipc->provider.ctx, key);
	for (struct syn_conn *c = ipc->conns; c; c = c->next)
		if (c->stats_dirty)
			conn_stats_write(c, NULL);
}

static void stats_flush(void *data)
{
	struct syn_ipc *ipc = data;

	for (struct syn_conn *c = ipc->conns; c; c = c->next)
		if (c->stats_dirty)
			conn_stats_write(c, NULL);
	global_stats_write(ipc);
}

static void conn_stats_touch(struct syn_conn *conn)
{
	struct syn_ipc *ipc = conn->ipc;

	conn->stats_dirty = true;
	if (!syn_timer_armed(&ipc->flush_timer))
		syn_timer_arm_in(&ipc->flush_timer, SYN_STATS_FLUSH_MS * 1000);
}

void syn_ipc_stats_clear(struct syn_ipc *ipc)
{
	for (struct syn_conn *c = ipc->conns; c; c = c->next) {
		memset(&c->counters, 0, sizeof(c->counters));
		conn_stats_write(c, NULL);
	}
	ipc->closed = 0;
	ipc->overload_disconnects = 0;
	ipc->queued_bytes_peak = ipc->queued_bytes;
	global_stats_write(ipc);
}

/* ---- connections ----------------------------------------------------- */

/* uidgid.<prefix>.<id> set to 1 (prefix "uid", "config.gid", ...). */
static bool grant_key(const struct syn_store *icmap, const char *prefix, unsigned long id)
{
	char key[64];
	struct syn_value v;

	snprintf(key, sizeof(key), "uidgid.%s.%lu", prefix, id);
	return syn_store_get(icmap, key, &v) == 0 && v.type == SYN_TYPE_UINT8 &&
	       *(const uint8_t *)v.data == 1;
}

static int32_t conn_accept(qb_ipcs_connection_t *c, uid_t uid, gid_t gid)
{
	struct registered_service *rs = qb_ipcs_connection_service_context_get(c);
	const struct syn_store *icmap = rs->ipc->icmap;

	rs->accepted_uid = uid;
	if (!rs->ipc->accepting)
		return -EAGAIN;
	if (uid == 0)
		return 0;
	if (rs->def->root_only) {
		qb_log(LOG_NOTICE, "Denied connection to %s: uid %lu is not root", rs->def->name,
		       (unsigned long)uid);
		return -EACCES;
	}
	if (gid == 0)
		return 0;
	if (grant_key(icmap, "uid", uid) || grant_key(icmap, "config.uid", uid) ||
	    grant_key(icmap, "gid", gid) || grant_key(icmap, "config.gid", gid))
		return 0;
	qb_log(LOG_NOTICE, "Denied connection to %s: uid %lu gid %lu not authorized", rs->def->name,
	       (unsigned long)uid, (unsigned long)gid);
	return -EACCES;
}

void syn_ipc_accept_clients(struct syn_ipc *ipc)
{
	if (!ipc->accepting)
		qb_log(LOG_INFO, "First view installed: accepting clients");
	ipc->accepting = true;
}

bool syn_ipc_accepting(const struct syn_ipc *ipc)
{
	return ipc->accepting;
}

static void procname_of(pid_t pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(buf, len, "unknown");
	snprintf(path, sizeof(path), "/proc/%ld/comm", (long)pid);
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

static void evict(void *data);
static void drain(void *data);

static void conn_created(qb_ipcs_connection_t *c)
{
	struct registered_service *rs = qb_ipcs_connection_service_context_get(c);
	struct syn_ipc *ipc = rs->ipc;
	struct qb_ipcs_connection_stats st;
	struct syn_conn *conn = calloc(1, sizeof(*conn) + rs->def->priv_size);
	char procname[16];
	int32_t rc;

	syn_loop_update_now(ipc->loop);
	if (!conn) {
		qb_log(LOG_ERR, "Out of memory accepting a %s client", rs->def->name);
		qb_ipcs_disconnect(c);
		return;
	}
	conn->ipc = ipc;
	conn->rs = rs;
	conn->qb = c;
	syn_timer_init(&conn->drain_timer, ipc->loop, QB_LOOP_MED, drain, conn);
	syn_job_init(&conn->evict_job, ipc->loop, QB_LOOP_HIGH, evict, conn);
	conn->priv = rs->def->priv_size ? (void *)(conn + 1) : NULL;
	qb_ipcs_connection_stats_get(c, &st, 0);
	conn->pid = st.client_pid;
	conn->uid = rs->accepted_uid;
	rs->accepted_uid = (uid_t)-1; /* owns no file: zero-copy refused */
	rc = qb_ipcs_connection_get_buffer_size(c);
	conn->max_msg = rc > 0 ? (size_t)rc : SYN_IPC_BUFFER_SIZE;
	snprintf(conn->stats_prefix, sizeof(conn->stats_prefix),
		 "stats.ipcs.service%" PRId32 ".%ld.%#" PRIxPTR, rs->def->id, (long)conn->pid,
		 (uintptr_t)conn);
	conn->next = ipc->conns;
	if (ipc->conns)
		ipc->conns->prev = conn;
	ipc->conns = conn;
	qb_ipcs_context_set(c, conn);
	ipc->active++;
	procname_of(conn->pid, procname, sizeof(procname));
	conn_stats_write(conn, procname);
	global_stats_write(ipc);
	if (rs->def->opened)
		rs->def->opened(rs->svc, conn, conn->priv);
}

static size_t queue_cost(size_t msg_len)
{
	return sizeof(struct queued_event) + msg_len;
}

static void queue_push(struct syn_conn *conn, struct queued_event *e)
{
	size_t cost = queue_cost(e->len);

	e->next = NULL;
	if (conn->queue_tail)
		conn->queue_tail->next = e;
	else
		conn->queue_head = e;
	conn->queue_tail = e;
	conn->queue_len++;
	conn->queue_bytes += cost;
	if (conn->queue_bytes > conn->queue_peak_bytes)
		conn->queue_peak_bytes = conn->queue_bytes;
	conn->ipc->queued_bytes += cost;
	if (conn->ipc->queued_bytes > conn->ipc->queued_bytes_peak)
		conn->ipc->queued_bytes_peak = conn->ipc->queued_bytes;
}

/* Unlink the head of the queue; the caller frees it. */
static struct queued_event *queue_pop(struct syn_conn *conn)
{
	struct queued_event *e = conn->queue_head;
	size_t cost = queue_cost(e->len);

	conn->queue_head = e->next;
	if (!conn->queue_head)
		conn->queue_tail = NULL;
	conn->queue_len--;
	conn->queue_bytes -= cost;
	conn->ipc->queued_bytes -= cost;
	return e;
}

static void queue_free(struct syn_conn *conn)
{
	size_t freed = conn->queue_bytes;

	while (conn->queue_head)
		free(queue_pop(conn));
	/* Give a large queue's memory back instead of keeping it as a high-water mark. */
	if (freed > SYN_QUEUE_TRIM_BYTES)
		malloc_trim(0);
}

static int32_t conn_closed(qb_ipcs_connection_t *c)
{
	(void)c;
	return 0;
}

static void conn_destroyed(qb_ipcs_connection_t *c)
{
	struct syn_conn *conn = qb_ipcs_context_get(c);
	struct syn_ipc *ipc;

	if (!conn)
		return;
	ipc = conn->ipc;
	syn_loop_update_now(ipc->loop);
	if (conn->rs->def->closed)
		conn->rs->def->closed(conn->rs->svc, conn, conn->priv);
	syn_timer_cancel(&conn->drain_timer);
	syn_job_cancel(&conn->evict_job);
	queue_free(conn);
	if (conn->prev)
		conn->prev->next = conn->next;
	else
		ipc->conns = conn->next;
	if (conn->next)
		conn->next->prev = conn->prev;
	syn_store_delete_prefix(ipc->stats, conn->stats_prefix);
	ipc->active--;
	ipc->closed++;
	global_stats_write(ipc);
	qb_ipcs_context_set(c, NULL);
	free(conn);
}

/*
 * A rejected request whose id is one the service never answers.  The id
 * is read from the ring as sent (the first word is always mapped).
 */
static bool rejected_silently(const struct syn_conn *conn, const void *data)
{
	int32_t id;

	memcpy(&id, data, sizeof(id));
	return id >= 0 && id < 32 && (conn->rs->def->unanswered_ids & (1u << id));
}

/* libqb passes the size the request header claims; the intake checks it. */
static int32_t msg_process(qb_ipcs_connection_t *c, void *data, size_t size)
{
	struct syn_conn *conn = qb_ipcs_context_get(c);
	const struct qb_ipc_request_header *h;
	const void *req;
	int rc;

	if (!conn)
		return 0;
	syn_loop_update_now(conn->ipc->loop);
	conn->counters.requests++;
	conn_stats_touch(conn);
	rc = syn_ipc_intake_take(&conn->ipc->intake, conn->rs->def, data, size, conn->max_msg,
				 &req);
	if (rc == -ENOMEM) {
		syn_conn_respond_error(conn, 0, 8 /* CS_ERR_NO_MEMORY */);
		return 0;
	}
	if (rc != 0) {
		conn->counters.invalid_request++;
		if (rejected_silently(conn, data)) {
			qb_log(LOG_WARNING, "%s: malformed request from pid %ld dropped",
			       conn->rs->def->name, (long)conn->pid);
			return 0;
		}
		syn_conn_respond_error(conn, 0, 7 /* CS_ERR_INVALID_PARAM */);
		return 0;
	}
	h = req;
	conn->rs->def->request(conn->rs->svc, conn, conn->priv, h->id, req, size);
	return 0;
}

static struct qb_ipcs_service_handlers service_handlers = {
	.connection_accept = conn_accept,
	.connection_created = conn_created,
	.msg_process = msg_process,
	.connection_closed = conn_closed,
	.connection_destroyed = conn_destroyed,
};

/* ---- sending --------------------------------------------------------- */

int syn_conn_respond(struct syn_conn *conn, const void *msg, size_t len)
{
	ssize_t rc = qb_ipcs_response_send(conn->qb, msg, len);

	conn->counters.responses++;
	return rc < 0 ? (int)rc : 0;
}

int syn_conn_respond_error(struct syn_conn *conn, int32_t id, int32_t error)
{
	struct qb_ipc_response_header h;

	memset(&h, 0, sizeof(h));
	h.id = id;
	h.size = sizeof(h);
	h.error = error;
	return syn_conn_respond(conn, &h, sizeof(h));
}

void syn_conn_count_invalid(struct syn_conn *conn)
{
	conn->counters.invalid_request++;
	conn_stats_touch(conn);
}

pid_t syn_conn_pid(const struct syn_conn *conn)
{
	return conn->pid;
}

uid_t syn_conn_uid(const struct syn_conn *conn)
{
	return conn->uid;
}

/* The job holds a reference, so conn lives until the unref here. */
static void evict(void *data)
{
	struct syn_conn *conn = data;
	qb_ipcs_connection_t *c = conn->qb;

	qb_ipcs_disconnect(c);
	qb_ipcs_connection_unref(c);
}

static void drain_arm(struct syn_conn *conn)
{
	if (!syn_timer_armed(&conn->drain_timer))
		syn_timer_arm_in(&conn->drain_timer, 2000);
}

/* Send queued events in order until the client's ring is full again. */
static void drain(void *data)
{
	struct syn_conn *conn = data;

	while (conn->queue_head) {
		struct queued_event *e = conn->queue_head;
		ssize_t rc = qb_ipcs_event_send(conn->qb, e->msg, e->len);
		if (rc == -EAGAIN || rc == -ENOBUFS) {
			conn->counters.send_retries++;
			drain_arm(conn);
			break;
		}
		free(queue_pop(conn));
		if (rc >= 0)
			conn->counters.dispatched++;
	}
	if (!conn->queue_head) {
		/* Give a burst's memory back instead of keeping it as a high-water mark. */
		if (conn->queue_peak_bytes > SYN_QUEUE_TRIM_BYTES)
			malloc_trim(0);
		conn->queue_peak_bytes = 0;
	}
	conn_stats_touch(conn);
}

/*
 * Disconnect a client that does not keep up: count it, warn, free its
 * queue now (its events will never be sent) and let libqb close it from
 * a job, outside the send path that found the overload.
 */
static void overload_evict(struct syn_conn *conn)
{
	conn->counters.overload++;
	conn->ipc->overload_disconnects++;
	conn->evicting = true;
	qb_log(LOG_WARNING,
	       "Client pid %ld (service %s) does not read its events: %zu queued, "
	       "disconnecting it",
	       (long)conn->pid, conn->rs->def->name, conn->queue_len);
	syn_timer_cancel(&conn->drain_timer);
	queue_free(conn);
	conn_stats_touch(conn);
	if (!syn_job_pending(&conn->evict_job) && syn_job_schedule(&conn->evict_job) == 0)
		qb_ipcs_connection_ref(conn->qb);
}

/* The connection with the most bytes queued (the first such in the list). */
static struct syn_conn *largest_queue(struct syn_ipc *ipc)
{
	struct syn_conn *largest = NULL;

	for (struct syn_conn *c = ipc->conns; c; c = c->next)
		if (c->queue_bytes > 0 && (!largest || c->queue_bytes > largest->queue_bytes))
			largest = c;
	return largest;
}

/*
 * Make room for cost more bytes in the daemon-wide bound by evicting the
 * connections with the largest queues.  False when conn itself had to go.
 */
static bool make_room(struct syn_conn *conn, size_t cost)
{
	struct syn_ipc *ipc = conn->ipc;

	while (ipc->queued_bytes + cost > ipc->queue_total_max) {
		struct syn_conn *victim = largest_queue(ipc);
		if (!victim || victim == conn || victim->queue_bytes < conn->queue_bytes + cost) {
			overload_evict(conn);
			return false;
		}
		overload_evict(victim);
	}
	return true;
}

static int enqueue(struct syn_conn *conn, const struct iovec *iov, size_t iov_len, size_t total)
{
	struct queued_event *e;
	size_t off = 0;

	if (conn->queue_len >= SYN_CONN_EVENT_QUEUE_MAX ||
	    conn->queue_bytes + queue_cost(total) > SYN_CONN_EVENT_QUEUE_BYTES) {
		overload_evict(conn);
		return -ENOBUFS;
	}
	if (!make_room(conn, queue_cost(total)))
		return -ENOBUFS;
	e = malloc(sizeof(*e) + total);
	if (!e)
		return -ENOMEM;
	for (size_t i = 0; i < iov_len; i++) {
		memcpy(e->msg + off, iov[i].iov_base, iov[i].iov_len);
		off += iov[i].iov_len;
	}
	e->len = total;
	queue_push(conn, e);
	drain_arm(conn);
	return 0;
}

int syn_conn_event(struct syn_conn *conn, const struct iovec *iov, size_t iov_len)
{
	size_t total = 0;
	ssize_t rc;

	if (conn->evicting)
		return -ENOTCONN;
	for (size_t i = 0; i < iov_len; i++)
		total += iov[i].iov_len;
	conn_stats_touch(conn);
	if (conn->queue_head)
		return enqueue(conn, iov, iov_len, total);
	rc = qb_ipcs_event_sendv(conn->qb, iov, iov_len);
	if (rc == -EAGAIN || rc == -ENOBUFS) {
		conn->counters.send_retries++;
		return enqueue(conn, iov, iov_len, total);
	}
	if (rc < 0)
		return (int)rc;
	conn->counters.dispatched++;
	return 0;
}

/* ---- services -------------------------------------------------------- */

int syn_ipc_queue_total_read(const struct syn_store *icmap, size_t *bytes, char *err,
			     size_t err_len)
{
	const char *text;
	char *end;
	unsigned long long v;

	*bytes = SYN_IPC_EVENT_QUEUE_TOTAL_DEFAULT;
	if (syn_store_get_str(icmap, SYN_IPC_EVENT_QUEUE_TOTAL_KEY, &text) != 0)
		return 0;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || text[0] == '-' ||
	    v < SYN_IPC_EVENT_QUEUE_TOTAL_MIN || v > SIZE_MAX / 2) {
		snprintf(err, err_len, "Invalid %s value %s (bytes, at least %u)",
			 SYN_IPC_EVENT_QUEUE_TOTAL_KEY, text, SYN_IPC_EVENT_QUEUE_TOTAL_MIN);
		return -EINVAL;
	}
	*bytes = (size_t)v;
	return 0;
}

struct syn_ipc *syn_ipc_create(struct syn_loop *loop, struct syn_store *icmap,
			       struct syn_store *stats, size_t queue_total_bytes)
{
	struct syn_ipc *ipc = calloc(1, sizeof(*ipc));

	if (!ipc)
		return NULL;
	ipc->queue_total_max = queue_total_bytes;
	ipc->loop = loop;
	syn_timer_init(&ipc->flush_timer, loop, QB_LOOP_LOW, stats_flush, ipc);
	ipc->icmap = icmap;
	ipc->stats = stats;
	syn_ipc_intake_init(&ipc->intake);
	global_stats_write(ipc);
	return ipc;
}

int syn_ipc_service_add(struct syn_ipc *ipc, const struct syn_service_def *def, void *svc)
{
	struct registered_service *rs = calloc(1, sizeof(*rs));
	int rc;

	if (!rs)
		return -ENOMEM;
	rs->ipc = ipc;
	rs->def = def;
	rs->svc = svc;
	rs->accepted_uid = (uid_t)-1;
	rs->qb = qb_ipcs_create(def->name, def->id, QB_IPC_NATIVE, &service_handlers);
	if (!rs->qb) {
		rc = -errno;
		goto err_free;
	}
	qb_ipcs_service_context_set(rs->qb, rs);
	/*
	 * Every ring at least the largest request, whatever the client asked
	 * for: the intake reads up to that many bytes from any ring.
	 */
	qb_ipcs_enforce_buffer_size(rs->qb, SYN_IPC_BUFFER_SIZE);
	qb_ipcs_poll_handlers_set(rs->qb, &poll_handlers);
	rc = qb_ipcs_run(rs->qb);
	if (rc != 0)
		goto err_destroy;
	/* Nothing in synod throttles clients: serve each at full speed. */
	qb_ipcs_request_rate_limit(rs->qb, QB_IPCS_RATE_FAST);
	rs->next = ipc->services;
	ipc->services = rs;
	return 0;
err_destroy:
	qb_ipcs_destroy(rs->qb);
err_free:
	free(rs);
	return rc;
}

void syn_ipc_service_gate(struct syn_ipc *ipc, const struct syn_service_def *def, bool gated)
{
	for (struct registered_service *rs = ipc->services; rs; rs = rs->next)
		if (rs->def == def)
			qb_ipcs_request_rate_limit(rs->qb,
						   gated ? QB_IPCS_RATE_OFF_2 : QB_IPCS_RATE_FAST);
}

void syn_ipc_destroy(struct syn_ipc *ipc)
{
	if (!ipc)
		return;
	while (ipc->services) {
		struct registered_service *rs = ipc->services;
		ipc->services = rs->next;
		qb_ipcs_destroy(rs->qb);
		free(rs);
	}
	syn_timer_cancel(&ipc->flush_timer);
	syn_ipc_intake_fini(&ipc->intake);
	free(ipc);
}
