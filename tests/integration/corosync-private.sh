#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# corosync-private.sh - the distribution's corosync with private /run and
# /var/lib/corosync (a mount namespace of its own), so that a test daemon
# never touches the host's.  Arguments go to corosync; exec keeps the PID.
exec unshare -m sh -c 'mount -t tmpfs none /run && mount -t tmpfs none /var/lib/corosync &&
	exec /usr/sbin/corosync "$@"' corosync "$@"
