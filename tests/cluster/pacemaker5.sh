#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# pacemaker5.sh - the distribution's Pacemaker, unmodified, on a 5-node
# cluster of hosts in namespaces (pm_lib.sh), synod or, with the argument
# "corosync", the distribution's corosync as a reference; the outcome
# checks are the same for both.  Two scenarios, one cluster each:
#
#   split    up, resources, then
#            partition  nodes 4 and 5 cut off from 1-3 with
#                       no-quorum-policy=stop: the minority stops everything
#                       it ran, the majority runs every resource once
#            heal       one DC seen alike on all 5, every resource back where
#                       the policy puts it, none ever running twice
#            daemons    SIGKILL of pacemaker-controld on the DC, then of
#                       pacemaker-based on another node: pacemakerd respawns
#                       them, one DC again, the resources where they were
#            node kill  SIGKILL of the cluster daemon (only it) on a non-DC
#                       node K running a primitive: the DC shows K offline,
#                       every resource runs once on the other four (K's host
#                       keeps its stale copy: no fencing); the daemon
#                       restarted, pacemakerd there reconnects, K online,
#                       one quorate DC, every resource back in place
#            node leave on another non-DC node G running a primitive:
#                       corosync-cfgtool -H refused while Pacemaker runs
#                       (cfg shutdown tracking); pacemakerd stopped
#                       (SIGTERM): G's resources on the other four, which
#                       keep quorum and one DC, then -H stops the daemon;
#                       G boots again, every resource back in place, none
#                       ever ran twice
#   rolling  up, resources, then
#            cib        a property set with cibadmin on one node is in every
#                       node's local CIB; then a set of random values taking
#                       the CIB above 1 MiB (one update, fragmented by libcpg
#                       and reassembled by the daemon): in every local CIB,
#                       byte for byte
#            restart    on each node in turn: pacemakerd stopped (SIGTERM),
#                       the cluster daemon stopped (corosync-cfgtool -H), both
#                       started again; resources of the other nodes never
#                       stop, none ever runs twice, all end where the policy
#                       puts them, and the restarted node has the large CIB
#
# Shared steps:
#   up         every node online in crm_mon on every node, one DC seen alike;
#              crm_node -n / -q / -l answer as on corosync
#   resources  ocf:pacemaker:Dummy d1 (prefers node1), d2 (with d1), d3
#              (prefers node4), d4 (prefers node5), d5 (never on node1,
#              prefers node2), a clone c1 on every node: placed so, in
#              crm_mon and in what the hosts really run, and still so later
#
# What runs where is read from the Dummy agents' state files in each host's
# private /run (pm_running), sampled every 0.25 s while nodes come and go:
# a resource counts as running twice when two consecutive samples show it
# on two nodes.  Exit 1 if a step failed, 77 (skip) when not root or
# Pacemaker is not installed.
#
# usage: BUILD=builddir pacemaker5.sh [synod|corosync] [split|rolling]
#   PM_TOTEM: extra lines for the totem section of both daemons' configuration
set -u
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
for p in pacemakerd crm_mon crm_node cibadmin corosync-cfgtool nsenter pgrep python3; do
	command -v "$p" >/dev/null || { echo "SKIP: no $p"; exit 77; }
done
[ -x /usr/lib/ocf/resource.d/pacemaker/Dummy ] || { echo "SKIP: no ocf:pacemaker:Dummy"; exit 77; }
id hacluster >/dev/null 2>&1 || { echo "SKIP: no hacluster user"; exit 77; }
BUILD=${BUILD:?set BUILD to the build directory}
KIND=${1:-synod}
SCENARIO=${2:-split}
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pm_lib.sh"
CL_ID=$(printf 'q%x' $((RANDOM * 32768 + RANDOM)))
CL_HUB="syn-${CL_ID}-hub"
T=${PM_TIMEOUT:-90}
# Large enough for the whole CIB of the rolling scenario in one message.
PM_IPC_BUFFER=$((4 * 1024 * 1024))
ALL="1 2 3 4 5"
ALL_NAMES="node1 node2 node3 node4 node5"
PRIMITIVES="d1 d2 d3 d4 d5"
PLACED="c1:node1 c1:node2 c1:node3 c1:node4 c1:node5 d1:node1 d2:node1 d3:node4 d4:node5 d5:node2"
SAMPLER=

