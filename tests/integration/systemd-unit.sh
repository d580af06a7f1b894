#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# systemd-unit.sh - conf/synod.service checked and run by a real service
# manager.
#
# usage: systemd-unit.sh UNIT DAEMON CONFIG WAIT_READY
#
# 1. systemd-analyze verify on the unit with ExecStart pointing at DAEMON
#    (the installed path does not exist in a build tree): exit 0 and not
#    one line of complaint.
# 2. In a mount and network namespace of its own, a private journald and
#    a systemd user manager (root's, so the unit's sandboxing is applied);
#    the unit is loaded with every [Service] line as shipped except
#    ExecStart (DAEMON -f -c CONFIG), its network-online.target
#    dependency (a user manager has no such target) and its
#    ConditionPathExists (CONFIG instead).  Then:
#    - systemctl start returns (Type=notify: after READY=1) and at once a
#      client finds the node quorate (WAIT_READY quorate, one attempt);
#    - the unit is active with the daemon's STATUS= text, the daemon runs
#      at SCHED_RR and sees /usr read-only (ProtectSystem=full);
#    - the journal holds the daemon's lines with their priorities (the
#      start-up notice at 5, no "<N>" left in any message);
#    - systemctl stop ends it with result success, exit status 0.
# Every wait is bounded; only processes started here are stopped, and the
# namespaces end with them.  Exit 0 pass, 1 fail, 77 skip (no systemd).
set -u
here=$(cd "$(dirname "$0")" && pwd)

if [ "$1" != --inside ]; then
	# absolute paths: the unit and the manager do not run in this directory
	unit=$(realpath "$1") daemon=$(realpath "$2") config=$(realpath "$3")
	wait_ready=$(realpath "$4")
	for tool in systemd-analyze systemctl journalctl unshare; do
		command -v "$tool" >/dev/null || { echo "SKIP: $tool missing"; exit 77; }
	done
	[ -x /lib/systemd/systemd ] && [ -x /lib/systemd/systemd-journald ] ||
		{ echo "SKIP: systemd not installed"; exit 77; }
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for namespaces"; exit 77; }
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	# 1. static verification
	sed "s|^ExecStart=/usr/sbin/synod|ExecStart=$daemon|" "$unit" >"$tmp/synod.service"
	out=$(systemd-analyze verify --man=no "$tmp/synod.service" 2>&1)
	rc=$?
	if [ $rc -ne 0 ] || [ -n "$out" ]; then
		echo "FAIL: systemd-analyze verify (exit $rc):"
		echo "$out"
		exit 1
	fi
	echo "ok: systemd-analyze verify is clean"
	rm -f "$tmp/synod.service"
	# 2. the rest in namespaces of its own
	timeout 120 unshare -m -n --propagation private \
		"$here/systemd-unit.sh" --inside "$unit" "$daemon" "$config" "$wait_ready" "$tmp"
	exit $?
fi

shift
unit=$1 daemon=$2 config=$3 wait_ready=$4 tmp=$5
journald_pid= manager_pid=
fail() {
	echo "FAIL: $*"
	if [ -S /run/systemd/journal/stdout ]; then
		echo "--- journal ---"
		journalctl -D /run/log/journal --no-pager | tail -40
	fi
	exit 1
}
cleanup() {
	# the manager stops its units when it exits
	for pid in $manager_pid $journald_pid; do
		kill -TERM "$pid" 2>/dev/null
		for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
	done
}
trap cleanup EXIT
# a timeout's SIGTERM must still stop the manager and journald
trap 'exit 1' TERM INT

ip link set lo up || fail "cannot bring lo up"
# a private /run: journald's sockets and volatile journal, the manager's
# "booted with systemd" marker; the host's /run is not touched
mount -t tmpfs tmpfs /run || fail "cannot mount a private /run"
mkdir -p /run/systemd/system /run/log/journal /run/systemd/journald.conf.d
# the daemon and its configuration where the unit's sandbox lets it see
# them: the tree may live under /tmp or /home (a CI clone), which
# PrivateTmp= and ProtectHome= hide from the service
mkdir -p /run/synod-stage && cp "$daemon" /run/synod-stage/synod &&
	cp "$config" /run/synod-stage/corosync.conf || fail "cannot stage the daemon"
daemon=/run/synod-stage/synod config=/run/synod-stage/corosync.conf
# what PID 1 prepares at boot for sandboxing (ProtectHome= and the like
# mount these over what a unit may not see)
inacc=/run/systemd/inaccessible
mkdir -p "$inacc" && mkdir -m 0 "$inacc/dir" && touch "$inacc/reg" && chmod 0 "$inacc/reg" &&
	mkfifo -m 0 "$inacc/fifo" && mknod -m 0 "$inacc/chr" c 0 0 && mknod -m 0 "$inacc/blk" b 0 0 &&
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$inacc/sock" &&
	chmod 0 "$inacc/sock" || fail "cannot prepare $inacc"
# the journal of this test only: no kernel messages, nothing forwarded
printf '[Journal]\nStorage=volatile\nReadKMsg=no\nForwardToSyslog=no\nForwardToKMsg=no\nForwardToWall=no\n' \
	>/run/systemd/journald.conf.d/test.conf
