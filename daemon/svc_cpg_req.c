/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * svc_cpg_req.c - the cpg service's request handlers, with corosync
 * 3.1.7's error codes and check order (shared spec cpg.md 4.2-4.9) and
 * synod's deviations (cpg.md 10.2): LEAVE of another group than the
 * joined one is NOT_EXIST; MCAST and PARTIAL_MCAST sizes are checked
 * against their length fields (a bad MCAST is dropped, logged and counted,
 * never answered, also when the IPC intake rejects its framing: an answer
 * would be read by libcpg as the reply to its next call);
 * fragment sequences are checked; zero-copy buffers are checked before
 * they are used (svc_cpg_zc.c); a JOIN that would make its group larger
 * than a CONFCHG can carry (128) is refused with NO_RESOURCES and logged.
 * MCAST is never answered.
 */
#include "svc_cpg_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <corosync/cpg.h>
#include <qb/qblog.h>

#include "proto/ipc_cpg.h"

/* A request's name, or false when it is longer than 128 bytes. */
static bool name_take(struct syn_cpg_name *dst, const struct syn_cpg_mar_name *src)
{
	memset(dst, 0, sizeof(*dst));
	if (src->length > SYN_CPG_NAME_MAX)
		return false;
	dst->len = src->length;
	memcpy(dst->value, src->value, src->length);
	return true;
}

/*
 * Members the group has or will have once the local joins under way are
 * delivered.  Joins still in flight from other nodes are not seen: two
 * nodes can together pass the limit; the events then are not sent (see
 * core_confchg) and an error is logged.
 */
static size_t group_size(const struct syn_svc_cpg *svc, const struct syn_cpg_name *g)
{
	const struct syn_cpg_entry *t;
	size_t n = syn_cpg_table(svc->core, &t), count = 0;

	for (size_t i = 0; i < n; i++)
		count += syn_cpg_name_eq(&t[i].group, g);
	for (const struct cpg_conn *o = svc->conns; o; o = o->next)
		count += o->state == CPG_JOIN_STARTED && syn_cpg_name_eq(&o->group, g);
	return count;
}

static void handle_join(struct syn_svc_cpg *svc, struct syn_conn *conn, struct cpg_conn *cc,
			const struct syn_cpg_req_join *req)
{
	struct syn_cpg_name g;
	bool name_ok = name_take(&g, &req->group_name);
	int32_t err = CS_OK;

	for (struct cpg_conn *o = svc->conns; o && name_ok; o = o->next)
		if (o->listed && o->pid == req->pid && syn_cpg_name_eq(&o->group, &g))
			err = CS_ERR_EXIST;
	if (err == CS_OK && name_ok && syn_cpg_has_entry(svc->core, svc->self, req->pid, &g))
		err = CS_ERR_TRY_AGAIN;
	if (err == CS_OK && !name_ok)
		err = CS_ERR_NAME_TOO_LONG;
	if (err == CS_OK) {
		switch (cc->state) {
		case CPG_UNJOINED:
			if (group_size(svc, &g) >= SYN_CPG_MEMBERS_MAX) {
				qb_log(LOG_ERR,
				       "cpg: join of pid %u refused: the group has %d members, "
				       "the most a CONFCHG can carry",
				       req->pid, SYN_CPG_MEMBERS_MAX);
				err = CS_ERR_NO_RESOURCES;
				break;
			}
			if (syn_svc_cpg_send_proc(svc, SYN_CPG_MSG_PROCJOIN, &g, req->pid,
						  SYN_CPG_REASON_JOIN) != 0) {
				err = CS_ERR_TRY_AGAIN;
				break;
			}
			cc->state = CPG_JOIN_STARTED;
			cc->group = g;
			cc->pid = req->pid;
			cc->flags = req->flags;
			break;
		case CPG_LEAVE_STARTED:
			err = CS_ERR_BUSY;
			break;
		default:
			err = CS_ERR_EXIST;
		}
	}
	syn_conn_respond_error(conn, SYN_CPG_RES_JOIN, err);
}

static void handle_leave(struct syn_svc_cpg *svc, struct syn_conn *conn, struct cpg_conn *cc,
			 const struct syn_cpg_req_leave *req)
{
	struct syn_cpg_name g;
	int32_t err;

	switch (cc->state) {
	case CPG_JOIN_STARTED:
		err = CS_ERR_BUSY;
		break;
	case CPG_JOIN_COMPLETED:
		if (!name_take(&g, &req->group_name)) {
			err = CS_ERR_NAME_TOO_LONG;
		} else if (!syn_cpg_name_eq(&g, &cc->group)) {
			err = CS_ERR_NOT_EXIST;
		} else if (syn_svc_cpg_send_proc(svc, SYN_CPG_MSG_PROCLEAVE, &cc->group, cc->pid,
						 SYN_CPG_REASON_LEAVE) != 0) {
			err = CS_ERR_TRY_AGAIN;
		} else {
			err = CS_OK;
			cc->state = CPG_LEAVE_STARTED;
		}
		break;
	default:
		err = CS_ERR_NOT_EXIST;
	}
	syn_conn_respond_error(conn, SYN_CPG_RES_LEAVE, err);
}

