#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# cmm.sh - CMM scenarios on real daemons in network namespaces: 5 nodes
# (1 and 2 master-eligible, 3-5 not), quorum from votequorum.
#
# Applications with different filters watch the notifications on several
# nodes: A (all kinds), R (roles: ME MD VE VD), M (J L), V (STALE INV
# VAL), N (none).  Three checks hold for every one of them:
#   - each application received exactly the notifications its daemon
#     generated while it was registered, through its filter, in order;
#   - the daemon's notifications are exactly the canonical diffs between
#     the states it installed, and each state agrees with the view it came
#     from (cmm_check.py, from the daemon's "cmm: view" / "cmm: state"
#     log lines);
#   - per step, the notifications are the reference's list for the step
#     when the node went through one state; when links coming up one by
#     one made the membership install intermediate views (real agreed
#     views), the node's own sequence of states is what the step is
#     checked against, and the final roles are checked as usual.
# Library scenarios T24-T28 run with cmm_client (driven line by line).
# Phase 2 gives node 1 three votes at run time: votequorum then disagrees
# with a majority of the node table, and CMM must follow votequorum.
set -u
here=$(dirname "$(readlink -f "$0")")
. "$here/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
TOOL=$BUILD/tools/synod-cmmtool
CLIENT=${CMM_CLIENT:-$BUILD/tests/cluster/cmm_client}
CHECK=$here/cmm_check.py
fails=0
MASTER=2 VICE=1 # the roles from the switchover on (T07 moves them back and forth)
declare -a WPID=() CPID=()
declare -A CFD=() WFROM=() WNODE=() WKINDS=() STEPMARK=()

finish() {
	local p
	for p in "${WPID[@]:-}" "${CPID[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
	cl_cleanup
}
trap finish EXIT

write_conf() { # votes_of_node_1 extra_node(0: none) eligible_3(yes/no)
	local i v1=${1:-1} extra=${2:-0} el3=${3:-no}
	{
		echo "totem {"; echo "  version: 2"; echo "  cluster_name: synodcmm"
		echo "  transport: knet"; echo "}"
		echo "nodelist {"
		for i in 1 2 3 4 5 $([ "$extra" -gt 0 ] && echo "$extra"); do
			echo "  node {"; echo "    nodeid: $i"; echo "    name: node$i"
			echo "    ring0_addr: $(cl_addr "$i")"
			[ "$i" -eq 1 ] && echo "    quorum_votes: $v1"
			if [ "$i" -eq 3 ]; then
				echo "    cmm.eligible: $el3"
			elif [ "$i" -gt 2 ]; then
				echo "    cmm.eligible: no"
			fi
			echo "  }"
		done
		echo "}"
		echo "quorum {"; echo "  provider: corosync_votequorum"; echo "}"
		echo "cmm {"; echo "  stale_timeout_ms: 2000"; echo "}"
		echo "logging {"; echo "  to_stderr: yes"; echo "  to_syslog: no"; echo "}"
		echo "system {"; echo "  state_dir: $CL_DIR"; echo "}"
	} >"$CL_DIR/synod.conf.new"
	mv "$CL_DIR/synod.conf.new" "$CL_DIR/synod.conf"
}

tool() { # node args...
	local n=$1
	shift
	ip netns exec "$(cl_ns "$n")" "$TOOL" "$@"
}

pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

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

# Roles as node n sees them: "M=<master> V=<vice> IN=<ids>".
roles() {
	tool "$1" --json members 2>/dev/null | python3 -c '
import json, sys
try:
    ms = json.load(sys.stdin)["members"]
except Exception:
    print("none"); sys.exit(0)
m = [x["nodeid"] for x in ms if x["role"] == "MASTER"]
v = [x["nodeid"] for x in ms if x["role"] == "VICEMASTER"]
print("M=%s V=%s IN=%s" % (m[0] if m else 0, v[0] if v else 0,
      ",".join(str(x["nodeid"]) for x in ms)))'
}

expect_roles() { # step node want (waits up to 15 s)
	local end=$((SECONDS + 15)) got
	while :; do
		got=$(roles "$2")
		[ "$got" = "$3" ] && { pass "$1 node $2 roles $got"; return; }
		[ $SECONDS -ge $end ] && break
		sleep 0.3
	done
	fail "$1 node $2 roles '$got', want '$3'"
}

