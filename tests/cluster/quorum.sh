#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# quorum.sh - votequorum on real synod clusters in network namespaces
# (see lib.sh): a 2+3 split, two_node, wait_for_all at start,
# last_man_standing shrinking 5 -> 2, auto_tie_breaker on a 2+2 split,
# a cluster-wide config reload (synod-cfgtool -R and the distribution's
# corosync-cfgtool -R, values checked through cmap on every node, changes
# that cannot apply at run time refused, two_node switched on, a node left
# behind on an older config_version shutting itself down),
# a quorum device (tests/cluster/qdevice_client.c, one per node) counted
# in the votes, keeping one side of a 2+2 split quorate, losing its vote
# at the poll timeout, master_wins; a CS_TRACK_CHANGES tracker seeing the
# whole membership at formation.  The reload, device and formation scenarios also
# run on the distribution's corosync in the same harness (corosync:NAME,
# test cluster-quorum-corosync), with the same expectations but one.  Quorate state is read with
# the distribution's corosync-quorumtool (a stock client of the quorum
# API) inside each node's namespace.  Exit 1 if any scenario failed, 77
# (skip) when not root or corosync-quorumtool is not installed.
#
# usage: BUILD=builddir quorum.sh [scenario...]
#   a scenario named corosync:NAME runs NAME on the distribution's corosync
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
	QD_PID=()
	$fn >"$CL_DIR/out" 2>&1
	rc=$?
	qd_stop_all
	if [ $rc -eq 0 ]; then
		# (bash's notes about the daemons a scenario SIGKILLed are not news)
		echo "PASS $name $(grep -v '  Killed  ' "$CL_DIR/out")"
	else
		echo "FAIL $name"
		sed 's/^/    /' "$CL_DIR/out"
		cl_logs | sed 's/^/    /'
		for f in "$CL_DIR"/qdevice*.out; do
			[ -e "$f" ] && { echo "--- $f"; cat "$f"; } | sed 's/^/    /'
		done
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

start_nodes() { local i; for i in "$@"; do node_start "$i"; done; }

# The daemon the current scenario runs: synod, or corosync (the
# distribution's, private /run and /var/lib/corosync in a mount namespace
# of its own; exec keeps the PID, so CL_PID is corosync's own).
KIND=synod
node_start() { # node [config]
	local i=$1 conf=${2:-$CL_DIR/synod.conf}
	if [ "$KIND" = synod ]; then
		cl_start "$i" "$conf"
		return
	fi
	ip netns exec "$(cl_ns "$i")" unshare -m sh -c \
		"mount -t tmpfs none /run && mount -t tmpfs none /var/lib/corosync && exec corosync -f -c $conf" \
		>>"$CL_DIR/node$i.log" 2>&1 &
	CL_PID[$i]=$!
}

in_ns() { # node command... (our tools, the build's libraries)
	local n=$1
	shift
	ip netns exec "$(cl_ns "$n")" "$@"
}

cmap_get() { # node key -> value ("" when absent)
	in_ns "$1" "$BUILD/tools/synod-cmapctl" -q -g "$2" 2>/dev/null
}

qt_field() { # node field -> the first word corosync-quorumtool -s prints for it
	in_ns "$1" env -u LD_LIBRARY_PATH corosync-quorumtool -s 2>/dev/null |
		awk -F': *' -v f="$2" '$1 == f {split($2, w, " "); print w[1]}'
}

# Wait until every listed node has key = want in cmap.
wait_cmap() { # key want timeout node...
	local key=$1 want=$2 timeout=$3 start i ok
	shift 3
	start=$(date +%s)
	while :; do
		ok=1
		for i in "$@"; do [ "$(cmap_get "$i" "$key")" = "$want" ] || { ok=0; break; }; done
		[ $ok -eq 1 ] && return 0
		if [ $(($(date +%s) - start)) -ge "$timeout" ]; then
			for i in "$@"; do echo "node $i: $key = '$(cmap_get "$i" "$key")', want '$want'"; done
			return 1
		fi
		sleep 0.1
	done
}

