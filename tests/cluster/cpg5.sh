#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# cpg5.sh - closed process groups on a 5-node synod cluster in network
# namespaces (see lib.sh): one cpg_client per node in group "cpgtest"
# (logs c<i>), a second group "cpgtwo" on nodes 1, 3 and 5 (logs x<i>).
#   join       every member of each group sees all of its members
#   order      all 8 clients send 100 numbered messages at once: each group's
#              members deliver the same messages in the same order, per
#              sender in sending order, and nothing of the other group
#   procdown   node 2's client killed with SIGKILL: every other member sees
#              it leave with reason PROCDOWN (5) and nobody else leave
#   link       node 4's link taken down and up: NODEDOWN (3) of 4 on the
#              others and of the others on 4, then NODEUP (4) on both sides
#   partition  {1,2} cut from {3,4,5}: each side sees the other side leave
#              (NODEDOWN); messages sent meanwhile reach only their side,
#              in one order per side; healed: NODEUP on both sides, one
#              order again for messages sent after, and every member's
#              last member list identical
#   rolling    synod restarted on every node in turn (SIGTERM, start): the
#              clients of the other nodes stay joined and deliver, in one
#              order, what they send while the node is away; the restarted
#              node's new client rejoins everywhere
#   stall      node 5's member leaves; a member on node 5 that joins and then
#              never dispatches while nodes 1 and 2 send 384 messages of
#              64 KiB (24 MiB).
#              Node 5 runs with system.ipc_event_queue_total_bytes 4 MiB
#              (daemon/ipc.h: a per-connection bound of 64 Ki events /
#              64 MiB, and a daemon-wide bound; the connection with the
#              largest queue is disconnected when an event would pass the
#              daemon-wide one).  Expected, and checked: the stalled
#              connection, and it alone, is disconnected (stats.ipcs.global
#              .overload_disconnects grows by one on node 5, its warning is logged,
#              queued_bytes_peak stays within the bound); cpg handles that as
#              any closed connection, so every other member sees the
#              stalled member leave with reason PROCDOWN (5); the members on
#              nodes 1-4 deliver all 384 messages in one order; node 5's
#              daemon's peak RSS (VmRSS sampled, and VmHWM, from /proc)
#              is less than 16 MiB above its RSS before the flood
#              (CPG5_RSS_GROWTH_MAX_KB; more in sanitizer builds).
# Exit 1 if a step failed, 77 (skip) when not root.
set -u
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
BUILD=${BUILD:?set BUILD to the build directory}
CLIENT=${CPG_CLIENT:?set CPG_CLIENT to the cpg_client program}
. "$(dirname "$0")/lib.sh"
CL_ID=$(printf 'p%x' $((RANDOM * 32768 + RANDOM)))
CL_HUB="syn-${CL_ID}-hub"
T=${CL_TIMEOUT:-60}
NMSG=100
BIG=65536
NBIG=192
QUEUE_TOTAL=4194304
# 24 MiB sent against a 4 MiB bound: 16 MiB of growth means it held.
# Sanitizer builds (shadow memory, allocator caches): their meson test sets more.
RSS_GROWTH_MAX_KB=${CPG5_RSS_GROWTH_MAX_KB:-16384}
ALL="1 2 3 4 5"
TWO="1 3 5"
declare -A CPID
START=$(date +%s)

fail() {
	local f
	echo "FAIL: $*"
	for f in "$CL_DIR"/[cxs][0-9].log; do echo "--- $f"; tail -8 "$f"; done
	cl_logs
	stop_clients
	cl_cleanup
	exit 1
}

elapsed() { echo "$(($(date +%s) - START)) s"; }

# start_client tag node group [mode]: c (cpgtest), x (cpgtwo), s (stalled)
start_client() {
	ip netns exec "$(cl_ns "$2")" "$CLIENT" "$3" "$NMSG" "$BIG" "${4:-$NBIG}" \
		>>"$CL_DIR/$1$2.log" 2>>"$CL_DIR/$1$2.err" &
	CPID[$1$2]=$!
}

stop_clients() {
	local k
	for k in "${!CPID[@]}"; do
		[ -n "${CPID[$k]}" ] || continue
		kill -TERM "${CPID[$k]}" 2>/dev/null
		wait "${CPID[$k]}" 2>/dev/null
		CPID[$k]=
	done
}

