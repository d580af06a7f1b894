#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# config-scale.sh - parsing a large configuration takes linear time.
#
# usage: config-scale.sh SYNOD [BOUND_S]
#
# Generates a valid single-node configuration with a "test" section of
# 200,000 keys and one of 400,000 (corosync accepts any section name and
# key count), and times "synod -t" on each, best of three.  Fails when
# the 200,000-key check takes BOUND_S seconds or more (default 2; a
# sanitizer build passes a larger bound) or when doubling the keys more
# than triples the time, which an insertion cost growing with the map
# size (quadratic parsing) would do.
set -u
synod=${1:?usage: config-scale.sh SYNOD [BOUND_S]}
bound_s=${2:-2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/state"

# gen N -> $work/N.conf
gen() {
	{
		printf 'totem {\n\tversion: 2\n\tcluster_name: scale\n\ttransport: knet\n'
		printf '\tcrypto_cipher: none\n\tcrypto_hash: none\n}\n'
		printf 'nodelist {\n\tnode {\n\t\tnodeid: 1\n\t\tname: node1\n'
		printf '\t\tring0_addr: 127.0.0.1\n\t}\n}\n'
		printf 'quorum {\n\tprovider: corosync_votequorum\n}\n'
		printf 'system {\n\tstate_dir: %s\n}\n' "$work/state"
		printf 'logging {\n\tto_stderr: yes\n\tto_syslog: no\n}\n'
		printf 'test {\n'
		awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "\tkey%d: value%d\n", i, i }'
		printf '}\n'
	} >"$work/$1.conf"
}

# best_ms N: the fastest of three "synod -t" runs, in milliseconds.
best_ms() {
	local best="" t0 t1 ms rc
	for _ in 1 2 3; do
		t0=$(date +%s%N)
		timeout 120 "$synod" -t -c "$work/$1.conf" >"$work/out" 2>&1
		rc=$?
		t1=$(date +%s%N)
		if [ $rc -ne 0 ]; then
			echo "synod -t failed on $1 keys (exit $rc):" >&2
			head -5 "$work/out" >&2
			return 1
		fi
		ms=$(((t1 - t0) / 1000000))
		if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
	done
	echo "$best"
}

gen 200000
gen 400000
t200=$(best_ms 200000) || exit 1
t400=$(best_ms 400000) || exit 1
echo "synod -t: 200000 keys ${t200} ms, 400000 keys ${t400} ms (best of 3)"
bound_ms=$(awk -v b="$bound_s" 'BEGIN { printf "%d", b * 1000 }')
rc=0
if [ "$t200" -ge "$bound_ms" ]; then
	echo "FAIL: 200000 keys took ${t200} ms, bound ${bound_ms} ms"
	rc=1
fi
# 3x, plus 50 ms of start-up noise either way
if [ $((t400)) -gt $((3 * t200 + 50)) ]; then
	echo "FAIL: twice the keys took $((t400 * 100 / (t200 > 0 ? t200 : 1)))% of the time (limit 300%)"
	rc=1
fi
exit $rc
