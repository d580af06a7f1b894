/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmmtool.c - synod-cmmtool: the CMM view of the local node.
 *
 *   synod-cmmtool [--json] [members]   members with roles and flags
 *   synod-cmmtool [--json] master      the master
 *   synod-cmmtool [--json] vicemaster  the vice-master
 *   synod-cmmtool [--json] watch [KIND...]
 *       print notifications as they arrive, one per line, through a
 *       filter made of the listed kinds (ME MD VE VD J L STALE INV VAL;
 *       none = all; "none" = accept nothing).
 *   synod-cmmtool [--json] info NODE | potential NODE
 *       one node, as cmm_member_getinfo / cmm_potential_getinfo see it
 *   synod-cmmtool release | remove | seize | reload
 *       cmm_mastership_release, cmm_membership_remove,
 *       cmm_member_seizequalif, cmm_config_reload
 *   synod-cmmtool setqualif NODE qualified|disqualified|synchro-ready|synchro-needed
 *
 * Exit status 0 on success, 1 on bad usage, 2 when the library fails
 * (its message goes to stderr).  Links only libcgha_cmm.
 */
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmm.h>

static const struct {
	const char *name;
	cmm_cmchanges_t kind;
} kinds[] = {
	{"ME", CMM_MASTER_ELECTED},	 {"MD", CMM_MASTER_DEMOTED},
	{"VE", CMM_VICEMASTER_ELECTED},	 {"VD", CMM_VICEMASTER_DEMOTED},
	{"J", CMM_MEMBER_JOINED},	 {"L", CMM_MEMBER_LEFT},
	{"STALE", CMM_STALE_CLUSTER},	 {"INV", CMM_INVALID_CLUSTER},
	{"VAL", CMM_VALID_CLUSTER},	 {"ELIG", CMM_NODE_ELIGIBLE},
	{"INELIG", CMM_NODE_INELIGIBLE},
};

static volatile sig_atomic_t stop;

static const char *role(const cmm_member_t *m)
{
	if (cmm_member_ismaster(m))
		return "MASTER";
	if (cmm_member_isvicemaster(m))
		return "VICEMASTER";
	if (cmm_member_isoutofcluster(m))
		return "OUT_OF_CLUSTER";
	return "IN_CLUSTER";
}

static void print_member(const cmm_member_t *m, bool json, bool first)
{
	if (json) {
		printf("%s{\"nodeid\":%u,\"name\":\"%s\",\"addr\":\"%s\",\"role\":\"%s\","
		       "\"sflag\":%u,\"eligible\":%s,\"qualified\":%s,\"desynchronized\":%s,"
		       "\"frozen\":%s,\"excluded\":%s,\"incarnation\":%u,\"domainid\":%u}",
		       first ? "" : ",", m->nodeid, m->name, m->addr, role(m), m->sflag,
		       cmm_member_iseligible(m) ? "true" : "false",
		       cmm_member_isqualified(m) ? "true" : "false",
		       cmm_member_isdesynchronized(m) ? "true" : "false",
		       cmm_member_isfrozen(m) ? "true" : "false",
		       cmm_member_isexcluded(m) ? "true" : "false", m->incarnation_number,
		       m->domainid);
		return;
	}
	printf("%-6u %-16s %-15s %-14s 0x%04x %s%s%s%s inc=%u\n", m->nodeid, m->name, m->addr,
	       role(m), m->sflag, cmm_member_iseligible(m) ? "eligible" : "-",
	       cmm_member_isdisqualified(m) ? ",disqualified" : "",
	       cmm_member_isdesynchronized(m) ? ",synchro-needed" : "",
	       cmm_member_isfrozen(m) ? ",frozen" : "", m->incarnation_number);
}

static int fail(const char *what, cmm_error_t err)
{
	fprintf(stderr, "%s: %s\n", what, cmm_strerror(err));
	return 2;
}

static int cmd_members(bool json)
{
	static cmm_member_t table[1024];
	uint32_t n = 0;
	cmm_error_t err = cmm_member_getall(1024, table, &n);

	if (err != CMM_OK && err != CMM_EAGAIN)
		return fail("cmm_member_getall", err);
	if (json)
		printf("{\"stale\":%s,\"members\":[", err == CMM_EAGAIN ? "true" : "false");
	else
		printf("%-6s %-16s %-15s %-14s %-6s flags\n", "nodeid", "name", "addr", "role",
		       "sflag");
	for (uint32_t i = 0; i < n; i++)
		print_member(&table[i], json, i == 0);
	if (json)
		printf("]}\n");
	return 0;
}

static int cmd_one(bool json, bool vice)
{
	cmm_member_t m;
	cmm_error_t err = vice ? cmm_vicemaster_getinfo(&m) : cmm_master_getinfo(&m);

	if (err != CMM_OK && err != CMM_EAGAIN)
		return fail(vice ? "cmm_vicemaster_getinfo" : "cmm_master_getinfo", err);
	print_member(&m, json, true);
	if (json)
		printf("\n");
	return 0;
}

static int cmd_node(bool json, bool potential, const char *arg)
{
	cmm_member_t m;
	cmm_error_t err = potential
				  ? cmm_potential_getinfo((cmm_nodeid_t)strtoul(arg, NULL, 10), &m)
				  : cmm_member_getinfo((cmm_nodeid_t)strtoul(arg, NULL, 10), &m);

	if (err != CMM_OK && err != CMM_EAGAIN)
		return fail(potential ? "cmm_potential_getinfo" : "cmm_member_getinfo", err);
	print_member(&m, json, true);
	if (json)
		printf("\n");
	return 0;
}

