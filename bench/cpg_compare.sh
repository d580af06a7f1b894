#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# cpg_compare.sh - CPG, synod against the installed corosync, in one run:
# the same client binary (bench/cpg_bench.c, linked against the system's
# libcpg) on both daemons.
#
# NODES (3) nodes in network namespaces, `token: TOKEN_MS` for both.  The
# sender is the highest node id (not the lowest, which is synod's
# sequencer); every other node runs `cpg_bench recv`, which reports what
# it delivered for each run.  Workloads:
#   latency    1 kB messages, one in flight: p50/p99 send -> own delivery
#   flood-1k   1 kB messages as fast as CPG takes them
#   flood-64k  64 kB messages
#   flood-1m   1 MiB messages (above libcpg's atomic size: libcpg sends
#              them in fragments, the daemons deliver them whole)
# Throughput is measured at every member (messages of the run delivered,
# from the send time of the first message to the member's last delivery)
# and the slowest member is reported.  Daemon CPU per delivered message:
# utime+stime of every node's daemon (/proc/PID/stat) across the
# workload, summed, divided by COUNT x NODES deliveries.  Every delivered
# message is checked byte for byte and for order on every member.
#
# One cluster per system and repetition, the order alternating; the
# section between cpg-<NODES>:begin/end in BENCH_OUT gets medians and
# ranges (the rest of the file is kept).
#
# PROFILE_DIR=dir: instead of measuring, run one system (PROFILE_KIND,
# synod unless set) once with `perf record -g` on every daemon during each
# flood workload and write the data and a per-symbol summary into dir.
#
# Needs root.  Environment: REPS (3), NODES (3), TOKEN_MS (1000),
# BUILD_DIR (build-bench), COROSYNC (corosync), BENCH_OUT (BENCHMARKS.md),
# TIMEOUT_S (120, per workload), PROFILE_DIR.
set -u
[ "$(id -u)" -eq 0 ] || { echo "needs root" >&2; exit 77; }
cd "$(dirname "$0")/.." || exit 1
top=$PWD
reps=${REPS:-3}
nodes=${NODES:-3}
token=${TOKEN_MS:-1000}
build=${BUILD_DIR:-build-bench}
corosync=${COROSYNC:-corosync}
out=${BENCH_OUT:-BENCHMARKS.md}
limit=${TIMEOUT_S:-120}
profile=${PROFILE_DIR:-}
raw=$(mktemp)
recv_dir=$(mktemp -d)

. "$top/bench/bench_lib.sh"
bench_prepare || exit 1
[ -x "$BUILD/bench/cpg_bench" ] || { echo "cpg_bench not built (libcpg-dev)" >&2; exit 1; }
command -v "$corosync" >/dev/null || [ -n "$profile" ] || { echo "no $corosync" >&2; exit 1; }
kind=synod
sender=$nodes
declare -a RECV=()
PERF=""

on_exit() {
	local p
	for p in "${RECV[@]:-}" $PERF; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
	[ -d "${CL_DIR:-}" ] && cl_cleanup
	rm -rf "$raw" "$recv_dir"
}
trap on_exit EXIT
trap 'exit 130' INT TERM

# name count size mode
workloads="latency 1000 1024 serial
flood-1k 20000 1024 flood
flood-64k 1000 65536 flood
flood-1m 64 1048576 flood"

# utime+stime, in clock ticks, of every node's daemon
daemon_ticks() {
	local i sum=0 f
	for i in $(seq 1 "$nodes"); do
		f=$(cut -d')' -f2- "/proc/${CL_PID[$i]}/stat" 2>/dev/null) || { echo -1; return; }
		# after the comm field: state is field 1, utime 12, stime 13
		sum=$((sum + $(echo "$f" | awk '{ print $12 + $13 }')))
	done
	echo "$sum"
}

