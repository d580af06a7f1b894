#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# cluster.sh - synod-exporter on a 3-node cluster (network namespaces,
# tests/cluster/lib.sh) losing a node, with exporters on nodes 1 and 3.
# Every scrape passes promtool and the strict OpenMetrics parser, and:
#   - formed: 3 members, 3 member_votes series, votes 3/3/quorum 2,
#     quorate, links to nodes 2 and 3 up with a measured latency, no ring
#     error; the figures agree with synod-quorumtool -s and synod-cmapctl;
#   - node 3's daemon stopped (SIGSTOP): a scrape of node 3's exporter
#     still answers within its timeout (1 s), with synod_up 0;
#   - node 3's daemon SIGKILLed: node 1 reports 2 members, node 3 out of
#     the view and out of member_votes, total votes 2 (expected 3, quorum
#     2, still quorate), the link to node 3 down and node 3 unreachable,
#     more view changes, no ring error (a lost node is not a link fault);
#     again as synod-quorumtool says; node 3's exporter lives on with
#     synod_up 0;
#   - node 3's daemon restarted: its exporter reconnects by itself
#     (synod_up 1, 3 members) and node 1 sees the link back up; node 1's
#     uptime is still counted from its start.
#
# usage: BUILD=builddir cluster.sh   (exit 0, 1 on failure, 77 skip)
set -u
here=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:?set BUILD to the build directory}
. "$here/lib.sh"
exp_require
. "$here/../cluster/lib.sh"

EXP_DIR=$(mktemp -d)
EXP_PID=()
failed=0
cleanup() {
	local i
	for i in "${!EXP_PID[@]}"; do
		kill -TERM "${EXP_PID[$i]}" 2>/dev/null
		wait "${EXP_PID[$i]}" 2>/dev/null
	done
	cl_cleanup
	rm -rf "$EXP_DIR"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*"
	cl_logs
	for f in "$EXP_DIR"/exporter*.log; do echo "--- $f"; tail -5 "$f"; done
	exit 1
}
check() { # description command...
	local what=$1
	shift
	if "$@"; then echo "ok   $what"; else echo "FAIL $what"; failed=$((failed + 1)); fi
}
url=http://127.0.0.1:9664/metrics

exporter_start() { # node
	ip netns exec "$(cl_ns "$1")" "$BUILD/exporter/synod-exporter" -l 127.0.0.1:9664 -t 1000 \
		2>>"$EXP_DIR/exporter$1.log" &
	EXP_PID[$1]=$!
}

scrape() { # node name
	EXP_NETNS=$(cl_ns "$1") exp_scrape "$2" "$url"
}

# Scrape node's exporter until query reads want; bounded.  Leaves the last
# scrape as NAME.  usage: wait_value node name query want timeout_s
wait_value() {
	local node=$1 name=$2 q=$3 want=$4 timeout=$5 start got
	start=$(date +%s)
	while :; do
		scrape "$node" "$name" || return 1
		got=$(exp_get "$name" "$q")
		[ "$got" = "$want" ] && return 0
		if [ $(($(date +%s) - start)) -ge "$timeout" ]; then
			echo "node $node: $q = '$got', want '$want' within $timeout s"
			return 1
		fi
		sleep 0.5
	done
}

