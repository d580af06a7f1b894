#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# tools-compat.sh - run the distribution's corosync-quorumtool and
# corosync-cfgtool against synod and compare with golden output recorded
# from the reference daemon on the same single-node layout (conf/synod.conf).
# Only the date and the ring id are normalised.  With LIBDIR the same
# binaries run on our client libraries (LD_LIBRARY_PATH).
#
# usage (inside the daemon's namespace, see netns-run.sh):
#   tools-compat.sh GOLDEN_DIR [LIBDIR]
set -u
golden=$1 libdir=${2:-}
command -v corosync-quorumtool >/dev/null || { echo "corosync tools not installed"; exit 77; }
declare -A cmds=(
	[quorumtool-s]="corosync-quorumtool -s"
	[quorumtool-s-H]="corosync-quorumtool -s -H"
	[quorumtool-s-p]="corosync-quorumtool -s -p"
	[quorumtool-s-i]="corosync-quorumtool -s -i"
	[quorumtool-l]="corosync-quorumtool -l"
	[quorumtool-l-p-a-i]="corosync-quorumtool -l -p -a -i"
	[quorumtool-e5]="corosync-quorumtool -e 5"
	[quorumtool-e0]="corosync-quorumtool -e 0"
	[quorumtool-v1-n9]="corosync-quorumtool -v 1 -n 9"
	[quorumtool-f]="corosync-quorumtool -f"
	[cfgtool-s]="corosync-cfgtool -s"
	[cfgtool-b-s]="corosync-cfgtool -b -s"
	[cfgtool-n]="corosync-cfgtool -n"
	[cfgtool-a1]="corosync-cfgtool -a 1"
	[cfgtool-a2]="corosync-cfgtool -a 2"
	[cfgtool-k5]="corosync-cfgtool -k 5"
	[cfgtool-R]="corosync-cfgtool -R"
)
fail=0
for name in $(printf '%s\n' "${!cmds[@]}" | sort); do
	if [ -n "$libdir" ]; then
		out=$(LD_LIBRARY_PATH=$libdir timeout 20 ${cmds[$name]} 2>&1)
	else
		# the distribution's libraries, whatever the test runner exported
		out=$(env -u LD_LIBRARY_PATH timeout 20 ${cmds[$name]} 2>&1)
	fi
	rc=$?
	got=$(printf '%s\nrc=%d\n' "$out" $rc | sed -E 's/^(Date: +).*/\1DATE/; s/^(Ring ID: +).*/\1RING/')
	if ! diff -u "$golden/$name.out" <(printf '%s\n' "$got"); then
		echo "MISMATCH: ${cmds[$name]}"
		fail=1
	fi
done
[ $fail -eq 0 ] && echo "all ${#cmds[@]} tool outputs match"
exit $fail
