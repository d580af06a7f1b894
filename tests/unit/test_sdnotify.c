/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_sdnotify.c - the readiness messages of sdnotify.c, read from a
 * datagram socket named by NOTIFY_SOCKET, and the journal detection and
 * target of logjournal.c.
 *
 * Readiness: READY=1 exactly once, only when both the first view and the
 * serving of clients were reported, in either order; STATUS= only when
 * its text changes; nothing after STOPPING=1, which is sent once; no
 * message at all without NOTIFY_SOCKET; the service form passes quorum
 * verdicts on.  Journal: JOURNAL_STREAM matches
 * only stderr's own device and inode, and the journal target is one and
 * the same libqb target on every call.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <qb/qblog.h>

#include "cluster.h"
#include "logjournal.h"
#include "sdnotify.h"

struct fixture {
	char dir[64];
	char path[96];
	int fd;
	char msg[512]; /* the last message read */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct sockaddr_un addr = {.sun_family = AF_UNIX};

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test-sdnotify-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/notify", f->dir);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", f->path);
	f->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (f->fd < 0 || bind(f->fd, (struct sockaddr *)&addr, sizeof(addr)) != 0)
		return -1;
	setenv("NOTIFY_SOCKET", f->path, 1);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	unsetenv("NOTIFY_SOCKET");
	close(f->fd);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* The next queued message, or "" when none is. */
static const char *next(struct fixture *f)
{
	ssize_t n = recv(f->fd, f->msg, sizeof(f->msg) - 1, 0);

	f->msg[n > 0 ? n : 0] = '\0';
	return f->msg;
}

static void test_ready_after_view_then_serving(void **state)
{
	struct fixture *f = *state;
	struct syn_sdnotify n;

	syn_sdnotify_init(&n);
	assert_string_equal(next(f), "STATUS=Starting: waiting for the first view");
	syn_sdnotify_view(&n, 0, false); /* no members: not a view */
	assert_string_equal(next(f), "");
	syn_sdnotify_view(&n, 3, true);
	assert_string_equal(next(f), "STATUS=Members: 3, quorate, starting services");
	syn_sdnotify_serving(&n);
	assert_string_equal(next(f), "READY=1\nSTATUS=Members: 3, quorate");
	assert_string_equal(next(f), "");
}

static void test_ready_after_serving_then_view(void **state)
{
	struct fixture *f = *state;
	struct syn_sdnotify n;

	syn_sdnotify_init(&n);
	next(f);
	syn_sdnotify_serving(&n);
	/* serving alone changes nothing a manager should see */
	assert_string_equal(next(f), "");
	syn_sdnotify_view(&n, 1, true);
	assert_string_equal(next(f), "READY=1\nSTATUS=Members: 1, quorate");
}

static void test_status_only_on_change_ready_once(void **state)
{
	struct fixture *f = *state;
	struct syn_sdnotify n;

	syn_sdnotify_init(&n);
	next(f);
	syn_sdnotify_view(&n, 2, false);
	syn_sdnotify_serving(&n);
	next(f);
	assert_string_equal(next(f), "READY=1\nSTATUS=Members: 2, not quorate");
	syn_sdnotify_serving(&n);
	syn_sdnotify_view(&n, 2, false);
	assert_string_equal(next(f), "");
	syn_sdnotify_view(&n, 3, true);
	assert_string_equal(next(f), "STATUS=Members: 3, quorate");
	syn_sdnotify_view(&n, 1, false);
	assert_string_equal(next(f), "STATUS=Members: 1, not quorate");
}

static void test_stopping_once_and_last(void **state)
{
	struct fixture *f = *state;
	struct syn_sdnotify n;

	syn_sdnotify_init(&n);
	next(f);
	syn_sdnotify_stopping(&n, "SIGTERM");
	assert_string_equal(next(f), "STOPPING=1\nSTATUS=Shutting down: SIGTERM");
	syn_sdnotify_stopping(&n, "event loop stopped");
	/* no readiness once shutdown started */
	syn_sdnotify_view(&n, 1, true);
	syn_sdnotify_serving(&n);
	assert_string_equal(next(f), "");
}

