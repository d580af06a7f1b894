/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmap_bench.c - throughput and cost benchmark for a cmap service.
 *
 * Written only against the public <corosync/cmap.h> API, so the same binary
 * runs against synod's libcmap or the distribution's corosync libcmap, and
 * against either daemon (whichever serves "cmap" in the current network
 * namespace).  It measures, in this order:
 *
 *   set_ops, get_ops, inc_ops   one client, synchronous round trips
 *   notify_rate                 one setter, 8 tracker connections on a prefix,
 *                               each dispatching in its own thread; counts
 *                               notifications delivered across all trackers
 *   iter_rate                   keys/s walking 10k keys under a prefix
 *   mt4_ops                     4 client connections in 4 threads, each
 *                               alternating set and get; aggregate ops/s
 *   cpu_us_per_req              daemon utime+stime (/proc/PID/stat) spent
 *                               on a fixed number of set+get requests
 *   rss_kb                      daemon VmRSS (/proc/PID/status) at the end,
 *                               and its RssAnon/RssFile/RssShmem split
 *
 * Output is one line per metric, "name value unit", on stdout; diagnostics
 * go to stderr.  The two daemon metrics need -p PID.  Every wait is bounded:
 * a tracker that misses notifications gives up after the deadline and the
 * shortfall is reported as notify_lost.
 *
 * Threads open their connections one at a time: concurrent cmap_initialize
 * and cmap_track_add calls race in the handle database of some libcmap
 * builds (seen as CS_ERR_BAD_HANDLE), and set-up is not what is measured.
 *
 * usage: cmap_bench [-p DAEMON_PID] [-n OPS] [-k ITER_KEYS]
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <corosync/cmap.h>

#define BENCH_TRACKERS 8
#define BENCH_CLIENTS 4
#define BENCH_TRACK_KEYS 64
#define BENCH_WAIT_S 30.0
#define BENCH_KEY_MAX 64

struct bench_opts {
	int daemon_pid; /* 0: skip the daemon metrics */
	long n_ops;	/* round trips per single-client metric */
	long n_iter_keys;
};

struct tracker {
	pthread_t thread;
	pthread_mutex_t *setup_lock;
	pthread_barrier_t *ready;
	const atomic_bool *stop;
	long expected;
	long received;
	double last_s; /* monotonic time of the last notification */
	int err;
};

