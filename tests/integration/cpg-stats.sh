#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# cpg-stats.sh - the cpg service's message counters in the cmap store,
# runtime.services.cpg.<n>.tx / .rx as corosync publishes them: after a
# process joined a group and left it (its connection closed), one node
# has sent and delivered its PROCJOIN (0), PROCLEAVE (1) and JOINLIST
# (2); every other handler's counters are there and 0.
# usage: cpg-stats.sh NETNS_RUN SYNOD CONF MEMBER CMAPCTL
#        cpg-stats.sh inner MEMBER CMAPCTL   (inside the namespace)
set -u
if [ "$1" = inner ]; then
	member=$2 cmapctl=$3
	out=$(mktemp)
	trap 'rm -f "$out" "$out.m"' EXIT
	"$member" stats-group >"$out.m" &
	pid=$!
	for _ in $(seq 1 100); do grep -q ready "$out.m" 2>/dev/null && break; sleep 0.05; done
	grep -q ready "$out.m" || { echo "FAIL: the member did not join"; kill "$pid"; exit 1; }
	kill -TERM "$pid"
	wait "$pid"
	status=1
	# written at most once a second: give the daemon two
	for _ in $(seq 1 30); do
		"$cmapctl" runtime.services.cpg. >"$out"
		status=0
		for n in 0 1 2 3 4 5 6; do
			for dir in tx rx; do
				v=$(awk -v k="runtime.services.cpg.$n.$dir" '$1 == k { print $NF }' "$out")
				case $n in 0 | 1 | 2) want=1 ;; *) want=0 ;; esac
				if [ -z "$v" ]; then
					status=1
				elif [ "$want" = 1 ] && [ "$v" -lt 1 ]; then
					status=1
				elif [ "$want" = 0 ] && [ "$v" != 0 ]; then
					status=1
				fi
			done
		done
		[ $status -eq 0 ] && break
		sleep 0.1
	done
	cat "$out"
	[ $status -eq 0 ] || { echo "FAIL: counters not as expected"; exit 1; }
	echo "PASS"
	exit 0
fi
netns_run=$1 synod=$2 conf=$3 member=$4 cmapctl=$5
exec "$netns_run" "$synod" "$conf" "$0" inner "$member" "$cmapctl"
