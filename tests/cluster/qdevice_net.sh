#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# qdevice_net.sh - the distribution's corosync-qdevice (model net,
# algorithm ffsplit) on each node of a 2-node cluster, and the
# distribution's corosync-qnetd in a namespace of its own that both nodes
# reach.  The link between the nodes is cut (a blackhole route on each
# side; both still reach qnetd) while quorum-sampler samples
# votequorum_getinfo's QUORATE flag, quorum_getquorate and whether the
# peer is still a member, on both nodes every 10 ms.  Checks: at no sample
# time both nodes quorate, by votequorum_getinfo or by quorum_getquorate,
# with the split installed on both sides (the quorum service answers
# TRY_AGAIN while a sync waits for the device's poll, as corosync's
# does; on the corosync reference run only quorum_getquorate, see the
# analysis below), and afterwards exactly the side qnetd picked (ffsplit's default tie-breaker:
# the lowest node id, node 1) quorate.  Exit 1 on failure, 77 (skip) when
# not root or the qdevice packages are missing.
#
# Options:
#   corosync  the nodes run the distribution's corosync instead of synod
#             (private /run and /var/lib/corosync): the reference
#   tls       TLS required on both ends: a QNetd CA and server certificate,
#             a cluster certificate signed by it and imported on both
#             nodes, made with corosync-qnetd-certutil and
#             corosync-qdevice-net-certutil into private NSS databases
#   lms       the device's algorithm is lms (last man standing) instead
#             of ffsplit; the same split (a tie: lms also gives the vote to
#             the lowest node id) and node loss give the same quorum
# The options combine (lms with tls: the lms device over TLS; its
# reference outputs are lms-tls-required-*.txt).
#
# Every process here runs in a mount namespace of its own with a private
# /run (pid and socket files) and a private directory of the test's
# mounted on /etc/corosync (the NSS databases the tools and daemons use),
# so nothing of the host's corosync installation is read or written.
#
# After the split, the link is healed and node 2 stopped (node loss):
# node 1 must stay quorate with its vote and the device's.  In each state
# (both nodes up, split, healed, node 2 lost) `corosync-quorumtool -s`
# and `corosync-qdevice-tool -sv` on each node and `corosync-qnetd-tool
# -lv` on the qnetd host are captured, masked where runs legitimately
# differ (times, ring ids, client ports, whether a heartbeat was answered
# yet, the kind of qnetd's last reply, and node blocks sorted by node id:
# qnetd lists clients in the order they connected) and compared with the
# reference output recorded from the distribution's corosync in
# qdevice_net_expected/ (the corosync variants check the reference still
# holds; REFERENCE_WRITE=1 rewrites it from a corosync run).
#
# usage: BUILD=builddir qdevice_net.sh [corosync] [tls] [lms]
set -u
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
KIND=synod
TLS=off
ALGORITHM=ffsplit
for a in "$@"; do
	case $a in
	corosync) KIND=corosync ;;
	tls) TLS=required ;;
	lms) ALGORITHM=lms ;;
	*) echo "usage: qdevice_net.sh [corosync] [tls] [lms]"; exit 2 ;;
	esac
done
need="corosync-qnetd corosync-qdevice corosync-quorumtool python3 ss"
[ "$KIND" = corosync ] && need="$need corosync corosync-cmapctl"
[ "$TLS" = required ] && need="$need corosync-qnetd-certutil corosync-qdevice-net-certutil certutil"
for c in $need; do
	command -v "$c" >/dev/null || { echo "SKIP: no $c"; exit 77; }
done
BUILD=${BUILD:?set BUILD to the build directory}
. "$(dirname "$0")/lib.sh"
SAMPLER="$BUILD/tests/cluster/quorum-sampler"
QN_ADDR=10.231.0.100
QN_PORT=5403
QN_NS="syn-${CL_ID}-qn"
CLUSTER=synodtest
QPID=()

# Bounds in seconds, generous for a loaded host.
T_NET=30
T_VIEW=60
T_DEVICE=60
T_SPLIT=60

