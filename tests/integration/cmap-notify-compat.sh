#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# cmap-notify-compat.sh - run cmap-notify-probe on the library it was built
# with and on the distribution's libcmap (by LD_LIBRARY_PATH); both outputs
# must equal the expected file.  Exit 77 (skip) without the distribution's
# libcmap.
#
# usage: cmap-notify-compat.sh PROBE EXPECTED
set -u
probe=$1 expected=$2
syslib=/usr/lib/x86_64-linux-gnu
rc=0
check() { # label [env...]
	local label=$1 out
	shift
	out=$(env "$@" "$probe") || { echo "FAIL $label: probe exited $?"; rc=1; }
	if [ "$out" != "$(cat "$expected")" ]; then
		echo "FAIL $label:"
		diff <(echo "$out") "$expected" | sed 's/^/    /'
		rc=1
	else
		echo "PASS $label"
	fi
}
check ours-libcmap
if [ -e "$syslib/libcmap.so.4" ]; then
	check distribution-libcmap LD_LIBRARY_PATH=$syslib
else
	echo "SKIP distribution-libcmap: $syslib/libcmap.so.4 missing"
fi
exit $rc
