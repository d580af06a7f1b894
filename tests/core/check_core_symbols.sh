#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The protocol core must be pure: link it into one relocatable object and
# fail if it needs anything beyond libc memory, string and number-parsing
# routines (pure functions of their arguments)
# (plus what sanitizer or hardening instrumentation adds).
set -eu
lib=$(readlink -f "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
# Meson makes thin archives, which cannot be extracted; link the members.
if ar x "$lib" 2>/dev/null; then
	ld -r -o core.o ./*.o
else
	(cd "$(dirname "$lib")" && ar t "$lib" | xargs ld -r -o "$tmp/core.o")
fi
bad=$(nm -u "$tmp/core.o" | awk '{print $2}' | grep -v -E \
	'^(malloc|calloc|realloc|free|memcpy|memmove|memset|memcmp|strlen|strcmp|strncmp|strncpy|strtoul|__ctype_b_loc|vsnprintf|snprintf|__stack_chk_fail|__memcpy_chk|__memset_chk|__memmove_chk|__vsnprintf_chk|__snprintf_chk)$' |
	grep -v -E '^(__asan_|__ubsan_|__sanitizer_|__gcov_|__llvm_|_GLOBAL_OFFSET_TABLE_)' || true)
if [ -n "$bad" ]; then
	echo "core uses symbols outside the allow-list:" >&2
	echo "$bad" >&2
	exit 1
fi
echo "core symbols ok"
