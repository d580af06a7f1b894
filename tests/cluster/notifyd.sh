#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# notifyd.sh - the distribution's corosync-notifyd, unmodified (foreground,
# events on stdout, no DNS: -f -o -n), watching node 1 of a 3-node cluster
# in network namespaces (see lib.sh), while the cluster goes through:
#   start     notifyd connects: its own quorum and cfg connections are
#             reported (stats.ipcs.* tracking) and the quorate state
#   app       corosync-cmapctl and corosync-cpgtool run on node 1: each
#             connection reported connected, then disconnected
#   kill      node 3's daemon SIGKILLed: node 3 left (runtime.members.3.
#             status), link 0 to node 3 disconnected (stats.knet.*.connected)
#   rejoin    node 3 restarted: joined, link operational
#   quorum    nodes 2 and 3 SIGKILLed: both left, quorum lost
#   regain    node 2 restarted: joined, quorate again
#   stop      node 2 stopped with SIGTERM (a clean leave): left, quorum lost
#   back      node 2 restarted: joined, quorate
#   whole     node 3 restarted: joined
# After each step the events notifyd printed (node ids and addresses kept;
# the connection's address, pids and the host name replaced by CONN, PID,
# HOST) must be exactly the ones listed here, in this order within each
# kind (members: runtime.members.<id>.status; quorum; link, sorted; app:
# IPC connections), and at start in one order too.  The kinds are compared
# apart because their relative order is a matter of timing (knet's link
# timeout against the membership's token) and of which of its connections
# notifyd's loop serves first, on corosync as on synod.  The same list is
# checked on the distribution's corosync with the argument "corosync"
# (test cluster-notifyd-corosync), so both daemons give the same
# notifications.
# Exit 1 if a step differs, 77 (skip) when not root or notifyd is missing.
#
# usage: BUILD=builddir notifyd.sh [synod|corosync]
set -u
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
KIND=${1:-synod}
need="corosync-notifyd corosync-cmapctl corosync-cpgtool"
[ "$KIND" = corosync ] && need="$need corosync"
for c in $need; do command -v "$c" >/dev/null || { echo "SKIP: no $c"; exit 77; }; done
BUILD=${BUILD:?set BUILD to the build directory}
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/stack_lib.sh"
T=30        # bound of every wait, seconds
SETTLE=1.5  # quiet time after a step's last expected event, seconds
NOTIFYD=""  # pid of corosync-notifyd
OUT=$CL_DIR/notifyd.out
failed=0

cleanup() {
	[ -n "$NOTIFYD" ] && kill "$NOTIFYD" 2>/dev/null && st_wait_gone "$NOTIFYD" 5
	cl_cleanup
}
trap cleanup EXIT

# The events printed after line `from`, normalized, of one kind.
events() { # from members|quorum|link|app|all
	local host
	host=$(hostname)
	tail -n +"$(($1 + 1))" "$OUT" | grep '^\[notice\] ' | sed -E \
		-e 's/^\[notice\] //' -e "s/^$host\\[/HOST[/" \
		-e 's/ 0x[0-9a-f]+\.[0-9]+\./ CONN.PID./' |
		case $2 in
		app) grep -E ' (to|from) corosync$' ;;
		link) grep -E '^HOST\[[0-9]+\] link ' | sort ;;
		members) grep -E ' (joined|left)$' ;;
		quorum) grep -E ' (is now quorate|has lost quorum)$' ;;
		all) cat ;;
		esac
}

