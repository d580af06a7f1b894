#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# mixed.sh - a big-endian node in a little-endian cluster.
#
# Cross-builds synod for s390x (Debian's gcc-s390x-linux-gnu, the s390x
# libqb/libknet/cmocka unpacked by sysroot.sh, cross file s390x.ini) into
# $BUILD/bigendian, then:
#   1. runs the cross-built unit and core tests (wire formats, membership,
#      quorum, CMM, store) under qemu-s390x: they must pass on big endian;
#      the client libraries' API tests (cmap, quorum, CMM, CPG) on s390x
#      against the s390x daemon; and the simulator on both byte orders:
#      the same trace per seed;
#   2. runs a 3-node cluster in network namespaces (tests/cluster/lib.sh):
#      nodes 1 and 2 this machine's build, node 3 the s390x daemon under
#      qemu-s390x, and checks that the view forms with all three, that
#      votequorum answers the same on every node (synod-quorumtool -s),
#      that CMM roles agree (synod-cmmtool) and requests from either kind
#      (release, node-table reload) take effect everywhere, that cmap answers on the s390x
#      node, that the config versions the nodes exchange are right, that a
#      CPG group spanning both byte orders delivers in one order (large
#      fragmented messages included), that the broadcast load service's
#      messages from either kind arrive intact everywhere, that a
#      little-endian client is refused by the s390x daemon, that the views follow a SIGKILLed
#      little-endian node and a SIGKILLed big-endian node and their
#      restarts, that a config reload requested by either kind reaches
#      every node, and that no node dropped a packet as garbled.
# The s390x node is queried with s390x tools under qemu: libqb IPC is
# shared memory in host byte order (as corosync's), so a client must have
# its daemon's byte order.
#
# Prints one PASS/FAIL line per check, with the times measured.  Needs
# root, BUILD (the native build directory), s390x-linux-gnu-gcc,
# qemu-s390x and the s390x package index (scripts/setup.sh); exits 77
# without them.
set -u
here=$(dirname "$(readlink -f "$0")")
src=$(readlink -f "$here/../..")
. "$here/../cluster/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
for prog in s390x-linux-gnu-gcc qemu-s390x meson ninja; do
	command -v "$prog" >/dev/null || { echo "SKIP: no $prog"; exit 77; }
done
apt-cache show libqb-dev:s390x >/dev/null 2>&1 ||
	{ echo "SKIP: no s390x package index (dpkg --add-architecture s390x)"; exit 77; }

be_dir=$BUILD/bigendian
sysroot=$be_dir/sysroot
xbuild=$be_dir/build-s390x
qemu="qemu-s390x -L $sysroot"
fails=0

pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# ---- cross build ----------------------------------------------------------

# The tests run under qemu: everything that encodes, decodes or computes on
# node-to-node data, plus the store (host-order values).
# unit-store_track_model only checks the store's tracker order against a
# model and takes minutes under qemu.
be_tests=(unit-net_wire unit-quorum unit-store unit-config_parse unit-config_totem
	unit-logconfig unit-security unit-cmapctl_fmt core-membership core-cmm-roles
	core-cmm-verdict core-cpg-groups fuzz-core-standalone fuzz-cmm-standalone)
# What the cluster runs on the s390x node.
be_programs=(daemon/synod tools/synod-cmapctl tools/synod-quorumtool tools/synod-cmmtool
	tools/synod-cfgtool tools/synod-bcast tests/cluster/cpg_client sim/synod-sim
	tests/integration/wait-ready)
# The client libraries' API tests, run on s390x against the s390x daemon.
be_api_tests=(test_cmap_api test_quorum_api test_cmm_api test_cpg_api)

# The build-directory paths of the named tests' programs.
test_programs() { # test-name...
	meson introspect "$xbuild" --tests | python3 -c '
import json, sys
names, root = set(sys.argv[2:]), sys.argv[1].rstrip("/") + "/"
for t in json.load(sys.stdin):
    if t["name"] in names and t["cmd"][0].startswith(root):
        print(t["cmd"][0][len(root):])' "$xbuild" "$@"
}

