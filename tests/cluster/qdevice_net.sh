#!/usr/bin/env bash
# qdevice_net.sh - the distribution's corosync-qdevice (model net,
# algorithm ffsplit, TLS off) on each node of a 2-node synod cluster, and
# the distribution's corosync-qnetd in a namespace of its own that both
# nodes reach.  The link between the nodes is cut (a blackhole route on
# each side; both still reach qnetd) while quorum-sampler samples
# votequorum_getinfo's QUORATE flag, quorum_getquorate and whether the
# peer is still a member, on both nodes every 10 ms.  Checks: at no sample
# time both nodes quorate by votequorum_getinfo with the split installed on
# both sides (quorum_getquorate's count is printed: it reports the view of
# the last notification, which waits for the device's poll), and afterwards exactly the side qnetd picked (ffsplit's default
# tie-breaker: the lowest node id, node 1) quorate.  Exit 1 on failure,
# 77 (skip) when not root or the qdevice packages are missing.
#
# usage: BUILD=builddir qdevice_net.sh
set -u
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
for c in corosync-qnetd corosync-qdevice corosync-quorumtool python3; do
	command -v "$c" >/dev/null || { echo "SKIP: no $c"; exit 77; }
done
BUILD=${BUILD:?set BUILD to the build directory}
. "$(dirname "$0")/lib.sh"
SAMPLER="$BUILD/tests/cluster/quorum-sampler"
QN_ADDR=10.231.0.100
QN_NS="syn-${CL_ID}-qn"
QPID=()

# A program in namespace ns with a private /run (qnetd and qdevice keep
# their pid and socket files there); exec keeps the PID ours to kill.
start_private() { # ns log command...
	local ns=$1 log=$2
	shift 2
	ip netns exec "$ns" unshare -m sh -c 'mount -t tmpfs none /run && exec "$@"' sh "$@" \
		>>"$log" 2>&1 &
	QPID+=($!)
}

cleanup() {
	local p
	for p in "${QPID[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${QPID[@]}"; do
		for _ in $(seq 1 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	ip netns del "$QN_NS" 2>/dev/null
	[ "${KEEP:-0}" = 1 ] && { echo "logs in $CL_DIR"; CL_DIR=/nonexistent; }
	cl_cleanup
}
trap cleanup EXIT

qt() { # node -> corosync-quorumtool -s
	ip netns exec "$(cl_ns "$1")" env -u LD_LIBRARY_PATH corosync-quorumtool -s 2>/dev/null
}

wait_field() { # node field want timeout
	local start=$SECONDS
	while [ $((SECONDS - start)) -lt "$4" ]; do
		[ "$(qt "$1" | awk -F': *' -v f="$2" '$1 == f {print $2}')" = "$3" ] && return 0
		sleep 0.1
	done
	echo "node $1: $2 is not '$3':"
	qt "$1"
	return 1
}

fail() {
	echo "FAIL: $*"
	local f
	for f in "$CL_DIR"/*.log; do echo "--- $f"; tail -25 "$f"; done
	exit 1
}

cl_setup 2 "" "  device {\n    model: net\n    votes: 1\n    net {\n      host: $QN_ADDR\n      algorithm: ffsplit\n      tls: off\n    }\n  }"
ip netns add "$QN_NS"
ip link add "v${CL_ID}q" netns "$CL_HUB" type veth peer name eth0 netns "$QN_NS"
ip netns exec "$CL_HUB" ip link set "v${CL_ID}q" master br0 up
ip -n "$QN_NS" link set lo up
ip -n "$QN_NS" addr add "$QN_ADDR/24" dev eth0
ip -n "$QN_NS" link set eth0 up
start_private "$QN_NS" "$CL_DIR/qnetd.log" corosync-qnetd -f -s off -d

cl_start 1
cl_start 2
cl_wait_view "1 2" 20 1 2 >/dev/null || fail "no view of both nodes"
for i in 1 2; do
	start_private "$(cl_ns "$i")" "$CL_DIR/qdevice$i.log" \
		env -u LD_LIBRARY_PATH corosync-qdevice -f -d
done
for i in 1 2; do wait_field "$i" "Total votes" 3 30 || fail "device vote not counted"; done
for i in 1 2; do wait_field "$i" Quorate Yes 10 || fail "not quorate with the device"; done

# Sample for 14 s; cut after 2 s.
for i in 1 2; do
	ip netns exec "$(cl_ns "$i")" "$SAMPLER" 10 14000 $((3 - i)) >"$CL_DIR/samples$i" 2>>"$CL_DIR/sampler.log" &
	QPID+=($!)
done
sleep 2
cut_us=$(date +%s%6N)
ip -n "$(cl_ns 1)" route add blackhole "$(cl_addr 2)/32"
ip -n "$(cl_ns 2)" route add blackhole "$(cl_addr 1)/32"
cl_wait_view "1" 20 1 >/dev/null || fail "node 1 did not see the split"
cl_wait_view "2" 20 2 >/dev/null || fail "node 2 did not see the split"
for p in "${QPID[@]: -2}"; do wait "$p"; done

python3 - "$CL_DIR/samples1" "$CL_DIR/samples2" "$cut_us" <<'PY' || fail "double quorum"
import sys
# A sample time counts as double quorum when both nodes are quorate and
# each has the other out of its view (disjoint views: the simulator's Q1).
# Before the split is detected both are quorate in the old, shared view.
def load(p):
    return [(int(t), a, b, c) for t, a, b, c in (l.split() for l in open(p) if l.strip())]
s = [load(sys.argv[1]), load(sys.argv[2])]
cut = int(sys.argv[3])
events = sorted([(t, k) + rest for k in (0, 1) for t, *rest in s[k]])
cur = [None, None]
both = {"votequorum_getinfo": 0, "quorum_getquorate": 0}
first = {}
n = 0
for t, k, a, b, c in events:
    cur[k] = (a, b, c)
    if None in cur or t < cut:
        continue
    n += 1
    split = cur[0][2] == "0" and cur[1][2] == "0"
    for i, name in ((0, "votequorum_getinfo"), (1, "quorum_getquorate")):
        if split and cur[0][i] == "1" and cur[1][i] == "1":
            both[name] += 1
            first.setdefault(name, "%.1f ms after the cut" % ((t - cut) / 1000.0))
last = [x[-1] for x in s]
print("%d sample times after the cut (%d + %d samples), both quorate in disjoint views: %s %s; at the end node 1 %s/%s, node 2 %s/%s"
      % (n, len(s[0]), len(s[1]), both, first, last[0][1], last[0][2], last[1][1], last[1][2]))
bad = both["votequorum_getinfo"] > 0
if (last[0][1], last[0][2], last[1][1], last[1][2]) != ("1", "1", "0", "0"):
    print("FAIL: at the end not exactly node 1 (qnetd's pick, lowest node id) quorate")
    bad = True
sys.exit(1 if bad else 0)
PY
echo "PASS qdevice_net_split"
