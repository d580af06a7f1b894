#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# dlm.sh - the distribution's dlm_controld, unmodified, on a 3-node cluster
# in network namespaces (see lib.sh), fencing off (--enable_fencing 0),
# debug log on stderr (-D 1).  This machine has no kernel dlm and no
# configfs (no /sys/kernel/config, no dlm misc devices, no loadable
# modules), so the script shows exactly how far the daemon gets:
#   refused   with the host as it is, dlm_controld reads its node id
#             (cfg) and the nodelist (cmap), then stops at its kernel
#             set-up: "No /sys/kernel/config, is configfs loaded?" — before
#             it joins any CPG group
#   kernel    the kernel side replaced by stand-ins, in a mount namespace
#             of each node's own: an empty directory tree where configfs
#             would be (dlm/cluster/{comms,spaces}) and, as the plock
#             device, an idle pty master (a /proc/misc listing dlm_plock
#             bound over the real one); every write to the kernel's dlm
#             configuration is then refused (ENOENT, logged) but the
#             daemon runs:
#   up        on every node: dlm_controld joins the CPG group
#             "dlm:controld" (corosync-cpgtool on every node lists the
#             three daemons' pids), agrees the daemon protocol with the
#             other nodes, reads quorum and cmap's cluster name, and
#             `dlm_tool status` answers: quorate, nodes 1 2 3 members
#   join      `dlm_tool join` of a lockspace is refused ("dlm_new_lockspace
#             ls1 error 0"): libdlm makes lockspaces through the kernel's
#             dlm-control device and finds none listed in /proc/misc
#   kill      node 3's cluster daemon SIGKILLed: on nodes 1 and 2 node 3 is
#             removed (status X, CPG group of 1 2), quorum kept; on node 3
#             dlm_controld sees its cluster daemon gone and exits
#   quorum    node 2's cluster daemon SIGKILLed too: node 1 not quorate
# The same steps and expectations on the distribution's corosync with the
# argument "corosync" (test cluster-dlm-corosync): the views match.
# Exit 1 if a step failed, 77 (skip) when not root or dlm_controld is missing.
#
# usage: BUILD=builddir dlm.sh [synod|corosync]
set -u
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
KIND=${1:-synod}
need="dlm_controld dlm_tool corosync-cpgtool nsenter unshare"
[ "$KIND" = corosync ] && need="$need corosync corosync-cmapctl"
for c in $need; do command -v "$c" >/dev/null || { echo "SKIP: no $c"; exit 77; }; done
BUILD=${BUILD:?set BUILD to the build directory}
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/stack_lib.sh"
T=30     # bound of every wait, seconds
DLM=()   # per node: pid of dlm_controld

cleanup() {
	local i
	for i in "${!DLM[@]}"; do
		kill "${DLM[$i]}" 2>/dev/null && st_wait_gone "${DLM[$i]}" 10
	done
	cl_cleanup
}
trap cleanup EXIT

fail() {
	local i
	echo "FAIL ($KIND): $*"
	for i in 1 2 3; do
		echo "--- dlm_controld node$i"
		tail -20 "$CL_DIR/dlm$i.log" 2>/dev/null
	done
	cl_logs
	exit 1
}

# The kernel's side as stand-ins, in a new mount namespace, then the
# daemon: configfs as a plain directory tree, /proc/misc naming a plock
# device whose node is a pty master (char 5:2, which finds its devpts
# through the pts directory beside it) in a private /dev that keeps the
# host's /dev/shm (the IPC's shared memory).
# shellcheck disable=SC2016
STANDIN='set -e
mount -t tmpfs none /run
mount -t tmpfs none /sys/kernel
mkdir -p /sys/kernel/config/dlm/cluster/comms /sys/kernel/config/dlm/cluster/spaces
echo "2 dlm_plock" >/run/misc
mount --bind /run/misc /proc/misc
mkdir /run/hostdev
mount --rbind /dev /run/hostdev
mount -t tmpfs -o mode=0755 none /dev
for f in null zero full random urandom tty ptmx; do
	touch /dev/$f
	mount --bind /run/hostdev/$f /dev/$f
done
mkdir /dev/shm /dev/pts /dev/misc /dev/misc/pts
mount --bind /run/hostdev/shm /dev/shm
mount --bind /run/hostdev/pts /dev/pts
mount --bind /run/hostdev/pts /dev/misc/pts
mknod /dev/misc/dlm_plock c 5 2
exec "$@"'

dlm_start() { # node standin|host
	local i=$1 pre='mount -t tmpfs none /run && exec "$@"'
	[ "$2" = standin ] && pre=$STANDIN
	# (ip, unshare and sh exec in turn: the pid is dlm_controld's)
	ip netns exec "$(cl_ns "$i")" unshare -m sh -c "$pre" dlm \
		env -u LD_LIBRARY_PATH dlm_controld -D 1 --enable_fencing 0 >>"$CL_DIR/dlm$i.log" 2>&1 &
	DLM[$i]=$!
}

