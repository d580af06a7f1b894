/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wait_ready.c - exits 0 when a cmap service answers a request in the
 * current network namespace, 1 otherwise.  With the argument "quorate" it
 * also requires the quorum service to report the node quorate: the daemon
 * answers as soon as it listens, before its first view is installed and
 * its quorum settled (within ~100 ms of start), and tests of a single-node
 * configuration want the running node.  Used by the test harness to wait
 * (bounded) for a daemon to come up.
 */
#include <stdbool.h>
#include <string.h>
#include <corosync/cmap.h>
#include <corosync/quorum.h>

static bool cmap_answers(void)
{
	cmap_handle_t h;
	size_t len = 0;
	cs_error_t err;

	if (cmap_initialize(&h) != CS_OK)
		return false;
	err = cmap_get(h, "runtime.services.cmap.service_id", NULL, &len, NULL);
	cmap_finalize(h);
	return err == CS_OK;
}

static bool node_quorate(void)
{
	quorum_handle_t h;
	uint32_t type;
	int quorate = 0;

	if (quorum_initialize(&h, NULL, &type) != CS_OK)
		return false;
	if (quorum_getquorate(h, &quorate) != CS_OK)
		quorate = 0;
	quorum_finalize(h);
	return quorate == 1;
}

int main(int argc, char **argv)
{
	bool want_quorate = argc > 1 && strcmp(argv[1], "quorate") == 0;

	if (!cmap_answers())
		return 1;
	return !want_quorate || node_quorate() ? 0 : 1;
}
