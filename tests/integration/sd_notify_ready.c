/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sd_notify_ready.c - the daemon's side of systemd's readiness protocol,
 * tested without systemd: this program plays the service manager.
 *
 * usage: sd-notify-ready DAEMON CONFIG STARTS votequorum|inquorate|none
 *   votequorum: CONFIG makes node 1 quorate alone; inquorate: node 1 of a
 *   larger cluster, alone and not quorate; none: no quorum provider.
 *
 * It moves itself into a network namespace of its own (IPC names are per
 * namespace), then STARTS times: binds an AF_UNIX datagram socket with
 * SO_PASSCRED, starts DAEMON -f -c CONFIG with NOTIFY_SOCKET naming it,
 * and reads what arrives.  Each start must show, in this order:
 *   - STATUS= messages only, until READY=1 (sent by the daemon's own
 *     PID, as NotifyAccess=main requires) with a STATUS= naming one
 *     member and the expected verdict (quorate, or not);
 *   - right after READY=1, clients that connect once each, through the
 *     public libraries, and are served a complete state at once: cmap
 *     (runtime.members.1.status joined), quorum (the expected verdict,
 *     the member list holds node 1) and, with a quorum provider,
 *     votequorum (node 1, its vote counted, the expected verdict) - no
 *     CS_ERR_TRY_AGAIN, no retry;
 *   - after SIGTERM (every fourth start: an immediate shutdown asked
 *     through libcfg instead), STOPPING=1 queued on the socket by the
 *     time the daemon has exited, and exit status 0.
 * It also checks journal logging: on even starts the daemon's stderr is
 * named by JOURNAL_STREAM, and every line it writes must carry a "<N>"
 * priority prefix (the start-up notice as <5>); on odd starts
 * JOURNAL_STREAM names another file, and no line may carry one.
 *
 * Every wait is bounded (10 s per step); only the daemon started here is
 * killed.  Exit 0 when every start passed, 1 otherwise, 77 when the
 * namespace cannot be created (not root).  Prints, per start, the time
 * from exec to READY=1.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <regex.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <corosync/cfg.h>
#include <corosync/cmap.h>
#include <corosync/quorum.h>
#include <corosync/votequorum.h>

#define LOCAL_NODEID 1u
#define STEP_TIMEOUT_MS 10000
#define MSG_MAX 4096
#define LOG_MAX (256 * 1024)

struct start {
	pid_t pid;
	int notify_fd;
	int log_fd; /* read end of the daemon's stderr */
	char log[LOG_MAX];
	size_t log_len;
	bool journal; /* JOURNAL_STREAM names the daemon's stderr */
};

/* What the configuration under test should give. */
struct expect {
	bool votequorum; /* a quorum provider, so the votequorum service */
	bool quorate;	 /* node 1 alone is quorate */
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int fail(const char *what)
{
	fprintf(stderr, "FAIL: %s\n", what);
	return -1;
}

/* A network namespace with lo up; -EPERM when not allowed. */
static int enter_netns(void)
{
	struct ifreq ifr = {0};
	int fd, rc = 0;

	if (unshare(CLONE_NEWNET) != 0)
		return -errno;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0)
		rc = -errno;
	ifr.ifr_flags |= IFF_UP;
	if (rc == 0 && ioctl(fd, SIOCSIFFLAGS, &ifr) != 0)
		rc = -errno;
	close(fd);
	return rc;
}

static int notify_socket(const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int one = 1;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	unlink(path);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads what the daemon wrote to stderr so far (never blocks). */
static void drain_log(struct start *s)
{
	ssize_t n;

	while (s->log_len < sizeof(s->log) - 1 &&
	       (n = read(s->log_fd, s->log + s->log_len, sizeof(s->log) - 1 - s->log_len)) > 0)
		s->log_len += (size_t)n;
	s->log[s->log_len] = '\0';
}

/*
 * The next notify message (NUL-terminated in buf) within timeout_ms, with
 * its sender's PID; 0, or -1 on timeout.  The daemon's stderr is read
 * meanwhile so it never blocks on a full pipe.
 */
static int next_message(struct start *s, char *buf, size_t len, int timeout_ms, pid_t *sender)
{
	int64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		struct pollfd fds[2] = {{s->notify_fd, POLLIN, 0}, {s->log_fd, POLLIN, 0}};
		int64_t left = deadline - now_ms();
		union {
			char buf[CMSG_SPACE(sizeof(struct ucred))];
			struct cmsghdr align;
		} control;
		struct iovec iov = {buf, len - 1};
		struct msghdr mh = {.msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = control.buf,
				    .msg_controllen = sizeof(control.buf)};
		ssize_t n;

		if (left < 0)
			left = 0;
		if (poll(fds, 2, (int)left) < 0 && errno != EINTR)
			return -1;
		if (fds[1].revents)
			drain_log(s);
		if (!(fds[0].revents & POLLIN)) {
			if (left == 0)
				return -1;
			continue;
		}
		n = recvmsg(s->notify_fd, &mh, MSG_DONTWAIT);
		if (n < 0)
			continue;
		buf[n] = '\0';
		*sender = 0;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
				struct ucred cred;

				memcpy(&cred, CMSG_DATA(c), sizeof(cred));
				*sender = cred.pid;
			}
		return 0;
	}
}

