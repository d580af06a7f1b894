/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fake_conn.c - test double of the IPC glue (see fake_conn.h).
 *
 * The checks encode what a stock client relies on (shared spec
 * ipc-wire.md 1.4-1.6, 4.2-4.5): one response per request, header.size
 * equal to the bytes sent, the response id of the request (or the
 * generic rejection), a response no longer than the client's receive
 * buffer, an error code the request can return, and events of the one
 * event id cmap has, sent only to open connections.
 *
 * A request reaches the handler the way daemon/ipc.c hands it over: its
 * bytes are committed into a model of libqb's shared request ring (chunk
 * header, then the data; the ring keeps the stale bytes of earlier
 * requests and wraps like libqb's), and the real intake (ipc_intake.c)
 * takes it from there with the size its header claims, as libqb passes
 * it.  What the intake accepts is copied once more into memory of
 * exactly that size, so a handler reading past it is an ASan report.
 */
#include "fake_conn.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <corosync/corotypes.h>

#include "ipc_intake.h"
#include "proto/ipc_cmap.h"
#include "proto/ipc_common.h"
#include "proto/ipc_ring.h"

struct syn_ipc {
	int unused;
};

struct syn_conn {
	unsigned int index;
	bool open;
	bool stats_map; /* switched to the stats map (events carry values both sides) */
	pid_t pid;
	void *priv;
	char stats_prefix[96];
	uint64_t requests;
	uint64_t invalid;
	uint64_t events;
	/* the request being handled */
	bool in_request;
	bool glue_rejected;
	int32_t req_id;
	const unsigned char *req;
	size_t req_len;
	unsigned int n_responses;
	unsigned char *last_res;
	size_t last_res_len;
};

static struct {
	struct syn_ipc ipc;
	struct syn_store *icmap;
	struct syn_store *stats;
	const struct syn_service_def *def;
	void *svc;
	struct syn_conn conns[SYN_FAKE_CONN_MAX];
	struct syn_ipc_intake intake;
	unsigned char *ring; /* 2 * ring_size: data may run past the end */
	size_t ring_size;
	size_t write_pt;
	const struct syn_fake_oracle *oracle; /* NULL: cmap's checks */
} env;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: glue contract violated: %s\n", __FILE__, __LINE__, \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

void syn_fake_env_init(struct syn_store *icmap, struct syn_store *stats,
		       const struct syn_service_def *def, void *svc)
{
	env.icmap = icmap;
	env.stats = stats;
	env.def = def;
	env.svc = svc;
	syn_ipc_intake_init(&env.intake);
	env.ring_size = syn_ipc_ring_size(SYN_IPC_BUFFER_SIZE, env.intake.page_size);
	env.ring = aligned_alloc(env.intake.page_size, 2 * env.ring_size);
	CHECK(env.ring != NULL);
	/* What a request claiming more than it sent would read instead. */
	memset(env.ring, 0xa5, 2 * env.ring_size);
	env.write_pt = 0;
	for (unsigned int i = 0; i < SYN_FAKE_CONN_MAX; i++) {
		env.conns[i].index = i;
		env.conns[i].pid = (pid_t)(1000 + i);
	}
}

void syn_fake_env_fini(void)
{
	for (unsigned int i = 0; i < SYN_FAKE_CONN_MAX; i++)
		if (env.conns[i].open)
			syn_fake_conn_close(&env.conns[i]);
	syn_ipc_intake_fini(&env.intake);
	free(env.ring);
	env.ring = NULL;
}

void syn_fake_env_set_oracle(const struct syn_fake_oracle *oracle)
{
	env.oracle = oracle;
}

/* Flow control only matters to real clients: the fake checks who asks. */
void syn_ipc_service_gate(struct syn_ipc *ipc, const struct syn_service_def *def, bool gated)
{
	(void)gated;
	CHECK(ipc == &env.ipc && def == env.def);
}

struct syn_ipc *syn_fake_ipc(void)
{
	return &env.ipc;
}

static void stats_write(struct syn_conn *c)
{
	char key[SYN_KEY_MAX + 1];

	snprintf(key, sizeof(key), "%s.requests", c->stats_prefix);
	syn_store_set_u64(env.stats, key, c->requests);
	snprintf(key, sizeof(key), "%s.invalid_request", c->stats_prefix);
	syn_store_set_u64(env.stats, key, c->invalid);
	snprintf(key, sizeof(key), "%s.dispatched", c->stats_prefix);
	syn_store_set_u64(env.stats, key, c->events);
}