# After a heal: master $MASTER and vice $VICE, everyone in.  When the heal
# went through an intermediate primary view that held the vice-master but
# not the master (links come up one by one), the vice-master took over
# there and stays master (no pre-emption): the roles are swapped, which is
# right too; later steps follow the roles the cluster chose.
heal_roles() { # step node
	local want="M=$MASTER V=$VICE IN=1,2,3,4,5" swapped="M=$VICE V=$MASTER IN=1,2,3,4,5" why got
	local end=$((SECONDS + 15))
	while got=$(roles "$2") && [ "$got" != "$want" ] && [ "$got" != "$swapped" ] &&
		[ $SECONDS -lt $end ]; do
		sleep 0.3
	done
	if [ "$got" = "$swapped" ] && why=$(intermediate "$2"); then
		pass "$1 node $2 roles $swapped (intermediate views, $why)"
		MASTER=${swapped:2:1} VICE=${swapped:6:1}
	else
		expect_roles "$1" "$2" "$want"
	fi
}

log_lines() { wc -l <"$CL_DIR/node$1.log"; }

# A watcher: synod-cmmtool watch with a filter; remembers where the
# node's log stood when it started, for the stream check.
watch_start() { # key node filter...
	local key=$1 n=$2
	shift 2
	tool "$n" watch "$@" >"$CL_DIR/w-$key" 2>&1 &
	WPID+=($!)
	for _ in $(seq 1 50); do grep -q watching "$CL_DIR/w-$key" 2>/dev/null && break; sleep 0.1; done
	WFROM[$key]=$(log_lines "$n")
	WNODE[$key]=$n
	WKINDS[$key]="$*"
}

# The notifications a watcher printed since the last call, on one line
# (peek: without moving the mark).
seen() {
	local f="$CL_DIR/w-$1" m="$CL_DIR/w-$1.mark" from=1
	[ -f "$m" ] && from=$(($(cat "$m") + 1))
	sed -n "${from},\$p" "$f" | grep -E '^[A-Z]+\([0-9]+\)$' | tr '\n' ' ' | sed 's/ $//'
	[ "${2:-}" = peek ] || wc -l <"$f" >"$m"
}

step() { # start a step: remember where every running node's log stands
	local i
	echo "-- ${SECONDS}s"
	for i in 1 2 3 4 5; do STEPMARK[$i]=$(log_lines "$i"); done
}

# Whether the step went through intermediate views, as seen from node n:
# n installed more than one view and state since the step began, or some
# node installed more than one view (a primary view n was not part of
# counts too: n then meets a state written without it).  Prints why.
intermediate() {
	local i c v max=0
	c=$(sed -n "$((STEPMARK[$1] + 1)),\$p" "$CL_DIR/node$1.log" | grep -c "cmm: state \|cmm: view ")
	for i in 1 2 3 4 5; do
		v=$(sed -n "$((STEPMARK[$i] + 1)),\$p" "$CL_DIR/node$i.log" | grep -c "cmm: view ")
		[ "$v" -gt "$max" ] && max=$v
	done
	echo "node $1: $c views and states, up to $max views on one node"
	[ "$c" -gt 2 ] || [ "$max" -gt 1 ]
}

expect() { # step key want
	local got n=${WNODE[$2]} why end=$((SECONDS + 3))
	# Notifications reach the application a little after the daemon's
	# state; wait for the expected ones (bounded), or a moment for none.
	if [ -z "$3" ]; then
		sleep 0.5
	else
		while [ "$(seen "$2" peek)" != "$3" ] && [ $SECONDS -lt $end ]; do sleep 0.1; done
	fi
	got=$(seen "$2")
	if [ "$got" = "$3" ]; then
		pass "$1 [$2] $got"
	elif why=$(intermediate "$n"); then
		pass "$1 [$2] $got (intermediate views, $why; checked against its states)"
	else
		fail "$1 [$2] got '$got', want '$3'"
	fi
}

