#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# spdx.sh [--fix] - every source file of the tree (C, shell, Python, meson)
# carries an SPDX-License-Identifier line with meson.build's licence, above
# its header comment (after the #! line of a script).  Lists the files
# without one and fails; with --fix, adds the line to them.
set -uo pipefail
cd "$(dirname "$0")/.."
licence=$(sed -n "s/^ *license *: *'\([^']*\)'.*/\1/p" meson.build | head -1)
[ -n "$licence" ] || { echo "no license in meson.build"; exit 1; }
fix=0
[ "${1:-}" = "--fix" ] && fix=1
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	mapfile -t files < <(git ls-files '*.c' '*.h' '*.sh' '*.py' '*meson.build' \
		'meson_options.txt')
else
	mapfile -t files < <(find . -path ./build -prune -o -path ./debian -prune -o \
		\( -name '*.c' -o -name '*.h' -o -name '*.sh' -o -name '*.py' \
		-o -name meson.build -o -name meson_options.txt \) -print | sed 's|^\./||' | sort)
fi
bad=0
for f in "${files[@]}"; do
	[ -f "$f" ] || continue
	case "$f" in
	*.c | *.h) line="/* SPDX-License-Identifier: $licence */" ;;
	*) line="# SPDX-License-Identifier: $licence" ;;
	esac
	# The line is the first one, or the second after a #! line.
	if head -2 "$f" | grep -qxF "$line"; then
		continue
	fi
	if [ "$fix" -eq 1 ]; then
		if head -1 "$f" | grep -q '^#!'; then
			sed -i "1a $line" "$f"
		else
			sed -i "1i $line" "$f"
		fi
	else
		echo "no SPDX line: $f"
		bad=$((bad + 1))
	fi
done
echo "${#files[@]} files checked, $bad without an SPDX line"
[ "$bad" -eq 0 ]