cross_build() {
	mkdir -p "$be_dir"
	"$here/sysroot.sh" "$sysroot" || return 1
	if [ ! -f "$xbuild/build.ninja" ]; then
		printf "[constants]\nsysroot = '%s'\n" "$sysroot" >"$be_dir/sysroot.ini"
		meson setup "$xbuild" "$src" --cross-file "$be_dir/sysroot.ini" \
			--cross-file "$here/s390x.ini" >"$be_dir/setup.log" 2>&1 ||
			{ tail -20 "$be_dir/setup.log"; return 1; }
	fi
	local targets
	targets=$(test_programs "${be_tests[@]}") || return 1
	# shellcheck disable=SC2086 # one target per word
	ninja -C "$xbuild" "${be_programs[@]}" "${be_api_tests[@]/#/tests/integration/}" $targets \
		>"$be_dir/ninja.log" 2>&1 ||
		{ tail -30 "$be_dir/ninja.log"; return 1; }
	s390x-linux-gnu-readelf -h "$xbuild/daemon/synod" | grep -q 'Data:.*big endian' ||
		{ echo "not a big-endian binary: $xbuild/daemon/synod"; return 1; }
}

t0=$(now_ms)
if ! cross_build; then
	fail "cross-build for s390x"
	exit 1
fi
pass "cross-build for s390x ($(($(now_ms) - t0)) ms)"

# ---- unit and core tests on big endian ------------------------------------

t0=$(now_ms)
if meson test -C "$xbuild" --no-rebuild --print-errorlogs "${be_tests[@]}" >"$be_dir/unit.log" 2>&1; then
	pass "${#be_tests[@]} unit/core tests under qemu-s390x ($(($(now_ms) - t0)) ms)"
else
	fail "unit/core tests under qemu-s390x"
	grep -E '^ *[0-9]+/[0-9]+ ' "$be_dir/unit.log"
	grep -E 'ERROR|FAILED|LINE' "$be_dir/unit.log" | head -20
fi

# The client libraries on s390x against the s390x daemon (one node,
# tests/integration/netns-run.sh): cmap (cmap_inc/cmap_dec included),
# quorum, CMM and CPG APIs.  netns-run.sh runs its readiness probe as one
# word: a script that runs the s390x probe under qemu.
printf '#!/bin/sh\nexec %s %s "$@"\n' "$qemu" "$xbuild/tests/integration/wait-ready" \
	>"$be_dir/wait-ready"
chmod +x "$be_dir/wait-ready"
for t in "${be_api_tests[@]}"; do
	t0=$(now_ms)
	# shellcheck disable=SC2086 # qemu is a command prefix
	if SYN_WAIT_READY=$be_dir/wait-ready SYN_DAEMON_WRAPPER=$qemu timeout 300 \
		"$src/tests/integration/netns-run.sh" "$xbuild/daemon/synod" "$src/conf/synod.conf" \
		$qemu "$xbuild/tests/integration/$t" >"$be_dir/$t.log" 2>&1; then
		pass "$t on s390x against the s390x daemon: $(grep -E 'PASSED' "$be_dir/$t.log") ($(($(now_ms) - t0)) ms)"
	else
		fail "$t on s390x against the s390x daemon"
		tail -30 "$be_dir/$t.log"
	fi
done

# The simulator's full trace of a seed (every view, delivery, quorum and
# CPG event, in virtual time) is the same on both byte orders: the node
# core decides nothing from host-order bytes.
sim_seeds=0 sim_diff=""
t0=$(now_ms)
for mode in "" --cpg --device; do
	for seed in 1 2 3 4 5 6 7 8; do
		# shellcheck disable=SC2086 # mode is one option or none
		le=$("$BUILD/sim/synod-sim" $mode --seed "$seed" --verbose 2>&1 | grep -v ' cpu')
		# shellcheck disable=SC2086
		be=$($qemu "$xbuild/sim/synod-sim" $mode --seed "$seed" --verbose 2>&1 | grep -v ' cpu')
		sim_seeds=$((sim_seeds + 1))
		[ -n "$le" ] && [ "$le" = "$be" ] || sim_diff="$sim_diff ${mode:-plain}:$seed"
	done
