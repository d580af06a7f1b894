#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# config-refuse.sh - configurations corosync 3.1.7 refuses, or accepts,
# and synod must treat the same way: the same exit code and message.
#
# usage: config-refuse.sh SYNOD
#
# Each case is one generated configuration and the exit code and message
# corosync 3.1.7 gives for it, either with -t or on a real start (in a
# network namespace of its own, bounded in time; only problems corosync
# finds when it loads its services need one).  The expectations were
# taken from corosync 3.1.7 on the same files; when corosync is on PATH
# the -t cases are also checked against it live.
#
#   case              how     exit  message
#   provider          -t      0     (services are not loaded by -t)
#   provider          start   20    Service engine 'corosync_quorum' failed to
#                                   load for reason 'Invalid quorum provider'
#   state_dir         -t      16    Cannot chdir to state directory D. No such
#   state_dir         start   16      file or directory
#   families          -t      8     parse error in config: Nodes for link 0 have
#   families          start   8       different IP families (compared ::1 with
#                                     127.0.0.1)
#   udpu priority 1/0 -t      0     (the default value; 0 reads as 1)
#   udpu priority 5   -t      8     parse error in config: Can only set link
#                                   priority on knet transport type for interface 0
#   knet ttl 1        -t      0     (the default value)
#
# Real starts need root (ip netns); without it they are skipped and the
# script exits 77 after the -t cases.  Only processes and namespaces this
# script created are removed.
set -u
synod=${1:?usage: config-refuse.sh SYNOD}
work=$(mktemp -d)
ns=""
dpid=""
failures=0

cleanup() {
	if [ -n "$dpid" ] && kill -0 "$dpid" 2>/dev/null; then
		kill -KILL "$dpid" 2>/dev/null
		wait "$dpid" 2>/dev/null
	fi
	[ -z "$ns" ] || ip netns del "$ns" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/state"

# conf NAME TRANSPORT PROVIDER STATE_DIR IFACE_ITEMS NODE2_ADDR -> $work/NAME.conf
conf() {
	local name=$1 transport=$2 provider=$3 state_dir=$4 iface=$5 node2=$6
	{
		printf 'totem {\n\tversion: 2\n\tcluster_name: cfgtest\n\ttransport: %s\n' "$transport"
		printf '\tcrypto_cipher: none\n\tcrypto_hash: none\n'
		[ -z "$iface" ] || printf '\tinterface {\n\t\tlinknumber: 0\n\t\t%s\n\t}\n' "$iface"
		printf '}\n'
		printf 'nodelist {\n\tnode {\n\t\tnodeid: 1\n\t\tname: node1\n\t\tring0_addr: 127.0.0.1\n\t}\n'
		[ -z "$node2" ] ||
			printf '\tnode {\n\t\tnodeid: 2\n\t\tname: node2\n\t\tring0_addr: %s\n\t}\n' "$node2"
		printf '}\n'
		printf 'quorum {\n\tprovider: %s\n}\n' "$provider"
		printf 'system {\n\tstate_dir: %s\n}\n' "$state_dir"
		printf 'logging {\n\tto_stderr: yes\n\tto_syslog: no\n\tto_logfile: no\n}\n'
	} >"$work/$name.conf"
}

# check LABEL RC OUTPUT_FILE WANT_RC WANT_MESSAGE
check() {
	local label=$1 rc=$2 out=$3 want_rc=$4 want_msg=$5
	if [ "$rc" -ne "$want_rc" ]; then
		echo "FAIL $label: exit $rc, expected $want_rc; output:"
		sed 's/^/    /' "$out"
		failures=$((failures + 1))
	elif [ -n "$want_msg" ] && ! grep -qF -- "$want_msg" "$out"; then
		echo "FAIL $label: exit $rc as expected but no \"$want_msg\" in:"
		sed 's/^/    /' "$out"
		failures=$((failures + 1))
	else
		echo "ok   $label: exit $rc${want_msg:+, \"$want_msg\"}"
	fi
}

# test_only NAME WANT_RC WANT_MESSAGE: synod -t, and corosync -t if present.
test_only() {
	local name=$1 want_rc=$2 want_msg=$3 rc
	timeout 30 "$synod" -t -c "$work/$name.conf" >"$work/$name.t.out" 2>&1
	rc=$?
	check "synod -t $name" "$rc" "$work/$name.t.out" "$want_rc" "$want_msg"
	if command -v corosync >/dev/null; then
		timeout 30 corosync -t -c "$work/$name.conf" >"$work/$name.ref.out" 2>&1
		rc=$?
		check "corosync -t $name" "$rc" "$work/$name.ref.out" "$want_rc" "$want_msg"
	fi
}

# real_start NAME WANT_RC WANT_MESSAGE: synod -f in a fresh namespace must
# exit by itself within 20 s; a daemon still running is a failure.
real_start() {
	local name=$1 want_rc=$2 want_msg=$3 rc=124 out
	out="$work/$name.start.out"
	ns="synod-cfg$$-$RANDOM"
	ip netns add "$ns" || { echo "FAIL cannot create a network namespace"; exit 99; }
	ip netns exec "$ns" ip link set lo up
	ip netns exec "$ns" "$synod" -f -c "$work/$name.conf" >"$out" 2>&1 &
	dpid=$!
	for _ in $(seq 1 200); do
		kill -0 "$dpid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$dpid" 2>/dev/null; then
		echo "    (still running after 20 s: killed)" >>"$out"
		kill -KILL "$dpid"
		wait "$dpid" 2>/dev/null
	else
		wait "$dpid"
		rc=$?
	fi
	dpid=""
	ip netns del "$ns"
	ns=""
	check "synod start $name" "$rc" "$out" "$want_rc" "$want_msg"
}

missing="$work/no-such-dir"
families_msg="parse error in config: Nodes for link 0 have different IP families (compared ::1 with 127.0.0.1)"
priority_msg="parse error in config: Can only set link priority on knet transport type for interface 0"
conf provider knet bogus_quorum "$work/state" "" ""
conf state_dir knet corosync_votequorum "$missing" "" ""
conf families knet corosync_votequorum "$work/state" "" "::1"
conf udpu_prio1 udpu corosync_votequorum "$work/state" "knet_link_priority: 1" ""
conf udpu_prio0 udpu corosync_votequorum "$work/state" "knet_link_priority: 0" ""
conf udpu_prio5 udpu corosync_votequorum "$work/state" "knet_link_priority: 5" ""
conf knet_ttl1 knet corosync_votequorum "$work/state" "ttl: 1" ""

test_only provider 0 ""
test_only state_dir 16 "Cannot chdir to state directory $missing. No such file or directory"
test_only families 8 "$families_msg"
test_only udpu_prio1 0 ""
test_only udpu_prio0 0 ""
test_only udpu_prio5 8 "$priority_msg"
test_only knet_ttl1 0 ""

if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null; then
	echo "SKIP real starts: they need root and ip(8)"
	[ "$failures" -eq 0 ] || exit 1
	exit 77
fi
real_start provider 20 \
	"Service engine 'corosync_quorum' failed to load for reason 'Invalid quorum provider'"
grep -qF "Quorum provider: bogus_quorum failed to initialize." "$work/provider.start.out" || {
	echo "FAIL synod start provider: no \"Quorum provider: bogus_quorum failed to initialize.\""
	failures=$((failures + 1))
}
real_start state_dir 16 "Cannot chdir to state directory $missing. No such file or directory"
real_start families 8 "$families_msg"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all cases match"
