/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cfgtool.c - synod-cfgtool: link status, node addresses, reload, kill
 * and shutdown through the cfg service.
 *
 * A drop-in for corosync-cfgtool 3.1.7: the same options (getopt string
 * "i:snbrRLk:a:hH" plus --force), messages, output bytes and exit codes,
 * and the same library calls (ipc-wire.md §9.3).  The last command option
 * wins; no command prints the usage and succeeds.  Additions:
 *
 *   --json   -s, -n and -a print the same information as one JSON object;
 *            other commands and all errors are unchanged.
 *
 * -i is accepted and, as in the reference with knet, does not filter.
 * The tool links only libcfg and libcmap.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

#include <corosync/cfg.h>
#include <corosync/cmap.h>
#include <corosync/corotypes.h>

#include "cmapctl_fmt.h"

#define CT_MAX_NODES 1024
#define CT_MAX_ADDRS 16
#define CT_TRANSPORT_LEN 64

enum ct_cmd {
	CMD_NONE,
	CMD_STATUS,
	CMD_NODES,
	CMD_RELOAD,
	CMD_REOPEN,
	CMD_KILL,
	CMD_ADDRS,
	CMD_SHUTDOWN
};

struct ct {
	enum ct_cmd cmd;
	bool brief, force, json;
	uint32_t nodeid;
	corosync_cfg_handle_t cfg;
	/* gathered for -s / -n */
	char transport[CT_TRANSPORT_LEN];
	char link_transport[CFG_MAX_LINKS][CT_TRANSPORT_LEN];
	uint32_t local_nodeid;
	uint32_t nodes[CT_MAX_NODES];
	size_t n_nodes;
	struct corosync_cfg_node_status_v1 *status;
};

static const char usage_text[] =
	"corosync-cfgtool [[-i <interface ip>] [-b] -s] [-R] [-L] [-k nodeid] [-a nodeid] [-h] "
	"[-H]\n"
	"\n"
	"A tool for displaying and configuring active parameters within corosync.\n"
	"options:\n"
	"\t-i\tFinds only information about the specified interface IP address or link id when "
	"used with -s..\n"
	"\t-s\tDisplays the status of the current links on this node.\n"
	"\t-n\tDisplays the status of the connected nodes and their links.\n"
	"\t-b\tDisplays the brief status of the current links on this node when used with -s.\n"
	"\t-R\tTell all instances of corosync in this cluster to reload corosync.conf.\n"
	"\t-L\tTell corosync to reopen all logging files.\n"
	"\t-k\tKill a node identified by node id.\n"
	"\t-a\tDisplay the IP address(es) of a node\n"
	"\t-h\tPrint basic usage.\n"
	"\t-H\tShutdown corosync cleanly on this node.\n"
	"\t\t--force will shut down corosync regardless of daemon vetos\n";

static bool ct_parse_nodeid(const char *text, uint32_t *out)
{
	char *end = NULL;
	long long v = strtoll(text, &end, 10);

	if (end == text || *end != '\0' || v < 1 || v > UINT32_MAX) {
		fprintf(stderr, "The nodeid was not valid, try a positive number\n");
		return false;
	}
	*out = (uint32_t)v;
	return true;
}

/* Returns -1 to go on, else an exit status. */
static int ct_parse_args(struct ct *ct, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"force", no_argument, NULL, 'F'},
		{"json", no_argument, NULL, 'J'},
		{NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "i:snbrRLk:a:hH", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
		case 'r':
			break;
		case 's':
			ct->cmd = CMD_STATUS;
			break;
		case 'n':
			ct->cmd = CMD_NODES;
			break;
		case 'b':
			ct->brief = true;
			break;
		case 'R':
			ct->cmd = CMD_RELOAD;
			break;
		case 'L':
			ct->cmd = CMD_REOPEN;
			break;
		case 'H':
			ct->cmd = CMD_SHUTDOWN;
			break;
		case 'F':
			ct->force = true;
			break;
		case 'J':
			ct->json = true;
			break;
		case 'h':
			ct->cmd = CMD_NONE;
			printf("%s", usage_text);
			return 0;
		case 'k':
		case 'a':
			if (!ct_parse_nodeid(optarg, &ct->nodeid))
				return 1;
			ct->cmd = c == 'k' ? CMD_KILL : CMD_ADDRS;
			break;
		default:
			return 1;
		}
	}
	return -1;
}