nlines() { wc -l <"$CL_DIR/$1.log"; }
# The lines of a log after offset.
after() { tail -n +$(($2 + 1)) "$CL_DIR/$1.log"; }

# wait_after log offset regex count: until count lines after offset match
wait_after() {
	local i
	for i in $(seq 1 $((T * 10))); do
		[ "$(after "$1" "$2" | grep -cE "$3")" -ge "$4" ] && return 0
		sleep 0.1
	done
	return 1
}

# The delivered numbered messages after offset, as "nodeid pid text".
deliveries() { after "$1" "$2" | awk '$1 == "D" && $6 ~ /^m[0-9]+-/ {print $2, $3, $6}'; }

# same_order offset-var-prefix log...: identical delivery sequences
same_order() {
	local ref=$1 l
	shift
	for l in "$@"; do
		cmp -s "$CL_DIR/d.$ref" "$CL_DIR/d.$l" || return 1
	done
}

# Per sender (nodeid pid), the message numbers ascend.
sender_order_ok() {
	awk '{split($3, a, "-"); k = $1 " " $2; if (k in last && a[2] <= last[k]) bad = 1; last[k] = a[2]}
	     END {exit bad}' "$CL_DIR/d.$1"
}

# CONFCHG lines with node:pid in the left / joined list with reason.
left_re() { echo "^C M [^ ]+ L ([0-9:]+,)*$1:$2:$3(,[0-9:]+)* J "; }
joined_re() { echo "^C M [^ ]+ L [^ ]+ J ([0-9:]+,)*$1:$2:$3(,[0-9:]+)*\$"; }
# The last CONFCHG's member list of a log has exactly these nodes.
last_members_are() { # log "1 2 3"
	grep '^C ' "$CL_DIR/$1.log" | tail -1 | awk '{print $3}' | tr ',' '\n' | cut -d: -f1 |
		paste -sd ' ' | grep -qx "$2"
}
wait_last_members() { # log "1 2 3"
	local i
	for i in $(seq 1 $((T * 10))); do
		last_members_are "$1" "$2" && return 0
		sleep 0.1
	done
	return 1
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null; }
# The process's peak RSS so far (VmHWM).
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null; }

declare -A OFF
mark() { local l; for l in "$@"; do OFF[$l]=$(nlines "$l"); done; }

trap 'fail "interrupted"' INT TERM
cl_setup 5 || fail "setup"
# Node 5 with a small daemon-wide event queue bound (the stall step).
sed "s/^system {\$/system {\n  ipc_event_queue_total_bytes: $QUEUE_TOTAL/" "$CL_DIR/synod.conf" \
	>"$CL_DIR/synod5.conf"
# Node 5's daemon, when built with ASan, with a small quarantine: freed
# memory would otherwise stay resident and hide what the RSS check looks at.
start_node() {
	if [ "$1" = 5 ]; then
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4" \
			cl_start 5 "$CL_DIR/synod5.conf"
	else
		cl_start "$1"
	fi
}
for i in $ALL; do start_node "$i"; done
cl_wait_view "$ALL" "$T" $ALL >/dev/null || fail "no view of 5 nodes"
for i in $ALL; do : >"$CL_DIR/c$i.log"; done
for i in $TWO; do : >"$CL_DIR/x$i.log"; done

# ---- join
for i in $ALL; do start_client c "$i" cpgtest; done
for i in $TWO; do start_client x "$i" cpgtwo; done
for i in $ALL; do
	wait_after "c$i" 0 '^C M 1:[0-9]+,2:[0-9]+,3:[0-9]+,4:[0-9]+,5:[0-9]+ ' 1 ||
		fail "node $i does not see 5 members of cpgtest"
	wait_after "c$i" 0 '^T [0-9]+ 5$' 1 || fail "node $i: no TOTEM_CONFCHG of 5 nodes"
done
for i in $TWO; do
	wait_after "x$i" 0 '^C M 1:[0-9]+,3:[0-9]+,5:[0-9]+ ' 1 ||
		fail "node $i does not see 3 members of cpgtwo"
done
echo "PASS join (5 members of cpgtest, 3 of cpgtwo) at $(elapsed)"