done
if [ -z "$sim_diff" ]; then
	pass "simulator: $sim_seeds seeds (membership, --cpg, --device) give the same trace on s390x and here ($(($(now_ms) - t0)) ms)"
else
	fail "simulator traces differ between s390x and here:$sim_diff"
fi

# ---- the mixed cluster ----------------------------------------------------

finish() {
	cpg_stop
	cl_cleanup
}
trap finish EXIT
BE=3 # the big-endian node

# The s390x daemon runs emulated: a failure timeout of 2 s keeps the
# membership from suspecting it when this machine is busy (BE_TOKEN_MS
# sets another; 0 leaves synod's default, 400 ms).
token_line=""
# shellcheck disable=SC2034 # read by cl_write_conf (lib.sh)
CL_SYSTEM="  bcast_service: yes"
[ "${BE_TOKEN_MS:-2000}" != 0 ] && token_line="  token: ${BE_TOKEN_MS:-2000}\n"
# config_version 1 from the start: the CONFIG_VERSION message each node
# sends on a view must reach the others as 1 (a byte-swapped 1 would be
# 2^56 and part the nodes).
cl_setup 3 "${token_line}  config_version: 1"
CL_NODE_BUILD[BE]=$xbuild
CL_NODE_RUN[BE]=$qemu

# Members, votes and quorum as node n's synod-quorumtool -s prints them,
# without what is node-local (date, node id, the "(local)" mark).
quorum_state() { # node
	cl_node_run "$1" tools/synod-quorumtool -s 2>/dev/null |
		sed -n -E 's/ \(local\)//; /^(Nodes|Ring ID|Quorate|Expected votes|Highest expected|Total votes|Quorum|Flags):|^ +[0-9]+ +[0-9]+ /p' |
		sed -E 's/ +/ /g; s/ $//' | paste -sd ';'
}

# Wait until every listed node prints the same quorum state, which must
# contain every given fragment; prints the state.
expect_quorum() { # what "fragment;..." timeout_s node...
	local what=$1 frags=$2 end=$((SECONDS + $3)) i s first ok f
	shift 3
	while :; do
		ok=1
		first=$(quorum_state "$1")
		for i in "$@"; do
			s=$(quorum_state "$i")
			[ "$s" = "$first" ] || ok=0
		done
		IFS=';' read -ra fs <<<"$frags"
		for f in "${fs[@]}"; do
			case ";$first;" in *";$f;"*) ;; *) ok=0 ;; esac
		done
		if [ $ok = 1 ]; then
			pass "$what: nodes $* agree: $first"
			return 0
		fi
		[ $SECONDS -ge $end ] && break
		sleep 0.3
	done
	fail "$what: want $frags on nodes $*"
	for i in "$@"; do echo "    node $i: $(quorum_state "$i")"; done
	return 1
}

# CMM roles as node n sees them: "1:MASTER 2:VICEMASTER 3:..." by node id.
cmm_roles() { # node
	cl_node_run "$1" tools/synod-cmmtool --json members 2>/dev/null | python3 -c '
import json, sys
try:
    ms = json.load(sys.stdin)["members"]
except Exception:
    print("none"); sys.exit(0)
print(" ".join("%d:%s" % (m["nodeid"], m["role"]) for m in sorted(ms, key=lambda m: m["nodeid"])))'
}

# Wait until the listed nodes agree on roles: the given members, one
# master and one vice-master among them.
expect_roles() { # what "ids" timeout_s node...
	local what=$1 ids=$2 end=$((SECONDS + $3)) i r first ok
	shift 3
	while :; do
		ok=1
		first=$(cmm_roles "$1")
		for i in "$@"; do
			r=$(cmm_roles "$i")
			[ "$r" = "$first" ] || ok=0
		done
		[ "$(echo "$first" | tr ' ' '\n' | cut -d: -f1 | paste -sd ' ')" = "$ids" ] || ok=0
		[ "$(echo "$first" | tr ' ' '\n' | grep -c ':MASTER$')" = 1 ] || ok=0
		[ "$(echo "$first" | tr ' ' '\n' | grep -c ':VICEMASTER$')" = 1 ] || ok=0
		if [ $ok = 1 ]; then
			pass "$what: nodes $* agree on CMM roles $first"
			return 0
		fi
		[ $SECONDS -ge $end ] && break
		sleep 0.3
	done
	fail "$what: CMM roles do not agree on nodes $* (members $ids)"
	for i in "$@"; do echo "    node $i: $(cmm_roles "$i")"; done
	return 1
}