/* True when the newline-separated message holds the assignment line. */
static bool has_line(const char *msg, const char *line)
{
	size_t len = strlen(line);

	for (const char *p = msg; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, line, len) == 0 && (p[len] == '\n' || p[len] == '\0'))
			return true;
	return false;
}

static bool has_prefix_line(const char *msg, const char *prefix)
{
	for (const char *p = msg; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			return true;
	return false;
}

static int check_cmap(void)
{
	cmap_handle_t h;
	char *status = NULL;
	cs_error_t err = cmap_initialize(&h);
	int rc = 0;

	if (err != CS_OK) {
		fprintf(stderr, "cmap_initialize: %d\n", (int)err);
		return fail("cmap not served right after READY=1");
	}
	err = cmap_get_string(h, "runtime.members.1.status", &status);
	if (err != CS_OK || strcmp(status, "joined") != 0) {
		fprintf(stderr, "runtime.members.1.status: err %d, %s\n", (int)err,
			status ? status : "(none)");
		rc = fail("cmap has no installed view right after READY=1");
	}
	free(status);
	cmap_finalize(h);
	return rc;
}

struct members_seen {
	bool have;
	bool has_local;
	uint32_t quorate;
};

static void members_cb(quorum_handle_t h, uint32_t quorate, struct quorum_ring_id ring, uint32_t n,
		       const uint32_t *members)
{
	const void *ctx = NULL;
	struct members_seen *seen;

	(void)ring;
	quorum_context_get(h, &ctx);
	seen = (struct members_seen *)ctx;
	seen->have = true;
	seen->quorate = quorate;
	for (uint32_t i = 0; i < n; i++)
		if (members[i] == LOCAL_NODEID)
			seen->has_local = true;
}

static int check_quorum(const struct expect *x)
{
	quorum_model_v1_data_t cb = {.model = QUORUM_MODEL_V1, .quorum_notify_fn = members_cb};
	struct members_seen seen = {0};
	quorum_handle_t h;
	uint32_t type;
	int quorate = 0;
	cs_error_t err = quorum_model_initialize(&h, QUORUM_MODEL_V1, (quorum_model_data_t *)&cb,
						 &type, &seen);

	if (err != CS_OK) {
		fprintf(stderr, "quorum_model_initialize: %d\n", (int)err);
		return fail("quorum not served right after READY=1");
	}
	err = quorum_getquorate(h, &quorate);
	if (err == CS_OK)
		err = quorum_trackstart(h, CS_TRACK_CURRENT);
	for (int i = 0; err == CS_OK && i < 50 && !seen.have; i++)
		err = quorum_dispatch(h, CS_DISPATCH_ONE);
	quorum_finalize(h);
	if (err != CS_OK || quorate != x->quorate || !seen.have || !seen.has_local ||
	    seen.quorate != x->quorate) {
		fprintf(stderr, "quorum: err %d, quorate %d, event %d (quorate %u, local %s)\n",
			(int)err, quorate, seen.have, seen.quorate,
			seen.has_local ? "in" : "missing");
		return fail("quorum information not populated right after READY=1");
	}
	return 0;
}

static int check_votequorum(const struct expect *x)
{
	struct votequorum_info info = {0};
	votequorum_handle_t h;
	cs_error_t err = votequorum_initialize(&h, NULL);

	if (!x->votequorum) {
		/* no quorum provider: the service is not there */
		if (err == CS_OK) {
			votequorum_finalize(h);
			return fail("votequorum served without a quorum provider");
		}
		return 0;
	}
	if (err != CS_OK) {
		fprintf(stderr, "votequorum_initialize: %d\n", (int)err);
		return fail("votequorum not served right after READY=1");
	}
	err = votequorum_getinfo(h, 0, &info);
	votequorum_finalize(h);
	if (err != CS_OK || info.node_id != LOCAL_NODEID || info.node_votes < 1 ||
	    info.total_votes < info.node_votes || info.quorum < 1 ||
	    !(info.flags & VOTEQUORUM_INFO_QUORATE) != !x->quorate ||
	    (info.total_votes >= info.quorum) != x->quorate) {
		fprintf(stderr,
			"votequorum: err %d node %u votes %u total %u quorum %u flags %#x\n",
			(int)err, info.node_id, info.node_votes, info.total_votes, info.quorum,
			info.flags);
		return fail("votequorum information not populated right after READY=1");
	}
	return 0;
}

/* Every line of the daemon's stderr has a "<N>" prefix, or none has. */
static int check_log(const struct start *s)
{
	regex_t prefixed;
	const char *p = s->log;
	int n_lines = 0, n_prefixed = 0, rc = 0;
	bool notice_seen = false;

	if (regcomp(&prefixed, "^<[0-7]>", REG_EXTENDED | REG_NOSUB) != 0)
		return fail("regcomp");
	while (*p) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char line[1024];

		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		n_lines++;
		if (regexec(&prefixed, line, 0, NULL, 0) == 0)
			n_prefixed++;
		if (strncmp(line, "<5>", 3) == 0 && strstr(line, " started"))
			notice_seen = true;
		p += len + (end ? 1 : 0);
	}
	regfree(&prefixed);
	if (n_lines == 0)
		return fail("the daemon wrote nothing to stderr");
	if (s->journal && (n_prefixed != n_lines || !notice_seen))
		rc = fail("stderr lines without a journal priority prefix under JOURNAL_STREAM");
	if (!s->journal && n_prefixed != 0)
		rc = fail("journal priority prefixes on stderr that is not the journal");
	if (rc != 0)
		fprintf(stderr, "--- daemon stderr ---\n%s", s->log);
	return rc;
}

