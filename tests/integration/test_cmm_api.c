/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_cmm_api.c - every libcgha_cmm function against a real single-node
 * daemon: success and error paths.  The node is eligible and alone, so
 * it is master without vice-master; notifications between several nodes
 * are exercised by tests/cluster/cmm.sh.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <cmm.h>

static void wait_master(void)
{
	cmm_member_t m;

	for (int i = 0; i < 100; i++) {
		if (cmm_master_getinfo(&m) == CMM_OK)
			return;
		usleep(50000);
	}
	fail_msg("no master after 5 s");
}

static void test_connect(void **state)
{
	(void)state;
	assert_int_equal(cmm_connect((timespec_t){0, 0}), CMM_EINVAL);
	assert_int_equal(cmm_connect((timespec_t){-1, 0}), CMM_EINVAL);
	assert_int_equal(cmm_connect((timespec_t){0, -1}), CMM_EINVAL);
	assert_int_equal(cmm_connect((timespec_t){0, 1000000000}), CMM_EINVAL);
	assert_int_equal(cmm_connect((timespec_t){5, 0}), CMM_OK);
	assert_int_equal(cmm_connect((timespec_t){0, 500000000}), CMM_OK);
	assert_int_equal(cmm_disconnect(), CMM_OK);
	assert_int_equal(cmm_disconnect(), CMM_OK);
}

static void test_node_getid(void **state)
{
	cmm_nodeid_t me = 0;

	(void)state;
	assert_int_equal(cmm_node_getid(NULL), CMM_EINVAL);
	assert_int_equal(cmm_node_getid(&me), CMM_OK);
	assert_int_equal(me, 1);
}

static void test_member_queries(void **state)
{
	cmm_member_t m;

	(void)state;
	wait_master();
	assert_int_equal(cmm_member_getinfo(1, NULL), CMM_EINVAL);
	assert_int_equal(cmm_member_getinfo(99, &m), CMM_ESRCH);
	assert_int_equal(cmm_member_getinfo(1, &m), CMM_OK);
	assert_int_equal(m.nodeid, 1);
	assert_string_equal(m.name, "node1");
	assert_string_equal(m.addr, "127.0.0.1");
	assert_int_equal(m.domainid, 1);
	assert_int_equal(m.sflag, CMM_ELIGIBLE_MEMBER | CMM_MASTER);
	assert_true(m.incarnation_number >= 1);
	assert_true(strlen(m.software_load_id) > 0);
	assert_int_equal(cmm_potential_getinfo(1, NULL), CMM_EINVAL);
	assert_int_equal(cmm_potential_getinfo(99, &m), CMM_ESRCH);
	assert_int_equal(cmm_potential_getinfo(1, &m), CMM_OK);
	assert_int_equal(cmm_master_getinfo(NULL), CMM_EINVAL);
	assert_int_equal(cmm_master_getinfo(&m), CMM_OK);
	assert_int_equal(m.nodeid, 1);
	assert_int_equal(cmm_vicemaster_getinfo(NULL), CMM_EINVAL);
	assert_int_equal(cmm_vicemaster_getinfo(&m), CMM_ESRCH);
}

static void test_count_and_all(void **state)
{
	cmm_member_t table[4];
	uint32_t n = 0;

	(void)state;
	wait_master();
	assert_int_equal(cmm_member_getcount(NULL), CMM_EINVAL);
	assert_int_equal(cmm_member_getcount(&n), CMM_OK);
	assert_int_equal(n, 1);
	assert_int_equal(cmm_member_getall(4, table, NULL), CMM_EINVAL);
	n = 0;
	assert_int_equal(cmm_member_getall(0, table, &n), CMM_ERANGE);
	assert_int_equal(n, 1);
	n = 0;
	assert_int_equal(cmm_member_getall(0, NULL, &n), CMM_OK);
	assert_int_equal(n, 1);
	assert_int_equal(cmm_member_getall(5000, table, &n), CMM_OK);
	assert_int_equal(n, 1);
	assert_int_equal(table[0].nodeid, 1);
}

