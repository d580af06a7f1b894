/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ipc_fuzz.c - a raw-IPC fuzzer against a real daemon: mutated requests
 * on every service through plain libqb clients, while a well-behaved
 * libcmap client checks every answer and round trip.
 *
 * usage: ipc-fuzz [REQUESTS_PER_SERVICE [SEED]]   (default 20000, seed
 * from SYN_FUZZ_SEED or the clock; the seed is printed to replay a run;
 * SYN_FUZZ_VERBOSE=1 prints every request before it is sent)
 *
 * Requests are built from a seeded generator: ids around each service's
 * range and outside it, lengths from a bare header to 64 KiB, zero or
 * random bodies with a key name or random handles at the usual offsets,
 * and header sizes that are right or lie (too big, too small, negative,
 * past the buffer).  Two cfg requests that shut the daemon down when
 * valid (KILLNODE of this node, TRYSHUTDOWN) are turned into unknown ids,
 * and libqb's own negative ids are left out (libqb answers those itself).
 *
 * Checked for every request: exactly one response (none missing within
 * 5 s, none extra), framed as libqb promises (size >= 24, header size ==
 * bytes read), with an error code corosync defines.  The exception is a
 * request id a service never answers (cpg MCAST, valid or not: a bad one
 * is dropped and logged): after it the fuzzer sends the service's probe,
 * a harmless answered request (cpg LOCAL_GET), and the first response
 * must be the probe's, matched by id and size.  A send refused by the
 * service's flow control (-EAGAIN, cpg while its queue drains) is
 * retried for up to 5 s.  A connection the
 * daemon closes (an overloaded tracker) is reopened and counted.
 * Throughout, the checker sets and reads back its own key: every answer
 * must be right and no round trip may take over 2 s.  The daemon must be
 * alive at the end (netns-run.sh checks that and its clean exit).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <corosync/cmap.h>
#include <qb/qbipcc.h>

#define BUFFER_SIZE (8192 * 128)
#define WAIT_MS 5000
#define MAX_BODY (64 * 1024)
#define RTT_LIMIT_NS 2000000000LL

struct target {
	const char *name;
	int32_t n_ids;		  /* request ids the service defines */
	int32_t err_min, err_max; /* error codes its responses carry */
	uint32_t unanswered;	  /* bit i: request id i never gets a response */
	int32_t probe_id;	  /* an answered request without effects (16 bytes) */
	int32_t probe_res_id, probe_res_size;
};

/* cs_error_t CS_OK .. CS_ERR_SECURITY; cmm_error_t CMM_EOTHER .. CMM_OK. */
static const struct target targets[] = {
	{"cmap", 10, 1, 34, 0, 0, 0, 0},
	{"cfg", 12, 1, 34, 0, 0, 0, 0},
	{"quorum", 5, 1, 34, 0, 0, 0, 0},
	{"votequorum", 10, 1, 34, 0, 0, 0, 0},
	{"cmm", 4, -100, 0, 0, 0, 0, 0},
	/* MCAST (2) is never answered; LOCAL_GET (4) answers id 7, 32 bytes. */
	{"cpg", 13, 1, 34, 1u << 2, 4, 7, 32},
};

struct checker {
	pthread_t thread;
	atomic_bool stop;
	bool failed;
	uint64_t rounds;
	int64_t max_ns;
	int64_t *samples;
	size_t n_samples;
};

struct fuzz_stats {
	uint64_t sent;
	uint64_t rejected;
	uint64_t unanswered; /* never-answered ids sent (checked by a probe) */
	uint64_t reconnects;
};

