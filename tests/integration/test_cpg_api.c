/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_cpg_api.c - every libcpg function against a running daemon on one
 * node: join, membership, messages (empty, ordered, fragmented above 1
 * MiB; zero-copy buffers), iteration, leave, a member killed (PROCDOWN),
 * finalize, with the error codes of corosync 3.1.7.  Built twice, against
 * synod's libcpg and against the distribution's; run against synod and
 * against corosync, expecting the same from both.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <corosync/cpg.h>

#define MAX_EVENTS 64

struct seen {
	int n_confchg;
	struct cpg_address members[CPG_MEMBERS_MAX], left[CPG_MEMBERS_MAX], joined[CPG_MEMBERS_MAX];
	size_t n_members, n_left, n_joined;
	int n_totem;
	uint64_t totem_seq;
	uint32_t totem_n;
	int n_deliver;
	char last[64];
	size_t last_len;
	uint32_t last_sum;
	char order[256];
};

static struct seen seen;

static void on_deliver(cpg_handle_t h, const struct cpg_name *g, uint32_t nodeid, uint32_t pid,
		       void *msg, size_t len)
{
	uint32_t sum = 0;

	(void)h;
	(void)g;
	(void)nodeid;
	(void)pid;
	seen.n_deliver++;
	seen.last_len = len;
	memcpy(seen.last, msg, len < sizeof(seen.last) ? len : sizeof(seen.last));
	for (size_t i = 0; i < len; i++)
		sum = sum * 31 + ((unsigned char *)msg)[i];
	seen.last_sum = sum;
	if (len > 0 && len < 8 && strlen(seen.order) + len < sizeof(seen.order))
		strncat(seen.order, msg, len);
}

static void on_confchg(cpg_handle_t h, const struct cpg_name *g, const struct cpg_address *m,
		       size_t nm, const struct cpg_address *l, size_t nl,
		       const struct cpg_address *j, size_t nj)
{
	(void)h;
	(void)g;
	seen.n_confchg++;
	memcpy(seen.members, m, nm * sizeof(*m));
	memcpy(seen.left, l, nl * sizeof(*l));
	memcpy(seen.joined, j, nj * sizeof(*j));
	seen.n_members = nm;
	seen.n_left = nl;
	seen.n_joined = nj;
}

static void on_totem(cpg_handle_t h, struct cpg_ring_id ring, uint32_t n, const uint32_t *m)
{
	(void)h;
	(void)m;
	seen.n_totem++;
	seen.totem_seq = ring.seq;
	seen.totem_n = n;
}

/* Dispatch until cond holds or 5 s pass. */
#define WAIT_FOR(h, cond)                                                                          \
	do {                                                                                       \
		int fd_;                                                                           \
		assert_int_equal(cpg_fd_get(h, &fd_), CS_OK);                                      \
		for (int i_ = 0; i_ < 500 && !(cond); i_++) {                                      \
			struct pollfd p_ = {.fd = fd_, .events = POLLIN};                          \
			poll(&p_, 1, 10);                                                          \
			assert_int_equal(cpg_dispatch(h, CS_DISPATCH_ALL), CS_OK);                 \
		}                                                                                  \
		assert_true(cond);                                                                 \
	} while (0)

static struct cpg_name group_of(const char *s)
{
	struct cpg_name g;

	memset(&g, 0, sizeof(g));
	g.length = (uint32_t)strlen(s) + 1;
	memcpy(g.value, s, g.length);
	return g;
}

static cpg_handle_t open_v1(unsigned int flags)
{
	cpg_model_v1_data_t md = {CPG_MODEL_V1, on_deliver, on_confchg, on_totem, flags};
	cpg_handle_t h;

	assert_int_equal(cpg_model_initialize(&h, CPG_MODEL_V1, (cpg_model_data_t *)&md, NULL),
			 CS_OK);
	return h;
}

static void test_init_errors(void **state)
{
	cpg_model_v1_data_t md = {CPG_MODEL_V1, NULL, NULL, NULL, 2};
	cpg_callbacks_t cb = {on_deliver, on_confchg};
	cpg_handle_t h;
	uint32_t size = 0;
	void *ctx = NULL;
	int fd = -1;
	cpg_flow_control_state_t fc = CPG_FLOW_CONTROL_ENABLED;

	(void)state;
	assert_int_equal(cpg_model_initialize(&h, 2, (cpg_model_data_t *)&md, NULL),
			 CS_ERR_INVALID_PARAM);
	assert_int_equal(cpg_initialize(&h, &cb), CS_OK);
	assert_int_equal(cpg_max_atomic_msgsize_get(h, &size), CS_OK);
	assert_int_equal(size, 1047552);
	assert_int_equal(cpg_context_set(h, &size), CS_OK);
	assert_int_equal(cpg_context_get(h, &ctx), CS_OK);
	assert_ptr_equal(ctx, &size);
	assert_int_equal(cpg_fd_get(h, &fd), CS_OK);
	assert_true(fd >= 0);
	assert_int_equal(cpg_flow_control_state_get(h, &fc), CS_OK);
	assert_int_equal(fc, CPG_FLOW_CONTROL_DISABLED);
	assert_int_equal(cpg_finalize(h), CS_OK);
	assert_int_equal(cpg_finalize(h), CS_ERR_BAD_HANDLE);
	assert_int_equal(cpg_context_get(h, &ctx), CS_ERR_BAD_HANDLE);
}