fail() {
	echo "FAIL: $*"
	local f
	for f in "$CL_DIR"/*.log; do echo "--- $f"; tail -25 "$f"; done
	exit 1
}

# command in namespace ns with a private /run and etc_dir as /etc/corosync
in_private() { # ns etc_dir command...
	local ns=$1 etc=$2
	shift 2
	ip netns exec "$ns" unshare -m sh -c \
		'mount -t tmpfs none /run && mount --bind "$0" /etc/corosync && exec "$@"' "$etc" "$@"
}

# The same, in the background.  Written out rather than through
# in_private: a backgrounded function is a subshell of its own, whose PID
# is not the program's; here every step execs, so $! is the program.
start_private() { # ns etc_dir log command...
	local ns=$1 etc=$2 log=$3
	shift 3
	ip netns exec "$ns" unshare -m sh -c \
		'mount -t tmpfs none /run && mount --bind "$0" /etc/corosync && exec "$@"' "$etc" \
		env -u LD_LIBRARY_PATH "$@" >>"$log" 2>&1 &
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

# The daemon on node i: synod, or the distribution's corosync with a
# private /run and /var/lib/corosync (exec keeps the PID, so CL_PID is
# corosync's own and cl_stop stops it).
node_start() { # node
	local i=$1
	if [ "$KIND" = synod ]; then
		cl_start "$i"
		return
	fi
	ip netns exec "$(cl_ns "$i")" unshare -m sh -c \
		'mount -t tmpfs none /run && mount -t tmpfs none /var/lib/corosync && exec corosync -f -c "$0"' \
		"$CL_DIR/synod.conf" >>"$CL_DIR/node$i.log" 2>&1 &
	CL_PID[$i]=$!
}

qt() { # node -> corosync-quorumtool -s
	ip netns exec "$(cl_ns "$1")" env -u LD_LIBRARY_PATH corosync-quorumtool -s 2>/dev/null
}

wait_field() { # node field want timeout
	local start=$SECONDS
	while [ $((SECONDS - start)) -lt "$4" ]; do
		[ "$(qt "$1" | awk -F': *' -v f="$2" '$1 == f {print $2}')" = "$3" ] && return 0
		sleep 0.1
	done
	echo "node $1: $2 is not '$3' after $4 s:"
	qt "$1"
	return 1
}

# Wait until eth0 of namespace ns carries its address, usable: the link
# up with a carrier (the veth's peer up too) and no address tentative.
wait_link() { # ns timeout
	local start=$SECONDS
	while [ $((SECONDS - start)) -lt "$2" ]; do
		if ip -n "$1" -o link show dev eth0 | grep -q 'LOWER_UP' &&
			[ -z "$(ip -n "$1" -o addr show dev eth0 tentative)" ]; then
			return 0
		fi
		sleep 0.1
	done
	echo "$1: eth0 not usable after $2 s:"
	ip -n "$1" addr show dev eth0
	return 1
}

# Wait until qnetd listens on its address and a TCP connection to it from
# namespace ns completes (connected and closed at once: qnetd logs a
# client that sent nothing).
wait_qnetd_from() { # ns timeout
	local start=$SECONDS
	while [ $((SECONDS - start)) -lt "$2" ]; do
		ip netns exec "$1" timeout 3 bash -c "exec 3<>/dev/tcp/$QN_ADDR/$QN_PORT" 2>/dev/null &&
			return 0
		sleep 0.2
	done
	echo "$1: no TCP connection to qnetd at $QN_ADDR:$QN_PORT after $2 s"
	return 1
}

wait_qnetd_listening() { # timeout
	local start=$SECONDS
	while [ $((SECONDS - start)) -lt "$1" ]; do
		[ -n "$(ip netns exec "$QN_NS" ss -Hltn "src $QN_ADDR:$QN_PORT")" ] && return 0
		kill -0 "${QPID[0]}" 2>/dev/null || { echo "qnetd exited"; return 1; }
		sleep 0.1
	done
	echo "qnetd not listening on $QN_ADDR:$QN_PORT after $1 s"
	return 1
}

# The certificates (corosync-qnetd(8) and corosync-qdevice(8), "TLS
# configuration"): the QNetd CA and server certificate, a certificate
# request on node 1 signed by the CA, imported on node 1 and exported as
# PKCS#12 with its key, imported on node 2.  Each database lives in the
# private /etc/corosync of its host.
make_certs() {
	local qn="$CL_DIR/etc-qn" n1="$CL_DIR/etc-n1" n2="$CL_DIR/etc-n2"
	local qdb=/etc/corosync/qnetd/nssdb ndb=/etc/corosync/qdevice/net/nssdb
	{
		in_private "$QN_NS" "$qn" corosync-qnetd-certutil -i &&
			in_private "$(cl_ns 1)" "$n1" corosync-qdevice-net-certutil -i \
				-c "$qn/qnetd/nssdb/qnetd-cacert.crt" &&
			in_private "$(cl_ns 1)" "$n1" corosync-qdevice-net-certutil -r -n "$CLUSTER" &&
			in_private "$QN_NS" "$qn" corosync-qnetd-certutil -s \
				-c "$n1/qdevice/net/nssdb/qdevice-net-node.crq" -n "$CLUSTER" &&
			in_private "$(cl_ns 1)" "$n1" corosync-qdevice-net-certutil -M \
				-c "$qn/qnetd/nssdb/cluster-$CLUSTER.crt" &&
			in_private "$(cl_ns 2)" "$n2" corosync-qdevice-net-certutil -i \
				-c "$qn/qnetd/nssdb/qnetd-cacert.crt" &&
			in_private "$(cl_ns 2)" "$n2" corosync-qdevice-net-certutil -m \
				-c "$n1/qdevice/net/nssdb/qdevice-net-node.p12" &&
			in_private "$QN_NS" "$qn" certutil -L -d "$qdb" &&
			in_private "$(cl_ns 2)" "$n2" certutil -L -d "$ndb"
	} >"$CL_DIR/certutil.log" 2>&1 || { cat "$CL_DIR/certutil.log"; return 1; }
}

# The tools' output in state `stage`, masked (see the header): quorumtool
# -s (quorate, votes, the device's votes and flags) and qdevice-tool -sv
# of each running node, then qnetd-tool -lv; the tools in the mount
# namespace of their daemon (QPID: qnetd, then node 1's and node 2's
# device), where its private /run holds the daemon's socket.
MASK_PY='
import re, sys
text = sys.stdin.read()
text = re.sub(r"(Ring ID:\s+)\S+", r"\1RING", text)
text = re.sub(r"(Date:\s+).*", r"\1TIME", text)
text = re.sub(r"((Last poll call|Connected since):\s+).*", r"\1TIME", text)
# present only once the first heartbeat was answered
text = re.sub(r"Echo reply received:.*\n", "", text)
# qnetd'"'"'s last vote sent (ACK, NACK or "No change", after whichever
# message came last) varies; the last ACK or NACK, in parentheses, is
# compared
text = re.sub(r"(Vote:\s+).*(\(\w+\))", r"\1SENT \2", text)
text = re.sub(r"(Client address:\s+)(.*):\d+", r"\1\2:PORT", text)
# qnetd lists a cluster'"'"'s clients in connection order: sort the node blocks
out, block, blocks = [], None, []
for line in text.splitlines():
    if re.match(r"    Node ID \d+:", line):
        block = [line]
        blocks.append(block)
    elif block is not None and line.startswith("        "):
        block.append(line)
    else:
        if blocks:
            blocks.sort(key=lambda b: int(re.search(r"\d+", b[0]).group()))
            out += [l for b in blocks for l in b]
            blocks, block = [], None
        out.append(line)
blocks.sort(key=lambda b: int(re.search(r"\d+", b[0]).group()))
out += [l for b in blocks for l in b]
print("\n".join(out))
'
tools_output() { # nodes...
	local i
	for i in "$@"; do
		echo "== corosync-quorumtool -s on node $i"
		qt "$i"
		echo "== corosync-qdevice-tool -sv on node $i"
		nsenter -t "${QPID[$i]}" -m -n env -u LD_LIBRARY_PATH corosync-qdevice-tool -sv 2>&1
	done
	echo "== corosync-qnetd-tool -lv"
	nsenter -t "${QPID[0]}" -m -n env -u LD_LIBRARY_PATH corosync-qnetd-tool -lv 2>&1
}

# Wait until the masked output equals the reference of this variant and
# stage (bounded: the tools report a state change a poll later), or record
# it as the reference once it has held for 3 s (REFERENCE_WRITE=1, corosync
# only; bounded the same way).
check_tools() { # stage timeout nodes...
	local stage=$1 timeout=$2 start=$SECONDS now prev=
	shift 2
	local ref
	ref="$(dirname "$0")/qdevice_net_expected/$ALGORITHM-tls-$TLS-$stage.txt"
	while :; do
		now=$(tools_output "$@" | python3 -c "$MASK_PY")
		if [ "${REFERENCE_WRITE:-0}" = 1 ] && [ "$KIND" = corosync ]; then
			if [ "$now" = "$prev" ]; then
				printf '%s\n' "$now" >"$ref"
				return 0
			fi
			prev=$now
			[ $((SECONDS - start)) -ge "$timeout" ] && { echo "$stage: output not stable"; return 1; }
			sleep 3
			continue
		fi
		[ "$now" = "$(cat "$ref")" ] && return 0
		if [ $((SECONDS - start)) -ge "$timeout" ]; then
			echo "$stage: the tools' output differs from $ref after $timeout s:"
			diff -u "$ref" <(printf '%s\n' "$now")
			return 1
		fi
		sleep 0.5
	done
}

cl_setup 2 "" "  device {\n    model: net\n    votes: 1\n    net {\n      host: $QN_ADDR\n      port: $QN_PORT\n      algorithm: $ALGORITHM\n      tls: $TLS\n    }\n  }"
mkdir -p "$CL_DIR/etc-qn" "$CL_DIR/etc-n1" "$CL_DIR/etc-n2"
ip netns add "$QN_NS"
ip link add "v${CL_ID}q" netns "$CL_HUB" type veth peer name eth0 netns "$QN_NS"
ip netns exec "$CL_HUB" ip link set "v${CL_ID}q" master br0 up
ip -n "$QN_NS" link set lo up
ip -n "$QN_NS" addr add "$QN_ADDR/24" dev eth0
ip -n "$QN_NS" link set eth0 up
for ns in "$QN_NS" "$(cl_ns 1)" "$(cl_ns 2)"; do
	wait_link "$ns" "$T_NET" || fail "network not up"
done
if [ "$TLS" = required ]; then
	make_certs || fail "certificates not made"
fi

# qnetd on its one IPv4 address; -s req makes it refuse clients without
# TLS, -c on (the default) without a client certificate.
qn_tls=off
[ "$TLS" = required ] && qn_tls=req
start_private "$QN_NS" "$CL_DIR/etc-qn" "$CL_DIR/qnetd.log" \
	corosync-qnetd -f -d -4 -l "$QN_ADDR" -p "$QN_PORT" -s "$qn_tls"
wait_qnetd_listening "$T_NET" || fail "qnetd did not start"
for i in 1 2; do wait_qnetd_from "$(cl_ns "$i")" "$T_NET" || fail "node $i cannot reach qnetd"; done

node_start 1
node_start 2
cl_wait_view "1 2" "$T_VIEW" 1 2 >/dev/null || fail "no view of both nodes after $T_VIEW s"
for i in 1 2; do
	start_private "$(cl_ns "$i")" "$CL_DIR/etc-n$i" "$CL_DIR/qdevice$i.log" corosync-qdevice -f -d
done
for i in 1 2; do
	wait_field "$i" "Total votes" 3 "$T_DEVICE" || fail "device vote not counted"
done
for i in 1 2; do wait_field "$i" Quorate Yes "$T_DEVICE" || fail "not quorate with the device"; done
check_tools up "$T_DEVICE" 1 2 || fail "tools' output, both nodes up"
if [ "$TLS" = required ]; then
	grep -q 'tls started = 1' "$CL_DIR/qnetd.log" || fail "qnetd does not report TLS started"
	grep -q 'tls peer certificate verified = 1' "$CL_DIR/qnetd.log" ||
		fail "qnetd does not report the client certificate verified"
fi

# Sample until the split has settled (bounded), then 3 s more; cut after
# 2 s of samples.
for i in 1 2; do
	ip netns exec "$(cl_ns "$i")" "$SAMPLER" 10 $(((T_SPLIT + 30) * 1000)) $((3 - i)) \
		>"$CL_DIR/samples$i" 2>>"$CL_DIR/sampler.log" &
	QPID+=($!)
done
sleep 2
for i in 1 2; do
	[ -s "$CL_DIR/samples$i" ] || fail "node $i: the sampler printed nothing"
done
cut_us=$(date +%s%6N)
ip -n "$(cl_ns 1)" route add blackhole "$(cl_addr 2)/32"
ip -n "$(cl_ns 2)" route add blackhole "$(cl_addr 1)/32"
cl_wait_view "1" "$T_SPLIT" 1 >/dev/null || fail "node 1 did not see the split"
cl_wait_view "2" "$T_SPLIT" 2 >/dev/null || fail "node 2 did not see the split"
wait_field 1 Quorate Yes "$T_SPLIT" || fail "node 1 (qnetd's pick) not quorate after the split"
wait_field 2 Quorate No "$T_SPLIT" || fail "node 2 quorate after the split"
check_tools split "$T_SPLIT" 1 2 || fail "tools' output after the split"
sleep 3
for p in "${QPID[@]: -2}"; do kill -TERM "$p" 2>/dev/null; done
for p in "${QPID[@]: -2}"; do wait "$p" 2>/dev/null; done

python3 - "$CL_DIR/samples1" "$CL_DIR/samples2" "$cut_us" "$KIND" <<'PY' || fail "double quorum"
import sys
# A sample time counts as double quorum when both nodes are quorate and
# each has the other out of its view (disjoint views: the simulator's Q1).
# Before the split is detected both are quorate in the old, shared view.
def load(p):
    return [(int(l[0]),) + tuple(l[1:4]) for l in (l.split() for l in open(p)) if len(l) == 4]
s = [load(sys.argv[1]), load(sys.argv[2])]
cut = int(sys.argv[3])
events = sorted((x[0], k) + x[1:] for k in (0, 1) for x in s[k])
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
print("%d sample times after the cut (node 1 %d samples, node 2 %d), both quorate in disjoint views: %s %s; at the end node 1 %s/%s, node 2 %s/%s"
      % (n, len(s[0]), len(s[1]), both, first, last[0][1], last[0][2], last[1][1], last[1][2]))
# corosync 3.1.7 keeps a device's cast vote across a view change until the
# next poll, so its votequorum_getinfo can show both sides quorate for an
# instant (seen here: one sample ~7 s after the cut); its libquorum cannot
# (answers wait for the sync).  The reference run checks what corosync
# guarantees; synod must hold both.
if sys.argv[4] == "corosync":
    bad = both["quorum_getquorate"] > 0
else:
    bad = sum(both.values()) > 0
if (last[0][1], last[0][2], last[1][1], last[1][2]) != ("1", "1", "0", "0"):
    print("FAIL: at the end not exactly node 1 (qnetd's pick, lowest node id) quorate")
    bad = True
sys.exit(1 if bad else 0)
PY

# Heal, then lose node 2 (its daemon and device stopped): node 1 keeps its
# vote and the device's.
ip -n "$(cl_ns 1)" route del blackhole "$(cl_addr 2)/32"
ip -n "$(cl_ns 2)" route del blackhole "$(cl_addr 1)/32"
cl_wait_view "1 2" "$T_VIEW" 1 2 >/dev/null || fail "no view of both nodes after the heal"
for i in 1 2; do
	wait_field "$i" "Total votes" 3 "$T_DEVICE" || fail "node $i: not 3 votes after the heal"
	wait_field "$i" Quorate Yes "$T_DEVICE" || fail "node $i: not quorate after the heal"
done
check_tools healed "$T_DEVICE" 1 2 || fail "tools' output after the heal"
kill -TERM "${QPID[2]}" 2>/dev/null
cl_stop 2
cl_wait_view "1" "$T_SPLIT" 1 >/dev/null || fail "node 1 did not see node 2 leave"
wait_field 1 "Total votes" 2 "$T_SPLIT" || fail "node 1: not 2 votes after node 2 left"
wait_field 1 Quorate Yes "$T_SPLIT" || fail "node 1 not quorate after node 2 left"
check_tools lost "$T_SPLIT" 1 || fail "tools' output after node 2 left"
echo "PASS qdevice_net_split ($KIND, tls $TLS, $ALGORITHM)"
