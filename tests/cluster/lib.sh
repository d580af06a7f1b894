# SPDX-License-Identifier: BSD-3-Clause
# lib.sh - a small harness for multi-node tests: N hosts as network
# namespaces on one bridge (in a hub namespace of their own), one synod per
# host, checks through cmap on every node.  Addresses exist only inside the
# namespaces created here; every wait is bounded; only daemons started here
# are killed, by PID.  Source it, then call cl_setup N.
#
# The clusters are encrypted (aes256/sha256 with a key from synod-keygen,
# as a real cluster must be: without crypto, anyone who can send UDP to a
# node can crash it or forge membership traffic).  CL_CRYPTO=0 writes
# configurations without crypto, for scenarios that set their own or
# check the unencrypted case.  CL_SYSTEM, when set, is added to the
# system section (e.g. "  bcast_service: yes" for tests that drive
# synod-bcast).
#
# Needs: BUILD (the build directory, with synod-keygen built), root.
#
# A node may run other binaries than the rest (a cross-built node):
# CL_NODE_BUILD[i] is the build directory of node i's daemon and tools
# (default BUILD) and CL_NODE_RUN[i] a command prefix for them, split on
# spaces (e.g. "qemu-s390x -L SYSROOT"); cl_start, cl_members and
# cl_node_run honour both.

CL_ID="c$$"
CL_HUB="syn-${CL_ID}-hub"
CL_DIR=$(mktemp -d)
CL_PID=()
CL_NODE_BUILD=()
CL_NODE_RUN=()

cl_ns() { echo "syn-${CL_ID}-n$1"; }
cl_addr() { echo "10.231.0.$1"; }

cl_write_conf() { # n_nodes extra_totem extra_quorum
	local n=$1 extra=${2:-} extra_quorum=${3:-} i
	if [ "${CL_CRYPTO:-1}" = 1 ] && [ ! -s "$CL_DIR/authkey" ]; then
		"$BUILD/tools/synod-keygen" -k "$CL_DIR/authkey" >/dev/null || return 1
	fi
	{
		echo "totem {"
		echo "  version: 2"
		echo "  cluster_name: synodtest"
		echo "  transport: knet"
		if [ "${CL_CRYPTO:-1}" = 1 ]; then
			echo "  crypto_cipher: aes256"
			echo "  crypto_hash: sha256"
			echo "  keyfile: $CL_DIR/authkey"
		fi
		[ -n "$extra" ] && printf '%b\n' "$extra"
		echo "}"
		echo "nodelist {"
		for i in $(seq 1 "$n"); do
			echo "  node {"
			echo "    nodeid: $i"
			echo "    name: node$i"
			echo "    ring0_addr: $(cl_addr "$i")"
			echo "  }"
		done
		echo "}"
		echo "quorum {"
		echo "  provider: corosync_votequorum"
		[ -n "$extra_quorum" ] && printf '%b\n' "$extra_quorum"
		echo "}"
		echo "logging {"
		echo "  to_stderr: yes"
		echo "  to_syslog: no"
		echo "  timestamp: hires"
		echo "}"
		echo "system {"
		echo "  state_dir: $CL_DIR"
		[ -n "${CL_SYSTEM:-}" ] && printf '%b\n' "$CL_SYSTEM"
		echo "}"
	} >"$CL_DIR/synod.conf"
}

cl_setup() { # n_nodes [extra totem lines] [extra quorum lines]
	local n=$1 i
	CL_N=$n
	ip netns add "$CL_HUB"
	ip netns exec "$CL_HUB" ip link add br0 type bridge
	ip netns exec "$CL_HUB" ip link add br1 type bridge
	ip netns exec "$CL_HUB" ip link set br0 up
	ip netns exec "$CL_HUB" ip link set br1 up
	for i in $(seq 1 "$n"); do
		ip netns add "$(cl_ns "$i")"
		ip link add "v${CL_ID}h$i" netns "$CL_HUB" type veth peer name eth0 netns "$(cl_ns "$i")"
		ip netns exec "$CL_HUB" ip link set "v${CL_ID}h$i" master br0 up
		ip netns exec "$(cl_ns "$i")" ip link set lo up
		ip netns exec "$(cl_ns "$i")" ip addr add "$(cl_addr "$i")/24" dev eth0
		ip netns exec "$(cl_ns "$i")" ip link set eth0 up
	done
	[ "$n" -gt 16 ] && cl_static_neighbours "$n"
	cl_write_conf "$n" "${2:-}" "${3:-}"
}

# Permanent neighbour entries for every peer in every node's namespace.
# The kernel's ARP table is shared by all network namespaces and refuses
# new entries beyond net.ipv4.neigh.default.gc_thresh3 (1024): 64 nodes
# on one host need 64 x 63.  A refused entry makes sends fail with
# ENOBUFS, and libknet's heartbeat thread retries such a send while it
# holds knet's global lock, so every knet configuration call in that
# daemon waits for minutes.  Permanent entries are not counted against
# the limit; on a real cluster each host has only its own peers.
cl_static_neighbours() { # n_nodes
	local n=$1 i j mac=()
	for i in $(seq 1 "$n"); do
		mac[i]=$(ip netns exec "$(cl_ns "$i")" cat /sys/class/net/eth0/address)
	done
	for i in $(seq 1 "$n"); do
		for j in $(seq 1 "$n"); do
			[ "$j" -eq "$i" ] ||
				echo "neigh replace $(cl_addr "$j") lladdr ${mac[j]} dev eth0 nud permanent"
		done | ip netns exec "$(cl_ns "$i")" ip -batch -
	done
}

