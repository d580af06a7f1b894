#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# check-man.sh - the manual pages in man/: each renders without a single
# warning from man/groff and has a NAME line lexgrog can index (what
# mandb and apropos read), every .so alias points at a page that exists,
# every page is installed by man/meson.build, and every program built in
# tools/, daemon/ and exporter/ and every function declared in include/cmm.h has a
# page.
#
# usage: check-man.sh [BUILD_DIR]   (default: build)
# The list of programs comes from the build's introspection data.  Exit 0
# when all is well, 1 with one line per problem, 77 if man-db or groff is
# missing (never in CI: scripts/debian-packages.txt lists them).
set -u
cd "$(dirname "$0")/.."
build=${1:-build}
for tool in man lexgrog groff; do
	command -v "$tool" >/dev/null || { echo "$tool is missing" >&2; exit 77; }
done
problems=0
problem() { echo "man: $*"; problems=$((problems + 1)); }

# Pages are checked from a man1/ man3/ ... tree, as installed, so that
# ".so man3/x.3" resolves as it will on the system.
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
pages=0
for page in man/*.[1-8]; do
	section=${page##*.}
	mkdir -p "$tree/man$section"
	cp "$page" "$tree/man$section/"
	pages=$((pages + 1))
done
[ $pages -gt 0 ] || problem "no pages in man/"
for page in man/*.[1-8]; do
	name=$(basename "$page")
	rel="man${name##*.}/$name"
	target=$(sed -n 's/^\.so  *//p' "$page")
	if [ -n "$target" ]; then
		[ -f "$tree/$target" ] || problem "$page: .so target $target does not exist"
	fi
	warnings=$(cd "$tree" && LC_ALL=C.UTF-8 MANWIDTH=80 \
		man --warnings -E UTF-8 -l -Tutf8 -Z "$rel" 2>&1 >/dev/null)
	[ -z "$warnings" ] || problem "$page: $warnings"
	warnings=$(cd "$tree" && groff -ww -z -man -k "$rel" 2>&1)
	[ -n "$target" ] || [ -z "$warnings" ] || problem "$page: groff: $warnings"
	(cd "$tree" && lexgrog "$rel" >/dev/null 2>&1) || problem "$page: lexgrog cannot parse its NAME section"
	grep -qF "'$name'" man/meson.build || problem "$page is not installed by man/meson.build"
done

# Every installed program of tools/, daemon/ and exporter/ has a page of its name.
programs=$(meson introspect "$build" --targets | python3 -c '
import json, sys
for t in json.load(sys.stdin):
    if t["type"] == "executable" and t["installed"] and t["defined_in"].split("/")[-2] in ("tools", "daemon", "exporter"):
        print(t["name"])')
[ -n "$programs" ] || problem "no programs found in $build (is it a configured build directory?)"
# scripts installed from tools/ (configure_file) keep their name without .sh
for script in tools/*.sh; do
	programs="$programs $(basename "$script" .sh)"
done
for program in $programs; do
	ls man/"$program".[18] >/dev/null 2>&1 || problem "no page for the program $program"
done

# Every function of the CMM API has a page of its name (or an alias).
functions=$(sed -n 's/^[a-z_ ]*[ *]\(cmm_[a-z_]*\)(.*/\1/p' include/cmm.h)
[ -n "$functions" ] || problem "no function found in include/cmm.h"
for function in $functions; do
	[ -f "man/$function.3" ] || problem "no page for the function $function"
done
[ -f man/cmm.3 ] || problem "no cmm(3) overview"

echo "$pages pages, $(echo $programs | wc -w) programs, $(echo $functions | wc -w) functions checked; $problems problems"
[ $problems -eq 0 ]