bool syn_svc_cpg_may_send(const struct cpg_conn *cc)
{
	return cc->state == CPG_JOIN_STARTED || cc->state == CPG_JOIN_COMPLETED;
}

int syn_svc_cpg_mcast_send(struct syn_svc_cpg *svc, const struct cpg_conn *cc, const void *msg,
			   uint32_t len)
{
	size_t size = syn_cpg_encode_mcast(NULL, 0, &cc->group, cc->pid, NULL, len);
	uint8_t *buf = malloc(size);
	int rc = -ENOMEM;

	if (buf && syn_cpg_encode_mcast(buf, size, &cc->group, cc->pid, msg, len) == size)
		rc = syn_svc_cpg_send(svc, buf, size);
	free(buf);
	return rc;
}

/* Never answered: a response would be read as the next call's reply. */
static void handle_mcast(struct syn_svc_cpg *svc, struct syn_conn *conn, struct cpg_conn *cc,
			 const struct syn_cpg_req_mcast *req, size_t len)
{
	if (req->msglen > SYN_CPG_MAX_ATOMIC_MSG || len != sizeof(*req) + req->msglen) {
		qb_log(LOG_WARNING, "cpg: malformed message from pid %ld dropped",
		       (long)syn_conn_pid(conn));
		syn_conn_count_invalid(conn);
		return;
	}
	if (!syn_svc_cpg_may_send(cc)) {
		qb_log(LOG_DEBUG, "cpg: message from pid %ld, not joined, dropped",
		       (long)syn_conn_pid(conn));
		return;
	}
	if (syn_svc_cpg_mcast_send(svc, cc, req->message, req->msglen) != 0)
		qb_log(LOG_CRIT, "cpg: out of memory: a message of pid %u is lost", cc->pid);
}

static int32_t partial_check(struct cpg_conn *cc, const struct syn_cpg_req_partial_mcast *req,
			     size_t len)
{
	if (len != sizeof(*req) + req->fraglen || req->fraglen > req->msglen ||
	    req->fraglen > SYN_CPG_MAX_ATOMIC_MSG || req->type < SYN_CPG_PARTIAL_FIRST ||
	    req->type > SYN_CPG_PARTIAL_LAST)
		return CS_ERR_INVALID_PARAM;
	if (req->type == SYN_CPG_PARTIAL_FIRST) {
		cc->partial_open = true;
		cc->partial_msglen = req->msglen;
		cc->partial_sent = 0;
	} else if (!cc->partial_open || req->msglen != cc->partial_msglen) {
		return CS_ERR_INVALID_PARAM;
	}
	if (req->fraglen > cc->partial_msglen - cc->partial_sent ||
	    (req->type == SYN_CPG_PARTIAL_LAST &&
	     cc->partial_sent + req->fraglen != cc->partial_msglen)) {
		cc->partial_open = false;
		return CS_ERR_INVALID_PARAM;
	}
	return CS_OK;
}

static void handle_partial(struct syn_svc_cpg *svc, struct syn_conn *conn, struct cpg_conn *cc,
			   const struct syn_cpg_req_partial_mcast *req, size_t len)
{
	int32_t err = syn_svc_cpg_may_send(cc) ? CS_OK : CS_ERR_NOT_EXIST;
	size_t size;
	uint8_t *buf;

	if (req->type == SYN_CPG_PARTIAL_FIRST)
		cc->partial_snapshot = cc->transitions;
	if (cc->transitions != cc->partial_snapshot)
		err = CS_ERR_INTERRUPT;
	if (err == CS_OK)
		err = partial_check(cc, req, len);
	else
		cc->partial_open = false;
	if (err == CS_OK) {
		size = syn_cpg_encode_partial(NULL, 0, &cc->group, cc->pid, req->msglen, req->type,
					      NULL, req->fraglen);
		buf = malloc(size);
		if (!buf ||
		    syn_cpg_encode_partial(buf, size, &cc->group, cc->pid, req->msglen, req->type,
					   req->message, req->fraglen) != size ||
		    syn_svc_cpg_send(svc, buf, size) != 0)
			err = CS_ERR_TRY_AGAIN;
		else if (req->type == SYN_CPG_PARTIAL_LAST)
			cc->partial_open = false;
		else
			cc->partial_sent += req->fraglen;
		free(buf);
	}
	syn_conn_respond_error(conn, SYN_CPG_RES_PARTIAL_SEND, err);
}

