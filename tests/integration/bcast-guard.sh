#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# bcast-guard.sh - the broadcast load service is not open to all.
#
#   off   (a configuration without system.bcast_service): synod-bcast
#         cannot connect, exactly as to a service that does not exist;
#   on    (bcast_service: yes, and uidgid granting uid/gid 65534): root
#         connects, uid 65534 is refused all the same, while its cmap
#         connection is accepted;
#   flood (bcast_service: yes): a run of the largest messages, as many
#         as allowed, must leave another client's cmap round trips fast
#         and the daemon's memory near its idle size.  Unbounded, the same
#         run held round trips at ~400 ms (a dozen in 6 s) and grew the
#         daemon from 62 MB to 860 MB; bounded, ~15 us median, 62 -> 85 MB.
#         The limits below leave a wide margin for a loaded machine.
#         SYN_SANITIZED=1 (a sanitizer build) skips the memory check
#         (freed memory stays in quarantine) and allows the slower
#         daemon 100 round trips in the 5 s, at a median under 50 ms.
#
# usage (inside the daemon's namespace, see netns-run.sh):
#   bcast-guard.sh off|on|flood BUILD_DIR
set -u
mode=$1 build=$2
bcast=$build/tools/synod-bcast
rtt=$build/tests/integration/cmap-rtt
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fail() {
	echo "FAIL: $*"
	exit 1
}
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$SYN_DAEMON_PID/status"; }
field() { sed -n "s/.*\b$1=\([0-9]*\).*/\1/p" <<<"$2" | head -1; }

check_off() {
	local out
	out=$("$bcast" stats 2>&1) && fail "synod-bcast connected to a daemon without the service: $out"
	grep -q "Connection refused" <<<"$out" || fail "unexpected error: $out"
	echo "PASS service absent: $out"
}

check_on() {
	local out
	out=$("$bcast" stats 2>&1) || fail "root cannot use the service: $out"
	"${nobody[@]}" "$build/tools/synod-cmapctl" -g totem.cluster_name >/dev/null 2>&1 ||
		fail "uid 65534 is not granted cmap: the check below would prove nothing"
	out=$("${nobody[@]}" "$bcast" stats 2>&1) && fail "uid 65534 was served: $out"
	grep -q "Permission denied" <<<"$out" || fail "unexpected error: $out"
	out=$("${nobody[@]}" "$bcast" start 10 1000 2>&1) && fail "uid 65534 started a run: $out"
	out=$("$bcast" stats)
	[ "$(field sent "$out")" = 0 ] || fail "a run was started: $out"
	echo "PASS root served, uid 65534 refused despite its uidgid grant"
}

# RSS sampled every 100 ms for $1 seconds; prints the peak in kB.
rss_peak() {
	local peak=0 r
	for _ in $(seq 1 $(($1 * 10))); do
		r=$(rss_kb)
		[ "${r:-0}" -gt $peak ] && peak=$r
		sleep 0.1
	done
	echo $peak
}

check_flood() {
	local idle_rss idle flood peak sampler out n p50
	idle_rss=$(rss_kb)
	idle=$("$rtt" 1) || fail "cmap-rtt failed before the flood"
	"$bcast" start 10000000 1048512 || fail "cannot start the flood"
	rss_peak 6 >"$tmp" &
	sampler=$!
	flood=$(timeout 30 "$rtt" 5) || fail "cmap-rtt failed during the flood"
	wait $sampler
	peak=$(cat "$tmp")
	out=$("$bcast" stats) || fail "no stats"
	"$bcast" reset || fail "reset refused"
	echo "idle rss ${idle_rss} kB, round trips $idle"
	echo "flood: peak rss ${peak} kB, round trips $flood; $out"
	[ "$(field sent "$out")" -ge 50 ] || fail "the flood did not run"
	[ "$(field bad "$out")" = 0 ] || fail "corrupted messages"
	n=$(field n "$flood")
	p50=$(field p50_us "$flood")
	local min_n=500 max_p50=20000
	[ "${SYN_SANITIZED:-0}" = 0 ] || { min_n=100; max_p50=50000; }
	[ "$n" -ge $min_n ] || fail "only $n cmap round trips in 5 s of flood"
	[ "$p50" -lt $max_p50 ] || fail "median cmap round trip ${p50} us during the flood"
	if [ "${SYN_SANITIZED:-0}" = 0 ]; then
		[ "$peak" -lt $((idle_rss * 2)) ] ||
			fail "daemon grew from ${idle_rss} kB to ${peak} kB during the flood"
	fi
	echo "PASS flood bounded"
}

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
case $mode in
off) check_off ;;
on) check_on ;;
flood) check_flood ;;
*) fail "usage: bcast-guard.sh off|on|flood BUILD_DIR" ;;
esac
