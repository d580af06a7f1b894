#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# sbd_pacemaker.sh - the distribution's sbd with its Pacemaker servant (-P)
# on a 3-node cluster running the distribution's Pacemaker, diskless,
# watchdog-less (-W -W) and in debug mode 2 (-Z -Z: a fence decision is
# logged, "SBD: DEBUG MODE: Would have fenced due to timeout!", not carried
# out).  Each node is a host of its own as in pacemaker.sh: network, PID
# and mount namespaces with a private /run, /dev (a fresh /dev/shm and a
# /dev/log read by syslog_sink.py), /var/lib/pacemaker, /var/log/pacemaker
# and /var/lib/corosync; /proc/sysrq-trigger and /proc/sys/kernel/sysrq are
# covered where the kernel has them, so a reboot fallback or sysrq ends
# only that namespace.  The cluster daemon, pacemakerd and sbd all run in
# the node's namespaces.  Steps:
#   up        every node online in crm_mon with one DC (stonith-enabled
#             false, no-quorum-policy stop); sbd on every node: both its
#             servants (pcmk: the CIB and node state; cluster: CPG and cmap)
#             healthy, "Active cluster detected"; corosync-cpgtool lists
#             sbd:cluster on nodes 1 2 3
#   split     node 1 cut off: it loses quorum, its pcmk servant reports
#             "Quorum lost: Stop ALL resources" and stops vouching for the
#             node, so sbd decides to self-fence within the watchdog
#             timeout (the line above, timed); nodes 2 and 3 keep quorum
#             and their sbd makes no fence decision
# The same steps on the distribution's corosync with the argument
# "corosync" (test cluster-sbd-pacemaker-corosync).
# Exit 1 if a step failed, 77 (skip) when not root or sbd or Pacemaker is
# not installed.
#
# usage: BUILD=builddir [SBD_KEEP=dir] sbd_pacemaker.sh [synod|corosync]
#   SBD_KEEP: a directory to copy the nodes' logs (sbd, Pacemaker) to at the end
set -u
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
KIND=${1:-synod}
need="sbd pacemakerd crm_mon crm_attribute corosync-cpgtool corosync-quorumtool nsenter unshare python3"
[ "$KIND" = corosync ] && need="$need corosync"
for c in $need; do command -v "$c" >/dev/null || { echo "SKIP: no $c"; exit 77; }; done
id hacluster >/dev/null 2>&1 || { echo "SKIP: no hacluster user"; exit 77; }
BUILD=${BUILD:?set BUILD to the build directory}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/stack_lib.sh"
T=60             # bound of every wait, seconds
WATCHDOG_S=5     # sbd's watchdog timeout (SBD_WATCHDOG_TIMEOUT)
HOST=()          # per node: the unshare process holding its namespaces
INIT=()          # per node: host pid of its PID namespace's init
FENCE_LINE='SBD: DEBUG MODE: Would have fenced due to timeout!'

cleanup() {
	local i
	trap - EXIT
	[ -n "${SBD_KEEP:-}" ] && mkdir -p "$SBD_KEEP" && cp -r "$CL_DIR"/node* "$SBD_KEEP"/
	# (unshare --kill-child: its SIGKILL takes the namespace's init, and so
	# every process in the namespace)
	for i in "${!HOST[@]}"; do kill -KILL "${HOST[$i]}" 2>/dev/null; done
	for i in "${!INIT[@]}"; do st_wait_gone "${INIT[$i]}" 10; done
	for i in "${!CL_PID[@]}"; do st_wait_gone "${CL_PID[$i]}" 5 && CL_PID[$i]=; done
	cl_cleanup
}
trap cleanup EXIT

fail() {
	local i
	echo "FAIL ($KIND): $*"
	for i in 1 2 3; do
		echo "--- node$i sbd"
		grep -v -e 'debug:' -e Latency "$CL_DIR/node$i.d/syslog.log" 2>/dev/null | tail -15
		echo "--- node$i pacemaker.log"
		tail -10 "$CL_DIR/node$i.d/log/pacemaker.log" 2>/dev/null
	done
	cl_logs
	exit 1
}