void syn_fake_env_flush(void)
{
	for (unsigned int i = 0; i < SYN_FAKE_CONN_MAX; i++)
		if (env.conns[i].open)
			stats_write(&env.conns[i]);
}

struct syn_conn *syn_fake_conn_get(unsigned int index)
{
	return &env.conns[index % SYN_FAKE_CONN_MAX];
}

bool syn_fake_conn_is_open(const struct syn_conn *conn)
{
	return conn->open;
}

struct syn_conn *syn_fake_conn_open(unsigned int index)
{
	struct syn_conn *c = syn_fake_conn_get(index);
	char key[SYN_KEY_MAX + 1];

	if (c->open)
		syn_fake_conn_close(c);
	c->priv = calloc(1, env.def->priv_size ? env.def->priv_size : 1);
	CHECK(c->priv != NULL);
	c->open = true;
	c->stats_map = false;
	c->requests = c->invalid = c->events = 0;
	snprintf(c->stats_prefix, sizeof(c->stats_prefix), "stats.ipcs.service%" PRId32 ".%ld.%#x",
		 env.def->id, (long)c->pid, 0x1000u + c->index);
	snprintf(key, sizeof(key), "%s.procname", c->stats_prefix);
	syn_store_set_str(env.stats, key, "fuzz");
	stats_write(c);
	if (env.def->opened)
		env.def->opened(env.svc, c, c->priv);
	return c;
}

void syn_fake_conn_close(struct syn_conn *c)
{
	if (!c->open)
		return;
	if (env.def->closed)
		env.def->closed(env.svc, c, c->priv);
	/* From here on any event to this connection is a use after free. */
	c->open = false;
	free(c->priv);
	c->priv = NULL;
	free(c->last_res);
	c->last_res = NULL;
	c->last_res_len = 0;
	syn_store_delete_prefix(env.stats, c->stats_prefix);
}

/* Response id for a request id; cmap answers SET_CURRENT_MAP with 10. */
static int32_t response_id(int32_t req_id)
{
	return req_id == SYN_CMAP_REQ_SET_CURRENT_MAP ? SYN_CMAP_RES_SET_CURRENT_MAP : req_id;
}

#define E(x) (1ull << (x))

/* Errors each request may return (spec 4.5 and 4.9). */
static uint64_t allowed_errors(int32_t req_id)
{
	static const uint64_t table[SYN_CMAP_REQ_COUNT] = {
		[SYN_CMAP_REQ_SET] = E(CS_ERR_ACCESS) | E(CS_ERR_INVALID_PARAM) |
				     E(CS_ERR_NAME_TOO_LONG) | E(CS_ERR_NOT_SUPPORTED),
		[SYN_CMAP_REQ_DELETE] =
			E(CS_ERR_ACCESS) | E(CS_ERR_NOT_EXIST) | E(CS_ERR_NOT_SUPPORTED),
		[SYN_CMAP_REQ_GET] = E(CS_ERR_NOT_EXIST) | E(CS_ERR_INVALID_PARAM),
		[SYN_CMAP_REQ_ADJUST_INT] = E(CS_ERR_ACCESS) | E(CS_ERR_NOT_EXIST) |
					    E(CS_ERR_INVALID_PARAM) | E(CS_ERR_NOT_SUPPORTED),
		/* LIBRARY: the connection's iterators or trackers are at the limit */
		[SYN_CMAP_REQ_ITER_INIT] = E(CS_ERR_NO_SECTIONS) | E(CS_ERR_LIBRARY),
		[SYN_CMAP_REQ_ITER_NEXT] = E(CS_ERR_BAD_HANDLE) | E(CS_ERR_NO_SECTIONS),
		[SYN_CMAP_REQ_ITER_FINALIZE] = E(CS_ERR_BAD_HANDLE),
		[SYN_CMAP_REQ_TRACK_ADD] =
			E(CS_ERR_INVALID_PARAM) | E(CS_ERR_NOT_SUPPORTED) | E(CS_ERR_LIBRARY),
		[SYN_CMAP_REQ_TRACK_DELETE] = E(CS_ERR_BAD_HANDLE),
		[SYN_CMAP_REQ_SET_CURRENT_MAP] = E(CS_ERR_BUSY) | E(CS_ERR_NOT_EXIST),
	};

	return E(CS_OK) | E(CS_ERR_NO_MEMORY) | table[req_id];
}

