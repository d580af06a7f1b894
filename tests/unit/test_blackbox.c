/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_blackbox.c - unit tests of the flight recorder's cmap requests:
 * each change, creation or deletion of runtime.blackbox.dump_flight_data
 * writes one dump fdata-<time>-<pid> in the working directory and points
 * the fdata link at it; setting the value the key holds writes nothing;
 * runtime.blackbox.dump_state calls the state hook and writes nothing;
 * after destroy nothing is followed.  The dump holds what was logged.
 * Runs in a private temporary directory.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <cmocka.h>
#include <qb/qblog.h>

#include "blackbox.h"
#include "store.h"

#define FLIGHT_KEY "runtime.blackbox.dump_flight_data"
#define STATE_KEY "runtime.blackbox.dump_state"

struct fixture {
	char dir[64];
	char old_cwd[PATH_MAX];
	struct syn_store *icmap;
	struct syn_blackbox *bb;
	int state_calls;
};

static void count_state(void *ctx)
{
	struct fixture *f = ctx;

	f->state_calls++;
	qb_log(LOG_NOTICE, "state hook %d", f->state_calls);
}

/* Dump files (fdata-*) in the working directory. */
static int count_dumps(void)
{
	DIR *d = opendir(".");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, "fdata-", 6) == 0)
			n++;
	closedir(d);
	return n;
}

/* Whether the file at path holds text (the ring stores format strings verbatim). */
static bool file_contains(const char *path, const char *text)
{
	static char buf[256 * 1024];
	FILE *fp = fopen(path, "rb");
	size_t len;

	assert_non_null(fp);
	len = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	return memmem(buf, len, text, strlen(text)) != NULL;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/synod-bb-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_non_null(getcwd(f->old_cwd, sizeof(f->old_cwd)));
	assert_int_equal(chdir(f->dir), 0);
	qb_log_init("test_blackbox", LOG_DAEMON, LOG_DEBUG);
	qb_log_ctl(QB_LOG_SYSLOG, QB_LOG_CONF_ENABLED, QB_FALSE);
	qb_log_ctl(QB_LOG_BLACKBOX, QB_LOG_CONF_SIZE, 64 * 1024);
	qb_log_filter_ctl(QB_LOG_BLACKBOX, QB_LOG_FILTER_ADD, QB_LOG_FILTER_FILE, "*", LOG_TRACE);
	qb_log_ctl(QB_LOG_BLACKBOX, QB_LOG_CONF_ENABLED, QB_TRUE);
	f->icmap = syn_store_create();
	assert_non_null(f->icmap);
	assert_int_equal(syn_store_set_str(f->icmap, FLIGHT_KEY, "no"), 0);
	assert_int_equal(syn_store_set_str(f->icmap, STATE_KEY, "no"), 0);
	assert_int_equal(syn_blackbox_create(f->icmap, count_state, f, &f->bb), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	DIR *d;
	struct dirent *e;

	syn_blackbox_destroy(f->bb);
	syn_store_destroy(f->icmap);
	qb_log_fini();
	d = opendir(".");
	while (d && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			unlink(e->d_name);
	if (d)
		closedir(d);
	assert_int_equal(chdir(f->old_cwd), 0);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void test_request_writes_one_dump(void **state)
{
	struct fixture *f = *state;
	char target[128], want_suffix[32];
	ssize_t len;

	qb_log(LOG_DEBUG, "a debug line before the request");
	assert_int_equal(count_dumps(), 0);
	assert_int_equal(syn_store_set_str(f->icmap, FLIGHT_KEY, "1"), 0);
	assert_int_equal(count_dumps(), 1);
	len = readlink("fdata", target, sizeof(target) - 1);
	assert_true(len > 0);
	target[len] = '\0';
	snprintf(want_suffix, sizeof(want_suffix), "-%ld", (long)getpid());
	assert_int_equal(strncmp(target, "fdata-", 6), 0);
	assert_string_equal(target + len - strlen(want_suffix), want_suffix);
	/* the dump is the ring, debug lines included */
	assert_true(file_contains("fdata", "a debug line before the request"));
	assert_int_equal(f->state_calls, 0);
}

static void test_same_value_is_no_request(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(syn_store_set_str(f->icmap, FLIGHT_KEY, "no"), 0);
	assert_int_equal(count_dumps(), 0);
}

static void test_delete_and_create_are_requests(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(syn_store_delete(f->icmap, FLIGHT_KEY), 0);
	assert_int_equal(count_dumps(), 1);
	/* a second dump in the same second replaces the first file's link */
	assert_int_equal(syn_store_set_str(f->icmap, FLIGHT_KEY, "again"), 0);
	assert_true(count_dumps() >= 1);
	assert_int_equal(access("fdata", R_OK), 0);
}

static void test_state_request_calls_hook(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(syn_store_set_str(f->icmap, STATE_KEY, "1"), 0);
	assert_int_equal(syn_store_set_str(f->icmap, STATE_KEY, "2"), 0);
	assert_int_equal(f->state_calls, 2);
	assert_int_equal(count_dumps(), 0);
}

static void test_destroy_stops_following(void **state)
{
	struct fixture *f = *state;

	syn_blackbox_destroy(f->bb);
	f->bb = NULL;
	assert_int_equal(syn_store_set_str(f->icmap, FLIGHT_KEY, "1"), 0);
	assert_int_equal(syn_store_set_str(f->icmap, STATE_KEY, "1"), 0);
	assert_int_equal(count_dumps(), 0);
	assert_int_equal(f->state_calls, 0);
	syn_blackbox_destroy(NULL);
}

static void test_write_fails_without_blackbox(void **state)
{
	(void)state;
	qb_log_ctl(QB_LOG_BLACKBOX, QB_LOG_CONF_ENABLED, QB_FALSE);
	assert_true(syn_blackbox_write() < 0);
	assert_int_equal(count_dumps(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_request_writes_one_dump, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_value_is_no_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_and_create_are_requests, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_state_request_calls_hook, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy_stops_following, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_fails_without_blackbox, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
