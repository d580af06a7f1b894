/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_quorum_api.c - libvotequorum, libquorum and libcfg against a real
 * single-node synod (conf/synod.conf, node 1): success and error paths
 * of every call, and the notifications tracking produces.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <corosync/cfg.h>
#include <corosync/quorum.h>
#include <corosync/votequorum.h>

struct seen {
	int nodelist, quorum, expected;
	uint32_t last_expected, quorate, n_nodes;
	votequorum_ring_id_t ring;
	uint64_t context;
};

static struct seen *seen_of(votequorum_handle_t h)
{
	void *ctx = NULL;

	assert_int_equal(votequorum_context_get(h, &ctx), CS_OK);
	return ctx;
}

static void vq_quorum(votequorum_handle_t h, uint64_t context, uint32_t quorate, uint32_t n,
		      votequorum_node_t nodes[])
{
	struct seen *s = seen_of(h);

	s->quorum++;
	s->quorate = quorate;
	s->n_nodes = n;
	s->context = context;
	assert_int_equal(nodes[0].nodeid, 1);
	assert_int_equal(nodes[0].state, VOTEQUORUM_NODESTATE_MEMBER);
}

static void vq_nodelist(votequorum_handle_t h, uint64_t context, votequorum_ring_id_t ring,
			uint32_t n, uint32_t nodes[])
{
	struct seen *s = seen_of(h);

	s->nodelist++;
	s->ring = ring;
	s->context = context;
	assert_int_equal(n, 1);
	assert_int_equal(nodes[0], 1);
}

static void vq_expected(votequorum_handle_t h, uint64_t context, uint32_t expected)
{
	struct seen *s = seen_of(h);

	(void)context;
	s->expected++;
	s->last_expected = expected;
}

static votequorum_callbacks_t vq_cb = {vq_quorum, vq_expected, vq_nodelist};

static void test_votequorum_info_and_votes(void **state)
{
	(void)state;
	votequorum_handle_t h;
	struct votequorum_info info;
	int fd;

	assert_int_equal(votequorum_initialize(NULL, &vq_cb), CS_ERR_INVALID_PARAM);
	assert_int_equal(votequorum_initialize(&h, &vq_cb), CS_OK);
	assert_int_equal(votequorum_fd_get(h, &fd), CS_OK);
	assert_true(fd >= 0);
	assert_int_equal(votequorum_getinfo(h, 0, &info), CS_OK);
	assert_int_equal(info.node_id, 1);
	assert_int_equal(info.node_state, VOTEQUORUM_NODESTATE_MEMBER);
	assert_int_equal(info.node_votes, 1);
	assert_int_equal(info.node_expected_votes, 1);
	assert_int_equal(info.highest_expected, 1);
	assert_int_equal(info.total_votes, 1);
	assert_int_equal(info.quorum, 1);
	assert_int_equal(info.flags, VOTEQUORUM_INFO_QUORATE);
	assert_string_equal(info.qdevice_name, "");
	assert_int_equal(votequorum_getinfo(h, 1, &info), CS_OK);
	assert_int_equal(votequorum_getinfo(h, 7, &info), CS_ERR_NOT_EXIST);
	assert_int_equal(votequorum_setexpected(h, 0), CS_ERR_INVALID_PARAM);
	assert_int_equal(votequorum_setexpected(h, 5), CS_ERR_INVALID_PARAM);
	assert_int_equal(votequorum_setexpected(h, 1), CS_OK);
	assert_int_equal(votequorum_setvotes(h, 9, 1), CS_ERR_NAME_NOT_FOUND);
	assert_int_equal(votequorum_setvotes(h, 1, 1), CS_OK);
	assert_int_equal(votequorum_dispatch(h, 0), CS_ERR_INVALID_PARAM);
	assert_int_equal(votequorum_dispatch(h, 5), CS_ERR_INVALID_PARAM);
	assert_int_equal(votequorum_finalize(h), CS_OK);
	assert_int_equal(votequorum_finalize(h), CS_ERR_BAD_HANDLE);
	assert_int_equal(votequorum_getinfo(h, 0, &info), CS_ERR_BAD_HANDLE);
}

