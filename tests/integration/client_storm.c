/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * client_storm.c - a storm of short-lived cmap clients: each child
 * connects (default or stats map), tracks, iterates, writes, and then
 * either finalizes, exits without finalizing, or is killed by SIGKILL in
 * the middle.  Exits 0 when the daemon still answers afterwards.  Used
 * to check the daemon for leaks under valgrind.
 *
 * usage: client-storm [N_CLIENTS]
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <corosync/cmap.h>

static void notify(cmap_handle_t h, cmap_track_handle_t th, int32_t event, const char *key,
		   struct cmap_notify_value nv, struct cmap_notify_value ov, void *user_data)
{
	(void)h, (void)th, (void)event, (void)key, (void)nv, (void)ov, (void)user_data;
}

static void child(int i)
{
	cmap_handle_t h;
	cmap_iter_handle_t it;
	cmap_track_handle_t th;
	char key[CMAP_KEYNAME_MAXLEN + 1];
	size_t len;
	cmap_value_types_t type;

	if ((i % 5 == 0 ? cmap_initialize_map(&h, CMAP_MAP_STATS) : cmap_initialize(&h)) != CS_OK)
		_exit(1);
	cmap_track_add(h, "storm.",
		       CMAP_TRACK_ADD | CMAP_TRACK_DELETE | CMAP_TRACK_MODIFY | CMAP_TRACK_PREFIX,
		       notify, NULL, &th);
	cmap_track_add(h, "storm.k", CMAP_TRACK_MODIFY, notify, NULL, &th);
	cmap_iter_init(h, NULL, &it);
	cmap_iter_next(h, it, key, &len, &type);
	snprintf(key, sizeof(key), "storm.c%d", i % 7);
	cmap_set_uint32(h, key, (uint32_t)i);
	cmap_set_uint32(h, "storm.k", (uint32_t)i);
	switch (i % 3) {
	case 0:
		kill(getpid(), SIGKILL);
		break;
	case 1:
		_exit(0); /* no finalize: the daemon must clean up */
	default:
		cmap_dispatch(h, CS_DISPATCH_ALL);
		cmap_iter_finalize(h, it);
		cmap_delete(h, key);
		cmap_finalize(h);
		_exit(0);
	}
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 200;
	cmap_handle_t h;
	uint32_t v;
	int ok;

	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid == 0)
			child(i);
		if (pid < 0)
			return 1;
		if (i % 8 == 7)
			while (waitpid(-1, NULL, 0) > 0)
				;
	}
	while (waitpid(-1, NULL, 0) > 0)
		;
	if (cmap_initialize(&h) != CS_OK)
		return 1;
	ok = cmap_get_uint32(h, "storm.k", &v) == CS_OK;
	cmap_finalize(h);
	printf("%d clients done, daemon %s\n", n, ok ? "answering" : "NOT answering");
	return ok ? 0 : 1;
}