static void test_silent_without_socket(void **state)
{
	struct fixture *f = *state;
	struct syn_sdnotify n;

	unsetenv("NOTIFY_SOCKET");
	syn_sdnotify_init(&n);
	assert_false(n.enabled);
	syn_sdnotify_view(&n, 1, true);
	syn_sdnotify_serving(&n);
	syn_sdnotify_stopping(&n, "SIGTERM");
	assert_string_equal(next(f), "");
}

static void test_service_reports_verdicts(void **state)
{
	struct fixture *f = *state;
	const uint32_t members[] = {1, 2};
	struct syn_node_view view = {
		.ring_seq = 1, .ring_rep = 1, .members = members, .n_members = 2};
	struct syn_service svc;
	struct syn_sdnotify n;

	syn_sdnotify_init(&n);
	next(f);
	/* no IPC server to ask: verdicts show, readiness never comes */
	syn_sdnotify_service(&n, NULL, &svc);
	assert_null(svc.ipc);
	assert_null(svc.view_changed);
	assert_non_null(svc.quorum_changed);
	svc.quorum_changed(svc.ctx, false, &view);
	assert_string_equal(next(f), "STATUS=Members: 2, not quorate, starting services");
	svc.quorum_changed(svc.ctx, true, &view);
	assert_string_equal(next(f), "STATUS=Members: 2, quorate, starting services");
	assert_false(n.ready_sent);
}

static void test_journal_stream_detection(void **state)
{
	struct stat st;
	char stream[64];
	int saved = dup(STDERR_FILENO), fd = open("/dev/null", O_WRONLY);

	(void)state;
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, STDERR_FILENO);
	assert_int_equal(fstat(STDERR_FILENO, &st), 0);
	unsetenv("JOURNAL_STREAM");
	assert_false(syn_logjournal_stderr_is_journal());
	snprintf(stream, sizeof(stream), "%ju:%ju", (uintmax_t)st.st_dev, (uintmax_t)st.st_ino);
	setenv("JOURNAL_STREAM", stream, 1);
	assert_true(syn_logjournal_stderr_is_journal());
	snprintf(stream, sizeof(stream), "%ju:%ju", (uintmax_t)st.st_dev, (uintmax_t)st.st_ino + 1);
	setenv("JOURNAL_STREAM", stream, 1);
	assert_false(syn_logjournal_stderr_is_journal());
	snprintf(stream, sizeof(stream), "%ju:%jux", (uintmax_t)st.st_dev, (uintmax_t)st.st_ino);
	setenv("JOURNAL_STREAM", stream, 1);
	assert_false(syn_logjournal_stderr_is_journal());
	setenv("JOURNAL_STREAM", "", 1);
	assert_false(syn_logjournal_stderr_is_journal());
	unsetenv("JOURNAL_STREAM");
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
}

static void test_journal_target_is_reused(void **state)
{
	int32_t first, again;

	(void)state;
	qb_log_init("test_sdnotify", LOG_DAEMON, LOG_INFO);
	first = syn_logjournal_target();
	again = syn_logjournal_target();
	assert_true(first >= QB_LOG_TARGET_DYNAMIC_START);
	assert_int_equal(first, again);
	qb_log_fini();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ready_after_view_then_serving, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ready_after_serving_then_view, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_status_only_on_change_ready_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stopping_once_and_last, setup, teardown),
		cmocka_unit_test_setup_teardown(test_silent_without_socket, setup, teardown),
		cmocka_unit_test_setup_teardown(test_service_reports_verdicts, setup, teardown),
		cmocka_unit_test(test_journal_stream_detection),
		cmocka_unit_test(test_journal_target_is_reused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
