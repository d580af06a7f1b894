#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# vq-compat.sh - run the vq_compat client against a daemon (synod, or the
# distribution's corosync) on a private copy of CONFIG, which the client
# may rewrite before asking for a reload.
#
# usage: vq-compat.sh NETNS_RUN DAEMON CONFIG CLIENT MODE
# Exit status: the client's (through netns-run.sh); 77 (skip) when DAEMON
# is not installed.
set -u
netns_run=$1 daemon=$2 config=$3 client=$4 mode=$5
command -v "$daemon" >/dev/null || { echo "SKIP: no $daemon"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cp "$config" "$dir/daemon.conf" || exit 99
"$netns_run" "$(command -v "$daemon")" "$dir/daemon.conf" "$client" "$mode" "$dir/daemon.conf"
