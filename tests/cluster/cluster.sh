#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# cluster.sh - multi-node scenarios on real synod daemons in network
# namespaces (see lib.sh): forming 3, 5 and 8 node clusters, kill -9,
# SIGSTOP/SIGCONT, link down/up, a 2+3 partition and its heal, a rolling
# restart, a node restarting with the same id, encrypted links and a node
# with the wrong key.  Prints PASS/FAIL per scenario with the measured
# times; exits 1 if any failed, 77 (skip) when not root.
#
# usage: BUILD=builddir cluster.sh [scenario...]
set -u
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
BUILD=${BUILD:?set BUILD to the build directory}
. "$(dirname "$0")/lib.sh"

failed=0
T=${CL_TIMEOUT:-15}

# Scenarios run in this shell (not a subshell) so that the cleanup knows
# every namespace and daemon they created.
scenario() { # name function
	cl_scenario c "$1" "$2"
}

all_nodes() { seq -s ' ' 1 "$1"; }

start_all() { # n
	local i
	for i in $(seq 1 "$1"); do cl_start "$i"; done
}

form() { # n
	local n=$1 ms
	cl_setup "$n"
	start_all "$n"
	# shellcheck disable=SC2046
	ms=$(cl_wait_view "$(all_nodes "$n")" 30 $(seq 1 "$n")) || return 1
	echo "formed in ${ms} ms"
}

s_form3() { form 3; }
s_form5() { form 5; }
s_form8() { form 8; }

s_kill9() {
	local ms1 ms2
	form 3 >/dev/null || return 1
	cl_stop 3 KILL
	ms1=$(cl_wait_view "1 2" "$T" 1 2) || return 1
	cl_start 3
	ms2=$(cl_wait_view "1 2 3" "$T" 1 2 3) || return 1
	echo "kill -9 -> view in ${ms1} ms; restart with the same id -> rejoined in ${ms2} ms"
}

s_sigstop() {
	local ms1 ms2
	form 3 >/dev/null || return 1
	kill -STOP "${CL_PID[2]}"
	ms1=$(cl_wait_view "1 3" "$T" 1 3) || return 1
	kill -CONT "${CL_PID[2]}"
	ms2=$(cl_wait_view "1 2 3" "$T" 1 2 3) || return 1
	echo "SIGSTOP -> view in ${ms1} ms; SIGCONT -> rejoined in ${ms2} ms"
}

s_linkdown() {
	local ms1 ms2
	form 3 >/dev/null || return 1
	cl_link 1 down
	ms1=$(cl_wait_view "2 3" "$T" 2 3) || return 1
	cl_wait_view "1" "$T" 1 >/dev/null || return 1
	cl_link 1 up
	ms2=$(cl_wait_view "1 2 3" "$T" 1 2 3) || return 1
	echo "link down -> view in ${ms1} ms; link up -> merged in ${ms2} ms"
}

# Longest time (ms) one cmap request on node $1 took during $2 seconds.
cmap_latency_probe() {
	local worst=0 start t0 t1 ms
	start=$(date +%s)
	while [ $(($(date +%s) - start)) -lt "$2" ]; do
		t0=$(date +%s%N)
		ip netns exec "$(cl_ns "$1")" "$BUILD/tools/synod-cmapctl" -g totem.cluster_name \
			>/dev/null || { echo 99999; return; }
		t1=$(date +%s%N)
		ms=$(((t1 - t0) / 1000000))
		[ $ms -gt $worst ] && worst=$ms
	done
	echo $worst
}

s_partition() {
	local ms1 ms2 worst probe
	form 5 >/dev/null || return 1
	cmap_latency_probe 3 3 >"$CL_DIR/latency" &
	probe=$!
	cl_bridge br1 1 2
	ms1=$(cl_wait_view "3 4 5" "$T" 3 4 5) || return 1
	cl_wait_view "1 2" "$T" 1 2 >/dev/null || return 1
	wait "$probe"
	worst=$(cat "$CL_DIR/latency")
	# cmap keeps being served while the membership changes
	[ "$worst" -lt 1000 ] || { echo "a cmap request took ${worst} ms during the change"; return 1; }
	cl_bridge br0 1 2
	ms2=$(cl_wait_view "1 2 3 4 5" "$T" 1 2 3 4 5) || return 1
	echo "2+3 partition -> both sides in ${ms1} ms; heal -> one view in ${ms2} ms;" \
		"slowest cmap request during the change ${worst} ms"
}

s_rolling() {
	local i others
	form 3 >/dev/null || return 1
	for i in 1 2 3; do
		others=$(all_nodes 3 | tr ' ' '\n' | grep -vx "$i" | tr '\n' ' ' | sed 's/ $//')
		cl_stop "$i" TERM
		# shellcheck disable=SC2086
		cl_wait_view "$others" "$T" $others >/dev/null || return 1
		cl_start "$i"
		cl_wait_view "1 2 3" "$T" 1 2 3 >/dev/null || return 1
	done
	echo "every node restarted in turn"
}