static bool all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* A wire name the daemon sends: NUL-terminated, length = strlen, zero filled. */
static void check_sent_name(const struct syn_mar_name *name, bool empty)
{
	size_t n = strnlen((const char *)name->value, sizeof(name->value));

	CHECK(n < sizeof(name->value));
	CHECK(name->length == n);
	CHECK(all_zero(name->value + n, sizeof(name->value) - n));
	CHECK(empty ? n == 0 : n > 0);
}

static void check_get_response(const struct syn_conn *c, const unsigned char *msg, size_t len)
{
	const struct syn_cmap_req_get *req = (const void *)c->req;
	const struct syn_cmap_res_get *res = (const void *)msg;

	CHECK(len >= sizeof(*res));
	CHECK(len - sizeof(*res) <= req->value_len);
	if (res->header.error != CS_OK) {
		CHECK(len == sizeof(*res));
		return;
	}
	if (len > sizeof(*res)) {
		CHECK(res->value_len <= len - sizeof(*res));
		CHECK(all_zero(res->value + res->value_len, len - sizeof(*res) - res->value_len));
	}
	CHECK(res->value_len <= SYN_CMAP_VALUE_MAX);
}

static void check_response(struct syn_conn *c, const unsigned char *msg, size_t len)
{
	const struct qb_ipc_response_header *h = (const void *)msg;
	static const size_t fixed_len[SYN_CMAP_REQ_COUNT] = {
		[SYN_CMAP_REQ_SET] = 24,
		[SYN_CMAP_REQ_DELETE] = 24,
		[SYN_CMAP_REQ_ADJUST_INT] = 24,
		[SYN_CMAP_REQ_ITER_INIT] = 32,
		[SYN_CMAP_REQ_ITER_NEXT] = 304,
		[SYN_CMAP_REQ_ITER_FINALIZE] = 24,
		[SYN_CMAP_REQ_TRACK_ADD] = 32,
		[SYN_CMAP_REQ_TRACK_DELETE] = 32,
		[SYN_CMAP_REQ_SET_CURRENT_MAP] = 24,
	};

	CHECK(c->open);
	CHECK(c->in_request);
	CHECK(++c->n_responses == 1);
	CHECK(len >= sizeof(*h) && len <= SYN_IPC_BUFFER_SIZE);
	CHECK((size_t)h->size == len);
	CHECK(msg[4] == 0 && msg[5] == 0 && msg[6] == 0 && msg[7] == 0);
	if (env.oracle && c->glue_rejected) {
		CHECK(h->id == 0 && len == sizeof(*h) && h->error == CS_ERR_INVALID_PARAM);
		return;
	}
	if (env.oracle) {
		env.oracle->response(c->req_id, c->req, c->req_len, msg, len);
		return;
	}
	if (c->glue_rejected || h->id != response_id(c->req_id)) {
		/* the generic rejection: the only other answer a request may get */
		CHECK(h->id == 0 && len == sizeof(*h) && h->error == CS_ERR_INVALID_PARAM);
		CHECK(c->glue_rejected || c->req_id < 0 ||
		      (size_t)c->req_id >= env.def->n_requests);
		return;
	}
	CHECK(h->error >= 0 && h->error < 64 && (allowed_errors(c->req_id) & E(h->error)));
	switch (c->req_id) {
	case SYN_CMAP_REQ_GET:
		check_get_response(c, msg, len);
		break;
	case SYN_CMAP_REQ_ITER_INIT: {
		const struct syn_cmap_res_iter_init *r = (const void *)msg;
		CHECK(len == fixed_len[c->req_id]);
		CHECK((r->iter_handle != 0) == (h->error == CS_OK));
		break;
	}
	case SYN_CMAP_REQ_ITER_NEXT: {
		const struct syn_cmap_res_iter_next *r = (const void *)msg;
		CHECK(len == fixed_len[c->req_id]);
		check_sent_name(&r->key_name, h->error != CS_OK);
		if (h->error != CS_OK)
			CHECK(r->value_len == 0 && r->type == 0);
		break;
	}
	case SYN_CMAP_REQ_TRACK_ADD: {
		const struct syn_cmap_res_track_add *r = (const void *)msg;
		CHECK(len == fixed_len[c->req_id]);
		CHECK((r->track_handle != 0) == (h->error == CS_OK));
		break;
	}
	case SYN_CMAP_REQ_TRACK_DELETE: {
		const struct syn_cmap_res_track_delete *r = (const void *)msg;
		const struct syn_cmap_req_track_delete *q = (const void *)c->req;
		CHECK(len == fixed_len[c->req_id]);
		if (h->error != CS_OK)
			CHECK(r->track_inst_handle == 0);
		(void)q;
		break;
	}
	case SYN_CMAP_REQ_SET_CURRENT_MAP: {
		const struct syn_cmap_req_set_current_map *q = (const void *)c->req;
		CHECK(len == fixed_len[c->req_id]);
		if (h->error == CS_OK)
			c->stats_map = q->map == 1;
		break;
	}
	default:
		CHECK(len == fixed_len[c->req_id]);
		break;
	}
}