step_up() {
	local i start dc want
	start=$(date +%s%N)
	for i in $ALL; do node_start "$i" || fail "start $KIND on node$i"; done
	# shellcheck disable=SC2086
	cl_wait_view_kind $ALL || fail "no membership"
	for i in $ALL; do pcmk_start "$i" || fail "start pacemakerd on node$i"; done
	for i in $ALL; do
		wait_out "$ALL_NAMES" "$T" pm_fact "$i" online || fail "node$i: not all online"
	done
	wait_out 1 "$T" dc_count || fail "no single DC"
	T_UP=$(ms_since "$start")
	dc=$(pm_fact 1 dc)
	case "$dc" in node[1-5]\ true) ;; *) fail "DC '$dc', want a quorate node" ;; esac
	want=$(for i in $ALL; do echo "$i node$i member"; done)
	for i in $ALL; do
		[ "$(in_node "$i" crm_node -n)" = "node$i" ] || fail "crm_node -n on node$i"
		[ "$(in_node "$i" crm_node -q)" = 1 ] || fail "crm_node -q on node$i"
		[ "$(in_node "$i" crm_node -l | sort)" = "$want" ] ||
			fail "crm_node -l on node$i: $(in_node "$i" crm_node -l)"
	done
	echo "up: 5 nodes online, DC ${dc% *}, in ${T_UP} ms"
}

cib_add() { # node section xml
	in_node "$1" cibadmin -C -o "$2" -X "$3" || fail "add to $2 on node$1: $3"
}

location() { # rsc node score
	echo "<rsc_location id=\"$1-on-$2\" rsc=\"$1\" node=\"node$2\" score=\"$3\"/>"
}

# The placement crm_mon on node i shows, as "id:node" pairs like pm_running.
pm_shown() {
	pm_state "$1" | awk '$1 == "rsc" { for (i = 3; i <= NF; i++) print $2 ":" $i }' |
		sort | paste -sd ' '
}

# crm_mon on every node shows the placement PLACED (within 20 s each).
shown_everywhere() {
	local i
	for i in $ALL; do
		wait_out "$PLACED" 20 pm_shown "$i" || fail "crm_mon on node$i shows another placement"
	done
}

step_resources() {
	local start i r
	in_node 2 crm_attribute -t crm_config -n stonith-enabled -v false >/dev/null ||
		fail "set stonith-enabled"
	in_node 2 crm_attribute -t crm_config -n no-quorum-policy -v stop >/dev/null ||
		fail "set no-quorum-policy"
	start=$(date +%s%N)
	for r in $PRIMITIVES; do cib_add 3 resources "$(primitive "$r")"; done
	cib_add 3 resources "<clone id=\"c1-clone\">$(primitive c1)</clone>"
	cib_add 4 constraints "$(location d1 1 100)"
	cib_add 4 constraints '<rsc_colocation id="d2-with-d1" rsc="d2" with-rsc="d1" score="INFINITY"/>'
	cib_add 4 constraints "$(location d3 4 100)"
	cib_add 4 constraints "$(location d4 5 100)"
	cib_add 4 constraints "$(location d5 1 -INFINITY)"
	cib_add 4 constraints "$(location d5 2 50)"
	wait_out "$PLACED" "$T" pm_running || fail "resources not placed as the policy says"
	T_RSC=$(ms_since "$start")
	shown_everywhere
	sleep 5
	[ "$(pm_running)" = "$PLACED" ] || fail "resources moved: $(pm_running)"
	echo "resources: 5 Dummy and a clone placed as the policy says in ${T_RSC} ms; stayed 5 s"
}