# A host for node i: new PID and mount namespaces in its network namespace,
# the mounts above, a syslog socket; its init is a sleep.
# shellcheck disable=SC2016
HOST_SETUP='set -e
d=$1 sink=$2
mount -t tmpfs -o mode=0755 none /run
mkdir -p /run/crm /run/resource-agents /run/hostdev
chown hacluster:haclient /run/crm
if [ -e /proc/sysrq-trigger ]; then mount --bind /dev/null /proc/sysrq-trigger; fi
if [ -e /proc/sys/kernel/sysrq ]; then
	echo 0 >/run/sysrq
	mount --bind /run/sysrq /proc/sys/kernel/sysrq
fi
mount --rbind /dev /run/hostdev
mount -t tmpfs -o mode=0755 none /dev
for f in null zero full random urandom tty; do
	touch /dev/$f
	mount --bind /run/hostdev/$f /dev/$f
done
mkdir /dev/shm /dev/pts
mount -t tmpfs -o mode=1777 none /dev/shm
mount --bind /run/hostdev/pts /dev/pts
mount -t tmpfs -o mode=0755 none /var/lib/pacemaker
for s in cib pengine blackbox cores; do
	mkdir /var/lib/pacemaker/$s
	chown hacluster:haclient /var/lib/pacemaker/$s
	chmod 0750 /var/lib/pacemaker/$s
done
mount --bind "$d/log" /var/log/pacemaker
mount -t tmpfs none /var/lib/corosync
python3 "$sink" /dev/log "$d/syslog.log" &
exec sleep 100000'