# Wait until corosync-quorumtool -s on every listed node prints field = want.
wait_qt() { # field want timeout node...
	local field=$1 want=$2 timeout=$3 start i ok
	shift 3
	start=$(date +%s)
	while :; do
		ok=1
		for i in "$@"; do [ "$(qt_field "$i" "$field")" = "$want" ] || { ok=0; break; }; done
		[ $ok -eq 1 ] && return 0
		if [ $(($(date +%s) - start)) -ge "$timeout" ]; then
			for i in "$@"; do echo "node $i: $field '$(qt_field "$i" "$field")', want '$want'"; done
			return 1
		fi
		sleep 0.1
	done
}

qt_line() { # node field -> the whole value corosync-quorumtool -s prints for it
	in_ns "$1" env -u LD_LIBRARY_PATH corosync-quorumtool -s 2>/dev/null |
		awk -F': *' -v f="$2" '$1 == f {sub(/ +$/, "", $2); print $2}'
}

# The Qdevice column of corosync-quorumtool -s for node id (e.g. A,V,NMW).
qt_qdevice() { # node id
	in_ns "$1" env -u LD_LIBRARY_PATH corosync-quorumtool -s 2>/dev/null |
		awk -v id="$2" 'f && $1 == id {print $3} /^ *Nodeid/ {f = 1}'
}

# Count the lines matching a pattern in a node's log.
log_count() { grep -c -- "$2" "$CL_DIR/node$1.log"; }

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

# The configuration the reload scenario moves to: node 4 added with node 3
# on two votes, debug logging, config_version 2 (nodes 1-3 stay the
# members, so expected votes go 3 -> 5 and total votes 3 -> 4).
reload_conf_grown() {
	cl_write_conf 4 "  config_version: 2"
	sed -i -e 's/^\(    ring0_addr: 10\.231\.0\.3\)$/\1\n    quorum_votes: 2/' \
		-e 's/^  to_stderr: yes$/  to_stderr: yes\n  debug: on/' "$CL_DIR/synod.conf"
}