expect_view() { # what "ids" timeout_s node...
	local what=$1 want=$2 timeout=$3 ms
	shift 3
	if ms=$(cl_wait_view "$want" "$timeout" "$@"); then
		pass "$what: nodes $* see [$want] after $ms ms"
	else
		fail "$what: nodes $* do not see [$want] within $timeout s"
	fi
}

# The s390x node's own cmap through s390x synod-cmapctl: configuration
# strings and integers, and a value set and read back.
check_cmap_be() {
	local name id got
	name=$(cl_node_run "$BE" tools/synod-cmapctl -q -g totem.cluster_name 2>&1)
	id=$(cl_node_run "$BE" tools/synod-cmapctl -q -g runtime.votequorum.this_node_id 2>&1)
	cl_node_run "$BE" tools/synod-cmapctl -s test.be.u64 u64 72623859790382856 >/dev/null 2>&1
	cl_node_run "$BE" tools/synod-cmapctl -s test.be.u16 u16 258 >/dev/null 2>&1
	got=$(cl_node_run "$BE" tools/synod-cmapctl test.be. 2>&1 | paste -sd ';')
	if [ "$name" = synodtest ] && [ "$id" = "$BE" ] &&
		[ "$got" = "test.be.u16 (u16) = 258;test.be.u64 (u64) = 72623859790382856" ]; then
		pass "cmap on the s390x node: cluster_name=$name this_node_id=$id, set/get: $got"
	else
		fail "cmap on the s390x node: cluster_name '$name' this_node_id '$id' values '$got'"
	fi
}

# runtime.members.<id>.config_version as node n recorded it for 1, 2, 3.
config_versions() { # node
	local id
	for id in 1 2 3; do
		cl_node_run "$1" tools/synod-cmapctl -q -g "runtime.members.$id.config_version" 2>&1
	done | paste -sd ' '
}

expect_config_versions() { # what version timeout_s
	local what=$1 want="$2 $2 $2" end=$((SECONDS + $3)) i ok out
	while :; do
		ok=1 out=""
		for i in 1 2 3; do
			v=$(config_versions "$i")
			out="$out node $i: [$v]"
			[ "$v" = "$want" ] || ok=0
		done
		if [ $ok = 1 ]; then
			pass "$what: every node recorded config_version $2 for 1 2 3"
			return 0
		fi
		[ $SECONDS -ge $end ] && break
		sleep 0.3
	done
	fail "$what: config versions:$out, want $2 everywhere"
}

# A little-endian client on the s390x node: libqb's IPC is host order, so
# the daemon must refuse it (corosync's does the same) - promptly, and
# without harm to the daemon, which keeps answering its own clients.
check_foreign_client() {
	local rc out
	out=$(timeout 20 ip netns exec "$(cl_ns "$BE")" "$BUILD/tools/synod-cmapctl" \
		-g totem.cluster_name 2>&1)
	rc=$?
	if [ $rc -ne 0 ] && [ $rc -ne 124 ] && ! echo "$out" | grep -q '(str) =' &&
		kill -0 "${CL_PID[$BE]}" 2>/dev/null &&
		[ "$(cl_node_run "$BE" tools/synod-cmapctl -q -g totem.cluster_name 2>&1)" = synodtest ]; then
		pass "a little-endian client on the s390x node is refused (exit $rc: $(echo "$out" | head -1)); the daemon answers its own"
	else
		fail "a little-endian client on the s390x node: exit $rc, '$out'"
	fi
}

# The master as node n sees it (0: none).
cmm_master() { # node
	cmm_roles "$1" | tr ' ' '\n' | sed -n 's/:MASTER$//p' | head -1
}