# Compare the events since `from` with the expected ones, kind by kind,
# and all of them in one order when that is given too.
check() { # step from expected-members expected-quorum expected-link expected-app [expected-all]
	local step=$1 from=$2 kind want got bad=0 i=3 kinds="members quorum link app"
	[ $# -ge 7 ] && kinds="$kinds all"
	for kind in $kinds; do
		want=$(printf '%b' "${!i}")
		got=$(events "$from" $kind)
		if [ "$got" != "$want" ]; then
			echo "FAIL $KIND $step ($kind events):"
			diff <(echo "$want") <(echo "$got") | sed 's/^/    /'
			bad=1
		fi
		i=$((i + 1))
	done
	if [ $bad = 1 ]; then
		failed=$((failed + 1))
		echo "    all events of the step:"
		tail -n +"$((from + 1))" "$OUT" | grep '^\[notice\] ' | sed 's/^/      /'
		return 1
	fi
	echo "PASS $KIND $step: $(tail -n +"$((from + 1))" "$OUT" | grep -c '^\[notice\] ') events"
}

# Wait for n events matching re since `from`, then let the step settle.
await() { # what from re n
	if ! st_wait_lines "$OUT" "$2" "$3" "$4" "$T"; then
		echo "FAIL $KIND $1: no '$3' (x$4) within ${T}s"
		failed=$((failed + 1))
		return 1
	fi
	sleep "$SETTLE"
}

cl_setup 3 "  token: 1000"
for i in 1 2 3; do st_node_start "$i"; done
if ! cl_wait_view "1 2 3" "$T" 1 2 3 >/dev/null; then
	echo "FAIL $KIND: no membership"
	cl_logs
	exit 1
fi

# start
from=0
st_on 1 corosync-notifyd -f -o -n >>"$OUT" 2>&1 &
NOTIFYD=$!
await start "$from" 'is now disconnected' 1 &&
	check start "$from" '' 'HOST[1] is now quorate' '' \
		'HOST[1] CONN.PID.corosync-notify is now connected to corosync
HOST[1] CONN.PID.corosync-notify is now connected to corosync
HOST[1] CONN.PID.corosync-notify is now disconnected from corosync' \
		'HOST[1] is now quorate
HOST[1] CONN.PID.corosync-notify is now connected to corosync
HOST[1] CONN.PID.corosync-notify is now connected to corosync
HOST[1] CONN.PID.corosync-notify is now disconnected from corosync'

# app
from=$(st_lines "$OUT")
st_on 1 corosync-cmapctl -g totem.cluster_name >/dev/null
st_on 1 corosync-cpgtool >/dev/null
await app "$from" 'is now disconnected' 3 &&
	check app "$from" '' '' '' \
		'HOST[1] CONN.PID.corosync-cmapct is now connected to corosync
HOST[1] CONN.PID.corosync-cmapct is now disconnected from corosync
HOST[1] CONN.PID.corosync-cpgtoo is now connected to corosync
HOST[1] CONN.PID.corosync-cpgtoo is now connected to corosync
HOST[1] CONN.PID.corosync-cpgtoo is now disconnected from corosync
HOST[1] CONN.PID.corosync-cpgtoo is now disconnected from corosync'

# kill
from=$(st_lines "$OUT")
cl_stop 3 KILL
await kill "$from" 'ip:10\.231\.0\.3 left|link 0 to node 3 is now disconnected' 2 &&
	check kill "$from" '10.231.0.3[3] ip:10.231.0.3 left' '' \
		'HOST[1] link 0 to node 3 is now disconnected' ''

# rejoin
from=$(st_lines "$OUT")
st_node_start 3
await rejoin "$from" 'ip:10\.231\.0\.3 joined|link 0 to node 3 is now operational' 2 &&
	check rejoin "$from" '10.231.0.3[3] ip:10.231.0.3 joined' '' \
		'HOST[1] link 0 to node 3 is now operational' ''

# quorum
from=$(st_lines "$OUT")
cl_stop 2 KILL
cl_stop 3 KILL
await quorum "$from" ' left$|has lost quorum|is now disconnected$' 5 &&
	check quorum "$from" '10.231.0.2[2] ip:10.231.0.2 left
10.231.0.3[3] ip:10.231.0.3 left' 'HOST[1] has lost quorum' \
		'HOST[1] link 0 to node 2 is now disconnected
HOST[1] link 0 to node 3 is now disconnected' ''

# regain
from=$(st_lines "$OUT")
st_node_start 2
await regain "$from" 'is now quorate|link 0 to node 2 is now operational' 2 &&
	check regain "$from" '10.231.0.2[2] ip:10.231.0.2 joined' \
		'HOST[1] is now quorate' 'HOST[1] link 0 to node 2 is now operational' ''

# stop
from=$(st_lines "$OUT")
cl_stop 2 TERM
await stop "$from" 'has lost quorum|link 0 to node 2 is now disconnected' 2 &&
	check stop "$from" '10.231.0.2[2] ip:10.231.0.2 left' \
		'HOST[1] has lost quorum' 'HOST[1] link 0 to node 2 is now disconnected' ''

# back
from=$(st_lines "$OUT")
st_node_start 2
await back "$from" 'is now quorate|link 0 to node 2 is now operational' 2 &&
	check back "$from" '10.231.0.2[2] ip:10.231.0.2 joined' \
		'HOST[1] is now quorate' 'HOST[1] link 0 to node 2 is now operational' ''

# whole
from=$(st_lines "$OUT")
st_node_start 3
await whole "$from" 'ip:10\.231\.0\.3 joined|link 0 to node 3 is now operational' 2 &&
	check whole "$from" '10.231.0.3[3] ip:10.231.0.3 joined' '' \
		'HOST[1] link 0 to node 3 is now operational' ''

if ! kill -0 "$NOTIFYD" 2>/dev/null; then
	echo "FAIL $KIND: corosync-notifyd exited"
	failed=$((failed + 1))
fi
if [ $failed -gt 0 ]; then
	echo "--- notifyd output"
	cat "$OUT"
	cl_logs
	exit 1
fi
echo "$KIND: corosync-notifyd printed the expected events in every step"