# key=value of one field in a report line
field() { echo "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k { print $2 }'; }

# Wait until every receiver has printed its report line number n.
wait_receivers() { # n
	local i t ok
	for t in $(seq 1 $((limit * 10))); do
		ok=1
		for i in $(seq 1 $((nodes - 1))); do
			[ "$(wc -l <"$recv_dir/$i")" -ge "$1" ] || { ok=0; break; }
		done
		[ $ok = 1 ] && return 0
		sleep 0.1
	done
	return 1
}

# Run one workload from the sender and put one line into raw: the
# sender's latency, the slowest member's throughput, CPU per message,
# errors.
workload() { # rep n name count size mode
	local rep=$1 n=$2 name=$3 count=$4 size=$5 mode=$6 line t0 t1 i m
	local args=(run "$nodes" "$count" "$size") min_mb="" min_msgs="" bad=0 short=0 who=""
	[ "$mode" = serial ] && args+=(serial)
	t0=$(daemon_ticks)
	line=$(ip netns exec "$(cl_ns "$sender")" timeout "$limit" "$BUILD/bench/cpg_bench" \
		"${args[@]}") || line=""
	if [ -z "$line" ] || ! wait_receivers "$n"; then
		echo "$kind $name $rep FAIL" >>"$raw"
		echo "$kind $name rep$rep: FAIL (sender: '${line}')" >&2
		for i in $(seq 1 $((nodes - 1))); do echo "  node $i: $(tail -1 "$recv_dir/$i")" >&2; done
		return 1
	fi
	t1=$(daemon_ticks)
	bad=$(field "$line" bad)
	min_mb=$(field "$line" mb_per_s)
	min_msgs=$(field "$line" msgs_per_s)
	who=$sender
	for i in $(seq 1 $((nodes - 1))); do
		m=$(sed -n "${n}p" "$recv_dir/$i")
		bad=$((bad + $(field "$m" bad) + $(field "$m" out_of_order)))
		[ "$(field "$m" delivered)" = "$count" ] || short=$((short + 1))
		if awk -v a="$(field "$m" mb_per_s)" -v b="$min_mb" 'BEGIN { exit !(a < b) }'; then
			min_mb=$(field "$m" mb_per_s)
			min_msgs=$(field "$m" msgs_per_s)
			who=$i
		fi
	done
	local cpu_us
	cpu_us=$(awk -v d=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v c="$count" -v n="$nodes" \
		'BEGIN { printf "%.1f", d / hz * 1e6 / (c * n) }')
	line="lat_p50_us=$(field "$line" lat_p50_us) lat_p99_us=$(field "$line" lat_p99_us)"
	line="$line min_mb_per_s=$min_mb min_msgs_per_s=$min_msgs slowest=$who"
	line="$line cpu_us_per_msg=$cpu_us errors=$((bad + short))"
	echo "$kind $name $rep $line" >>"$raw"
	echo "$kind $name rep$rep: $line" >&2
}

# Wait for an N-node view, through cmap on either system.
wait_view() {
	local want i t
	want=$(seq 1 "$nodes" | paste -sd ' ')
	for t in $(seq 1 120); do
		for i in $(seq 1 "$nodes"); do
			[ "$(KIND=$kind cl_members "$i")" = "$want" ] || { sleep 1; continue 2; }
		done
		sleep 1
		return 0
	done
	echo "no $nodes-node view" >&2
	return 1
}

one_system() { # rep
	local rep=$1 name count size mode i n=0
	bv_new "$nodes" "  token: $token"
	for i in $(seq 1 "$nodes"); do bv_start "$i"; done
	wait_view || { bv_done; return; }
	RECV=()
	for i in $(seq 1 $((nodes - 1))); do
		: >"$recv_dir/$i"
		ip netns exec "$(cl_ns "$i")" "$BUILD/bench/cpg_bench" recv >"$recv_dir/$i" &
		RECV+=($!)
	done
	sleep 1
	while read -r name count size mode; do
		n=$((n + 1))
		if [ -n "$profile" ] && [ "$mode" = flood ]; then
			local pids
			pids=$(for i in $(seq 1 "$nodes"); do echo "${CL_PID[$i]}"; done | paste -sd ,)
			perf record -g -q -o "$profile/$name.data" -p "$pids" >/dev/null 2>&1 &
			PERF=$!
			sleep 0.5
		fi
		workload "$rep" "$n" "$name" "$count" "$size" "$mode"
		if [ -n "$PERF" ]; then
			kill -INT "$PERF"
			wait "$PERF"
			PERF=""
			perf report -i "$profile/$name.data" --no-children --sort dso,sym --stdio \
				2>/dev/null | grep -v '^#' | grep '%' | head -40 >"$profile/$name.txt"
		fi
	done <<<"$workloads"
	for i in "${RECV[@]:-}"; do [ -n "$i" ] && kill "$i" 2>/dev/null && wait "$i" 2>/dev/null; done
	RECV=()
	bv_done
}

if [ -n "$profile" ]; then
	mkdir -p "$profile"
	kind=${PROFILE_KIND:-synod}
	one_system 1
	echo "profiles in $profile" >&2
	exit 0
fi

for rep in $(seq 1 "$reps"); do
	if [ $((rep % 2)) -eq 1 ]; then order="synod corosync"; else order="corosync synod"; fi
	for kind in $order; do one_system "$rep"; done
done

# values of field f over the runs of system s, workload w, sorted
values() { # s w f
	awk -v s="$1" -v w="$2" -v f="$3" '$1 == s && $2 == w {
		for (i = 4; i <= NF; i++) { split($i, kv, "="); if (kv[1] == f) print kv[2] } }' "$raw" |
		sort -g
}
med() { values "$@" | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "-" }'; }
range() { values "$@" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR) print lo "–" hi; else print "-" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f\n", a / b }'; }
verdict() { # ratio op target
	awk -v r="$1" -v op="$2" -v t="$3" 'BEGIN { if (r == "-") print "-";
		else if ((op == "ge" && r >= t) || (op == "le" && r <= t)) print "met"; else print "**missed**" }'
}
fails() { grep -c "^$1 .* FAIL$" "$raw"; }

