# bench_lib.sh - what the network benchmarks share on top of the test
# harness (tests/cluster/lib.sh, sourced first): fresh cluster instances
# and a daemon start that runs synod or corosync, as $kind says.
# corosync gets a private /run and /var/lib/corosync in its own mount
# namespace; every exec keeps the PID, so CL_PID is corosync's own.
# Needs: BUILD, kind (synod | corosync), corosync (its command).

now_ns() { date +%s%N; }

# A fresh harness instance (own namespaces, directory and daemons).
bv_new() { # n extra_totem
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