# Wait until nodes 2 and 3 (the two left) agree that node m is master.
wait_master_23() { # m timeout_s
	local end=$((SECONDS + $2))
	while [ $SECONDS -lt $end ]; do
		[ "$(cmm_master 2)" = "$1" ] && [ "$(cmm_master "$BE")" = "$1" ] &&
			[ "$(cmm_roles 2)" = "$(cmm_roles "$BE")" ] && return 0
		sleep 0.3
	done
	return 1
}

# CMM requests across byte orders, with nodes 2 and 3 left: the master
# releases its role until the s390x node holds it (a REQUEST from a
# little-endian node), the s390x node reloads the CMM node table (a TABLE
# message from it) and then releases the role itself (a REQUEST from it).
check_cmm_requests() {
	local m other out
	m=$(cmm_master 2)
	if [ "$m" != "$BE" ]; then
		out=$(cl_node_run "$m" tools/synod-cmmtool release 2>&1) ||
			{ fail "cmm: release on node $m: $out"; return; }
		wait_master_23 "$BE" 20 ||
			{ fail "cmm: after node $m released: roles node 2 '$(cmm_roles 2)', node $BE '$(cmm_roles "$BE")'"; return; }
		pass "cmm: node $m released the mastership, nodes 2 $BE agree: $(cmm_roles "$BE")"
	fi
	out=$(cl_node_run "$BE" tools/synod-cmmtool reload 2>&1) ||
		{ fail "cmm: reload on the s390x master: $out"; return; }
	expect_roles "CMM after a node-table reload by the s390x master" "2 3" 20 2 3
	if [ "$(grep -c 'cmm: node table reloaded, 3 nodes' "$CL_DIR/node2.log")" = 1 ] &&
		[ "$(grep -c 'cmm: node table reloaded, 3 nodes' "$CL_DIR/node$BE.log")" = 1 ]; then
		pass "cmm: the s390x master's node table (3 nodes) applied on nodes 2 and $BE"
	else
		fail "cmm: the s390x master's node-table reload not applied once on nodes 2 and $BE"
	fi
	other=2
	out=$(cl_node_run "$BE" tools/synod-cmmtool release 2>&1) ||
		{ fail "cmm: release on the s390x node: $out"; return; }
	if wait_master_23 "$other" 20; then
		pass "cmm: the s390x node released the mastership, nodes 2 $BE agree: $(cmm_roles 2)"
	else
		fail "cmm: after the s390x node released: roles node 2 '$(cmm_roles 2)', node $BE '$(cmm_roles "$BE")'"
	fi
}

# ---- the broadcast load service across byte orders ----------------------

bcast() { # node args...
	cl_node_run "$1" tools/synod-bcast "${@:2}" 2>&1
}
bcast_field() { sed -n "s/.* *\b$1=\([0-9]*\).*/\1/p" <<<"$2" | head -1; }

# 20 messages of 100,000 bytes (fragmented) from the s390x node and 20
# from node 1 at once: every node delivers all 40, none failing the
# receiver's check of sender, sequence and filler bytes.
check_bcast() {
	local i line ok end out=""
	if ! bcast "$BE" start 20 100000 >/dev/null || ! bcast 1 start 20 100000 >/dev/null; then
		fail "synod-bcast start"
		return
	fi
	for i in 1 2 3; do
		end=$((SECONDS + 60)) ok=0
		while [ $SECONDS -lt $end ]; do
			line=$(bcast "$i" stats)
			[ "$(bcast_field delivered "$line")" = 40 ] && { ok=1; break; }
			sleep 0.3
		done
		[ "$(bcast_field bad "$line")" = 0 ] || ok=0
		out="$out node $i: delivered=$(bcast_field delivered "$line") bad=$(bcast_field bad "$line");"
		[ $ok = 1 ] || { fail "broadcast:$out"; return; }
	done
	pass "broadcast from nodes $BE and 1 (40 x 100000 bytes):$out"
}

# ---- CPG across byte orders --------------------------------------------

declare -A CPG_PID=()
CPG_BIG=1572864 # above 1 MiB: sent in fragments

