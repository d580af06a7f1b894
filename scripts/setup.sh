#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# setup.sh - install what is missing (Debian packages listed in
# scripts/debian-packages.txt) and build synod into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t pkgs < <(grep -v '^\s*#' scripts/debian-packages.txt | sed '/^\s*$/d')
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
# The big-endian test (tests/bigendian) unpacks Debian's s390x libraries:
# apt needs the s390x package index.
if ! dpkg --print-foreign-architectures | grep -qx s390x; then
	"${sudo_cmd[@]}" dpkg --add-architecture s390x
	"${sudo_cmd[@]}" apt-get update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
	echo "Installing: ${missing[*]}"
	"${sudo_cmd[@]}" apt-get update -qq
	DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# The distribution's corosync must not hold the IPC names of this host,
# nor its Pacemaker start at boot; the prometheus package (installed for
# promtool) must not leave a Prometheus server running either.
if command -v systemctl >/dev/null 2>&1; then
	systemctl disable --now corosync >/dev/null 2>&1 || true
	systemctl disable --now pacemaker >/dev/null 2>&1 || true
	systemctl disable --now prometheus >/dev/null 2>&1 || true
	# the stack tests run these themselves, inside namespaces
	for unit in corosync-notifyd dlm sbd; do
		systemctl disable --now "$unit" >/dev/null 2>&1 || true
	done
fi
[ -d build ] || meson setup build --buildtype=debugoptimized
# CI builds with -Werror (SYN_WERROR=1, set by .ci/run); a user's build
# does not, so a newer compiler's new warning never stops it.
meson configure build -Dwerror="$([ "${SYN_WERROR:-0}" = 1 ] && echo true || echo false)"
ninja -C build
