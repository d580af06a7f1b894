#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# run.sh - benchmark synod against corosync and write BENCHMARKS.md.
#
# Builds the tree if needed, starts synod and the installed corosync each in
# its own network namespace (both serve the same IPC names), then runs
# bench/cmap_bench alternately against each, ROUNDS times per daemon, the
# order flipping every round.  Medians over rounds go into BENCHMARKS.md at
# the top of the tree; raw per-round output stays in the results directory.
#
# Each daemon is measured with its own client library: synod with the
# libcmap built here, corosync with the installed one (the same benchmark
# binary; only the library search path differs).  With BENCH_CLIENT=system
# synod is driven through the installed libcmap too, which isolates the
# daemon.
#
# Needs root (ip netns).  Environment: ROUNDS (default 5), BENCH_OPS
# (default 20000), BUILD_DIR (default build-bench), COROSYNC (default
# /usr/sbin/corosync), RESULTS (default: a fresh temporary directory),
# BENCH_OUT (default BENCHMARKS.md).  Every wait is bounded; only the
# daemons started here are killed; the namespaces are deleted on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD

rounds=${ROUNDS:-5}
ops=${BENCH_OPS:-20000}
build=${BUILD_DIR:-build-bench}
corosync=${COROSYNC:-/usr/sbin/corosync}
client=${BENCH_CLIENT:-own}
out=${BENCH_OUT:-BENCHMARKS.md}

if [ ! -d "$build" ]; then
	meson setup "$build" >/dev/null
fi
ninja -C "$build" >/dev/null

bench=$top/$build/bench/cmap_bench
wait_ready=$top/$build/tests/integration/wait-ready
synod=$top/$build/daemon/synod
# Directory of the installed libcmap.so.4, to run the same binary on it.
syslib=$(dirname "$(ldconfig -p | awk '/libcmap\.so\.4 /{print $NF; exit}')")

results=${RESULTS:-$(mktemp -d)}
mkdir -p "$results"
tag=$$-$RANDOM
ns_syn=synod-bench-$tag
ns_cor=coro-bench-$tag
syn_pid=""
cor_pid=""
conf=$(mktemp)

stop_daemon() {
	local pid=$1
	[ -n "$pid" ] || return 0
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}
cleanup() {
	stop_daemon "$syn_pid"
	stop_daemon "$cor_pid"
	ip netns del "$ns_syn" 2>/dev/null || true
	ip netns del "$ns_cor" 2>/dev/null || true
	rm -f "$conf"
}
trap cleanup EXIT

# corosync gets the same single-node knet set-up as conf/synod.conf.
sed 's/cluster_name: synod/cluster_name: bench/' "$top/conf/synod.conf" >"$conf"

# start_daemon NS LIBPATH LOG CMD... ; prints the daemon's pid.
start_daemon() {
	local ns=$1 libpath=$2 log=$3
	shift 3
	ip netns add "$ns"
	ip netns exec "$ns" ip link set lo up
	# ip netns exec execs the command, so $! is the daemon itself.
	ip netns exec "$ns" "$@" >"$log" 2>&1 &
	local pid=$!
	for _ in $(seq 1 100); do
		if LD_LIBRARY_PATH=$libpath ip netns exec "$ns" "$wait_ready" 2>/dev/null; then
			echo "$pid"
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "daemon in $ns did not become ready; its log:" >&2
	tail -20 "$log" >&2
	return 1
}

syn_lib=""
[ "$client" = system ] && syn_lib=$syslib
syn_pid=$(start_daemon "$ns_syn" "$syn_lib" "$results/synod.log" \
	"$synod" -f -c "$top/conf/synod.conf")
cor_pid=$(start_daemon "$ns_cor" "$syslib" "$results/corosync.log" "$corosync" -f -c "$conf")

run_one() { # run_one NAME ROUND
	local name=$1 round=$2 ns pid lib
	if [ "$name" = synod ]; then ns=$ns_syn pid=$syn_pid lib=$syn_lib
	else ns=$ns_cor pid=$cor_pid lib=$syslib; fi
	echo "round $round: $name" >&2
	if ! LD_LIBRARY_PATH=$lib timeout 300 ip netns exec "$ns" "$bench" -p "$pid" -n "$ops" \
		>"$results/$name.$round.txt"; then
		echo "benchmark against $name failed in round $round" >&2
		return 1
	fi
}
for r in $(seq 1 "$rounds"); do
	if [ $((r % 2)) -eq 1 ]; then run_one synod "$r"; run_one corosync "$r"
	else run_one corosync "$r"; run_one synod "$r"; fi
done

