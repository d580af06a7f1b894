#!/usr/bin/env bash
# test.sh - set up, build, and run the whole suite: unit, integration,
# compatibility and simulator tests in the normal build, the same suite
# under ASan+UBSan, and a valgrind leak check of the daemon.  Ends with
# the line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0
skipped=()
count() { # count <testlog.json>: add its passes and failures, note its skips
	local p f s
	read -r p f s < <(python3 -c 'import json,sys
r=[json.loads(l) for l in open(sys.argv[1])]
ok=sum(1 for t in r if t["result"] in ("OK","EXPECTEDFAIL"))
sk=[t["name"] for t in r if t["result"]=="SKIP"]
print(ok, len(r)-ok-len(sk), ",".join(sk) or "-")' "$1")
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$s" = "-" ] || skipped+=("$1: ${s//,/ }")
}

echo "== test suite (build/)"
meson test -C build --print-errorlogs --num-processes 2 --no-suite unstable
count build/meson-logs/testlog.json

echo "== test suite under ASan+UBSan (build-asan/)"
if [ ! -d build-asan ]; then
	meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false \
		--buildtype=debug >/dev/null
fi
if ninja -C build-asan >/dev/null; then
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C build-asan --print-errorlogs --num-processes 2 \
		--no-suite unstable
	count build-asan/meson-logs/testlog.json
else
	echo "ASan build failed"
	failed=$((failed + 1))
fi

echo "== daemon under valgrind"
if tests/integration/valgrind-daemon.sh build; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
fi

for s in "${skipped[@]}"; do echo "skipped (not counted): $s"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
