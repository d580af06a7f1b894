#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# abi-check.sh BUILD_DIR - the client libraries in BUILD_DIR/lib against
# Debian's corosync 3.1.7 ones installed in the system library directory:
# the same SONAME, the same version definitions, and the same defined
# dynamic symbols, each with the same type, binding and version node
# (a symbol outside every node is "Base").  A symbol Debian exports that
# ours lacks or versions differently breaks programs built against
# Debian's headers; a symbol only ours exports lets programs built against
# ours fail on Debian's.  Prints every difference; exit 1 if any, 77
# (skip) when Debian's libraries are not installed, 2 on usage errors.
set -euo pipefail
if [ $# -ne 1 ] || [ ! -d "$1/lib" ]; then
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
fi
build=$1
sysdir=${SYN_ABI_SYSDIR:-/usr/lib/x86_64-linux-gnu}
libs=(libcmap.so.4 libquorum.so.5 libvotequorum.so.8 libcfg.so.7
	libcorosync_common.so.4 libcpg.so.4)

# Symbols ours may export beyond Debian's, one "library symbol reason"
# line each.  None today.
exceptions=()

excepted() { # excepted LIB SYMBOL: is it listed above?
	local e
	for e in "${exceptions[@]+"${exceptions[@]}"}"; do
		read -r l s _ <<<"$e"
		[ "$l" = "$1" ] && [ "$s" = "$2" ] && return 0
	done
	return 1
}

soname() {
	readelf -d -W "$1" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p'
}

# Version definitions other than the base one (which names the library).
verdefs() {
	readelf -V -W "$1" |
		sed -n '/^Version definition/,/^Version needs/p' |
		awk '/Flags:/ && !/Flags: BASE/ {print $NF}' | sort
}

# Defined global and weak dynamic symbols as "name version type binding";
# the version-node marker symbols (ABS) are covered by verdefs.
dynsyms() {
	readelf --dyn-syms -W "$1" |
		awk '$1 ~ /^[0-9]+:$/ && $7 != "UND" && $7 != "ABS" &&
			($5 == "GLOBAL" || $5 == "WEAK") && $8 != "" {
			n = $8; v = "Base"
			if ((i = index(n, "@@")) > 0) { v = substr(n, i + 2); n = substr(n, 1, i - 1) }
			else if ((i = index(n, "@")) > 0) { v = substr(n, i + 1) "(hidden)"; n = substr(n, 1, i - 1) }
			print n, v, $4, $5 }' | sort
}

missing=()
for lib in "${libs[@]}"; do
	[ -e "$sysdir/$lib" ] || missing+=("$lib")
done
if [ ${#missing[@]} -ne 0 ]; then
	echo "SKIP: Debian's libraries not installed in $sysdir: ${missing[*]}" \
		"(packages in scripts/debian-packages.txt)"
	exit 77
fi

diffs=0
report() {
	echo "$*"
	diffs=$((diffs + 1))
}
for lib in "${libs[@]}"; do
	theirs="$sysdir/$lib"
	ours="$build/lib/$lib"
	if [ ! -e "$ours" ]; then
		report "$lib: not built in $build/lib"
		continue
	fi
	[ "$(soname "$ours")" = "$(soname "$theirs")" ] ||
		report "$lib: SONAME $(soname "$ours"), Debian's $(soname "$theirs")"
	[ "$(verdefs "$ours")" = "$(verdefs "$theirs")" ] ||
		report "$lib: version nodes [$(verdefs "$ours" | xargs)]," \
			"Debian's [$(verdefs "$theirs" | xargs)]"
	n=0
	while read -r name version type bind; do
		n=$((n + 1))
		match=$(dynsyms "$ours" | awk -v s="$name" '$1 == s')
		if [ -z "$match" ]; then
			report "$lib: $name ($version) missing"
		elif [ "$match" != "$name $version $type $bind" ]; then
			report "$lib: $name is [${match#"$name "}], Debian's [$version $type $bind]"
		fi
	done < <(dynsyms "$theirs")
	while read -r name version _; do
		dynsyms "$theirs" | awk -v s="$name" '$1 == s {f = 1} END {exit !f}' && continue
		excepted "$lib" "$name" || report "$lib: $name ($version) exported, Debian's does not"
	done < <(dynsyms "$ours")
	echo "$lib: $n Debian symbols compared"
done
for e in "${exceptions[@]+"${exceptions[@]}"}"; do
	echo "allowed extra: $e"
done
echo "$diffs differences from Debian's libraries"
[ "$diffs" -eq 0 ]
