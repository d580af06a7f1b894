#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# deb.sh - the Debian packages in place of corosync on a fresh Debian 12
# root: build them (dpkg-buildpackage -b) from a copy of the tree, run
# lintian on them (errors fail), make a minimal bookworm root with
# mmdebstrap, and in it (chroot): install every package, check that the
# corosync names are synod's, that `synod -t` reads the packaged
# /etc/corosync/corosync.conf, that corosync-cmapctl answers the daemon
# started as `corosync` in a network namespace, that `dpkg -r` and a
# reinstall keep an edited configuration, and that `apt-get install
# pacemaker` and then corosync-qdevice are satisfied without Debian's
# corosync.  Prints the time of each step.
#
# Needs root, network access to the Debian archive (MIRROR, default
# deb.debian.org), dpkg-buildpackage, debhelper, mmdebstrap, lintian and
# iproute2.  Skips (77) without them.  SYNOD_DEBS=DIR takes the packages
# from DIR instead of building them.  Takes several minutes: meson suite
# "packaging", outside the default run.
set -uo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
mirror=${MIRROR:-http://deb.debian.org/debian}
security=${SECURITY_MIRROR:-http://deb.debian.org/debian-security}

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
for c in dpkg-buildpackage dh mmdebstrap lintian ip unshare chroot; do
	command -v "$c" >/dev/null || { echo "SKIP: $c not installed"; exit 77; }
done

work=$(mktemp -d /var/tmp/synod-deb.XXXXXX)
root="$work/root"
ns="synpkg$$"
daemon_ns_pid=""

cleanup() {
	ip netns del "$ns" 2>/dev/null
	# Every mount below was made in a mount namespace of its own; refuse to
	# delete the tree should one be visible here all the same.
	if findmnt -rn -o TARGET | grep -q "^$work/"; then
		echo "mounts left under $work, not removed" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

step_start=0
step() {
	step_start=$(date +%s)
	echo "== $*"
}
step_done() {
	echo "   ($(($(date +%s) - step_start)) s)"
}

# in_root CMD...: CMD in the root, with /proc, /dev and a private /dev/shm,
# in a mount namespace that ends with it.
in_root() {
	unshare --mount --propagation private -- sh -c '
		r=$1; shift
		mount -t proc proc "$r/proc" && mount --rbind /dev "$r/dev" &&
		mount -t tmpfs -o mode=1777 shm "$r/dev/shm" &&
		exec chroot "$r" env DEBIAN_FRONTEND=noninteractive \
			PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"' sh "$root" "$@"
}

total_start=$(date +%s)

# build_packages: dpkg-buildpackage -b on a copy of the tree (the files git
# knows, committed or not), the packages landing in $work.
build_packages() {
	mkdir -p "$work/src"
	(cd "$src" && git ls-files -z --cached --others --exclude-standard 2>/dev/null |
		tar -cf - --null -T - --ignore-failed-read) | tar -xf - -C "$work/src" ||
		fail "copy of the tree"
	[ -f "$work/src/debian/control" ] || fail "no debian/ in the copy of the tree"
	(cd "$work/src" && dpkg-buildpackage -b -us -uc >"$work/build.log" 2>&1) || {
		tail -30 "$work/build.log"
		fail "dpkg-buildpackage"
	}
}

if [ -n "${SYNOD_DEBS:-}" ]; then
	step "packages from $SYNOD_DEBS"
	cp "$SYNOD_DEBS"/*.deb "$SYNOD_DEBS"/*.changes "$SYNOD_DEBS"/*.buildinfo "$work/" || fail "no packages in $SYNOD_DEBS"
else
	step "build the packages"
	build_packages
fi
mapfile -t debs < <(ls "$work"/*.deb | grep -v -- -dbgsym_)
echo "   ${#debs[@]} packages: $(for d in "${debs[@]}"; do basename "$d" | cut -d_ -f1; done | tr '\n' ' ')"
step_done

step "lintian"
lintian "$work"/*.changes >"$work/lintian.log" 2>&1
lrc=$?
sed 's/^/   /' "$work/lintian.log" | sort | uniq -c | sort -rn | head -20
[ "$lrc" -eq 0 ] || fail "lintian reports errors"
step_done

step "fresh Debian 12 root (mmdebstrap --variant=apt)"
mmdebstrap --quiet --variant=apt bookworm "$root" \
	"deb $mirror bookworm main" "deb $mirror bookworm-updates main" \
	"deb $security bookworm-security main" >"$work/mmdebstrap.log" 2>&1 || {
	tail -20 "$work/mmdebstrap.log"
	fail "mmdebstrap"
}
cp /etc/resolv.conf "$root/etc/resolv.conf"
# Nothing installed here may start a service.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
step_done

step "apt-get install ./synod's packages"
mkdir -p "$root/tmp/debs"
cp "${debs[@]}" "$root/tmp/debs/"
in_root sh -c 'apt-get update -q && cd /tmp/debs && apt-get install -y -q ./*.deb' \
	>"$work/install.log" 2>&1 || {
	tail -20 "$work/install.log"
	fail "installing synod's packages"
}
step_done

step "corosync's names are synod's"
in_root dpkg-query -W -f '${Status}' corosync 2>/dev/null | grep -q "ok installed" &&
	fail "Debian's corosync is installed"
for t in corosync corosync-cfgtool corosync-cmapctl corosync-cpgtool corosync-keygen \
	corosync-quorumtool; do
	target=$(readlink "$root/usr/sbin/$t") || fail "/usr/sbin/$t is not a symlink"
	case "$target" in
	synod | synod-*) echo "   /usr/sbin/$t -> $target" ;;
	*) fail "/usr/sbin/$t points to $target" ;;
	esac
	[ -e "$root/usr/share/man/man8/$t.8.gz" ] || fail "no manual page for $t"
done
[ "$(readlink "$root/usr/bin/corosync-blackbox")" = synod-blackbox ] ||
	fail "corosync-blackbox is not synod-blackbox"
owner=$(in_root dpkg -S /usr/sbin/corosync-cmapctl) || fail "no package owns corosync-cmapctl"
[ "${owner%%:*}" = synod ] || fail "corosync-cmapctl belongs to $owner"
[ "$(readlink "$root/lib/systemd/system/corosync.service")" = synod.service ] ||
	fail "corosync.service is not synod.service"
[ -d "$root/var/lib/corosync" ] || fail "no /var/lib/corosync"
for pc in libcmap libcpg libquorum libvotequorum libcfg libcorosync_common; do
	f=$(ls "$root"/usr/lib/*/pkgconfig/$pc.pc 2>/dev/null) || fail "no $pc.pc"
	grep -q '^Version: 3\.' "$f" || fail "$pc.pc: $(grep ^Version "$f")"
done
step_done

step "synod -t reads the packaged /etc/corosync/corosync.conf"
grep -q '^[[:space:]]*cluster_name: synod' "$root/etc/corosync/corosync.conf" ||
	fail "packaged corosync.conf is not conf/synod.conf"
in_root synod -t || fail "synod -t on the packaged configuration"
cp "$root/etc/corosync/corosync.conf" "$work/conf.orig"
echo "totem { no closing brace" >>"$root/etc/corosync/corosync.conf"
out=$(in_root synod -t 2>&1) && fail "synod -t accepted a broken /etc/corosync/corosync.conf"
echo "   broken file refused: $(echo "$out" | head -1)"
cp "$work/conf.orig" "$root/etc/corosync/corosync.conf"
step_done

step "corosync-keygen writes the key synod reads by default"
in_root corosync-keygen >/dev/null 2>&1 || fail "corosync-keygen"
mode=$(stat -c %a "$root/etc/corosync/authkey") || fail "no /etc/corosync/authkey"
[ "$mode" = 400 ] || fail "authkey mode $mode"
# The packaged configuration, encrypted, with no keyfile line.
sed 's/crypto_cipher: none/crypto_cipher: aes256/; s/crypto_hash: none/crypto_hash: sha256/' \
	"$work/conf.orig" >"$root/tmp/crypto.conf"
grep -q 'crypto_cipher: aes256' "$root/tmp/crypto.conf" || fail "no crypto in the test configuration"
in_root synod -t -c /tmp/crypto.conf || fail "synod -t with the key corosync-keygen wrote"
rm "$root/etc/corosync/authkey"
out=$(in_root synod -t -c /tmp/crypto.conf 2>&1) && fail "synod -t without a key"
echo "$out" | grep -q /etc/corosync/authkey || fail "synod -t without a key: $out"
echo "   without it: $(echo "$out" | head -1)"
step_done

step "corosync-cmapctl answers corosync (synod) in a network namespace"
ip netns add "$ns" || fail "ip netns add"
ip -n "$ns" link set lo up
# One shell in the namespace: mounts, daemon, client, stop.
ip netns exec "$ns" sh -c '
	r=$1
	mount -t proc proc "$r/proc" && mount --rbind /dev "$r/dev" &&
	mount -t tmpfs -o mode=1777 shm "$r/dev/shm" || exit 2
	chroot "$r" /usr/sbin/corosync -f >"$r/tmp/daemon.log" 2>&1 &
	pid=$!
	rc=1
	for i in $(seq 1 100); do
		if out=$(chroot "$r" corosync-cmapctl totem.cluster_name 2>&1); then
			echo "   $out"
			case "$out" in *"= synod"*) rc=0 ;; esac
			break
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	[ "$rc" -eq 0 ] && chroot "$r" corosync-quorumtool -s | sed "s/^/   /"
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	exit $rc' sh "$root" || {
	tail -20 "$root/tmp/daemon.log"
	fail "corosync-cmapctl got no answer from the daemon"
}
ip netns del "$ns"
step_done

