#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# knet_status.sh - the daemon's loop never waits on knet's status calls
# on a timer.  A 3-node cluster runs with knet_slow_status.so preloaded:
# every knet_link_get_status and knet_handle_get_stats call stalls 100 ms,
# as when one of knet's threads holds the lock it takes (PMTU discovery
# does, for long).  Polling every link once a second, as synod once did,
# stalls the loop for over a second per tick and the membership core logs
# "not scheduled"; reading knet only on demand must leave it alone:
#
#   - the cluster forms within 30 s and, over the next seconds, no daemon
#     logs "not scheduled" or counts a pause;
#   - a read of stats.knet.* and of stats.srp.firewall_enabled_or_nic_failure
#     still answers knet's current values;
#   - a tracked stats.knet key still reports the change when the link to
#     node 3 goes down, and still no daemon is held up.
#
# usage: BUILD=builddir SHIM=.../knet_slow_status.so knet_status.sh
# Exits 0, 1 on failure, 77 (skip) when not root.
set -u
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
BUILD=${BUILD:?set BUILD to the build directory}
SHIM=${SHIM:?set SHIM to knet_slow_status.so}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
trap cl_cleanup EXIT

fail() {
	echo "FAIL: $*"
	cl_logs
	exit 1
}

cmapctl() { # node args...
	local i=$1
	shift
	ip netns exec "$(cl_ns "$i")" "$BUILD/tools/synod-cmapctl" "$@"
}

no_pauses() { # when
	local f i n
	f=$(grep -l "not scheduled" "$CL_DIR"/node*.log) && fail "$1: loop held up in $f"
	for i in 1 2 3; do
		n=$(cmapctl "$i" -m stats -q -g stats.membership.pauses_detected)
		[ "$n" = 0 ] || fail "$1: node $i counted '$n' pauses"
	done
}

cl_setup 3
for i in 1 2 3; do LD_PRELOAD=$SHIM SYN_SLOW_STATUS_MS=100 cl_start "$i"; done
ms=$(cl_wait_view "1 2 3" 30 1 2 3) || fail "no full view within 30 s"
echo "formed in $ms ms with slow knet status calls"
sleep 6
no_pauses "untouched"

v=$(cmapctl 1 -m stats -q -g stats.knet.node2.link0.connected)
[ "$v" = 1 ] || fail "stats.knet.node2.link0.connected on node 1 is '$v', want 1"
v=$(cmapctl 1 -m stats -q -g stats.knet.node1.link0.enabled)
[ "$v" = 1 ] || fail "stats.knet.node1.link0.enabled on node 1 is '$v', want 1"
v=$(cmapctl 1 -m stats -q -g stats.knet.node2.link0.rx_ping_packets)
[ "${v:-0}" -gt 0 ] || fail "no pings counted from node 2: '$v'"
v=$(cmapctl 1 -m stats -q -g stats.srp.firewall_enabled_or_nic_failure)
[ "$v" = 0 ] || fail "firewall_enabled_or_nic_failure on node 1 is '$v', want 0"
n=$(cmapctl 1 -m stats stats.knet.node3.link0. | wc -l)
[ "$n" -ge 39 ] || fail "only $n keys under stats.knet.node3.link0."

track=$CL_DIR/track.out
# the tracking tool reads "q" from stdin: keep its stdin open
sleep 20 | ip netns exec "$(cl_ns 1)" timeout 20 "$BUILD/tools/synod-cmapctl" -m stats \
	-t stats.knet.node3.link0.connected >"$track" 2>&1 &
tracker=$!
sleep 2
cl_link 3 down
for _ in $(seq 1 100); do
	grep -q "modify> stats.knet.node3.link0.connected (u8) = 0" "$track" && break
	sleep 0.1
done
kill "$tracker" 2>/dev/null
wait "$tracker" 2>/dev/null
grep -q "modify> stats.knet.node3.link0.connected (u8) = 0" "$track" ||
	fail "the tracker saw no link down: $(cat "$track")"
ms=$(cl_wait_view "1 2" 10 1 2) || fail "no view without node 3"
no_pauses "after a link went down"
echo "PASS"
