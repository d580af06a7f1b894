#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# cpgtool-compat.sh - the distribution's corosync-cpgtool against synod
# prints what it prints against corosync, with the same groups (names
# with a NUL, a backslash, a tab) and members; synod-cpgtool prints the
# same as corosync-cpgtool; --json parses.  Member pids are replaced by
# P1, P2 before comparing.
# usage: cpgtool-compat.sh NETNS_RUN SYNOD CONF MEMBER SYNOD_CPGTOOL
#        cpgtool-compat.sh inner MEMBER TOOL...   (inside a namespace)
set -u
if [ "$1" = inner ]; then
	member=$2
	shift 2
	out=$(mktemp)
	"$member" "crmd" 'a\b' "$(printf 'tab\tx')" >"$out.1" &
	p1=$!
	for _ in $(seq 1 100); do grep -q ready "$out.1" 2>/dev/null && break; sleep 0.05; done
	"$member" "crmd" >"$out.2" &
	p2=$!
	for _ in $(seq 1 100); do grep -q ready "$out.2" 2>/dev/null && break; sleep 0.05; done
	for tool in "$@"; do
		for args in "" "-n" "-d ," "-e" "-n -d ;" "-e -d :"; do
			echo "== $(basename "$tool") $args"
			# shellcheck disable=SC2086
			"$tool" $args
			echo "rc=$?"
		done
	done | sed -e "s/\b$p1\b/P1/g" -e "s/\b$p2\b/P2/g"
	if [ "$(basename "$1")" = synod-cpgtool ]; then
		"$1" --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d["groups"])==3, d' ||
			echo "JSON BROKEN"
	fi
	kill -TERM "$p1" "$p2"
	wait "$p1" "$p2"
	rm -f "$out" "$out.1" "$out.2"
	exit 0
fi
netns_run=$1 synod=$2 conf=$3 member=$4 ours=$5
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$netns_run" "$synod" "$conf" "$0" inner "$member" corosync-cpgtool >"$dir/synod" || exit 1
"$netns_run" /usr/sbin/corosync "$conf" "$0" inner "$member" corosync-cpgtool >"$dir/corosync" ||
	exit 1
"$netns_run" "$synod" "$conf" "$0" inner "$member" "$ours" >"$dir/ours" || exit 1
sed 's/^== synod-cpgtool/== corosync-cpgtool/' "$dir/ours" | grep -av '^JSON' >"$dir/ours.cmp"
status=0
if ! diff -au "$dir/corosync" "$dir/synod"; then
	echo "FAIL: corosync-cpgtool differs between corosync (-) and synod (+)"
	status=1
fi
if ! diff -au "$dir/synod" "$dir/ours.cmp"; then
	echo "FAIL: synod-cpgtool (+) differs from corosync-cpgtool (-)"
	status=1
fi
grep -aq 'JSON BROKEN' "$dir/ours" && { echo "FAIL: --json"; status=1; }
[ $status -eq 0 ] && { echo "PASS: identical output"; cat "$dir/synod"; }
exit $status