static int ct_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Node ids of the nodelist, sorted; the iterator is left to the handle. */
static int ct_read_nodelist(struct ct *ct, cmap_handle_t cmap)
{
	cmap_iter_handle_t iter;
	char key[CMAP_KEYNAME_MAXLEN + 1];
	size_t value_len;
	cmap_value_types_t type;
	cs_error_t err;

	err = cmap_iter_init(cmap, "nodelist.node.", &iter);
	if (err != CS_OK) {
		fprintf(stderr, "Could not get nodelist from cmap. error %d\n", err);
		return -1;
	}
	while (cmap_iter_next(cmap, iter, key, &value_len, &type) == CS_OK) {
		unsigned int idx;
		int end = 0;

		if (sscanf(key, "nodelist.node.%u.nodeid%n", &idx, &end) != 1 || key[end] != '\0')
			continue;
		if (ct->n_nodes < CT_MAX_NODES &&
		    cmap_get_uint32(cmap, key, &ct->nodes[ct->n_nodes]) == CS_OK)
			ct->n_nodes++;
	}
	cmap_iter_finalize(cmap, iter);
	if (ct->n_nodes == 0) {
		fprintf(stderr, "No nodes found in nodelist\n");
		return -1;
	}
	qsort(ct->nodes, ct->n_nodes, sizeof(ct->nodes[0]), ct_cmp_u32);
	return 0;
}

/* Per-link knet transport names ("udp" unless configured). */
static void ct_read_link_transports(struct ct *ct, cmap_handle_t cmap)
{
	for (unsigned int i = 0; i < CFG_MAX_LINKS; i++) {
		char key[CMAP_KEYNAME_MAXLEN + 1], *value = NULL;

		snprintf(ct->link_transport[i], CT_TRANSPORT_LEN, "udp");
		snprintf(key, sizeof(key), "totem.interface.%u.knet_transport", i);
		if (cmap_get_string(cmap, key, &value) == CS_OK)
			snprintf(ct->link_transport[i], CT_TRANSPORT_LEN, "%s", value);
		free(value);
	}
}

/* Transport, local id, nodelist and per-link transports from cmap. */
static int ct_gather(struct ct *ct)
{
	cmap_handle_t cmap;
	char *transport = NULL;
	cs_error_t err;
	int rc = -1;

	err = cmap_initialize(&cmap);
	if (err != CS_OK) {
		fprintf(stderr, "Could not initialize corosync cmap API error %d\n", err);
		return -1;
	}
	if (cmap_get_string(cmap, "totem.transport", &transport) == CS_OK)
		snprintf(ct->transport, sizeof(ct->transport), "%s", transport);
	else
		snprintf(ct->transport, sizeof(ct->transport), "knet");
	free(transport);
	err = corosync_cfg_local_get(ct->cfg, &ct->local_nodeid);
	if (err != CS_OK) {
		fprintf(stderr, "Could not get the local node id, the error is: %d\n", err);
		goto out_cmap;
	}
	if (ct_read_nodelist(ct, cmap) < 0)
		goto out_cmap;
	ct_read_link_transports(ct, cmap);
	rc = 0;
out_cmap:
	cmap_finalize(cmap);
	return rc;
}

/* Node status of every nodelist node; failures are reported and zeroed. */
static int ct_fetch_status(struct ct *ct)
{
	ct->status = calloc(ct->n_nodes, sizeof(*ct->status));
	if (ct->status == NULL)
		return -1;
	for (size_t i = 0; i < ct->n_nodes; i++) {
		cs_error_t err = corosync_cfg_node_status_get(ct->cfg, ct->nodes[i],
							      CFG_NODE_STATUS_V1, &ct->status[i]);

		if (err != CS_OK) {
			fprintf(stderr,
				"Could not get the node status for nodeid %d, the error is: %d\n",
				(int)ct->nodes[i], err);
			memset(&ct->status[i], 0, sizeof(ct->status[i]));
		}
	}
	return 0;
}

static bool ct_link_used(const struct ct *ct, int link, const char **addr)
{
	bool used = false;

	for (size_t i = 0; i < ct->n_nodes; i++) {
		const struct corosync_knet_link_status_v1 *ls = &ct->status[i].link_status[link];

		if (ls->enabled) {
			used = true;
			*addr = ls->src_ipaddr;
		}
	}
	return used;
}

static char ct_brief_char(const struct ct *ct, size_t i, int link)
{
	const struct corosync_knet_link_status_v1 *ls = &ct->status[i].link_status[link];

	if (ct->nodes[i] == ct->local_nodeid)
		return 'n';
	return (char)('0' + ((ls->enabled ? 1 : 0) | (ls->connected ? 2 : 0) |
			     (ls->dynconnected ? 4 : 0)));
}

static const char *ct_link_word(const struct ct *ct, size_t i, int link)
{
	if (ct->nodes[i] == ct->local_nodeid)
		return "localhost";
	return ct->status[i].link_status[link].connected ? "connected" : "disconnected";
}

