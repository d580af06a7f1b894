#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# cmapctl-compat.sh - compatibility harness for corosync-cmapctl and the cmap
# service.
#
# Runs one fixed script of cmapctl invocations (every value type, bin from a
# file and from stdin, deletes, prefix deletes, -p load files, tracking,
# the stats map, error paths) against a freshly started daemon in its own
# network namespace, and records stdout, stderr and exit status of each
# invocation in a transcript.  The transcript of the reference pair
# (corosync-cmapctl against corosync) is the baseline; every other pair of
# tool and daemon must produce the same transcript:
#
#   synod-tool/ref-daemon        synod-cmapctl          vs corosync
#   ref-tool/synod-daemon        corosync-cmapctl       vs synod
#   synod-tool/synod-daemon      synod-cmapctl          vs synod
#   ref-tool+synod-lib/synod     corosync-cmapctl with LD_LIBRARY_PATH=$BUILD/lib vs synod
#
# When corosync is not installed, the checked-in transcript
# cmapctl-expected.txt is the baseline (and "golden" compares the live
# reference with it when corosync is installed).  Pairs whose parts are
# missing are reported as SKIP.  "synod-tool/extras" checks what synod-cmapctl
# adds (--json, stopping on stdin hang-up), which has no reference.
#
# Normalisation (the only differences accepted between daemons), applied
# to the steps that name it:
#   ids       stats.ipcs.service<S>.<pid>.<pointer>. -> ...service<S>.<PID>.<PTR>.
#             (process ids and connection pointers differ between runs)
#   values    " = <value>" -> " = <V>" for stats counters, which depend on
#             timing; only the key names and types are compared
#
# Every tool is run through a symlink named corosync-cmapctl found on PATH,
# so messages that carry the program name (getopt's) are comparable.
#
# Usage: cmapctl-compat.sh [--regen]
#   BUILD           meson build directory (default: ./build)
#   SYNOD_DAEMON    synod daemon (default: $BUILD/daemon/synod)
#   SYNOD_CMAPCTL   synod-cmapctl (default: $BUILD/tools/synod-cmapctl)
#   REF_DAEMON      reference daemon (default: corosync from PATH)
#   REF_CMAPCTL     reference tool (default: corosync-cmapctl from PATH)
#   TRACK_SETTLE    seconds to let a tracker register / events arrive (default 1)
#   KEEP            set to keep the work directory
# --regen rewrites cmapctl-expected.txt from the reference pair.
# Needs root (network namespaces).  Exit status: 0 all passed (or skipped),
# 1 a comparison failed, 2 the harness could not run, 77 not root (skipped).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD=${BUILD:-build}
SYNOD_DAEMON=${SYNOD_DAEMON:-$BUILD/daemon/synod}
SYNOD_CMAPCTL=${SYNOD_CMAPCTL:-$BUILD/tools/synod-cmapctl}
REF_DAEMON=${REF_DAEMON:-$(command -v corosync || true)}
REF_CMAPCTL=${REF_CMAPCTL:-$(command -v corosync-cmapctl || true)}
TRACK_SETTLE=${TRACK_SETTLE:-1}
EXPECTED=$HERE/cmapctl-expected.txt
REGEN=0
[[ ${1:-} == --regen ]] && REGEN=1

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cmapctl-compat.XXXXXX")
NS=""
DAEMON_PID=""
TRACK_PID=""
FAILED=0

log() { printf '%s\n' "$*" >&2; }

