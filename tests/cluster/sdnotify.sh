#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# sdnotify.sh - the readiness protocol on a 3-node cluster: node 1 is
# started with NOTIFY_SOCKET naming a datagram socket read by this script
# (the service manager's side), the others without.
#
#   1. node 1 alone: READY=1 comes with its first view, "Members: 1, not
#      quorate" (1 vote of the 2 it needs);
#   2. nodes 2 and 3 join: STATUS= follows to "Members: 3, quorate";
#   3. node 3 is killed: STATUS= follows to "Members: 2, quorate";
#   4. node 1 gets SIGTERM: STOPPING=1 is the last message, and READY=1
#      was sent exactly once.
# Every wait is bounded; only daemons started here are killed.
set -u
here=$(dirname "$(readlink -f "$0")")
. "$here/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }
RECEIVER_PID=
finish() {
	[ -n "$RECEIVER_PID" ] && kill "$RECEIVER_PID" 2>/dev/null
	cl_cleanup
}
trap finish EXIT

fail() {
	echo "FAIL: $*"
	echo "--- notify messages (one a line, | between assignments)"
	cat "$CL_DIR/notify.log"
	cl_logs
	exit 1
}

# Wait (bounded) until a message holding every given assignment arrived.
await() { # timeout_s assignment...
	local timeout=$1 i line ok
	shift
	for i in $(seq 1 $((timeout * 10))); do
		while IFS= read -r line; do
			ok=1
			for a in "$@"; do
				case "|$line|" in *"|$a|"*) ;; *) ok=0 ;; esac
			done
			[ $ok -eq 1 ] && return 0
		done <"$CL_DIR/notify.log"
		sleep 0.1
	done
	fail "no message with $* within $timeout s"
}

cl_setup 3
# the service manager's socket: each datagram becomes one line
sock=$CL_DIR/notify
python3 -u -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("bound", flush=True)
while True:
    print(s.recv(4096).decode().replace("\n", "|"), flush=True)
' "$sock" >"$CL_DIR/notify.log" 2>&1 &
RECEIVER_PID=$!
for _ in $(seq 1 50); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || fail "the notify socket was not created"

NOTIFY_SOCKET=$sock cl_start 1
await 10 "READY=1" "STATUS=Members: 1, not quorate"
echo "ok: node 1 alone: READY=1, Members: 1, not quorate"

cl_start 2
cl_start 3
await 20 "STATUS=Members: 3, quorate"
echo "ok: nodes 2 and 3 joined: Members: 3, quorate"

cl_stop 3 KILL
await 20 "STATUS=Members: 2, quorate"
echo "ok: node 3 killed: Members: 2, quorate"

cl_stop 1 TERM
await 5 "STOPPING=1"
last=$(tail -1 "$CL_DIR/notify.log")
case "|$last|" in *"|STOPPING=1|"*) ;; *) fail "STOPPING=1 is not the last message: $last" ;; esac
n_ready=$(grep -c '\(^\||\)READY=1\(|\|$\)' "$CL_DIR/notify.log")
[ "$n_ready" = 1 ] || fail "READY=1 sent $n_ready times"
echo "ok: SIGTERM: STOPPING=1 last, READY=1 sent once"
