/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * merge_detect_track.c - tracks stats.srp.memb_merge_detect_tx on a
 * single-node daemon with CMAP_TRACK_MODIFY, the way corosync's own Rust
 * bindings test does, and waits for six MODIFY events.  Each event must
 * carry a u64 that grew since the one before.  A lone corosync sends a
 * merge-detect message about twice a second; synod counts its leader's
 * heartbeats there, published once a second.
 *
 * Ends after the sixth event (success) or after 15 s (failure); prints
 * the number of events and the last value seen.
 */
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <corosync/cmap.h>

#define KEY "stats.srp.memb_merge_detect_tx"
#define WANT_EVENTS 6
#define LIMIT_MS 15000

struct seen {
	int events;
	bool bad;
	uint64_t last;
};

static void notify_cb(cmap_handle_t h, cmap_track_handle_t th, int32_t event, const char *key,
		      struct cmap_notify_value new_val, struct cmap_notify_value old_val,
		      void *user_data)
{
	struct seen *s = user_data;
	uint64_t v;

	(void)h;
	(void)th;
	(void)old_val;
	if (event != CMAP_TRACK_MODIFY || strcmp(key, KEY) != 0 ||
	    new_val.type != CMAP_VALUETYPE_UINT64 || new_val.len != sizeof(v)) {
		fprintf(stderr, "unexpected event %d on %s (type %d, len %zu)\n", event, key,
			new_val.type, new_val.len);
		s->bad = true;
		return;
	}
	memcpy(&v, new_val.data, sizeof(v));
	if (s->events > 0 && v <= s->last) {
		fprintf(stderr, "%s went from %" PRIu64 " to %" PRIu64 "\n", KEY, s->last, v);
		s->bad = true;
	}
	s->last = v;
	s->events++;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Dispatch until enough events, a bad one, or the time limit. */
static int wait_events(cmap_handle_t h, struct seen *s)
{
	int64_t end = now_ms() + LIMIT_MS;
	struct pollfd pfd = {.events = POLLIN};

	if (cmap_fd_get(h, &pfd.fd) != CS_OK)
		return -1;
	while (s->events < WANT_EVENTS && !s->bad) {
		int64_t left = end - now_ms();

		if (left <= 0)
			return -1;
		if (poll(&pfd, 1, (int)left) < 0)
			return -1;
		if (cmap_dispatch(h, CS_DISPATCH_ALL) != CS_OK)
			return -1;
	}
	return s->bad ? -1 : 0;
}

int main(void)
{
	struct seen s = {0};
	cmap_handle_t h;
	cmap_track_handle_t th;
	int64_t start;
	int rc = 1;

	if (cmap_initialize_map(&h, CMAP_MAP_STATS) != CS_OK) {
		fprintf(stderr, "cmap_initialize_map failed\n");
		return 1;
	}
	if (cmap_track_add(h, KEY, CMAP_TRACK_MODIFY, notify_cb, &s, &th) != CS_OK) {
		fprintf(stderr, "cmap_track_add failed\n");
		goto out;
	}
	start = now_ms();
	if (wait_events(h, &s) == 0)
		rc = 0;
	printf("%d MODIFY events in %" PRId64 " ms, last %s = %" PRIu64 "\n", s.events,
	       now_ms() - start, KEY, s.last);
	cmap_track_delete(h, th);
out:
	cmap_finalize(h);
	return rc;
}
