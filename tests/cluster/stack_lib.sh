# SPDX-License-Identifier: BSD-3-Clause
# stack_lib.sh - what the cluster-stack scripts (notifyd.sh, dlm.sh,
# sbd.sh, sbd_pacemaker.sh) share on top of lib.sh: the cluster daemon of
# a node as synod or as the distribution's corosync, and bounded waits on
# a log file.
# Source it after lib.sh; KIND is synod or corosync.

# The daemon on node i: synod, or the distribution's corosync with a
# private /run and /var/lib/corosync in a mount namespace of its own (exec
# keeps the PID, so CL_PID is corosync's own and cl_stop stops it).
st_node_start() { # node
	local i=$1
	if [ "$KIND" = synod ]; then
		cl_start "$i"
		return
	fi
	ip netns exec "$(cl_ns "$i")" unshare -m sh -c \
		'mount -t tmpfs none /run && mount -t tmpfs none /var/lib/corosync && exec corosync -f -c "$0"' \
		"$CL_DIR/synod.conf" >>"$CL_DIR/node$i.log" 2>&1 &
	CL_PID[$i]=$!
}

# A command on node i with the distribution's client libraries (never the
# build's): the programs under test are used as shipped.
st_on() { # node command...
	local i=$1
	shift
	ip netns exec "$(cl_ns "$i")" env -u LD_LIBRARY_PATH "$@"
}

# Wait until file has at least n lines matching the extended regex re
# after its first `from` lines; at most timeout seconds.
st_wait_lines() { # file from re n timeout
	local file=$1 from=$2 re=$3 n=$4 end=$(($(date +%s) + $5))
	while [ "$(tail -n +"$((from + 1))" "$file" 2>/dev/null | grep -cE -- "$re")" -lt "$n" ]; do
		[ "$(date +%s)" -ge $end ] && return 1
		sleep 0.1
	done
}

st_lines() { wc -l <"$1"; } # file -> its number of lines

# Wait until pid is gone; at most timeout seconds.
st_wait_gone() { # pid timeout
	local end=$(($(date +%s) + $2))
	while kill -0 "$1" 2>/dev/null; do
		[ "$(date +%s)" -ge $end ] && return 1
		sleep 0.1
	done
}