static void test_group_life(void **state)
{
	struct cpg_name g = group_of("cpg-api"), other = group_of("other"), lng;
	cpg_handle_t h = open_v1(CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF), h2 = open_v1(0);
	struct cpg_address list[CPG_MEMBERS_MAX];
	int n = CPG_MEMBERS_MAX;
	unsigned int nodeid = 0;
	struct iovec iov[2];

	(void)state;
	memset(&seen, 0, sizeof(seen));
	memset(&lng, 'x', sizeof(lng));
	lng.length = 129;
	assert_int_equal(cpg_join(h, &lng), CS_ERR_NAME_TOO_LONG);
	assert_int_equal(cpg_leave(h2, &g), CS_ERR_NOT_EXIST);
	assert_int_equal(cpg_join(h, &g), CS_OK);
	assert_int_equal(cpg_join(h, &g), CS_ERR_EXIST);
	assert_int_equal(cpg_join(h, &other), CS_ERR_EXIST);
	assert_int_equal(cpg_join(h2, &g), CS_ERR_EXIST); /* same pid, same group */
	WAIT_FOR(h, seen.n_confchg == 1 && seen.n_totem == 1);
	assert_int_equal(seen.n_members, 1);
	assert_int_equal(seen.members[0].pid, (uint32_t)getpid());
	assert_int_equal(seen.n_joined, 1);
	assert_int_equal(seen.joined[0].reason, CPG_REASON_JOIN);
	assert_int_equal(seen.totem_n, 1);
	assert_int_equal(cpg_local_get(h, &nodeid), CS_OK);
	assert_int_equal(nodeid, 1);
	assert_int_equal(seen.members[0].nodeid, nodeid);
	assert_int_equal(cpg_membership_get(h2, &g, list, &n), CS_OK);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].pid, (uint32_t)getpid());
	n = CPG_MEMBERS_MAX;
	assert_int_equal(cpg_membership_get(h, &other, list, &n), CS_OK);
	assert_int_equal(n, 0);
	assert_int_equal(cpg_membership_get(h, &lng, list, &n), CS_ERR_NAME_TOO_LONG);

	/* messages: ordered, self-delivered, empty ones too; unjoined ones dropped */
	iov[0] = (struct iovec){.iov_base = "a", .iov_len = 1};
	assert_int_equal(cpg_mcast_joined(h2, CPG_TYPE_AGREED, iov, 1), CS_OK);
	for (const char *s = "bcd"; *s; s++) {
		iov[0] = (struct iovec){.iov_base = (void *)s, .iov_len = 1};
		assert_int_equal(cpg_mcast_joined(h, CPG_TYPE_AGREED, iov, 1), CS_OK);
	}
	assert_int_equal(cpg_mcast_joined(h, CPG_TYPE_SAFE, NULL, 0), CS_OK);
	WAIT_FOR(h, seen.n_deliver == 4);
	assert_string_equal(seen.order, "bcd");
	assert_int_equal(seen.last_len, 0);

	/* above one fragment, in two elements: reassembled by the library */
	{
		size_t big = 2500000;
		char *buf = malloc(big);
		uint32_t sum = 0;

		for (size_t i = 0; i < big; i++)
			buf[i] = (char)(i * 7);
		for (size_t i = 0; i < big; i++)
			sum = sum * 31 + (unsigned char)buf[i];
		iov[0] = (struct iovec){.iov_base = buf, .iov_len = 10};
		iov[1] = (struct iovec){.iov_base = buf + 10, .iov_len = big - 10};
		assert_int_equal(cpg_mcast_joined(h, CPG_TYPE_AGREED, iov, 2), CS_OK);
		WAIT_FOR(h, seen.n_deliver == 5);
		assert_int_equal(seen.last_len, big);
		assert_int_equal(seen.last_sum, sum);
		free(buf);
	}

	/* zero copy: delivered as an ordinary message, twice from one buffer */
	{
		void *zb = NULL;

		assert_int_equal(cpg_zcb_alloc(h, 100, &zb), CS_OK);
		memcpy(zb, "zc", 2);
		assert_int_equal(cpg_zcb_mcast_joined(h, CPG_TYPE_AGREED, zb, 2), CS_OK);
		WAIT_FOR(h, seen.n_deliver == 6);
		assert_int_equal(seen.last_len, 2);
		memcpy(zb, "zcb", 3);
		assert_int_equal(cpg_zcb_mcast_joined(h, CPG_TYPE_AGREED, zb, 3), CS_OK);
		WAIT_FOR(h, seen.n_deliver == 7);
		assert_int_equal(seen.last_len, 3);
		assert_int_equal(cpg_zcb_free(h, zb), CS_OK);
	}

	/* a member killed: PROCDOWN */
	{
		int pfd[2];
		pid_t child;
		char c;

		assert_int_equal(pipe(pfd), 0);
		child = fork();
		if (child == 0) {
			cpg_handle_t hc;
			cpg_callbacks_t cb = {NULL, NULL};

			if (cpg_initialize(&hc, &cb) != CS_OK || cpg_join(hc, &g) != CS_OK)
				_exit(1);
			(void)write(pfd[1], "j", 1);
			pause();
			_exit(0);
		}
		assert_int_equal(read(pfd[0], &c, 1), 1);
		WAIT_FOR(h, seen.n_confchg == 2);
		assert_int_equal(seen.n_members, 2);
		assert_int_equal(seen.joined[0].pid, (uint32_t)child);
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		WAIT_FOR(h, seen.n_confchg == 3);
		assert_int_equal(seen.n_left, 1);
		assert_int_equal(seen.left[0].pid, (uint32_t)child);
		assert_int_equal(seen.left[0].reason, CPG_REASON_PROCDOWN);
		close(pfd[0]);
		close(pfd[1]);
	}

	/* leave: the leaver gets its own leave */
	assert_int_equal(cpg_leave(h, &g), CS_OK);
	assert_int_equal(cpg_leave(h, &g), CS_ERR_NOT_EXIST);
	WAIT_FOR(h, seen.n_confchg == 4);
	assert_int_equal(seen.n_left, 1);
	assert_int_equal(seen.left[0].reason, CPG_REASON_LEAVE);
	assert_int_equal(seen.n_members, 0);
	assert_int_equal(cpg_finalize(h2), CS_OK);
	assert_int_equal(cpg_finalize(h), CS_OK);
	assert_int_equal(cpg_dispatch(h, CS_DISPATCH_ALL), CS_ERR_BAD_HANDLE);
}