struct worker {
	pthread_t thread;
	pthread_mutex_t *setup_lock;
	pthread_barrier_t *start;
	int index;
	long n_pairs;
	long done;
	int err;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void emit(const char *name, double value, const char *unit)
{
	printf("%s %.6g %s\n", name, value, unit);
	fflush(stdout);
}

static int connect_or_die(cmap_handle_t *h)
{
	cs_error_t err = cmap_initialize(h);

	if (err != CS_OK) {
		fprintf(stderr, "cmap_initialize: error %d\n", (int)err);
		return -1;
	}
	return 0;
}

/* Single-client round trips.  Each kind gets a short warm-up first. */
static int bench_single(cmap_handle_t h, long n_ops)
{
	const char *key = "bench.single.u32";
	uint32_t v = 0;
	long warm = n_ops / 20 + 1;
	double t0;
	long i;

	for (i = 0; i < warm; i++)
		if (cmap_set_uint32(h, key, (uint32_t)i) != CS_OK)
			goto err_op;
	t0 = now_s();
	for (i = 0; i < n_ops; i++)
		if (cmap_set_uint32(h, key, (uint32_t)i) != CS_OK)
			goto err_op;
	emit("set_ops", (double)n_ops / (now_s() - t0), "ops/s");

	for (i = 0; i < warm; i++)
		if (cmap_get_uint32(h, key, &v) != CS_OK)
			goto err_op;
	t0 = now_s();
	for (i = 0; i < n_ops; i++)
		if (cmap_get_uint32(h, key, &v) != CS_OK)
			goto err_op;
	emit("get_ops", (double)n_ops / (now_s() - t0), "ops/s");

	for (i = 0; i < warm; i++)
		if (cmap_inc(h, key) != CS_OK)
			goto err_op;
	t0 = now_s();
	for (i = 0; i < n_ops; i++)
		if (cmap_inc(h, key) != CS_OK)
			goto err_op;
	emit("inc_ops", (double)n_ops / (now_s() - t0), "ops/s");
	return 0;

err_op:
	fprintf(stderr, "single-client round trip %ld failed\n", i);
	return -1;
}

static void on_notify(cmap_handle_t h, cmap_track_handle_t th, int32_t event, const char *key,
		      struct cmap_notify_value new_val, struct cmap_notify_value old_val,
		      void *user_data)
{
	struct tracker *t = user_data;

	(void)h;
	(void)th;
	(void)event;
	(void)key;
	(void)new_val;
	(void)old_val;
	t->received++;
	t->last_s = now_s();
}

/*
 * A tracker owns one connection.  It registers its track, meets the others
 * at the barrier, then dispatches until it has everything it expects or the
 * main thread gives up.
 */
static void *tracker_main(void *arg)
{
	struct tracker *t = arg;
	cmap_track_handle_t th;
	cmap_handle_t h;
	struct pollfd pfd = {.events = POLLIN};
	int connected, registered = 0;

	t->err = -1;
	pthread_mutex_lock(t->setup_lock);
	connected = connect_or_die(&h) == 0;
	if (connected) {
		cs_error_t err = cmap_track_add(
			h, "bench.track.", CMAP_TRACK_ADD | CMAP_TRACK_MODIFY | CMAP_TRACK_PREFIX,
			on_notify, t, &th);

		if (err == CS_OK)
			err = cmap_fd_get(h, &pfd.fd);
		if (err == CS_OK)
			registered = 1;
		else
			fprintf(stderr, "tracker: cmap_track_add/cmap_fd_get: error %d\n",
				(int)err);
	}
	pthread_mutex_unlock(t->setup_lock);
	pthread_barrier_wait(t->ready);
	if (!registered)
		goto out;
	while (t->received < t->expected && !atomic_load(t->stop)) {
		int rc = poll(&pfd, 1, 100);

		if (rc < 0 && errno != EINTR)
			goto out_finalize;
		if (rc > 0 && cmap_dispatch(h, CS_DISPATCH_ALL) != CS_OK) {
			fprintf(stderr, "tracker: cmap_dispatch failed\n");
			goto out_finalize;
		}
	}
	t->err = 0;
out_finalize:
	cmap_track_delete(h, th);
out:
	if (connected)
		cmap_finalize(h);
	return NULL;
}

/*
 * Fan-out: one setter, BENCH_TRACKERS trackers.  The rate is notifications
 * delivered (summed over trackers) per second, from the first set to the
 * last notification received.
 */
static int bench_notify(cmap_handle_t h, long n_sets)
{
	struct tracker tr[BENCH_TRACKERS];
	pthread_mutex_t setup_lock = PTHREAD_MUTEX_INITIALIZER;
	pthread_barrier_t ready;
	atomic_bool stop = false;
	char key[BENCH_KEY_MAX];
	long total = 0, i;
	double t0, t_end = 0.0, deadline;
	int rc = 0, n_started = 0;

	pthread_barrier_init(&ready, NULL, BENCH_TRACKERS + 1);
	for (i = 0; i < BENCH_TRACKERS; i++) {
		tr[i] = (struct tracker){.setup_lock = &setup_lock,
					 .ready = &ready,
					 .stop = &stop,
					 .expected = n_sets};
		if (pthread_create(&tr[i].thread, NULL, tracker_main, &tr[i]) != 0) {
			fprintf(stderr, "pthread_create failed\n");
			abort(); /* the barrier would never open */
		}
		n_started++;
	}
	pthread_barrier_wait(&ready);

	t0 = now_s();
	for (i = 0; i < n_sets; i++) {
		snprintf(key, sizeof(key), "bench.track.k%02ld", i % BENCH_TRACK_KEYS);
		if (cmap_set_uint64(h, key, (uint64_t)i) != CS_OK) {
			fprintf(stderr, "notify: set %ld failed\n", i);
			rc = -1;
			break;
		}
	}
	deadline = now_s() + BENCH_WAIT_S;
	for (;;) {
		long got = 0;

		for (i = 0; i < BENCH_TRACKERS; i++)
			got += __atomic_load_n(&tr[i].received, __ATOMIC_RELAXED);
		if (got >= n_sets * BENCH_TRACKERS || now_s() > deadline)
			break;
		usleep(1000);
	}
	atomic_store(&stop, true);
	for (i = 0; i < n_started; i++) {
		pthread_join(tr[i].thread, NULL);
		total += tr[i].received;
		if (tr[i].last_s > t_end)
			t_end = tr[i].last_s;
		if (tr[i].err != 0)
			rc = -1;
	}
	pthread_barrier_destroy(&ready);
	if (t_end > t0)
		emit("notify_rate", (double)total / (t_end - t0), "notif/s");
	emit("notify_lost", (double)(n_sets * BENCH_TRACKERS - total), "notif");
	return rc;
}

static int bench_iter(cmap_handle_t h, long n_keys)
{
	char key[CMAP_KEYNAME_MAXLEN + 1];
	cmap_iter_handle_t it;
	size_t len;
	cmap_value_types_t type;
	long seen = 0, i, pass;
	const long n_passes = 5;
	double t0;
	cs_error_t err;

	for (i = 0; i < n_keys; i++) {
		snprintf(key, sizeof(key), "bench.iter.k%06ld", i);
		if (cmap_set_uint32(h, key, (uint32_t)i) != CS_OK) {
			fprintf(stderr, "iter: set %ld failed\n", i);
			return -1;
		}
	}
	t0 = now_s();
	for (pass = 0; pass < n_passes; pass++) {
		if (cmap_iter_init(h, "bench.iter.", &it) != CS_OK) {
			fprintf(stderr, "cmap_iter_init failed\n");
			return -1;
		}
		while ((err = cmap_iter_next(h, it, key, &len, &type)) == CS_OK)
			seen++;
		cmap_iter_finalize(h, it);
		if (err != CS_ERR_NO_SECTIONS) {
			fprintf(stderr, "cmap_iter_next: error %d\n", (int)err);
			return -1;
		}
	}
	if (seen != n_keys * n_passes) {
		fprintf(stderr, "iter: saw %ld keys, expected %ld\n", seen, n_keys * n_passes);
		return -1;
	}
	emit("iter_rate", (double)seen / (now_s() - t0), "keys/s");
	return 0;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	char key[BENCH_KEY_MAX];
	cmap_handle_t h;
	uint32_t v;
	int connected, ok;

	w->err = -1;
	snprintf(key, sizeof(key), "bench.mt.c%d", w->index);
	pthread_mutex_lock(w->setup_lock);
	connected = connect_or_die(&h) == 0;
	ok = connected && cmap_set_uint32(h, key, 0) == CS_OK;
	pthread_mutex_unlock(w->setup_lock);
	pthread_barrier_wait(w->start);
	if (!ok)
		goto out_finalize;
	for (w->done = 0; w->done < w->n_pairs; w->done++) {
		if (cmap_set_uint32(h, key, (uint32_t)w->done) != CS_OK ||
		    cmap_get_uint32(h, key, &v) != CS_OK)
			goto out_finalize;
	}
	w->err = 0;
out_finalize:
	if (connected)
		cmap_finalize(h);
	return NULL;
}

/* BENCH_CLIENTS connections in parallel, each alternating set and get. */
static int bench_concurrent(long n_ops)
{
	struct worker w[BENCH_CLIENTS];
	pthread_mutex_t setup_lock = PTHREAD_MUTEX_INITIALIZER;
	pthread_barrier_t start;
	long total = 0;
	double t0;
	int i, rc = 0;

	pthread_barrier_init(&start, NULL, BENCH_CLIENTS + 1);
	for (i = 0; i < BENCH_CLIENTS; i++) {
		w[i] = (struct worker){.setup_lock = &setup_lock,
				       .start = &start,
				       .index = i,
				       .n_pairs = n_ops / 2};
		if (pthread_create(&w[i].thread, NULL, worker_main, &w[i]) != 0) {
			fprintf(stderr, "pthread_create failed\n");
			abort();
		}
	}
	pthread_barrier_wait(&start);
	t0 = now_s();
	for (i = 0; i < BENCH_CLIENTS; i++) {
		pthread_join(w[i].thread, NULL);
		total += 2 * w[i].done;
		if (w[i].err != 0)
			rc = -1;
	}
	emit("mt4_ops", (double)total / (now_s() - t0), "ops/s");
	pthread_barrier_destroy(&start);
	return rc;
}

/* utime + stime of a process, in clock ticks, or -1. */
static long long proc_cpu_ticks(int pid)
{
	char path[64], buf[1024];
	unsigned long long utime, stime;
	const char *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The command name may hold spaces; fields resume after its ')'. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime,
			 &stime) != 2)
		return -1;
	return (long long)(utime + stime);
}