static void child_exec(const char *daemon, const char *config, const char *notify_path, int log_wr,
		       bool journal)
{
	struct stat st;
	char stream[64];

	if (fstat(log_wr, &st) != 0)
		_exit(99);
	if (journal)
		snprintf(stream, sizeof(stream), "%ju:%ju", (uintmax_t)st.st_dev,
			 (uintmax_t)st.st_ino);
	else /* a stream that is not the daemon's stderr */
		snprintf(stream, sizeof(stream), "%ju:%ju", (uintmax_t)st.st_dev,
			 (uintmax_t)st.st_ino + 1);
	setenv("NOTIFY_SOCKET", notify_path, 1);
	setenv("JOURNAL_STREAM", stream, 1);
	dup2(log_wr, STDERR_FILENO);
	dup2(log_wr, STDOUT_FILENO);
	execl(daemon, daemon, "-f", "-c", config, (char *)NULL);
	_exit(99);
}

/* corosync-cfgtool -H --force, through the public library. */
static int cfg_shutdown(void)
{
	corosync_cfg_handle_t h;
	cs_error_t err = corosync_cfg_initialize(&h, NULL);

	if (err == CS_OK) {
		err = corosync_cfg_try_shutdown(h, COROSYNC_CFG_SHUTDOWN_FLAG_IMMEDIATE);
		corosync_cfg_finalize(h);
	}
	if (err != CS_OK) {
		fprintf(stderr, "cfg shutdown: %d\n", (int)err);
		return fail("shutdown through cfg refused");
	}
	return 0;
}

/*
 * Stops the daemon (SIGTERM, or through cfg when by_cfg), bounded wait;
 * the exit status, or -1 (then killed).
 */