# Stops what this script started, by PID, and removes its namespace.
cleanup() {
	stop_tracker
	stop_daemon
	if [[ -n ${KEEP:-} ]]; then
		log "work directory kept: $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT

abs() { [[ $1 == /* ]] && printf '%s\n' "$1" || printf '%s\n' "$PWD/$1"; }

# ---- daemon lifecycle -------------------------------------------------

start_daemon() {
	local daemon=$1 tool_dir=$2 i
	NS=syn-cmapctl-$$-$RANDOM
	ip netns add "$NS"
	ip netns exec "$NS" ip link set lo up
	# A private /run keeps the daemon's lock file from clashing with any
	# other instance on the machine; state_dir keeps its files in $WORK.
	mkdir -p "$WORK/state"
	{ cat "$HERE/compat.conf"; printf 'system {\n\tstate_dir: %s\n}\n' "$WORK/state"; } \
		>"$WORK/daemon.conf"
	ip netns exec "$NS" unshare --mount --propagation private \
		sh -c 'mount -t tmpfs tmpfs /run && exec "$0" "$@"' \
		"$daemon" -f -c "$WORK/daemon.conf" >"$WORK/daemon.log" 2>&1 &
	DAEMON_PID=$!
	for ((i = 0; i < 100; i++)); do
		if ! kill -0 "$DAEMON_PID" 2>/dev/null; then
			log "daemon exited during start-up; its log:"
			cat "$WORK/daemon.log" >&2
			return 1
		fi
		if ip netns exec "$NS" env PATH="$tool_dir:$PATH" \
			corosync-cmapctl -g totem.cluster_name >/dev/null 2>&1; then
			sleep 1 # let the first membership settle
			return 0
		fi
		sleep 0.2
	done
	log "daemon did not answer within 20 s"
	return 1
}

stop_daemon() {
	local i
	if [[ -n $DAEMON_PID ]]; then
		kill -TERM "$DAEMON_PID" 2>/dev/null || true
		for ((i = 0; i < 100; i++)); do
			kill -0 "$DAEMON_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$DAEMON_PID" 2>/dev/null || true
		wait "$DAEMON_PID" 2>/dev/null || true
		DAEMON_PID=""
	fi
	if [[ -n $NS ]]; then
		ip netns del "$NS" 2>/dev/null || true
		NS=""
	fi
}

# ---- recording ----------------------------------------------------------

# Appends a file to the transcript, every byte visible ('l' of sed), with
# a note when the last line has no line end.
show() {
	sed -n 'l 0' "$1"
	if [[ -s $1 && $(tail -c1 "$1" | od -An -tx1 | tr -d ' ') != 0a ]]; then
		echo '(no newline at end)'
	fi
}

filter() {
	case $1 in
	none) cat ;;
	ids) sed -E 's/^(stats\.ipcs\.service[0-9]+)\.[0-9]+\.0x[0-9a-f]+\./\1.<PID>.<PTR>./' ;;
	values) sed -E 's/ = .*$/ = <V>/' ;;
	esac
}

# Runs the tool under test inside the namespace: STDIN OUT ERR ARGS...
run_tool() {
	local in=$1 out=$2 err=$3
	shift 3
	ip netns exec "$NS" env -u LD_LIBRARY_PATH PATH="$TOOL_DIR:$PATH" ${TOOL_LD:+LD_LIBRARY_PATH=$TOOL_LD} \
		timeout 20 corosync-cmapctl "$@" <"$in" >"$out" 2>"$err"
}

# step [--stdin FILE] [--filter ids|values] -- ARGS...
step() {
	local in=/dev/null flt=none rc=0
	while [[ $1 != -- ]]; do
		case $1 in
		--stdin) in=$2; shift 2 ;;
		--filter) flt=$2; shift 2 ;;
		esac
	done
	shift
	run_tool "$in" "$WORK/out" "$WORK/err" "$@" || rc=$?
	{
		printf '### corosync-cmapctl'
		printf ' %q' "$@"
		[[ $in != /dev/null ]] && printf ' < %s' "$in"
		[[ $flt != none ]] && printf '   [normalised: %s]' "$flt"
		printf '\n--- stdout\n'
		filter "$flt" <"$WORK/out" >"$WORK/out.f"
		show "$WORK/out.f"
		printf -- '--- stderr\n'
		show "$WORK/err"
		printf -- '--- exit %d\n' "$rc"
	} >>"$TRANSCRIPT"
}

# Starts a tracker whose stdin is a fifo: NAME ARGS...
track_start() {
	local name=$1
	shift
	rm -f fifo
	mkfifo fifo
	TRACK_NAME=$name
	TRACK_ARGS=("$@")
	ip netns exec "$NS" env -u LD_LIBRARY_PATH PATH="$TOOL_DIR:$PATH" ${TOOL_LD:+LD_LIBRARY_PATH=$TOOL_LD} \
		timeout 30 corosync-cmapctl "$@" <fifo >"track-$name.out" 2>"track-$name.err" &
	TRACK_PID=$!
	exec {TRACK_FD}>fifo
	sleep "$TRACK_SETTLE"
}

# Lets the events arrive, sends "q", and records the tracker's output.
track_finish() {
	local rc=0
	sleep "$TRACK_SETTLE"
	printf 'q\n' >&"$TRACK_FD"
	exec {TRACK_FD}>&-
	wait "$TRACK_PID" || rc=$?
	TRACK_PID=""
	{
		printf '### corosync-cmapctl'
		printf ' %q' "${TRACK_ARGS[@]}"
		printf '   [tracking; changes made meanwhile, then "q"]\n--- stdout\n'
		show "track-$TRACK_NAME.out"
		printf -- '--- stderr\n'
		show "track-$TRACK_NAME.err"
		printf -- '--- exit %d\n' "$rc"
	} >>"$TRANSCRIPT"
}

stop_tracker() {
	if [[ -n $TRACK_PID ]]; then
		kill -TERM "$TRACK_PID" 2>/dev/null || true
		wait "$TRACK_PID" 2>/dev/null || true
		TRACK_PID=""
	fi
}

# Changes made while a tracker runs; recorded like any other step.
quiet_step() { step -- "$@"; }

# ---- the script -----------------------------------------------------------

script_options() {
	step -- -h
	step -- -x
	step -- --long-option
	step -- -p
	step -- -m nosuchmap
	step -- -C nosuchgroup
	step -- -g
	step -- -d
	step -- -D
	step -- -t
	step -- -T
	step -- -s test.only.two u8
}

script_set_get() {
	step -- -s test.i8 i8 -- -128
	step -- -s test.u8 u8 255
	step -- -s test.i16 i16 -- -32768
	step -- -s test.u16 u16 65535
	step -- -s test.i32 i32 -- -2147483648
	step -- -s test.u32 u32 4294967295
	step -- -s test.i64 i64 -- -9223372036854775808
	step -- -s test.u64 u64 18446744073709551615
	step -- -s test.flt flt 1.5
	step -- -s test.dbl dbl -- -2.25e3
	step -- -s test.str str "hello world"
	step -- -s test.empty str ""
	step -- -s test.bin bin bin-all-bytes
	step --stdin bin-small -- -s test.bin2 bin -
	step -- -s test.bin.max bin bin-16384
	step -- -s test.parse.trailing i8 12abc
	step -- -s test.parse.space i32 "  42"
	step -- -s test.parse.wrap u64 -- -1
	step -- -g test.i8 test.u8 test.i16 test.u16 test.i32 test.u32 test.i64 test.u64
	step -- -g test.flt test.dbl test.str test.empty test.bin test.bin2
	step -- -b -g test.bin test.bin2
	step -- -q -g test.i8 test.str test.bin
	step -- -q -b -g test.bin2 test.flt
	step -- -g test.parse.trailing test.parse.space test.parse.wrap
	step -- -g test.u8 test.nosuch test.u16
	step -- -g test.nosuch
}

script_set_errors() {
	step -- -s test.bad i8 128
	step -- -s test.bad i16 -- -32769
	step -- -s test.bad i32 2147483648
	step -- -s test.bad u8 256
	step -- -s test.bad u16 65536
	step -- -s test.bad u32 4294967296
	step -- -s test.bad u8 -- -1
	step -- -s test.bad i64 abc
	step -- -s test.bad u64 abc
	step -- -s test.bad flt abc
	step -- -s test.bad dbl abc
	step -- -s test.bad U8 1
	step -- -s test.bad int 1
	step -- -s test.bad bin nosuchfile
	step -- -s test.bad bin bin-empty
	step -- -s test.bad bin bin-16385
	step -- -s ab str too-short
	step -- -s "test.bad name" str bad-char
	step -- -s "test.$(printf 'x%.0s' {1..260})" str too-long
	step -- -s totem.cluster_name str other
	step -- -s runtime.config.totem.token u32 1
	step -- -s quorum.wait_for_all u8 1
	step -- -s test.i8 str retyped
	step -- -g test.i8 test.bad
}

script_list() {
	step -- test.
	step -- -b test.
	step -- -q test.
	step -- -q -b test.bin
	step -- test.nosuch test.u
	step -- test.nosuch other.nosuch
	step -- totem.
	step -- nodelist.
	step -- quorum.
	step -- runtime.config.totem.
	step -- -m icmap totem.cluster_name
	step -- -m default -g totem.version
}

script_delete() {
	step -- -d test.u8
	step -- -d test.u8
	step -- -d totem.cluster_name
	step -- -d test.u16 test.nosuch test.i16
	step -- -g test.u16 test.i16
	step -- -s test.del.a u8 1
	step -- -s test.del.b u8 2
	step -- -s test.delx u8 3
	step -- -D test.del.
	step -- test.del
	step -- -D test.nosuch.
	step -- -D nodelist.node.
	step -- -D test.delx test.nosuch
}

script_load() {
	step -- -p load-ok.txt
	step -- load.
	step -- -p load-bad-value.txt
	step -- -p load-missing-value.txt
	step -- -p load-bad-type.txt
	step -- -p load-tab.txt
	step -- -p nosuchfile
	step -- load.
	step -- -p load-ok.txt -g load.a
}

script_stats() {
	step -- -m stats -g stats.ipcs.global.active
	step --filter ids -- -m stats stats.ipcs.service0.
	step --filter ids -- -m stats -q stats.ipcs.service0.
	step -- -m stats -g stats.srp.firewall_enabled_or_nic_failure
	step -- -m stats -g stats.knet.node1.link0.enabled stats.knet.node1.link0.connected
	step --filter values -- -m stats stats.srp.
	step --filter values -- -m stats stats.knet.node1.link0.
	step --filter values -- -m stats stats.pg.
	step -- -m stats -g stats.nosuch
	step -- -m stats stats.nosuch.
	step -- -m stats -s stats.pg.msg_reserved u32 1
	step -- -m stats -d stats.pg.msg_reserved
	step -- -m stats -s stats.clear.nosuch u32 1
	step -- -C all
	step -- -C knet
	step -- -C ipc
	step -- -C totem
	step -- -C schedmiss
}

script_track() {
	step -- -s test.trk.mod str before
	track_start exact -t test.trk.new test.trk.mod
	quiet_step -s test.trk.new u32 1
	quiet_step -s test.trk.new u32 1
	quiet_step -s test.trk.mod str after
	quiet_step -s test.trk.mod u8 7
	quiet_step -s test.trk.newer u8 1
	quiet_step -d test.trk.new
	track_finish
	track_start prefix -T test.trk.
	quiet_step -s test.trk.p1 i64 -- -5
	quiet_step -s test.trk.p1 dbl 0.125
	quiet_step -s test.trk.bin bin bin-small
	quiet_step -d test.trk.bin
	quiet_step -D test.trk.
	track_finish
	track_start binary -b -T test.trk.
	quiet_step -s test.trk.bin bin bin-all-bytes
	quiet_step -d test.trk.bin
	track_finish
	track_start quiet -q -b -t test.trk.q
	quiet_step -s test.trk.q str quiet
	quiet_step -s test.trk.q bin bin-small
	quiet_step -d test.trk.q
	track_finish
	step -- -t test.trk.eof
	step -- -m stats -T stats.nosuch.
}

# Writes the transcript of one tool/daemon pair to $TRANSCRIPT.
record() {
	local daemon=$1
	: >"$TRANSCRIPT"
	start_daemon "$daemon" "$TOOL_DIR" || return 1
	(
		cd "$WORK"
		script_options
		script_set_get
		script_set_errors
		script_list
		script_delete
		script_load
		script_stats
		script_track
	) || { stop_daemon; return 1; }
	stop_daemon
}

# ---- synod-only extensions ---------------------------------------------

# Checks what synod-cmapctl adds to the reference (no baseline exists):
# --json output parses and carries the values, tracking ends when stdin
# hangs up.  Runs against DAEMON with the synod tool.
extras() {
	local daemon=$1 rc=0 why=""
	TOOL_LD=""
	TOOL_DIR=$(tool_dir extras "$SYNOD_CMAPCTL")
	start_daemon "$daemon" "$TOOL_DIR" || { echo "FAIL synod-tool/extras (no daemon)"; FAILED=1; return; }
	(
		cd "$WORK"
		run_tool /dev/null x.out x.err -s test.j.s str 'say "hi"'
		run_tool /dev/null x.out x.err -s test.j.b bin bin-small
		run_tool /dev/null x.out x.err -s test.j.n i16 -- -5
		run_tool /dev/null json.out x.err --json test.j.
		python3 - json.out <<'PY'
import json, sys
got = json.load(open(sys.argv[1]))
want = [{"key": "test.j.b", "type": "bin", "value": "61625c630a017f80ff007a"},
        {"key": "test.j.n", "type": "i16", "value": -5},
        {"key": "test.j.s", "type": "str", "value": 'say "hi"'}]
sys.exit(0 if got == want else "json listing: %r" % (got,))
PY
		rm -f fifo
		mkfifo fifo
		ip netns exec "$NS" env PATH="$TOOL_DIR:$PATH" \
			timeout 10 corosync-cmapctl --json -t test.j.n <fifo >track.out 2>/dev/null &
		local pid=$!
		exec {fd}>fifo
		sleep "$TRACK_SETTLE"
		run_tool /dev/null x.out x.err -s test.j.n i16 7
		sleep "$TRACK_SETTLE"
		exec {fd}>&- # hang up without "q"
		wait "$pid" || { echo "tracking did not stop on hang-up (exit $?)"; exit 1; }
		python3 - track.out <<'PY'
import json, sys
got = [json.loads(l) for l in open(sys.argv[1])]
want = [{"event": "modify", "key": "test.j.n", "type": "i16", "value": 7,
         "old_type": "i16", "old_value": -5}]
sys.exit(0 if got == want else "json tracking: %r" % (got,))
PY
	) >"$WORK/extras.log" 2>&1 || rc=$?
	stop_daemon
	if ((rc == 0)); then
		echo "PASS synod-tool/extras"
	else
		echo "FAIL synod-tool/extras"
		cat "$WORK/extras.log"
		FAILED=1
	fi
}

# ---- driver -------------------------------------------------------------

prepare_work() {
	cp "$HERE"/load-*.txt "$WORK/"
	(
		cd "$WORK"
		: >bin-empty
		printf 'ab\\c\n\x01\x7f\x80\xff\x00z' >bin-small
		for ((i = 0; i < 256; i++)); do printf "\\x$(printf %02x "$i")"; done >bin-all-bytes
		head -c 16384 /dev/zero | tr '\0' 'A' >bin-16384
		head -c 16385 /dev/zero | tr '\0' 'B' >bin-16385
	)
}

# tool_dir NAME BINARY: a directory holding BINARY as "corosync-cmapctl".
tool_dir() {
	mkdir -p "$WORK/bin-$1"
	ln -sf "$(abs "$2")" "$WORK/bin-$1/corosync-cmapctl"
	printf '%s\n' "$WORK/bin-$1"
}

# pair NAME TOOL DAEMON [LD_LIBRARY_PATH]: records and compares one pair.
pair() {
	local name=$1 tool=$2 daemon=$3 file=${1//\//_}
	TOOL_LD=${4:-}
	TOOL_DIR=$(tool_dir "$file" "$tool")
	TRANSCRIPT=$WORK/transcript-$file.txt
	if ! record "$daemon"; then
		echo "FAIL $name (could not run; see above)"
		FAILED=1
		return
	fi
	compare "$name" "$BASELINE" "$TRANSCRIPT"
}

compare() {
	local out=$WORK/diff-${1//\//_}
	if diff -u --label baseline --label "$1" "$2" "$3" >"$out"; then
		echo "PASS $1"
	else
		echo "FAIL $1"
		cat "$out"
		FAILED=1
	fi
}

main() {
	local have_ref=0 have_synod=0 have_tool=0
	if [[ $(id -u) != 0 ]] || ! command -v ip >/dev/null; then
		echo "SKIP cmapctl-compat: needs root and iproute2 (network namespaces)"
		exit 77
	fi
	prepare_work
	[[ -n $REF_DAEMON && -x $REF_DAEMON && -n $REF_CMAPCTL && -x $REF_CMAPCTL ]] && have_ref=1
	[[ -x $SYNOD_DAEMON ]] && have_synod=1
	[[ -x $SYNOD_CMAPCTL ]] && have_tool=1

	if ((have_ref)); then
		BASELINE=$WORK/transcript-reference.txt
		TOOL_LD=""
		TOOL_DIR=$(tool_dir reference "$REF_CMAPCTL")
		TRANSCRIPT=$BASELINE
		record "$REF_DAEMON" || { log "reference run failed"; exit 2; }
		if ((REGEN)); then
			cp "$BASELINE" "$EXPECTED"
			log "rewrote $(basename "$EXPECTED")"
		fi
		if [[ -f $EXPECTED ]]; then
			compare golden "$EXPECTED" "$BASELINE"
		fi
	else
		echo "SKIP reference daemon: corosync and corosync-cmapctl not installed;" \
			"using the checked-in transcript as baseline"
		BASELINE=$EXPECTED
	fi

	if ((have_tool && have_ref)); then
		pair synod-tool/ref-daemon "$SYNOD_CMAPCTL" "$REF_DAEMON"
	elif ((!have_tool)); then
		echo "SKIP synod-tool/*: $SYNOD_CMAPCTL not built"
	fi
	if ((have_tool)) && command -v python3 >/dev/null; then
		if ((have_synod)); then extras "$SYNOD_DAEMON"; elif ((have_ref)); then extras "$REF_DAEMON"; fi
	fi
	if ((!have_synod)); then
		echo "SKIP */synod-daemon: $SYNOD_DAEMON not built"
	else
		((have_ref)) && pair ref-tool/synod-daemon "$REF_CMAPCTL" "$SYNOD_DAEMON"
		((have_tool)) && pair synod-tool/synod-daemon "$SYNOD_CMAPCTL" "$SYNOD_DAEMON"
		if ((have_ref)) && [[ -e $BUILD/lib/libcmap.so.4 ]]; then
			pair ref-tool+synod-lib/synod-daemon "$REF_CMAPCTL" "$SYNOD_DAEMON" \
				"$(abs "$BUILD/lib")"
		else
			echo "SKIP ref-tool+synod-lib/synod-daemon: needs corosync-cmapctl" \
				"and $BUILD/lib/libcmap.so.4"
		fi
	fi
	exit "$FAILED"
}

main
