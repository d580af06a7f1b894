#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# sbd.sh - the distribution's sbd, unmodified, diskless (no -d), on a
# 3-node cluster in network namespaces (see lib.sh).  This machine has no
# /dev/watchdog and no softdog, so sbd runs watchdog-less (-W -W) and in
# debug mode 2 (-Z -Z: a fence decision is logged, "SBD: DEBUG MODE: Would
# have fenced due to timeout!", not carried out).  Each sbd runs in a PID
# and mount namespace of its own (unshare -p -f --mount-proc): a reboot
# fallback would end only that namespace's processes, and the namespace has
# /proc/sysrq-trigger and /proc/sys/kernel/sysrq covered (where the kernel
# has them) so that no sysrq, nor sbd's change of the sysrq mask, reaches
# the host.  sbd logs only to syslog once detached: each namespace
# has a private /dev/log read by syslog_sink.py into the node's log.
# Without Pacemaker (-PP: no pcmk servant, SBD_SYNC_RESOURCE_STARTUP=no)
# sbd's only servant is the cluster watcher, which reads cmap
# (quorum.two_node, quorum.device.*) and joins the CPG group "sbd:cluster"
# through Pacemaker's cluster library.  Steps:
#   up        sbd on every node: the watcher connects ("Connected to
#             corosync (N members)"), the inquisitor finds it healthy and
#             detaches ("Active cluster detected"); corosync-cpgtool on
#             every node lists sbd:cluster with nodes 1 2 3
#   quorum    the cluster daemons of nodes 2 and 3 SIGKILLed: node 1 loses
#             quorum (corosync-quorumtool); sbd:cluster is node 1 alone and
#             the watcher stays healthy: without Pacemaker
#             (the pcmk servant, -P, which needs a running Pacemaker and its
#             CIB) diskless sbd does not act on quorum, so no fence
#             decision within twice the watchdog timeout
#   lost      node 1's cluster daemon SIGKILLed: the watcher reports "Cluster
#             connection terminated" and retries, the inquisitor stops
#             tickling and decides to self-fence after the watchdog timeout
#             (the debug-mode line above), timed
# The same steps and expectations on the distribution's corosync with the
# argument "corosync" (test cluster-sbd-corosync).
# Exit 1 if a step failed, 77 (skip) when not root or sbd is missing.
#
# usage: BUILD=builddir [SBD_KEEP=dir] sbd.sh [synod|corosync]
#   SBD_KEEP: a directory to copy sbd's logs to at the end
set -u
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
KIND=${1:-synod}
need="sbd corosync-cpgtool corosync-quorumtool unshare python3"
[ "$KIND" = corosync ] && need="$need corosync corosync-cmapctl"
for c in $need; do command -v "$c" >/dev/null || { echo "SKIP: no $c"; exit 77; }; done
BUILD=${BUILD:?set BUILD to the build directory}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/stack_lib.sh"
T=30             # bound of every wait, seconds
WATCHDOG_S=5     # sbd's watchdog timeout (SBD_WATCHDOG_TIMEOUT)
SBD_HOST=()      # per node: the unshare process holding sbd's namespaces
FENCE_LINE='SBD: DEBUG MODE: Would have fenced due to timeout!'

cleanup() {
	local i
	[ -n "${SBD_KEEP:-}" ] && mkdir -p "$SBD_KEEP" && cp "$CL_DIR"/sbd*.log "$SBD_KEEP"/
	# (unshare --kill-child: its SIGKILL takes the namespace's init, and so
	# every process in the namespace)
	for i in "${!SBD_HOST[@]}"; do
		kill -KILL "${SBD_HOST[$i]}" 2>/dev/null && st_wait_gone "${SBD_HOST[$i]}" 10
	done
	cl_cleanup
}
trap cleanup EXIT

fail() {
	local i
	echo "FAIL ($KIND): $*"
	for i in 1 2 3; do
		echo "--- sbd node$i"
		tail -25 "$CL_DIR/sbd$i.log" 2>/dev/null
	done
	cl_logs
	exit 1
}

# Inside sbd's new PID and mount namespace: no sysrq to the host, a
# private /run and /dev (keeping the host's /dev/shm, where the IPC's
# shared memory is), a syslog socket, then sbd; the namespace's init stays
# a sleep once sbd has detached.
# shellcheck disable=SC2016
SBD_HOST_SETUP='set -e
log=$1 sink=$2
shift 2
mount -t tmpfs none /run
if [ -e /proc/sysrq-trigger ]; then mount --bind /dev/null /proc/sysrq-trigger; fi
if [ -e /proc/sys/kernel/sysrq ]; then
	echo 0 >/run/sysrq
	mount --bind /run/sysrq /proc/sys/kernel/sysrq
