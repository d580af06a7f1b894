#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# netns-run.sh - run a command against a fresh synod daemon in its own
# network namespace (IPC names are per namespace, so tests never meet a
# daemon of the host or of another test).
#
# usage: netns-run.sh DAEMON CONFIG COMMAND [ARGS...]
# The daemon runs in the foreground; COMMAND runs inside the namespace
# once the cmap IPC answers and the node is quorate (its first view
# installed; CONFIG is a configuration quorate on its own).  Every wait
# is bounded; only the daemon this script started is killed.  Exit status:
# COMMAND's, or 99 on set-up failure.  With SYN_DAEMON_WRAPPER (e.g.
# "valgrind --leak-check=full") the daemon runs under that wrapper.
# A DAEMON named corosync is the distribution's, run for comparison with
# a private /run and /var/lib/corosync in a mount namespace of its own
# (exec keeps the PID).  With SYN_START_NOW=1 COMMAND starts at once,
# racing the daemon's start-up, instead of waiting for it to be ready.
set -u
daemon=$1 config=$2
shift 2
ns="synod-t$$-$RANDOM"
log=$(mktemp)
cleanup() {
	if [ -n "${dpid:-}" ] && kill -0 "$dpid" 2>/dev/null; then
		kill -TERM "$dpid" 2>/dev/null
		for _ in $(seq 1 100); do kill -0 "$dpid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$dpid" 2>/dev/null
	fi
	wait "${dpid:-}" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -f "$log"
}
trap cleanup EXIT
ip netns add "$ns" || exit 99
ip netns exec "$ns" ip link set lo up || exit 99
if [ "$(basename "$daemon")" = corosync ]; then
	ip netns exec "$ns" unshare -m sh -c 'mount -t tmpfs none /run &&
		mount -t tmpfs none /var/lib/corosync && exec "$0" -f -c "$1"' \
		"$daemon" "$config" >"$log" 2>&1 &
else
	ip netns exec "$ns" ${SYN_DAEMON_WRAPPER:-} "$daemon" -f -c "$config" >"$log" 2>&1 &
fi
dpid=$!
ready=0
[ "${SYN_START_NOW:-0}" = 1 ] && ready=1
for _ in $(seq 1 100); do
	[ $ready -eq 1 ] && break
	if ip netns exec "$ns" "${SYN_WAIT_READY:?set SYN_WAIT_READY to the wait-ready program}" quorate 2>/dev/null; then ready=1; break; fi
	kill -0 "$dpid" 2>/dev/null || break
	sleep 0.1
done
if [ $ready -ne 1 ]; then
	echo "daemon did not become ready; its log:" >&2
	cat "$log" >&2
	exit 99
fi
SYN_NETNS=$ns SYN_DAEMON_PID=$dpid ip netns exec "$ns" "$@"
rc=$?
# The daemon must still be alive and exit cleanly (sanitizer builds report
# leaks and errors through its exit status).
if ! kill -0 "$dpid" 2>/dev/null; then
	echo "the daemon died during the test" >&2
	[ $rc -ne 0 ] || rc=98
else
	kill -TERM "$dpid"
	for _ in $(seq 1 100); do kill -0 "$dpid" 2>/dev/null || break; sleep 0.1; done
	wait "$dpid"
	drc=$?
	dpid=
	if [ $drc -ne 0 ]; then
		echo "the daemon exited with status $drc after SIGTERM" >&2
		[ $rc -ne 0 ] || rc=98
	fi
fi
if [ $rc -ne 0 ]; then
	echo "--- daemon log ---" >&2
	tail -50 "$log" >&2
fi
exit $rc
