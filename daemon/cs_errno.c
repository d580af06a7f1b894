/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cs_errno.c - the errno to cs_error_t table (see cs_errno.h).
 *
 * Every row is the meaning corosync gives the code: a resource that ran
 * out (file descriptors, buffers, a connection's zero-copy slots) is
 * CS_ERR_NO_RESOURCES, a full queue that will drain is CS_ERR_TRY_AGAIN,
 * a malformed message is CS_ERR_MESSAGE_ERROR.
 */
#include "cs_errno.h"

#include <errno.h>
#include <stddef.h>

static const struct {
	int rc;
	cs_error_t err;
} errno_table[] = {
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

cs_error_t syn_cs_error(int rc, cs_error_t unknown)
{
	if (rc == 0)
		return CS_OK;
	for (size_t i = 0; i < sizeof(errno_table) / sizeof(errno_table[0]); i++)
		if (errno_table[i].rc == rc)
			return errno_table[i].err;
	return unknown;
}

cs_error_t syn_cs_error_only(int rc, const int *keep, cs_error_t unknown)
{
	if (rc == 0)
		return CS_OK;
	for (; *keep != 0; keep++)
		if (*keep == rc)
			return syn_cs_error(rc, unknown);
	return unknown;
}
