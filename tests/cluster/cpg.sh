#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# cpg.sh - closed process groups on a 3-node synod cluster in network
# namespaces (see lib.sh), one cpg_client per node in one group:
#   join     every member sees the three members
#   order    each node sends 200 numbered messages at once; every node
#            delivers the same 600 messages in the same order
#   big      a 1.5 MiB message (fragmented by the library) arrives whole
#            and identical everywhere
#   split    node 3 cut off: NODEDOWN on both sides, then healed: NODEUP,
#            each side seeing the other's member, and a TOTEM_CONFCHG
#   kill     node 3's daemon killed with SIGKILL: NODEDOWN on 1 and 2;
#            restarted with a new client: its JOIN on every node
# Exit 1 if a step failed, 77 (skip) when not root.
set -u
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
BUILD=${BUILD:?set BUILD to the build directory}
CLIENT=${CPG_CLIENT:?set CPG_CLIENT to the cpg_client program}
. "$(dirname "$0")/lib.sh"
CL_ID=$(printf 'g%x' $((RANDOM * 32768 + RANDOM)))
CL_HUB="syn-${CL_ID}-hub"
T=${CL_TIMEOUT:-20}
BIG=1572864
declare -A CPID

fail() {
	echo "FAIL: $*"
	for i in 1 2 3; do echo "--- client $i"; tail -20 "$CL_DIR/c$i.log"; done
	cl_logs
	stop_clients
	cl_cleanup
	exit 1
}

start_client() { # node
	ip netns exec "$(cl_ns "$1")" "$CLIENT" cpgtest 200 "$BIG" >>"$CL_DIR/c$1.log" \
		2>>"$CL_DIR/c$1.err" &
	CPID[$1]=$!
}

stop_clients() {
	local i
	for i in "${!CPID[@]}"; do
		[ -n "${CPID[$i]}" ] || continue
		kill -TERM "${CPID[$i]}" 2>/dev/null
		wait "${CPID[$i]}" 2>/dev/null
		CPID[$i]=
	done
}

# wait_log node regex count: until the log has count lines matching
wait_log() {
	local i
	for i in $(seq 1 $((T * 10))); do
		[ "$(grep -cE "$2" "$CL_DIR/c$1.log" 2>/dev/null)" -ge "$3" ] && return 0
		sleep 0.1
	done
	return 1
}

cl_setup 3 || fail "setup"
for i in 1 2 3; do cl_start "$i"; done
cl_wait_view "1 2 3" "$T" 1 2 3 >/dev/null || fail "no view 1 2 3"

# join
for i in 1 2 3; do start_client "$i"; sleep 0.3; done
for i in 1 2 3; do
	wait_log "$i" '^C M 1:[0-9]+,2:[0-9]+,3:[0-9]+ ' 1 || fail "node $i does not see 3 members"
	wait_log "$i" '^T ' 1 || fail "node $i got no initial TOTEM_CONFCHG"
done
echo "PASS join"

# order
for i in 1 2 3; do kill -USR1 "${CPID[$i]}"; done
for i in 1 2 3; do wait_log "$i" '^D .* m[0-9]+-' 600 || fail "node $i lacks messages"; done
for i in 1 2 3; do grep -E '^D .* m[0-9]+-' "$CL_DIR/c$i.log" | awk '{print $1, $2, $6}' >"$CL_DIR/o$i"; done
cmp -s "$CL_DIR/o1" "$CL_DIR/o2" && cmp -s "$CL_DIR/o1" "$CL_DIR/o3" || fail "delivery orders differ"
for n in 1 2 3; do
	[ "$(grep -c " m$n-" "$CL_DIR/o1")" -eq 200 ] || fail "not 200 messages from node $n"
	grep " m$n-" "$CL_DIR/o1" | awk '{print $3}' | sed "s/m$n-//" | sort -nc 2>/dev/null ||
		fail "messages of node $n out of their sending order"
done
echo "PASS order (600 messages, same order on 3 nodes)"

# big
kill -USR2 "${CPID[1]}"
for i in 1 2 3; do wait_log "$i" "^D 1 [0-9]+ $BIG " 1 || fail "node $i lacks the big message"; done
[ "$(grep -hE "^D 1 [0-9]+ $BIG " "$CL_DIR"/c[123].log | awk '{print $5}' | sort -u | wc -l)" -eq 1 ] ||
	fail "big message differs between nodes"
echo "PASS big ($BIG bytes)"

# split and heal
p3=${CPID[3]}
cl_bridge br1 3
cl_wait_view "1 2" "$T" 1 2 >/dev/null || fail "no view 1 2 after the split"
cl_wait_view "3" "$T" 3 >/dev/null || fail "no view 3 after the split"
for i in 1 2; do wait_log "$i" "^C .* L 3:$p3:3 " 1 || fail "node $i: no NODEDOWN of node 3"; done
wait_log 3 "^C M 3:$p3 L .*:3 " 1 || fail "node 3: no NODEDOWN of the others"
cl_bridge br0 3
cl_wait_view "1 2 3" "$T" 1 2 3 >/dev/null || fail "no view 1 2 3 after the heal"
for i in 1 2; do wait_log "$i" "^C .* J 3:$p3:4$" 1 || fail "node $i: no NODEUP of node 3"; done
wait_log 3 "^C M 1:.* J .*:4,.*:4$" 1 || fail "node 3: no NODEUP of the others"
for i in 1 2 3; do
	tail -1 "$CL_DIR/c$i.log" | grep -q '^T [0-9]* 3$' || fail "node $i: no TOTEM_CONFCHG after the heal"
done
echo "PASS split (NODEDOWN, NODEUP, TOTEM_CONFCHG)"

# kill -9 and restart
cl_stop 3 KILL
wait "${CPID[3]}" 2>/dev/null
CPID[3]=
cl_wait_view "1 2" "$T" 1 2 >/dev/null || fail "no view 1 2 after the kill"
for i in 1 2; do wait_log "$i" "^C .* L 3:$p3:3 " 2 || fail "node $i: no NODEDOWN after the kill"; done
cl_start 3
cl_wait_view "1 2 3" "$T" 1 2 3 >/dev/null || fail "no view 1 2 3 after the restart"
start_client 3
p3=${CPID[3]}
for i in 1 2 3; do wait_log "$i" "^C .* J 3:$p3:1$" 1 || fail "node $i: no JOIN of the new client"; done
echo "PASS kill (NODEDOWN, restart, JOIN)"

stop_clients
cl_cleanup
exit 0
