#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
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
# In CI (SYN_CI=1, set by .ci/run) the machine has root and every package
# of scripts/debian-packages.txt, so nothing may skip: a skipped test, or
# a passing one that reports a skipped part ("SKIP ..." or cmocka's
# "[  SKIPPED ]"), counts as a failure.
ci=${SYN_CI:-0}
count() { # count <testlog.json>: add its passes and failures, note its skips
	local p f kind name why
	{
		read -r p f
		passed=$((passed + p))
		failed=$((failed + f))
		while IFS=$'\t' read -r kind name why; do
			if [ "$ci" = 1 ]; then
				echo "FAIL (CI, nothing may skip): $name $kind: $why"
				failed=$((failed + 1))
				# A part-skipped test was counted as passed above.
				[ "$kind" = skipped ] || passed=$((passed - 1))
			elif [ "$kind" = skipped ]; then
				skipped+=("$1: $name ($why)")
			fi
		done
	} < <(python3 -c 'import json,re,sys
r=[json.loads(l) for l in open(sys.argv[1])]
ok=[t for t in r if t["result"] in ("OK","EXPECTEDFAIL")]
sk=[t for t in r if t["result"]=="SKIP"]
print(len(ok), len(r)-len(ok)-len(sk))
def why(t, pat):
	lines=[l.strip() for l in t.get("stdout","").splitlines() if l.strip()]
	hit=[l for l in lines if re.search(pat, l)]
	return (hit or lines or ["no reason printed"])[-1]
for t in sk:
	print("skipped", t["name"], why(t, r"(?i)skip"), sep="\t")
part=re.compile(r"^(SKIP\b|\[\s*SKIPPED\s*\])")
for t in ok:
	if any(part.match(l.strip()) for l in t.get("stdout","").splitlines()):
		print("passed, part skipped", t["name"], why(t, part.pattern), sep="\t")' "$1")
}

echo "== test suite (build/)"
meson test -C build --print-errorlogs --num-processes 2 --no-suite unstable --no-suite packaging
count build/meson-logs/testlog.json

echo "== test suite under ASan+UBSan (build-asan/)"
if [ ! -d build-asan ]; then
	meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false \
		--buildtype=debug >/dev/null
fi
meson configure build-asan -Dwerror="$([ "${SYN_WERROR:-0}" = 1 ] && echo true || echo false)"
if ninja -C build-asan >/dev/null; then
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C build-asan --print-errorlogs --num-processes 2 \
		--no-suite unstable --no-suite packaging
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
