#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# blackbox.sh - the flight recorder of a real daemon, in a network
# namespace of its own with a private state directory:
#   1. synod-blackbox (the tools' directory first on PATH) asks for a state
#      and a flight-data dump and prints the dump: it must hold the
#      daemon's start-up and view lines, its state line, and debug lines
#      that its stderr (info level) does not show;
#   2. SIGABRT, then (second daemon) SIGSEGV: the daemon writes a fresh
#      dump that qb-blackbox reads, and dies of that signal (exit status
#      128+N), removing its blackbox ring from /dev/shm.  Under ASan
#      (SYN_DAEMON_SANITIZED=1) the daemon's handler replaces the
#      sanitizer's (allow_user_segv_handler, on by default); should the
#      sanitizer keep SIGSEGV, its report is accepted instead of the exit
#      status.  The SIGABRT case is exact in every build.
#
# usage: blackbox.sh DAEMON TOOLS_DIR     (SYN_WAIT_READY: wait-ready program)
# Every wait is bounded; only the daemons started here are killed.
set -u
daemon=$1 tools=$2
: "${SYN_WAIT_READY:?set SYN_WAIT_READY to the wait-ready program}"
command -v qb-blackbox >/dev/null || { echo "qb-blackbox missing (libqb-tools)" >&2; exit 77; }
ns="synod-bb$$-$RANDOM"
work=$(mktemp -d)
dpid=
fail=0
cleanup() {
	if [ -n "$dpid" ] && kill -0 "$dpid" 2>/dev/null; then
		kill -KILL "$dpid" 2>/dev/null
		wait "$dpid" 2>/dev/null
	fi
	ip netns del "$ns" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
bad() { echo "FAIL: $*" >&2; fail=1; }

mkdir "$work/state"
cat >"$work/synod.conf" <<CONF
totem {
	version: 2
	cluster_name: blackbox
	transport: knet
	crypto_cipher: none
	crypto_hash: none
}
nodelist {
	node {
		nodeid: 1
		name: node1
		ring0_addr: 127.0.0.1
	}
}
quorum {
	provider: corosync_votequorum
}
logging {
	to_stderr: yes
	to_syslog: no
	timestamp: on
}
system {
	state_dir: $work/state
}
CONF
ip netns add "$ns" || exit 99
ip netns exec "$ns" ip link set lo up || exit 99
# no core files in the state directory: the exit status tells the signal
ulimit -c 0

# start_daemon LOGFILE: start a daemon and wait until it is quorate.
start_daemon() {
	ip netns exec "$ns" "$daemon" -f -c "$work/synod.conf" >"$1" 2>&1 &
	dpid=$!
	for _ in $(seq 1 100); do
		ip netns exec "$ns" "$SYN_WAIT_READY" quorate 2>/dev/null && return 0
		kill -0 "$dpid" 2>/dev/null || break
		sleep 0.1
	done
	echo "daemon did not become ready; its log:" >&2
	cat "$1" >&2
	exit 99
}

# kill_daemon SIG: send SIG, wait (bounded); the exit status in $status.
kill_daemon() {
	kill "-$1" "$dpid"
	for _ in $(seq 1 100); do kill -0 "$dpid" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$dpid" 2>/dev/null; then
		echo "daemon still alive 10 s after SIG$1" >&2
		kill -KILL "$dpid"
	fi
	wait "$dpid"
	status=$?
	dpid=
}

# dump_target: the file the fdata link points at (empty if none).
dump_target() { readlink "$work/state/fdata" 2>/dev/null; }

# --- 1. dump on request --------------------------------------------------
start_daemon "$work/stderr1"
daemon_pid1=$dpid
if ! ip netns exec "$ns" env PATH="$tools:$PATH" synod-blackbox \
	>"$work/bb1" 2>"$work/bb1.err"; then
	bad "synod-blackbox failed: $(cat "$work/bb1.err")"
fi
echo "synod-blackbox printed $(wc -l <"$work/bb1") lines"
grep -q "synod .* started" "$work/bb1" || bad "no start-up line in the dump"
grep -q "Using quorum provider corosync_votequorum" "$work/bb1" || bad "no quorum provider line"
grep -q "Members\[1\]: 1 (ring" "$work/bb1" || bad "no view line"
grep -q "State: ring [0-9a-f]*\.[0-9a-f]*, 1 members: 1" "$work/bb1" || bad "no state line"
grep -q "State dump requested through runtime.blackbox.dump_state" "$work/bb1" ||
	bad "no state request line"
first=$(dump_target)
case "$first" in
fdata-*-"$daemon_pid1") ;;
*) bad "fdata points at '$first', not fdata-<time>-$daemon_pid1" ;;
esac
# lines below info are in the dump only: none of them is on stderr
debug_lines=$(grep -c '^debug ' "$work/bb1")
echo "debug lines in the dump: $debug_lines"
[ "$debug_lines" -gt 0 ] || bad "no debug line in the dump"
grep -q '^debug\|[[:space:]]debug[[:space:]]' "$work/stderr1" && bad "debug lines on stderr: the test premise is wrong"
# a second request writes a second dump (a new value each time)
sleep 1.1
ip netns exec "$ns" "$tools/synod-cmapctl" -s runtime.blackbox.dump_flight_data str again >/dev/null ||
	bad "cannot set runtime.blackbox.dump_flight_data"
