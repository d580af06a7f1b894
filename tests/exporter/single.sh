#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# single.sh - synod-exporter against a single-node daemon (in its own
# network namespace, through tests/integration/netns-run.sh):
#   - -h, bad options and a bad listen address answer as documented;
#   - /metrics passes `promtool check metrics` (Prometheus text) and the
#     strict OpenMetrics parser (Accept: application/openmetrics-text),
#     with the right Content-Type each, and the same series in both;
#   - the values agree with synod-quorumtool -s, synod-cmapctl and
#     synod-cpgtool where they overlap (votes, quorum, ring id, members,
#     view changes, cmap keys, CPG groups and processes);
#   - each scrape is fresh (the uptime moves between two scrapes), and
#     concurrent scrapes are all answered;
#   - unknown paths are 404 and other methods 405.
#
# usage: BUILD=builddir single.sh   (exit 0, 1 on failure, 77 skip)
set -u
here=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:?set BUILD to the build directory}
. "$here/lib.sh"

if [ "${1:-}" != --inner ]; then
	exp_require
	export SYN_WAIT_READY="$BUILD/tests/integration/wait-ready"
	exec "$here/../integration/netns-run.sh" "$BUILD/daemon/synod" \
		"$here/../../conf/synod.conf" "$0" --inner
fi

EXP_DIR=$(mktemp -d)
exporter="$BUILD/exporter/synod-exporter"
url=http://127.0.0.1:9664/metrics
failed=0
cleanup() {
	[ -n "${epid:-}" ] && kill -TERM "$epid" 2>/dev/null && wait "$epid"
	[ -n "${cpid:-}" ] && kill -TERM "$cpid" 2>/dev/null && wait "$cpid"
	rm -rf "$EXP_DIR"
}
trap cleanup EXIT
check() { # description command...
	local what=$1
	shift
	if "$@"; then echo "ok   $what"; else echo "FAIL $what"; failed=$((failed + 1)); fi
}

# command line
check "-h prints the usage and exits 0" \
	sh -c "'$exporter' -h | grep -q '^usage: synod-exporter'"
"$exporter" -x >/dev/null 2>&1
check "an unknown option exits 1 (got $?)" [ $? -eq 1 ]
"$exporter" -l localhost >/dev/null 2>&1
check "a listen address without a port exits 1 (got $?)" [ $? -eq 1 ]
"$exporter" -t 0 >/dev/null 2>&1
check "a zero timeout exits 1 (got $?)" [ $? -eq 1 ]

# a CPG process, so that the CPG counts have something to count
"$BUILD/tests/integration/cpg_member" exporter-a exporter-b >"$EXP_DIR/cpg.out" &
cpid=$!
"$exporter" -l 127.0.0.1:9664 -t 2000 2>"$EXP_DIR/exporter.log" &
epid=$!
for _ in $(seq 1 50); do
	curl -s -o /dev/null --max-time 1 http://127.0.0.1:9664/ && grep -q ready "$EXP_DIR/cpg.out" && break
	sleep 0.1
done
"$exporter" -l 127.0.0.1:9664 >/dev/null 2>&1
check "a second exporter on the same port exits 2 (got $?)" [ $? -eq 2 ]

check "scrape 1: promtool, OpenMetrics parser, content types" exp_scrape s1 "$url"
exp_expect s1 synod_up 1
exp_expect s1 ha_cluster_corosync_quorate 1