# dlm_tool in node i's namespaces (its query socket is dlm_controld's).
dlm_tool_on() { local i=$1; shift; nsenter -t "${DLM[$i]}" -n -m -- dlm_tool "$@"; }

# dlm_tool status of node i, reduced to what must match across daemons:
# "quorate Q nodes 1:M 2:M 3:X" (ring numbers and times left out).
dlm_view() {
	dlm_tool_on "$1" status 2>/dev/null | awk '
		$1 == "cluster" && $2 == "nodeid" { q = "quorate " $5 }
		$1 == "node" { n = n " " $2 ":" $3 }
		END { print q " nodes" n }'
}

# The pids corosync-cpgtool on node i lists in group dlm:controld, by
# node: "1:pid 2:pid 3:pid".
cpg_view() {
	st_on "$1" corosync-cpgtool -d , 2>/dev/null | awk -F, \
		'$1 == "dlm:controld\\x00" { print $3 ":" $2 }' | sort -n | paste -sd ' '
}


has_line() { grep -qF -- "$2" "$CL_DIR/dlm$1.log" || fail "node$1: no '$2' in dlm_controld's log"; }

cl_setup 3 "  token: 1000"
for i in 1 2 3; do st_node_start "$i"; done
KIND=$KIND cl_wait_view "1 2 3" "$T" 1 2 3 >/dev/null || fail "no membership"

# refused
dlm_start 1 host
st_wait_gone "${DLM[1]}" "$T" || fail "refused: dlm_controld still runs without configfs"
wait "${DLM[1]}"
rc=$?
DLM[1]=""
for l in "our_nodeid 1" "node_config 1" "node_config 2" "node_config 3" \
	"No /sys/kernel/config, is configfs loaded?"; do has_line 1 "$l"; done
grep -q 'cpg_join' "$CL_DIR/dlm1.log" && fail "refused: joined a CPG group without configfs"
echo "PASS $KIND refused: dlm_controld exit $rc: $(grep -o 'No /sys/kernel/config.*' "$CL_DIR/dlm1.log")"
mv "$CL_DIR/dlm1.log" "$CL_DIR/dlm1-host.log"

# up
start=$(date +%s%N)
for i in 1 2 3; do dlm_start "$i" standin; done
for i in 1 2 3; do
	wait_out "quorate 1 nodes 1:M 2:M 3:M" "$T" dlm_view "$i" || fail "up: dlm_tool status on node$i"
done
want="1:${DLM[1]} 2:${DLM[2]} 3:${DLM[3]}"
for i in 1 2 3; do
	wait_out "$want" "$T" cpg_view "$i" || fail "up: group dlm:controld on node$i"
	has_line "$i" "cmap totem.cluster_name = 'synodtest'"
	has_line "$i" "daemon run 3.1.1 max 3.1.1"
	has_line "$i" "cluster quorum 1 seq"
done
[ -z "$(dlm_tool_on 1 ls 2>&1)" ] || fail "up: dlm_tool ls lists lockspaces: $(dlm_tool_on 1 ls 2>&1)"
echo "PASS $KIND up: dlm:controld = $want, dlm_tool status $(dlm_view 1)" \
	"on every node, in $((($(date +%s%N) - start) / 1000000)) ms"

# join
out=$(dlm_tool_on 1 join ls1 2>&1)
rc=$?
[ $rc -ne 0 ] || fail "join: dlm_tool join ls1 succeeded without a kernel dlm"
echo "$out" | grep -q 'dlm_new_lockspace ls1 error' || fail "join: '$out'"
echo "PASS $KIND join: refused (exit $rc): $(echo "$out" | tail -1)"

# kill
start=$(date +%s%N)
cl_stop 3 KILL
for i in 1 2; do
	wait_out "quorate 1 nodes 1:M 2:M 3:X" "$T" dlm_view "$i" || fail "kill: dlm_tool status on node$i"
	wait_out "1:${DLM[1]} 2:${DLM[2]}" "$T" cpg_view "$i" || fail "kill: group on node$i"
	has_line "$i" "cluster node 3 removed"
done
st_wait_gone "${DLM[3]}" "$T" || fail "kill: dlm_controld on node3 still runs without its cluster daemon"
DLM[3]=""
echo "PASS $KIND kill: node 3 removed on 1 and 2 in $((($(date +%s%N) - start) / 1000000)) ms," \
	"dlm_controld on node 3 exited"

# quorum
cl_stop 2 KILL
wait_out "quorate 0 nodes 1:M 2:X 3:X" "$T" dlm_view 1 || fail "quorum: dlm_tool status on node1"
has_line 1 "cluster quorum 0 seq"
echo "PASS $KIND quorum: node 1 $(dlm_view 1)"
