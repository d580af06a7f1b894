/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vq_track.c - a votequorum CS_TRACK_CHANGES tracker for multi-node tests,
 * written only against the public <corosync/votequorum.h> API so the same
 * binary watches synod or the distribution's corosync.
 *
 * It connects (retrying while the daemon starts, up to ten seconds),
 * prints "tracking", then one line per quorum notification:
 *   quorum QUORATE members ID...
 * with the ids of the listed nodes whose state is member, ascending.  It
 * runs until killed; a failed call prints the cs_error_t and exits 1.
 *
 * usage: vq-track
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <corosync/votequorum.h>

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void on_quorum(votequorum_handle_t handle, uint64_t context, uint32_t quorate,
		      uint32_t n_nodes, votequorum_node_t nodes[])
{
	uint32_t *ids = calloc(n_nodes ? n_nodes : 1, sizeof(*ids));
	uint32_t n = 0;

	(void)handle, (void)context;
	if (!ids)
		exit(1);
	for (uint32_t i = 0; i < n_nodes; i++)
		if (nodes[i].state == VOTEQUORUM_NODESTATE_MEMBER)
			ids[n++] = nodes[i].nodeid;
	qsort(ids, n, sizeof(*ids), cmp_u32);
	printf("quorum %u members", quorate);
	for (uint32_t i = 0; i < n; i++)
		printf(" %u", ids[i]);
	printf("\n");
	fflush(stdout);
	free(ids);
}

static cs_error_t connect_retrying(votequorum_handle_t *handle, votequorum_callbacks_t *cb)
{
	cs_error_t err = CS_ERR_LIBRARY;

	for (int i = 0; i < 100; i++) {
		err = votequorum_initialize(handle, cb);
		if (err == CS_OK)
			break;
		usleep(100 * 1000);
	}
	return err;
}

int main(void)
{
	votequorum_handle_t handle;
	votequorum_callbacks_t cb = {.votequorum_quorum_notify_fn = on_quorum};
	cs_error_t err = connect_retrying(&handle, &cb);

	if (err != CS_OK) {
		printf("initialize: %d\n", err);
		return 1;
	}
	err = votequorum_trackstart(handle, 0, CS_TRACK_CHANGES);
	if (err != CS_OK) {
		printf("trackstart: %d\n", err);
		return 1;
	}
	printf("tracking\n");
	fflush(stdout);
	err = votequorum_dispatch(handle, CS_DISPATCH_BLOCKING);
	printf("dispatch: %d\n", err);
	return 1;
}
