#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# synod-blackbox - print the running daemon's flight recorder: ask it for
# a state dump and a blackbox dump through cmap, then decode the dump
# with libqb's qb-blackbox.  A fresh value (the time) is written each
# time because setting a key to the value it holds is no change.
set -e
now=$(date +%s)
synod-cmapctl -s runtime.blackbox.dump_state str "$now" >/dev/null
synod-cmapctl -s runtime.blackbox.dump_flight_data str "$now" >/dev/null
# the daemon writes into its state directory: system.state_dir or the default
state_dir=$(synod-cmapctl -g system.state_dir 2>/dev/null | sed -n 's/^system\.state_dir (str) = //p')
exec qb-blackbox "${state_dir:-@STATE_DIR@}/fdata"
