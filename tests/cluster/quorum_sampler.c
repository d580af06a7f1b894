/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * quorum_sampler.c - samples the local node's quorate state every
 * interval and prints one line per sample: the wall-clock time in
 * microseconds, votequorum_getinfo's QUORATE flag for the local node,
 * quorum_getquorate's answer, and whether votequorum has the peer node
 * as a member (1, 0, or - when a call failed): a node with the peer out
 * of its view has installed the split.  Written
 * only against the public <corosync/votequorum.h> and <corosync/quorum.h>
 * so the same binary samples synod or the distribution's corosync.  Two
 * samplers on two nodes are compared by time (clocks are the same host's).
 *
 * usage: quorum-sampler INTERVAL_MS DURATION_MS PEER_NODEID
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <corosync/quorum.h>
#include <corosync/votequorum.h>

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static char vq_quorate(votequorum_handle_t vq)
{
	struct votequorum_info info;

	if (votequorum_getinfo(vq, 0, &info) != CS_OK)
		return '-';
	return (info.flags & VOTEQUORUM_INFO_QUORATE) ? '1' : '0';
}

static char vq_member(votequorum_handle_t vq, unsigned int nodeid)
{
	struct votequorum_info info;

	if (votequorum_getinfo(vq, nodeid, &info) != CS_OK)
		return '-';
	return info.node_state == VOTEQUORUM_NODESTATE_MEMBER ? '1' : '0';
}

static char q_quorate(quorum_handle_t q)
{
	int quorate = 0;

	if (quorum_getquorate(q, &quorate) != CS_OK)
		return '-';
	return quorate ? '1' : '0';
}

int main(int argc, char **argv)
{
	votequorum_handle_t vq;
	quorum_handle_t q;
	uint32_t type;
	uint64_t interval_us, end;
	struct timespec pause;

	if (argc != 4) {
		fprintf(stderr, "usage: quorum-sampler INTERVAL_MS DURATION_MS PEER_NODEID\n");
		return 2;
	}
	interval_us = strtoull(argv[1], NULL, 10) * 1000u;
	end = now_us() + strtoull(argv[2], NULL, 10) * 1000u;
	if (votequorum_initialize(&vq, NULL) != CS_OK ||
	    quorum_initialize(&q, NULL, &type) != CS_OK) {
		fprintf(stderr, "cannot connect to votequorum and quorum\n");
		return 1;
	}
	pause.tv_sec = (time_t)(interval_us / 1000000u);
	pause.tv_nsec = (long)(interval_us % 1000000u) * 1000;
	while (now_us() < end) {
		char a = vq_quorate(vq), b = q_quorate(q);
		char c = vq_member(vq, (unsigned int)strtoul(argv[3], NULL, 10));

		printf("%llu %c %c %c\n", (unsigned long long)now_us(), a, b, c);
		fflush(stdout);
		nanosleep(&pause, NULL);
	}
	votequorum_finalize(vq);
	quorum_finalize(q);
	return 0;
}