[ "$(dump_target)" != "$first" ] || bad "a second request left the same dump"
n_dumps=$(ls "$work/state" | grep -c '^fdata-')
[ "$n_dumps" -eq 2 ] || bad "$n_dumps dump files after two requests, expected 2"

# --- 2. dump on a fatal signal --------------------------------------------
# check_fatal LOGFILE SIGNAL NUMBER PID: after the daemon died of SIGNAL.
check_fatal() {
	local target
	target=$(dump_target)
	case "$target" in
	fdata-*-"$4") ;;
	*)
		bad "after SIG$2 fdata points at '$target', not a dump of pid $4"
		return
		;;
	esac
	qb-blackbox "$work/state/fdata" >"$work/fatal.txt" 2>&1 || bad "qb-blackbox cannot read the SIG$2 dump"
	echo "SIG$2 dump: $(wc -l <"$work/fatal.txt") lines"
	grep -q "synod .* started" "$work/fatal.txt" || bad "no start-up line in the SIG$2 dump"
	# the ring's shared memory went with the daemon
	ls /dev/shm/qb-*-"$4"-blackbox-* >/dev/null 2>&1 && bad "SIG$2 left the blackbox ring in /dev/shm"
}

kill_daemon ABRT
echo "exit status after SIGABRT: $status"
[ "$status" -eq $((128 + 6)) ] || bad "exit status $status after SIGABRT, expected 134"
check_fatal "$work/stderr1" ABRT 6 "$daemon_pid1"
grep -q "Blackbox dump requested through runtime.blackbox.dump_flight_data" "$work/fatal.txt" ||
	bad "the SIGABRT dump lacks the last request line"

start_daemon "$work/stderr2"
daemon_pid2=$dpid
kill_daemon SEGV
echo "exit status after SIGSEGV: $status"
if [ "${SYN_DAEMON_SANITIZED:-0}" = 1 ] && [ "$status" -ne $((128 + 11)) ]; then
	# the sanitizer's own handler ran: it must have reported the signal
	grep -q "SEGV" "$work/stderr2" || bad "sanitized daemon: exit $status without a SEGV report"
else
	[ "$status" -eq $((128 + 11)) ] || bad "exit status $status after SIGSEGV, expected 139"
	check_fatal "$work/stderr2" SEGV 11 "$daemon_pid2"
fi

if [ $fail -ne 0 ]; then
	echo "--- daemon stderr (first daemon) ---" >&2
	tail -30 "$work/stderr1" >&2
	echo "--- synod-blackbox output (head) ---" >&2
	head -40 "$work/bb1" >&2
fi
exit $fail