static void ct_print_links(const struct ct *ct)
{
	for (int link = 0; link < CFG_MAX_LINKS; link++) {
		const char *addr = "";

		if (!ct_link_used(ct, link, &addr))
			continue;
		printf("LINK ID %d %s\n\taddr\t= %s\n", link, ct->link_transport[link], addr);
		if (ct->brief) {
			printf("\tstatus\t= ");
			for (size_t i = 0; i < ct->n_nodes; i++)
				putchar(ct_brief_char(ct, i, link));
			printf("\n");
			continue;
		}
		printf("\tstatus:\n");
		for (size_t i = 0; i < ct->n_nodes; i++)
			printf("\t\tnodeid: %10u:\t%s\n", ct->nodes[i], ct_link_word(ct, i, link));
	}
}

static void ct_print_nodes(const struct ct *ct)
{
	for (size_t i = 0; i < ct->n_nodes; i++) {
		const struct corosync_cfg_node_status_v1 *st = &ct->status[i];

		if (ct->nodes[i] == ct->local_nodeid || !st->reachable)
			continue;
		printf("nodeid: %u%s%s%s\n", ct->nodes[i], " reachable",
		       st->remote ? " remote" : "", st->external ? " external" : "");
		for (int link = 0; link < CFG_MAX_LINKS; link++) {
			const struct corosync_knet_link_status_v1 *ls = &st->link_status[link];

			if (!ls->enabled)
				continue;
			printf("   LINK: %d %s (%s%s%s)%s%s%s mtu: %d\n", link,
			       ct->link_transport[link], ls->src_ipaddr, "->", ls->dst_ipaddr,
			       " enabled", ls->connected ? " connected" : "",
			       ls->dynconnected ? " dynconnected" : "", (int)ls->mtu);
		}
	}
}

static void ct_json_str(const char *s)
{
	syn_cmapctl_json_string(stdout, s, strlen(s));
}

static void ct_json_links(const struct corosync_cfg_node_status_v1 *st, const struct ct *ct)
{
	bool first = true;

	printf("\"links\":[");
	for (int link = 0; link < CFG_MAX_LINKS; link++) {
		const struct corosync_knet_link_status_v1 *ls = &st->link_status[link];

		if (!ls->enabled)
			continue;
		printf("%s{\"link\":%d,\"transport\":", first ? "" : ",", link);
		ct_json_str(ct->link_transport[link]);
		printf(",\"src\":");
		ct_json_str(ls->src_ipaddr);
		printf(",\"dst\":");
		ct_json_str(ls->dst_ipaddr);
		printf(",\"enabled\":true,\"connected\":%s,\"dynconnected\":%s,\"mtu\":%u}",
		       ls->connected ? "true" : "false", ls->dynconnected ? "true" : "false",
		       ls->mtu);
		first = false;
	}
	printf("]");
}

/* -s and -n as JSON: every node with its status and links. */
static void ct_json_status(const struct ct *ct)
{
	printf("{\"local_nodeid\":%u,\"transport\":", ct->local_nodeid);
	ct_json_str(ct->transport);
	printf(",\"nodes\":[");
	for (size_t i = 0; i < ct->n_nodes; i++) {
		const struct corosync_cfg_node_status_v1 *st = &ct->status[i];

		printf("%s{\"nodeid\":%u,\"local\":%s,\"reachable\":%s,\"remote\":%s,"
		       "\"external\":%s,",
		       i ? "," : "", ct->nodes[i],
		       ct->nodes[i] == ct->local_nodeid ? "true" : "false",
		       st->reachable ? "true" : "false", st->remote ? "true" : "false",
		       st->external ? "true" : "false");
		ct_json_links(st, ct);
		printf("}");
	}
	printf("]}\n");
}

static int ct_cmd_status(struct ct *ct)
{
	if (ct_gather(ct) < 0 || ct_fetch_status(ct) < 0)
		return 1;
	if (ct->json) {
		ct_json_status(ct);
		return 0;
	}
	printf("Local node ID %u, transport %s\n", ct->local_nodeid, ct->transport);
	if (ct->cmd == CMD_STATUS)
		ct_print_links(ct);
	else
		ct_print_nodes(ct);
	return 0;
}

