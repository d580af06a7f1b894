#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# quorum_bench.sh - votequorum timing: synod against the installed corosync.
#
#   getinfo   votequorum_getinfo round trips per second, one client
#             (bench/quorum_bench getinfo): a single-node synod and a
#             single-node corosync run side by side, each in a network
#             namespace of its own, and are measured alternately, ROUNDS
#             runs each, the order flipped every round
#   loss      SIGKILL node 3 of 3 -> the first QUORUM notification without
#             node 3 on a votequorum_trackstart(CS_TRACK_CHANGES) client, on
#             each survivor (bench/quorum_bench notify); the later of the two
#             survivors counts, timed from the kill (CLOCK_REALTIME on both
#             sides).  The namespace harness of tests/cluster, a fresh
#             cluster per repetition, synod and corosync alternately (order
#             reversed every repetition), the same "token: TOKEN_MS" in totem.
# Each daemon is driven through its own client library: synod through the
# libvotequorum built here, corosync through the installed one (the same
# benchmark binary; only the library search path differs).  Medians go
# into the "## Quorum" section of BENCHMARKS.md, between the quorum:begin
# and quorum:end markers (appended when missing; the rest of the file is
# left as it is).
#
# Needs root.  Environment: REPS (5), ROUNDS (9), CALLS (20000), TOKEN_MS
# (1000), BUILD_DIR (build-bench), COROSYNC (corosync), BENCH_OUT
# (BENCHMARKS.md), RESULTS (a fresh temporary directory).  Every wait is
# bounded; only processes started here are killed, by PID; every namespace
# created here is deleted.
set -u
[ "$(id -u)" -eq 0 ] || { echo "needs root" >&2; exit 77; }
cd "$(dirname "$0")/.."
top=$PWD

reps=${REPS:-5}
rounds=${ROUNDS:-9}
calls=${CALLS:-20000}
token=${TOKEN_MS:-1000}
build=${BUILD_DIR:-build-bench}
corosync=${COROSYNC:-corosync}
out=${BENCH_OUT:-BENCHMARKS.md}
results=${RESULTS:-$(mktemp -d)}
mkdir -p "$results"
raw=$results/quorum-raw.txt
: >"$raw"

. "$top/bench/bench_lib.sh"
bench_prepare || exit 1
bench=$BUILD/bench/quorum_bench
syslib=$(dirname "$(ldconfig -p | awk '/libvotequorum\.so\.8 /{print $NF; exit}')")
CL_DIR=""
T=30
kind=synod
declare -a client_pids
tag=$$-$RANDOM
ns_syn=synod-qb-$tag
ns_cor=coro-qb-$tag
one_conf=$results/one-node.conf
syn_pid="" cor_pid=""

stop_pid() {
	local p=$1
	[ -n "$p" ] || return 0
	kill -TERM "$p" 2>/dev/null
	for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$p" 2>/dev/null
	wait "$p" 2>/dev/null
}

on_exit() {
	local p
	for p in "${client_pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	stop_pid "$syn_pid"
	stop_pid "$cor_pid"
	ip netns del "$ns_syn" 2>/dev/null
	ip netns del "$ns_cor" 2>/dev/null
	[ -n "${CL_DIR:-}" ] && [ -d "$CL_DIR" ] && cl_cleanup
}
trap on_exit EXIT
trap 'exit 130' INT TERM

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
	kind=$1
	bv_new 3 "  token: $token"
	for i in 1 2 3; do bv_start "$i"; done
	if ! cl_wait_view "1 2 3" "$T" 1 2 3 >/dev/null; then
		record loss "$2" FAIL
		bv_done
		return
	fi
	sleep 2
	measure_loss "$2"
	cp "$CL_DIR/node1.log" "$results/$kind.$2.node1.log" 2>/dev/null
	bv_done
}

# ---- getinfo: one node each, side by side -----------------------------------

sed 's/cluster_name: synod/cluster_name: bench/' "$top/conf/synod.conf" >"$one_conf"