static void test_predicates(void **state)
{
	cmm_member_t m = {.sflag = 0x1C02};

	(void)state;
	assert_int_equal(cmm_member_ismaster(NULL), 0);
	assert_int_equal(cmm_member_ismaster(&m), 0);
	assert_int_equal(cmm_member_isvicemaster(&m), 1);
	assert_int_equal(cmm_member_isoutofcluster(&m), 0);
	assert_int_equal(cmm_member_iseligible(&m), 1);
	assert_int_equal(cmm_member_isexcluded(&m), 0);
	assert_int_equal(cmm_member_isfrozen(&m), 0);
	assert_int_equal(cmm_member_isdisqualified(&m), 1);
	assert_int_equal(cmm_member_isqualified(&m), 0);
	assert_int_equal(cmm_member_isdesynchronized(&m), 1);
	m.sflag = CMM_OUT_OF_CLUSTER | CMM_FROZEN_MEMBER | CMM_EXCLUDED_MEMBER;
	assert_int_equal(CMM_IS_OUT_OF_CLUSTER(m), 1);
	assert_int_equal(CMM_IS_FROZEN(m), 1);
	assert_int_equal(CMM_IS_EXCLUDED(m), 1);
	assert_int_equal(CMM_IS_QUALIFIED(m), 0);
	m.sflag = CMM_MASTER | CMM_ELIGIBLE_MEMBER;
	assert_int_equal(CMM_IS_MASTER(m), 1);
	assert_int_equal(CMM_IS_QUALIFIED(m), 1);
	assert_int_equal(CMM_IS_ELIGIBLE(m), 1);
	assert_int_equal(CMM_IS_VICEMASTER(m), 0);
	assert_int_equal(CMM_IS_DISQUALIFIED(m), 0);
	assert_int_equal(CMM_IS_SEMI_QUALIFIED(m), 0);
}

static void test_modifications(void **state)
{
	cmm_member_t m;

	(void)state;
	wait_master();
	/* Alone: nobody can take over. */
	assert_int_equal(cmm_mastership_release(), CMM_ECANCELED);
	assert_int_equal(cmm_membership_remove(), CMM_ECANCELED);
	assert_int_equal(cmm_member_setqualif(1, CMM_DISQUALIFIED_MEMBER), CMM_ECANCELED);
	assert_int_equal(cmm_member_setqualif(1, (cmm_qualif_t)7), CMM_EINVAL);
	assert_int_equal(cmm_member_setqualif(99, CMM_DISQUALIFIED_MEMBER), CMM_ESRCH);
	assert_int_equal(cmm_member_setqualif(1, CMM_QUALIFIED_MEMBER), CMM_OK);
	assert_int_equal(cmm_member_setqualif(1, CMM_SYNCHRO_NEEDED), CMM_OK);
	assert_int_equal(cmm_master_getinfo(&m), CMM_OK);
	assert_int_equal(m.sflag, CMM_ELIGIBLE_MEMBER | CMM_MASTER | CMM_FLAG_SYNCHRO_NEEDED);
	assert_int_equal(cmm_member_setqualif(1, CMM_SYNCHRO_READY), CMM_OK);
	assert_int_equal(cmm_member_seizequalif(), CMM_EPERM);
	assert_int_equal(cmm_config_reload(), CMM_OK);
	assert_int_equal(cmm_master_getinfo(&m), CMM_OK);
	assert_int_equal(m.sflag, CMM_ELIGIBLE_MEMBER | CMM_MASTER);
}

static void on_change(const cmm_cmc_notification_t *n, void *data)
{
	(void)n;
	++*(int *)data;
}

static void test_filter(void **state)
{
	cmm_cmchanges_t list[2] = {CMM_MEMBER_JOINED, CMM_MEMBER_LEFT};
	cmm_cmchanges_t bad[2] = {CMM_MEMBER_JOINED, (cmm_cmchanges_t)99};

	(void)state;
	assert_int_equal(cmm_cmc_filter(CMM_CMC_NOTIFY_SET, NULL, 1), CMM_EINVAL);
	assert_int_equal(cmm_cmc_filter(CMM_CMC_NOTIFY_SET, list, 0), CMM_EINVAL);
	assert_int_equal(cmm_cmc_filter(CMM_CMC_NOTIFY_ADD, NULL, 1), CMM_EINVAL);
	assert_int_equal(cmm_cmc_filter(CMM_CMC_NOTIFY_REM, list, 0), CMM_EINVAL);
	assert_int_equal(cmm_cmc_filter((cmm_cmcfilter_t)99, list, 2), CMM_EINVAL);
	assert_int_equal(cmm_cmc_filter(CMM_CMC_NOTIFY_SET, bad, 2), CMM_EINVAL);
	assert_int_equal(cmm_cmc_filter(CMM_CMC_NOTIFY_SET, list, 1), CMM_OK);
	assert_int_equal(cmm_cmc_filter(CMM_CMC_NOTIFY_ADD, list + 1, 1), CMM_OK);
	assert_int_equal(cmm_cmc_filter(CMM_CMC_NOTIFY_REM, list, 1), CMM_OK);
	assert_int_equal(cmm_cmc_filter(CMM_CMC_NOTIFY_NONE, NULL, 7), CMM_OK);
	assert_int_equal(cmm_cmc_filter(CMM_CMC_NOTIFY_ALL, NULL, 0), CMM_OK);
}