static int ct_cmd_addrs(struct ct *ct)
{
	corosync_cfg_node_address_t addrs[CT_MAX_ADDRS];
	int n_addrs = 0;

	if (corosync_cfg_get_node_addrs(ct->cfg, ct->nodeid, CT_MAX_ADDRS, &n_addrs, addrs) !=
	    CS_OK) {
		fprintf(stderr, "Could not get node address for nodeid %d\n", (int)ct->nodeid);
		return 1;
	}
	printf(ct->json ? "{\"nodeid\":%u,\"addresses\":[" : "", ct->nodeid);
	for (int i = 0; i < n_addrs; i++) {
		struct sockaddr_storage storage, *ss = &storage;
		const void *raw;

		/* the address bytes sit unaligned in the reply: copy them out */
		memset(&storage, 0, sizeof(storage));
		memcpy(&storage, addrs[i].address,
		       sizeof(addrs[i].address) < sizeof(storage) ? sizeof(addrs[i].address)
								  : sizeof(storage));
		raw = ss->ss_family == AF_INET6
			      ? (const void *)&((struct sockaddr_in6 *)ss)->sin6_addr
			      : (const void *)&((struct sockaddr_in *)ss)->sin_addr;
		char text[INET6_ADDRSTRLEN] = "";

		inet_ntop(ss->ss_family, raw, text, sizeof(text));
		if (ct->json) {
			printf("%s", i ? "," : "");
			ct_json_str(text);
		} else {
			printf("%s%s", i ? " " : "", text);
		}
	}
	printf(ct->json ? "]}\n" : "\n");
	return 0;
}

/* Commands whose messages print the error name, not its number. */
static int ct_cmd_simple(struct ct *ct, cs_error_t init_err)
{
	cs_error_t err;

	if (ct->cmd == CMD_RELOAD)
		printf("Reloading corosync.conf...\n");
	if (init_err != CS_OK) {
		fprintf(stderr, "Could not initialize corosync configuration API error %s\n",
			cs_strerror(init_err));
		return 1;
	}
	if (ct->cmd == CMD_REOPEN) {
		err = corosync_cfg_reopen_log_files(ct->cfg);
		if (err != CS_OK) {
			fprintf(stderr, "Could not reopen corosync logging files. Error %s\n",
				cs_strerror(err));
			return 1;
		}
		return 0;
	}
	err = corosync_cfg_reload_config(ct->cfg);
	if (err != CS_OK) {
		fprintf(stderr, "Could not reload configuration. Error %s\n", cs_strerror(err));
		return 1;
	}
	printf("Done\n");
	return 0;
}

static int ct_cmd_kill(struct ct *ct)
{
	cs_error_t err = corosync_cfg_kill_node(ct->cfg, ct->nodeid, "Killed by corosync-cfgtool");

	if (err != CS_OK) {
		fprintf(stderr, "Could not kill node (error = %s)\n", cs_strerror(err));
		return 1;
	}
	return 0;
}

static int ct_cmd_shutdown(struct ct *ct)
{
	cs_error_t err;

	err = corosync_cfg_try_shutdown(ct->cfg, ct->force ? COROSYNC_CFG_SHUTDOWN_FLAG_REGARDLESS
							   : COROSYNC_CFG_SHUTDOWN_FLAG_REQUEST);
	for (int tries = 0; err == CS_ERR_TRY_AGAIN && tries < 30; tries++) {
		sleep(1);
		err = corosync_cfg_try_shutdown(ct->cfg,
						ct->force ? COROSYNC_CFG_SHUTDOWN_FLAG_REGARDLESS
							  : COROSYNC_CFG_SHUTDOWN_FLAG_REQUEST);
	}
	if (err != CS_OK) {
		fprintf(stderr, "Could not shutdown (error = %d)\n", err);
		return 1;
	}
	printf("Shutting down corosync\n");
	return 0;
}

static int ct_run(struct ct *ct)
{
	cs_error_t err;

	if (ct->cmd == CMD_KILL)
		printf("Killing node %u\n", ct->nodeid);
	err = corosync_cfg_initialize(&ct->cfg, NULL);
	if (ct->cmd == CMD_RELOAD || ct->cmd == CMD_REOPEN)
		return ct_cmd_simple(ct, err);
	if (err != CS_OK) {
		fprintf(stderr, "Could not initialize corosync configuration API error %d\n", err);
		return 1;
	}
	switch (ct->cmd) {
	case CMD_STATUS:
	case CMD_NODES:
		return ct_cmd_status(ct);
	case CMD_ADDRS:
		return ct_cmd_addrs(ct);
	case CMD_KILL:
		return ct_cmd_kill(ct);
	default:
		return ct_cmd_shutdown(ct);
	}
}

int main(int argc, char **argv)
{
	struct ct ct;
	int rc;

	memset(&ct, 0, sizeof(ct));
	rc = ct_parse_args(&ct, argc, argv);
	if (rc >= 0)
		return rc;
	if (ct.cmd == CMD_NONE) {
		printf("%s", usage_text);
		return 0;
	}
	rc = ct_run(&ct);
	if (ct.cfg)
		corosync_cfg_finalize(ct.cfg);
	free(ct.status);
	return rc;
}