static void test_votequorum_tracking(void **state)
{
	(void)state;
	votequorum_handle_t h;
	struct seen s = {0};
	void *ctx;

	assert_int_equal(votequorum_initialize(&h, &vq_cb), CS_OK);
	assert_int_equal(votequorum_context_set(h, &s), CS_OK);
	assert_int_equal(votequorum_context_get(h, NULL), CS_ERR_INVALID_PARAM);
	assert_int_equal(votequorum_context_get(h, &ctx), CS_OK);
	assert_ptr_equal(ctx, &s);
	assert_int_equal(votequorum_trackstop(h), CS_ERR_NOT_EXIST);
	assert_int_equal(votequorum_trackstart(h, 42, CS_TRACK_CURRENT), CS_OK);
	assert_int_equal(votequorum_dispatch(h, CS_DISPATCH_ALL), CS_OK);
	assert_int_equal(s.nodelist, 1);
	assert_int_equal(s.quorum, 1);
	assert_int_equal(s.quorate, 1);
	assert_int_equal(s.context, 42);
	assert_int_equal(s.ring.nodeid, 1);
	assert_int_equal(votequorum_trackstop(h), CS_ERR_NOT_EXIST); /* CURRENT alone */
	assert_int_equal(votequorum_trackstart(h, 7, CS_TRACK_CHANGES), CS_OK);
	assert_int_equal(votequorum_trackstart(h, 8, CS_TRACK_CHANGES), CS_ERR_EXIST);
	assert_int_equal(votequorum_dispatch(h, CS_DISPATCH_ALL), CS_OK);
	assert_int_equal(s.nodelist, 3); /* initial events even when answering EXIST */
	assert_int_equal(votequorum_setexpected(h, 1), CS_OK);
	assert_int_equal(votequorum_dispatch(h, CS_DISPATCH_ONE), CS_OK);
	assert_int_equal(s.expected, 1);
	assert_int_equal(s.last_expected, 1);
	assert_int_equal(votequorum_dispatch(h, CS_DISPATCH_ONE_NONBLOCKING), CS_ERR_TRY_AGAIN);
	assert_int_equal(votequorum_trackstop(h), CS_OK);
	assert_int_equal(votequorum_trackstart(h, 9, CS_TRACK_CHANGES_ONLY), CS_OK);
	assert_int_equal(votequorum_dispatch(h, CS_DISPATCH_ALL), CS_OK);
	assert_int_equal(s.nodelist, 3);
	assert_int_equal(votequorum_finalize(h), CS_OK);
}

static void test_votequorum_qdevice(void **state)
{
	(void)state;
	votequorum_handle_t h;
	votequorum_ring_id_t ring = {0, 0}; /* never a view's ring id */
	char longname[300];

	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(votequorum_initialize(&h, NULL), CS_OK);
	assert_int_equal(votequorum_qdevice_register(h, ""), CS_ERR_INVALID_PARAM);
	assert_int_equal(votequorum_qdevice_register(h, longname), CS_ERR_INVALID_PARAM);
	assert_int_equal(votequorum_qdevice_update(h, "a", ""), CS_ERR_INVALID_PARAM);
	/* no quorum.device.model in this configuration: a device may register anyway */
	assert_int_equal(votequorum_qdevice_register(h, "QD"), CS_OK);
	assert_int_equal(votequorum_qdevice_poll(h, "QD", 1, ring), CS_ERR_MESSAGE_ERROR);
	assert_int_equal(votequorum_qdevice_master_wins(h, "QD", 1), CS_OK);
	assert_int_equal(votequorum_qdevice_unregister(h, "QD"), CS_OK);
	assert_int_equal(votequorum_qdevice_unregister(h, "QD"), CS_ERR_NOT_EXIST);
	assert_int_equal(votequorum_qdevice_update(h, "QD", "QE"), CS_ERR_NOT_EXIST);
	assert_int_equal(votequorum_finalize(h), CS_OK);
}

struct qseen {
	int v0, v1q, v1n;
	uint32_t quorate, members;
};

static void q_v0(quorum_handle_t h, uint32_t quorate, uint64_t seq, uint32_t n, uint32_t *list)
{
	const void *ctx;
	struct qseen *s;

	(void)seq;
	quorum_context_get(h, &ctx);
	s = (struct qseen *)ctx;
	s->v0++;
	s->quorate = quorate;
	s->members = n;
	assert_int_equal(list[0], 1);
}

static void q_v1q(quorum_handle_t h, uint32_t quorate, struct quorum_ring_id ring, uint32_t n,
		  const uint32_t *list)
{
	const void *ctx;
	struct qseen *s;

	(void)ring;
	quorum_context_get(h, &ctx);
	s = (struct qseen *)ctx;
	s->v1q++;
	s->quorate = quorate;
	s->members = n;
	assert_int_equal(list[0], 1);
}

