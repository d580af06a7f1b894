#!/usr/bin/env bash
# quorum_bench.sh - votequorum timing: synod against the installed corosync.
#
# On the network-namespace harness of tests/cluster (one host per namespace
# on a bridge), for synod and corosync with the same "token: TOKEN_MS" in
# totem, alternately (order reversed every repetition), each repetition on
# a fresh 3-node cluster:
#   getinfo   votequorum_getinfo round trips per second, one client on
#             node 1 (bench/quorum_bench getinfo), ROUNDS runs per cluster
#   loss      SIGKILL node 3 -> the first QUORUM notification without node 3
#             on a votequorum_trackstart(CS_TRACK_CHANGES) client, on each
#             survivor (bench/quorum_bench notify); the later of the two
#             survivors counts, measured from the kill (CLOCK_REALTIME on
#             both sides)
# Each daemon is driven through its own client library: synod through the
# libvotequorum built here, corosync through the installed one (the same
# benchmark binary; only the library search path differs).  Medians go
# into the "## Quorum" section of BENCHMARKS.md, between the quorum:begin
# and quorum:end markers (appended when missing; the rest of the file is
# left as it is).
#
# Needs root.  Environment: REPS (5), ROUNDS (3), CALLS (20000), TOKEN_MS
# (1000), BUILD_DIR (build-bench), COROSYNC (corosync), BENCH_OUT
# (BENCHMARKS.md), RESULTS (a fresh temporary directory).  Every wait is
# bounded; only processes started here are killed, by PID; every namespace
# created here is deleted.
set -u
[ "$(id -u)" -eq 0 ] || { echo "needs root" >&2; exit 77; }
cd "$(dirname "$0")/.."
top=$PWD

reps=${REPS:-5}
rounds=${ROUNDS:-3}
calls=${CALLS:-20000}
token=${TOKEN_MS:-1000}
build=${BUILD_DIR:-build-bench}
corosync=${COROSYNC:-corosync}
out=${BENCH_OUT:-BENCHMARKS.md}
results=${RESULTS:-$(mktemp -d)}
mkdir -p "$results"
raw=$results/quorum-raw.txt
: >"$raw"

[ -d "$build" ] || meson setup "$build" --buildtype=debugoptimized >/dev/null || exit 1
ninja -C "$build" >/dev/null || exit 1
BUILD=$top/$build
bench=$BUILD/bench/quorum_bench
syslib=$(dirname "$(ldconfig -p | awk '/libvotequorum\.so\.8 /{print $NF; exit}')")
. "$top/tests/cluster/lib.sh"
rm -rf "$CL_DIR"
CL_N=0
CL_DIR=""
T=30
kind=synod
declare -a client_pids

on_exit() {
	local p
	for p in "${client_pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	[ -n "${CL_DIR:-}" ] && [ -d "$CL_DIR" ] && cl_cleanup
}
trap on_exit EXIT
trap 'exit 130' INT TERM

now_ns() { date +%s%N; }

new_cluster() {
	CL_ID=$(printf 'v%x' $((RANDOM * 32768 + RANDOM)))
	CL_HUB="syn-${CL_ID}-hub"
	CL_DIR=$(mktemp -d)
	CL_PID=()
	CL_N=0
	cl_setup 3 "  token: $token"
}

done_cluster() {
	cl_cleanup
	CL_DIR=""
}

# corosync gets a private /run and /var/lib/corosync in its own mount
# namespace; every exec keeps the PID, so CL_PID is corosync's own.
node_start() { # node
	local i=$1
	if [ "$kind" = synod ]; then
		cl_start "$i"
		return
	fi
	ip netns exec "$(cl_ns "$i")" unshare -m sh -c \
		"mount -t tmpfs none /run && mount -t tmpfs none /var/lib/corosync && exec $corosync -f -c $CL_DIR/synod.conf" \
		>>"$CL_DIR/node$i.log" 2>&1 &
	CL_PID[$i]=$!
}

