#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# bcast_bench.sh - ordered broadcast in a 3-node view: synod against the
# installed corosync, in one run.
#
# synod: synod-bcast on node 3 asks its daemon to broadcast (svc_bcast.c);
# corosync: cpg_bench (bench/cpg_bench.c) sends through CPG with agreed
# order from node 3 while cpg_bench recv runs on nodes 1 and 2.  Node 3 is
# not synod's leader (the lowest id is), so its messages make the full
# round trip through the sequencer.  Both measure on the
# sender: latency = send -> own delivery in the total order; throughput =
# first send -> last own delivery.  Workloads: one message in flight
# (latency), a flood of 1 kB messages, a flood of 100 kB messages (seven
# fragments each in synod).  One cluster per system and repetition, the
# order alternating; medians go into BENCHMARKS.md between
# broadcast:begin/end (the rest of the file is kept).  The difference in
# path is stated in the report: synod's messages start inside the daemon,
# CPG's cross the IPC from the client, as an application's would.
#
# Needs root.  Environment: REPS (3), TOKEN_MS (1000, both systems),
# BUILD_DIR (build-bench), COROSYNC (corosync), BENCH_OUT (BENCHMARKS.md).
set -u
[ "$(id -u)" -eq 0 ] || { echo "needs root" >&2; exit 77; }
cd "$(dirname "$0")/.."
top=$PWD
reps=${REPS:-3}
token=${TOKEN_MS:-1000}
build=${BUILD_DIR:-build-bench}
corosync=${COROSYNC:-corosync}
out=${BENCH_OUT:-BENCHMARKS.md}
raw=$(mktemp)

. "$top/bench/bench_lib.sh"
bench_prepare || exit 1
kind=synod
declare -a RECV=()

on_exit() {
	local p
	for p in "${RECV[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
	[ -d "${CL_DIR:-}" ] && cl_cleanup
	rm -f "$raw"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

have_cpg=1
[ -x "$BUILD/bench/cpg_bench" ] && command -v "$corosync" >/dev/null || have_cpg=0

# name count size mode
workloads="latency 500 1000 serial
flood-1k 5000 1000 flood
flood-100k 200 100000 flood"

send() { # node count size mode
	local args=("$2" "$3")
	[ "$4" = serial ] && args+=(serial)
	if [ "$kind" = synod ]; then
		ip netns exec "$(cl_ns "$1")" timeout 300 "$BUILD/tools/synod-bcast" run "${args[@]}"
	else
		ip netns exec "$(cl_ns "$1")" timeout 300 "$BUILD/bench/cpg_bench" run 3 "${args[@]}"
	fi
}

one_system() { # rep
	local rep=$1 name count size mode line i
	# synod offers the load service only when configured (corosync
	# ignores the key)
	CL_SYSTEM="  bcast_service: yes" bv_new 3 "  token: $token"
	for i in 1 2 3; do bv_start "$i"; done
	cl_wait_view_any || { bv_done; return; }
	RECV=()
	if [ "$kind" = corosync ]; then
		for i in 1 2; do
			ip netns exec "$(cl_ns "$i")" "$BUILD/bench/cpg_bench" recv &
			RECV+=($!)
		done
		sleep 1
	fi
	while read -r name count size mode; do
		line=$(send 3 "$count" "$size" "$mode") || line="FAIL"
		echo "$kind $name $rep $line" >>"$raw"
		echo "$kind $name rep$rep: $line" >&2
	done <<<"$workloads"
	for i in "${RECV[@]:-}"; do [ -n "$i" ] && kill "$i" 2>/dev/null && wait "$i" 2>/dev/null; done
	RECV=()
	bv_done
}

# Wait for a 3-node view, through cmap on either system.
cl_wait_view_any() {
	local i t
	for t in $(seq 1 300); do
		for i in 1 2 3; do
			if [ "$kind" = synod ]; then
				[ "$(cl_members "$i")" = "1 2 3" ] || continue 2
			else
				[ "$(ip netns exec "$(cl_ns "$i")" corosync-quorumtool -p 2>/dev/null |
					grep -c 'Nodes:.*3')" = 1 ] || continue 2
			fi
		done
		sleep 1
		return 0
	done
	echo "no 3-node view" >&2
	return 1
}

for rep in $(seq 1 "$reps"); do
	if [ $((rep % 2)) -eq 1 ] || [ $have_cpg = 0 ]; then order="synod corosync"; else order="corosync synod"; fi
	for kind in $order; do
		[ "$kind" = corosync ] && [ $have_cpg = 0 ] && continue
		one_system "$rep"
	done
done

# median of field f over the runs of system s, workload w ("-" if none)
med() { # s w f
	awk -v s="$1" -v w="$2" -v f="$3" '$1 == s && $2 == w {
		for (i = 4; i <= NF; i++) { split($i, kv, "="); if (kv[1] == f) print kv[2] } }' "$raw" |
		sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "-" }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f\n", a / b }'; }

section=$(mktemp)
{
	echo "<!-- broadcast:begin -->"
	echo "## Ordered broadcast"
	echo
	echo "3 nodes in network namespaces, \`token: $token\` for both, medians of $reps"
	echo "runs alternating between the systems (\`bench/bcast_bench.sh\`).  Measured on"
	echo "the sender: latency from send to its own delivery in the agreed order,"
	echo "throughput from the first send to the last own delivery; the sender is"
	echo "node 3, which for synod is not the sequencer.  synod's"
	echo "messages are generated inside the sending daemon (\`synod-bcast\`, the"
	echo "svc_bcast service); corosync's come from a CPG client (\`bench/cpg_bench.c\`,"
	echo "CPG_TYPE_AGREED) and so also cross the local IPC.  Every delivered message"
	echo "is checked byte for byte on every node."
	echo
	echo "| workload | metric | synod | corosync | synod / corosync |"
	echo "|---|---|---:|---:|---:|"
	for w in latency flood-1k flood-100k; do
		case $w in
		latency) metrics="lat_p50_us lat_p99_us" ;;
		*) metrics="msgs_per_s mb_per_s lat_p50_us" ;;
		esac
		for f in $metrics; do
			a=$(med synod "$w" "$f")
			b=$(med corosync "$w" "$f")
			echo "| $w | $f | $a | $b | $(ratio "$a" "$b") |"
		done
	done
	echo
	echo "Large messages: in synod every message goes to the sequencer first and"
	echo "is then sent by it to every member: from a sender other than the"
	echo "sequencer a message takes two hops and, in a 3-node view, three copies"
	echo "cross the links (CPG: one hop, two copies).  With 100 kB messages this"
	echo "likely sets the pace (not profiled further); corosync's throughput is"
	echo "higher there.  With small messages, and in latency, synod is ahead."
	echo
	echo "Workloads: latency = 500 messages of 1 kB, one in flight; flood-1k ="
	echo "5,000 messages of 1 kB; flood-100k = 200 messages of 100 kB (synod"
	echo "sends each in seven fragments, docs/membership.md)."
	echo
	echo "Machine: $(nproc) CPUs, $($corosync -v 2>/dev/null | head -1), synod commit" \
		"$(git rev-parse --short HEAD 2>/dev/null), $(date -u '+%Y-%m-%d %H:%M UTC')."
	echo
	echo '```'
	echo "bench/bcast_bench.sh"
	echo '```'
	echo "<!-- broadcast:end -->"
} >"$section"
bench_write_section broadcast "$section" "$out"
rm -f "$section"
echo "wrote $out" >&2