# Run node i's program (a path under its build directory) in its namespace.
cl_node_run() { # node path-under-build args...
	local i=$1 prog=$2
	shift 2
	# shellcheck disable=SC2086 # CL_NODE_RUN is a command prefix, split on spaces
	ip netns exec "$(cl_ns "$i")" ${CL_NODE_RUN[$i]:-} "${CL_NODE_BUILD[$i]:-$BUILD}/$prog" "$@"
}

cl_start() { # node [config]
	local i=$1 conf=${2:-$CL_DIR/synod.conf}
	# Not through cl_node_run: $! must be the daemon's PID, not a subshell's.
	# shellcheck disable=SC2086 # CL_NODE_RUN is a command prefix, split on spaces
	ip netns exec "$(cl_ns "$i")" ${CL_NODE_RUN[$i]:-} "${CL_NODE_BUILD[$i]:-$BUILD}/daemon/synod" \
		-f -c "$conf" >>"$CL_DIR/node$i.log" 2>&1 &
	CL_PID[$i]=$!
}

cl_stop() { # node [signal]
	local i=$1 sig=${2:-TERM} p=${CL_PID[$1]:-}
	[ -n "$p" ] || return 0
	kill -"$sig" "$p" 2>/dev/null
	if [ "$sig" = KILL ] || [ "$sig" = TERM ]; then
		for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
		CL_PID[$i]=
	fi
}

cl_cleanup() {
	local i
	for i in "${!CL_PID[@]}"; do
		[ -n "${CL_PID[$i]}" ] && kill -CONT "${CL_PID[$i]}" 2>/dev/null
		cl_stop "$i" TERM
	done
	for i in $(seq 1 "${CL_N:-0}"); do ip netns del "$(cl_ns "$i")" 2>/dev/null; done
	ip netns del "$CL_HUB" 2>/dev/null
	rm -rf "$CL_DIR"
}

# The member list node i sees ("1 2 3"), empty when it cannot answer.
# The member list node i sees.  With KIND=corosync (scripts that also run
# the distribution's corosync), from runtime.members.<id>.status, which
# corosync rewrites on every membership change (it has no
# runtime.totem.members).
cl_members() {
	if [ "${KIND:-synod}" = synod ]; then
		cl_node_run "$1" tools/synod-cmapctl -q -g runtime.totem.members 2>/dev/null
		return
	fi
	ip netns exec "$(cl_ns "$1")" env -u LD_LIBRARY_PATH corosync-cmapctl -b runtime.members \
		2>/dev/null | awk '$2 == "(str)" && $4 == "joined" { split($1, k, "."); print k[3] }' |
		sort -n | paste -sd ' '
}

# Wait until every listed node sees exactly the given member list.
# usage: cl_wait_view "1 2 3" timeout_s node...   (prints elapsed ms)
cl_wait_view() {
	local want=$1 timeout=$2 start now i ok
	shift 2
	start=$(date +%s%N)
	while :; do
		ok=1
		for i in "$@"; do
			[ "$(cl_members "$i")" = "$want" ] || { ok=0; break; }
		done
		now=$(date +%s%N)
		if [ $ok -eq 1 ]; then
			echo $(((now - start) / 1000000))
			return 0
		fi
		if [ $(((now - start) / 1000000000)) -ge "$timeout" ]; then
			for i in "$@"; do echo "node $i sees '$(cl_members "$i")', want '$want'" >&2; done
			return 1
		fi
		sleep 0.02
	done
}

# Move the ports of the given nodes to bridge br (br0 or br1) in one
# batch, so the partition (or heal) happens at once rather than node by
# node with views in between.  usage: cl_bridge br node...
cl_bridge() {
	local br=$1 i
	shift
	for i in "$@"; do echo "link set v${CL_ID}h$i master $br"; done |
		ip -n "$CL_HUB" -batch -
}

cl_link() { # node up|down
	ip netns exec "$CL_HUB" ip link set "v${CL_ID}h$1" "$2"
}

cl_logs() {
	local f
	for f in "$CL_DIR"/node*.log; do echo "--- $f"; tail -15 "$f"; done
}

# Wait until cmd args... prints want, at most timeout seconds; else say
# what it printed last and return 1.
wait_out() { # want timeout cmd...
	local want=$1 timeout=$2 start got
	shift 2
	start=$(date +%s)
	while :; do
		got=$("$@")
		[ "$got" = "$want" ] && return 0
		if [ $(($(date +%s) - start)) -ge "$timeout" ]; then
			echo "$*: '$got', want '$want'"
			return 1
		fi
		sleep 0.1
	done
}

# Run one scenario of a cluster script in this shell (not a subshell, so
# the cleanup knows every namespace and daemon it created): a fresh cluster
# id with PREFIX, the function's output printed after PASS, or after FAIL
# with the daemons' logs; counts failures in the caller's `failed`.
cl_scenario() { # prefix name function
	local prefix=$1 name=$2 fn=$3 out rc
	CL_ID=$(printf '%s%x' "$prefix" $((RANDOM * 32768 + RANDOM)))
	CL_HUB="syn-${CL_ID}-hub"
	CL_DIR=$(mktemp -d)
	CL_PID=()
	CL_N=0
	$fn >"$CL_DIR/out" 2>&1
	rc=$?
	out=$(cat "$CL_DIR/out")
	if [ $rc -eq 0 ]; then
		echo "PASS $name $out"
	else
		echo "FAIL $name"
		echo "$out" | sed 's/^/    /'
		cl_logs | sed 's/^/    /'
		failed=$((failed + 1))
	fi
	cl_cleanup
}