static uint64_t rng_next(uint64_t *s)
{
	/* xorshift64* */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

static uint32_t rng_below(uint64_t *s, uint32_t n)
{
	return (uint32_t)(rng_next(s) % n);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void put32(unsigned char *m, size_t off, uint32_t v)
{
	memcpy(m + off, &v, 4);
}

static int32_t get32(const unsigned char *m, size_t off)
{
	int32_t v;

	memcpy(&v, m + off, 4);
	return v;
}

/* ---- the well-behaved client -------------------------------------------- */

static void *checker_run(void *arg)
{
	struct checker *ck = arg;
	cmap_handle_t h;
	size_t cap = 1 << 20;

	ck->samples = malloc(cap * sizeof(*ck->samples));
	if (!ck->samples || cmap_initialize(&h) != CS_OK) {
		ck->failed = true;
		return NULL;
	}
	while (!atomic_load(&ck->stop)) {
		uint64_t got = 0, want = ck->rounds + 1;
		int64_t t0 = now_ns(), dt;

		if (cmap_set_uint64(h, "fuzz.checker", want) != CS_OK ||
		    cmap_get_uint64(h, "fuzz.checker", &got) != CS_OK || got != want) {
			fprintf(stderr, "checker: round %" PRIu64 " answered wrong (%" PRIu64 ")\n",
				want, got);
			ck->failed = true;
			break;
		}
		dt = now_ns() - t0;
		if (dt > ck->max_ns)
			ck->max_ns = dt;
		if (ck->n_samples < cap)
			ck->samples[ck->n_samples++] = dt;
		ck->rounds = want;
	}
	cmap_finalize(h);
	return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* ---- requests -------------------------------------------------------------- */

/*
 * Ids -1 .. -3 are libqb's own (authenticate, disconnect, new event
 * socket), handled inside libqb before the daemon sees a request.
 */
static bool libqb_id(int32_t id)
{
	return id >= -3 && id <= -1;
}

static int32_t pick_id(uint64_t *rng, int32_t n_ids)
{
	int32_t id;

	switch (rng_below(rng, 16)) {
	case 0:
		id = -(int32_t)rng_below(rng, 8) - 4;
		break;
	case 1:
		id = n_ids + (int32_t)rng_below(rng, 4);
		break;
	case 2:
		id = (int32_t)rng_next(rng);
		break;
	default:
		id = (int32_t)rng_below(rng, (uint32_t)n_ids);
		break;
	}
	return libqb_id(id) ? -4 : id;
}

static size_t pick_len(uint64_t *rng)
{
	switch (rng_below(rng, 16)) {
	case 0:
		return 4 + rng_below(rng, 12); /* an id, but shorter than a header */
	case 1:
		return 16 + rng_below(rng, MAX_BODY - 16);
	default:
		return 16 + 8 * rng_below(rng, 80); /* around the fixed parts */
	}
}

static int32_t pick_claim(uint64_t *rng, size_t len)
{
	switch (rng_below(rng, 12)) {
	case 0:
		return (int32_t)(len + 1 + rng_below(rng, 4096));
	case 1:
		return (int32_t)rng_below(rng, (uint32_t)len + 1);
	case 2:
		return -(int32_t)rng_below(rng, 1 << 30) - 1;
	case 3:
		return BUFFER_SIZE + (int32_t)rng_below(rng, 1 << 28);
	case 4:
		return (int32_t)rng_next(rng);
	default:
		return (int32_t)len;
	}
}

/* A name {u16 length, value} at off, as mar_name_t. */
static void put_name(unsigned char *m, size_t len, size_t off, uint64_t *rng)
{
	char name[64];
	int n = snprintf(name, sizeof(name), "fuzz.k%u", rng_below(rng, 32));

	if (off + 8 + (size_t)n + 1 > len)
		return;
	m[off] = (unsigned char)n;
	m[off + 1] = 0;
	memcpy(m + off + 8, name, (size_t)n + 1);
}

static void fill_body(unsigned char *m, size_t len, uint64_t *rng)
{
	memset(m, 0, len);
	if (rng_below(rng, 4) == 0)
		for (size_t i = 0; i < len; i++)
			m[i] = (unsigned char)rng_next(rng);
	if (rng_below(rng, 3) == 0)
		put_name(m, len, 16, rng);
	for (unsigned int k = rng_below(rng, 4); k > 0; k--) {
		size_t off = 16 + 8 * rng_below(rng, 40);
		if (off + 8 <= len) {
			uint64_t v = rng_below(rng, 2) ? rng_next(rng) : rng_below(rng, 8);
			memcpy(m + off, &v, 8);
		}
	}
}

/* The two cfg requests that end the daemon when valid become unknown ids. */
static void defuse(const struct target *t, unsigned char *m, size_t len)
{
	int32_t id;

	if (len < 4 || strcmp(t->name, "cfg") != 0)
		return;
	id = get32(m, 0);
	if (id == 2 || id == 3)
		put32(m, 0, 1000 + (uint32_t)id);
}

static size_t build(const struct target *t, uint64_t *rng, unsigned char *m)
{
	size_t len = pick_len(rng);

	fill_body(m, len, rng);
	put32(m, 0, (uint32_t)pick_id(rng, t->n_ids));
	if (len >= 12)
		put32(m, 8, (uint32_t)pick_claim(rng, len));
	defuse(t, m, len);
	return len;
}

/* ---- one service ------------------------------------------------------------- */

static bool connection_lost(ssize_t rc)
{
	return rc == -ENOTCONN || rc == -ESHUTDOWN || rc == -EPIPE || rc == -ECONNRESET;
}

static bool generic_rejection(const unsigned char *res, ssize_t n)
{
	return n == 24 && get32(res, 0) == 0 && get32(res, 16) == 7 /* CS_ERR_INVALID_PARAM */;
}

static bool check_response(const struct target *t, const unsigned char *res, ssize_t n)
{
	int32_t err;

	if (n < 24 || get32(res, 8) != (int32_t)n)
		return false;
	err = get32(res, 16);
	return generic_rejection(res, n) || (err >= t->err_min && err <= t->err_max);
}

static bool unanswered(const struct target *t, const unsigned char *req)
{
	int32_t id = get32(req, 0);

	return id >= 0 && id < 32 && (t->unanswered & (1u << id));
}

/* Send, retrying while the service's flow control refuses (-EAGAIN). */
static ssize_t send_retry(qb_ipcc_connection_t *qb, const void *m, size_t len)
{
	int64_t until = now_ns() + WAIT_MS * 1000000LL;
	ssize_t rc;

	while ((rc = qb_ipcc_send(qb, m, len)) == -EAGAIN && now_ns() < until)
		nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
	return rc;
}

/*
 * After a request that must not be answered: send the probe; the first
 * response must be the probe's.  Returns the recv result; *ok says
 * whether what came is the probe's answer.
 */
static ssize_t probe(const struct target *t, qb_ipcc_connection_t *qb, unsigned char *res,
		     size_t res_len, bool *ok)
{
	unsigned char m[16] = {0};
	ssize_t rc;

	put32(m, 0, (uint32_t)t->probe_id);
	put32(m, 8, sizeof(m));
	rc = send_retry(qb, m, sizeof(m));
	if (rc >= 0)
		rc = qb_ipcc_recv(qb, res, res_len, WAIT_MS);
	*ok = rc == t->probe_res_size && get32(res, 0) == t->probe_res_id &&
	      get32(res, 8) == t->probe_res_size && get32(res, 16) == 1 /* CS_OK */;
	return rc;
}

static int fuzz_service(const struct target *t, uint64_t *rng, unsigned int n,
			struct fuzz_stats *st)
{
	static unsigned char req[MAX_BODY], res[BUFFER_SIZE];
	qb_ipcc_connection_t *qb = qb_ipcc_connect(t->name, BUFFER_SIZE);

	for (unsigned int i = 0; i < n; i++) {
		bool silent, ok = true;
		size_t len;
		ssize_t rc;

		if (!qb) {
			fprintf(stderr, "%s: cannot connect\n", t->name);
			return -1;
		}
		len = build(t, rng, req);
		silent = unanswered(t, req);
		if (getenv("SYN_FUZZ_VERBOSE"))
			fprintf(stderr, "%s %u: id %d len %zu claim %d\n", t->name, i,
				get32(req, 0), len, len >= 12 ? get32(req, 8) : -1);
		rc = send_retry(qb, req, len);
		if (rc >= 0 && silent)
			rc = probe(t, qb, res, sizeof(res), &ok);
		else if (rc >= 0)
			rc = qb_ipcc_recv(qb, res, sizeof(res), WAIT_MS);
		st->sent++;
		if (connection_lost(rc)) {
			st->reconnects++;
			qb_ipcc_disconnect(qb);
			qb = qb_ipcc_connect(t->name, BUFFER_SIZE);
			continue;
		}
		if (silent) {
			st->unanswered++;
			if (!ok) {
				fprintf(stderr,
					"%s: request %u (id %d, %zu bytes) was answered (%zd "
					"bytes, "
					"id %d) before the probe\n",
					t->name, i, get32(req, 0), len, rc,
					rc >= 4 ? get32(res, 0) : -1);
				qb_ipcc_disconnect(qb);
				return -1;
			}
		} else if (!check_response(t, res, rc)) {
			fprintf(stderr, "%s: request %u (id %d, %zu bytes): answer %zd\n", t->name,
				i, get32(req, 0), len, rc);
			qb_ipcc_disconnect(qb);
			return -1;
		}
		if (!silent && generic_rejection(res, rc))
			st->rejected++;
		rc = qb_ipcc_recv(qb, res, sizeof(res), 0);
		if (rc >= 0) {
			fprintf(stderr, "%s: request %u got a second response\n", t->name, i);
			qb_ipcc_disconnect(qb);
			return -1;
		}
	}
	qb_ipcc_disconnect(qb);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int n = argc > 1 ? (unsigned int)strtoul(argv[1], NULL, 10) : 20000;
	const char *env_seed = getenv("SYN_FUZZ_SEED");
	uint64_t seed = argc > 2   ? strtoull(argv[2], NULL, 0)
			: env_seed ? strtoull(env_seed, NULL, 0)
				   : (uint64_t)now_ns();
	uint64_t rng = seed | 1;
	struct checker ck = {0};
	int rc = 0;

	printf("ipc-fuzz: %u requests per service, seed %#" PRIx64 "\n", n, seed);
	fflush(stdout);
	if (pthread_create(&ck.thread, NULL, checker_run, &ck) != 0)
		return 1;
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]) && rc == 0; i++) {
		struct fuzz_stats st = {0};
		int64_t t0 = now_ns();

		rc = fuzz_service(&targets[i], &rng, n, &st);
		printf("%-10s %" PRIu64 " requests, %" PRIu64 " rejected, %" PRIu64
		       " unanswered, %" PRIu64 " reconnects, %.1f s\n",
		       targets[i].name, st.sent, st.rejected, st.unanswered, st.reconnects,
		       (double)(now_ns() - t0) / 1e9);
	}
	atomic_store(&ck.stop, true);
	pthread_join(ck.thread, NULL);
	if (ck.n_samples > 0) {
		qsort(ck.samples, ck.n_samples, sizeof(*ck.samples), cmp_i64);
		printf("checker: %" PRIu64 " round trips, p50 %.3f ms, max %.3f ms\n", ck.rounds,
		       (double)ck.samples[ck.n_samples / 2] / 1e6, (double)ck.max_ns / 1e6);
	}
	if (ck.failed || ck.rounds == 0 || ck.max_ns > RTT_LIMIT_NS) {
		fprintf(stderr, "checker failed (rounds %" PRIu64 ", max %.3f ms)\n", ck.rounds,
			(double)ck.max_ns / 1e6);
		rc = -1;
	}
	free(ck.samples);
	if (rc != 0)
		fprintf(stderr, "FAILED; replay with seed %#" PRIx64 "\n", seed);
	return rc == 0 ? 0 : 1;
}
