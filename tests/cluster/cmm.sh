#!/usr/bin/env bash
# cmm.sh - CMM scenarios on real daemons: 5 nodes (1 and 2 eligible, 3-5
# not), quorum = 3 nodes (the interim majority rule).  On nodes 3 and 4
# two applications watch notifications with different filters: A (all
# kinds) and R (roles only: ME MD VE VD); each must see exactly its
# filter's share of the stream, in order.
set -u
here=$(dirname "$(readlink -f "$0")")
. "$here/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
TOOL=$BUILD/tools/synod-cmmtool
fails=0
declare -a WPID=()

finish() {
	local p
	for p in "${WPID[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
	cl_cleanup
}
trap finish EXIT

write_conf() {
	local i
	{
		echo "totem {"; echo "  version: 2"; echo "  cluster_name: synodcmm"
		echo "  transport: knet"; echo "}"
		echo "nodelist {"
		for i in 1 2 3 4 5; do
			echo "  node {"; echo "    nodeid: $i"; echo "    name: node$i"
			echo "    ring0_addr: $(cl_addr "$i")"
			[ "$i" -gt 2 ] && echo "    cmm.eligible: no"
			echo "  }"
		done
		echo "}"
		echo "cmm {"; echo "  stale_timeout_ms: 3000"; echo "}"
		echo "logging {"; echo "  to_stderr: yes"; echo "  to_syslog: no"; echo "}"
		echo "system {"; echo "  state_dir: $CL_DIR"; echo "}"
	} >"$CL_DIR/synod.conf"
}

tool() { # node args...
	local n=$1
	shift
	ip netns exec "$(cl_ns "$n")" "$TOOL" "$@"
}

# Wait until node n reports master m (0: no master).
wait_master() { # node master timeout_s
	local end=$((SECONDS + $3)) got
	while [ $SECONDS -lt $end ]; do
		got=$(tool "$1" --json master 2>/dev/null | sed -n 's/.*"nodeid":\([0-9]*\).*/\1/p')
		[ "${got:-0}" = "$2" ] && return 0
		sleep 0.2
	done
	echo "node $1: master '${got:-none}', want $2" >&2
	return 1
}

watch_start() { # key node filter...
	local key=$1 n=$2
	shift 2
	tool "$n" watch "$@" >"$CL_DIR/w-$key" 2>&1 &
	WPID+=($!)
	for _ in $(seq 1 50); do grep -q watching "$CL_DIR/w-$key" 2>/dev/null && return; sleep 0.1; done
}

# The notifications a watcher printed since the last mark, on one line.
seen() {
	local f="$CL_DIR/w-$1" m="$CL_DIR/w-$1.mark" from=1
	[ -f "$m" ] && from=$(($(cat "$m") + 1))
	sed -n "${from},\$p" "$f" | grep -v watching | tr '\n' ' ' | sed 's/ $//'
	wc -l <"$f" >"$m"
}

expect() { # name key want
	local got
	sleep 0.5
	got=$(seen "$2")
	if [ "$got" = "$3" ]; then
		echo "PASS $1 [$2] $got"
	else
		echo "FAIL $1 [$2] got '$got', want '$3'"
		fails=$((fails + 1))
	fi
}

cl_setup 5
write_conf
for i in 1 2 3 4 5; do cl_start "$i"; done
cl_wait_view "1 2 3 4 5" 30 1 2 3 4 5 >/dev/null || { cl_logs; exit 1; }
wait_master 3 1 20 || { cl_logs; exit 1; }
tool 3 members
[ "$(tool 4 --json vicemaster | sed -n 's/.*"nodeid":\([0-9]*\).*/\1/p')" = 2 ] &&
	echo "PASS start master 1 vice 2" || { echo "FAIL start: vice-master"; fails=$((fails + 1)); }
watch_start A3 3
watch_start R3 3 ME MD VE VD
watch_start A4 4
watch_start R4 4 ME MD VE VD
seen A3 >/dev/null; seen R3 >/dev/null; seen A4 >/dev/null; seen R4 >/dev/null

# Master killed: failover to the vice-master.
cl_stop 1 KILL
cl_wait_view "2 3 4 5" 20 2 3 4 5 >/dev/null
wait_master 3 2 10
expect failover A3 "L(1) ME(2)"
expect failover R3 "ME(2)"

# Node joins: the former master comes back as vice-master (no pre-emption).
cl_start 1
cl_wait_view "1 2 3 4 5" 30 1 2 3 4 5 >/dev/null
sleep 1
expect join A3 "VE(1)"
expect join R3 "VE(1)"

# Vice-master lost.
cl_stop 1 KILL
cl_wait_view "2 3 4 5" 20 2 3 4 5 >/dev/null
sleep 1
expect vice-lost A3 "L(1)"
expect vice-lost R3 ""
cl_start 1
cl_wait_view "1 2 3 4 5" 30 1 2 3 4 5 >/dev/null
sleep 1
expect vice-back A3 "VE(1)"
seen R3 >/dev/null; seen A4 >/dev/null; seen R4 >/dev/null

# 2+3 partition: {4,5} is not quorate and goes stale; {1,2,3} keeps roles.
cl_bridge br1 4 5
cl_wait_view "1 2 3" 20 1 2 3 >/dev/null
cl_wait_view "4 5" 20 4 5 >/dev/null
sleep 4
expect partition A3 "L(4) L(5)"
expect partition A4 "STALE(0)"
expect partition R4 ""
cl_bridge br0 4 5
cl_wait_view "1 2 3 4 5" 30 1 2 3 4 5 >/dev/null
sleep 1
expect heal A3 "J(4) J(5)"
expect heal A4 "L(4) L(5) J(4) J(5) VAL(2)"
expect heal R4 ""

# Non-quorate partition holding both roles: {1,2} drop them; {3,4,5}
# is quorate but has no eligible node (masterless).
watch_start A1 1
watch_start R1 1 ME MD VE VD
seen A1 >/dev/null; seen R1 >/dev/null
cl_bridge br1 1 2
cl_wait_view "3 4 5" 20 3 4 5 >/dev/null
sleep 4
expect no-quorum A3 "L(1) L(2)"
expect no-quorum R3 ""
expect no-quorum A1 "MD(2) VD(1) STALE(0)"
expect no-quorum R1 "MD(2) VD(1)"
cl_bridge br0 1 2
cl_wait_view "1 2 3 4 5" 30 1 2 3 4 5 >/dev/null
wait_master 3 2 10
expect no-quorum-heal A3 "ME(2) VE(1)"
expect no-quorum-heal R3 "ME(2) VE(1)"
expect no-quorum-heal A1 "L(1) L(2) ME(2) VE(1) VAL(2)"
expect no-quorum-heal R1 "ME(2) VE(1)"

[ $fails -eq 0 ] || { cl_logs; grep -h "cmm:" "$CL_DIR"/node3.log | tail -30; }
exit $((fails > 0))
