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
count() { # count <testlog.json>
	local p f
	p=$(python3 -c 'import json,sys
n=0
for l in open(sys.argv[1]):
    if json.loads(l)["result"] in ("OK","EXPECTEDFAIL","SKIP"): n+=1
print(n)' "$1")
	f=$(python3 -c 'import json,sys
n=0
for l in open(sys.argv[1]):
    if json.loads(l)["result"] not in ("OK","EXPECTEDFAIL","SKIP"): n+=1
print(n)' "$1")
	passed=$((passed + p))
	failed=$((failed + f))
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

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