cpg_start() { # node
	# shellcheck disable=SC2086 # CL_NODE_RUN is a command prefix, split on spaces
	ip netns exec "$(cl_ns "$1")" ${CL_NODE_RUN[$1]:-} \
		"${CL_NODE_BUILD[$1]:-$BUILD}/tests/cluster/cpg_client" cpgbe 100 "$CPG_BIG" \
		>>"$CL_DIR/cpg$1.log" 2>>"$CL_DIR/cpg$1.err" &
	CPG_PID[$1]=$!
}

cpg_stop() {
	local i
	for i in "${!CPG_PID[@]}"; do
		[ -n "${CPG_PID[$i]}" ] || continue
		kill -TERM "${CPG_PID[$i]}" 2>/dev/null
		wait "${CPG_PID[$i]}" 2>/dev/null
		CPG_PID[$i]=
	done
}

cpg_wait() { # node regex count timeout_s
	local end=$((SECONDS + $4))
	while [ $SECONDS -lt $end ]; do
		[ "$(grep -cE "$2" "$CL_DIR/cpg$1.log" 2>/dev/null)" -ge "$3" ] && return 0
		sleep 0.1
	done
	return 1
}

# One group with a member on every node: 100 messages from each in one
# order everywhere, then a fragmented message from the s390x node and one
# from node 1, the same bytes everywhere.
check_cpg() {
	local i t0 ms
	for i in 1 2 3; do cpg_start "$i"; done
	for i in 1 2 3; do
		cpg_wait "$i" '^C M 1:[0-9]+,2:[0-9]+,3:[0-9]+ ' 1 30 ||
			{ fail "cpg: node $i does not see the 3 members"; cpg_stop; return; }
	done
	t0=$(now_ms)
	for i in 1 2 3; do kill -USR1 "${CPG_PID[$i]}"; done
	for i in 1 2 3; do
		cpg_wait "$i" '^D .* m[0-9]+-' 300 60 ||
			{ fail "cpg: node $i lacks messages"; cpg_stop; return; }
		grep -E '^D .* m[0-9]+-' "$CL_DIR/cpg$i.log" | awk '{print $2, $6}' >"$CL_DIR/cpgo$i"
	done
	ms=$(($(now_ms) - t0))
	if cmp -s "$CL_DIR/cpgo1" "$CL_DIR/cpgo2" && cmp -s "$CL_DIR/cpgo1" "$CL_DIR/cpgo3"; then
		pass "cpg: 300 messages (100 per node) delivered in one order on nodes 1 2 3 in $ms ms"
	else
		fail "cpg: delivery orders differ"
	fi
	kill -USR2 "${CPG_PID[$BE]}"
	kill -USR2 "${CPG_PID[1]}"
	for i in 1 2 3; do
		cpg_wait "$i" "^D [0-9]+ [0-9]+ $CPG_BIG " 2 60 ||
			{ fail "cpg: node $i lacks a $CPG_BIG-byte message"; cpg_stop; return; }
	done
	if [ "$(grep -hE "^D [0-9]+ [0-9]+ $CPG_BIG " "$CL_DIR"/cpg[123].log |
		awk '{print $2, $5}' | sort -u | wc -l)" -eq 2 ]; then
		pass "cpg: $CPG_BIG-byte messages from nodes $BE and 1 arrived whole and equal on nodes 1 2 3"
	else
		fail "cpg: the $CPG_BIG-byte messages differ between nodes"
	fi
	cpg_stop
}

t0=$(now_ms)
for i in 1 2 3; do cl_start "$i"; done
expect_view "formation (2 little-endian + 1 big-endian, started together)" "1 2 3" 60 1 2 3
q3="Nodes: 3;Quorate: Yes;Expected votes: 3;Total votes: 3;Quorum: 2"
expect_quorum "votequorum after formation" "$q3" 20 1 2 3
expect_roles "CMM after formation" "1 2 3" 20 1 2 3
check_cmap_be
check_foreign_client
expect_config_versions "config version at formation" 1 10
check_cpg
check_bcast

