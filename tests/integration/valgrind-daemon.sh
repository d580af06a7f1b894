#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# valgrind-daemon.sh BUILD_DIR - run the daemon under valgrind in its own
# network namespace, hit it with a storm of connecting, tracking and dying
# clients (client-storm), stop it with SIGTERM and require a clean exit:
# no leaks ("definitely"/"indirectly"/"possibly lost" all zero) and no
# memory errors.
set -u
build=$(cd "${1:-build}" && pwd)
src=$(cd "$(dirname "$0")/../.." && pwd)
ns="synod-vg$$"
vglog=$(mktemp)
conf=$(mktemp)
# The bundled config, without real-time scheduling: valgrind runs the
# daemon many times slower, and at real-time priority it would take a CPU
# from the clients it is being tested with.
{ cat "$src/conf/synod.conf"; printf 'system {\n\tsched_rr: no\n}\n'; } >"$conf"
cleanup() {
	if [ -n "${vpid:-}" ] && kill -0 "$vpid" 2>/dev/null; then kill -KILL "$vpid"; fi
	ip netns del "$ns" 2>/dev/null
	rm -f "$vglog" "$conf"
}
trap cleanup EXIT
ip netns add "$ns" && ip netns exec "$ns" ip link set lo up || exit 1
ip netns exec "$ns" valgrind --leak-check=full --show-leak-kinds=definite,indirect,possible \
	--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=3 \
	--log-file="$vglog" "$build/daemon/synod" -f -c "$conf" >/dev/null 2>&1 &
vpid=$!
for _ in $(seq 1 300); do
	ip netns exec "$ns" "$build/tests/integration/wait-ready" 2>/dev/null && break
	sleep 0.1
done
ip netns exec "$ns" "$build/tests/integration/client-storm" 150
storm=$?
kill -TERM "$vpid"
for _ in $(seq 1 300); do kill -0 "$vpid" 2>/dev/null || break; sleep 0.1; done
wait "$vpid"
rc=$?
vpid=
grep -E 'ERROR SUMMARY|definitely lost|indirectly lost|possibly lost|in use at exit' "$vglog"
if [ $storm -ne 0 ] || [ $rc -ne 0 ]; then
	echo "valgrind-daemon: FAIL (storm $storm, daemon exit $rc)"
	sed -n '1,80p' "$vglog"
	exit 1
fi
echo "valgrind-daemon: PASS"