q_reload() {
	local i n want
	cl_setup 3
	# node 1 reads its own copy, so one step can give it a change the
	# others do not see
	cp "$CL_DIR/synod.conf" "$CL_DIR/node1.conf"
	node_start 1 "$CL_DIR/node1.conf"
	start_nodes 2 3
	cl_wait_view "1 2 3" 30 1 2 3 >/dev/null || return 1
	wait_quorate Yes "$T" 1 2 3 || return 1
	wait_qt "Expected votes" 3 "$T" 1 2 3 || return 1

	# 1. synod-cfgtool -R on node 2: every node re-reads its file.
	reload_conf_grown
	cp "$CL_DIR/synod.conf" "$CL_DIR/node1.conf"
	in_ns 2 "$BUILD/tools/synod-cfgtool" -R >/dev/null ||
		{ echo "synod-cfgtool -R failed"; return 1; }
	wait_cmap nodelist.node.3.nodeid 4 "$T" 1 2 3 || return 1
	wait_cmap nodelist.node.3.ring0_addr 10.231.0.4 "$T" 1 2 3 || return 1
	wait_cmap nodelist.node.2.quorum_votes 2 "$T" 1 2 3 || return 1
	wait_cmap logging.debug on "$T" 1 2 3 || return 1
	wait_cmap totem.config_version 2 "$T" 1 2 3 || return 1
	wait_cmap config.reload_status 1 "$T" 1 2 3 || return 1
	wait_qt "Expected votes" 5 "$T" 1 2 3 || return 1
	wait_qt "Total votes" 4 "$T" 1 2 3 || return 1
	wait_cmap runtime.votequorum.highest_node_id 3 "$T" 1 2 3 || return 1
	wait_quorate Yes "$T" 1 2 3 || return 1
	for i in 1 2 3; do
		n=$(log_count "$i" "Config reload requested by node 2")
		[ "$n" = 1 ] || { echo "node $i logged $n reload requests from node 2"; return 1; }
	done

	# 2. The distribution's corosync-cfgtool -R on node 3: node 4 leaves the
	# nodelist, debug goes off, expected_votes is forced to 6, and the
	# cluster name change is refused on every node with the old name kept.
	cl_write_conf 3 "  config_version: 2" "  expected_votes: 6"
	sed -i 's/^  cluster_name: synodtest$/  cluster_name: renamed/' "$CL_DIR/synod.conf"
	cp "$CL_DIR/synod.conf" "$CL_DIR/node1.conf"
	in_ns 3 env -u LD_LIBRARY_PATH corosync-cfgtool -R >/dev/null ||
		{ echo "corosync-cfgtool -R failed"; return 1; }
	wait_cmap quorum.expected_votes 6 "$T" 1 2 3 || return 1
	wait_cmap nodelist.node.3.nodeid "" "$T" 1 2 3 || return 1
	wait_cmap nodelist.node.2.quorum_votes "" "$T" 1 2 3 || return 1
	wait_cmap logging.debug "" "$T" 1 2 3 || return 1
	wait_qt "Expected votes" 6 "$T" 1 2 3 || return 1
	wait_qt "Quorum" 4 "$T" 1 2 3 || return 1
	wait_quorate No "$T" 1 2 3 || return 1
	for i in 1 2 3; do
		[ "$(cmap_get "$i" totem.cluster_name)" = synodtest ] ||
			{ echo "node $i: cluster_name changed at run time"; return 1; }
		n=$(log_count "$i" "Modified entry 'totem.cluster_name' in corosync.conf cannot be changed at run-time")
		[ "$n" = 1 ] || { echo "node $i: $n refusal lines for cluster_name"; return 1; }
	done

	# 3. Node 1's own address on link 0 cannot change at run time: its
	# reload is refused (the requester sees the error), node 1 keeps every
	# old value, nodes 2 and 3 reload their unchanged file.
	cl_write_conf 3
	cp "$CL_DIR/synod.conf" "$CL_DIR/node1.conf"
	in_ns 1 ip addr add 10.231.0.101/24 dev eth0
	sed -i -e 's/^    ring0_addr: 10\.231\.0\.1$/    ring0_addr: 10.231.0.101/' \
		"$CL_DIR/node1.conf"
	if in_ns 1 "$BUILD/tools/synod-cfgtool" -R >/dev/null 2>&1; then
		echo "node 1 accepted a new address for its own link"
		return 1
	fi
	wait_cmap quorum.expected_votes "" "$T" 2 3 || return 1
	wait_cmap config.reload_status 7 "$T" 1 || return 1
	[ "$(cmap_get 1 nodelist.node.0.ring0_addr)" = 10.231.0.1 ] ||
		{ echo "node 1: ring0_addr changed"; return 1; }
	# corosync has already deleted the keys the file dropped when it finds
	# the address change (config-and-keys.md section 10, step 6); synod
	# checks first and leaves the map alone
	want=6
	[ "$KIND" = corosync ] && want=""
	[ "$(cmap_get 1 quorum.expected_votes)" = "$want" ] ||
		{ echo "node 1: quorum.expected_votes '$(cmap_get 1 quorum.expected_votes)' after the refused reload, want '$want'"; return 1; }
	n=$(log_count 1 "To reconfigure an interface it must be deleted and recreated")
	[ "$n" = 1 ] || { echo "node 1: $n refusal lines for its address"; return 1; }
	wait_qt "Expected votes" 3 "$T" 2 3 || return 1
	echo "reload reached all 3 nodes (synod-cfgtool, corosync-cfgtool); nodelist, votes, expected votes, logging, config_version applied; cluster_name and the local address refused"
}