static void handle_membership(struct syn_svc_cpg *svc, struct syn_conn *conn,
			      const struct syn_cpg_req_membership *req)
{
	struct syn_cpg_res_membership *res = calloc(1, sizeof(*res));
	const struct syn_cpg_entry *t;
	size_t n = syn_cpg_table(svc->core, &t);
	struct syn_cpg_name g;

	if (!res) {
		syn_conn_respond_error(conn, SYN_CPG_RES_MEMBERSHIP, CS_ERR_NO_MEMORY);
		return;
	}
	res->header.id = SYN_CPG_RES_MEMBERSHIP;
	res->header.size = sizeof(*res);
	res->header.error = CS_OK;
	if (!name_take(&g, &req->group_name)) {
		res->header.error = CS_ERR_NAME_TOO_LONG;
		n = 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (!syn_cpg_name_eq(&t[i].group, &g))
			continue;
		if (res->member_count == SYN_CPG_PROCESSOR_COUNT_MAX) {
			qb_log(LOG_ERR, "cpg: group has more than %d members; answer truncated",
			       SYN_CPG_PROCESSOR_COUNT_MAX);
			break;
		}
		res->member_list[res->member_count].nodeid = t[i].nodeid;
		res->member_list[res->member_count].pid = t[i].pid;
		res->member_count++;
	}
	syn_conn_respond(conn, res, sizeof(*res));
	free(res);
}

/* ---- iterations -------------------------------------------------------- */

static struct cpg_iter *iter_find(struct syn_svc_cpg *svc, uint64_t handle)
{
	for (struct cpg_iter *it = svc->iters; it; it = it->next)
		if (it->handle == handle)
			return it;
	return NULL;
}

static void iter_free(struct syn_svc_cpg *svc, struct cpg_iter *it)
{
	for (struct cpg_iter **pp = &svc->iters; *pp; pp = &(*pp)->next) {
		if (*pp == it) {
			*pp = it->next;
			break;
		}
	}
	free(it->entries);
	free(it);
}

void syn_svc_cpg_iter_drop_owner(struct syn_svc_cpg *svc, struct cpg_conn *cc)
{
	struct cpg_iter *it = svc->iters, *next;

	for (; it; it = next) {
		next = it->next;
		if (it->owner == cc)
			iter_free(svc, it);
	}
}

/*
 * corosync's order: walk the table; an entry goes right after the first
 * result entry of its group, or to the front when its group is new.
 */
static void iter_fill(struct cpg_iter *it, const struct syn_cpg_entry *t, size_t n, uint32_t type,
		      const struct syn_cpg_name *one)
{
	for (size_t i = 0; i < n; i++) {
		struct syn_cpg_entry e = t[i];
		size_t at = it->n, first = it->n;

		if (type == CPG_ITERATION_ONE_GROUP && !syn_cpg_name_eq(&e.group, one))
			continue;
		for (size_t k = 0; k < it->n && first == it->n; k++)
			if (syn_cpg_name_eq(&it->entries[k].group, &e.group))
				first = k;
		if (type == CPG_ITERATION_NAME_ONLY) {
			if (first != it->n)
				continue;
			e.nodeid = e.pid = 0;
		}
		at = first == it->n ? 0 : first + 1;
		memmove(&it->entries[at + 1], &it->entries[at],
			(it->n - at) * sizeof(*it->entries));
		it->entries[at] = e;
		it->n++;
	}
}

static void handle_iter_init(struct syn_svc_cpg *svc, struct syn_conn *conn, struct cpg_conn *cc,
			     const struct syn_cpg_req_iterationinitialize *req)
{
	struct syn_cpg_res_iterationinitialize res;
	const struct syn_cpg_entry *t;
	size_t n = syn_cpg_table(svc->core, &t);
	struct syn_cpg_name g = {0};
	struct cpg_iter *it;

	memset(&res, 0, sizeof(res));
	res.header.id = SYN_CPG_RES_ITERATIONINITIALIZE;
	res.header.size = sizeof(res);
	res.header.error = CS_OK;
	if (req->iteration_type == CPG_ITERATION_ONE_GROUP && !name_take(&g, &req->group_name)) {
		res.header.error = CS_ERR_NAME_TOO_LONG;
		syn_conn_respond(conn, &res, sizeof(res));
		return;
	}
	it = calloc(1, sizeof(*it));
	if (it)
		it->entries = calloc(n + 1, sizeof(*it->entries));
	if (!it || !it->entries) {
		free(it);
		res.header.error = CS_ERR_NO_MEMORY;
		syn_conn_respond(conn, &res, sizeof(res));
		return;
	}
	iter_fill(it, t, n, req->iteration_type, &g);
	it->owner = cc;
	svc->next_iter++;
	it->handle = svc->next_iter << 32 | (uint32_t)(svc->next_iter * 2654435761u);
	it->next = svc->iters;
	svc->iters = it;
	res.iteration_handle = it->handle;
	syn_conn_respond(conn, &res, sizeof(res));
}