# ---- order
mark c1 c2 c3 c4 c5 x1 x3 x5
for k in c1 c2 c3 c4 c5 x1 x3 x5; do kill -USR1 "${CPID[$k]}"; done
for i in $ALL; do
	wait_after "c$i" "${OFF[c$i]}" '^D .* m[0-9]+-' $((5 * NMSG)) || fail "c$i lacks messages"
done
for i in $TWO; do
	wait_after "x$i" "${OFF[x$i]}" '^D .* m[0-9]+-' $((3 * NMSG)) || fail "x$i lacks messages"
done
sleep 1
for k in c1 c2 c3 c4 c5 x1 x3 x5; do deliveries "$k" "${OFF[$k]}" >"$CL_DIR/d.$k"; done
same_order c1 c2 c3 c4 c5 || fail "cpgtest delivery orders differ"
same_order x1 x3 x5 || fail "cpgtwo delivery orders differ"
[ "$(wc -l <"$CL_DIR/d.c1")" -eq $((5 * NMSG)) ] || fail "cpgtest: not $((5 * NMSG)) messages"
[ "$(wc -l <"$CL_DIR/d.x1")" -eq $((3 * NMSG)) ] || fail "cpgtwo: not $((3 * NMSG)) messages"
for i in $ALL; do
	[ "$(awk -v p="${CPID[c$i]}" '$2 == p' "$CL_DIR/d.c1" | wc -l)" -eq $NMSG ] ||
		fail "cpgtest: not $NMSG messages of c$i"
done
for i in $TWO; do
	[ "$(awk -v p="${CPID[x$i]}" '$2 == p' "$CL_DIR/d.x1" | wc -l)" -eq $NMSG ] ||
		fail "cpgtwo: not $NMSG messages of x$i"
done
sender_order_ok c1 || fail "cpgtest: a sender's messages out of order"
sender_order_ok x1 || fail "cpgtwo: a sender's messages out of order"
echo "PASS order (500 messages in one order on 5 nodes, 300 in cpgtwo on 3, no leak) at $(elapsed)"

# ---- procdown: SIGKILL of node 2's client
p2=${CPID[c2]}
mark c1 c3 c4 c5
kill -KILL "$p2"
wait "$p2" 2>/dev/null
CPID[c2]=
for i in 1 3 4 5; do
	wait_after "c$i" "${OFF[c$i]}" "^C M .* L 2:$p2:5 J -\$" 1 || fail "c$i: no PROCDOWN of c2"
done
sleep 1
for i in 1 3 4 5; do
	after "c$i" "${OFF[c$i]}" | grep '^C ' | grep -v " L 2:$p2:5 J -\$" | grep -q . &&
		fail "c$i: another membership change after the kill"
	last_members_are "c$i" "1 3 4 5" || fail "c$i: members after the kill are not 1 3 4 5"
done
mark c1 c3 c4 c5
start_client c 2 cpgtest
p2=${CPID[c2]}
for i in 1 3 4 5; do
	wait_after "c$i" "${OFF[c$i]}" " J 2:$p2:1\$" 1 || fail "c$i: no JOIN of the new c2"
done
wait_after c2 0 '^C M 1:[0-9]+,2:[0-9]+,3:[0-9]+,4:[0-9]+,5:[0-9]+ ' 1 || fail "new c2: not 5 members"
echo "PASS procdown (reason 5 on 4 members, nobody else left; rejoined) at $(elapsed)"

# ---- link down and up on node 4
p4=${CPID[c4]}
mark c1 c2 c3 c4 c5
cl_link 4 down
cl_wait_view "1 2 3 5" "$T" 1 2 3 5 >/dev/null || fail "no view 1 2 3 5 with node 4's link down"
cl_wait_view "4" "$T" 4 >/dev/null || fail "node 4 does not see itself alone"
for i in 1 2 3 5; do
	wait_after "c$i" "${OFF[c$i]}" "$(left_re 4 "$p4" 3)" 1 || fail "c$i: no NODEDOWN of node 4"
done
for j in 1 2 3 5; do
	wait_after c4 "${OFF[c4]}" "$(left_re "$j" "${CPID[c$j]}" 3)" 1 || fail "c4: no NODEDOWN of c$j"