step "dpkg -r synod and reinstall keep the configuration"
sed -i 's/^\([[:space:]]*cluster_name:\) synod/\1 pkgtest/' "$root/etc/corosync/corosync.conf"
in_root dpkg -r synod >"$work/remove.log" 2>&1 || { cat "$work/remove.log"; fail "dpkg -r synod"; }
[ -e "$root/usr/sbin/synod" ] && fail "synod still there after dpkg -r"
grep -q 'cluster_name: pkgtest' "$root/etc/corosync/corosync.conf" ||
	fail "dpkg -r lost the edited corosync.conf"
in_root sh -c 'cd /tmp/debs && apt-get install -y -q ./synod_*.deb' </dev/null \
	>"$work/reinstall.log" 2>&1 || { tail -20 "$work/reinstall.log"; fail "reinstall"; }
grep -q 'cluster_name: pkgtest' "$root/etc/corosync/corosync.conf" ||
	fail "reinstall replaced the edited corosync.conf"
in_root synod -t || fail "synod -t after reinstall"
echo "   edited corosync.conf kept across dpkg -r and reinstall"
step_done

step "apt-get install pacemaker, corosync-qdevice on synod"
in_root apt-get install -y -q pacemaker >"$work/pacemaker.log" 2>&1 || {
	tail -20 "$work/pacemaker.log"
	fail "apt-get install pacemaker"
}
for p in corosync libcpg4 libcmap4 libcfg7 libquorum5 libvotequorum8 libcorosync-common4; do
	in_root dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q "ok installed" &&
		fail "apt installed Debian's $p"
