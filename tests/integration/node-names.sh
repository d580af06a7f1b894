#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# node-names.sh - node addresses given by name: the daemon resolves them
# once, at start-up and on each accepted reload, honouring
# totem.ip_version, and answers address requests from that table.
#
# The nodelist names a dual-stack local node and peer through a private
# /etc/hosts (hosts-private.sh) with ip_version ipv6.  Checked with
# synod-cfgtool: -a gives the peer's IPv6 address; after the hosts file
# maps the peer elsewhere, -a still gives the start-up address (nothing
# is resolved per request) until a reload (-R) picks the new one; a
# reload whose peer name no longer resolves is refused and the table
# stays as it was.
#
# usage: node-names.sh NETNS_RUN SYNOD TOOLS_BUILD_DIR
#        node-names.sh check HOSTS_FILE TOOLS_BUILD_DIR   (inside the namespace)
set -u
if [ "$1" = check ]; then
	hosts=$2 cfgtool=$3/synod-cfgtool
	fail=0
	expect() { # expect WHAT WANT COMMAND...
		local what=$1 want=$2 got
		shift 2
		got=$(timeout 20 "$@" 2>&1)
		if [ "$got" != "$want" ]; then
			echo "FAIL: $what: '$*' printed '$got', expected '$want'"
			fail=1
		else
			echo "ok: $what"
		fi
	}
	expect "local node by name, ipv6" "::1" "$cfgtool" -a 1
	expect "peer by name, ipv6" "fd00:99::2" "$cfgtool" -a 2
	# the peer moves: not seen until a reload
	printf '127.0.0.1 synod-self\n::1 synod-self\n127.0.0.3 synod-peer\nfd00:99::3 synod-peer\n' \
		>"$hosts"
	for _ in 1 2 3; do
		expect "no resolution per request" "fd00:99::2" "$cfgtool" -a 2
	done
	expect "reload accepted" "$(printf 'Reloading corosync.conf...\nDone')" "$cfgtool" -R
	expect "reload re-resolved the peer" "fd00:99::3" "$cfgtool" -a 2
	expect "local node unchanged" "::1" "$cfgtool" -a 1
	# the peer's name disappears: the reload is refused, the table stays
	printf '127.0.0.1 synod-self\n::1 synod-self\n' >"$hosts"
	if timeout 20 "$cfgtool" -R >/dev/null 2>&1; then
		echo "FAIL: a reload with an unresolvable node name was accepted"
		fail=1
	else
		echo "ok: reload with an unresolvable name refused"
	fi
	expect "table kept after a refused reload" "fd00:99::3" "$cfgtool" -a 2
	exit $fail
fi

netns_run=$1 synod=$(realpath "$2") tools=$3
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
printf '127.0.0.1 synod-self\n::1 synod-self\n127.0.0.2 synod-peer\nfd00:99::2 synod-peer\n' \
	>"$dir/hosts"
cat >"$dir/corosync.conf" <<'CONF'
totem {
	version: 2
	cluster_name: names
	transport: knet
	ip_version: ipv6
	crypto_cipher: none
	crypto_hash: none
}
nodelist {
	node {
		nodeid: 1
		ring0_addr: synod-self
	}
	node {
		nodeid: 2
		ring0_addr: synod-peer
	}
}
logging {
	to_stderr: yes
	to_syslog: no
	to_logfile: no
}
CONF
SYN_HOSTS_FILE=$dir/hosts SYN_HOSTS_DAEMON=$synod \
	"$netns_run" "$here/hosts-private.sh" "$dir/corosync.conf" \
	"$here/node-names.sh" check "$dir/hosts" "$tools"