one_start() { # ns log cmd... ; prints the pid once getinfo answers
	local ns=$1 log=$2 p lib=""
	shift 2
	ip netns add "$ns"
	ip netns exec "$ns" ip link set lo up
	ip netns exec "$ns" "$@" >"$log" 2>&1 &
	p=$!
	[ "$ns" = "$ns_cor" ] && lib=$syslib
	for _ in $(seq 1 100); do
		if ip netns exec "$ns" env LD_LIBRARY_PATH="$lib" "$bench" getinfo -n 10 >/dev/null 2>&1; then
			echo "$p"
			return 0
		fi
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	echo "$p"
	return 1
}

getinfo_round() { # kind round
	local ns=$ns_syn lib="" v
	kind=$1
	[ "$kind" = corosync ] && ns=$ns_cor lib=$syslib
	v=$(ip netns exec "$ns" env LD_LIBRARY_PATH="$lib" "$bench" getinfo -n "$calls" |
		awk '$1 == "getinfo_ops" {print $2}')
	record getinfo "$2" "${v:-FAIL}"
}

syn_pid=$(one_start "$ns_syn" "$results/synod-one.log" env -u LD_LIBRARY_PATH \
	"$BUILD/daemon/synod" -f -c "$one_conf") || echo "single-node synod did not answer" >&2
cor_pid=$(one_start "$ns_cor" "$results/corosync-one.log" unshare -m sh -c \
	"mount -t tmpfs none /run && mount -t tmpfs none /var/lib/corosync && exec $corosync -f -c $one_conf") ||
	echo "single-node corosync did not answer" >&2
for r in $(seq 1 "$rounds"); do
	if [ $((r % 2)) -eq 1 ]; then
		getinfo_round synod "$r"
		getinfo_round corosync "$r"
	else
		getinfo_round corosync "$r"
		getinfo_round synod "$r"
	fi
done
stop_pid "$syn_pid"
stop_pid "$cor_pid"
syn_pid="" cor_pid=""

# ---- node loss: 3-node clusters, one at a time -------------------------------

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
	echo "\`bench/quorum_bench.sh\`, synod against corosync; medians, ratio is"
	echo "synod / corosync.  Each daemon is driven through its own libvotequorum"
	echo "(the same \`bench/quorum_bench\` binary)."
	echo
	echo "| metric | better | synod | corosync | ratio | target | met |"
	echo "|---|---|---:|---:|---:|---|---|"
	row "votequorum_getinfo, one client (calls/s)" higher "$gs" "$gc" ">=" 1.0
	row "SIGKILL 1 of 3 -> QUORUM notification on both survivors (ms)" lower "$loss_s" "$loss_c" "<=" 0.5
	echo
	echo "getinfo: a single-node synod and a single-node corosync side by side, each"
	echo "in its own network namespace, $rounds runs of $calls calls each, alternating"
	echo "(order flipped every round); range synod $(spread synod getinfo),"
	echo "corosync $(spread corosync getinfo) calls/s.  Both daemons answer through"
	echo "libqb's shared-memory IPC, two context switches per call; a perf profile of"
	echo "synod in this loop put most of its time in the kernel's scheduling paths"
	echo "(futex wake, epoll, socket receive), so the figure follows the machine's"
	echo "load at least as much as either daemon."
	echo
	echo "Node loss: $reps repetitions per daemon, each on a fresh 3-node cluster of the"
	echo "\`tests/cluster\` namespace harness (knet, no crypto) with \`token: $token\`"
	echo "in totem, synod and corosync alternately (order reversed every"
	echo "repetition); node 3 is SIGKILLed and the time runs until the later of the"
	echo "two survivors' \`votequorum_trackstart(CS_TRACK_CHANGES)\` clients has a"
	echo "QUORUM notification without node 3.  Range synod $(spread synod loss) ms,"
	echo "corosync $(spread corosync loss) ms."
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
	echo "REPS=9 ROUNDS=15 CALLS=40000 TOKEN_MS=1000 bench/quorum_bench.sh"
	echo '```'
	echo "<!-- quorum:end -->"
} >"$section"

bench_write_section quorum "$section" "$out"
cat "$section"
echo "wrote $out; raw results in $raw" >&2
