#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# stability_bench.sh - how many synod nodes stay in one view, untouched,
# on this machine.  Starts N daemons in network namespaces, waits for the
# full view, then counts the membership notices ("Members[N]: ...") every
# node logs during the run: any is a spurious view change.  At the end the
# node with the highest id is SIGKILLed and the time until every survivor
# logs the view without it is read from their logs.  Runs: LOADED_N nodes
# for LOADED_S seconds with both CPUs kept busy by two shell loops (0
# skips it), then each size of SIZES for SIZE_S seconds unloaded.  A size
# is N (synod's defaults: 400 ms failure timeout) or N:T ("token: T" in
# totem).  Writes the stability section of BENCHMARKS.md.
#
# Needs root.  Environment: LOADED_N (8), LOADED_S (600), SIZES
# ("16 32 3:3000 64:3000"), SIZE_S (300), BUILD_DIR (build-bench),
# BENCH_OUT (BENCHMARKS.md).
set -u
[ "$(id -u)" -eq 0 ] || { echo "needs root" >&2; exit 77; }
cd "$(dirname "$0")/.."
top=$PWD
loaded_n=${LOADED_N:-8}
loaded_s=${LOADED_S:-600}
sizes=${SIZES:-16 32 3:3000 64:3000}
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

one_run() { # n seconds load(yes|no) token_ms(empty: defaults)
	local n=$1 secs=$2 load=$3 token=${4:-} want ms before after final changes total worst
	local totem="" label=defaults kill_ms rest
	[ -n "$token" ] && totem="  token: $token" label="token: $token"
	want=$(seq -s ' ' 1 "$n")
	bv_new "$n" "$totem"
	for i in $(seq 1 "$n"); do bv_start "$i"; done
	# shellcheck disable=SC2046
	if ! ms=$(cl_wait_view "$want" 180 $(seq 1 "$n")); then
		echo "| $n | $label | $secs | $load | did not form within 180 s | - | - | - |" >>"$rows"
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
	kill_ms=-
	if [ "$final" = yes ]; then
		rest=$(seq -s ' ' 1 $((n - 1)))
		t0_sod=$(sod_now)
		kill -KILL "${CL_PID[$n]}"
		# shellcheck disable=SC2046
		if cl_wait_view "$rest" 60 $(seq 1 $((n - 1))) >/dev/null; then
			kill_ms=$(log_view_ms "$t0_sod" "$rest|$rest") || kill_ms=-
		fi
	fi
	echo "| $n | $label | $secs | $load | $ms | $total (most on one node: $worst) | $final | $kill_ms |" >>"$rows"
	echo "$n nodes, $label, $secs s, load $load: formed in $ms ms, $total view changes," \
		"full view at the end: $final, SIGKILL -> view $kill_ms ms" >&2
	bv_done
}

[ "$loaded_n" -gt 0 ] && one_run "$loaded_n" "$loaded_s" yes
for size in $sizes; do
	case $size in
	*:*) one_run "${size%%:*}" "$size_s" no "${size#*:}" ;;
	*) one_run "$size" "$size_s" no ;;
	esac
done

section=$(mktemp)
{
	echo "<!-- stability:begin -->"
	echo "## Stability"
	echo
	echo "synod, one daemon per network namespace on one bridge, nothing else"
	echo "touching the cluster; a view change during the run is spurious"
	echo "(\`bench/stability_bench.sh\`).  totem: synod's defaults (400 ms failure"
	echo "timeout) or the token given.  Loaded = two busy shell loops keep both"
	echo "CPUs at 100 % for the whole run.  SIGKILL -> view: the highest node"
	echo "killed at the end, until every survivor logged the view without it."
	echo
	echo "| nodes | totem | seconds | loaded | formed in (ms) | view changes during the run | full view at the end | SIGKILL -> view (ms) |"
	echo "|---:|---|---:|---|---:|---|---|---:|"
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
