#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# check-format.sh - fail when a C source or header of the tree differs from
# what clang-format makes of it with the tree's .clang-format.  Lists the
# files that differ; `clang-format -i FILE` fixes one.
set -uo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "clang-format not installed"; exit 1; }
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	mapfile -t files < <(git ls-files '*.c' '*.h')
else
	mapfile -t files < <(find core daemon lib tools sim tests bench include proto \
		-name '*.c' -o -name '*.h' | sort)
fi
bad=0
for f in "${files[@]}"; do
	[ -f "$f" ] || continue
	if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
		echo "not formatted: $f"
		bad=$((bad + 1))
	fi
done
echo "${#files[@]} files checked, $bad not formatted"
[ "$bad" -eq 0 ]