static void handle_iter_next(struct syn_svc_cpg *svc, struct syn_conn *conn,
			     const struct syn_cpg_req_iteration *req)
{
	struct syn_cpg_res_iterationnext res;
	struct cpg_iter *it = iter_find(svc, req->iteration_handle);

	memset(&res, 0, sizeof(res));
	res.header.id = SYN_CPG_RES_ITERATIONNEXT;
	res.header.size = sizeof(res);
	if (!it) {
		res.header.error = CS_ERR_LIBRARY;
	} else if (it->pos >= it->n) {
		res.header.error = CS_ERR_NO_SECTIONS;
		it->pos = 0; /* corosync's iteration starts over after its end */
	} else {
		const struct syn_cpg_entry *e = &it->entries[it->pos++];

		res.header.error = CS_OK;
		res.description.group.length = e->group.len;
		memcpy(res.description.group.value, e->group.value, e->group.len);
		res.description.nodeid = e->nodeid;
		res.description.pid = e->pid;
	}
	syn_conn_respond(conn, &res, sizeof(res));
}

static void handle_iter_fini(struct syn_svc_cpg *svc, struct syn_conn *conn,
			     const struct syn_cpg_req_iteration *req)
{
	struct cpg_iter *it = iter_find(svc, req->iteration_handle);

	if (it)
		iter_free(svc, it);
	syn_conn_respond_error(conn, SYN_CPG_RES_ITERATIONFINALIZE, it ? CS_OK : CS_ERR_LIBRARY);
}

static void handle_finalize(struct syn_svc_cpg *svc, struct syn_conn *conn, struct cpg_conn *cc)
{
	/* Out of the connection list: no more events, no part in JOIN's check. */
	if (cc->listed) {
		if (cc->prev)
			cc->prev->next = cc->next;
		else if (svc->conns == cc)
			svc->conns = cc->next;
		if (cc->next)
			cc->next->prev = cc->prev;
		cc->next = cc->prev = NULL;
		cc->listed = false;
	}
	syn_conn_respond_error(conn, SYN_CPG_RES_FINALIZE, CS_OK);
}

void syn_svc_cpg_request(void *svc_ptr, struct syn_conn *conn, void *priv, int32_t id,
			 const void *msg, size_t len)
{
	struct syn_svc_cpg *svc = svc_ptr;
	struct cpg_conn *cc = priv;
	struct syn_cpg_res_local_get lg;

	cc->conn = conn;
	switch (id) {
	case SYN_CPG_REQ_JOIN:
		handle_join(svc, conn, cc, msg);
		return;
	case SYN_CPG_REQ_LEAVE:
		handle_leave(svc, conn, cc, msg);
		return;
	case SYN_CPG_REQ_MCAST:
		handle_mcast(svc, conn, cc, msg, len);
		return;
	case SYN_CPG_REQ_MEMBERSHIP:
		handle_membership(svc, conn, msg);
		return;
	case SYN_CPG_REQ_LOCAL_GET:
		memset(&lg, 0, sizeof(lg));
		lg.header.id = SYN_CPG_RES_LOCAL_GET;
		lg.header.size = sizeof(lg);
		lg.header.error = CS_OK;
		lg.local_nodeid = svc->self;
		syn_conn_respond(conn, &lg, sizeof(lg));
		return;
	case SYN_CPG_REQ_ITERATIONINITIALIZE:
		handle_iter_init(svc, conn, cc, msg);
		return;
	case SYN_CPG_REQ_ITERATIONNEXT:
		handle_iter_next(svc, conn, msg);
		return;
	case SYN_CPG_REQ_ITERATIONFINALIZE:
		handle_iter_fini(svc, conn, msg);
		return;
	case SYN_CPG_REQ_FINALIZE:
		handle_finalize(svc, conn, cc);
		return;
	case SYN_CPG_REQ_ZC_ALLOC:
		syn_svc_cpg_zc_alloc(svc, conn, cc, msg);
		return;
	case SYN_CPG_REQ_ZC_FREE:
		syn_svc_cpg_zc_free(conn, cc, msg);
		return;
	case SYN_CPG_REQ_ZC_EXECUTE:
		syn_svc_cpg_zc_execute(svc, conn, cc, msg);
		return;
	case SYN_CPG_REQ_PARTIAL_MCAST:
		handle_partial(svc, conn, cc, msg, len);
		return;
	default:
		syn_conn_respond_error(conn, 0, CS_ERR_INVALID_PARAM);
	}
}
