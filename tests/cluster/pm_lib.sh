# SPDX-License-Identifier: BSD-3-Clause
# pm_lib.sh - hosts for Pacemaker on top of lib.sh: each of the CL_N
# nodes is a host of its own, a network namespace (lib.sh) plus a PID
# namespace and a mount namespace with a private /run (/run/crm,
# /run/resource-agents), /dev/shm, /var/lib/pacemaker, /var/log/pacemaker
# and /var/lib/corosync.  The cluster daemon (synod, or the distribution's
# corosync with KIND=corosync) and pacemakerd run in the same namespaces,
# as on a real host (Pacemaker compares the CPG member pid with its own).
# Also: crm_mon's view parsed into facts, the resources each host really
# runs (the Dummy agents' state files in its private /run), bounded waits,
# and the node steps both Pacemaker scripts take: cfg shutdown refused,
# cluster daemon SIGKILLed and restarted, graceful leave, boot.
#
# Every wait is bounded; only processes started here are killed, by PID
# (or all at once with their host, whose PID namespace dies with it).
# Source it after lib.sh, with BUILD and KIND (synod | corosync) set.
# PM_IPC_BUFFER, when set, is Pacemaker's IPC buffer size (bytes) for the
# daemons and every command run on a node (large CIB updates need it).

PM_HOST=() # per node: the unshare process holding its namespaces
PM_INIT=() # per node: host pid of its PID namespace's init
PM_PCMK=() # per node: host pid of its pacemakerd

pm_nodes() { seq 1 "$CL_N"; }

fail() {
	local i
	echo "FAIL ($KIND): $*"
	for i in $(pm_nodes); do
		echo "--- node$i pacemaker.log"
		tail -25 "$CL_DIR/node$i.d/log/pacemaker.log" 2>/dev/null
	done
	cl_logs
	pm_cleanup
	exit 1
}

ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

# A host for node i: private mounts in a new mount and PID namespace inside
# the node's network namespace; its init (pid 1) is a sleep, killed with
# everything in the namespace when the unshare process holding it dies.
pm_host_start() {
	local i=$1 d=$CL_DIR/node$1.d c
	mkdir -p "$d/log"
	chown hacluster:haclient "$d/log"
	ip netns exec "$(cl_ns "$i")" unshare --pid --mount-proc --kill-child --propagation private \
		sh -c "set -e
			mount -t tmpfs -o mode=0755 none /run
			mkdir -p /run/crm /run/resource-agents
			chown hacluster:haclient /run/crm
			mount -t tmpfs -o mode=1777 none /dev/shm
			mount -t tmpfs -o mode=0755 none /var/lib/pacemaker
			for s in cib pengine blackbox cores; do
				mkdir /var/lib/pacemaker/\$s
				chown hacluster:haclient /var/lib/pacemaker/\$s
				chmod 0750 /var/lib/pacemaker/\$s
			done
			mount --bind $d/log /var/log/pacemaker
			mount -t tmpfs none /var/lib/corosync
			exec sleep 100000" >>"$d/host.log" 2>&1 &
	PM_HOST[$i]=$!
	disown $! # (its SIGKILL at the end is not news)
	for _ in $(seq 1 100); do
		c=$(cat "/proc/$!/task/$!/children" 2>/dev/null)
		if [ -n "$c" ] && [ "$(cat "/proc/${c%% *}/comm" 2>/dev/null)" = sleep ]; then
			PM_INIT[$i]=${c%% *}
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# The environment of everything run on a node: the distribution's
# libraries, not the build's.
pm_env() {
	echo -u LD_LIBRARY_PATH
	[ -n "${PM_IPC_BUFFER:-}" ] && echo "PCMK_ipc_buffer=$PM_IPC_BUFFER"
}

# Run a command on node i.
in_node() {
	local i=$1
	shift
	# shellcheck disable=SC2046
	nsenter -t "${PM_INIT[$i]}" -n -m -p -- env $(pm_env) "$@"
}

# lib.sh's view check, inside the node's namespaces (the IPC's shared
# memory is in the node's private /dev/shm).
cl_members() { in_node "$1" "$BUILD/tools/synod-cmapctl" -q -g runtime.totem.members 2>/dev/null; }

# Start a command on node i in the background; SPAWNED = its host pid.
# That is the child of nsenter running the command (its name matches): the
# job's first child may be the subshell expanding $(pm_env), gone at once.
pm_spawn() { # node log [VAR=value...] command...
	local i=$1 log=$2 np c want a
	shift 2
	for a in "$@"; do
		case "$a" in *=*) ;; *) want=${a##*/}; break ;; esac
	done
	want=${want:0:15}
	# shellcheck disable=SC2046
	nsenter -t "${PM_INIT[$i]}" -n -m -p -- env $(pm_env) "$@" >>"$log" 2>&1 &
	np=$!
	disown $np # (its end, or a SIGKILL of the command, is not news)
	for _ in $(seq 1 250); do
		for c in $(cat "/proc/$np/task/$np/children" 2>/dev/null); do
			[ "$(cat "/proc/$c/comm" 2>/dev/null)" = "$want" ] && { SPAWNED=$c; return 0; }
		done
		sleep 0.02
	done
	return 1
}