# A little-endian node dies and comes back.
cl_stop 1 KILL
expect_view "SIGKILL of little-endian node 1" "2 3" 30 2 3
expect_quorum "votequorum without node 1" "Nodes: 2;Quorate: Yes;Total votes: 2;Quorum: 2" 20 2 3
expect_roles "CMM without node 1" "2 3" 20 2 3
check_cmm_requests
cl_start 1
expect_view "restart of node 1" "1 2 3" 60 1 2 3
expect_quorum "votequorum with node 1 back" "$q3" 20 1 2 3

# The big-endian node dies and comes back.
cl_stop "$BE" KILL
expect_view "SIGKILL of big-endian node 3" "1 2" 30 1 2
expect_quorum "votequorum without node 3" "Nodes: 2;Quorate: Yes;Total votes: 2;Quorum: 2" 20 1 2
expect_roles "CMM without node 3" "1 2" 20 1 2
cl_start "$BE"
expect_view "restart of big-endian node 3" "1 2 3" 60 1 2 3
expect_quorum "votequorum with node 3 back" "$q3" 20 1 2 3
expect_roles "CMM with node 3 back" "1 2 3" 20 1 2 3
check_cmap_be

# Cluster-wide reloads, requested by the s390x node and then by a
# little-endian one: each node re-reads its file (config_version and
# quorum.expected_votes change) and logs the requester.
reload_to() { # config_version expected_votes requester
	cl_write_conf 3 "${token_line}  config_version: $1" "  expected_votes: $2"
	if ! cl_node_run "$3" tools/synod-cfgtool -R >/dev/null 2>&1; then
		fail "synod-cfgtool -R on node $3"
		return
	fi
	expect_quorum "reload requested by node $3" "Nodes: 3;Quorate: Yes;Expected votes: $2;Total votes: 3" 20 1 2 3
	local i n bad="" v
	for i in 1 2 3; do
		v=$(cl_node_run "$i" tools/synod-cmapctl -q -g totem.config_version 2>&1)
		[ "$v" = "$1" ] || bad="$bad node $i has totem.config_version '$v';"
	done
	if [ -z "$bad" ]; then pass "reload requested by node $3: totem.config_version $1 on every node"; else fail "reload:$bad"; fi
	bad=""
	for i in 1 2 3; do
		n=$(grep -c "Config reload requested by node $3" "$CL_DIR/node$i.log")
		[ "$n" = 1 ] || bad="$bad node $i logged it $n times;"
	done
	if [ -z "$bad" ]; then pass "reload requested by node $3 logged once on each node"; else fail "reload request:$bad"; fi
}
reload_to 2 4 "$BE"
reload_to 3 5 1
# The versions the nodes send each other on the next view are the new ones.
cl_stop 2 KILL
expect_view "SIGKILL of node 2 after the reloads" "1 3" 30 1 3
cl_start 2
expect_view "restart of node 2" "1 2 3" 60 1 2 3
expect_config_versions "config version after the reloads and a new view" 3 20

# No node dropped a membership packet as garbled (failed validation), and
# the s390x node received its share.
check_garbled() {
	local i g r bad=0 out=""
	for i in 1 2 3; do
		g=$(cl_node_run "$i" tools/synod-cmapctl -m stats -q -g stats.membership.pkts_garbled 2>&1)
		r=$(cl_node_run "$i" tools/synod-cmapctl -m stats -q -g stats.membership.pkts_received 2>&1)
		out="$out node $i: garbled=$g received=$r;"
		[ "$g" = 0 ] && [ "${r:-0}" -gt 0 ] 2>/dev/null || bad=1
	done
	if [ $bad = 0 ]; then pass "no garbled membership packets:$out"; else fail "membership packets:$out"; fi
}
check_garbled

# Whatever the checks saw, the logs must show no frame or message a node
# could not decode.
if grep -n -i -E 'malformed|cannot decode|bad (frame|message)|short (frame|message)' \
	"$CL_DIR"/node*.log; then
	fail "undecodable traffic logged"
else
	pass "no undecodable traffic in the logs"
fi
echo "mixed cluster steps took $(($(now_ms) - t0)) ms"
[ $fails -eq 0 ] || cl_logs
exit $((fails > 0))