# two_node switched on by a reload (corosync allows it at run time): both
# nodes take it, and the survivor of a kill stays quorate.
q_reload_two_node() {
	local flags
	cl_setup 2
	start_nodes 1 2
	cl_wait_view "1 2" 30 1 2 >/dev/null || return 1
	wait_quorate Yes "$T" 1 2 || return 1
	cl_write_conf 2 "" "  two_node: 1"
	in_ns 1 "$BUILD/tools/synod-cfgtool" -R >/dev/null || { echo "synod-cfgtool -R failed"; return 1; }
	wait_cmap runtime.votequorum.two_node 1 "$T" 1 2 || return 1
	wait_qt "Quorum" 1 "$T" 1 2 || return 1
	flags=$(qt_line 1 Flags)
	case " $flags " in *" 2Node "*) ;; *) echo "node 1 flags '$flags', no 2Node"; return 1 ;; esac
	cl_stop 2 KILL
	cl_wait_view "1" "$T" 1 >/dev/null || return 1
	sleep 1
	[ "$(quorate 1)" = Yes ] || { echo "survivor not quorate"; return 1; }
	echo "two_node on by reload on both nodes (flags: $flags); the survivor stays quorate"
}

# config_version: a reload moves nodes 1 and 2 to version 2 while node 3's
# file stays at 1; node 3, restarted on its old file, meets the newer
# version in its first view with others and shuts itself down, the others
# carry on.
q_config_version() {
	local i p
	cl_setup 3 "  config_version: 1"
	for i in 1 2 3; do cp "$CL_DIR/synod.conf" "$CL_DIR/node$i.conf"; done
	for i in 1 2 3; do node_start "$i" "$CL_DIR/node$i.conf"; done
	cl_wait_view "1 2 3" 30 1 2 3 >/dev/null || return 1
	wait_cmap totem.config_version 1 "$T" 1 2 3 || return 1
	cl_write_conf 3 "  config_version: 2"
	for i in 1 2; do cp "$CL_DIR/synod.conf" "$CL_DIR/node$i.conf"; done
	in_ns 1 "$BUILD/tools/synod-cfgtool" -R >/dev/null || { echo "reload failed"; return 1; }
	wait_cmap totem.config_version 2 "$T" 1 2 || return 1
	wait_cmap totem.config_version 1 "$T" 3 || return 1
	cl_stop 3 TERM
	cl_wait_view "1 2" "$T" 1 2 >/dev/null || return 1
	node_start 3 "$CL_DIR/node3.conf"
	p=${CL_PID[3]}
	for _ in $(seq 1 $((T * 10))); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$p" 2>/dev/null; then
		echo "node 3 runs on with config version 1"
		return 1
	fi
	wait "$p" 2>/dev/null
	CL_PID[3]=
	[ "$(log_count 3 'Received config version (2) is different than my config version (1)! Exiting')" -ge 1 ] ||
		{ echo "node 3 did not log the version mismatch"; return 1; }
	cl_wait_view "1 2" "$T" 1 2 >/dev/null || return 1
	wait_quorate Yes "$T" 1 2 || return 1
	echo "node 3 with config version 1 left a cluster reloaded to version 2; nodes 1 and 2 stay quorate"
}

# A CS_TRACK_CHANGES tracker on node 1, started before nodes 2 and 3 join,
# must be told of the full three-node quorate membership (corosync sends a
# notification at every view's activation, and node information arriving
# after one changes what the last notification said).
q_formation() {
	cl_setup 3
	node_start 1
	ip netns exec "$(cl_ns 1)" "$BUILD/tests/cluster/vq-track" >"$CL_DIR/track1.out" 2>&1 &
	QD_PID[1]=$!
	wait_out 1 "$T" grep -m1 -c '^tracking' "$CL_DIR/track1.out" || return 1
	start_nodes 2 3
	cl_wait_view "1 2 3" 30 1 2 3 >/dev/null || return 1
	wait_quorate Yes "$T" 1 2 3 || return 1
	if ! wait_out 1 "$T" grep -m1 -c '^quorum 1 members 1 2 3$' "$CL_DIR/track1.out"; then
		sed 's/^/track: /' "$CL_DIR/track1.out"
		return 1
	fi
	echo "the tracker saw all three nodes quorate"
}