s_crypto() {
	local ms CL_CRYPTO=0
	cl_setup 3 "  crypto_cipher: aes256\n  crypto_hash: sha256\n  keyfile: $CL_DIR/authkey"
	"$BUILD/tools/synod-keygen" -k "$CL_DIR/authkey" >/dev/null || return 1
	sed "s|$CL_DIR/authkey|$CL_DIR/wrongkey|" "$CL_DIR/synod.conf" >"$CL_DIR/wrong.conf"
	"$BUILD/tools/synod-keygen" -k "$CL_DIR/wrongkey" -s 512 >/dev/null || return 1
	cl_start 1
	cl_start 2
	cl_start 3 "$CL_DIR/wrong.conf"
	ms=$(cl_wait_view "1 2" 30 1 2) || return 1
	sleep 2
	[ "$(cl_members 3)" = "3" ] || { echo "node with the wrong key sees '$(cl_members 3)'"; return 1; }
	[ "$(cl_members 1)" = "1 2" ] || { echo "node 1 sees '$(cl_members 1)'"; return 1; }
	echo "encrypted pair formed in ${ms} ms; node with a wrong key stays out"
}

# What synod-bcast prints on node $1 (an error message when it fails).
bcast() { # node args...
	local i=$1
	shift
	ip netns exec "$(cl_ns "$i")" "$BUILD/tools/synod-bcast" "$@" 2>&1
}
field() { sed -n "s/.* *\b$1=\([0-9]*\).*/\1/p" <<<"$2" | head -1; }

# Every node delivers exactly want messages, all intact (within 30 s:
# the sequencer delivers at once, the others as the packets arrive).
bcast_check() { # want node...
	local want=$1 i line
	shift
	for i in "$@"; do
		for _ in $(seq 1 300); do
			line=$(bcast "$i" stats)
			[ "$(field delivered "$line")" = "$want" ] && break
			sleep 0.1
		done
		[ "$(field delivered "$line")" = "$want" ] && [ "$(field bad "$line")" = 0 ] || {
			echo "node $i: $line (want delivered=$want bad=0)"
			return 1
		}
	done
}

# Ordered broadcast of messages far above one packet (fragmented), from
# two senders at once; then a flood interrupted by killing a node: the
# survivors must still agree on every message, none corrupted.
s_broadcast() {
	local d1 i CL_SYSTEM="  bcast_service: yes"
	form 3 >/dev/null || return 1
	bcast_wait_own() { # node count
		for _ in $(seq 1 200); do
			[ "$(field own_delivered "$(bcast "$1" stats)")" = "$2" ] && return 0
			sleep 0.1
		done
		echo "node $1: $(bcast "$1" stats) (want own_delivered=$2)"
		return 1
	}
	bcast 1 start 20 300000 >/dev/null || return 1
	bcast 2 start 20 200000 >/dev/null || return 1
	bcast_wait_own 1 20 && bcast_wait_own 2 20 || return 1
	bcast_check 40 1 2 3 || return 1
	for i in 1 2 3; do bcast "$i" reset >/dev/null; done
	bcast 1 start 400 70000 >/dev/null || return 1
	sleep 0.2
	cl_stop 3 KILL
	cl_wait_view "1 2" "$T" 1 2 >/dev/null || return 1
	bcast_wait_own 1 400 || return 1
	# Node 1 delivered its own 400 and what node 2 got in the old view is
	# what node 1 got there, so node 2 must reach node 1's count.
	d1=$(bcast 1 stats)
	bcast_check "$(field delivered "$d1")" 1 2 || return 1
	echo "20 x 300 kB and 20 x 200 kB from two senders delivered whole on 3 nodes;" \
		"a flood of 400 x 70 kB survived a kill -9"
}

# A node added to the nodelist by a reload gets links and joins; removed
# by another reload, it loses them and is left alone.
s_reload_nodes() {
	local ms1 ms2
	cl_setup 4
	cp "$CL_DIR/synod.conf" "$CL_DIR/four.conf"
	cl_write_conf 3
	cp "$CL_DIR/synod.conf" "$CL_DIR/three.conf"
	start_all 3
	cl_wait_view "1 2 3" 30 1 2 3 >/dev/null || return 1
	cp "$CL_DIR/four.conf" "$CL_DIR/synod.conf"
	ip netns exec "$(cl_ns 1)" "$BUILD/tools/synod-cfgtool" -R >/dev/null || return 1
	cl_start 4 "$CL_DIR/four.conf"
	ms1=$(cl_wait_view "1 2 3 4" "$T" 1 2 3 4) || return 1
	cp "$CL_DIR/three.conf" "$CL_DIR/synod.conf"
	ip netns exec "$(cl_ns 1)" "$BUILD/tools/synod-cfgtool" -R >/dev/null || return 1
	ms2=$(cl_wait_view "1 2 3" "$T" 1 2 3) || return 1
	cl_wait_view "4" "$T" 4 >/dev/null || return 1
	echo "node added by a reload joined in ${ms1} ms; removed by a reload, left in ${ms2} ms"
}

list=${*:-form3 kill9 sigstop linkdown partition rolling crypto broadcast reload_nodes form5 form8}
for s in $list; do
	scenario "$s" "s_$s"
done
[ $failed -eq 0 ]