# Each watcher received exactly its filter's share of what its daemon generated.
check_streams() { # key...
	local key out
	for key in "$@"; do
		if out=$("$CHECK" stream "$CL_DIR/node${WNODE[$key]}.log" "${WFROM[$key]}" \
			"$CL_DIR/w-$key" ${WKINDS[$key]}); then
			pass "stream [$key] is its filter's share of node ${WNODE[$key]}'s notifications"
		else
			fail "stream [$key]: $out"
		fi
	done
}

check_states() { # node...
	local i out
	for i in "$@"; do
		if out=$("$CHECK" states "$CL_DIR/node$i.log" 1,2); then
			pass "node $i: notifications match its $(grep -c 'cmm: state ' "$CL_DIR/node$i.log") states and their views"
		else
			fail "node $i states: $out"
		fi
	done
}

# A scripted application (cmm_client) on a node.
client_start() { # key node
	local key=$1 fifo="$CL_DIR/c-$1.in" fd
	mkfifo "$fifo"
	ip netns exec "$(cl_ns "$2")" "$CLIENT" <"$fifo" >"$CL_DIR/c-$key.out" 2>&1 &
	CPID+=($!)
	exec {fd}>"$fifo"
	CFD[$key]=$fd
	for _ in $(seq 1 100); do grep -q '^ready$' "$CL_DIR/c-$key.out" && break; sleep 0.05; done
}

# Send one command, print its output lines (without "end") on one line.
client() { # key command...
	local key=$1 out="$CL_DIR/c-$1.out" before end=$((SECONDS + 15))
	shift
	before=$(grep -c '^end$' "$out" 2>/dev/null)
	echo "$*" >&"${CFD[$key]}"
	while [ "$(grep -c '^end$' "$out" 2>/dev/null)" -le "$before" ] && [ $SECONDS -lt $end ]; do
		sleep 0.05
	done
	awk -v n="$before" '/^end$/ {c++; next} c == n && !/^ready$/' "$out" | tr '\n' ' ' |
		sed 's/ $//'
}

expect_client() { # step key command want
	local got
	got=$(client "$2" "$3")
	[ "$got" = "$4" ] && pass "$1 [$2] $3: $got" || fail "$1 [$2] $3: got '$got', want '$4'"
}

# Every daemon re-reads the configuration file (corosync-cfgtool -R acts
# on the local daemon only).
reload_all() {
	local i
	for i in 1 2 3 4 5; do
		ip netns exec "$(cl_ns "$i")" "$BUILD/tools/synod-cfgtool" -R >/dev/null 2>&1 ||
			fail "synod-cfgtool -R on node $i"
	done
	sleep 0.5
}

# A dispatch of a scripted application after a step: the reference's
# callbacks, or, when the node went through intermediate views, exactly
# the notifications its daemon generated in the step through the filter.
expect_dispatch() { # step key node want_callbacks filter_kinds...
	local step=$1 key=$2 n=$3 want=$4 got daemon why
	shift 4
	got=$(client "$key" dispatch)
	daemon=$("$CHECK" notes "$CL_DIR/node$n.log" "${STEPMARK[$n]}" "$@" |
		sed 's/\([A-Z]*([0-9]*)\)/cb \1/g')
	if [ "$got" = "${want:+$want }dispatch CMM_OK" ]; then
		pass "$step [$key] dispatch: $got"
	elif why=$(intermediate "$n") && [ "$got" = "${daemon:+$daemon }dispatch CMM_OK" ]; then
		pass "$step [$key] dispatch: $got (intermediate views, $why; its daemon's notifications)"
	else
		fail "$step [$key] dispatch: got '$got', want '${want:+$want }dispatch CMM_OK'"
	fi
}

view_all() { cl_wait_view "1 2 3 4 5" 40 1 2 3 4 5 >/dev/null; }

tool_quorum() {
	ip netns exec "$(cl_ns "$1")" "$BUILD/tools/synod-quorumtool" -s 2>/dev/null
}

expect_tool() { # step node want_rc want_text args...
	local step=$1 n=$2 rc=$3 text=$4 out got
	shift 4
	out=$(tool "$n" "$@" 2>&1)
	got=$?
	if [ "$got" -eq "$rc" ] && { [ -z "$text" ] || echo "$out" | grep -q -- "$text"; }; then
		pass "$step node $n $*: exit $got ${text:+($text)}"
	else
		fail "$step node $n $*: exit $got '$out', want exit $rc ${text:+($text)}"
	fi
}

