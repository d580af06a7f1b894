#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# sysroot.sh - unpack Debian's s390x libraries that synod builds and runs
# against (libc, libqb, libknet, libsystemd, libmicrohttpd, cmocka and
# what they pull) into a directory: the cross compiler's include and
# library root and the root qemu-s390x loads the daemon's libraries from.
#
# The packages are unpacked (dpkg -x), not installed: bookworm-security
# publishes no s390x (its Release lists amd64 arm64 armhf i386 ppc64el),
# so the host's libssl3, liblzma5, zlib1g and libzstd1 from there are newer
# than any s390x build of them, multiarch cannot co-install two versions
# of a Multi-Arch: same package, and apt refuses libqb-dev:s390x and
# libknet-dev:s390x ("held broken packages").  Needs the s390x
# package index (dpkg --add-architecture s390x and apt-get update, done by
# scripts/setup.sh); no root.  Idempotent: a stamp names the package set.
#
# usage: sysroot.sh DIR
set -euo pipefail
dir=$1
# The closure of libqb-dev, libknet-dev, libcmocka-dev, libsystemd-dev and
# libmicrohttpd-dev (apt-cache depends --recurse; pkg-config wants the
# .pc files of gnutls and what gnutls.pc requires) but the C library's
# development files, which come from the cross compiler's
# libc6-dev-s390x-cross; libc6 itself is here for qemu.  libsystemd0
# stands for its alternative libelogind0.
pkgs=(libc6 libgcc-s1 gcc-12-base libqb100 libqb-dev libknet1 libknet-dev libcmocka0 libcmocka-dev
	libsystemd0 libsystemd-dev libcap2 libgcrypt20 libgpg-error0 liblz4-1 liblzma5 libzstd1 zlib1g
	libbz2-1.0 liblzo2-2 libnspr4 libnss3 libsqlite3-0 libssl3
	libmicrohttpd12 libmicrohttpd-dev libgnutls30 libp11-kit0 libidn2-0 libunistring2 libtasn1-6
	libnettle8 libhogweed6 libgmp10 libffi8
	libgnutls28-dev nettle-dev libtasn1-6-dev libidn2-dev libp11-kit-dev libgmp-dev)
stamp="$dir/.synod-sysroot"
want=$(printf '%s\n' "${pkgs[@]}" | sort | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
	exit 0
fi
if ! apt-cache show libqb-dev:s390x >/dev/null 2>&1; then
	echo "sysroot.sh: no s390x package index (dpkg --add-architecture s390x; apt-get update)" >&2
	exit 1
fi
rm -rf "$dir"
mkdir -p "$dir/.debs"
# (As root, apt would hand the download to its _apt user, who cannot
# write here: download as the caller.)
(cd "$dir/.debs" && apt-get download -q -o APT::Sandbox::User="$(id -un)" \
	"${pkgs[@]/%/:s390x}" >/dev/null)
for deb in "$dir"/.debs/*.deb; do
	dpkg-deb -x "$deb" "$dir"
done
rm -rf "$dir/.debs"
echo "$want" >"$stamp"
