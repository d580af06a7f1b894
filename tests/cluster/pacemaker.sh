#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# pacemaker.sh - the distribution's Pacemaker, unmodified, on a 3-node
# cluster in network namespaces (see lib.sh).  Each node is a host of its
# own: a network namespace, a PID namespace and a mount namespace with a
# private /run (/run/crm, /run/resource-agents), /dev/shm,
# /var/lib/pacemaker, /var/log/pacemaker and /var/lib/corosync.  The
# cluster daemon and pacemakerd run in the same namespaces, as on a real
# host (Pacemaker compares the CPG member pid with its own).  Steps, one
# cluster:
#   up        every node online in crm_mon, one DC (O) seen alike everywhere;
#             crm_node -l / -q / -n answer as on corosync; corosync-cpgtool
#             lists Pacemaker's four groups with the daemons' pids
#   resources ocf:pacemaker:Dummy d1 (prefers node R, not the DC), d2 (colocated with
#             d1), d3 (banned from R), a clone c1 on every node:
#             placed as the policy says and still there a while later
#   refuse    corosync-cfgtool -H while Pacemaker runs: refused (pacemakerd
#             votes no through the cfg shutdown tracking), daemon still up
#   kill      the cluster daemon on R SIGKILLed: d1 and d2 run together
#             on another node (timed)
#   rejoin    the daemon restarted on R: pacemakerd there (still running)
#             reconnects, R is online again and d1, d2 move back (timed)
#   split     L cut off and healed: L without quorum, d3 on O; healed,
#             one DC and the clone everywhere again (timed)
#   leave     pacemakerd on the third node L stopped with SIGTERM: L offline, its
#             resources moved (timed); corosync-cfgtool -H stops the daemon
#             there; both restarted, L back (timed); corosync-cfgtool -H
#             --force stops the daemon despite pacemakerd's veto (timed)
#   fenced    R confirmed fenced (stonith_admin --confirm) from O: R's
#             controller exits fatally, pacemakerd stops and its cfg
#             try-shutdown IMMEDIATE stops the daemon on R (timed)
#   term      SIGTERM to the daemon on O while Pacemaker runs: it stops
# The same steps run on the distribution's corosync with the argument
# "corosync" (test cluster-pacemaker-corosync), for reference timings.
# The node steps (refuse, kill, rejoin, leave) are pm_lib.sh's, shared
# with pacemaker5.sh; the resource checks around them are this script's.
# Exit 1 if a step failed, 77 (skip) when not root or Pacemaker is not
# installed.
#
# usage: BUILD=builddir [PM_TOTEM='  token: 3000'] pacemaker.sh [synod|corosync]
#   PM_TOTEM: extra lines for the totem section of both daemons' configuration
set -u
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
for p in pacemakerd crm_mon crm_node cibadmin corosync-cfgtool nsenter; do
	command -v "$p" >/dev/null || { echo "SKIP: no $p"; exit 77; }
done
[ -x /usr/lib/ocf/resource.d/pacemaker/Dummy ] || { echo "SKIP: no ocf:pacemaker:Dummy"; exit 77; }
id hacluster >/dev/null 2>&1 || { echo "SKIP: no hacluster user"; exit 77; }
BUILD=${BUILD:?set BUILD to the build directory}
KIND=${1:-synod}
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pm_lib.sh"
CL_ID=$(printf 'p%x' $((RANDOM * 32768 + RANDOM)))
CL_HUB="syn-${CL_ID}-hub"
T=${PM_TIMEOUT:-60}

