# SPDX-License-Identifier: BSD-3-Clause
# bench_lib.sh - what the network benchmarks share: building the tree
# they measure, the test harness (tests/cluster/lib.sh), fresh cluster
# instances, a daemon start that runs synod or corosync as $kind says, and
# the writer of their BENCHMARKS.md sections.  corosync gets a private
# /run and /var/lib/corosync in its own mount namespace; every exec keeps
# the PID, so CL_PID is corosync's own.
# Needs: top (the source tree), build (its build directory), and for
# bv_start kind (synod | corosync) and corosync (its command).

# Build $build (set up when missing), point BUILD at it, load the harness.
bench_prepare() {
	[ -d "$build" ] || meson setup "$build" --buildtype=release >/dev/null || return 1
	ninja -C "$build" >/dev/null || return 1
	BUILD=$top/$build
	. "$top/tests/cluster/lib.sh"
	rm -rf "$CL_DIR"
	CL_N=0
}

now_ns() { date +%s%N; }

# A fresh harness instance (own namespaces, directory and daemons).  The
# benchmarks run unencrypted, as the figures in BENCHMARKS.md were
# measured: they compare the protocols, on a bridge no one else reaches
# (a real cluster needs crypto: README.md, Security).
bv_new() { # n extra_totem
	local CL_CRYPTO=0
	CL_ID=$(printf 'b%x' $((RANDOM * 32768 + RANDOM)))
	CL_HUB="syn-${CL_ID}-hub"
	CL_DIR=$(mktemp -d)
	CL_PID=()
	CL_N=0
	cl_setup "$1" "$2"
}

bv_done() {
	cl_cleanup
	CL_DIR=""
}

# corosync gets a private /run and /var/lib/corosync in its own mount
# namespace; every exec keeps the PID, so CL_PID is corosync's own.
bv_start() { # node
	local i=$1
	if [ "$kind" = synod ]; then
		cl_start "$i"
		return
	fi
	ip netns exec "$(cl_ns "$i")" unshare -m sh -c \
		"mount -t tmpfs none /run && mount -t tmpfs none /var/lib/corosync && exec $corosync -f -c $CL_DIR/synod.conf" \
		>>"$CL_DIR/node$i.log" 2>&1 &
	CL_PID[$i]=$!
}

# Seconds since midnight, with ms, of a log timestamp or of now.
sod_now() { date +%H:%M:%S.%N | awk -F: '{ printf "%.3f\n", $1 * 3600 + $2 * 60 + $3 }'; }

# ms from start (seconds since midnight) until the last of the nodes logged
# "Members[N]: want" at or after it; empty if a node has no such line.
log_view_ms() { # start_sod group...
	local start=$1 g want nodes i t worst=""
	shift
	for g in "$@"; do
		want=${g%%|*}
		nodes=${g#*|}
		for i in $nodes; do
			t=$(awk -v w="$want" -v s="$start" '
				{
					split($3, hms, ":")
					t = hms[1] * 3600 + hms[2] * 60 + hms[3]
					if (t + 0.0005 < s) next
					line = $0
					if (match(line, /Members\[[0-9]+\]: /) == 0) next
					rest = substr(line, RSTART + RLENGTH)
					sub(/ \(ring.*$/, "", rest)
					sub(/[ \t]+$/, "", rest)
					if (rest == w) { printf "%.3f\n", t; exit }
				}' "$CL_DIR/node$i.log")
			[ -n "$t" ] || return 1
			if [ -z "$worst" ] || awk -v a="$t" -v b="$worst" 'BEGIN { exit !(a > b) }'; then
				worst=$t
			fi
		done
	done
	awk -v a="$worst" -v b="$start" 'BEGIN { d = (a - b) * 1000; printf "%d\n", d < 0 ? 0 : d + 0.5 }'
}

# Put a report section (a file that starts with <!-- name:begin --> and
# ends with <!-- name:end -->) into out: in place of the old one between
# the same markers, or appended.  The rest of out is kept as it is.
bench_write_section() { # name section_file out
	local name=$1 section=$2 out=$3
	if [ -f "$out" ] && grep -q "^<!-- $name:begin -->" "$out"; then
		awk -v f="$section" -v b="<!-- $name:begin -->" -v e="<!-- $name:end -->" '
			$0 == b { while ((getline l < f) > 0) print l; skip = 1; next }
			$0 == e { skip = 0; next }
			!skip' "$out" >"$out.tmp" && mv "$out.tmp" "$out"
	else
		{ [ -s "$out" ] && echo; cat "$section"; } >>"$out"
	fi
}