cl_members() {
	if [ "$kind" = synod ]; then
		ip netns exec "$(cl_ns "$1")" "$BUILD/tools/synod-cmapctl" -q -g runtime.totem.members \
			2>/dev/null
		return
	fi
	ip netns exec "$(cl_ns "$1")" env -u LD_LIBRARY_PATH corosync-cmapctl -b runtime.members \
		2>/dev/null | awk '$2 == "(str)" && $4 == "joined" { split($1, k, "."); print k[3] }' |
		sort -n | paste -sd ' '
}

# The benchmark client in node i's namespace, on the daemon's own library.
client() { # node args...
	local i=$1
	shift
	if [ "$kind" = synod ]; then
		ip netns exec "$(cl_ns "$i")" env -u LD_LIBRARY_PATH "$bench" "$@"
	else
		ip netns exec "$(cl_ns "$i")" env LD_LIBRARY_PATH="$syslib" "$bench" "$@"
	fi
}

record() { # metric rep value-or-FAIL
	echo "$kind $1 $2 $3" >>"$raw"
	echo "$kind $1 rep$2: $3" >&2
}

wait_line() { # file pattern timeout_s
	local k
	for k in $(seq 1 $(($3 * 20))); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

measure_loss() { # rep
	local rep=$1 i t0 worst=0 ns ms
	client_pids=()
	for i in 1 2; do
		client "$i" notify -k 3 -t "$T" >"$CL_DIR/notify$i.out" 2>&1 &
		client_pids+=($!)
	done
	for i in 1 2; do
		wait_line "$CL_DIR/notify$i.out" '^ready' 10 || { record loss "$rep" FAIL; return 1; }
	done
	sleep 0.5
	t0=$(now_ns)
	kill -KILL "${CL_PID[3]}"
	for i in "${client_pids[@]}"; do wait "$i"; done
	client_pids=()
	for i in 1 2; do
		ns=$(awk '$1 == "notify_ns" {print $2}' "$CL_DIR/notify$i.out")
		[ -n "$ns" ] || { record loss "$rep" FAIL; return 1; }
		[ $((ns - t0)) -gt "$worst" ] && worst=$((ns - t0))
	done
	ms=$(awk -v d="$worst" 'BEGIN { printf "%.0f", d / 1e6 }')
	record loss "$rep" "$ms"
	cl_stop 3 KILL
}

run_kind() { # kind rep
	local r v
	kind=$1
	new_cluster
	for i in 1 2 3; do node_start "$i"; done
	if ! cl_wait_view "1 2 3" "$T" 1 2 3 >/dev/null; then
		record getinfo "$2" FAIL
		record loss "$2" FAIL
		done_cluster
		return
	fi
	sleep 2
	for r in $(seq 1 "$rounds"); do
		v=$(client 1 getinfo -n "$calls" | awk '$1 == "getinfo_ops" {print $2}')
		record getinfo "$2" "${v:-FAIL}"
	done
	measure_loss "$2"
	cp "$CL_DIR/node1.log" "$results/$kind.$2.node1.log" 2>/dev/null
	done_cluster
}

for rep in $(seq 1 "$reps"); do
	if [ $((rep % 2)) -eq 1 ]; then
		run_kind synod "$rep"
		run_kind corosync "$rep"
	else
		run_kind corosync "$rep"
		run_kind synod "$rep"
	fi
done

# ---- report ----------------------------------------------------------------

med() { # kind metric -> median of the successful values, "-" when none
	local v
	v=$(awk -v k="$1" -v m="$2" '$1 == k && $2 == m && $4 != "FAIL" { print $4 }' "$raw" | sort -g)
	[ -n "$v" ] || { echo "-"; return; }
	awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.0f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }' <<<"$v"
}
nfail() { awk -v k="$1" -v m="$2" '$1 == k && $2 == m && $4 == "FAIL"' "$raw" | wc -l; }
spread() { # kind metric -> "min-max"
	awk -v k="$1" -v m="$2" '$1 == k && $2 == m && $4 != "FAIL" { v = $4 + 0
		if (n++ == 0 || v < lo) lo = v; if (v > hi) hi = v }
		END { if (n) printf "%.0f-%.0f", lo, hi; else print "-" }' "$raw"
}