step_up() {
	local i start dc
	start=$(date +%s%N)
	for i in 1 2 3; do node_start "$i" || fail "start $KIND on node$i"; done
	cl_wait_view_kind 1 2 3 || fail "no membership"
	for i in 1 2 3; do pcmk_start "$i" || fail "start pacemakerd on node$i"; done
	for i in 1 2 3; do
		wait_out "node1 node2 node3" "$T" pm_fact "$i" online || fail "node$i: not all online"
	done
	wait_out 1 "$T" dc_count || fail "no single DC"
	T_UP=$(ms_since "$start")
	dc=$(pm_fact 1 dc)
	case "$dc" in node[123]\ true) ;; *) fail "DC '$dc', want a quorate node" ;; esac
	for i in 1 2 3; do
		[ "$(pm_fact "$i" dc)" = "$dc" ] || fail "node$i sees DC '$(pm_fact "$i" dc)', not '$dc'"
		[ "$(in_node "$i" crm_node -n)" = "node$i" ] || fail "crm_node -n on node$i"
		[ "$(in_node "$i" crm_node -q)" = 1 ] || fail "crm_node -q on node$i"
	done
	[ "$(in_node 2 crm_node -l | sort)" = "$(printf '%s\n' '1 node1 member' '2 node2 member' \
		'3 node3 member')" ] || fail "crm_node -l: $(in_node 2 crm_node -l)"
	check_cpg 1
	echo "up: 3 nodes online, DC ${dc% *}, in ${T_UP} ms"
}

# The CPG groups as the distribution's corosync-cpgtool lists them on node
# i: Pacemaker's four groups (names with their NUL), each with a member on
# every node, the local member's pid that of the daemon in node i's PID
# namespace.
check_cpg() {
	local i=$1 g d want got
	got=$(in_node "$i" corosync-cpgtool -n | sort | paste -sd ' ')
	want='attrd\x00 cib\x00 crmd\x00 stonith-ng\x00'
	[ "$got" = "$want" ] || fail "corosync-cpgtool -n on node$i: '$got', want '$want'"
	for g in cib:pacemaker-based crmd:pacemaker-controld attrd:pacemaker-attrd \
		stonith-ng:pacemaker-fenced; do
		d=${g#*:}
		g=${g%%:*}
		# (the name from the environment: awk -v would undo the escape)
		got=$(in_node "$i" corosync-cpgtool -d , | G="$g\\x00" awk -F, \
			'$1 == ENVIRON["G"] { print $3 }' | sort -n | paste -sd ' ')
		[ "$got" = "1 2 3" ] || fail "cpg group $g on node$i: members '$got'"
		got=$(in_node "$i" corosync-cpgtool -d , | G="$g\\x00" awk -F, -v n="$i" \
			'$1 == ENVIRON["G"] && $3 == n { print $2 }')
		want=$(in_node "$i" pidof "$d")
		[ "$got" = "$want" ] || fail "cpg group $g on node$i: pid '$got', $d is '$want'"
	done
}

# Roles, chosen once the DC is known so that both daemons are timed alike:
# R runs d1 and d2 and is killed, O (the DC) observes, L leaves gracefully.
pick_roles() {
	local dc i
	dc=$(pm_fact 1 dc)
	O=${dc#node}
	O=${O%% *}
	R= L=
	for i in 1 2 3; do
		[ "$i" = "$O" ] && continue
		if [ -z "$R" ]; then R=$i; else L=$i; fi
	done
}

cib_add() { # section xml
	in_node "$O" cibadmin -C -o "$1" -X "$2" || fail "add to $1: $2"
}

step_resources() {
	local start
	in_node "$O" crm_attribute -t crm_config -n stonith-enabled -v false >/dev/null ||
		fail "set stonith-enabled"
	start=$(date +%s%N)
	cib_add resources "$(primitive d1)"
	cib_add resources "$(primitive d2)"
	cib_add resources "$(primitive d3)"
	cib_add resources "<clone id=\"c1-clone\">$(primitive c1)</clone>"
	cib_add constraints "<rsc_location id=\"d1-prefers\" rsc=\"d1\" node=\"node$R\" score=\"100\"/>"
	cib_add constraints '<rsc_colocation id="d2-with-d1" rsc="d2" with-rsc="d1" score="INFINITY"/>'
	cib_add constraints \
		"<rsc_location id=\"d3-avoids\" rsc=\"d3\" node=\"node$R\" score=\"-INFINITY\"/>"
	wait_out "node$R" "$T" pm_fact "$O" rsc d1 || fail "d1 not on node$R"
	wait_out "node$R" "$T" pm_fact "$O" rsc d2 || fail "d2 not with d1"
	wait_out "node1 node2 node3" "$T" pm_fact "$O" rsc c1 || fail "clone not everywhere"
	wait_out 1 "$T" placed_off "$R" d3 || fail "d3 not off node$R"
	T_RSC=$(ms_since "$start")
	D3=$(pm_fact "$O" rsc d3)
	sleep 5
	[ "$(pm_fact "$L" rsc d1) $(pm_fact "$L" rsc d2) $(pm_fact "$L" rsc d3)" = \
		"node$R node$R $D3" ] || fail "resources moved: $(pm_state "$L" | grep rsc)"
	echo "resources: d1, d2 on node$R, d3 on $D3, c1 on all, in ${T_RSC} ms; stayed 5 s"
}

# 1 when resource id runs on a single node other than node n, else 0.
placed_off() { # n id
	case "$(pm_fact "$O" rsc "$2")" in node"$1" | *" "* | "") echo 0 ;; *) echo 1 ;; esac
}