# ---- phase 1: one vote per node, quorum 3 --------------------------------

# T02: the cluster starts in steps, so that its first primary view is
# known ({1,2,3}: nodes started together may meet in any order, and a
# first view {2,3,5} would elect 2, correctly but not what follows expects).
cl_setup 5
write_conf 1
cl_start 1
cl_start 2
cl_wait_view "1 2" 30 1 2 >/dev/null || { cl_logs; exit 1; }
expect_tool start 1 2 "CMM_ENOCLUSTER" master
expect_tool start 2 2 "CMM_ENOCLUSTER" members
expect_tool start 2 0 "" --json potential 1
cl_start 3
cl_wait_view "1 2 3" 30 1 2 3 >/dev/null || { cl_logs; exit 1; }
wait_master 3 1 20 || { cl_logs; exit 1; }
cl_start 4
cl_start 5
view_all || { cl_logs; exit 1; }
expect_roles start 4 "M=1 V=2 IN=1,2,3,4,5"
watch_start A3 3
watch_start R3 3 ME MD VE VD
watch_start M3 3 J L
watch_start A4 4
watch_start V4 4 STALE INV VAL
watch_start N4 4 none
for k in A3 R3 M3 A4 V4 N4; do seen $k >/dev/null; done

step # T05: master killed, failover to the vice-master.
cl_stop 1 KILL
cl_wait_view "2 3 4 5" 20 2 3 4 5 >/dev/null
wait_master 3 2 10
expect failover A3 "L(1) ME(2)"
expect failover R3 "ME(2)"
expect failover M3 "L(1)"
expect_roles failover 4 "M=2 V=0 IN=2,3,4,5"

step # T06: the former master comes back as vice-master (no pre-emption).
cl_start 1
view_all
expect_roles join 3 "M=2 V=1 IN=1,2,3,4,5"
expect join A3 "VE(1)"
expect join R3 "VE(1)"
expect join M3 ""

step # T03: vice-master lost.
cl_stop 1 KILL
cl_wait_view "2 3 4 5" 20 2 3 4 5 >/dev/null
expect_roles vice-lost 3 "M=2 V=0 IN=2,3,4,5"
expect vice-lost A3 "L(1)"
expect vice-lost R3 ""
expect vice-lost M3 "L(1)"

step # T04: it comes back.
cl_start 1
view_all
expect_roles vice-back 3 "M=2 V=1 IN=1,2,3,4,5"
expect vice-back A3 "VE(1)"
for k in R3 M3 A4 V4 N4; do seen $k >/dev/null; done

# T24/T25/T28 applications, registered before the next events.
client_start X24 5
expect_client T24 X24 register "register CMM_OK"
client_start X25 4
expect_client T25 X25 filter-errors \
	"filter-set-null CMM_EINVAL filter-set-zero CMM_EINVAL filter-99 CMM_EINVAL filter-all-null CMM_OK"
expect_client T25 X25 "filter set J" "filter CMM_OK"
expect_client T25 X25 "filter add L" "filter CMM_OK"
expect_client T25 X25 "filter rem J" "filter CMM_OK"
expect_client T25 X25 register "register CMM_OK"
client_start X28 3
expect_client T28 X28 "filter none" "filter CMM_OK"
expect_client T28 X28 register "register CMM_OK"

step # T07: switchover requested on the master.
expect_tool switchover 3 2 "CMM_EPERM" release
expect_tool switchover 2 0 "" release
expect_roles switchover 4 "M=1 V=2 IN=1,2,3,4,5"
expect switchover A3 "MD(2) ME(1) VE(2)"
expect switchover R3 "MD(2) ME(1) VE(2)"
expect switchover M3 ""
# T24: three notifications pending; filter NONE at dispatch drops them.
expect_client T24 X24 readable "readable yes"
expect_client T24 X24 "filter none" "filter CMM_OK"
expect_client T24 X24 dispatch "dispatch CMM_OK"
expect_client T24 X24 "filter all" "filter CMM_OK"