gs=$(med synod getinfo) gc=$(med corosync getinfo)
loss_s=$(med synod loss) loss_c=$(med corosync loss)
row() { # label better s c target-op target
	awk -v l="$1" -v b="$2" -v s="$3" -v c="$4" -v op="$5" -v t="$6" 'BEGIN {
		if (s ~ /^[0-9.]+$/ && c ~ /^[0-9.]+$/ && c > 0) {
			r = s / c; rs = sprintf("%.2f", r)
			met = (op == ">=") ? (r >= t) : (r <= t)
			met = met ? "yes" : "no"
		} else { rs = "-"; met = "-" }
		printf "| %s | %s | %s | %s | %s | ratio %s %s | %s |\n", l, b, s, c, rs, op, t, met
	}'
}

section=$results/quorum.md
{
	echo "<!-- quorum:begin -->"
	echo "## Quorum"
	echo
	echo "\`bench/quorum_bench.sh\`: synod and corosync with \`token: $token\` in totem,"
	echo "alternately (order reversed every repetition), $reps repetitions, each on a"
	echo "fresh 3-node cluster of the \`tests/cluster\` namespace harness (knet, no"
	echo "crypto).  Each daemon is driven through its own libvotequorum (the same"
	echo "\`bench/quorum_bench\` binary).  Medians; ratio is synod / corosync."
	echo
	echo "| metric | better | synod | corosync | ratio | target | met |"
	echo "|---|---|---:|---:|---:|---|---|"
	row "votequorum_getinfo, one client (calls/s)" higher "$gs" "$gc" ">=" 1.0
	row "SIGKILL 1 of 3 -> QUORUM notification on both survivors (ms)" lower "$loss_s" "$loss_c" "<=" 0.5
	echo
	echo "getinfo: $rounds runs of $calls calls per cluster, $((reps * rounds)) per daemon;"
	echo "range synod $(spread synod getinfo), corosync $(spread corosync getinfo) calls/s."
	echo "Node loss: one kill per cluster, the later of the two survivors' clients"
	echo "(\`votequorum_trackstart(CS_TRACK_CHANGES)\`), timed from the SIGKILL;"
	echo "range synod $(spread synod loss) ms, corosync $(spread corosync loss) ms."
	f=$(( $(nfail synod getinfo) + $(nfail synod loss) + $(nfail corosync getinfo) + $(nfail corosync loss) ))
	[ "$f" -gt 0 ] && echo "Failed measurements (left out of the medians): $f."
	echo
	echo "The notification follows the new view within the same event on both"
	echo "daemons, so the loss time is the membership layer's failure detection:"
	echo "corosync adds token_coefficient (650 ms) per node beyond two to the"
	echo "configured token and waits a consensus timeout (1.2 x token) before it"
	echo "forms the new ring; synod uses the configured token as its failure"
	echo "timeout (see the membership section)."
	echo
	echo "Machine: $(nproc) CPUs, $(uname -r), $($corosync -v 2>/dev/null | head -1)," \
		"synod commit $(git rev-parse --short HEAD 2>/dev/null), $(date -u '+%Y-%m-%d %H:%M') UTC."
	echo "The machine is shared and noisy; compare medians, not single runs."
	echo
	echo "Rerun, as root from the top of the tree (writes only this section):"
	echo
	echo '```'
	echo "bench/quorum_bench.sh"
	echo "REPS=9 ROUNDS=3 CALLS=40000 TOKEN_MS=1000 bench/quorum_bench.sh"
	echo '```'
	echo "<!-- quorum:end -->"
} >"$section"

# Replace the section between the markers, or append it.
if [ -f "$out" ] && grep -q '^<!-- quorum:begin -->' "$out"; then
	awk -v f="$section" '
		/^<!-- quorum:begin -->/ { while ((getline l < f) > 0) print l; skip = 1; next }
		/^<!-- quorum:end -->/ { skip = 0; next }
		!skip' "$out" >"$out.tmp" && mv "$out.tmp" "$out"
else
	{ [ -s "$out" ] && echo; cat "$section"; } >>"$out"
fi
cat "$section"
echo "wrote $out; raw results in $raw" >&2