step_refuse() {
	pm_refuse "$L" "$O" "node1 node2 node3"
	echo "refuse: cfgtool -H on node$L refused while Pacemaker runs ($REFUSE_OUT)"
}

step_kill() {
	local start other
	start=$(date +%s%N)
	pm_daemon_kill "$R" "$O" "$(pm_names "$O" "$L")"
	wait_out 1 "$T" placed_off "$R" d1 || fail "d1 did not move off node$R"
	T_KILL=$(ms_since "$start")
	other=$(pm_fact "$O" rsc d1)
	wait_out "$other" 10 pm_fact "$O" rsc d2 || fail "d2 not with d1"
	echo "kill: $KIND on node$R SIGKILLed, d1 and d2 on $other after ${T_KILL} ms"
}

# The daemon restarted on R: pacemakerd there, still running, reconnects
# and respawns its subdaemons; R is online again and d1, which prefers it,
# moves back with d2.
step_rejoin() {
	local start
	start=$(date +%s%N)
	pm_daemon_rejoin "$R" "$O" "node1 node2 node3"
	wait_out "node$R" "$T" pm_fact "$O" rsc d1 || fail "d1 not back on node$R"
	T_REJOIN=$(ms_since "$start")
	wait_out "node$R" 10 pm_fact "$O" rsc d2 || fail "d2 not back with d1"
	wait_out "node1 node2 node3" 10 pm_fact "$O" rsc c1 || fail "clone not back everywhere"
	[ "$(pm_fact "$R" dc)" = "$(pm_fact "$O" dc)" ] || fail "node$R sees another DC"
	echo "rejoin: $KIND restarted on node$R, d1 back there after ${T_REJOIN} ms"
}

# L cut off from O and R: the two sides see each other go, L without
# quorum, d3 (banned from R) on O; healed: one cluster, one DC, d1 on R.
step_split() {
	local start
	start=$(date +%s%N)
	cl_bridge br1 "$L"
	wait_out "$(printf 'node%s\n' "$O" "$R" | sort | paste -sd ' ')" "$T" pm_fact "$O" online ||
		fail "node$L still online for node$O"
	wait_out "node$L" "$T" pm_fact "$L" online || fail "node$L still sees the others"
	wait_out "node$O" "$T" pm_fact "$O" rsc d3 || fail "d3 not on node$O"
	T_SPLIT=$(ms_since "$start")
	wait_out "node$L false" "$T" pm_fact "$L" dc || fail "node$L not its own DC without quorum"
	start=$(date +%s%N)
	cl_bridge br0 "$L"
	for i in 1 2 3; do
		wait_out "node1 node2 node3" "$T" pm_fact "$i" online || fail "node$i: not all online"
	done
	wait_out 1 "$T" dc_count || fail "no single DC after the heal"
	wait_out "node1 node2 node3" "$T" pm_fact "$O" rsc c1 || fail "clone not back everywhere"
	T_HEAL=$(ms_since "$start")
	[ "$(pm_fact "$O" rsc d1)" = "node$R" ] || fail "d1 not on node$R after the heal"
	echo "split: node$L cut off, d3 on node$O after ${T_SPLIT} ms;" \
		"healed, one DC and c1 everywhere after ${T_HEAL} ms"
}