int syn_conn_respond(struct syn_conn *conn, const void *msg, size_t len)
{
	unsigned char *copy;

	check_response(conn, msg, len);
	copy = realloc(conn->last_res, len);
	CHECK(copy != NULL);
	memcpy(copy, msg, len);
	conn->last_res = copy;
	conn->last_res_len = len;
	return 0;
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

int syn_conn_event(struct syn_conn *conn, const struct iovec *iov, size_t iov_len)
{
	struct syn_cmap_res_notify ev;
	size_t total = 0;

	CHECK(conn->open);
	CHECK(iov_len >= 1 && (env.oracle || iov[0].iov_len >= sizeof(ev)));
	for (size_t i = 0; i < iov_len; i++) {
		CHECK(iov[i].iov_len == 0 || iov[i].iov_base != NULL);
		total += iov[i].iov_len;
	}
	if (env.oracle) {
		struct qb_ipc_response_header h;

		CHECK(iov_len >= 1 && iov[0].iov_len >= sizeof(h));
		memcpy(&h, iov[0].iov_base, sizeof(h));
		CHECK((size_t)h.size == total && total <= SYN_IPC_BUFFER_SIZE);
		env.oracle->event(iov[0].iov_base, iov[0].iov_len, total);
		for (size_t i = 0; i < iov_len; i++) {
			const volatile unsigned char *p = iov[i].iov_base;
			for (size_t j = 0; j < iov[i].iov_len; j++)
				(void)p[j];
		}
		conn->events++;
		return 0;
	}
	memcpy(&ev, iov[0].iov_base, sizeof(ev));
	CHECK(ev.header.id == SYN_CMAP_RES_NOTIFY_CALLBACK);
	CHECK(ev.header.error == CS_OK);
	CHECK((size_t)ev.header.size == total);
	CHECK(total == sizeof(ev) + ev.new_value_len + ev.old_value_len);
	CHECK(total <= SYN_IPC_BUFFER_SIZE);
	CHECK(ev.event == SYN_TRACK_ADD || ev.event == SYN_TRACK_MODIFY ||
	      ev.event == SYN_TRACK_DELETE);
	check_sent_name(&ev.key_name, false);
	/* The stats map carries the key's value on both sides, as corosync's does. */
	if (ev.event == SYN_TRACK_ADD && !conn->stats_map)
		CHECK(ev.old_value_type == 0 && ev.old_value_len == 0);
	if (ev.event == SYN_TRACK_DELETE && !conn->stats_map)
		CHECK(ev.new_value_type == 0 && ev.new_value_len == 0);
	if (conn->stats_map)
		CHECK(ev.old_value_type == ev.new_value_type &&
		      ev.old_value_len == ev.new_value_len);
	/* Read every byte so a dangling value pointer shows up under ASan. */
	for (size_t i = 1; i < iov_len; i++) {
		const volatile unsigned char *p = iov[i].iov_base;
		for (size_t j = 0; j < iov[i].iov_len; j++)
			(void)p[j];
	}
	conn->events++;
	return 0;
}

void syn_conn_count_invalid(struct syn_conn *conn)
{
	CHECK(conn->open && conn->in_request);
	conn->invalid++;
}

pid_t syn_conn_pid(const struct syn_conn *conn)
{
	return conn->pid;
}

/* Fake clients own no files: a uid no file has. */
uid_t syn_conn_uid(const struct syn_conn *conn)
{
	(void)conn;
	return (uid_t)-1;
}

/* The fake keeps no counters outside its connections: nothing to refresh. */
void syn_ipc_stats_refresh(struct syn_ipc *ipc, const char *key)
{
	(void)key;
	CHECK(ipc == &env.ipc);
}

/* No links in the fake. */
void syn_ipc_stats_clear_knet(struct syn_ipc *ipc)
{
	CHECK(ipc == &env.ipc);
}

void syn_ipc_stats_clear(struct syn_ipc *ipc)
{
	CHECK(ipc == &env.ipc);
	for (unsigned int i = 0; i < SYN_FAKE_CONN_MAX; i++) {
		struct syn_conn *c = &env.conns[i];
		if (!c->open)
			continue;
		c->requests = c->invalid = c->events = 0;
		stats_write(c);
	}
}

/* Write at ring offset off into both mappings, wrapping as libqb's ring. */
static void ring_write(size_t off, const void *src, size_t len)
{
	const unsigned char *from = src;

	while (len > 0) {
		size_t pos = off % env.ring_size;
		size_t n = len < env.ring_size - pos ? len : env.ring_size - pos;

		memcpy(env.ring + pos, from, n);
		memcpy(env.ring + env.ring_size + pos, from, n);
		off += n;
		from += n;
		len -= n;
	}
}

static void ring_put32(size_t off, uint32_t v)
{
	ring_write(off, &v, sizeof(v));
}

/*
 * Commit len bytes as libqb's client does: chunk header, then the data.
 * `place` moves the chunk first: 1 puts the data at the start of the next
 * page, 2 splits the header over the end of the ring (the cases where the
 * header is not in the data's page).  Returns where the data starts.
 */
static unsigned char *ring_commit(const void *msg, size_t len, unsigned int place)
{
	size_t page = env.intake.page_size;
	size_t hdr, data;

	if (place == 1)
		env.write_pt = ((env.write_pt + page) / page * page - SYN_QB_RB_CHUNK_HEADER_SIZE) %
			       env.ring_size;
	else if (place == 2)
		env.write_pt = env.ring_size - 4;
	hdr = env.write_pt;
	data = (hdr + SYN_QB_RB_CHUNK_HEADER_SIZE) % env.ring_size;
	ring_put32(hdr, (uint32_t)len);
	ring_put32(hdr + 4, SYN_QB_RB_CHUNK_MAGIC);
	ring_write(data, msg, len);
	env.write_pt = (data + ((len + 3) & ~(size_t)3)) % env.ring_size;
	return env.ring + data;
}

/*
 * What libqb passes as the size: the header's claim, sign-extended, read
 * from the ring even when fewer bytes were committed.
 */
static size_t claimed_size(const unsigned char *data)
{
	struct qb_ipc_request_header h;

	memcpy(&h, data, sizeof(h));
	return (size_t)(ssize_t)h.size;
}

void syn_fake_conn_deliver(struct syn_conn *c, const void *msg, size_t len, unsigned int place)
{
	const struct syn_service_def *def = env.def;
	const unsigned char *data;
	const void *req;
	size_t claimed;
	unsigned char *buf;
	unsigned int expected = 1;

	CHECK(c->open && !c->in_request);
	CHECK(len <= SYN_IPC_BUFFER_SIZE);
	data = ring_commit(msg, len, place);
	claimed = claimed_size(data);
	c->requests++;
	c->in_request = true;
	c->glue_rejected = false;
	c->n_responses = 0;
	c->req_id = -1;
	if (syn_ipc_intake_take(&env.intake, def, data, claimed, SYN_IPC_BUFFER_SIZE, &req) != 0) {
		int32_t id;

		memcpy(&id, data, sizeof(id));
		c->glue_rejected = true;
		c->invalid++;
		/* The glue drops a rejected request the service never answers. */
		if (id >= 0 && id < 32 && (def->unanswered_ids & (1u << id)))
			expected = 0;
		else
			syn_conn_respond_error(c, 0, CS_ERR_INVALID_PARAM);
	} else {
		/* Only the bytes sent pass, wherever the chunk lies. */
		CHECK(claimed == len);
		buf = malloc(claimed);
		CHECK(buf != NULL);
		memcpy(buf, req, claimed);
		c->req = buf;
		c->req_len = claimed;
		c->req_id = ((const struct qb_ipc_request_header *)buf)->id;
		if (env.oracle)
			expected = env.oracle->responses(c->req_id);
		def->request(env.svc, c, c->priv, c->req_id, buf, claimed);
		free(buf);
	}
	CHECK(c->n_responses == expected);
	c->in_request = false;
	c->req = NULL;
}

uint64_t syn_fake_conn_invalid(const struct syn_conn *conn)
{
	return conn->invalid;
}

uint64_t syn_fake_conn_events(const struct syn_conn *conn)
{
	return conn->events;
}

const void *syn_fake_conn_last_response(const struct syn_conn *conn, size_t *len)
{
	*len = conn->last_res_len;
	return conn->last_res;
}