# the manager's runtime directory holds its notify socket: not in /tmp nor
# /run/user, which PrivateTmp= and ProtectHome= hide from the service
export HOME=$tmp/home XDG_RUNTIME_DIR=/run/manager
mkdir -p "$HOME/.config/systemd/user" "$XDG_RUNTIME_DIR" /run/systemd/user.conf.d
chmod 700 "$XDG_RUNTIME_DIR"
# The user manager's slices ask for CPU weights, which on a cgroup-v1 host
# puts services in a cpu cgroup; with real-time group scheduling such a
# cgroup has no real-time budget and SCHED_RR is refused whatever the
# unit says.  A system manager on cgroup v2 (Debian 12) has no such
# budget, so the slices here are made to leave the cpu controller alone:
# what is tested is that the unit's own options allow SCHED_RR.
printf '[Manager]\nDefaultCPUAccounting=no\n' >/run/systemd/user.conf.d/test.conf
for slice in app background session; do
	mkdir -p "$HOME/.config/systemd/user/$slice.slice.d"
	printf '[Slice]\nCPUWeight=\n' >"$HOME/.config/systemd/user/$slice.slice.d/no-cpu.conf"
done

/lib/systemd/systemd-journald >"$tmp/journald.log" 2>&1 &
journald_pid=$!
for _ in $(seq 1 50); do [ -S /run/systemd/journal/stdout ] && break; sleep 0.1; done
[ -S /run/systemd/journal/stdout ] || { cat "$tmp/journald.log"; fail "journald did not start"; }

SYSTEMD_LOG_TARGET=console /lib/systemd/systemd --user >"$tmp/manager.log" 2>&1 &
manager_pid=$!
state=
for _ in $(seq 1 100); do
	state=$(timeout 5 systemctl --user is-system-running 2>/dev/null)
	case $state in running | degraded) break ;; esac
	sleep 0.1
done
case $state in running | degraded) ;; *)
	cat "$tmp/manager.log"
	fail "the user manager did not start ($state)"
	;;
esac

# the unit as shipped, but for what a user manager cannot have
sed -e "s|^ExecStart=.*|ExecStart=$daemon -f -c $config|" \
	-e "s|^ConditionPathExists=.*|ConditionPathExists=$config|" \
	-e '/^Requires=network-online.target/d' -e '/^After=network-online.target/d' \
	"$unit" >"$HOME/.config/systemd/user/synod.service"
timeout 20 systemctl --user daemon-reload || fail "the user manager did not reload"

start_ms=$(date +%s%3N)
timeout 60 systemctl --user start synod.service
rc=$?
ready_ms=$(($(date +%s%3N) - start_ms))
# the readiness guarantee: a client right after start finds the node quorate
"$wait_ready" quorate
client_rc=$?
show() { timeout 10 systemctl --user show -p "$1" --value synod.service; }
if [ $rc -ne 0 ]; then
	timeout 10 systemctl --user status --no-pager synod.service
	tail -20 "$tmp/manager.log"
	fail "systemctl start exited $rc"
fi
echo "ok: systemctl start returned after ${ready_ms} ms (Type=notify)"
[ $client_rc -eq 0 ] || fail "no quorate node right after systemctl start returned"
echo "ok: a client right after start finds the node quorate"
[ "$(show ActiveState)" = active ] || fail "unit not active: $(show ActiveState)"
status=$(show StatusText)
[ "$status" = "Members: 1, quorate" ] || fail "status text '$status'"
echo "ok: active, status '$status'"
pid=$(show MainPID)
policy=$(chrt -p "$pid" | sed -n 's/.*scheduling policy: //p')
[ "$policy" = SCHED_RR ] || fail "the daemon runs at $policy, not SCHED_RR"
echo "ok: the daemon runs at SCHED_RR"
awk '$5 == "/usr" && $6 ~ /^ro/ { found = 1 } END { exit !found }' "/proc/$pid/mountinfo" ||
	fail "ProtectSystem=full not applied: /usr is writable for the daemon"
echo "ok: /usr is read-only for the daemon"

timeout 60 systemctl --user stop synod.service || fail "systemctl stop failed"
[ "$(show Result)" = success ] || fail "result $(show Result)"
[ "$(show ExecMainStatus)" = 0 ] || fail "exit status $(show ExecMainStatus)"
echo "ok: stopped, result success, exit status 0"

journalctl -D /run/log/journal --no-pager -o json >"$tmp/journal.json" 2>/dev/null
python3 - "$tmp/journal.json" <<'EOF' || exit 1
import json, re, sys

lines = []
for raw in open(sys.argv[1]):
    entry = json.loads(raw)
    # journald files a root user manager's units as system units
    unit = entry.get("_SYSTEMD_USER_UNIT", entry.get("_SYSTEMD_UNIT"))
    msg = entry.get("MESSAGE")
    if unit == "synod.service" and entry.get("_TRANSPORT") == "stdout" and isinstance(msg, str):
        lines.append((int(entry.get("PRIORITY", "-1")), msg))
if not lines:
    sys.exit("FAIL: no line of the daemon in the journal")
bad = [m for p, m in lines if re.match(r"<\d>", m)]
if bad:
    sys.exit("FAIL: priority prefix not taken by the journal: %r" % bad[0])
started = [p for p, m in lines if re.search(r"synod \S+ started", m)]
if started != [5]:
    sys.exit("FAIL: start-up notice priorities %r, want [5]" % started)
prios = sorted({p for p, _ in lines})
print("ok: %d journal lines of the daemon, priorities %s" % (len(lines), prios))
EOF
exit 0