step_leave() {
	local start
	pm_leave "$L" "$O" "$(pm_names "$O" "$R")"
	[ "$(pm_fact "$O" rsc d1) $(pm_fact "$O" rsc d3)" = "node$R node$O" ] ||
		fail "resources not on node$R and node$O: $(pm_state "$O" | grep rsc)"
	# L boots again: the daemon, then Pacemaker
	start=$(date +%s%N)
	pm_boot "$L" "$O" "node1 node2 node3"
	wait_out "node1 node2 node3" "$T" pm_fact "$O" rsc c1 || fail "clone not back on node$L"
	T_RESTART=$(ms_since "$start")
	# a forced shutdown goes through pacemakerd's veto
	start=$(date +%s%N)
	pm_cfg_stop "$L" --force
	T_FORCE=$(ms_since "$start")
	wait_out "$(pm_names "$O" "$R")" "$T" pm_fact "$O" online ||
		fail "node$L still online after -H --force"
	echo "leave: pacemakerd on node$L stopped in ${T_LEAVE} ms, nothing left on it;" \
		"cfgtool -H stopped $KIND; both restarted, c1 back after ${T_RESTART} ms;" \
		"cfgtool -H --force under Pacemaker stopped $KIND in ${T_FORCE} ms"
}

# R "fenced" by a manual confirmation from O: R's controller exits with a
# fatal error, so pacemakerd stops and takes the cluster daemon with it
# (cfg try-shutdown IMMEDIATE, overriding its own vote).
step_fenced() {
	local start
	start=$(date +%s%N)
	in_node "$O" stonith_admin --confirm "node$R" >/dev/null 2>&1 || fail "stonith_admin --confirm"
	wait_gone "${PM_PCMK[$R]}" "$T" || fail "pacemakerd on node$R still running"
	wait_gone "${CL_PID[$R]}" 10 || fail "$KIND on node$R still running after pacemakerd's fatal stop"
	T_FENCED=$(ms_since "$start")
	wait_out "node$O" "$T" pm_fact "$O" online || fail "node$R still online"
	echo "fenced: node$R confirmed fenced, pacemakerd and $KIND there gone after ${T_FENCED} ms"
}

# SIGTERM to the daemon on O while Pacemaker runs there: the daemon stops
# (no shutdown vote is asked for a signal).
step_term() {
	local start
	start=$(date +%s%N)
	kill -TERM "${CL_PID[$O]}"
	wait_gone "${CL_PID[$O]}" 10 || fail "SIGTERM did not stop $KIND on node$O"
	T_TERM=$(ms_since "$start")
	echo "term: $KIND on node$O stopped by SIGTERM in ${T_TERM} ms"
}

# Whatever ends the script (a failed step, a signal, a bug) removes what it made.
trap pm_cleanup EXIT
trap 'exit 1' INT TERM
cl_setup 3 "${PM_TOTEM:-}" || fail "setup"
for i in 1 2 3; do pm_host_start "$i" || fail "host node$i"; done
step_up
pick_roles
step_resources
step_refuse
step_kill
step_rejoin
step_split
step_leave
step_fenced
step_term
echo "PASS ($KIND): up ${T_UP} ms, resources ${T_RSC} ms, failover ${T_KILL} ms," \
	"rejoin ${T_REJOIN} ms, split ${T_SPLIT} ms, heal ${T_HEAL} ms," \
	"graceful stop ${T_LEAVE} ms, restart ${T_RESTART} ms, forced stop ${T_FORCE} ms," \
	"fenced ${T_FENCED} ms," \
	"SIGTERM stop ${T_TERM} ms"
pm_cleanup
exit 0