fi
mkdir /run/hostdev
mount --rbind /dev /run/hostdev
mount -t tmpfs -o mode=0755 none /dev
for f in null zero full random urandom tty; do
	touch /dev/$f
	mount --bind /run/hostdev/$f /dev/$f
done
mkdir /dev/shm /dev/pts
mount --bind /run/hostdev/shm /dev/shm
mount --bind /run/hostdev/pts /dev/pts
python3 "$sink" /dev/log "$log" &
i=0
while [ ! -S /dev/log ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
"$@" || echo "sbd exited with status $?" >>"$log"
exec sleep 100000'

sbd_start() { # node
	local i=$1
	ip netns exec "$(cl_ns "$i")" unshare -p -f --mount-proc --kill-child \
		sh -c "$SBD_HOST_SETUP" sbd-host "$CL_DIR/sbd$i.log" "$HERE/syslog_sink.py" \
		env -u LD_LIBRARY_PATH SBD_SYNC_RESOURCE_STARTUP=no SBD_WATCHDOG_TIMEOUT=$WATCHDOG_S \
		sbd -W -W -PP -Z -Z -v -v -n "node$i" watch >>"$CL_DIR/sbd$i.out" 2>&1 &
	SBD_HOST[$i]=$!
}

# Wait until node i's sbd log has a line containing text (after line
# `from`); at most timeout seconds.
sbd_wait() { # node from text timeout
	st_wait_lines "$CL_DIR/sbd$1.log" "$2" "$(printf '%s' "$3" | sed 's/[][\.*^$()+?{}|]/\\&/g')" 1 "$4"
}

# The node ids corosync-cpgtool on node i lists in group sbd:cluster.
cpg_nodes() {
	st_on "$1" corosync-cpgtool -d , 2>/dev/null | awk -F, \
		'$1 == "sbd:cluster\\x00" { print $3 }' | sort -n | paste -sd ' '
}

# Quorate: Yes|No, as the distribution's corosync-quorumtool reads it on node i.
quorate() { st_on "$1" corosync-quorumtool -s 2>/dev/null | awk '$1 == "Quorate:" { print $2 }'; }


cl_setup 3 "  token: 1000"
for i in 1 2 3; do st_node_start "$i"; done
KIND=$KIND cl_wait_view "1 2 3" "$T" 1 2 3 >/dev/null || fail "no membership"

# up
for i in 1 2 3; do sbd_start "$i"; done
for i in 1 2 3; do
	for l in "Monitoring corosync cluster health" "Servant cluster is healthy" \
		"Active cluster detected"; do
		sbd_wait "$i" 0 "$l" "$T" || fail "up: node$i: no '$l'"
	done
	wait_out "1 2 3" "$T" cpg_nodes "$i" || fail "up: group sbd:cluster on node$i"
done
echo "PASS $KIND up: sbd on 3 nodes healthy, sbd:cluster = $(cpg_nodes 1)"

# quorum
from=$(st_lines "$CL_DIR/sbd1.log")
cl_stop 2 KILL
cl_stop 3 KILL
wait_out "1" "$T" cpg_nodes 1 || fail "quorum: group sbd:cluster on node1"
wait_out "No" "$T" quorate 1 || fail "quorum: node1 still quorate"
sleep $((2 * WATCHDOG_S))
if tail -n +"$((from + 1))" "$CL_DIR/sbd1.log" | grep -qF -e "$FENCE_LINE" -e UNHEALTHY; then
	fail "quorum: sbd without Pacemaker acted on quorum loss"
fi
kill -0 "${SBD_HOST[1]}" 2>/dev/null || fail "quorum: sbd's namespace on node1 ended"
echo "PASS $KIND quorum: node1 alone, sbd healthy (no pcmk servant: quorum is Pacemaker's)," \
	"no fence decision in $((2 * WATCHDOG_S)) s"

# lost
from=$(st_lines "$CL_DIR/sbd1.log")
start=$(date +%s%N)
cl_stop 1 KILL
sbd_wait 1 "$from" "Cluster connection terminated" "$T" || fail "lost: no 'Cluster connection terminated'"
sbd_wait 1 "$from" "$FENCE_LINE" "$T" || fail "lost: no fence decision"
ms=$((($(date +%s%N) - start) / 1000000))
[ $ms -ge $((WATCHDOG_S * 1000 - 1000)) ] || fail "lost: fence decision after $ms ms, before the watchdog timeout"
kill -0 "${SBD_HOST[1]}" 2>/dev/null || fail "lost: sbd's namespace on node1 ended (debug mode 2 must only log)"
echo "PASS $KIND lost: 'Cluster connection terminated', then '$FENCE_LINE' after $ms ms" \
	"(watchdog timeout ${WATCHDOG_S} s)"
