/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * qdevice_client.c - a minimal quorum device for multi-node tests, written
 * only against the public <corosync/votequorum.h> API so the same binary
 * drives synod or the distribution's corosync.
 *
 * It registers a device on the local node, tracks the membership to learn
 * the current ring id (a poll with any other ring id is refused), and
 * polls the daemon every interval, casting its vote or not.  A new ring id
 * is polled at once, as a real qdevice does, so the daemon's sync wait ends
 * quickly.  Signals steer it while it runs:
 *   SIGUSR1  stop polling / resume polling (the device timeout then expires)
 *   SIGUSR2  stop casting the vote / cast it again
 *   SIGHUP   rename the device to NAME-renamed (votequorum_qdevice_update)
 *   SIGTERM  unregister and exit 0; SIGINT exits without unregistering
 * Each state change prints one line on stdout ("registered", "polling off",
 * ...); failed calls print the cs_error_t and, for register, exit 1.
 *
 * usage: qdevice-client [-n NAME] [-i POLL_MS] [-m] [-N]
 *   -m  ask for master-wins after registering;  -N  start without casting
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <corosync/votequorum.h>

struct device {
	votequorum_handle_t handle;
	char name[VOTEQUORUM_QDEVICE_MAX_NAME_LEN];
	votequorum_ring_id_t ring;
	bool have_ring;
	bool polling;
	bool casting;
	bool master_wins;
	unsigned int interval_ms;
};

/* The handle's context points at the device, so the callbacks need no global. */
static void on_nodelist(votequorum_handle_t handle, uint64_t context, votequorum_ring_id_t ring,
			uint32_t n_nodes, uint32_t nodes[])
{
	struct device *dev = NULL;

	(void)context, (void)n_nodes, (void)nodes;
	if (votequorum_context_get(handle, (void **)&dev) != CS_OK || !dev)
		return;
	dev->ring = ring;
	dev->have_ring = true;
}

static void do_poll(struct device *dev)
{
	cs_error_t err;

	if (!dev->have_ring)
		return;
	err = votequorum_qdevice_poll(dev->handle, dev->name, dev->casting, dev->ring);
	/* A poll racing a membership change carries the old ring id; the next one fixes it. */
	if (err != CS_OK && err != CS_ERR_MESSAGE_ERROR)
		printf("poll error %d\n", err);
}

static int open_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		return -errno;
	return signalfd(-1, &set, SFD_CLOEXEC);
}

/* Act on one signal; false when the client should exit. */
static bool on_signal(struct device *dev, int sig)
{
	char newname[VOTEQUORUM_QDEVICE_MAX_NAME_LEN];
	cs_error_t err;

	switch (sig) {
	case SIGUSR1:
		dev->polling = !dev->polling;
		printf("polling %s\n", dev->polling ? "on" : "off");
		return true;
	case SIGUSR2:
		dev->casting = !dev->casting;
		printf("casting %s\n", dev->casting ? "on" : "off");
		do_poll(dev);
		return true;
	case SIGHUP:
		snprintf(newname, sizeof(newname), "%.*s-renamed", (int)sizeof(newname) - 9,
			 dev->name);
		err = votequorum_qdevice_update(dev->handle, dev->name, newname);
		if (err == CS_OK)
			memcpy(dev->name, newname, sizeof(dev->name));
		printf("renamed %s (%d)\n", dev->name, err);
		return true;
	case SIGTERM:
		err = votequorum_qdevice_unregister(dev->handle, dev->name);
		printf("unregistered (%d)\n", err);
		return false;
	default:
		printf("exit without unregistering\n");
		return false;
	}
}

static int run(struct device *dev, int sfd)
{
	struct pollfd fds[2] = {{.events = POLLIN}, {.fd = sfd, .events = POLLIN}};
	bool go = true;

	if (votequorum_fd_get(dev->handle, &fds[0].fd) != CS_OK)
		return 1;
	while (go) {
		int n = poll(fds, 2, (int)dev->interval_ms);

		if (n < 0 && errno != EINTR)
			return 1;
		if (n > 0 && (fds[0].revents & (POLLHUP | POLLERR))) {
			printf("daemon gone\n");
			return 1;
		}
		if (n > 0 && (fds[0].revents & POLLIN) &&
		    votequorum_dispatch(dev->handle, CS_DISPATCH_ALL) != CS_OK) {
			printf("dispatch failed\n");
			return 1;
		}
		if (n > 0 && (fds[1].revents & POLLIN)) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				go = on_signal(dev, (int)si.ssi_signo);
		}
		/* Poll on every wake-up: simple, and more often than needed is harmless. */
		if (go && dev->polling)
			do_poll(dev);
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct device *dev)
{
	int ch;

	snprintf(dev->name, sizeof(dev->name), "Qdevice");
	dev->interval_ms = 500;
	dev->polling = dev->casting = true;
	while ((ch = getopt(argc, argv, "n:i:mN")) != -1) {
		switch (ch) {
		case 'n':
			snprintf(dev->name, sizeof(dev->name), "%s", optarg);
			break;
		case 'i':
			dev->interval_ms = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'm':
			dev->master_wins = true;
			break;
		case 'N':
			dev->casting = false;
			break;
		default:
			fprintf(stderr, "usage: qdevice-client [-n NAME] [-i POLL_MS] [-m] [-N]\n");
			return -EINVAL;
		}
	}
	return dev->interval_ms > 0 ? 0 : -EINVAL;
}

int main(int argc, char **argv)
{
	votequorum_callbacks_t cb = {.votequorum_nodelist_notify_fn = on_nodelist};
	struct device dev = {0};
	cs_error_t err;
	int sfd, rc = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse_args(argc, argv, &dev) != 0)
		return 2;
	sfd = open_signals();
	if (sfd < 0)
		return 1;
	err = votequorum_initialize(&dev.handle, &cb);
	if (err != CS_OK) {
		printf("initialize error %d\n", err);
		goto err_close_sfd;
	}
	votequorum_context_set(dev.handle, &dev);
	err = votequorum_trackstart(dev.handle, 0, CS_TRACK_CHANGES);
	if (err == CS_OK)
		err = votequorum_qdevice_register(dev.handle, dev.name);
	if (err != CS_OK) {
		printf("register error %d\n", err);
		goto err_finalize;
	}
	printf("registered %s\n", dev.name);
	if (dev.master_wins) {
		err = votequorum_qdevice_master_wins(dev.handle, dev.name, 1);
		printf("master_wins (%d)\n", err);
	}
	votequorum_dispatch(dev.handle, CS_DISPATCH_ALL);
	do_poll(&dev);
	rc = run(&dev, sfd);
err_finalize:
	votequorum_finalize(dev.handle);
err_close_sfd:
	close(sfd);
	return rc;
}