static int cmd_setqualif(const char *node, const char *level)
{
	static const struct {
		const char *name;
		cmm_qualif_t value;
	} levels[] = {{"qualified", CMM_QUALIFIED_MEMBER},
		      {"disqualified", CMM_DISQUALIFIED_MEMBER},
		      {"synchro-ready", CMM_SYNCHRO_READY},
		      {"synchro-needed", CMM_SYNCHRO_NEEDED}};
	cmm_error_t err;

	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		if (strcmp(level, levels[i].name) != 0)
			continue;
		err = cmm_member_setqualif((cmm_nodeid_t)strtoul(node, NULL, 10), levels[i].value);
		return err == CMM_OK ? 0 : fail("cmm_member_setqualif", err);
	}
	fprintf(stderr, "unknown qualification level '%s'\n", level);
	return 1;
}

/* The modifying calls without arguments. */
static int cmd_modify(const char *what)
{
	static const struct {
		const char *name, *call;
		cmm_error_t (*fn)(void);
	} ops[] = {{"release", "cmm_mastership_release", cmm_mastership_release},
		   {"remove", "cmm_membership_remove", cmm_membership_remove},
		   {"seize", "cmm_member_seizequalif", cmm_member_seizequalif},
		   {"reload", "cmm_config_reload", cmm_config_reload}};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		cmm_error_t err;

		if (strcmp(what, ops[i].name) != 0)
			continue;
		err = ops[i].fn();
		return err == CMM_OK ? 0 : fail(ops[i].call, err);
	}
	return -1;
}

static const char *kind_name(cmm_cmchanges_t k)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].kind == k)
			return kinds[i].name;
	return "?";
}

static void on_change(const cmm_cmc_notification_t *n, void *data)
{
	bool json = *(bool *)data;

	if (json)
		printf("{\"kind\":\"%s\",\"nodeid\":%u}\n", kind_name(n->cmchange), n->nodeid);
	else
		printf("%s(%u)\n", kind_name(n->cmchange), n->nodeid);
	fflush(stdout);
}

static int set_filter(int argc, char **argv)
{
	cmm_cmchanges_t list[16];
	uint32_t n = 0;

	if (argc == 0)
		return cmm_cmc_filter(CMM_CMC_NOTIFY_ALL, NULL, 0) == CMM_OK ? 0 : 1;
	if (argc == 1 && !strcmp(argv[0], "none"))
		return cmm_cmc_filter(CMM_CMC_NOTIFY_NONE, NULL, 0) == CMM_OK ? 0 : 1;
	for (int a = 0; a < argc && n < 16; a++) {
		size_t i;

		for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			if (!strcmp(argv[a], kinds[i].name))
				break;
		if (i == sizeof(kinds) / sizeof(kinds[0])) {
			fprintf(stderr, "unknown notification kind '%s'\n", argv[a]);
			return 1;
		}
		list[n++] = kinds[i].kind;
	}
	return cmm_cmc_filter(CMM_CMC_NOTIFY_SET, list, n) == CMM_OK ? 0 : 1;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int cmd_watch(bool json, int argc, char **argv)
{
	static bool json_flag;
	struct pollfd pfd = {.events = POLLIN};
	cmm_error_t err;

	json_flag = json;
	if (set_filter(argc, argv) != 0)
		return 1;
	err = cmm_cmc_register(on_change, &json_flag);
	if (err == CMM_OK)
		err = cmm_notify_getfd(&pfd.fd);
	if (err != CMM_OK)
		return fail("cmm_cmc_register", err);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	printf(json ? "{\"watching\":true}\n" : "watching\n");
	fflush(stdout);
	while (!stop) {
		if (poll(&pfd, 1, 200) < 0)
			continue;
		err = cmm_notify_dispatch();
		if (err != CMM_OK)
			return fail("cmm_notify_dispatch", err);
	}
	return 0;
}

int main(int argc, char **argv)
{
	bool json = false;
	int a = 1, rc;

	if (a < argc && !strcmp(argv[a], "--json")) {
		json = true;
		a++;
	}
	if (a >= argc || !strcmp(argv[a], "members"))
		return cmd_members(json);
	if (!strcmp(argv[a], "master"))
		return cmd_one(json, false);
	if (!strcmp(argv[a], "vicemaster"))
		return cmd_one(json, true);
	if (!strcmp(argv[a], "watch"))
		return cmd_watch(json, argc - a - 1, argv + a + 1);
	if ((!strcmp(argv[a], "info") || !strcmp(argv[a], "potential")) && a + 1 < argc)
		return cmd_node(json, argv[a][0] == 'p', argv[a + 1]);
	if (!strcmp(argv[a], "setqualif") && a + 2 < argc)
		return cmd_setqualif(argv[a + 1], argv[a + 2]);
	rc = cmd_modify(argv[a]);
	if (rc >= 0)
		return rc;
	fprintf(stderr,
		"usage: synod-cmmtool [--json] [members|master|vicemaster|watch [KIND...]|"
		"info NODE|potential NODE|release|remove|seize|reload|setqualif NODE LEVEL]\n");
	return 1;
}