done
in_root dpkg-query -W -f '${Status}' pacemaker | grep -q "ok installed" ||
	fail "pacemaker not installed"
# corosync-notifyd and the like (corosync-qdevice's) may come along; the
# daemon and its tools must stay synod's.
for t in corosync corosync-cfgtool corosync-cmapctl corosync-cpgtool corosync-keygen \
	corosync-quorumtool; do
	owner=$(in_root dpkg -S "/usr/sbin/$t") || fail "no package owns /usr/sbin/$t"
	[ "${owner%%:*}" = synod ] || fail "/usr/sbin/$t belongs to $owner"
done
echo "   /usr/sbin/corosync*: $(cd "$root/usr/sbin" && echo corosync*)"
# Pacemaker's daemons load synod's client libraries.
for lib in libcpg.so.4 libcmap.so.4 libcfg.so.7 libcorosync_common.so.4; do
	path=$(in_root ldd /usr/sbin/pacemakerd | awk -v l="$lib" '$1 == l { print $3 }')
	[ -n "$path" ] || fail "pacemakerd does not load $lib"
	owner=$(in_root dpkg -S "$(in_root readlink -f "$path")") || fail "no package owns $path"
	case "${owner%%:*}" in
	*-synod) echo "   pacemakerd: $lib from ${owner%%:*}" ;;
	*) fail "pacemakerd loads $lib from $owner" ;;
	esac
done
in_root apt-get install -y -q corosync-qdevice >"$work/qdevice.log" 2>&1 || {
	tail -20 "$work/qdevice.log"
	fail "apt-get install corosync-qdevice"
}
in_root dpkg-query -W -f '${Status}' corosync 2>/dev/null | grep -q "ok installed" &&
	fail "corosync-qdevice brought Debian's corosync"
echo "   corosync-qdevice installed, corosync not: $(in_root dpkg-query -W -f '${Version}' corosync-qdevice)"
step_done

echo "packaging test passed in $(($(date +%s) - total_start)) s"