step # T03 for X24/X25: the vice-master (2) crashes.
cl_stop 2 KILL
cl_wait_view "1 3 4 5" 20 1 3 4 5 >/dev/null
expect_roles vice-crash 3 "M=1 V=0 IN=1,3,4,5"
expect vice-crash A3 "L(2)"
expect_dispatch T24 X24 5 "cb L(2)"
expect_dispatch T25 X25 4 "cb L(2)" L

step # T04 for X25: it restarts and becomes vice-master again.
cl_start 2
view_all
expect_roles vice-restart 3 "M=1 V=2 IN=1,2,3,4,5"
expect vice-restart A3 "VE(2)"
expect_dispatch T25 X25 4 "" L
expect_dispatch T24 X24 5 "cb VE(2)"

step # T28 (T05): the master crashes; X28 filters everything out.
cl_stop 1 KILL
cl_wait_view "2 3 4 5" 20 2 3 4 5 >/dev/null
wait_master 3 2 10
expect master-crash A3 "L(1) ME(2)"
expect_client T28 X28 readable "readable yes"
expect_client T28 X28 dispatch "dispatch CMM_OK"
expect_client T28 X28 readable "readable no"
cl_start 1
view_all
expect_roles master-back 3 "M=2 V=1 IN=1,2,3,4,5"
seen A3 >/dev/null; seen R3 >/dev/null; seen M3 >/dev/null

# T26: one callback per process.
client_start X26 5
expect_client T26 X26 register "register CMM_OK"
expect_client T26 X26 register "register CMM_EEXIST"
expect_client T26 X26 unregister "unregister CMM_OK"
expect_client T26 X26 dispatch "dispatch CMM_ENOENT"
expect_client T26 X26 unregister "unregister CMM_ENOENT"

step # 2+3 partition: {4,5} is not quorate and goes stale; {1,2,3} keeps roles.
for k in A4 V4 N4; do seen $k >/dev/null; done
cl_bridge br1 4 5
cl_wait_view "1 2 3" 20 1 2 3 >/dev/null
cl_wait_view "4 5" 20 4 5 >/dev/null
sleep 3
expect partition A3 "L(4) L(5)"
expect partition M3 "L(4) L(5)"
expect partition A4 "STALE(0)"
expect partition V4 "STALE(0)"
expect_tool partition 4 0 "" master
expect_tool partition 4 0 '"stale":true' --json members

step # heal
cl_bridge br0 4 5
view_all
heal_roles heal 4
expect heal A3 "J(4) J(5)"
expect heal M3 "J(4) J(5)"
expect heal A4 "L(4) L(5) J(4) J(5) VAL(2)"
expect heal V4 "VAL(2)"
expect_tool heal 4 0 '"stale":false' --json members

step # Non-quorate partition holding both roles: {1,2} drop them; {3,4,5}
# is quorate but has no eligible node (masterless).
watch_start A1 1
watch_start R1 1 ME MD VE VD
seen A1 >/dev/null; seen R1 >/dev/null
cl_bridge br1 1 2
cl_wait_view "3 4 5" 20 3 4 5 >/dev/null
sleep 3
expect no-quorum A3 "L(1) L(2)"
expect no-quorum R3 ""
expect no-quorum A1 "MD(2) VD(1) STALE(0)"
expect no-quorum R1 "MD(2) VD(1)"
expect_roles no-quorum 3 "M=0 V=0 IN=3,4,5"
expect_tool no-quorum 1 2 "CMM_EPERM" release

step # heal: 2 is master again (latest epoch, last role master), 1 vice.
cl_bridge br0 1 2
view_all
wait_master 3 2 10
# 2 is master again, 1 vice (the reference's result); see heal_roles.
heal_roles no-quorum-heal 3
expect no-quorum-heal A3 "ME(2) VE(1)"
expect no-quorum-heal R3 "ME(2) VE(1)"
expect no-quorum-heal A1 "L(1) L(2) ME(2) VE(1) VAL(2)"
expect no-quorum-heal R1 "ME(2) VE(1)"