done
wait_last_members c4 "4" || fail "c4: not alone"
mark c1 c2 c3 c4 c5
cl_link 4 up
cl_wait_view "$ALL" "$T" $ALL >/dev/null || fail "no view of 5 nodes after node 4's link is up"
for i in 1 2 3 5; do
	wait_after "c$i" "${OFF[c$i]}" "$(joined_re 4 "$p4" 4)" 1 || fail "c$i: no NODEUP of node 4"
done
for j in 1 2 3 5; do
	wait_after c4 "${OFF[c4]}" "$(joined_re "$j" "${CPID[c$j]}" 4)" 1 || fail "c4: no NODEUP of c$j"
done
for i in $ALL; do wait_last_members "c$i" "$ALL" || fail "c$i: not 5 members after the link is up"; done
echo "PASS link (NODEDOWN then NODEUP on both sides of node 4's link) at $(elapsed)"

# ---- partition {1,2} | {3,4,5} and heal
declare -A P
for i in $ALL; do P[$i]=${CPID[c$i]}; done
mark c1 c2 c3 c4 c5 x1 x3 x5
cl_bridge br1 3 4 5
cl_wait_view "1 2" "$T" 1 2 >/dev/null || fail "no view 1 2 in the partition"
cl_wait_view "3 4 5" "$T" 3 4 5 >/dev/null || fail "no view 3 4 5 in the partition"
for i in 1 2; do
	for j in 3 4 5; do
		wait_after "c$i" "${OFF[c$i]}" "$(left_re "$j" "${P[$j]}" 3)" 1 || fail "c$i: no NODEDOWN of $j"
	done
	wait_last_members "c$i" "1 2" || fail "c$i: members in the partition are not 1 2"
done
for i in 3 4 5; do
	for j in 1 2; do
		wait_after "c$i" "${OFF[c$i]}" "$(left_re "$j" "${P[$j]}" 3)" 1 || fail "c$i: no NODEDOWN of $j"
	done
	wait_last_members "c$i" "3 4 5" || fail "c$i: members in the partition are not 3 4 5"
done
for j in 3 5; do
	wait_after x1 "${OFF[x1]}" "$(left_re "$j" "${CPID[x$j]}" 3)" 1 || fail "x1: no NODEDOWN of x$j"
	wait_after "x$j" "${OFF[x$j]}" "$(left_re 1 "${CPID[x1]}" 3)" 1 || fail "x$j: no NODEDOWN of x1"
done
mark c1 c2 c3 c4 c5
for i in $ALL; do kill -USR1 "${CPID[c$i]}"; done
for i in 1 2; do
	wait_after "c$i" "${OFF[c$i]}" '^D .* m[0-9]+-' $((2 * NMSG)) || fail "c$i lacks its side's messages"
done
for i in 3 4 5; do
	wait_after "c$i" "${OFF[c$i]}" '^D .* m[0-9]+-' $((3 * NMSG)) || fail "c$i lacks its side's messages"
done
sleep 2
for i in $ALL; do deliveries "c$i" "${OFF[c$i]}" >"$CL_DIR/d.c$i"; done
same_order c1 c2 || fail "side {1,2}: orders differ"
same_order c3 c4 c5 || fail "side {3,4,5}: orders differ"
[ "$(awk '$1 != 1 && $1 != 2' "$CL_DIR/d.c1" | wc -l)" -eq 0 ] &&
	[ "$(wc -l <"$CL_DIR/d.c1")" -eq $((2 * NMSG)) ] || fail "side {1,2} got other messages"
[ "$(awk '$1 < 3' "$CL_DIR/d.c3" | wc -l)" -eq 0 ] &&
	[ "$(wc -l <"$CL_DIR/d.c3")" -eq $((3 * NMSG)) ] || fail "side {3,4,5} got other messages"
mark c1 c2 c3 c4 c5 x1 x3 x5
cl_bridge br0 3 4 5
cl_wait_view "$ALL" "$T" $ALL >/dev/null || fail "no view of 5 nodes after the heal"

mark c1 c2 c3 c4 c5
for i in $ALL; do kill -USR1 "${CPID[c$i]}"; done
for i in $ALL; do
	wait_after "c$i" "${OFF[c$i]}" '^D .* m[0-9]+-' $((5 * NMSG)) || fail "c$i lacks messages after the heal"