# The quorumtool figures of node against a scrape of the same node.
against_quorumtool() { # node name
	local qt field q
	qt=$(ip netns exec "$(cl_ns "$1")" "$BUILD/tools/synod-quorumtool" -s)
	qt_field() { echo "$qt" | sed -n "s/^$1:[[:space:]]*\([^[:space:]]*\).*/\1/p"; }
	exp_expect "$2" synod_members "$(qt_field Nodes)" "quorumtool Nodes"
	for field in "expected_votes:Expected votes" "highest_expected:Highest expected" \
		"total_votes:Total votes" "quorum:Quorum"; do
		q="ha_cluster_corosync_quorum_votes{type=\"${field%%:*}\"}"
		exp_expect "$2" "$q" "$(qt_field "${field#*:}")" "quorumtool ${field#*:}"
	done
	exp_expect "$2" "ha_cluster_corosync_rings{ring_id=\"$(qt_field 'Ring ID')\",number=\"0\"}" 1 \
		"quorumtool Ring ID"
	# the membership table: one member_votes series per row, same votes
	exp_expect "$2" count:ha_cluster_corosync_member_votes \
		"$(echo "$qt" | awk '/^ *Nodeid/ { t = 1; next } t && NF >= 3 { n++ } END { print n + 0 }')" \
		"quorumtool membership rows"
	while read -r id votes _; do
		exp_expect "$2" "ha_cluster_corosync_member_votes{node_id=\"$id\"}" "$votes" \
			"quorumtool votes of node $id"
	done < <(echo "$qt" | awk '/^ *Nodeid/ { t = 1; next } t && NF >= 3')
}

cl_setup 3
started=$(date +%s%N)
for i in 1 2 3; do cl_start "$i"; done
ms=$(cl_wait_view "1 2 3" 30 1 2 3) || fail "no full view within 30 s"
echo "formed in $ms ms"
exporter_start 1
exporter_start 3
for i in 1 3; do
	for _ in $(seq 1 50); do
		ip netns exec "$(cl_ns "$i")" curl -s -o /dev/null --max-time 1 http://127.0.0.1:9664/ && break
		sleep 0.1
	done
done

# formed
start=$(date +%s)
while :; do
	scrape 1 formed || fail "scrape of node 1"
	[ "$(exp_get formed 'synod_link_latency_seconds{node_id="3",link="0"}')" != absent ] &&
		[ "$(exp_get formed 'synod_link_latency_seconds{node_id="2",link="0"}')" != absent ] && break
	[ $(($(date +%s) - start)) -ge 15 ] && fail "no link latency from knet within 15 s"
	sleep 0.5
done
echo "-- formed (node 1)"
exp_expect formed synod_up 1
exp_expect formed synod_members 3
exp_expect formed ha_cluster_corosync_quorate 1
exp_expect formed 'ha_cluster_corosync_quorum_votes{type="expected_votes"}' 3
exp_expect formed 'ha_cluster_corosync_quorum_votes{type="total_votes"}' 3
exp_expect formed 'ha_cluster_corosync_quorum_votes{type="quorum"}' 2
exp_expect formed count:ha_cluster_corosync_member_votes 3
exp_expect formed 'ha_cluster_corosync_member_votes{node_id="1",node="node1",local="true"}' 1
exp_expect formed 'ha_cluster_corosync_member_votes{node_id="3",node="node3",local="false"}' 1
for i in 1 2 3; do exp_expect formed "synod_node_member{node_id=\"$i\",node=\"node$i\"}" 1; done
for i in 2 3; do
	exp_expect formed "synod_link_up{node_id=\"$i\",link=\"0\"}" 1
	exp_expect formed "synod_node_reachable{node_id=\"$i\"}" 1
done
exp_expect formed "ha_cluster_corosync_rings{node_id=\"1\",number=\"0\",address=\"$(cl_addr 1)\"}" 1
exp_expect formed ha_cluster_corosync_ring_errors 0
lat=$(exp_get formed 'synod_link_latency_seconds{node_id="2",link="0"}')
check "latency to node 2 is under a second ($lat s)" awk -v l="$lat" 'BEGIN { exit !(l >= 0 && l < 1) }'
against_quorumtool 1 formed
members=$(cl_members 1)
exp_expect formed synod_members "$(echo "$members" | wc -w)" "cmapctl runtime.totem.members"

# node 3's daemon stopped: its exporter answers within the timeout
echo "-- node 3 stopped (SIGSTOP)"
kill -STOP "${CL_PID[3]}"
t0=$(date +%s%N)
scrape 3 stopped || failed=$((failed + 1))
t1=$(date +%s%N)
kill -CONT "${CL_PID[3]}"
ms=$(((t1 - t0) / 1000000))
# two scrapes (both formats), each bounded by -t 1000
check "scrapes of a stopped daemon answer in time (${ms} ms for two)" [ "$ms" -lt 4000 ]
exp_expect stopped synod_up 0
cl_wait_view "1 2 3" 30 1 2 3 >/dev/null || fail "node 3 did not come back after SIGCONT"
wait_value 3 resumed synod_up 1 10 || failed=$((failed + 1))

# node 3's daemon killed
echo "-- node 3 killed (SIGKILL)"
scrape 1 before_kill || fail "scrape of node 1"
views_before=$(exp_get before_kill synod_view_changes_total)
cl_stop 3 KILL
ms=$(cl_wait_view "1 2" 30 1 2) || fail "nodes 1 and 2 did not drop node 3 within 30 s"
echo "view 1 2 after $ms ms"
wait_value 1 killed 'synod_link_up{node_id="3",link="0"}' 0 15 || failed=$((failed + 1))
exp_expect killed synod_up 1
exp_expect killed synod_members 2
exp_expect killed ha_cluster_corosync_quorate 1 "2 of 3 votes"
exp_expect killed 'ha_cluster_corosync_quorum_votes{type="total_votes"}' 2
exp_expect killed 'ha_cluster_corosync_quorum_votes{type="expected_votes"}' 3
exp_expect killed 'ha_cluster_corosync_quorum_votes{type="quorum"}' 2
exp_expect killed count:ha_cluster_corosync_member_votes 2
exp_expect killed 'ha_cluster_corosync_member_votes{node_id="3"}' absent
exp_expect killed 'synod_node_member{node_id="3",node="node3"}' 0
exp_expect killed 'synod_node_member{node_id="2",node="node2"}' 1
exp_expect killed 'synod_node_reachable{node_id="3"}' 0
exp_expect killed 'synod_link_up{node_id="2",link="0"}' 1
exp_expect killed ha_cluster_corosync_ring_errors 0 "a lost node is not a link fault"
views_after=$(exp_get killed synod_view_changes_total)
check "view changes went up ($views_before -> $views_after)" [ "$views_after" -gt "$views_before" ]
against_quorumtool 1 killed
scrape 3 dead || failed=$((failed + 1))
exp_expect dead synod_up 0 "node 3's exporter, daemon dead"
exp_expect dead synod_members absent
check "node 3's exporter still runs" kill -0 "${EXP_PID[3]}"

# node 3's daemon restarted: the exporter reconnects by itself
echo "-- node 3 restarted"
cl_start 3
ms=$(cl_wait_view "1 2 3" 30 1 2 3) || fail "node 3 did not rejoin within 30 s"
echo "rejoined in $ms ms"
wait_value 3 back synod_up 1 10 || failed=$((failed + 1))
exp_expect back synod_members 3 "node 3's exporter after the restart"
n_lost=$(grep -c 'does not answer' "$EXP_DIR/exporter3.log")
n_conn=$(grep -c 'connected to the synod daemon' "$EXP_DIR/exporter3.log")
check "node 3's exporter logged the loss ($n_lost) and the reconnection ($n_conn)" \
	[ "$n_lost" -ge 1 -a "$n_conn" -ge 2 ]
wait_value 1 healed 'synod_link_up{node_id="3",link="0"}' 1 15 || failed=$((failed + 1))
scraped=$(date +%s%N)
exp_expect healed synod_members 3
exp_expect healed 'ha_cluster_corosync_quorum_votes{type="total_votes"}' 3
against_quorumtool 1 healed
# node 1's daemon has run since the start, through every view change
up=$(exp_get healed synod_uptime_seconds)
ran=$(((scraped - started) / 1000000))
check "node 1's uptime ($up s) is the time since it started (${ran} ms)" \
	awk -v u="$up" -v r="$ran" 'BEGIN { exit !(u * 1000 <= r && u * 1000 >= r - 10000) }'

# both exporters end cleanly (sanitizer builds report through the status)
for i in 1 3; do
	kill -TERM "${EXP_PID[$i]}"
	wait "${EXP_PID[$i]}"
	rc=$?
	unset "EXP_PID[$i]"
	check "node $i's exporter exits 0 on SIGTERM (got $rc)" [ $rc -eq 0 ]
done
echo "$failed failed"
[ $failed -eq 0 ] || fail "$failed checks failed"