# ---- quorum device -------------------------------------------------------

declare -a QD_PID
QD_DEVICE="  device {\n    model: net\n    timeout: 3000\n    sync_timeout: 5000\n"

qd_start() { # node [client options...]
	local i=$1
	shift
	ip netns exec "$(cl_ns "$i")" "$BUILD/tests/cluster/qdevice-client" -i 300 "$@" \
		>>"$CL_DIR/qdevice$i.out" 2>&1 &
	QD_PID[$i]=$!
	wait_out 1 "$T" qd_registered "$i" || return 1
}

qd_registered() { grep -c '^registered' "$CL_DIR/qdevice$1.out" 2>/dev/null; }

qd_stop_all() {
	local i
	for i in "${!QD_PID[@]}"; do
		[ -n "${QD_PID[$i]}" ] || continue
		kill -TERM "${QD_PID[$i]}" 2>/dev/null
		wait "${QD_PID[$i]}" 2>/dev/null
	done
	QD_PID=()
}

# V37: 2 nodes, device votes 1 (automatic), the device on node 1.
qd_two_node() {
	cl_setup 2 "" "$QD_DEVICE  }"
	start_nodes 1 2
	cl_wait_view "1 2" 30 1 2 >/dev/null || return 1
	qd_start 1 || return 1
	wait_qt "Total votes" 3 "$T" 1 || return 1
	wait_qt "Total votes" 2 "$T" 2 || return 1
	wait_qt "Expected votes" 3 "$T" 1 2 || return 1
	wait_out "Quorate Qdevice" "$T" qt_line 1 Flags || return 1
	wait_out "A,V,NMW" "$T" qt_qdevice 1 1 || return 1
	wait_out "Qdevice" "$T" qt_qdevice 1 0 || return 1
	# split: the device keeps node 1 quorate alone
	cl_bridge br1 2
	cl_wait_view "1" "$T" 1 >/dev/null || return 1
	cl_wait_view "2" "$T" 2 >/dev/null || return 1
	wait_quorate Yes "$T" 1 || return 1
	wait_quorate No "$T" 2 || return 1
	wait_qt "Total votes" 2 "$T" 1 || return 1
	# the device stops polling: its vote goes at quorum.device.timeout
	kill -USR1 "${QD_PID[1]}"
	wait_quorate No "$T" 1 || return 1
	wait_out "NA,NV,NMW" "$T" qt_qdevice 1 1 || return 1
	wait_qt "Total votes" 1 "$T" 1 || return 1
	# polling again brings it back
	kill -USR1 "${QD_PID[1]}"
	wait_quorate Yes "$T" 1 || return 1
	cl_bridge br0 2
	cl_wait_view "1 2" "$T" 1 2 >/dev/null || return 1
	wait_qt "Total votes" 3 "$T" 1 || return 1
	wait_quorate Yes "$T" 1 2 || return 1
	# renamed (votequorum_qdevice_update), it polls on under the new name
	# past a whole device timeout without losing its vote
	kill -HUP "${QD_PID[1]}"
	wait_out 1 "$T" grep -c '^renamed Qdevice-renamed (1)$' "$CL_DIR/qdevice1.out" || return 1
	sleep 4
	[ "$(qt_field 1 "Total votes")" = 3 ] || { echo "vote lost after the rename"; return 1; }
	[ "$(qt_qdevice 1 1)" = "A,V,NMW" ] || { echo "node 1 device '$(qt_qdevice 1 1)' after the rename"; return 1; }
	qd_stop_all
	grep -q '^unregistered (1)$' "$CL_DIR/qdevice1.out" || { echo "unregister failed"; return 1; }
	wait_out "Quorate" "$T" qt_line 1 Flags || return 1
	echo "device vote counted, keeps node 1 quorate alone, lost at the poll timeout, kept across a rename"
}