done
sleep 1
for i in $ALL; do deliveries "c$i" "${OFF[c$i]}" >"$CL_DIR/d.c$i"; done
same_order c1 c2 c3 c4 c5 || fail "orders differ after the heal"
[ "$(wc -l <"$CL_DIR/d.c1")" -eq $((5 * NMSG)) ] || fail "not $((5 * NMSG)) messages after the heal"
for i in $ALL; do grep '^C ' "$CL_DIR/c$i.log" | tail -1 | awk '{print $3}' >"$CL_DIR/m.c$i"; done
for i in 2 3 4 5; do cmp -s "$CL_DIR/m.c1" "$CL_DIR/m.c$i" || fail "last member lists differ (c$i)"; done
[ "$(tr ',' '\n' <"$CL_DIR/m.c1" | wc -l)" -eq 5 ] || fail "last member list is not 5 members"
echo "PASS partition (NODEDOWN per side, 200/300 messages per side only, NODEUP, 500 in one order, same members) at $(elapsed)"

# ---- rolling restart of synod on every node
for i in $ALL; do
	others=""
	for j in $ALL; do [ "$j" = "$i" ] || others="$others $j"; done
	pi=${CPID[c$i]}
	for j in $others; do mark "c$j"; done
	cl_stop "$i" TERM
	# Its clients lose the daemon and exit; make sure, and reap them.
	for k in "c$i" "x$i"; do
		[ -n "${CPID[$k]:-}" ] || continue
		kill -KILL "${CPID[$k]}" 2>/dev/null
		wait "${CPID[$k]}" 2>/dev/null
		CPID[$k]=
	done
	# Messages while node i goes away and comes back.
	for j in $others; do kill -USR1 "${CPID[c$j]}"; done
	# shellcheck disable=SC2086 # lists of node numbers
	cl_wait_view "${others# }" "$T" $others >/dev/null || fail "rolling $i: no view without $i"
	for j in $others; do
		wait_after "c$j" "${OFF[c$j]}" "$(left_re "$i" "$pi" '[35]')" 1 || fail "rolling $i: c$j did not see c$i leave"
	done
	start_node "$i"
	cl_wait_view "$ALL" "$T" $ALL >/dev/null || fail "rolling $i: no view of 5 nodes after the restart"
	start_client c "$i" cpgtest
	[[ " $TWO " == *" $i "* ]] && start_client x "$i" cpgtwo
	for j in $others; do
		wait_after "c$j" "${OFF[c$j]}" "$(joined_re "$i" "${CPID[c$i]}" 1)" 1 || fail "rolling $i: c$j: no JOIN of the new c$i"
		wait_after "c$j" "${OFF[c$j]}" '^D .* m[0-9]+-' $((4 * NMSG)) || fail "rolling $i: c$j lacks messages"
	done
	sleep 1
	ref=""
	for j in $others; do
		deliveries "c$j" "${OFF[c$j]}" | awk -v p="$pi" '$2 != p' >"$CL_DIR/d.c$j"
		[ "$(wc -l <"$CL_DIR/d.c$j")" -eq $((4 * NMSG)) ] || fail "rolling $i: c$j: not $((4 * NMSG)) messages"
		[ -z "$ref" ] && ref=c$j
		same_order "$ref" "c$j" || fail "rolling $i: orders differ ($ref, c$j)"
	done
	echo "  node $i restarted: 4 members kept, $((4 * NMSG)) messages in one order, rejoined at $(elapsed)"
done
for i in $ALL; do wait_last_members "c$i" "$ALL" || fail "c$i: not 5 members"; done
for i in $TWO; do
	wait_after "x$i" 0 "^C M 1:${CPID[x1]},3:${CPID[x3]},5:${CPID[x5]} " 1 || fail "x$i: cpgtwo not rejoined"
	wait_last_members "x$i" "$TWO" || fail "x$i: cpgtwo not 3 members"
done
echo "PASS rolling (5 restarts, clients of the others joined and delivering, rejoins) at $(elapsed)"

