#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# run.sh - set up, build, and start synod in the foreground on the
# bundled single-node configuration (conf/synod.conf).  corosync clients
# (corosync-cmapctl, programs linked with libcmap) work against it at once.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec build/daemon/synod -f -c conf/synod.conf "$@"
