#!/usr/bin/env bash
# quorum.sh - votequorum on real synod clusters in network namespaces
# (see lib.sh): a 2+3 split, two_node, wait_for_all at start,
# last_man_standing shrinking 5 -> 2, auto_tie_breaker on a 2+2 split,
# and the quorum notifications a client sees.  Quorate state is read with
# the distribution's corosync-quorumtool (a stock client of the quorum
# API) inside each node's namespace.  Exit 1 if any scenario failed, 77
# (skip) when not root or corosync-quorumtool is not installed.
#
# usage: BUILD=builddir quorum.sh [scenario...]
set -u
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v corosync-quorumtool >/dev/null || { echo "SKIP: no corosync-quorumtool"; exit 77; }
BUILD=${BUILD:?set BUILD to the build directory}
. "$(dirname "$0")/lib.sh"

failed=0
T=${CL_TIMEOUT:-15}

scenario() { # name function
	local name=$1 fn=$2 rc
	CL_ID=$(printf 'q%x' $((RANDOM * 32768 + RANDOM)))
	CL_HUB="syn-${CL_ID}-hub"
	CL_DIR=$(mktemp -d)
	CL_PID=()
	CL_N=0
	$fn >"$CL_DIR/out" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "PASS $name $(cat "$CL_DIR/out")"
	else
		echo "FAIL $name"
		sed 's/^/    /' "$CL_DIR/out"
		cl_logs | sed 's/^/    /'
		failed=$((failed + 1))
	fi
	cl_cleanup
}

quorate() { # node -> Yes / No / ""
	ip netns exec "$(cl_ns "$1")" env -u LD_LIBRARY_PATH corosync-quorumtool -s 2>/dev/null |
		awk -F': *' '/^Quorate:/ {print $2}'
}

# Wait until every listed node reports the given quorate state.
wait_quorate() { # Yes|No timeout node...
	local want=$1 timeout=$2 start i ok
	shift 2
	start=$(date +%s)
	while :; do
		ok=1
		for i in "$@"; do [ "$(quorate "$i")" = "$want" ] || { ok=0; break; }; done
		[ $ok -eq 1 ] && return 0
		if [ $(($(date +%s) - start)) -ge "$timeout" ]; then
			for i in "$@"; do echo "node $i: Quorate '$(quorate "$i")', want '$want'"; done
			return 1
		fi
		sleep 0.1
	done
}

start_nodes() { local i; for i in "$@"; do cl_start "$i"; done; }

q_split() {
	cl_setup 5
	start_nodes 1 2 3 4 5
	cl_wait_view "1 2 3 4 5" 30 1 2 3 4 5 >/dev/null || return 1
	wait_quorate Yes "$T" 1 2 3 4 5 || return 1
	cl_bridge br1 1 2
	cl_wait_view "3 4 5" "$T" 3 4 5 >/dev/null || return 1
	wait_quorate Yes "$T" 3 4 5 || return 1
	wait_quorate No "$T" 1 2 || return 1
	cl_bridge br0 1 2
	wait_quorate Yes "$T" 1 2 3 4 5 || return 1
	echo "3-side quorate, 2-side not; quorate again after the heal"
}

q_two_node() {
	cl_setup 2 "" "  two_node: 1"
	start_nodes 1 2
	wait_quorate Yes "$T" 1 2 || return 1
	cl_stop 2 KILL
	cl_wait_view "1" "$T" 1 >/dev/null || return 1
	sleep 1
	[ "$(quorate 1)" = Yes ] || { echo "survivor not quorate"; return 1; }
	echo "survivor of a two_node cluster stays quorate"
}

q_wait_for_all() {
	cl_setup 3 "" "  wait_for_all: 1"
	start_nodes 1 2
	cl_wait_view "1 2" 30 1 2 >/dev/null || return 1
	sleep 1
	[ "$(quorate 1)" = No ] || { echo "quorate before all nodes were seen"; return 1; }
	cl_start 3
	wait_quorate Yes "$T" 1 2 3 || return 1
	cl_stop 3 KILL
	cl_wait_view "1 2" "$T" 1 2 >/dev/null || return 1
	wait_quorate Yes "$T" 1 2 || return 1
	echo "not quorate until all were seen, then 2 of 3 stay quorate"
}

q_last_man_standing() {
	local n
	cl_setup 5 "" "  last_man_standing: 1\n  last_man_standing_window: 1000"
	start_nodes 1 2 3 4 5
	wait_quorate Yes 30 1 2 3 4 5 || return 1
	for n in 5 4 3; do
		cl_stop "$n" KILL
		cl_wait_view "$(seq -s ' ' 1 $((n - 1)))" "$T" $(seq 1 $((n - 1))) >/dev/null ||
			return 1
		sleep 2 # past the window: expected votes follow the members
		wait_quorate Yes "$T" $(seq 1 $((n - 1))) || return 1
	done
	echo "shrank 5 -> 2 staying quorate"
}

q_tie_breaker() {
	cl_setup 4 "" "  auto_tie_breaker: 1"
	start_nodes 1 2 3 4
	wait_quorate Yes 30 1 2 3 4 || return 1
	cl_bridge br1 3 4
	cl_wait_view "1 2" "$T" 1 2 >/dev/null || return 1
	cl_wait_view "3 4" "$T" 3 4 >/dev/null || return 1
	wait_quorate Yes "$T" 1 2 || return 1
	wait_quorate No "$T" 3 4 || return 1
	echo "2+2 split: the half with the lowest node id keeps quorum"
}

list=${*:-split two_node wait_for_all last_man_standing tie_breaker}
for s in $list; do
	scenario "$s" "q_$s"
done
[ $failed -eq 0 ]