# metric, direction (+ higher is better, - lower is better), target
# (ratio bound, or an absolute bound on synod's value), label.
metrics='set_ops + >=1.0 set round trips (ops/s)
get_ops + >=1.0 get round trips (ops/s)
inc_ops + - inc round trips (ops/s)
notify_rate + >=2.0 notifications delivered, 8 trackers (notif/s)
iter_rate + - iteration, 10k keys (keys/s)
mt4_ops + >=1.5 4 clients set+get aggregate (ops/s)
cpu_us_per_req - <=0.2 daemon CPU per request (us)
rss_kb - abs<=10240 daemon RSS after workload (kB)'

median() { # median METRIC NAME
	cat "$results/$2".*.txt | awk -v m="$1" '$1 == m {print $2}' | sort -g |
		awk '{v[NR] = $1} END {if (NR == 0) print "nan";
			else if (NR % 2) print v[(NR + 1) / 2];
			else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

{
	echo "# Benchmarks: synod vs corosync (cmap)"
	echo
	echo "Medians of $rounds rounds per daemon, run alternately (order flipped every"
	echo "round) by \`bench/run.sh\` with \`bench/cmap_bench -n $ops\`. Each daemon runs"
	echo "alone in its own network namespace on the same single-node knet"
	echo "configuration."
	if [ "$client" = system ]; then
		echo "Both daemons are driven through the installed corosync libcmap."
	else
		echo "synod is driven through its own libcmap, corosync through the installed one"
		echo "(same benchmark binary)."
	fi
	echo
	echo "Ratio is synod / corosync. For throughput rows higher is better; for daemon"
	echo "CPU per request and RSS lower is better (a ratio below 1 means synod uses less)."
	echo
	echo "| metric | better | synod | corosync | ratio | target | met |"
	echo "|---|---|---:|---:|---:|---|---|"
	echo "$metrics" | while read -r m dir target label; do
		s=$(median "$m" synod)
		c=$(median "$m" corosync)
		awk -v m="$label" -v d="$dir" -v s="$s" -v c="$c" -v t="$target" 'BEGIN {
			r = (c > 0) ? s / c : 0
			better = (d == "+") ? "higher" : "lower"
			met = "-"; tgt = "-"
			if (t ~ /^abs<=/) {
				b = substr(t, 6); tgt = "synod <= " b / 1024 " MB"
				met = (s <= b) ? "yes" : "no"
			} else if (t ~ /^>=/) {
				b = substr(t, 3); tgt = "ratio >= " b
				met = (r >= b) ? "yes" : "no"
			} else if (t ~ /^<=/) {
				b = substr(t, 3); tgt = "ratio <= " b
				met = (r <= b) ? "yes" : "no"
			}
			fmt = (s < 100) ? "%.2f" : "%.0f"
			printf "| %s | %s | " fmt " | " fmt " | %.2f | %s | %s |\n",
				m, better, s, c, r, tgt, met
		}'
	done
	echo
	echo "Notifications lost (median per run): synod $(median notify_lost synod)," \
		"corosync $(median notify_lost corosync)."
	echo "Daemon RSS split (median kB, anon / file / shmem): synod" \
		"$(median rss_anon_kb synod) / $(median rss_file_kb synod) / $(median rss_shmem_kb synod)," \
		"corosync $(median rss_anon_kb corosync) / $(median rss_file_kb corosync) /" \
		"$(median rss_shmem_kb corosync)."
	echo
	cat "$(dirname "$0")/cmap-gaps.md"
	echo
	echo "## Machine"
	echo
	echo "- CPUs (nproc): $(nproc)"
	echo "- CPU: $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
	echo "- kernel: $(uname -sr)"
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- corosync: $("$corosync" -v 2>/dev/null | head -1 | sed 's/[[:space:]]*$//')"
	echo "- synod: commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)," \
		"$(meson configure "$build" 2>/dev/null | awk '$1 == "buildtype" {print $2}') build"
	echo
	echo "## Rerun"
	echo
	echo "As root, from the top of the tree:"
	echo
	echo '```'
	echo 'bench/run.sh                      # builds if needed, writes BENCHMARKS.md'
	echo 'ROUNDS=9 BENCH_OPS=40000 bench/run.sh'
	echo 'BENCH_CLIENT=system bench/run.sh  # drive synod through the installed libcmap'
	echo '```'
	echo
	echo "Single run against a daemon already serving cmap in the current namespace:"
	echo "\`cmap_bench -p DAEMON_PID\` prints one \`metric value unit\` line per metric."
	echo "The machine is shared and noisy; compare medians, not single runs."
} >"$out.new"
# Keep the sections other scripts own (membership, broadcast, stability,
# quorum: <!-- name:begin --> ... <!-- name:end -->), from the first on.
first=$(grep -n -m1 -E '^<!-- [a-z]+:begin -->' "$out" 2>/dev/null | cut -d: -f1 || true)
if [ -n "$first" ]; then
	{ echo; tail -n +"$first" "$out"; } >>"$out.new"
fi
mv "$out.new" "$out"
echo "wrote $out; raw results in $results" >&2