/* One "Name:  N kB" field of /proc/PID/status, or -1. */
static long proc_status_kb(int pid, const char *field)
{
	char path[64], line[256];
	size_t field_len = strlen(field);
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, field, field_len) == 0 && line[field_len] == ':' &&
		    sscanf(line + field_len + 1, "%ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* Daemon CPU spent on n_ops requests (half set, half get), per request. */
static int bench_cpu(cmap_handle_t h, int pid, long n_ops)
{
	const char *key = "bench.cpu.u32";
	long long before, after;
	uint32_t v;
	long i;

	if (cmap_set_uint32(h, key, 0) != CS_OK)
		return -1;
	before = proc_cpu_ticks(pid);
	for (i = 0; i < n_ops / 2; i++)
		if (cmap_set_uint32(h, key, (uint32_t)i) != CS_OK ||
		    cmap_get_uint32(h, key, &v) != CS_OK)
			return -1;
	after = proc_cpu_ticks(pid);
	if (before < 0 || after < 0) {
		fprintf(stderr, "cannot read /proc/%d/stat\n", pid);
		return -1;
	}
	emit("cpu_us_per_req",
	     (double)(after - before) * 1e6 / (double)sysconf(_SC_CLK_TCK) /
		     (double)(2 * (n_ops / 2)),
	     "us/req");
	return 0;
}

static int parse_opts(int argc, char **argv, struct bench_opts *o)
{
	int c;

	*o = (struct bench_opts){.daemon_pid = 0, .n_ops = 20000, .n_iter_keys = 10000};
	while ((c = getopt(argc, argv, "p:n:k:h")) != -1) {
		switch (c) {
		case 'p':
			o->daemon_pid = atoi(optarg);
			break;
		case 'n':
			o->n_ops = atol(optarg);
			break;
		case 'k':
			o->n_iter_keys = atol(optarg);
			break;
		default:
			return -1;
		}
	}
	if (o->n_ops < 2 || o->n_iter_keys < 1 || optind != argc)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct bench_opts o;
	cmap_handle_t h;
	long rss_kb;
	int rc = 0;

	if (parse_opts(argc, argv, &o) != 0) {
		fprintf(stderr, "usage: %s [-p DAEMON_PID] [-n OPS] [-k ITER_KEYS]\n", argv[0]);
		return 2;
	}
	if (connect_or_die(&h) != 0)
		return 1;
	if (bench_single(h, o.n_ops) != 0)
		rc = 1;
	if (bench_notify(h, o.n_ops / 4) != 0)
		rc = 1;
	if (bench_iter(h, o.n_iter_keys) != 0)
		rc = 1;
	if (bench_concurrent(o.n_ops) != 0)
		rc = 1;
	if (o.daemon_pid > 0) {
		if (bench_cpu(h, o.daemon_pid, o.n_ops * 2) != 0)
			rc = 1;
		rss_kb = proc_status_kb(o.daemon_pid, "VmRSS");
		if (rss_kb < 0)
			rc = 1;
		else
			emit("rss_kb", (double)rss_kb, "kB");
		/* The split: heap vs mapped files and shared memory (IPC rings). */
		emit("rss_anon_kb", (double)proc_status_kb(o.daemon_pid, "RssAnon"), "kB");
		emit("rss_file_kb", (double)proc_status_kb(o.daemon_pid, "RssFile"), "kB");
		emit("rss_shmem_kb", (double)proc_status_kb(o.daemon_pid, "RssShmem"), "kB");
	}
	cmap_finalize(h);
	return rc;
}
