/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vq_compat.c - answers real clients rely on, checked on a running
 * single-node daemon; the same program runs against synod and against the
 * distribution's corosync with the same expectations.
 *
 *   vq_compat nodevice [CONFIG] no quorum.device configured: a device may
 *                              still register, poll, set master_wins,
 *                              rename and unregister; node status of
 *                              node id 0 fails (0 is not "the local node"
 *                              there, unlike in get_node_addrs).
 *   vq_compat two_node CONFIG  two_node set, no device: register works;
 *                              once a reload adds a device to CONFIG the
 *                              conflict forbids device operation.
 *
 * Exits 0 when every answer is as expected, 1 (naming the first wrong
 * answer) otherwise.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <corosync/cfg.h>
#include <corosync/votequorum.h>

#define EXPECT(call, want)                                                                         \
	do {                                                                                       \
		cs_error_t got_ = (call);                                                          \
		if (got_ != (want)) {                                                              \
			fprintf(stderr, "%s:%d: %s = %d, want %d\n", __FILE__, __LINE__, #call,    \
				(int)got_, (int)(want));                                           \
			exit(1);                                                                   \
		}                                                                                  \
	} while (0)

struct ring_seen {
	bool have;
	votequorum_ring_id_t ring;
};

static void nodelist_cb(votequorum_handle_t h, uint64_t ctx, votequorum_ring_id_t ring, uint32_t n,
			uint32_t *nodes)
{
	struct ring_seen *seen = (struct ring_seen *)(uintptr_t)ctx;

	(void)h;
	(void)n;
	(void)nodes;
	seen->have = true;
	seen->ring = ring;
}

/* The ring id of the current view, from the initial nodelist event. */
static votequorum_ring_id_t current_ring(votequorum_handle_t h)
{
	struct ring_seen seen = {0};

	EXPECT(votequorum_trackstart(h, (uint64_t)(uintptr_t)&seen, CS_TRACK_CURRENT), CS_OK);
	for (int i = 0; i < 100 && !seen.have; i++)
		EXPECT(votequorum_dispatch(h, CS_DISPATCH_ALL), CS_OK);
	if (!seen.have) {
		fprintf(stderr, "no nodelist event\n");
		exit(1);
	}
	/* only CS_TRACK_CURRENT: no tracking to stop */
	EXPECT(votequorum_trackstop(h), CS_ERR_NOT_EXIST);
	return seen.ring;
}

static uint32_t local_flags(votequorum_handle_t h)
{
	struct votequorum_info info;

	EXPECT(votequorum_getinfo(h, 0, &info), CS_OK);
	return info.flags;
}

/* A rename is applied when its message is delivered: wait for it. */
static void unregister_renamed(votequorum_handle_t h, const char *name)
{
	cs_error_t err = CS_ERR_INVALID_PARAM;

	for (int i = 0; i < 100 && err == CS_ERR_INVALID_PARAM; i++) {
		err = votequorum_qdevice_unregister(h, name);
		if (err == CS_ERR_INVALID_PARAM)
			usleep(20000);
	}
	EXPECT(err, CS_OK);
}

static void check_node_status(void)
{
	corosync_cfg_handle_t cfg;
	struct corosync_cfg_node_status_v1 st;

	EXPECT(corosync_cfg_initialize(&cfg, NULL), CS_OK);
	EXPECT(corosync_cfg_node_status_get(cfg, 0, CFG_NODE_STATUS_V1, &st),
	       CS_ERR_FAILED_OPERATION);
	EXPECT(corosync_cfg_node_status_get(cfg, 1, CFG_NODE_STATUS_V1, &st), CS_OK);
	if (st.nodeid != 1) {
		fprintf(stderr, "node status of node 1 names node %u\n", st.nodeid);
		exit(1);
	}
	EXPECT(corosync_cfg_finalize(cfg), CS_OK);
}

