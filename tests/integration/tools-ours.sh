#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# tools-ours.sh - run synod's own quorumtool and cfgtool through the same
# command list and golden files as tools-compat.sh, then check that their
# --json output parses.  The tools are reached through symbolic links named
# like the reference tools, so messages that print argv[0] read the same.
# Tools not built yet are left to the distribution's binaries.
#
# usage (inside the daemon's namespace, see netns-run.sh):
#   tools-ours.sh GOLDEN_DIR TOOLS_BUILD_DIR
set -u
golden=$1 tools=$2
here=$(cd "$(dirname "$0")" && pwd)
farm=$(mktemp -d)
trap 'rm -rf "$farm"' EXIT
for t in quorumtool cfgtool; do
	[ -x "$tools/synod-$t" ] && ln -s "$tools/synod-$t" "$farm/corosync-$t"
done
export PATH="$farm:$PATH"
fail=0
"$here/tools-compat.sh" "$golden" || fail=1

# Usage text, option errors and exit codes against the reference binary,
# where it is installed (argv[0] is the same bare name for both).
ref_dir=$(PATH=${PATH#"$farm:"} command -v corosync-quorumtool 2>/dev/null)
ref_dir=${ref_dir%/*}
for t in quorumtool cfgtool; do
	[ -e "$farm/corosync-$t" ] && [ -n "$ref_dir" ] && [ -x "$ref_dir/corosync-$t" ] || continue
	for args in "-h" "-x" "-e" "-o x" "-e 0" "-e abc" "-v -1" "-v 1 -n 0" \
		"-a 0" "-a abc" "-k 0" "-a" "-i 1" "-b" "-r"; do
		[ $t = cfgtool ] && case $args in -e*|-v*|-o*) continue;; esac
		[ $t = quorumtool ] && case $args in -a*|-k*|-i*|-b|-r) continue;; esac
		want=$(cd "$ref_dir" && PATH=".:$PATH" env -u LD_LIBRARY_PATH timeout 20 "corosync-$t" $args 2>&1; echo "rc=$?")
		got=$(cd "$farm" && timeout 20 "corosync-$t" $args 2>&1; echo "rc=$?")
		if [ "$want" != "$got" ]; then
			echo "MISMATCH: corosync-$t $args"
			diff -u <(printf '%s\n' "$want") <(printf '%s\n' "$got")
			fail=1
		fi
	done
done

# --json output must parse.
json_cmds=()
[ -e "$farm/corosync-quorumtool" ] && json_cmds+=("corosync-quorumtool -s --json" \
	"corosync-quorumtool -l --json" "corosync-quorumtool -l -p -a -i -H --json")
[ -e "$farm/corosync-cfgtool" ] && json_cmds+=("corosync-cfgtool -s --json" \
	"corosync-cfgtool -b -s --json" "corosync-cfgtool -n --json" "corosync-cfgtool -a 1 --json")
for cmd in "${json_cmds[@]}"; do
	if ! timeout 20 $cmd | python3 -m json.tool >/dev/null; then
		echo "INVALID JSON: $cmd"
		fail=1
	fi
done
[ $fail -eq 0 ] && echo "synod tools match the golden output; ${#json_cmds[@]} JSON outputs parse"
exit $fail