# ---- a member that stops dispatching
# Node 5's own member leaves first: with a bound this small, a member that
# merely lags by 4 MiB on a loaded machine may be the largest queue, and
# the policy (daemon/ipc.h) would rightly disconnect it too.  Node 5 keeps
# its cpgtwo member, which gets nothing from the flood.
OTH="1 2 3 4"
kill -TERM "${CPID[c5]}"
wait "${CPID[c5]}" 2>/dev/null
CPID[c5]=
for i in $OTH; do wait_last_members "c$i" "$OTH" || fail "c$i: node 5's member did not leave"; done
start_client s 5 cpgtest stall
ps5=${CPID[s5]}
for i in $OTH; do
	wait_after "c$i" 0 "$(joined_re 5 "$ps5" 1)" 1 || fail "c$i: no JOIN of the stalled member"
done
disc0=$(cl_node_run 5 tools/synod-cmapctl -m stats -q -g stats.ipcs.global.overload_disconnects 2>/dev/null)
[ -n "$disc0" ] || fail "cannot read stats.ipcs.global.overload_disconnects on node 5"
rss0=$(rss_kb "${CL_PID[5]}")
[ -n "$rss0" ] || fail "no RSS of node 5's daemon"
rss_max=$rss0
mark c1 c2 c3 c4
for i in 1 2; do kill -USR2 "${CPID[c$i]}"; done
done_all=0
for _ in $(seq 1 $((T * 2 * 5))); do
	r=$(rss_kb "${CL_PID[5]}")
	[ -n "$r" ] && [ "$r" -gt "$rss_max" ] && rss_max=$r
	done_all=1
	for i in $OTH; do
		[ "$(after "c$i" "${OFF[c$i]}" | grep -c "^D [12] [0-9]* $BIG ")" -ge $((2 * NBIG)) ] ||
			{ done_all=0; break; }
	done
	[ $done_all = 1 ] && break
	sleep 0.2
done
[ $done_all = 1 ] || fail "the flood did not reach every member"
for i in $OTH; do
	after "c$i" "${OFF[c$i]}" | awk -v b="$BIG" '$1 == "D" && $4 == b {print $2, $3, $5}' >"$CL_DIR/d.c$i"
done
same_order c1 c2 c3 c4 || fail "flood: delivery orders differ"
for i in $OTH; do
	wait_after "c$i" "${OFF[c$i]}" "^C M [^ ]+ L 5:$ps5:5 J -\$" 1 || fail "c$i: the stalled member did not leave with PROCDOWN"
done
kill -0 "$ps5" 2>/dev/null || fail "the stalled client died by itself"
disc1=$(cl_node_run 5 tools/synod-cmapctl -m stats -q -g stats.ipcs.global.overload_disconnects 2>/dev/null)
[ -n "$disc1" ] && [ "$disc1" -eq $((disc0 + 1)) ] ||
	fail "overload_disconnects on node 5 went from $disc0 to $disc1, not by one"
grep -q "Client pid $ps5 (service cpg) does not read its events" "$CL_DIR/node5.log" ||
	fail "no warning about the stalled client in node 5's log"
peak=$(cl_node_run 5 tools/synod-cmapctl -m stats -q -g stats.ipcs.global.queued_bytes_peak 2>/dev/null)
[ -n "$peak" ] && [ "$peak" -le $QUEUE_TOTAL ] || fail "queued_bytes_peak '$peak' above $QUEUE_TOTAL"
hwm=$(hwm_kb "${CL_PID[5]}")
[ -n "$hwm" ] && [ "$hwm" -gt "$rss_max" ] && rss_max=$hwm
grow=$((rss_max - rss0))
[ "$grow" -lt $RSS_GROWTH_MAX_KB ] || fail "node 5's RSS grew by $grow KiB"
for i in $OTH; do
	after "c$i" "${OFF[c$i]}" | grep '^C ' | grep -v " L 5:$ps5:5 J -\$" | grep -q . &&
		fail "c$i: another member left during the flood"
done
echo "PASS stall ($((2 * NBIG)) x $BIG B in one order on 4 members; stalled member disconnected, PROCDOWN; overload_disconnects $disc0 -> $disc1, queued_bytes_peak $peak; node 5 RSS ${rss0} KiB, peak ${rss_max} KiB, +${grow} KiB) at $(elapsed)"

stop_clients
cl_cleanup
exit 0