static void test_iteration(void **state)
{
	struct cpg_name a = group_of("iter-a"), b = group_of("iter-b");
	cpg_handle_t ha = open_v1(0), hb = open_v1(0), hq;
	cpg_iteration_handle_t it;
	struct cpg_iteration_description_t d;
	int n;
	struct cpg_address list[CPG_MEMBERS_MAX];

	(void)state;
	hq = open_v1(0);
	assert_int_equal(cpg_join(ha, &a), CS_OK);
	assert_int_equal(cpg_join(hb, &b), CS_OK);
	for (int i = 0; i < 200; i++) {
		n = CPG_MEMBERS_MAX;
		assert_int_equal(cpg_membership_get(hq, &b, list, &n), CS_OK);
		if (n == 1)
			break;
		usleep(10000);
	}
	assert_int_equal(cpg_iteration_initialize(hq, CPG_ITERATION_ALL, &a, &it),
			 CS_ERR_INVALID_PARAM);
	assert_int_equal(cpg_iteration_initialize(hq, CPG_ITERATION_ONE_GROUP, NULL, &it),
			 CS_ERR_INVALID_PARAM);
	assert_int_equal(cpg_iteration_initialize(hq, CPG_ITERATION_ONE_GROUP, &b, &it), CS_OK);
	assert_int_equal(cpg_iteration_next(it, &d), CS_OK);
	assert_int_equal(d.group.length, b.length);
	assert_int_equal(d.pid, (uint32_t)getpid());
	assert_int_equal(cpg_iteration_next(it, &d), CS_ERR_NO_SECTIONS);
	assert_int_equal(cpg_iteration_next(it, &d), CS_OK); /* wraps, as corosync */
	assert_int_equal(cpg_iteration_next(it, NULL), CS_ERR_INVALID_PARAM);
	assert_int_equal(cpg_iteration_finalize(it), CS_OK);
	assert_int_equal(cpg_iteration_finalize(it), CS_ERR_BAD_HANDLE);
	/* NAME_ONLY: newest group first (corosync's order), ids zero */
	assert_int_equal(cpg_iteration_initialize(hq, CPG_ITERATION_NAME_ONLY, NULL, &it), CS_OK);
	assert_int_equal(cpg_iteration_next(it, &d), CS_OK);
	assert_string_equal(d.group.value, "iter-b");
	assert_int_equal(d.pid, 0);
	assert_int_equal(cpg_iteration_next(it, &d), CS_OK);
	assert_string_equal(d.group.value, "iter-a");
	assert_int_equal(cpg_iteration_next(it, &d), CS_ERR_NO_SECTIONS);
	assert_int_equal(cpg_iteration_finalize(it), CS_OK);
	assert_int_equal(cpg_finalize(ha), CS_OK);
	assert_int_equal(cpg_finalize(hb), CS_OK);
	assert_int_equal(cpg_finalize(hq), CS_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_errors),
		cmocka_unit_test(test_group_life),
		cmocka_unit_test(test_iteration),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
