#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# stability_bench.sh - how many synod nodes stay in one view, untouched,
# on this machine.  Starts N daemons (synod's defaults) in network
# namespaces, waits for the full view, then counts the membership notices
# ("Members[N]: ...") every node logs during the run: any is a spurious
# view change.  Runs: LOADED_N nodes for LOADED_S seconds with both CPUs
# kept busy by two shell loops, then each size of SIZES for SIZE_S
# seconds unloaded.  Writes the stability section of BENCHMARKS.md.
#
# Needs root.  Environment: LOADED_N (8), LOADED_S (600), SIZES ("16 32"),
# SIZE_S (300), BUILD_DIR (build-bench), BENCH_OUT (BENCHMARKS.md).
set -u
[ "$(id -u)" -eq 0 ] || { echo "needs root" >&2; exit 77; }
cd "$(dirname "$0")/.."
top=$PWD
loaded_n=${LOADED_N:-8}
loaded_s=${LOADED_S:-600}
sizes=${SIZES:-16 32}
size_s=${SIZE_S:-300}
build=${BUILD_DIR:-build-bench}
out=${BENCH_OUT:-BENCHMARKS.md}
corosync=corosync

. "$top/bench/bench_lib.sh"
bench_prepare || exit 1
kind=synod
busy_pids=()
rows=$(mktemp)

on_exit() {
	local p
	for p in "${busy_pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
	[ -d "${CL_DIR:-}" ] && cl_cleanup
	rm -f "$rows"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

notices() { # n -> per-node counts of membership notices
	local i
	for i in $(seq 1 "$1"); do grep -c 'Members\[' "$CL_DIR/node$i.log"; done | paste -sd ' '
}

one_run() { # n seconds load(yes|no)
	local n=$1 secs=$2 load=$3 want ms before after final changes total worst
	want=$(seq -s ' ' 1 "$n")
	bv_new "$n" ""
	for i in $(seq 1 "$n"); do bv_start "$i"; done
	# shellcheck disable=SC2046
	if ! ms=$(cl_wait_view "$want" 180 $(seq 1 "$n")); then
		echo "| $n | $secs | $load | did not form within 180 s | - | - |" >>"$rows"
		bv_done
		return
	fi
	sleep 5
	before=$(notices "$n")
	if [ "$load" = yes ]; then
		timeout "$secs" sh -c 'while :; do :; done' &
		busy_pids+=($!)
		timeout "$secs" sh -c 'while :; do :; done' &
		busy_pids+=($!)
	fi
	sleep "$secs"
	for p in "${busy_pids[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null; done
	busy_pids=()
	after=$(notices "$n")
	# shellcheck disable=SC2046
	final=$(cl_wait_view "$want" 10 $(seq 1 "$n") >/dev/null && echo yes || echo no)
	changes=$(paste <(tr ' ' '\n' <<<"$after") <(tr ' ' '\n' <<<"$before") | awk '{ print $1 - $2 }')
	total=$(awk '{ s += $1 } END { print s }' <<<"$changes")
	worst=$(sort -n <<<"$changes" | tail -1)
	echo "| $n | $secs | $load | $ms | $total (most on one node: $worst) | $final |" >>"$rows"
	echo "$n nodes, $secs s, load $load: formed in $ms ms, $total view changes, full view at the end: $final" >&2
	bv_done
}

one_run "$loaded_n" "$loaded_s" yes
for n in $sizes; do one_run "$n" "$size_s" no; done

section=$(mktemp)
{
	echo "<!-- stability:begin -->"
	echo "## Stability"
	echo
	echo "synod with its defaults (400 ms failure timeout), one daemon per network"
	echo "namespace on one bridge, nothing else touching the cluster; a view change"
	echo "during the run is spurious (\`bench/stability_bench.sh\`).  Loaded = two"
	echo "busy shell loops keep both CPUs at 100 % for the whole run."
	echo
	echo "| nodes | seconds | loaded | formed in (ms) | view changes during the run | full view at the end |"
	echo "|---:|---:|---|---:|---|---|"
	cat "$rows"
	echo
	echo "Machine: $(nproc) CPUs, $(free -g | awk '/^Mem/ { print $2 }') GB, synod commit" \
		"$(git rev-parse --short HEAD 2>/dev/null), $(date -u '+%Y-%m-%d %H:%M UTC')."
	echo
	echo '```'
	echo "bench/stability_bench.sh"
	echo '```'
	echo "<!-- stability:end -->"
} >"$section"
bench_write_section stability "$section" "$out"
rm -f "$section"
echo "wrote $out" >&2
