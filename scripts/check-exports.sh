#!/usr/bin/env bash
# check-exports.sh BUILD_DIR - every public function the client libraries
# export must be called by at least one test: list the exported API
# symbols of each library in BUILD_DIR/lib and look for "name(" in the C
# sources under tests/.  Prints the uncovered ones; exit 1 if any, 2 on
# usage or set-up errors.
set -euo pipefail
if [ $# -ne 1 ] || [ ! -d "$1/lib" ]; then
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
fi
build=$1
tests_dir="$(cd "$(dirname "$0")/.." && pwd)/tests"
api='^(cmap_|votequorum_|quorum_|corosync_cfg_|cpg_)|^(cs_strerror|qb_to_cs_error|hdb_error_to_cs)$'

shopt -s nullglob
libs=("$build"/lib/lib*.so.*)
if [ ${#libs[@]} -eq 0 ]; then
	echo "no shared libraries in $build/lib" >&2
	exit 2
fi

missing=0
total=0
for lib in "${libs[@]}"; do
	[ -f "$lib" ] && [ ! -L "$lib" ] || continue
	syms=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TW]$/ {sub(/@.*/, "", $3); print $3}' |
		grep -E "$api" | sort -u) || true
	for sym in $syms; do
		total=$((total + 1))
		if ! grep -rqE --include='*.c' "(^|[^A-Za-z0-9_])${sym}[[:space:]]*\(" "$tests_dir"; then
			echo "not called by any test: $sym ($(basename "$lib"))"
			missing=$((missing + 1))
		fi
	done
done
echo "$total exported API functions, $missing without a test"
[ "$missing" -eq 0 ]
