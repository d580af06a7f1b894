/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_common.c - libcorosync_common: cs_strerror for every cs_error_t
 * and for unknown values, qb_to_cs_error for every row of the shared spec
 * ipc-wire.md 3.2, hdb_error_to_cs for 3.3.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <corosync/corotypes.h>

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

static void test_strerror_every_code(void **state)
{
	static const struct {
		cs_error_t err;
		const char *text;
	} rows[] = {
		{CS_OK, "success"},
		{CS_ERR_LIBRARY, "CS_ERR_LIBRARY"},
		{CS_ERR_VERSION, "CS_ERR_VERSION"},
		{CS_ERR_INIT, "CS_ERR_INIT"},
		{CS_ERR_TIMEOUT, "CS_ERR_TIMEOUT"},
		{CS_ERR_TRY_AGAIN, "CS_ERR_TRY_AGAIN"},
		{CS_ERR_INVALID_PARAM, "CS_ERR_INVALID_PARAM"},
		{CS_ERR_NO_MEMORY, "CS_ERR_NO_MEMORY"},
		{CS_ERR_BAD_HANDLE, "CS_ERR_BAD_HANDLE"},
		{CS_ERR_BUSY, "CS_ERR_BUSY"},
		{CS_ERR_ACCESS, "CS_ERR_ACCESS"},
		{CS_ERR_NOT_EXIST, "CS_ERR_NOT_EXIST"},
		{CS_ERR_NAME_TOO_LONG, "CS_ERR_NAME_TOO_LONG"},
		{CS_ERR_EXIST, "CS_ERR_EXIST"},
		{CS_ERR_NO_SPACE, "CS_ERR_NO_SPACE"},
		{CS_ERR_INTERRUPT, "CS_ERR_INTERRUPT"},
		{CS_ERR_NAME_NOT_FOUND, "CS_ERR_NAME_NOT_FOUND"},
		{CS_ERR_NO_RESOURCES, "CS_ERR_NO_RESOURCES"},
		{CS_ERR_NOT_SUPPORTED, "CS_ERR_NOT_SUPPORTED"},
		{CS_ERR_BAD_OPERATION, "CS_ERR_BAD_OPERATION"},
		{CS_ERR_FAILED_OPERATION, "CS_ERR_FAILED_OPERATION"},
		{CS_ERR_MESSAGE_ERROR, "CS_ERR_MESSAGE_ERROR"},
		{CS_ERR_QUEUE_FULL, "CS_ERR_QUEUE_FULL"},
		{CS_ERR_QUEUE_NOT_AVAILABLE, "CS_ERR_QUEUE_NOT_AVAILABLE"},
		{CS_ERR_BAD_FLAGS, "CS_ERR_BAD_FLAGS"},
		{CS_ERR_TOO_BIG, "CS_ERR_TOO_BIG"},
		{CS_ERR_NO_SECTIONS, "CS_ERR_NO_SECTIONS"},
		{CS_ERR_CONTEXT_NOT_FOUND, "CS_ERR_CONTEXT_NOT_FOUND"},
		{CS_ERR_TOO_MANY_GROUPS, "CS_ERR_TOO_MANY_GROUPS"},
		{CS_ERR_SECURITY, "CS_ERR_SECURITY"},
	};

	(void)state;
	for (size_t i = 0; i < N_ELEM(rows); i++)
		assert_string_equal(cs_strerror(rows[i].err), rows[i].text);
}

static void test_strerror_unknown(void **state)
{
	static const int unknown[] = {0, 29, 31, 99, 101, 1000, -1, INT_MAX, INT_MIN};

	(void)state;
	for (size_t i = 0; i < N_ELEM(unknown); i++)
		assert_string_equal(cs_strerror((cs_error_t)unknown[i]), "unknown error");
}

static void test_qb_to_cs_error(void **state)
{
	static const struct {
		int result;
		cs_error_t err;
	} rows[] = {
		{0, CS_OK},
		{1, CS_OK},
		{12345, CS_OK},
		{INT_MAX, CS_OK},
		{-EBADF, CS_ERR_BAD_HANDLE},
		{-ENOMEM, CS_ERR_NO_MEMORY},
		{-ENOMSG, CS_ERR_TRY_AGAIN},
		{-ENOBUFS, CS_ERR_TRY_AGAIN},
		{-ETIMEDOUT, CS_ERR_TRY_AGAIN},
		{-EAGAIN, CS_ERR_TRY_AGAIN},
		{-EBADE, CS_ERR_FAILED_OPERATION},
		{-ETIME, CS_ERR_TIMEOUT},
		{-EINVAL, CS_ERR_INVALID_PARAM},
		{-EBUSY, CS_ERR_BUSY},
		{-EACCES, CS_ERR_ACCESS},
		{-EOVERFLOW, CS_ERR_NAME_TOO_LONG},
		{-EEXIST, CS_ERR_EXIST},
		{-ENOSPC, CS_ERR_NO_SPACE},
		{-EINTR, CS_ERR_INTERRUPT},
		{-ENOENT, CS_ERR_NOT_EXIST},
		{-ENODEV, CS_ERR_NOT_EXIST},
		{-ENOSYS, CS_ERR_NOT_SUPPORTED},
		{-ENOTSUP, CS_ERR_NOT_SUPPORTED},
		{-EBADMSG, CS_ERR_MESSAGE_ERROR},
		{-EMSGSIZE, CS_ERR_TOO_BIG},
		{-E2BIG, CS_ERR_TOO_BIG},
		{-ECONNREFUSED, CS_ERR_LIBRARY},
		{-ENOTCONN, CS_ERR_LIBRARY},
		{-ESHUTDOWN, CS_ERR_LIBRARY},
		{-ECONNRESET, CS_ERR_LIBRARY},
		{-EMFILE, CS_ERR_LIBRARY},
		{-EPIPE, CS_ERR_LIBRARY},
		{-1000, CS_ERR_LIBRARY},
		{INT_MIN, CS_ERR_LIBRARY},
	};

	(void)state;
	/* the errno values the spec's table was checked with (x86_64) */
	assert_int_equal(ENOMSG, 42);
	assert_int_equal(EBADE, 52);
	assert_int_equal(ETIME, 62);
	assert_int_equal(EOVERFLOW, 75);
	for (size_t i = 0; i < N_ELEM(rows); i++)
		assert_int_equal(qb_to_cs_error(rows[i].result), rows[i].err);
}

static void test_hdb_error_to_cs(void **state)
{
	static const struct {
		int res;
		cs_error_t err;
	} rows[] = {
		{0, CS_OK},
		{-EBADF, CS_ERR_BAD_HANDLE},
		{-ENOMEM, CS_ERR_NO_MEMORY},
		{-EMFILE, CS_ERR_NO_RESOURCES},
		{-EACCES, CS_ERR_ACCESS},
		{-EINVAL, CS_ERR_LIBRARY},
		{-ENOENT, CS_ERR_LIBRARY},
		{-EAGAIN, CS_ERR_LIBRARY},
		{1, CS_ERR_LIBRARY},
		{EBADF, CS_ERR_LIBRARY},
		{INT_MIN, CS_ERR_LIBRARY},
	};

	(void)state;
	for (size_t i = 0; i < N_ELEM(rows); i++)
		assert_int_equal(hdb_error_to_cs(rows[i].res), rows[i].err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strerror_every_code),
		cmocka_unit_test(test_strerror_unknown),
		cmocka_unit_test(test_qb_to_cs_error),
		cmocka_unit_test(test_hdb_error_to_cs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
