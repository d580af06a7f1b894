/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * knet_slow_status.c - an LD_PRELOAD shim for synod in the knet-status
 * test: every knet_link_get_status and knet_handle_get_stats call first
 * sleeps SYN_SLOW_STATUS_MS (default 150) milliseconds, as the call does
 * when one of knet's own threads holds the lock it waits on.  Everything
 * else in knet is untouched.  Test code only: it keeps the real
 * functions in function-local statics, looked up on first use.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>
#include <libknet.h>

typedef int (*link_status_fn)(knet_handle_t, knet_node_id_t, uint8_t, struct knet_link_status *,
			      size_t);
typedef int (*handle_stats_fn)(knet_handle_t, struct knet_handle_stats *, size_t);

static void stall(void)
{
	const char *env = getenv("SYN_SLOW_STATUS_MS");
	long ms = env ? atol(env) : 150;
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

int knet_link_get_status(knet_handle_t knet_h, knet_node_id_t host_id, uint8_t link_id,
			 struct knet_link_status *status, size_t struct_size)
{
	static link_status_fn real;

	if (!real)
		real = (link_status_fn)dlsym(RTLD_NEXT, "knet_link_get_status");
	stall();
	return real(knet_h, host_id, link_id, status, struct_size);
}

int knet_handle_get_stats(knet_handle_t knet_h, struct knet_handle_stats *stats, size_t struct_size)
{
	static handle_stats_fn real;

	if (!real)
		real = (handle_stats_fn)dlsym(RTLD_NEXT, "knet_handle_get_stats");
	stall();
	return real(knet_h, stats, struct_size);
}