static void q_v1n(quorum_handle_t h, struct quorum_ring_id ring, uint32_t nm, const uint32_t *m,
		  uint32_t nj, const uint32_t *j, uint32_t nl, const uint32_t *l)
{
	const void *ctx;

	(void)ring, (void)m, (void)j, (void)l;
	quorum_context_get(h, &ctx);
	((struct qseen *)ctx)->v1n++;
	assert_int_equal(nm, 1);
	assert_int_equal(nj + nl, 0);
}

static void test_quorum(void **state)
{
	(void)state;
	quorum_handle_t h;
	quorum_callbacks_t cb = {q_v0};
	quorum_model_v1_data_t v1 = {QUORUM_MODEL_V1, q_v1q, q_v1n};
	struct qseen s = {0};
	uint32_t type = 9;
	int quorate = 0, fd;

	assert_int_equal(quorum_initialize(&h, &cb, NULL), CS_ERR_INVALID_PARAM);
	assert_int_equal(quorum_initialize(&h, &cb, &type), CS_OK);
	assert_int_equal(type, QUORUM_SET);
	assert_int_equal(quorum_fd_get(h, &fd), CS_OK);
	assert_int_equal(quorum_context_set(h, &s), CS_OK);
	assert_int_equal(quorum_getquorate(h, &quorate), CS_OK);
	assert_int_equal(quorate, 1);
	assert_int_equal(quorum_trackstop(h), CS_OK); /* always OK */
	assert_int_equal(quorum_trackstart(h, CS_TRACK_CHANGES), CS_OK);
	assert_int_equal(quorum_trackstart(h, CS_TRACK_CHANGES), CS_ERR_EXIST);
	assert_int_equal(quorum_dispatch(h, 9), CS_ERR_INVALID_PARAM);
	assert_int_equal(quorum_dispatch(h, CS_DISPATCH_ALL), CS_OK);
	assert_int_equal(s.v0, 2);
	assert_int_equal(s.quorate, 1);
	assert_int_equal(s.members, 1);
	assert_int_equal(quorum_finalize(h), CS_OK);
	assert_int_equal(quorum_finalize(h), CS_ERR_BAD_HANDLE);

	assert_int_equal(quorum_model_initialize(&h, 7, NULL, &type, NULL), CS_ERR_INVALID_PARAM);
	assert_int_equal(
		quorum_model_initialize(&h, QUORUM_MODEL_V1, (quorum_model_data_t *)&v1, &type, &s),
		CS_OK);
	assert_int_equal(quorum_trackstart(h, CS_TRACK_CURRENT), CS_OK);
	assert_int_equal(quorum_dispatch(h, CS_DISPATCH_ALL), CS_OK);
	assert_int_equal(s.v1n, 1);
	assert_int_equal(s.v1q, 1);
	assert_int_equal(quorum_finalize(h), CS_OK);
}

static int shutdown_calls;

static void cfg_shutdown_cb(corosync_cfg_handle_t h, corosync_cfg_shutdown_flags_t flags)
{
	(void)flags;
	shutdown_calls++;
	corosync_cfg_replyto_shutdown(h, COROSYNC_CFG_SHUTDOWN_FLAG_NO);
}