section=$(mktemp)
{
	echo "<!-- cpg-$nodes:begin -->"
	echo "## CPG, $nodes nodes"
	echo
	echo "$nodes nodes in network namespaces, \`token: $token\` for both daemons, $reps"
	echo "repetitions alternating between the systems, one fresh cluster each"
	echo "(\`bench/cpg_compare.sh\`).  Both run the same client, \`bench/cpg_bench.c\`"
	echo "linked against Debian's libcpg4, CPG_TYPE_AGREED; the sender is node $nodes"
	echo "(for synod not the sequencer), every other node runs a receiver.  Cells:"
	echo "median [min–max].  Latency: send -> own delivery at the sender, 1 kB, one"
	echo "in flight.  Throughput: at every member, from the send time of the first"
	echo "message to the member's last delivery; the slowest member is shown."
	echo "CPU: utime+stime of all $nodes daemons over the workload (idle token"
	echo "rotation included) / ($nodes x messages), in µs; the clients are not"
	echo "counted.  Every delivered message is checked byte for byte and for order"
	echo "at every member; errors: synod $(fails synod) failed runs, corosync $(fails corosync)."
	echo
	echo "| workload | metric | synod | corosync | synod / corosync | target |"
	echo "|---|---|---:|---:|---:|---|"
	for w in latency flood-1k flood-64k flood-1m; do
		case $w in
		latency) metrics="lat_p50_us lat_p99_us cpu_us_per_msg" ;;
		*) metrics="min_msgs_per_s min_mb_per_s cpu_us_per_msg" ;;
		esac
		for f in $metrics; do
			a=$(med synod "$w" "$f")
			b=$(med corosync "$w" "$f")
			r=$(ratio "$a" "$b")
			case $f in
			lat_*) t="≤ 0.5: $(verdict "$r" le 0.5)" ;;
			min_*) t="≥ 1.5: $(verdict "$r" ge 1.5)" ;;
			cpu_*) t="≤ 1.0: $(verdict "$r" le 1.0)" ;;
			esac
			echo "| $w | $f | $a [$(range synod "$w" "$f")] |" \
				"$b [$(range corosync "$w" "$f")] | $r | $t |"
		done
	done
	echo
	echo "Workloads: latency = 1,000 messages of 1 kB one in flight; flood-1k ="
	echo "20,000 x 1 kB; flood-64k = 1,000 x 64 kB; flood-1m = 64 x 1 MiB (libcpg"
	echo "sends these in fragments of just under 1 MB)."
	echo
	echo "Machine: $(nproc) CPUs shared with other work running at the same time"
	echo "(load average $(cut -d' ' -f1-3 /proc/loadavg) at the end), so the ranges"
	echo "matter more than single figures; $($corosync -v 2>/dev/null | head -1),"
	echo "synod commit $(git rev-parse --short HEAD 2>/dev/null), $(date -u '+%Y-%m-%d %H:%M UTC')."
	echo
	echo '```'
	echo "sudo REPS=$reps NODES=$nodes bench/cpg_compare.sh"
	echo '```'
	echo "<!-- cpg-$nodes:end -->"
} >"$section"
bench_write_section "cpg-$nodes" "$section" "$out"
rm -f "$section"
echo "wrote $out" >&2