# "ok" when, in run ("id:nodeN" pairs as pm_running prints them), each
# primitive runs exactly once on one of the given nodes, the clone on
# exactly those nodes and nothing on the others; else run.
placed_once_on() { # run nodes...
	local run=$1 want r n got
	shift
	for r in $PRIMITIVES; do
		got=$(echo "$run" | tr ' ' '\n' | awk -F: -v id="$r" '$1 == id { print $2 }')
		n=$(echo "$got" | grep -c .)
		[ "$n" = 1 ] && [[ " $* " == *" ${got#node} "* ]] || { echo "$run"; return; }
	done
	want=$(pm_names "$@")
	got=$(echo "$run" | tr ' ' '\n' | awk -F: '$1 == "c1" { print $2 }' | paste -sd ' ')
	[ "$got" = "$want" ] || { echo "$run"; return; }
	[ "$(echo "$run" | tr ' ' '\n' | grep -c .)" = $(($# + 5)) ] || { echo "$run"; return; }
	echo ok
}

# The same for what the hosts really run (their state files).
runs_once_on() { placed_once_on "$(pm_running)" "$@"; }

# The sampler: every 0.25 s one line "ms label running" into
# $CL_DIR/samples, where label is the content of $CL_DIR/label: the nodes
# coming or going at that time ("4,5"), or "-".
sampler_start() {
	echo - >"$CL_DIR/label"
	: >"$CL_DIR/samples"
	(
		# (until the script is gone, however it ends)
		while kill -0 $$ 2>/dev/null; do
			echo "$(date +%s%3N) $(cat "$CL_DIR/label") $(pm_running)"
			sleep 0.25
		done >>"$CL_DIR/samples"
	) &
	SAMPLER=$!
}

sampler_stop() {
	[ -n "$SAMPLER" ] || return 0
	kill "$SAMPLER" 2>/dev/null
	wait "$SAMPLER" 2>/dev/null
	SAMPLER=
}

# Read the samples: fails when a primitive runs on two nodes in two
# consecutive samples (with TWICE_OK=1 such samples are only counted; with
# TWICE_OK=labelled they are counted when one of the copies is on a
# labelled node, refused when two are on unlabelled ones), when a
# primitive whose place (in PLACED) is not a labelled node is missing from
# a sample, or when the clone runs on fewer nodes than the unlabelled ones.  Prints the number of samples and, per
# primitive, the longest time it ran nowhere (while it moved).
samples_check() {
	awk -v placed="$PLACED" -v prims="$PRIMITIVES" -v n_nodes=5 -v twice_ok="${TWICE_OK:-0}" '
	BEGIN {
		n = split(placed, p, " ")
		for (i = 1; i <= n; i++) { split(p[i], kv, ":"); home[kv[1]] = kv[2] }
		np = split(prims, pr, " ")
	}
	{
		t = $1; delete moving; delete seen; delete twice; delete outside; clones = 0
		n_moving = $2 == "-" ? 0 : split($2, m, ",")
		for (i = 1; i <= n_moving; i++) moving["node" m[i]] = 1
		for (i = 3; i <= NF; i++) {
			split($i, kv, ":")
			if (kv[1] == "c1") { clones++; continue }
			if (kv[1] in seen) twice[kv[1]] = 1
			seen[kv[1]] = 1
			if (!(kv[2] in moving)) outside[kv[1]]++
		}
		samples++
		for (r in twice) if (r in prev_twice) {
			n_twice++
			if (twice_ok == "1") continue
			if (twice_ok == "labelled" && outside[r] < 2) continue
			print "twice: " r " at " $0; bad = 1
		}
		delete prev_twice
		for (r in twice) prev_twice[r] = 1
		if (clones < n_nodes - n_moving) { print "clone on " clones " nodes: " $0; bad = 1 }
		for (i = 1; i <= np; i++) {
			r = pr[i]
			if (r in seen) { gone[r] = 0; continue }
			if (!(home[r] in moving)) { print "missing " r " (home " home[r] "): " $0; bad = 1 }
			if (!gone[r]) gone[r] = t
			if (t - gone[r] > gap[r]) gap[r] = t - gone[r]
		}
	}
	END {
		line = samples " samples"
		if (twice_ok != "0") line = line ", " n_twice + 0 " with a resource on two nodes"
		line = line "; longest time nowhere:"
		for (i = 1; i <= np; i++) line = line " " pr[i] " " gap[pr[i]] + 0 " ms"
		print line
		exit bad
	}' "$CL_DIR/samples"
}

step_partition() {
	local start i
	start=$(date +%s%N)
	cl_bridge br1 4 5
	for i in 1 2 3; do
		wait_out "$(pm_names 1 2 3)" "$T" pm_fact "$i" online || fail "node$i: not 1-3 online"
	done
	for i in 4 5; do
		wait_out "$(pm_names 4 5)" "$T" pm_fact "$i" online || fail "node$i: not 4-5 online"
	done
	wait_out ok "$T" runs_once_on 1 2 3 || fail "not every resource once on nodes 1-3"
	T_SPLIT=$(ms_since "$start")
	wait_out 1 "$T" dc_count 1 2 3 || fail "no single DC on nodes 1-3"
	case "$(pm_fact 1 dc)" in node[123]\ true) ;; *) fail "majority DC: '$(pm_fact 1 dc)'" ;; esac
	wait_out 1 "$T" dc_count 4 5 || fail "no single DC on nodes 4-5"
	case "$(pm_fact 4 dc)" in node[45]\ false) ;; *) fail "minority DC: '$(pm_fact 4 dc)'" ;; esac
	sleep 5
	[ "$(runs_once_on 1 2 3)" = ok ] || fail "partitioned: $(pm_running)"
	echo "partition: nodes 4, 5 cut off; minority runs nothing, majority every resource once" \
		"after ${T_SPLIT} ms; stayed 5 s"
}