static void test_registration(void **state)
{
	int calls = 0, fd = -1, fd2 = -2;

	(void)state;
	assert_int_equal(cmm_notify_dispatch(), CMM_ENOENT);
	assert_int_equal(cmm_cmc_unregister(), CMM_ENOENT);
	assert_int_equal(cmm_cmc_register(NULL, NULL), CMM_EINVAL);
	assert_int_equal(cmm_notify_getfd(NULL), CMM_EINVAL);
	assert_int_equal(cmm_notify_getfd(&fd), CMM_OK);
	assert_int_equal(cmm_cmc_register(on_change, &calls), CMM_OK);
	assert_int_equal(cmm_cmc_register(on_change, NULL), CMM_EEXIST);
	assert_int_equal(cmm_notify_getfd(&fd2), CMM_OK);
	assert_int_equal(fd, fd2);
	assert_int_equal(cmm_notify_dispatch(), CMM_OK);
	assert_int_equal(calls, 0);
	assert_int_equal(cmm_cmc_unregister(), CMM_OK);
	assert_int_equal(cmm_notify_dispatch(), CMM_ENOENT);
	assert_int_equal(cmm_cmc_unregister(), CMM_ENOENT);
	/* Register again, then disconnect drops the registration. */
	assert_int_equal(cmm_cmc_register(on_change, &calls), CMM_OK);
	assert_int_equal(cmm_disconnect(), CMM_OK);
	assert_int_equal(cmm_notify_dispatch(), CMM_ENOENT);
}

static void test_fork(void **state)
{
	int calls = 0, status;
	pid_t pid;

	(void)state;
	assert_int_equal(cmm_cmc_register(on_change, &calls), CMM_OK);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		cmm_nodeid_t me;
		int ok = cmm_notify_dispatch() == CMM_ENOENT &&
			 cmm_cmc_unregister() == CMM_ENOENT && cmm_node_getid(&me) == CMM_OK &&
			 me == 1;
		_exit(ok ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(cmm_notify_dispatch(), CMM_OK);
	assert_int_equal(cmm_cmc_unregister(), CMM_OK);
}

static void test_timeout(void **state)
{
	const char *pid_s = getenv("SYN_DAEMON_PID");
	cmm_nodeid_t me = 0;
	struct timespec t0, t1;
	pid_t pid;
	long ms;

	(void)state;
	if (!pid_s)
		skip();
	pid = (pid_t)atoi(pid_s);
	assert_int_equal(cmm_connect((timespec_t){1, 0}), CMM_OK);
	assert_int_equal(kill(pid, SIGSTOP), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(cmm_node_getid(&me), CMM_ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	kill(pid, SIGCONT);
	assert_int_equal(me, CMM_INVALID_NODE_ID);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 900 && ms < 3000);
	assert_int_equal(cmm_connect((timespec_t){5, 0}), CMM_OK);
	assert_int_equal(cmm_node_getid(&me), CMM_OK);
}

static void test_strerror(void **state)
{
	(void)state;
	assert_string_equal(cmm_strerror(CMM_OK), "CMM_OK: success");
	assert_string_equal(cmm_strerror(CMM_EPERM),
			    "CMM_EPERM: operation not permitted on this node");
	for (int e = CMM_EBADF; e <= CMM_EOTHER; e++)
		assert_true(strncmp(cmm_strerror((cmm_error_t)e), "CMM_E", 5) == 0);
	assert_string_equal(cmm_strerror(CMM_EOTHER), "CMM_EOTHER: other error");
	assert_string_equal(cmm_strerror((cmm_error_t)5), "CMM_EUNKNOWN: unknown CMM error");
	assert_string_equal(cmm_strerror((cmm_error_t)-101), "CMM_EUNKNOWN: unknown CMM error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect),	       cmocka_unit_test(test_node_getid),
		cmocka_unit_test(test_member_queries), cmocka_unit_test(test_count_and_all),
		cmocka_unit_test(test_predicates),     cmocka_unit_test(test_modifications),
		cmocka_unit_test(test_filter),	       cmocka_unit_test(test_registration),
		cmocka_unit_test(test_fork),	       cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
