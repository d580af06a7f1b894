#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# hosts-private.sh - run the daemon SYN_HOSTS_DAEMON with the file
# SYN_HOSTS_FILE as its /etc/hosts (a bind mount in a mount namespace of
# its own), so that a test decides what node names resolve to without
# touching the host's.  The mount follows the file's inode: a test that
# rewrites the file in place changes what the daemon resolves from then
# on.  Arguments go to the daemon; exec keeps the PID.
set -u
exec unshare -m sh -c 'mount --bind "$SYN_HOSTS_FILE" /etc/hosts && exec "$SYN_HOSTS_DAEMON" "$@"' \
	synod "$@"