step_heal() {
	local start i out
	sampler_start
	echo 4,5 >"$CL_DIR/label"
	start=$(date +%s%N)
	cl_bridge br0 4 5
	for i in $ALL; do
		wait_out "$ALL_NAMES" "$T" pm_fact "$i" online || fail "node$i: not all online"
	done
	wait_out 1 "$T" dc_count || fail "no single DC after the heal"
	wait_out "$PLACED" "$T" pm_running || fail "resources not back where the policy puts them"
	T_HEAL=$(ms_since "$start")
	sleep 3
	sampler_stop
	out=$(samples_check) || fail "after the heal: $out"
	shown_everywhere
	echo "heal: one DC on all 5, resources back after ${T_HEAL} ms, none ran twice ($out)"
}

# SIGKILL of Pacemaker daemon name on node i: pacemakerd respawns it and
# the cluster recovers: one DC again, every resource once where the policy
# puts it.  Without fencing, Pacemaker (on corosync as on synod) may start
# the resources of a node whose controller went away elsewhere before it
# hears they still run there, and then stops the extra copy: samples with
# a resource on two nodes are counted, not refused, here.  Sets T_DAEMON
# and KILL_OUT (the samples' summary).
kill_daemon() { # node name
	local i=$1 name=$2 pid start out
	pid=$(pm_daemon_pid "$i" "$name")
	[ -n "$pid" ] || fail "no $name on node$i"
	sampler_start
	start=$(date +%s%N)
	kill -KILL "$pid"
	wait_gone "$pid" 10 || fail "$name on node$i survived SIGKILL"
	wait_out 1 "$T" eval '[ -n "$(pm_daemon_pid '"$i"' '"$name"')" ] && echo 1' ||
		fail "$name not respawned on node$i"
	for i in $ALL; do
		wait_out "$ALL_NAMES" "$T" pm_fact "$i" online || fail "node$i: not all online"
	done
	wait_out 1 "$T" dc_count || fail "no single DC after $name was killed"
	wait_out "$PLACED" "$T" pm_running || fail "resources not back where the policy puts them"
	T_DAEMON=$(ms_since "$start")
	sleep 3
	sampler_stop
	out=$(TWICE_OK=1 samples_check) || fail "after $name was killed: $out"
	[ "$(pm_running)" = "$PLACED" ] || fail "resources moved: $(pm_running)"
	KILL_OUT=$out
}