static void run_nodevice(void)
{
	votequorum_callbacks_t cb = {.votequorum_nodelist_notify_fn = nodelist_cb};
	votequorum_handle_t h;
	votequorum_ring_id_t ring, stale;

	EXPECT(votequorum_initialize(&h, &cb), CS_OK);
	ring = current_ring(h);
	stale = ring;
	stale.seq++;
	EXPECT(votequorum_qdevice_poll(h, "QD", 1, ring), CS_ERR_NOT_EXIST);
	EXPECT(votequorum_qdevice_register(h, "QD"), CS_OK);
	EXPECT(votequorum_qdevice_register(h, "QD"), CS_OK);
	EXPECT(votequorum_qdevice_register(h, "QX"), CS_ERR_EXIST);
	if (!(local_flags(h) & VOTEQUORUM_INFO_QDEVICE_REGISTERED)) {
		fprintf(stderr, "registered device not in the node's flags\n");
		exit(1);
	}
	EXPECT(votequorum_qdevice_poll(h, "QD", 1, stale), CS_ERR_MESSAGE_ERROR);
	EXPECT(votequorum_qdevice_poll(h, "QX", 1, ring), CS_ERR_INVALID_PARAM);
	EXPECT(votequorum_qdevice_poll(h, "QD", 1, ring), CS_OK);
	EXPECT(votequorum_qdevice_master_wins(h, "QD", 1), CS_OK);
	EXPECT(votequorum_qdevice_update(h, "QX", "QE"), CS_ERR_INVALID_PARAM);
	EXPECT(votequorum_qdevice_update(h, "QD", "QE"), CS_OK);
	unregister_renamed(h, "QE");
	EXPECT(votequorum_qdevice_unregister(h, "QE"), CS_ERR_NOT_EXIST);
	EXPECT(votequorum_qdevice_poll(h, "QE", 1, ring), CS_ERR_NOT_EXIST);
	EXPECT(votequorum_qdevice_update(h, "QE", "QF"), CS_ERR_NOT_EXIST);
	EXPECT(votequorum_finalize(h), CS_OK);
	check_node_status();
}

static int add_device(const char *config)
{
	FILE *f = fopen(config, "a");

	if (!f)
		return -1;
	fputs("quorum {\n\tdevice {\n\t\tmodel: net\n\t\tvotes: 1\n\t}\n}\n", f);
	return fclose(f);
}

static void run_two_node(const char *config)
{
	votequorum_handle_t h;
	corosync_cfg_handle_t cfg;
	votequorum_ring_id_t ring = {0};

	EXPECT(votequorum_initialize(&h, NULL), CS_OK);
	EXPECT(votequorum_qdevice_register(h, "QD"), CS_OK);
	EXPECT(votequorum_qdevice_unregister(h, "QD"), CS_OK);
	if (add_device(config) != 0) {
		perror(config);
		exit(1);
	}
	EXPECT(corosync_cfg_initialize(&cfg, NULL), CS_OK);
	EXPECT(corosync_cfg_reload_config(cfg), CS_OK);
	EXPECT(corosync_cfg_finalize(cfg), CS_OK);
	EXPECT(votequorum_qdevice_register(h, "QD"), CS_ERR_ACCESS);
	EXPECT(votequorum_qdevice_poll(h, "QD", 1, ring), CS_ERR_ACCESS);
	EXPECT(votequorum_qdevice_master_wins(h, "QD", 1), CS_ERR_ACCESS);
	EXPECT(votequorum_qdevice_unregister(h, "QD"), CS_ERR_NOT_EXIST);
	EXPECT(votequorum_finalize(h), CS_OK);
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "nodevice") == 0)
		run_nodevice();
	else if (argc == 3 && strcmp(argv[1], "two_node") == 0)
		run_two_node(argv[2]);
	else {
		fprintf(stderr, "usage: %s nodevice | two_node CONFIG\n", argv[0]);
		return 2;
	}
	printf("ok\n");
	return 0;
}