static void test_cfg(void **state)
{
	(void)state;
	corosync_cfg_handle_t h;
	corosync_cfg_callbacks_t cb = {cfg_shutdown_cb};
	corosync_cfg_node_address_t addrs[4];
	struct corosync_cfg_node_status_v1 st;
	char **names, **status;
	unsigned int id = 0, n = 0;
	int num = 0, fd;
	char longreason[300];

	assert_int_equal(corosync_cfg_initialize(&h, &cb), CS_OK);
	assert_int_equal(corosync_cfg_fd_get(h, &fd), CS_OK);
	assert_int_equal(corosync_cfg_local_get(h, &id), CS_OK);
	assert_int_equal(id, 1);
	assert_int_equal(corosync_cfg_get_node_addrs(h, 0, 4, &num, addrs), CS_OK);
	assert_int_equal(num, 1);
	assert_int_equal(((struct sockaddr_in *)addrs[0].address)->sin_addr.s_addr,
			 htonl(INADDR_LOOPBACK));
	assert_int_equal(corosync_cfg_get_node_addrs(h, 2, 4, &num, addrs), CS_ERR_NOT_EXIST);
	assert_int_equal(corosync_cfg_node_status_get(h, 1, 2, &st), CS_ERR_INVALID_PARAM);
	assert_int_equal(corosync_cfg_node_status_get(h, 1, CFG_NODE_STATUS_V1, &st), CS_OK);
	assert_int_equal(st.reachable, 1);
	assert_int_equal(st.link_status[0].enabled, 1);
	assert_string_equal(st.link_status[0].src_ipaddr, "127.0.0.1");
	assert_int_equal(corosync_cfg_node_status_get(h, 5, CFG_NODE_STATUS_V1, &st),
			 CS_ERR_FAILED_OPERATION);
	assert_int_equal(corosync_cfg_ring_status_get(h, &names, &status, &n), CS_OK);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "0 127.0.0.1");
	assert_string_equal(status[0], "n");
	free(names[0]), free(names), free(status[0]), free(status);
	memset(longreason, 'r', sizeof(longreason) - 1);
	longreason[sizeof(longreason) - 1] = '\0';
	assert_int_equal(corosync_cfg_kill_node(h, 1, longreason), CS_ERR_NAME_TOO_LONG);
	assert_int_equal(corosync_cfg_kill_node(h, 5, "test"), CS_ERR_NOT_EXIST);
	assert_int_equal(corosync_cfg_reopen_log_files(h), CS_OK);
	/* reloading the unchanged file succeeds and changes nothing */
	assert_int_equal(corosync_cfg_reload_config(h), CS_OK);
	assert_int_equal(corosync_cfg_local_get(h, &id), CS_OK);
	assert_int_equal(corosync_cfg_replyto_shutdown(h, COROSYNC_CFG_SHUTDOWN_FLAG_YES), CS_OK);
	assert_int_equal(corosync_cfg_trackstart(h, 0), CS_OK);
	assert_int_equal(corosync_cfg_trackstop(h), CS_OK);
	assert_int_equal(corosync_cfg_finalize(h), CS_OK);
	assert_int_equal(corosync_cfg_finalize(h), CS_ERR_BAD_HANDLE);
}

/* Runs last: raising votes raises expected votes, which cannot be undone. */
static void test_votequorum_setvotes_raise(void **state)
{
	(void)state;
	votequorum_handle_t h;
	struct votequorum_info info;

	assert_int_equal(votequorum_initialize(&h, NULL), CS_OK);
	assert_int_equal(votequorum_setvotes(h, 1, 2), CS_OK);
	assert_int_equal(votequorum_getinfo(h, 0, &info), CS_OK);
	assert_int_equal(info.node_votes, 2);
	assert_int_equal(info.node_expected_votes, 2);
	assert_int_equal(info.quorum, 2);
	/* back to 1 vote: quorum 2 > 1 vote */
	assert_int_equal(votequorum_setvotes(h, 1, 1), CS_ERR_INVALID_PARAM);
	assert_int_equal(votequorum_finalize(h), CS_OK);
}

/* A tracker that says no makes a REQUEST shutdown fail with BUSY. */
static void test_cfg_shutdown_vetoed(void **state)
{
	(void)state;
	corosync_cfg_handle_t tracker, requester;
	corosync_cfg_callbacks_t cb = {cfg_shutdown_cb};

	assert_int_equal(corosync_cfg_initialize(&tracker, &cb), CS_OK);
	assert_int_equal(corosync_cfg_trackstart(tracker, 0), CS_OK);
	assert_int_equal(corosync_cfg_initialize(&requester, NULL), CS_OK);
	/* the request blocks until the tracker answers: answer from a child */
	pid_t pid = fork();
	if (pid == 0) {
		corosync_cfg_dispatch(tracker, CS_DISPATCH_ONE);
		_exit(shutdown_calls == 1 ? 0 : 1);
	}
	assert_int_equal(corosync_cfg_try_shutdown(requester, COROSYNC_CFG_SHUTDOWN_FLAG_REQUEST),
			 CS_ERR_BUSY);
	int status;
	waitpid(pid, &status, 0);
	assert_int_equal(WEXITSTATUS(status), 0);
	corosync_cfg_finalize(requester);
	corosync_cfg_finalize(tracker);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_votequorum_info_and_votes),
		cmocka_unit_test(test_votequorum_tracking),
		cmocka_unit_test(test_votequorum_qdevice),
		cmocka_unit_test(test_quorum),
		cmocka_unit_test(test_cfg),
		cmocka_unit_test(test_cfg_shutdown_vetoed),
		cmocka_unit_test(test_votequorum_setvotes_raise),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