# 4 nodes, device votes 3 (automatic: ev 7, quorum 4), a device on every
# node (a device's vote counts only on its own node); the devices of
# nodes 3 and 4 stop polling, then a 2+2 split leaves only {1,2} quorate.
qd_split() {
	local i
	cl_setup 4 "" "$QD_DEVICE  }"
	start_nodes 1 2 3 4
	cl_wait_view "1 2 3 4" 30 1 2 3 4 >/dev/null || return 1
	for i in 1 2 3 4; do qd_start "$i" || return 1; done
	wait_qt "Expected votes" 7 "$T" 1 2 3 4 || return 1
	wait_qt "Total votes" 7 "$T" 1 2 3 4 || return 1
	kill -USR1 "${QD_PID[3]}" "${QD_PID[4]}"
	wait_out "NA,NV,NMW" "$T" qt_qdevice 3 3 || return 1
	wait_out "NA,NV,NMW" "$T" qt_qdevice 4 4 || return 1
	wait_qt "Total votes" 4 "$T" 3 4 || return 1
	wait_quorate Yes "$T" 1 2 3 4 || return 1
	cl_bridge br1 3 4
	cl_wait_view "1 2" "$T" 1 2 >/dev/null || return 1
	cl_wait_view "3 4" "$T" 3 4 >/dev/null || return 1
	wait_quorate Yes "$T" 1 2 || return 1
	wait_quorate No "$T" 3 4 || return 1
	wait_qt "Total votes" 5 "$T" 1 2 || return 1
	wait_qt "Total votes" 2 "$T" 3 4 || return 1
	kill -USR1 "${QD_PID[3]}" "${QD_PID[4]}"
	cl_bridge br0 3 4
	cl_wait_view "1 2 3 4" "$T" 1 2 3 4 >/dev/null || return 1
	wait_qt "Total votes" 7 "$T" 1 2 3 4 || return 1
	wait_quorate Yes "$T" 1 2 3 4 || return 1
	echo "2+2 split: the side whose devices poll stays quorate (5 of 7 votes), the other not"
}

# V38: 4 nodes, device votes 1 (ev 5, quorum 3); device on 1 casting with
# master_wins, on 2 master_wins without casting; {1,2}|{3,4}.
qd_master_wins() {
	cl_setup 4 "" "$QD_DEVICE    votes: 1\n  }"
	start_nodes 1 2 3 4
	cl_wait_view "1 2 3 4" 30 1 2 3 4 >/dev/null || return 1
	qd_start 1 -m || return 1
	qd_start 2 -m -N || return 1
	wait_qt "Expected votes" 5 "$T" 1 2 3 4 || return 1
	wait_out "A,V,MW" "$T" qt_qdevice 1 1 || return 1
	wait_out "A,NV,MW" "$T" qt_qdevice 1 2 || return 1
	cl_bridge br1 3 4
	cl_wait_view "1 2" "$T" 1 2 >/dev/null || return 1
	cl_wait_view "3 4" "$T" 3 4 >/dev/null || return 1
	wait_quorate Yes "$T" 1 2 || return 1
	wait_quorate No "$T" 3 4 || return 1
	wait_qt "Total votes" 3 "$T" 1 || return 1
	wait_qt "Total votes" 2 "$T" 2 3 4 || return 1
	wait_cmap runtime.votequorum.qdevice_master_wins 1 "$T" 1 2 || return 1
	qd_stop_all
	echo "master_wins: node 2 quorate with 2 of 5 votes beside node 1's casting device"
}

list=${*:-split two_node wait_for_all last_man_standing tie_breaker formation reload reload_two_node config_version qdevice_two_node qdevice_split qdevice_master_wins}
case " $list " in
*" corosync:"*) command -v corosync >/dev/null || { echo "SKIP: no corosync"; exit 77; } ;;
esac
for s in $list; do
	KIND=synod
	case $s in corosync:*)
		KIND=corosync
		s=${s#corosync:}
		;;
	esac
	case $s in
	qdevice_*) scenario "$KIND:$s" "qd_${s#qdevice_}" ;;
	*) scenario "$KIND:$s" "q_$s" ;;
	esac
done
[ $failed -eq 0 ]
