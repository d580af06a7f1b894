/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_cs_errno.c - unit tests of the errno to cs_error_t conversion:
 * every row of the table, the per-service code for unknown errnos, the
 * restricted form used by cpg zero-copy and config reload, and the
 * reload result that clients and config.reload_status see.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cs_errno.h"
#include "reload.h"

static void test_table(void **state)
{
	static const struct {
		int rc;
		cs_error_t want;
	} rows[] = {
		{0, CS_OK},
		{-EINVAL, CS_ERR_INVALID_PARAM},
		{-ENOENT, CS_ERR_NOT_EXIST},
		{-EEXIST, CS_ERR_EXIST},
		{-ENOMEM, CS_ERR_NO_MEMORY},
		{-EACCES, CS_ERR_ACCESS},
		{-EBUSY, CS_ERR_BUSY},
		{-EAGAIN, CS_ERR_TRY_AGAIN},
		{-EOPNOTSUPP, CS_ERR_NOT_SUPPORTED},
		{-ENAMETOOLONG, CS_ERR_NAME_TOO_LONG},
		{-E2BIG, CS_ERR_TOO_BIG},
		{-EBADMSG, CS_ERR_MESSAGE_ERROR},
		{-EMFILE, CS_ERR_NO_RESOURCES},
		{-ENFILE, CS_ERR_NO_RESOURCES},
		{-ENOBUFS, CS_ERR_NO_RESOURCES},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(syn_cs_error(rows[i].rc, CS_ERR_LIBRARY), rows[i].want);
		/* the code for unknown errnos never overrides a row */
		assert_int_equal(syn_cs_error(rows[i].rc, CS_ERR_INVALID_PARAM), rows[i].want);
	}
}

static void test_unknown_is_the_callers(void **state)
{
	static const int unknown[] = {-EIO, -ESRCH, -EPERM, -ENOSPC, -EBADF, -ENOTCONN, -1000};

	(void)state;
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		assert_int_equal(syn_cs_error(unknown[i], CS_ERR_LIBRARY), CS_ERR_LIBRARY);
		assert_int_equal(syn_cs_error(unknown[i], CS_ERR_INVALID_PARAM),
				 CS_ERR_INVALID_PARAM);
	}
}

/* cpg zero-copy: only the limits keep their code (svc_cpg_zc.c's list). */
static void test_only(void **state)
{
	static const int kept[] = {-EACCES, -ENAMETOOLONG, -E2BIG,  -EMFILE,
				   -ENFILE, -ENOBUFS,	   -ENOMEM, 0};

	(void)state;
	assert_int_equal(syn_cs_error_only(0, kept, CS_ERR_INVALID_PARAM), CS_OK);
	assert_int_equal(syn_cs_error_only(-EACCES, kept, CS_ERR_INVALID_PARAM), CS_ERR_ACCESS);
	assert_int_equal(syn_cs_error_only(-ENAMETOOLONG, kept, CS_ERR_INVALID_PARAM),
			 CS_ERR_NAME_TOO_LONG);
	assert_int_equal(syn_cs_error_only(-E2BIG, kept, CS_ERR_INVALID_PARAM), CS_ERR_TOO_BIG);
	assert_int_equal(syn_cs_error_only(-EMFILE, kept, CS_ERR_INVALID_PARAM),
			 CS_ERR_NO_RESOURCES);
	assert_int_equal(syn_cs_error_only(-ENOBUFS, kept, CS_ERR_INVALID_PARAM),
			 CS_ERR_NO_RESOURCES);
	assert_int_equal(syn_cs_error_only(-ENOMEM, kept, CS_ERR_INVALID_PARAM), CS_ERR_NO_MEMORY);
	/* in the table, but not kept: the client's file was missing or busy */
	assert_int_equal(syn_cs_error_only(-ENOENT, kept, CS_ERR_INVALID_PARAM),
			 CS_ERR_INVALID_PARAM);
	assert_int_equal(syn_cs_error_only(-EAGAIN, kept, CS_ERR_INVALID_PARAM),
			 CS_ERR_INVALID_PARAM);
	assert_int_equal(syn_cs_error_only(-EIO, kept, CS_ERR_INVALID_PARAM), CS_ERR_INVALID_PARAM);
	/* an empty list keeps nothing but success */
	static const int none[] = {0};
	assert_int_equal(syn_cs_error_only(-ENOMEM, none, CS_ERR_LIBRARY), CS_ERR_LIBRARY);
	assert_int_equal(syn_cs_error_only(0, none, CS_ERR_LIBRARY), CS_OK);
}

static void test_reload_result(void **state)
{
	(void)state;
	assert_int_equal(syn_config_reload_result(0), CS_OK);
	assert_int_equal(syn_config_reload_result(-ENOMEM), CS_ERR_NO_MEMORY);
	assert_int_equal(syn_config_reload_result(-EINVAL), CS_ERR_INVALID_PARAM);
	/* a full send queue or a missing file is still an invalid request */
	assert_int_equal(syn_config_reload_result(-EAGAIN), CS_ERR_INVALID_PARAM);
	assert_int_equal(syn_config_reload_result(-ENOENT), CS_ERR_INVALID_PARAM);
	assert_int_equal(syn_config_reload_result(-EMSGSIZE), CS_ERR_INVALID_PARAM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_unknown_is_the_callers),
		cmocka_unit_test(test_only),
		cmocka_unit_test(test_reload_result),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