host_start() { # node
	local i=$1 d=$CL_DIR/node$1.d c
	mkdir -p "$d/log"
	chown hacluster:haclient "$d/log"
	ip netns exec "$(cl_ns "$i")" unshare --pid --mount-proc --kill-child --propagation private \
		sh -c "$HOST_SETUP" host "$d" "$HERE/syslog_sink.py" >>"$d/host.log" 2>&1 &
	HOST[$i]=$!
	disown $! # (its SIGKILL at the end is not news)
	for _ in $(seq 1 100); do
		c=$(cat "/proc/$!/task/$!/children" 2>/dev/null)
		if [ -n "$c" ] && [ "$(cat "/proc/${c%% *}/comm" 2>/dev/null)" = sleep ]; then
			INIT[$i]=${c%% *}
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# Run a command on node i (the distribution's libraries, not the build's).
in_node() {
	local i=$1
	shift
	nsenter -t "${INIT[$i]}" -n -m -p -- env -u LD_LIBRARY_PATH "$@"
}

# Start a command on node i in the background; LAUNCHED = the host pid of
# the nsenter that runs it.  For a daemon that detaches (sbd) that is all
# the caller needs: the end of the namespace's init takes it.
launch() { # node log command...
	local i=$1 log=$2
	shift 2
	nsenter -t "${INIT[$i]}" -n -m -p -- env -u LD_LIBRARY_PATH "$@" >>"$log" 2>&1 &
	LAUNCHED=$!
	disown $LAUNCHED
}

# launch, then SPAWNED = the command's own host pid (nsenter's child).  Not
# for a daemon that detaches: once its parent has exited there is no child
# left to find.
spawn() { # node log command...
	local c
	launch "$@"
	for _ in $(seq 1 100); do
		c=$(cat "/proc/$LAUNCHED/task/$LAUNCHED/children" 2>/dev/null)
		[ -n "$c" ] && { SPAWNED=${c%% *}; return 0; }
		sleep 0.02
	done
	return 1
}

# lib.sh's member list, inside the node's namespaces (its IPC's shared
# memory is in the node's private /dev/shm).
cl_members() {
	if [ "$KIND" = synod ]; then
		in_node "$1" "$BUILD/tools/synod-cmapctl" -q -g runtime.totem.members 2>/dev/null
		return
	fi
	in_node "$1" corosync-cmapctl -b runtime.members 2>/dev/null |
		awk '$2 == "(str)" && $4 == "joined" { split($1, k, "."); print k[3] }' |
		sort -n | paste -sd ' '
}

node_start() {
	local i=$1
	if [ "$KIND" = synod ]; then
		spawn "$i" "$CL_DIR/node$i.log" "$BUILD/daemon/synod" -f -c "$CL_DIR/synod.conf"
	else
		spawn "$i" "$CL_DIR/node$i.log" corosync -f -c "$CL_DIR/synod.conf"
	fi || return 1
	CL_PID[$i]=$SPAWNED
}

# crm_mon's view from node i: "online <names> dc <name>".
pm_view() {
	in_node "$1" crm_mon -1 --output-as=xml 2>/dev/null | python3 -c '
import sys, xml.etree.ElementTree as ET
t = ET.parse(sys.stdin).getroot()
on = sorted(n.get("name") for n in t.find("nodes") if n.get("online") == "true")
dc = t.find("summary/current_dc")
print("online", " ".join(on), "dc", dc.get("name") if dc is not None and dc.get("present") == "true" else "-")
' 2>/dev/null
}
pm_online() { pm_view "$1" | sed 's/ dc .*//'; }
pm_has_dc() { pm_view "$1" | awk '{ print ($NF != "-") }'; }

# The node ids corosync-cpgtool on node i lists in group sbd:cluster.
cpg_nodes() {
	in_node "$1" corosync-cpgtool -d , 2>/dev/null | awk -F, \
		'$1 == "sbd:cluster\\x00" { print $3 }' | sort -n | paste -sd ' '
}

# Quorate: Yes|No, as the distribution's corosync-quorumtool reads it on node i.
quorate() { in_node "$1" corosync-quorumtool -s 2>/dev/null | awk '$1 == "Quorate:" { print $2 }'; }


sbd_log() { echo "$CL_DIR/node$1.d/syslog.log"; } # (sbd and Pacemaker log there)
# Wait until node i's sbd log has a line containing text after line `from`.
sbd_wait() { # node from text timeout
	st_wait_lines "$(sbd_log "$1")" "$2" "$(printf '%s' "$3" | sed 's/[][\.*^$()+?{}|]/\\&/g')" 1 "$4"
}

cl_setup 3 "  token: 1000"
start=$(date +%s%N)
for i in 1 2 3; do host_start "$i" || fail "host node$i"; done
for i in 1 2 3; do node_start "$i" || fail "start $KIND on node$i"; done
cl_wait_view "1 2 3" "$T" 1 2 3 >/dev/null || fail "no membership"
for i in 1 2 3; do
	spawn "$i" "$CL_DIR/node$i.d/pacemakerd.out" PCMK_logfile=/var/log/pacemaker/pacemaker.log \
		pacemakerd || fail "start pacemakerd on node$i"
done
for i in 1 2 3; do
	wait_out "online node1 node2 node3" "$T" pm_online "$i" || fail "up: node$i: not all online"
done
wait_out 1 "$T" pm_has_dc 1 || fail "up: no DC"
in_node 1 crm_attribute -t crm_config -n stonith-enabled -v false >/dev/null || fail "stonith-enabled"

# up
for i in 1 2 3; do
	launch "$i" "$CL_DIR/node$i.d/sbd.out" SBD_SYNC_RESOURCE_STARTUP=no \
		SBD_WATCHDOG_TIMEOUT=$WATCHDOG_S sbd -W -W -P -Z -Z -v -v -n "node$i" watch
done
for i in 1 2 3; do
	for l in "Servant pcmk is healthy" "Servant cluster is healthy" "Active cluster detected"; do
		sbd_wait "$i" 0 "$l" "$T" || fail "up: node$i: no '$l'"
	done
	wait_out "1 2 3" "$T" cpg_nodes "$i" || fail "up: group sbd:cluster on node$i"
done
echo "PASS $KIND up: Pacemaker on 3 nodes with a DC, sbd's pcmk and cluster servants healthy" \
	"everywhere, sbd:cluster = $(cpg_nodes 1), in $((($(date +%s%N) - start) / 1000000)) ms"

# split
for i in 1 2 3; do from[i]=$(st_lines "$(sbd_log "$i")"); done
start=$(date +%s%N)
cl_link 1 down
wait_out "No" "$T" quorate 1 || fail "split: node1 still quorate"
sbd_wait 1 "${from[1]}" "Quorum lost: Stop ALL resources" "$T" || fail "split: node1: no quorum loss in sbd"
sbd_wait 1 "${from[1]}" "$FENCE_LINE" "$T" || fail "split: node1: no fence decision"
ms=$((($(date +%s%N) - start) / 1000000))
for i in 2 3; do
	[ "$(quorate "$i")" = Yes ] || fail "split: node$i not quorate"
done
sleep "$WATCHDOG_S"
for i in 2 3; do
	if tail -n +"$((from[i] + 1))" "$(sbd_log "$i")" | grep -qF "$FENCE_LINE"; then
		fail "split: node$i (quorate) decided to fence"
	fi
done
echo "PASS $KIND split: node1 without quorum: 'Quorum lost: Stop ALL resources'," \
	"fence decision after $ms ms; nodes 2 and 3 quorate, no fence decision"