# against synod-quorumtool -s
qt=$("$BUILD/tools/synod-quorumtool" -s)
qt_field() { echo "$qt" | sed -n "s/^$1:[[:space:]]*\([^[:space:]]*\).*/\1/p"; }
exp_expect s1 'ha_cluster_corosync_quorum_votes{type="expected_votes"}' "$(qt_field 'Expected votes')" quorumtool
exp_expect s1 'ha_cluster_corosync_quorum_votes{type="highest_expected"}' "$(qt_field 'Highest expected')" quorumtool
exp_expect s1 'ha_cluster_corosync_quorum_votes{type="total_votes"}' "$(qt_field 'Total votes')" quorumtool
exp_expect s1 'ha_cluster_corosync_quorum_votes{type="quorum"}' "$(qt_field Quorum)" quorumtool
exp_expect s1 synod_members "$(qt_field Nodes)" quorumtool
ring=$(qt_field 'Ring ID')
votes=$(echo "$qt" | awk '$3 == "node1" && $4 == "(local)" { print $2 }')
exp_expect s1 "ha_cluster_corosync_member_votes{node_id=\"1\",node=\"node1\",local=\"true\"}" "$votes" quorumtool
exp_expect s1 'count:ha_cluster_corosync_member_votes' 1
exp_expect s1 "ha_cluster_corosync_rings{ring_id=\"$ring\",node_id=\"1\",number=\"0\",address=\"127.0.0.1\"}" 1 "quorumtool's Ring ID"
exp_expect s1 ha_cluster_corosync_ring_errors 0
exp_expect s1 'synod_link_up{node_id="1",link="0"}' 1
exp_expect s1 'synod_node_member{node_id="1",node="node1"}' 1

# against synod-cmapctl
cmapctl() { "$BUILD/tools/synod-cmapctl" "$@"; }
exp_expect s1 "synod_ring_sequence{ring_id=\"$(cmapctl -q -g runtime.totem.ring_id)\"}" \
	"$((16#$(cmapctl -q -g runtime.totem.ring_id | cut -d. -f2)))" cmapctl
exp_expect s1 synod_view_changes_total "$(cmapctl -m stats -q -g stats.membership.views_installed)" cmapctl
exp_expect s1 'synod_cmap_keys{map="icmap"}' "$(cmapctl | wc -l)" "cmapctl key count"
exp_expect s1 'synod_link_down_events_total{node_id="1",link="0"}' \
	"$(cmapctl -m stats -q -g stats.knet.node1.link0.down_count)" cmapctl
# the exporter's own cmap connections (default map and stats map) at least
conns=$(exp_get s1 'synod_ipc_service_connections{service="cmap"}')
check "cmap connections counted ($conns >= 2)" [ "$conns" -ge 2 ]
total=$(exp_get s1 synod_ipc_connections)
sum=0
for s in cmap cfg cpg quorum votequorum; do
	n=$(exp_get s1 "synod_ipc_service_connections{service=\"$s\"}")
	[ "$n" = absent ] || sum=$((sum + n))
done
check "IPC connections per service add up to the total ($sum = $total)" [ "$sum" = "$total" ]

# against synod-cpgtool: two groups, one process in each
groups=$("$BUILD/tools/synod-cpgtool" | grep -c '^exporter-')
exp_expect s1 synod_cpg_groups "$groups" cpgtool
exp_expect s1 synod_cpg_members 2 "cpg_member joined two groups"

# fresh data on every scrape
sleep 1.1
check "scrape 2" exp_scrape s2 "$url"
u1=$(exp_get s1 synod_uptime_seconds)
u2=$(exp_get s2 synod_uptime_seconds)
check "uptime moves between scrapes ($u1 -> $u2)" \
	awk -v a="$u1" -v b="$u2" 'BEGIN { exit !(b >= a + 1.0) }'

# concurrent scrapes (one thread per connection, collections shared)
pids=()
for i in 1 2 3 4 5 6; do
	curl -sS --max-time 10 -o "$EXP_DIR/par$i.text" "$url" &
	pids+=($!)
done
ok=0
for i in 1 2 3 4 5 6; do
	wait "${pids[$((i - 1))]}" && promtool check metrics <"$EXP_DIR/par$i.text" >/dev/null 2>&1 &&
		[ "$(exp_get "par$i" synod_up)" = 1 ] && ok=$((ok + 1))
done
check "6 concurrent scrapes all answered with synod_up 1 ($ok)" [ $ok -eq 6 ]

# other paths and methods
code=$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:9664/nope)
check "unknown path answers 404 (got $code)" [ "$code" = 404 ]
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -d x "$url")
check "POST answers 405 (got $code)" [ "$code" = 405 ]
code=$(curl -s -o /dev/null -w '%{http_code}' -I "$url")
check "HEAD answers 200 (got $code)" [ "$code" = 200 ]

kill -TERM "$epid"
wait "$epid"
rc=$?
epid=
check "SIGTERM stops the exporter with status 0 (got $rc)" [ $rc -eq 0 ]
echo "$failed failed"
[ $failed -eq 0 ]