node_start() {
	local i=$1
	if [ "$KIND" = synod ]; then
		pm_spawn "$i" "$CL_DIR/node$i.log" "$BUILD/daemon/synod" -f -c "$CL_DIR/synod.conf"
	else
		pm_spawn "$i" "$CL_DIR/node$i.log" corosync -f -c "$CL_DIR/synod.conf"
	fi || return 1
	CL_PID[$i]=$SPAWNED
}

pcmk_start() {
	pm_spawn "$1" "$CL_DIR/node$1.d/pacemakerd.out" \
		PCMK_logfile=/var/log/pacemaker/pacemaker.log pacemakerd || return 1
	PM_PCMK[$1]=$SPAWNED
}

# The host pid of Pacemaker daemon name (e.g. pacemaker-controld) on node
# i: the process of that name in the node's PID namespace.
pm_daemon_pid() { # node name
	local p ns
	ns=$(readlink "/proc/${PM_INIT[$1]}/ns/pid") || return 1
	for p in $(pgrep -x "${2:0:15}"); do
		[ "$(readlink "/proc/$p/ns/pid" 2>/dev/null)" = "$ns" ] && { echo "$p"; return 0; }
	done
}

# Wait until pid is gone; at most timeout seconds.
wait_gone() { # pid timeout
	local end=$(($(date +%s) + $2))
	while kill -0 "$1" 2>/dev/null; do
		[ "$(date +%s)" -ge $end ] && return 1
		sleep 0.1
	done
}

pm_cleanup() {
	local i
	trap - EXIT
	# PM_KEEP=dir keeps the daemons' and Pacemaker's logs
	[ -n "${PM_KEEP:-}" ] && mkdir -p "$PM_KEEP" && cp -r "$CL_DIR"/node* "$PM_KEEP"/
	# (unshare blocks SIGTERM while it waits for its child; its SIGKILL
	# takes the child, the namespace's init, and so everything in it)
	for i in "${!PM_HOST[@]}"; do kill -KILL "${PM_HOST[$i]}" 2>/dev/null; done
	for i in "${!PM_INIT[@]}"; do wait_gone "${PM_INIT[$i]}" 10; done
	for i in "${!CL_PID[@]}"; do wait_gone "${CL_PID[$i]}" 5 && CL_PID[$i]=; done
	cl_cleanup
}

# crm_mon's view from node i, one fact a line:
#   online <names>     dc <name> <with_quorum>     rsc <id> <nodes running it>
PM_PARSE='
import sys, xml.etree.ElementTree as ET
t = ET.parse(sys.stdin).getroot()
print("online", " ".join(sorted(n.get("name") for n in t.find("nodes")
                                if n.get("online") == "true")))
dc = t.find("summary/current_dc")
if dc is not None and dc.get("present") == "true":
    print("dc", dc.get("name"), dc.get("with_quorum"))
rsc = {}
for r in t.iter("resource"):
    if r.get("active") == "true" and r.get("role") == "Started":
        rsc.setdefault(r.get("id"), []).extend(n.get("name") for n in r.findall("node"))
for k in sorted(rsc):
    print("rsc", k, " ".join(sorted(rsc[k])))
'
pm_state() {
	in_node "$1" crm_mon -1 --output-as=xml 2>/dev/null | python3 -c "$PM_PARSE" 2>/dev/null
}
pm_fact() { pm_state "$1" | awk -v k="$2" -v id="${3:-}" \
	'$1 == k && (id == "" || $2 == id) { $1 = ""; if (id != "") $2 = ""; sub(/^ +/, ""); print }'; }

# "node1 node2 ..." for the given node numbers.
pm_names() { printf 'node%s\n' "$@" | sort | paste -sd ' '; }

# The number of distinct DCs the given nodes (default: all) report, 1 when
# they agree.
dc_count() {
	local i
	for i in ${*:-$(pm_nodes)}; do pm_fact "$i" dc; done | sort -u | grep -c .
}