static int stop_daemon(struct start *s, bool by_cfg)
{
	int64_t deadline = now_ms() + STEP_TIMEOUT_MS;
	bool refused = by_cfg && cfg_shutdown() != 0;
	int status;

	if (!by_cfg || refused)
		kill(s->pid, SIGTERM);
	while (now_ms() < deadline) {
		pid_t r = waitpid(s->pid, &status, WNOHANG);

		if (r == s->pid) {
			s->pid = 0;
			if (refused)
				return -1;
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
		drain_log(s);
		usleep(10000);
	}
	kill(s->pid, SIGKILL);
	waitpid(s->pid, &status, 0);
	s->pid = 0;
	return -1;
}

/* Waits for READY=1; STATUS= only before it.  0, or -1. */
static int await_ready(struct start *s, const struct expect *x, int64_t *ready_ms)
{
	const char *status =
		x->quorate ? "STATUS=Members: 1, quorate" : "STATUS=Members: 1, not quorate";
	int64_t started = now_ms();
	char msg[MSG_MAX];
	pid_t sender;

	for (;;) {
		int wstatus;

		/* a daemon that died early fails at once, not after the timeout */
		if (next_message(s, msg, sizeof(msg), 100, &sender) != 0) {
			if (waitpid(s->pid, &wstatus, WNOHANG) == s->pid) {
				s->pid = 0;
				drain_log(s);
				fprintf(stderr, "--- daemon stderr ---\n%s", s->log);
				return fail("the daemon exited before READY=1");
			}
			if (now_ms() - started > STEP_TIMEOUT_MS)
				return fail("no READY=1 within 10 s");
			continue;
		}
		if (sender != s->pid) {
			fprintf(stderr, "message from PID %d, daemon %d\n", (int)sender,
				(int)s->pid);
			return fail("notification not sent by the main PID");
		}
		if (has_line(msg, "READY=1")) {
			*ready_ms = now_ms() - started;
			if (!has_line(msg, status)) {
				fprintf(stderr, "READY message: %s\n", msg);
				return fail("READY=1 without a STATUS naming the view");
			}
			return 0;
		}
		if (!has_prefix_line(msg, "STATUS=") || has_line(msg, "STOPPING=1")) {
			fprintf(stderr, "message before READY=1: %s\n", msg);
			return fail("unexpected message before READY=1");
		}
	}
}

/*
 * After exit, STOPPING=1 must already be queued on the socket, with a
 * STATUS= naming the cause.
 */
static int check_stopping(struct start *s, bool by_cfg)
{
	const char *cause = by_cfg ? "cfg" : "SIGTERM";
	char msg[MSG_MAX];
	pid_t sender;

	while (next_message(s, msg, sizeof(msg), 0, &sender) == 0) {
		if (!has_line(msg, "STOPPING=1"))
			continue;
		if (!has_prefix_line(msg, "STATUS=Shutting down: ") || !strstr(msg, cause)) {
			fprintf(stderr, "STOPPING message: %s\n", msg);
			return fail("STOPPING=1 without a status naming its cause");
		}
		return 0;
	}
	return fail("no STOPPING=1 before the daemon exited");
}

static int run_start(const char *daemon, const char *config, const char *notify_path, int i,
		     const struct expect *x)
{
	struct start *s = calloc(1, sizeof(*s));
	int pipefd[2], rc = 0, status;
	int64_t ready_ms = -1;
	bool by_cfg = i % 4 == 3;

	if (!s)
		return fail("out of memory");
	s->journal = i % 2 == 0;
	s->notify_fd = notify_socket(notify_path);
	if (s->notify_fd < 0 || pipe2(pipefd, O_CLOEXEC) != 0) {
		free(s);
		return fail("cannot create the notify socket or the log pipe");
	}
	s->log_fd = pipefd[0];
	fcntl(s->log_fd, F_SETFL, O_NONBLOCK);
	s->pid = fork();
	if (s->pid == 0)
		child_exec(daemon, config, notify_path, pipefd[1], s->journal);
	close(pipefd[1]);
	if (s->pid < 0) {
		rc = fail("fork");
		goto out;
	}
	rc = await_ready(s, x, &ready_ms);
	/* the readiness test proper: one attempt each, no retries */
	if (rc == 0)
		rc = check_cmap() | check_quorum(x) | check_votequorum(x);
	if (s->pid > 0) {
		status = stop_daemon(s, by_cfg);
		if (status != 0) {
			fprintf(stderr, "daemon exit status %d\n", status);
			rc = fail("the daemon did not exit cleanly when stopped");
		}
	}
	if (rc == 0)
		rc = check_stopping(s, by_cfg);
	drain_log(s);
	if (rc == 0)
		rc = check_log(s);
	printf("start %d (%s, stopped by %s): %s, READY=1 after %lld ms\n", i + 1,
	       s->journal ? "journal" : "plain stderr", by_cfg ? "cfg" : "SIGTERM",
	       rc == 0 ? "ok" : "FAILED", (long long)ready_ms);
	if (rc != 0 && !s->journal)
		fprintf(stderr, "--- daemon stderr ---\n%s", s->log);
out:
	if (s->pid > 0)
		stop_daemon(s, false);
	close(s->notify_fd);
	close(s->log_fd);
	unlink(notify_path);
	free(s);
	return rc;
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/synod-notify-XXXXXX", notify_path[64];
	struct expect x;
	int starts, failed = 0, rc;

	if (argc != 5) {
		fprintf(stderr, "usage: %s DAEMON CONFIG STARTS votequorum|inquorate|none\n",
			argv[0]);
		return 2;
	}
	starts = atoi(argv[3]);
	x.votequorum = strcmp(argv[4], "none") != 0;
	x.quorate = strcmp(argv[4], "inquorate") != 0;
	rc = enter_netns();
	if (rc != 0) {
		fprintf(stderr, "cannot create a network namespace: %s\n", strerror(-rc));
		return rc == -EPERM ? 77 : 1;
	}
	signal(SIGPIPE, SIG_IGN);
	if (!mkdtemp(dir))
		return 1;
	snprintf(notify_path, sizeof(notify_path), "%s/notify", dir);
	for (int i = 0; i < starts; i++)
		if (run_start(argv[1], argv[2], notify_path, i, &x) != 0)
			failed++;
	rmdir(dir);
	printf("%d of %d starts passed\n", starts - failed, starts);
	return failed == 0 ? 0 : 1;
}