step # T23: cmm_config_reload distributes the master's node table.
write_conf 1 6
reload_all
expect_tool reload 3 2 "CMM_EPERM" reload
expect_tool reload "$MASTER" 0 "" reload
for i in 1 2 3 4 5; do
	expect_tool reload "$i" 0 "OUT_OF_CLUSTER" potential 6
	expect_tool reload "$i" 2 "CMM_ESRCH" info 6
done
write_conf 1 6 yes # an attribute of an existing node changes: refused
reload_all
expect_tool reload-attr "$MASTER" 2 "CMM_EINVAL" reload
expect_tool reload-attr 4 0 '"eligible":false' --json potential 3
write_conf 1 # node 6 (powered off) removed again
reload_all
expect_tool reload-remove "$MASTER" 0 "" reload
for i in 1 3 5; do expect_tool reload-remove "$i" 2 "CMM_ESRCH" potential 6; done
expect reload A3 ""
expect reload A1 ""
check_streams A3 R3 M3 A4 V4 N4 A1 R1

step # T27: the daemon (CMM service) on node 3 restarts.
seen A4 >/dev/null
inc3=$(tool 4 --json info 3 | sed -n 's/.*"incarnation":\([0-9]*\).*/\1/p')
cl_stop 3 TERM
cl_wait_view "1 2 4 5" 20 1 2 4 5 >/dev/null
expect_client T27 X28 dispatch "dispatch CMM_EBADF"
cl_start 3
view_all
expect_roles T27 3 "M=$MASTER V=$VICE IN=1,2,3,4,5"
expect T27 A4 "L(3) J(3)"
inc3b=$(tool 4 --json info 3 | sed -n 's/.*"incarnation":\([0-9]*\).*/\1/p')
[ "${inc3b:-0}" -gt "${inc3:-0}" ] && pass "T27 incarnation of 3: $inc3 -> $inc3b" ||
	fail "T27 incarnation of 3: $inc3 -> $inc3b"
client_start X27 3
expect_client T27 X27 register "register CMM_OK"
expect_client T27 X27 readable "readable no"
expect_client T27 X27 dispatch "dispatch CMM_OK"

# ---- phase 2: node 1 gets 3 votes (7 in all, quorum 4) ------------------
# Reloaded at run time.  {1,2} then holds 4 votes: quorate for votequorum
# although it is 2 of 5 nodes; {3,4,5} is 3 of 5 nodes but only 3 votes:
# not quorate.  CMM follows votequorum: {1,2} keeps both roles, {3,4,5}
# goes stale.
write_conf 3
reload_all
end=$((SECONDS + 20))
until tool_quorum 3 | grep -q "Expected votes: *7" || [ $SECONDS -ge $end ]; do sleep 0.2; done
tool_quorum 3 | grep -q "Expected votes: *7" && pass "votes: expected votes 7 after the reload" ||
	fail "votes: expected votes $(tool_quorum 3 | grep 'Expected votes')"
watch_start B1 1
watch_start B3 3
seen B1 >/dev/null; seen B3 >/dev/null

step
cl_bridge br1 3 4 5
cl_wait_view "1 2" 20 1 2 >/dev/null
cl_wait_view "3 4 5" 20 3 4 5 >/dev/null
sleep 3
expect votes-partition B1 "L(3) L(4) L(5)"
expect votes-partition B3 "STALE(0)"
expect_roles votes-partition 1 "M=$MASTER V=$VICE IN=1,2"
expect_tool votes-partition 3 0 '"stale":true' --json members
grep -q "cmm: view [0-9]* members 3,4,5 is not quorate" "$CL_DIR/node3.log" &&
	pass "votes-partition: {3,4,5} not quorate for CMM" ||
	fail "votes-partition: {3,4,5} was not reported non-quorate"

step
cl_bridge br0 3 4 5
view_all
heal_roles votes-heal 3
expect votes-heal B1 "J(3) J(4) J(5)"
expect votes-heal B3 "L(3) L(4) L(5) J(3) J(4) J(5) VAL($MASTER)"
check_streams B1 B3
check_states 1 2 3 4 5

if [ $fails -gt 0 ]; then
	cl_logs
	for f in "$CL_DIR"/node*.log; do
		echo "--- CMM lines of $f"
		grep -h "cmm:" "$f" | tail -80
	done
fi
echo "$fails failure(s)"
exit $((fails > 0))
