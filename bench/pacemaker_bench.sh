#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# pacemaker_bench.sh - the distribution's Pacemaker on synod against the
# distribution's corosync: 3 hosts in namespaces (tests/cluster/pm_lib.sh:
# network, PID and mount namespaces per host, encrypted cluster), and for
# each run:
#   up        from starting the cluster daemons (then pacemakerd on each
#             host once its daemon answers cmap) until crm_mon on every
#             host shows every node online and all agree on one DC
#   failover  one ocf:pacemaker:Dummy placed on a node other than the DC;
#             from SIGKILL of that whole host (everything in its PID
#             namespace dies at once, as in a crash) until crm_mon on the
#             DC shows it started on another node
# Two configurations: "token: 1000" in totem for both daemons, and no
# token line (each daemon's defaults: synod 400 ms, corosync 3000 ms).
# synod and corosync alternate, the order reversed every repetition.
# crm_mon is polled every 0.2 s (plus the time of a poll itself), which
# bounds the resolution of both figures.  Prints a table of medians and
# writes it as the "pacemaker" section of BENCHMARKS.md (between the
# pacemaker:begin/end markers, appended when they are missing).
#
# Needs root, Pacemaker, corosync.  Environment: REPS (3), BUILD_DIR
# (build-bench), BENCH_OUT (BENCHMARKS.md), RESULTS (a fresh temporary
# directory), PM_TIMEOUT (90 s for each wait).  Every wait is bounded; only
# processes started here are killed, by PID; every namespace is deleted.
set -u
[ "$(id -u)" -eq 0 ] || { echo "needs root" >&2; exit 77; }
for p in pacemakerd crm_mon corosync corosync-cmapctl nsenter python3; do
	command -v "$p" >/dev/null || { echo "no $p" >&2; exit 77; }
done
cd "$(dirname "$0")/.."
top=$PWD
reps=${REPS:-3}
build=${BUILD_DIR:-build-bench}
out=${BENCH_OUT:-BENCHMARKS.md}
results=${RESULTS:-$(mktemp -d)}
mkdir -p "$results"
raw=$results/raw.txt
: >"$raw"

. "$top/bench/bench_lib.sh"
bench_prepare || exit 1
. "$top/tests/cluster/pm_lib.sh"
T=${PM_TIMEOUT:-90}
KIND=synod

# 1 when node i's cluster daemon answers cmap.
answers() { in_node "$1" corosync-cmapctl -g totem.cluster_name >/dev/null 2>&1 && echo 1; }

# The node (number) crm_mon on node i shows running resource id.
runs_on() { pm_fact "$1" rsc "$2" | sed 's/^node//'; }

# 1 when crm_mon on node o shows id started on one node other than r.
moved() { # o id r
	case "$(pm_fact "$1" rsc "$2")" in "" | node"$3" | *" "*) echo 0 ;; *) echo 1 ;; esac
}

# One run: "cfg kind up_ms failover_ms" appended to raw.
run_once() { # cfg totem_lines
	local cfg=$1 totem=$2 i start t_up t_fail dc o r
	trap pm_cleanup EXIT
	CL_ID=$(printf 'k%x' $((RANDOM * 32768 + RANDOM)))
	CL_HUB="syn-${CL_ID}-hub"
	CL_DIR=$(mktemp -d)
	CL_PID=() PM_HOST=() PM_INIT=() PM_PCMK=()
	CL_N=0
	cl_setup 3 "$totem" || fail "setup"
	for i in 1 2 3; do pm_host_start "$i" || fail "host node$i"; done
	start=$(date +%s%N)
	for i in 1 2 3; do node_start "$i" || fail "start $KIND on node$i"; done
	for i in 1 2 3; do
		wait_out 1 "$T" answers "$i" >/dev/null || fail "$KIND on node$i does not answer"
		pcmk_start "$i" || fail "start pacemakerd on node$i"
	done
	for i in 1 2 3; do
		wait_out "node1 node2 node3" "$T" pm_fact "$i" online || fail "node$i: not all online"
	done
	wait_out 1 "$T" dc_count || fail "no single DC"
	t_up=$(ms_since "$start")
	dc=$(pm_fact 1 dc)
	o=${dc#node}
	o=${o%% *}
	r=$((o % 3 + 1))
	in_node "$o" crm_attribute -t crm_config -n stonith-enabled -v false >/dev/null ||
		fail "stonith-enabled"
	in_node "$o" cibadmin -C -o resources -X "$(primitive d1)" || fail "add d1"
	in_node "$o" cibadmin -C -o constraints \
		-X "<rsc_location id=\"d1-on\" rsc=\"d1\" node=\"node$r\" score=\"100\"/>" ||
		fail "add the location"
	wait_out "$r" "$T" runs_on "$o" d1 || fail "d1 not on node$r"
	sleep 2
	start=$(date +%s%N)
	kill -KILL "${PM_HOST[$r]}"
	wait_out 1 "$T" moved "$o" d1 "$r" || fail "d1 not started elsewhere"
	t_fail=$(ms_since "$start")
	echo "$cfg $KIND $t_up $t_fail" | tee -a "$raw"
	pm_cleanup
	CL_DIR=
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }

trap 'pm_cleanup' EXIT
trap 'exit 1' INT TERM
for cfg in token1000 defaults; do
	totem=""
	[ "$cfg" = token1000 ] && totem="  token: 1000"
	for rep in $(seq 1 "$reps"); do
		order="synod corosync"
		[ $((rep % 2)) -eq 0 ] && order="corosync synod"
		for KIND in $order; do run_once "$cfg" "$totem"; done
	done
done
trap - EXIT

section=$results/section.md
{
	echo "<!-- pacemaker:begin -->"
	echo "## Pacemaker"
	echo
	echo "Debian's Pacemaker 2.1.5 on 3 hosts in namespaces (\`bench/pacemaker_bench.sh\`,"
	echo "$(date -u +%Y-%m-%d), medians of $reps runs, synod and corosync alternating;"
	echo "2 shared cores).  *up*: from starting the cluster daemons until every node"
	echo "is online with one DC in crm_mon; *failover*: from SIGKILL of the host"
	echo "running a Dummy resource until crm_mon on the DC shows it started elsewhere."
	echo "*up* is mostly Pacemaker's own wait for a DC (dc-deadtime, 20 s), alike on both."
	echo "Reproduce: \`bench/pacemaker_bench.sh\` as root (REPS=$reps)."
	echo
	echo "| totem | daemon | up (ms) | failover (ms) | failover vs corosync |"
	echo "|---|---|---|---|---|"
	for cfg in token1000 defaults; do
		label="token: 1000"
		[ "$cfg" = defaults ] && label="defaults"
		cf=$(awk -v c="$cfg" '$1 == c && $2 == "corosync" { print $4 }' "$raw" | median)
		for k in synod corosync; do
			up=$(awk -v c="$cfg" -v k="$k" '$1 == c && $2 == k { print $3 }' "$raw" | median)
			fo=$(awk -v c="$cfg" -v k="$k" '$1 == c && $2 == k { print $4 }' "$raw" | median)
			ratio=$(awk -v a="$fo" -v b="$cf" 'BEGIN { if (b > 0) printf "%.2fx", a / b }')
			echo "| $label | $k | $up | $fo | $ratio |"
		done
	done
	echo
	echo "Runs (totem, daemon, up ms, failover ms):"
	echo
	sed 's/^/    /' "$raw"
	echo "<!-- pacemaker:end -->"
} >"$section"
cat "$section"
bench_write_section pacemaker "$section" "$out"
