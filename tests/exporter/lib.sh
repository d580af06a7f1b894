# SPDX-License-Identifier: BSD-3-Clause
# lib.sh - helpers for the exporter tests: scrape an exporter, validate
# the text (promtool for Prometheus text 0.0.4, prometheus_client's strict
# parser for OpenMetrics) and read values out of it.  Source it; needs
# BUILD (the build directory) and EXP_DIR (a scratch directory).  With
# EXP_NETNS set, curl runs in that network namespace.

EXP_QUERY="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/metrics_query.py"

# Every prerequisite, or exit 77 (skip) naming what is missing.
exp_require() {
	[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
	command -v promtool >/dev/null || { echo "SKIP: promtool (Debian package prometheus) missing"; exit 77; }
	command -v curl >/dev/null || { echo "SKIP: curl missing"; exit 77; }
	/usr/bin/python3 -c 'import prometheus_client' 2>/dev/null ||
		{ echo "SKIP: python3-prometheus-client missing"; exit 77; }
}

exp_curl() {
	if [ -n "${EXP_NETNS:-}" ]; then
		ip netns exec "$EXP_NETNS" curl "$@"
	else
		curl "$@"
	fi
}

# Scrape into $EXP_DIR/NAME.{text,om} (+ .hdr), both formats, and check
# both: promtool on the text, the strict parser on OpenMetrics, the
# content types, and that the two carry the same samples.
# usage: exp_scrape NAME URL [curl args]   (returns non-zero on any failure)
exp_scrape() {
	local name=$1 url=$2 out
	shift 2
	out="$EXP_DIR/$name"
	exp_curl -sS --max-time 10 -D "$out.text.hdr" -o "$out.text" "$@" "$url" || return 1
	exp_curl -sS --max-time 10 -H 'Accept: application/openmetrics-text; version=1.0.0' \
		-D "$out.om.hdr" -o "$out.om" "$@" "$url" || return 1
	grep -qi '^Content-Type: text/plain; version=0.0.4' "$out.text.hdr" ||
		{ echo "$name: text content type: $(grep -i content-type "$out.text.hdr")"; return 1; }
	grep -qi '^Content-Type: application/openmetrics-text; version=1.0.0' "$out.om.hdr" ||
		{ echo "$name: OpenMetrics content type: $(grep -i content-type "$out.om.hdr")"; return 1; }
	promtool check metrics <"$out.text" >"$out.promtool" 2>&1 ||
		{ echo "$name: promtool check metrics failed:"; cat "$out.promtool"; return 1; }
	[ "$(tail -n 1 "$out.om")" = "# EOF" ] || { echo "$name: OpenMetrics without # EOF"; return 1; }
	/usr/bin/python3 "$EXP_QUERY" openmetrics "$out.om" || return 1
	/usr/bin/python3 "$EXP_QUERY" text "$out.text" || return 1
	# same series in both (collect times differ: leave them out)
	diff <(grep -v '^#' "$out.om" | grep -v _collect_seconds | sed 's/ .*//' | sort) \
		<(grep -v '^#' "$out.text" | grep -v _collect_seconds | sed 's/ .*//' | sort) >/dev/null ||
		{ echo "$name: the two formats carry different series"; return 1; }
}

# The value of one query on a saved scrape (Prometheus text), "absent" if none.
exp_get() { # name query
	/usr/bin/python3 "$EXP_QUERY" text "$EXP_DIR/$1.text" "$2"
}

# Compare one scraped value with an expected one; counts failures in `failed`.
exp_expect() { # name query want [what]
	local got
	got=$(exp_get "$1" "$2")
	if [ "$got" = "$3" ]; then
		echo "ok   $2 = $3${4:+ ($4)}"
	else
		echo "FAIL $2 = '$got', want '$3'${4:+ ($4)}"
		failed=$((failed + 1))
	fi
}
