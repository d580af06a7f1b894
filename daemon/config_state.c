/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config_state.c - the state directory (system.state_dir, by default
 * /var/lib/corosync): where it is, and entering it at start-up.
 *
 * The daemon makes the state directory its working directory before it
 * validates the totem configuration, as the reference does, so a missing
 * or unusable directory stops the start (and a -t check) with the
 * reference's message instead of surfacing later as files that silently
 * cannot be written.  A relative path read after that point (a key file)
 * is relative to the state directory, as in the reference.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

const char *syn_config_state_dir(const struct syn_store *store)
{
	const char *dir = NULL;

	if (syn_store_get_str(store, "system.state_dir", &dir) != 0)
		return SYN_CONFIG_STATE_DIR;
	return dir;
}

int syn_config_state_dir_enter(const struct syn_store *store, char *err, size_t err_len)
{
	const char *dir = syn_config_state_dir(store);
	int rc;

	if (err_len)
		err[0] = '\0';
	if (chdir(dir) == 0)
		return 0;
	rc = -errno;
	if (err_len)
		snprintf(err, err_len, "Cannot chdir to state directory %s. %s", dir,
			 strerror(-rc));
	return rc;
}
