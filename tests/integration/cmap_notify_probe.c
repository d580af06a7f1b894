/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmap_notify_probe.c - what a libcmap notify callback is handed for empty
 * values and for stats-map additions and deletions, printed so that runs
 * on either libcmap (synod's or the distribution's, by LD_LIBRARY_PATH)
 * and against either daemon can be compared line by line.
 *
 * Part 1, icmap: a binary key tracked by name goes "ab" (add), "" (modify),
 * "cd" (modify), deleted.  One line per callback: the event, then for the
 * new and the old value its type, length, whether the pointer is NULL and
 * the bytes in hex, and whether the old value's pointer is the new one's
 * plus its length (corosync's library points both into the message).
 *
 * Part 2, stats map: a prefix tracker on stats.ipcs. sees a second cmap
 * connection of this process appear and go.  For each of ADD and DELETE
 * one line: whether any notification came for that connection and whether
 * every one carried a non-empty new and old value of the same type and
 * bytes (corosync reads the key's value into both).
 *
 * usage: cmap-notify-probe; exit 0 after printing, 1 when a call fails.
 */
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <corosync/cmap.h>

#define PROBE_KEY "test.notify.empty"

struct stats_seen {
	char conn_tag[64]; /* ".PID." of this process in a key name */
	unsigned int n[2]; /* ADD, DELETE notifications for our connections */
	bool bad[2];
};

static void print_value(const char *name, struct cmap_notify_value v)
{
	printf(" %s=%d/%zu/%s/", name, (int)v.type, v.len, v.data ? "ptr" : "NULL");
	for (size_t i = 0; v.data && i < v.len; i++)
		printf("%02x", ((const unsigned char *)v.data)[i]);
}

static void on_key(cmap_handle_t h, cmap_track_handle_t th, int32_t event, const char *key,
		   struct cmap_notify_value nv, struct cmap_notify_value ov, void *ctx)
{
	(void)h, (void)th, (void)ctx;
	printf("icmap event=%d key=%s", event, key);
	print_value("new", nv);
	print_value("old", ov);
	printf(" old-follows-new=%s\n",
	       nv.data && ov.data == (const char *)nv.data + nv.len ? "yes" : "no");
}

static bool same_value(struct cmap_notify_value a, struct cmap_notify_value b)
{
	return a.data && b.data && a.len > 0 && a.len == b.len && a.type == b.type &&
	       memcmp(a.data, b.data, a.len) == 0;
}

static void on_stats(cmap_handle_t h, cmap_track_handle_t th, int32_t event, const char *key,
		     struct cmap_notify_value nv, struct cmap_notify_value ov, void *ctx)
{
	struct stats_seen *seen = ctx;
	int i = event == CMAP_TRACK_ADD ? 0 : event == CMAP_TRACK_DELETE ? 1 : -1;

	(void)h, (void)th;
	if (i < 0 || !strstr(key, seen->conn_tag) || strstr(key, ".global."))
		return;
	seen->n[i]++;
	if (!same_value(nv, ov)) {
		seen->bad[i] = true;
		fprintf(stderr, "stats event %d %s: new %zu/%p old %zu/%p\n", event, key, nv.len,
			nv.data, ov.len, ov.data);
	}
}

/* Dispatch for about ms milliseconds. */
static int pump(cmap_handle_t h, int ms)
{
	int fd;

	if (cmap_fd_get(h, &fd) != CS_OK)
		return -1;
	for (int waited = 0; waited < ms; waited += 50) {
		struct pollfd p = {.fd = fd, .events = POLLIN};

		if (poll(&p, 1, 50) > 0 && cmap_dispatch(h, CS_DISPATCH_ALL) != CS_OK)
			return -1;
	}
	return 0;
}

static int probe_icmap(void)
{
	cmap_handle_t h;
	cmap_track_handle_t th;
	int rc = 1;

	if (cmap_initialize(&h) != CS_OK)
		return 1;
	cmap_delete(h, PROBE_KEY);
	if (cmap_track_add(h, PROBE_KEY, CMAP_TRACK_ADD | CMAP_TRACK_MODIFY | CMAP_TRACK_DELETE,
			   on_key, NULL, &th) != CS_OK)
		goto out;
	if (cmap_set(h, PROBE_KEY, "ab", 2, CMAP_VALUETYPE_BINARY) != CS_OK || pump(h, 200) != 0 ||
	    cmap_set(h, PROBE_KEY, "", 0, CMAP_VALUETYPE_BINARY) != CS_OK || pump(h, 200) != 0 ||
	    cmap_set(h, PROBE_KEY, "cd", 2, CMAP_VALUETYPE_BINARY) != CS_OK || pump(h, 200) != 0 ||
	    cmap_delete(h, PROBE_KEY) != CS_OK || pump(h, 200) != 0)
		goto out;
	rc = 0;
out:
	cmap_finalize(h);
	return rc;
}

static int probe_stats(void)
{
	struct stats_seen seen = {0};
	cmap_handle_t h, other;
	cmap_track_handle_t th;
	const char *names[2] = {"ADD", "DELETE"};
	int rc = 1;

	snprintf(seen.conn_tag, sizeof(seen.conn_tag), ".%ld.", (long)getpid());
	if (cmap_initialize_map(&h, CMAP_MAP_STATS) != CS_OK)
		return 1;
	if (cmap_track_add(h, "stats.ipcs.", CMAP_TRACK_ADD | CMAP_TRACK_DELETE | CMAP_TRACK_PREFIX,
			   on_stats, &seen, &th) != CS_OK)
		goto out;
	if (cmap_initialize(&other) != CS_OK || pump(h, 500) != 0)
		goto out;
	cmap_finalize(other);
	if (pump(h, 500) != 0)
		goto out;
	for (int i = 0; i < 2; i++)
		printf("stats %s seen=%s values=%s\n", names[i], seen.n[i] ? "yes" : "no",
		       seen.bad[i] ? "differ-or-empty" : "same-non-empty");
	rc = 0;
out:
	cmap_finalize(h);
	return rc;
}

int main(void)
{
	int rc = probe_icmap();

	if (rc == 0)
		rc = probe_stats();
	fflush(stdout);
	return rc;
}
