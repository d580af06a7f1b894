/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cs_errno.h - the one conversion from the daemon's internal results
 * (0 or -errno) to the cs_error_t a client receives.
 *
 * The table (cs_errno.c) gives each errno the code every service uses
 * for it.  What differs between services, on purpose, is stated where
 * the service converts: the code for an errno outside the table (cmap
 * and votequorum answer CS_ERR_LIBRARY, cpg's zero-copy requests and
 * config reload CS_ERR_INVALID_PARAM) and, with syn_cs_error_only, the
 * errnos that keep their own code at all (for zero-copy, whatever the
 * client's file did wrong is an invalid parameter).  Single exceptions,
 * such as cmap's -EMFILE, are written at the call.
 */
#ifndef SYN_DAEMON_CS_ERRNO_H
#define SYN_DAEMON_CS_ERRNO_H

#include <corosync/corotypes.h>

/* CS_OK for 0; the table's code for a known -errno; unknown otherwise. */
cs_error_t syn_cs_error(int rc, cs_error_t unknown);

/*
 * As syn_cs_error, but only the -errno values listed in keep (ending
 * with 0) are looked up; every other non-zero rc gives unknown.
 */
cs_error_t syn_cs_error_only(int rc, const int *keep, cs_error_t unknown);

#endif /* SYN_DAEMON_CS_ERRNO_H */
