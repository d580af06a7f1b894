/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cpgtool.c - synod-cpgtool: the closed process groups of the cluster and
 * their members, with corosync-cpgtool's options and output (shared spec
 * cpg.md 8.4), plus --json.  Group names are printed byte by byte over
 * their length; bytes outside 0x20-0x7e and the backslash are escaped as
 * \xHH and \\ unless -e.  The listing comes from a CPG iteration (the
 * daemon's order); addresses from cfg.
 *
 *   synod-cpgtool [-d delimiter] [-e] [-n] [-h] [--json]
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <corosync/cfg.h>
#include <corosync/cpg.h>

#define CPGTOOL_ADDRS_MAX 8

struct tool {
	cpg_handle_t cpg;
	corosync_cfg_handle_t cfg;
	char delimiter;
	int escape;
	int json;
};

static void print_addrs(const struct tool *t, unsigned int nodeid, int json)
{
	corosync_cfg_node_address_t addrs[CPGTOOL_ADDRS_MAX];
	int n = 0, printed = 0;

	if (corosync_cfg_get_node_addrs(t->cfg, nodeid, CPGTOOL_ADDRS_MAX, &n, addrs) != CS_OK)
		return;
	for (int i = 0; i < n && i < CPGTOOL_ADDRS_MAX; i++) {
		/* the address bytes are not aligned for a sockaddr: copy them out */
		struct sockaddr_storage storage;
		const struct sockaddr_storage *ss = &storage;
		char buf[INET6_ADDRSTRLEN];
		const void *a;

		memset(&storage, 0, sizeof(storage));
		memcpy(&storage, addrs[i].address, sizeof(addrs[i].address));
		if (!ss->ss_family)
			continue;
		a = ss->ss_family == AF_INET6
			    ? (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr
			    : (const void *)&((const struct sockaddr_in *)ss)->sin_addr;
		inet_ntop(ss->ss_family, a, buf, sizeof(buf));
		if (json)
			printf("%s\"%s\"", printed ? ", " : "", buf);
		else
			printf("%s%s", i ? " " : "", buf);
		printed++;
	}
}

static void print_group(const struct tool *t, const struct cpg_name *g)
{
	for (uint32_t i = 0; i < g->length && i < CPG_MAX_NAME_LENGTH; i++) {
		char c = g->value[i];

		if (!t->escape || (c >= ' ' && c < 0x7f && c != '\\'))
			putchar(c);
		else if (c == '\\')
			fputs("\\\\", stdout);
		else
			printf("\\x%02X", (unsigned char)c);
	}
}

/* JSON string of the name's bytes; \u00HH for anything not printable. */
static void print_group_json(const struct cpg_name *g)
{
	putchar('"');
	for (uint32_t i = 0; i < g->length && i < CPG_MAX_NAME_LENGTH; i++) {
		unsigned char c = (unsigned char)g->value[i];

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c >= ' ' && c < 0x7f)
			putchar(c);
		else
			printf("\\u%04x", c);
	}
	putchar('"');
}

static int names_only(const struct tool *t)
{
	cpg_iteration_handle_t it;
	struct cpg_iteration_description_t d;
	cs_error_t err = cpg_iteration_initialize(t->cpg, CPG_ITERATION_NAME_ONLY, NULL, &it);
	int first = 1;

	if (err != CS_OK) {
		fprintf(stderr, "Cannot initialize cpg iterator error %d\n", err);
		return 0;
	}
	if (t->json)
		printf("{\"groups\": [");
	while (cpg_iteration_next(it, &d) == CS_OK) {
		if (t->json) {
			printf("%s", first ? "" : ", ");
			print_group_json(&d.group);
		} else {
			print_group(t, &d.group);
			putchar(t->delimiter ? t->delimiter : '\n');
		}
		first = 0;
	}
	if (t->json)
		printf("]}\n");
	else if (t->delimiter)
		putchar('\n');
	cpg_iteration_finalize(it);
	return 1;
}

static int same_group(const struct cpg_name *a, const struct cpg_name *b)
{
	return a->length == b->length && memcmp(a->value, b->value, a->length) == 0;
}

static int with_members(const struct tool *t)
{
	cpg_iteration_handle_t it;
	struct cpg_iteration_description_t d;
	struct cpg_name prev;
	cs_error_t err = cpg_iteration_initialize(t->cpg, CPG_ITERATION_ALL, NULL, &it);
	int n_groups = 0;

	if (err != CS_OK) {
		fprintf(stderr, "Cannot initialize cpg iterator error %d\n", err);
		return 0;
	}
	memset(&prev, 0, sizeof(prev));
	if (t->json)
		printf("{\"groups\": [");
	else if (t->delimiter)
		printf("GRP_NAME%cPID%cNODEID\n", t->delimiter, t->delimiter);
	else
		printf("Group Name\t%10s\t%10s\n", "PID", "Node ID");
	while ((err = cpg_iteration_next(it, &d)) == CS_OK) {
		int new_group = !same_group(&prev, &d.group);

		if (t->json) {
			if (new_group) {
				printf("%s{\"name\": ", n_groups ? "]}, " : "");
				print_group_json(&d.group);
				printf(", \"members\": [");
			} else {
				printf(", ");
			}
			printf("{\"pid\": %u, \"nodeid\": %u, \"addresses\": [", d.pid, d.nodeid);
			print_addrs(t, d.nodeid, 1);
			printf("]}");
		} else if (t->delimiter) {
			print_group(t, &d.group);
			printf("%c%u%c%u\n", t->delimiter, d.pid, t->delimiter, d.nodeid);
		} else {
			if (new_group) {
				print_group(t, &d.group);
				putchar('\n');
			}
			printf("\t\t%10u\t%10u (", d.pid, d.nodeid);
			print_addrs(t, d.nodeid, 0);
			printf(")\n");
		}
		if (new_group) {
			prev = d.group;
			n_groups++;
		}
	}
	if (t->json)
		printf("%s]}\n", n_groups ? "]}" : "");
	if (err != CS_ERR_NO_SECTIONS) {
		fprintf(stderr, "cpg iteration error %d\n", err);
		return 0;
	}
	cpg_iteration_finalize(it);
	return 1;
}

static void usage(const char *prog)
{
	printf("%s [-d delimiter] [-e] [-n] [-h]\n\n", prog);
	printf("A tool for displaying cpg groups and members.\n");
	printf("options:\n");
	printf("\t-d\tDelimiter between fields.\n");
	printf("\t-e\tDon't escape unprintable characters in group name.\n");
	printf("\t-n\tDisplay only all existing group names.\n");
	printf("\t-h\tDisplay this help.\n");
	printf("\t--json\tPrint JSON.\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {{"json", no_argument, NULL, 'j'}, {0, 0, 0, 0}};
	struct tool t = {.escape = 1};
	int names = 0, opt, ok;
	cs_error_t err;

	while ((opt = getopt_long(argc, argv, "hd:ne", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			if (optarg[0])
				t.delimiter = optarg[0];
			break;
		case 'n':
			names = 1;
			break;
		case 'e':
			t.escape = 0;
			break;
		case 'j':
			t.json = 1;
			break;
		case 'h':
			usage(basename(argv[0]));
			return EXIT_SUCCESS;
		default:
			return EXIT_FAILURE;
		}
	}
	err = cpg_initialize(&t.cpg, NULL);
	if (err != CS_OK) {
		fprintf(stderr, "Could not initialize corosync cpg API error %d\n", err);
		return EXIT_FAILURE;
	}
	err = corosync_cfg_initialize(&t.cfg, NULL);
	if (err != CS_OK) {
		fprintf(stderr, "Could not initialize corosync configuration API error %d\n", err);
		return EXIT_FAILURE;
	}
	ok = names ? names_only(&t) : with_members(&t);
	cpg_finalize(t.cpg);
	corosync_cfg_finalize(t.cfg);
	return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