# What the hosts really run, read from the Dummy agents' state files in
# each host's private /run (a clone's instances share the clone's name):
# "id:nodeN" pairs, sorted, space-separated.
pm_running() {
	local i f
	for i in $(pm_nodes); do
		for f in "/proc/${PM_INIT[$i]}/root/run"/Dummy-*.state; do
			[ -e "$f" ] || continue
			f=${f##*/Dummy-}
			echo "${f%.state}:node$i"
		done
	done | sort | paste -sd ' '
}

# The nodes whose host runs resource id (from pm_running), "node1 node3".
pm_runs_on() { # id
	pm_running | tr ' ' '\n' | awk -F: -v id="$1" '$1 == id { print $2 }' | paste -sd ' '
}


primitive() { echo "<primitive id=\"$1\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">
  <operations><op id=\"$1-mon\" name=\"monitor\" interval=\"10s\"/></operations></primitive>"; }

cl_wait_view_kind() { # nodes...
	if [ "$KIND" = synod ]; then
		cl_wait_view "$*" "$T" "$@" >/dev/null
	else
		sleep 3 # corosync: the Pacemaker waits that follow are the check
	fi
}

# Node life cycle steps shared by pacemaker.sh and pacemaker5.sh.  Each
# takes the node it acts on and the node whose crm_mon observes it (a
# node that stays up, usually the DC); the outcome checks on resources are
# the callers'.  They fail the test (fail) when a bounded wait runs out.

# corosync-cfgtool -H on node n while Pacemaker runs there: pacemakerd
# votes no through the cfg shutdown tracking, so the daemon stays up and
# obs still sees every one of names online.  Sets REFUSE_OUT: the tool's
# exit status and output.
pm_refuse() { # n obs names
	local out rc
	out=$(in_node "$1" corosync-cfgtool -H 2>&1)
	rc=$?
	sleep 2
	kill -0 "${CL_PID[$1]}" 2>/dev/null || fail "cfgtool -H stopped $KIND on node$1: $out"
	wait_out "$3" 10 pm_fact "$2" online || fail "node$1 left after a refused -H"
	REFUSE_OUT="exit $rc, '$(echo "$out" | paste -sd '|')'"
}

# SIGKILL of the cluster daemon on node n, Pacemaker there left running;
# obs sees only names (the others) online.  Sets T_DOWN: ms from the
# signal to node n offline for obs.
pm_daemon_kill() { # n obs names
	local start
	start=$(date +%s%N)
	kill -KILL "${CL_PID[$1]}"
	wait_gone "${CL_PID[$1]}" 10 || fail "$KIND on node$1 survived SIGKILL"
	wait_out "$3" "$T" pm_fact "$2" online || fail "node$1 still online for node$2"
	T_DOWN=$(ms_since "$start")
}

# The cluster daemon started again on node n whose pacemakerd still runs:
# pacemakerd reconnects and respawns its subdaemons, and obs sees every
# one of names online.  Sets T_UPAGAIN: ms to node n online for obs.
pm_daemon_rejoin() { # n obs names
	local start
	start=$(date +%s%N)
	node_start "$1" || fail "restart $KIND on node$1"
	wait_out "$3" "$T" pm_fact "$2" online || fail "node$1 not back online for node$2"
	T_UPAGAIN=$(ms_since "$start")
}

# Node n leaves gracefully: pacemakerd stopped with SIGTERM (it stops
# the node's resources and subdaemons first), then obs sees only names
# online; the cluster daemon, no longer vetoed, stops on
# corosync-cfgtool -H.  Sets T_LEAVE: ms to pacemakerd gone.
pm_leave() { # n obs names
	local start
	kill -0 "${PM_PCMK[$1]}" 2>/dev/null || fail "pacemakerd on node$1 is not running"
	start=$(date +%s%N)
	kill -TERM "${PM_PCMK[$1]}"
	wait_gone "${PM_PCMK[$1]}" "$T" || fail "pacemakerd on node$1 did not stop"
	T_LEAVE=$(ms_since "$start")
	wait_out "$3" 10 pm_fact "$2" online || fail "node$1 still online for node$2"
	pm_cfg_stop "$1"
}

# corosync-cfgtool -H (with --force: despite a veto) on node n stops the
# cluster daemon there.
pm_cfg_stop() { # n [--force]
	local out
	out=$(in_node "$1" corosync-cfgtool -H ${2:+"$2"} 2>&1)
	wait_gone "${CL_PID[$1]}" 10 || fail "cfgtool -H ${2:-} did not stop $KIND on node$1: $out"
}

# Node n boots again: the cluster daemon, then Pacemaker; obs sees every
# one of names online.  Sets T_BOOT: ms to node n online for obs.
pm_boot() { # n obs names
	local start
	start=$(date +%s%N)
	node_start "$1" || fail "restart $KIND on node$1"
	pcmk_start "$1" || fail "restart pacemakerd on node$1"
	wait_out "$3" "$T" pm_fact "$2" online || fail "node$1 not back online for node$2"
	T_BOOT=$(ms_since "$start")
}