step_daemons() {
	local dc other out1 t1
	dc=$(pm_fact 1 dc)
	dc=${dc#node}
	dc=${dc%% *}
	# (a node with a primitive of its own: d3 on node4, d4 on node5)
	other=4
	[ "$dc" = 4 ] && other=5
	kill_daemon "$dc" pacemaker-controld
	t1=$T_DAEMON out1=$KILL_OUT
	kill_daemon "$other" pacemaker-based
	echo "daemons: pacemaker-controld on the DC node$dc SIGKILLed, one DC again after" \
		"${t1} ms ($out1); pacemaker-based on node$other SIGKILLed, recovered after" \
		"${T_DAEMON} ms ($KILL_OUT)"
}

# The node numbers of all nodes but n.
all_but() { # n
	local i
	for i in $ALL; do [ "$i" = "$1" ] || echo "$i"; done
}

# The placement crm_mon on node i shows, as placed_once_on reports it.
shown_once_on() { # i nodes...
	local i=$1
	shift
	placed_once_on "$(pm_shown "$i")" "$@"
}

# What the hosts of the given nodes run, as placed_once_on reports it
# (whatever the other hosts run left out).
runs_once_among() { # nodes...
	local run
	run=$(pm_running | tr ' ' '\n' | grep -E ":node($(echo "$*" | tr ' ' '|'))\$" | paste -sd ' ')
	placed_once_on "$run" "$@"
}

# Roles for the node steps, from the current DC: K (the daemon killed) and
# G (leaves gracefully), two nodes other than the DC that each run a
# primitive of their own (d3 on node4, d4 on node5, d5 on node2).
pick_nodes() {
	local i
	DC=$(pm_fact 1 dc)
	DC=${DC#node}
	DC=${DC%% *}
	K='' G=''
	for i in 4 5 2; do
		[ "$i" = "$DC" ] && continue
		if [ -z "$K" ]; then K=$i; elif [ -z "$G" ]; then G=$i; fi
	done
}

# 1 when every one of the given nodes reports the same DC, one of them,
# with quorum.
quorate_dc() { # nodes...
	local dc
	[ "$(dc_count "$@")" = 1 ] || return 0
	dc=$(pm_fact "$1" dc)
	[ "${dc#* }" = true ] || return 0
	dc=${dc%% *}
	[[ " $* " == *" ${dc#node} "* ]] && echo 1
}

# SIGKILL of the cluster daemon (only the daemon) on K: the DC shows K
# offline and, like the hosts of the other four, every resource once on
# those four.  K's host keeps running what it ran (its executor has no
# cluster to hear from and there is no fencing, on corosync as on synod)
# while the DC starts it elsewhere: samples with a copy on K and one
# elsewhere are counted, two copies on the other four are refused.  Then
# the daemon restarted on K: pacemakerd there reconnects, K is online
# again, one quorate DC, every resource back where the policy puts it.
step_node_kill() {
	local start out others t_kill t_moved i
	others=$(all_but "$K" | paste -sd ' ')
	sampler_start
	echo "$K" >"$CL_DIR/label"
	start=$(date +%s%N)
	# shellcheck disable=SC2086
	pm_daemon_kill "$K" "$DC" "$(pm_names $others)"
	t_kill=$T_DOWN
	# shellcheck disable=SC2086
	wait_out ok "$T" shown_once_on "$DC" $others ||
		fail "crm_mon on node$DC: not every resource once on nodes $others"
	# shellcheck disable=SC2086
	wait_out ok "$T" runs_once_among $others ||
		fail "the hosts of nodes $others do not run every resource once"
	t_moved=$(ms_since "$start")
	# shellcheck disable=SC2086
	wait_out 1 "$T" quorate_dc $others || fail "nodes $others: no single quorate DC"
	kill -0 "${PM_PCMK[$K]}" 2>/dev/null || fail "pacemakerd on node$K stopped"
	pm_daemon_rejoin "$K" "$DC" "$ALL_NAMES"
	wait_out 1 "$T" quorate_dc $ALL || fail "no single DC after node$K rejoined"
	wait_out "$PLACED" "$T" pm_running || fail "resources not back where the policy puts them"
	T_NODE_KILL=$(ms_since "$start")
	sleep 3
	sampler_stop
	out=$(TWICE_OK=labelled samples_check) || fail "after $KIND on node$K was killed: $out"
	[ "$(pm_running)" = "$PLACED" ] || fail "resources moved: $(pm_running)"
	shown_everywhere
	echo "node kill: $KIND on node$K SIGKILLed, offline for the DC node$DC after ${t_kill} ms," \
		"every resource once on the other 4 after ${t_moved} ms; restarted, online again" \
		"after ${T_UPAGAIN} ms, resources back after ${T_NODE_KILL} ms in all ($out)"
}

# G leaves gracefully, as in pacemaker.sh's leave step: first
# corosync-cfgtool -H is refused while Pacemaker runs; then pacemakerd
# stopped (SIGTERM) moves G's resources, the other four keep quorum and
# one DC, and -H stops the daemon; G boots again and every resource ends
# where the policy puts it.  No resource runs twice and none of the
# others' stops meanwhile (the sampler).
step_node_leave() {
	local start out others i
	others=$(all_but "$G" | paste -sd ' ')
	pm_refuse "$G" "$DC" "$ALL_NAMES"
	sampler_start
	echo "$G" >"$CL_DIR/label"
	start=$(date +%s%N)
	# shellcheck disable=SC2086
	pm_leave "$G" "$DC" "$(pm_names $others)"
	# shellcheck disable=SC2086
	wait_out ok "$T" runs_once_on $others || fail "not every resource once on nodes $others"
	# shellcheck disable=SC2086
	wait_out ok 20 shown_once_on "$DC" $others ||
		fail "crm_mon on node$DC: not every resource once on nodes $others"
	T_NODE_LEAVE=$(ms_since "$start")
	# shellcheck disable=SC2086
	wait_out 1 "$T" quorate_dc $others || fail "nodes $others: no single quorate DC"
	pm_boot "$G" "$DC" "$ALL_NAMES"
	wait_out 1 "$T" quorate_dc $ALL || fail "no single DC after node$G came back"
	wait_out "$PLACED" "$T" pm_running || fail "resources not back where the policy puts them"
	T_NODE_BACK=$(ms_since "$start")
	sleep 3
	sampler_stop
	out=$(samples_check) || fail "while node$G left and came back: $out"
	shown_everywhere
	echo "node leave: cfgtool -H on node$G refused ($REFUSE_OUT); pacemakerd there stopped" \
		"in ${T_LEAVE} ms, its resources on the other 4 (quorate, one DC) after" \
		"${T_NODE_LEAVE} ms; booted again, online after ${T_BOOT} ms, every resource back" \
		"after ${T_NODE_BACK} ms in all, none ran twice ($out)"
}

# sha256 of the name=value pairs of the property set named id in the XML
# on standard input (the set itself, or a document holding it); nothing
# when there is no such set.
set_digest() { # set_id
	SET="$1" python3 -c '
import hashlib, os, sys, xml.etree.ElementTree as ET
r = ET.parse(sys.stdin).getroot()
want = os.environ["SET"]
s = r if r.tag == "cluster_property_set" and r.get("id") == want else \
    r.find("cluster_property_set[@id=\"%s\"]" % want)
if s is not None:
    h = hashlib.sha256()
    for nv in s.iter("nvpair"):
        h.update(("%s=%s\n" % (nv.get("name"), nv.get("value"))).encode())
    print(h.hexdigest())
' 2>/dev/null
}

# The property set named id, as the local CIB of node i has it: its digest.
cib_digest() { # node set_id
	in_node "$1" cibadmin -Q -l -o crm_config 2>/dev/null | set_digest "$2"
}

cib_size() { in_node "$1" cibadmin -Q -l 2>/dev/null | wc -c; }

step_cib() {
	local i start want size
	in_node 2 crm_attribute -t crm_config -s small -n synod-test -v from-node2 >/dev/null ||
		fail "crm_attribute on node2"
	want=$(printf 'synod-test=from-node2\n' | sha256sum | cut -d' ' -f1)
	for i in $ALL; do
		wait_out "$want" "$T" cib_digest "$i" small || fail "node$i: property not in its CIB"
	done
	# 24 values of 64 KiB of random base64: 1.5 MiB that compresses badly
	python3 -c '
import base64, os
print("<cluster_property_set id=\"big\">")
for i in range(24):
    v = base64.b64encode(os.urandom(49152)).decode()
    print("<nvpair id=\"big-%d\" name=\"big-%d\" value=\"%s\"/>" % (i, i, v))
print("</cluster_property_set>")' >"$CL_DIR/big.xml"
	BIG_DIGEST=$(set_digest big <"$CL_DIR/big.xml")
	start=$(date +%s%N)
	in_node 3 cibadmin -C -o crm_config -x "$CL_DIR/big.xml" || fail "cibadmin -C of 1.5 MiB on node3"
	for i in $ALL; do
		wait_out "$BIG_DIGEST" "$T" cib_digest "$i" big || fail "node$i: large set not in its CIB"
	done
	T_CIB=$(ms_since "$start")
	for i in $ALL; do
		size=$(cib_size "$i")
		[ "$size" -gt 1048576 ] || fail "node$i: CIB of $size bytes"
	done
	[ "$(pm_running)" = "$PLACED" ] || fail "resources moved: $(pm_running)"
	echo "cib: a property from node2 on every node; a CIB of $size bytes on every node," \
		"identical, ${T_CIB} ms after cibadmin -C"
}

# 1 when node i's cluster daemon answers cmap.
answers() { in_node "$1" corosync-cmapctl -g totem.cluster_name >/dev/null 2>&1 && echo 1; }

step_rolling() {
	local i start out t_node t_stop t_online times=""
	sampler_start
	start=$(date +%s%N)
	for i in $ALL; do
		t_node=$(date +%s%N)
		echo "$i" >"$CL_DIR/label"
		kill -TERM "${PM_PCMK[$i]}"
		wait_gone "${PM_PCMK[$i]}" "$T" || fail "pacemakerd on node$i did not stop"
		t_stop=$(ms_since "$t_node")
		out=$(in_node "$i" corosync-cfgtool -H 2>&1)
		wait_gone "${CL_PID[$i]}" 20 || fail "cfgtool -H did not stop $KIND on node$i: $out;" \
			"its IPC clients: $(in_node "$i" corosync-cmapctl -m stats 2>/dev/null |
				grep -E '^stats.ipcs.*(procname|service_id)' | paste -sd ' ');" \
			"processes there: $(in_node "$i" ps -eo pid,comm | paste -sd ' ')"
		node_start "$i" || fail "restart $KIND on node$i"
		wait_out 1 30 answers "$i" || fail "$KIND restarted on node$i does not answer;" \
			"UDP sockets there: $(ip netns exec "$(cl_ns "$i")" ss -uanp | paste -sd ' ')"
		pcmk_start "$i" || fail "restart pacemakerd on node$i"
		wait_out "$ALL_NAMES" "$T" pm_fact "$i" online || fail "node$i: not all online"
		t_online=$(ms_since "$t_node")
		wait_out 1 "$T" dc_count || fail "no single DC after node$i restarted"
		wait_out "$PLACED" "$T" pm_running || fail "resources not back after node$i restarted"
		wait_out "$BIG_DIGEST" "$T" cib_digest "$i" big || fail "node$i: no large CIB after restart"
		echo - >"$CL_DIR/label"
		times="$times $t_stop/$t_online/$(ms_since "$t_node")"
	done
	T_ROLL=$(ms_since "$start")
	sleep 3
	sampler_stop
	out=$(samples_check) || fail "during the rolling restart: $out"
	shown_everywhere
	echo "restart: each node's Pacemaker and $KIND restarted in turn (ms to Pacemaker" \
		"stopped/online again/resources back:$times)," \
		"${T_ROLL} ms in all; others' resources always running, none twice, all back" \
		"where the policy puts them, large CIB on each restarted node ($out)"
}

on_exit() {
	sampler_stop
	pm_cleanup
}

# Whatever ends the script (a failed step, a signal, a bug) removes what it made.
trap on_exit EXIT
trap 'exit 1' INT TERM
cl_setup 5 "${PM_TOTEM:-}" || fail "setup"
for i in $ALL; do pm_host_start "$i" || fail "host node$i"; done
step_up
step_resources
case "$SCENARIO" in
split)
	step_partition
	step_heal
	step_daemons
	pick_nodes
	step_node_kill
	step_node_leave
	echo "PASS ($KIND split): up ${T_UP} ms, resources ${T_RSC} ms, partition ${T_SPLIT} ms," \
		"heal ${T_HEAL} ms, node kill and rejoin ${T_NODE_KILL} ms," \
		"graceful leave ${T_NODE_LEAVE} ms and return ${T_NODE_BACK} ms"
	;;
rolling)
	step_cib
	step_rolling
	echo "PASS ($KIND rolling): up ${T_UP} ms, resources ${T_RSC} ms, large CIB ${T_CIB} ms," \
		"rolling restart ${T_ROLL} ms"
	;;
*) fail "unknown scenario $SCENARIO" ;;
esac
on_exit
exit 0
