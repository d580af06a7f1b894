/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmm_client.c - a CMM application driven line by line from stdin, for
 * the multi-node test (cmm.sh): the library-level scenarios T24-T28 need
 * a process that registers, filters and dispatches at chosen moments.
 *
 * Commands (one per line) and what each prints:
 *   register | unregister | getfd      "<cmd> <CMM_xxx>"
 *   filter all|none                     "filter <CMM_xxx>"
 *   filter set|add|rem KIND...          idem (kinds: ME MD VE VD J L STALE INV VAL)
 *   filter-errors                       the four invalid calls of T25, one result each
 *   readable                            "readable yes|no" (poll of the descriptor, 2 s)
 *   dispatch                            "cb KIND(node)" per callback, then "dispatch <CMM_xxx>"
 *   getid                               "getid <CMM_xxx> <node>"
 * Every command ends with a line "end"; the script waits for it.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmm.h>

static const struct {
	const char *name;
	cmm_cmchanges_t kind;
} kinds[] = {
	{"ME", CMM_MASTER_ELECTED},	{"MD", CMM_MASTER_DEMOTED},
	{"VE", CMM_VICEMASTER_ELECTED}, {"VD", CMM_VICEMASTER_DEMOTED},
	{"J", CMM_MEMBER_JOINED},	{"L", CMM_MEMBER_LEFT},
	{"STALE", CMM_STALE_CLUSTER},	{"INV", CMM_INVALID_CLUSTER},
	{"VAL", CMM_VALID_CLUSTER},
};
#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))

static const char *err_name(cmm_error_t err)
{
	static char buf[64];
	const char *s = cmm_strerror(err);
	size_t n = strcspn(s, ":");

	snprintf(buf, sizeof(buf), "%.*s", (int)n, s);
	return buf;
}

static void on_change(const cmm_cmc_notification_t *n, void *data)
{
	(void)data;
	for (size_t i = 0; i < N_KINDS; i++)
		if (kinds[i].kind == n->cmchange)
			printf("cb %s(%u)\n", kinds[i].name, n->nodeid);
}

static void do_filter(char *args)
{
	static const struct {
		const char *name;
		cmm_cmcfilter_t action;
	} actions[] = {{"all", CMM_CMC_NOTIFY_ALL},
		       {"none", CMM_CMC_NOTIFY_NONE},
		       {"set", CMM_CMC_NOTIFY_SET},
		       {"add", CMM_CMC_NOTIFY_ADD},
		       {"rem", CMM_CMC_NOTIFY_REM}};
	cmm_cmchanges_t list[N_KINDS];
	uint32_t n = 0;
	char *tok = strtok(args, " \n");
	size_t a;

	for (a = 0; tok && a < 5 && strcmp(tok, actions[a].name) != 0; a++)
		;
	if (!tok || a == 5) {
		printf("filter bad-usage\n");
		return;
	}
	while ((tok = strtok(NULL, " \n")) && n < N_KINDS)
		for (size_t i = 0; i < N_KINDS; i++)
			if (!strcmp(tok, kinds[i].name))
				list[n++] = kinds[i].kind;
	printf("filter %s\n", err_name(cmm_cmc_filter(actions[a].action, n ? list : NULL, n)));
}

static void do_filter_errors(void)
{
	cmm_cmchanges_t list[1] = {CMM_MEMBER_JOINED};

	printf("filter-set-null %s\n", err_name(cmm_cmc_filter(CMM_CMC_NOTIFY_SET, NULL, 1)));
	printf("filter-set-zero %s\n", err_name(cmm_cmc_filter(CMM_CMC_NOTIFY_SET, list, 0)));
	printf("filter-99 %s\n", err_name(cmm_cmc_filter((cmm_cmcfilter_t)99, list, 1)));
	printf("filter-all-null %s\n", err_name(cmm_cmc_filter(CMM_CMC_NOTIFY_ALL, NULL, 0)));
}

static void do_readable(void)
{
	struct pollfd pfd = {.events = POLLIN};
	cmm_error_t err = cmm_notify_getfd(&pfd.fd);

	printf("readable %s\n", err == CMM_OK && poll(&pfd, 1, 2000) == 1 ? "yes" : "no");
}

static void run(char *line)
{
	char *cmd = strtok(line, " \n");
	char *rest = cmd ? cmd + strlen(cmd) + 1 : NULL;
	int fd;
	cmm_nodeid_t me;
	cmm_error_t err;

	if (!cmd)
		return;
	if (!strcmp(cmd, "register")) {
		printf("register %s\n", err_name(cmm_cmc_register(on_change, NULL)));
	} else if (!strcmp(cmd, "unregister")) {
		printf("unregister %s\n", err_name(cmm_cmc_unregister()));
	} else if (!strcmp(cmd, "getfd")) {
		printf("getfd %s\n", err_name(cmm_notify_getfd(&fd)));
	} else if (!strcmp(cmd, "filter")) {
		do_filter(rest);
	} else if (!strcmp(cmd, "filter-errors")) {
		do_filter_errors();
	} else if (!strcmp(cmd, "readable")) {
		do_readable();
	} else if (!strcmp(cmd, "dispatch")) {
		err = cmm_notify_dispatch();
		printf("dispatch %s\n", err_name(err));
	} else if (!strcmp(cmd, "getid")) {
		err = cmm_node_getid(&me);
		printf("getid %s %u\n", err_name(err), me);
	} else {
		printf("unknown %s\n", cmd);
	}
}

int main(void)
{
	char line[512];

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("ready\nend\n");
	while (fgets(line, sizeof(line), stdin)) {
		if (!strncmp(line, "quit", 4))
			break;
		run(line);
		printf("end\n");
	}
	return 0;
}
