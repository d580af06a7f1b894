/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * quorumtool.c - synod-quorumtool: show and change the quorum state.
 *
 * A drop-in for corosync-quorumtool 3.1.7: the same options (POSIX getopt
 * string "VHaslpmfe:v:hin:o:", the last command option wins), messages,
 * output bytes and exit codes (votequorum.md §11), and the same sequence
 * of library calls (ipc-wire.md §9.2).  Exit status of -s and -m: 0 when
 * quorate, 2 when not, 1 on errors.  Additions:
 *
 *   --json   -s, -l and -m print the same information as JSON (one object;
 *            -m prints one object per line and change).  Commands that print
 *            nothing on success still print nothing; errors stay plain text
 *            on stderr.
 *
 * Deliberate differences: -V prints synod's version; without a quorum
 * provider -s prints the quorum section and succeeds instead of failing
 * on the votequorum handle (votequorum.md §11.3).
 *
 * The tool links only the public client libraries.  Everything it knows
 * is fetched per invocation; nothing is cached between commands.
 */
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <corosync/cfg.h>
#include <corosync/cmap.h>
#include <corosync/corotypes.h>
#include <corosync/quorum.h>
#include <corosync/votequorum.h>

#include "cmapctl_fmt.h"

#define QT_MAX_ADDRS 16
#define QT_NAME_LEN 1024
#define QT_PROVIDER_VQ "corosync_votequorum"

enum qt_cmd { CMD_STATUS, CMD_LIST, CMD_MONITOR, CMD_EXPECTED, CMD_VOTES, CMD_UNREG };
enum qt_order { ORDER_ADDR, ORDER_NAME, ORDER_ID };

/* One row of the membership table. */
struct qt_row {
	uint32_t nodeid;
	unsigned int votes;
	unsigned int flags;
	char name[QT_NAME_LEN];
};

struct qt {
	/* options */
	enum qt_cmd cmd;
	enum qt_order order;
	bool hex, numeric, all_addrs, machine, json;
	long long expected, votes;
	uint32_t votes_nodeid;
	/* connections */
	cmap_handle_t cmap;
	quorum_handle_t quorum;
	votequorum_handle_t vq;
	corosync_cfg_handle_t cfg;
	bool have_vq;
	uint32_t quorum_type;
	uint32_t our_nodeid;
	/* latest notifications */
	bool got_quorum, got_nodelist;
	int quorate;
	uint64_t ring_seq;
	votequorum_ring_id_t ring_id;
	uint32_t *view;
	uint32_t n_view;
	/* membership table being printed */
	struct qt_row *rows;
	size_t n_rows;
};

static const char usage_fmt[] =
	"usage: \n"
	"%s <options>\n"
	"\n"
	"  options:\n"
	"\n"
	"  -s             show quorum status\n"
	"  -m             constantly monitor quorum status\n"
	"  -l             list nodes\n"
	"  -a             show all names or addresses for each node\n"
	"  -p             when used with -s or -l, generates machine parsable output\n"
	"  -v <votes>     change the number of votes for a node (*)\n"
	"  -n <nodeid>    optional nodeid of node for -v\n"
	"  -e <expected>  change expected votes for the cluster (*)\n"
	"  -H             show nodeids in hexadecimal rather than decimal\n"
	"  -i             show node IP addresses instead of the resolved name\n"
	"  -o <a|n|i>     order by [a] IP address (default), [n] name, [i] nodeid\n"
	"  -f             forcefully unregister a quorum device *DANGEROUS* (*)\n"
	"  -h             show this help text\n"
	"  -V             show version and exit\n"
	"\n"
	"  (*) Starred items only work if votequorum is the quorum provider for corosync\n\n";

static const char json_help[] = "  --json         print -s, -l and -m output as JSON\n\n";

/* A decimal number with nothing after it, within [min, max]. */
static bool qt_parse_num(const char *text, long long min, long long max, long long *out)
{
	char *end = NULL;
	long long v = strtoll(text, &end, 10);

	if (end == text || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* Handles one option letter; returns -1 to go on, else an exit status. */
static int qt_option(struct qt *qt, int c, const char *prog)
{
	long long v;

	switch (c) {
	case 'V':
		printf("corosync-quorumtool version: %s\n", SYN_VERSION);
		return 0;
	case 'H':
		qt->hex = true;
		break;
	case 'a':
		qt->all_addrs = true;
		break;
	case 'i':
		qt->numeric = true;
		break;
	case 'p':
		qt->machine = true;
		break;
	case 's':
		qt->cmd = CMD_STATUS;
		break;
	case 'l':
		qt->cmd = CMD_LIST;
		break;
	case 'm':
		qt->cmd = CMD_MONITOR;
		break;
	case 'f':
		qt->cmd = CMD_UNREG;
		break;
	case 'J':
		qt->json = true;
		break;
	case 'e':
		if (!qt_parse_num(optarg, 1, INT_MAX, &qt->expected)) {
			fprintf(stderr,
				"New expected votes value was not valid, try a positive number\n");
			return 1;
		}
		qt->cmd = CMD_EXPECTED;
		break;
	case 'v':
		if (!qt_parse_num(optarg, 0, INT_MAX, &qt->votes)) {
			fprintf(stderr,
				"New votes value was not valid, try a positive number or zero\n");
			return 1;
		}
		qt->cmd = CMD_VOTES;
		break;
	case 'n':
		if (!qt_parse_num(optarg, 1, UINT32_MAX, &v)) {
			fprintf(stderr, "The nodeid was not valid, try a positive number\n");
			return 1;
		}
		qt->votes_nodeid = (uint32_t)v;
		break;
	case 'o':
		if (optarg[0] == 'a') {
			qt->order = ORDER_ADDR;
		} else if (optarg[0] == 'n') {
			qt->order = ORDER_NAME;
		} else if (optarg[0] == 'i') {
			qt->order = ORDER_ID;
		} else {
			fprintf(stderr, "Invalid ordering option. valid orders are a(address), "
					"i(node ID) or n(name)\n");
			return 1;
		}
		break;
	case 'h':
		printf(usage_fmt, prog);
		if (qt->json)
			fputs(json_help, stdout);
		return 0;
	default:
		printf(usage_fmt, prog);
		return 1;
	}
	return -1;
}

static int qt_parse_args(struct qt *qt, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'J'},
		{NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "VHaslpmfe:v:hin:o:", longopts, NULL)) != -1) {
		int rc = qt_option(qt, c, argv[0]);

		if (rc >= 0)
			return rc;
	}
	return -1;
}

static void qt_quorum_cb(quorum_handle_t handle, uint32_t quorate, uint64_t ring_seq,
			 uint32_t n_view, uint32_t *view)
{
	const void *ctx = NULL;
	struct qt *qt;
	uint32_t *copy;

	if (quorum_context_get(handle, &ctx) != CS_OK || ctx == NULL)
		return;
	qt = (struct qt *)ctx;
	copy = calloc(n_view ? n_view : 1, sizeof(*copy));
	if (copy == NULL)
		return;
	if (n_view)
		memcpy(copy, view, n_view * sizeof(*copy));
	free(qt->view);
	qt->view = copy;
	qt->n_view = n_view;
	qt->quorate = (int)quorate;
	qt->ring_seq = ring_seq;
	qt->got_quorum = true;
}

static void qt_vq_nodelist_cb(votequorum_handle_t handle, uint64_t context,
			      votequorum_ring_id_t ring_id, uint32_t n_nodes, uint32_t nodes[])
{
	void *ctx = NULL;
	struct qt *qt;

	(void)context;
	(void)n_nodes;
	(void)nodes;
	if (votequorum_context_get(handle, &ctx) != CS_OK || ctx == NULL)
		return;
	qt = ctx;
	qt->ring_id = ring_id;
	qt->got_nodelist = true;
}

/* Connects everything the reference connects, in its order. */
static int qt_connect(struct qt *qt)
{
	quorum_callbacks_t qcb = {.quorum_notify_fn = qt_quorum_cb};
	votequorum_callbacks_t vcb = {.votequorum_nodelist_notify_fn = qt_vq_nodelist_cb};
	char *provider = NULL;

	if (cmap_initialize(&qt->cmap) != CS_OK) {
		fprintf(stderr, "Cannot initialize CMAP service\n");
		return -1;
	}
	if (quorum_initialize(&qt->quorum, &qcb, &qt->quorum_type) != CS_OK) {
		fprintf(stderr, "Cannot initialize QUORUM service\n");
		return -1;
	}
	quorum_context_set(qt->quorum, qt);
	if (corosync_cfg_initialize(&qt->cfg, NULL) != CS_OK) {
		fprintf(stderr, "Cannot initialise CFG service\n");
		return -1;
	}
	if (cmap_get_string(qt->cmap, "quorum.provider", &provider) == CS_OK &&
	    strcmp(provider, QT_PROVIDER_VQ) == 0)
		qt->have_vq = true;
	free(provider);
	if (!qt->have_vq)
		return 0;
	if (votequorum_initialize(&qt->vq, &vcb) != CS_OK) {
		fprintf(stderr, "Cannot initialise VOTEQUORUM service\n");
		qt->have_vq = false;
		return -1;
	}
	votequorum_context_set(qt->vq, qt);
	if (cmap_get_uint32(qt->cmap, "runtime.votequorum.this_node_id", &qt->our_nodeid) !=
	    CS_OK) {
		fprintf(stderr, "Unable to retrieve this_node_id\n");
		return -1;
	}
	return 0;
}

static void qt_disconnect(struct qt *qt)
{
	if (qt->have_vq)
		votequorum_finalize(qt->vq);
	if (qt->cfg)
		corosync_cfg_finalize(qt->cfg);
	if (qt->quorum)
		quorum_finalize(qt->quorum);
	if (qt->cmap)
		cmap_finalize(qt->cmap);
	free(qt->view);
	free(qt->rows);
}

/* The nodelist name configured for nodeid, or false. */
static bool qt_nodelist_name(struct qt *qt, uint32_t nodeid, char *buf, size_t len)
{
	cmap_iter_handle_t iter;
	char key[CMAP_KEYNAME_MAXLEN + 1];
	size_t value_len;
	cmap_value_types_t type;
	bool found = false;

	if (cmap_iter_init(qt->cmap, "nodelist.node.", &iter) != CS_OK)
		return false;
	while (!found && cmap_iter_next(qt->cmap, iter, key, &value_len, &type) == CS_OK) {
		unsigned int idx;
		uint32_t id;
		char idkey[CMAP_KEYNAME_MAXLEN + 1], *name = NULL;
		int end = 0;

		if (sscanf(key, "nodelist.node.%u.nodeid%n", &idx, &end) != 1 || key[end] != '\0')
			continue;
		if (cmap_get_uint32(qt->cmap, key, &id) != CS_OK || id != nodeid)
			continue;
		snprintf(idkey, sizeof(idkey), "nodelist.node.%u.name", idx);
		if (cmap_get_string(qt->cmap, idkey, &name) == CS_OK) {
			snprintf(buf, len, "%s", name);
			found = true;
		}
		free(name);
	}
	cmap_iter_finalize(qt->cmap, iter);
	return found;
}

static void qt_append(char *buf, size_t len, const char *s)
{
	size_t used = strlen(buf), n = strlen(s);

	/* Names longer than the column buffer are cut, never overflowed. */
	if (used + 1 >= len)
		return;
	if (n > len - used - 1)
		n = len - used - 1;
	memcpy(buf + used, s, n);
	buf[used + n] = '\0';
}

/* The Name column: nodelist name and/or resolved addresses, ", "-joined. */
static void qt_node_name(struct qt *qt, uint32_t nodeid, char *buf, size_t len)
{
	corosync_cfg_node_address_t addrs[QT_MAX_ADDRS];
	int n_addrs = 0;
	cs_error_t err;

	buf[0] = '\0';
	err = corosync_cfg_get_node_addrs(qt->cfg, nodeid, QT_MAX_ADDRS, &n_addrs, addrs);
	if (err != CS_OK) {
		fprintf(stderr, "Unable to get node address for nodeid %u: %s\n", nodeid,
			cs_strerror(err));
		return;
	}
	for (int i = 0; i < n_addrs && (i == 0 || qt->all_addrs); i++) {
		char host[NI_MAXHOST];
		struct sockaddr *sa = (struct sockaddr *)addrs[i].address;
		socklen_t sa_len = (socklen_t)addrs[i].address_length;

		if (i > 0)
			qt_append(buf, len, ", ");
		if (i == 0 && !qt->numeric && qt_nodelist_name(qt, nodeid, host, sizeof(host))) {
			qt_append(buf, len, host);
			continue;
		}
		if (getnameinfo(sa, sa_len, host, sizeof(host), NULL, 0,
				qt->numeric ? NI_NUMERICHOST : 0) == 0)
			qt_append(buf, len, host);
	}
}

static int qt_cmp_id(const void *a, const void *b)
{
	const struct qt_row *x = a, *y = b;

	return (x->nodeid > y->nodeid) - (x->nodeid < y->nodeid);
}

static int qt_cmp_name(const void *a, const void *b)
{
	const struct qt_row *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/* Fills qt->rows from the quorum view; returns false on allocation failure. */
static bool qt_collect_rows(struct qt *qt)
{
	free(qt->rows);
	qt->n_rows = 0;
	qt->rows = calloc(qt->n_view ? qt->n_view : 1, sizeof(*qt->rows));
	if (qt->rows == NULL)
		return false;
	for (uint32_t i = 0; i < qt->n_view; i++) {
		struct qt_row *row = &qt->rows[qt->n_rows++];
		struct votequorum_info info;

		row->nodeid = qt->view[i];
		if (qt->have_vq) {
			memset(&info, 0, sizeof(info));
			if (votequorum_getinfo(qt->vq, row->nodeid, &info) != CS_OK)
				fprintf(stderr, "Unable to get node %u info\n", row->nodeid);
			row->votes = info.node_votes;
			row->flags = info.flags;
		}
		qt_node_name(qt, row->nodeid, row->name, sizeof(row->name));
	}
	if (qt->order == ORDER_ID)
		qsort(qt->rows, qt->n_rows, sizeof(*qt->rows), qt_cmp_id);
	else if (qt->order == ORDER_NAME)
		qsort(qt->rows, qt->n_rows, sizeof(*qt->rows), qt_cmp_name);
	return true;
}

static bool qt_any_qdevice(const struct qt *qt)
{
	for (size_t i = 0; i < qt->n_rows; i++)
		if (qt->rows[i].flags & VOTEQUORUM_INFO_QDEVICE_REGISTERED)
			return true;
	return false;
}

static void qt_print_id(const struct qt *qt, uint32_t nodeid)
{
	if (qt->hex)
		printf("0x%08x ", nodeid);
	else
		printf("%10u ", nodeid);
}

static void qt_print_qdevice_cell(unsigned int flags)
{
	char cell[16];

	if (!(flags & VOTEQUORUM_INFO_QDEVICE_REGISTERED)) {
		printf("%10s ", "NR");
		return;
	}
	snprintf(cell, sizeof(cell), "%s,%s,%s",
		 (flags & VOTEQUORUM_INFO_QDEVICE_ALIVE) ? "A" : "NA",
		 (flags & VOTEQUORUM_INFO_QDEVICE_CAST_VOTE) ? "V" : "NV",
		 (flags & VOTEQUORUM_INFO_QDEVICE_MASTER_WINS) ? "MW" : "NMW");
	printf("%10s ", cell);
}

/* The final table row describing the quorum device, from the local view. */
static void qt_print_device_row(struct qt *qt)
{
	struct votequorum_info info;
	bool casting;

	memset(&info, 0, sizeof(info));
	votequorum_getinfo(qt->vq, qt->our_nodeid, &info);
	casting = (info.flags & VOTEQUORUM_INFO_QDEVICE_CAST_VOTE) != 0;
	qt_print_id(qt, 0);
	printf("%10u %10s %s", casting ? info.qdevice_votes : 0, "", info.qdevice_name);
	if (!casting)
		printf(" (votes %u)", info.qdevice_votes);
	printf("\n");
}

/* The membership table (votequorum.md §11.5), starting with a blank line. */
static int qt_print_table(struct qt *qt)
{
	bool qdev;

	if (!qt_collect_rows(qt))
		return -1;
	qdev = qt->have_vq && (qt->machine || qt_any_qdevice(qt));
	printf("\nMembership information\n----------------------\n");
	printf("%10s ", "Nodeid");
	if (qt->have_vq)
		printf("%10s ", "Votes");
	if (qdev)
		printf("%10s ", "Qdevice");
	printf("Name\n");
	for (size_t i = 0; i < qt->n_rows; i++) {
		const struct qt_row *row = &qt->rows[i];

		qt_print_id(qt, row->nodeid);
		if (qt->have_vq)
			printf("%10u ", row->votes);
		if (qdev)
			qt_print_qdevice_cell(row->flags);
		printf("%s%s\n", row->name, row->nodeid == qt->our_nodeid ? " (local)" : "");
	}
	if (qt->have_vq && qt_any_qdevice(qt))
		qt_print_device_row(qt);
	return 0;
}

static const struct {
	unsigned int bit;
	const char *word;
} qt_flag_words[] = {
	{VOTEQUORUM_INFO_TWONODE, "2Node"},
	{VOTEQUORUM_INFO_QUORATE, "Quorate"},
	{VOTEQUORUM_INFO_WAIT_FOR_ALL, "WaitForAll"},
	{VOTEQUORUM_INFO_LAST_MAN_STANDING, "LastManStanding"},
	{VOTEQUORUM_INFO_AUTO_TIE_BREAKER, "AutoTieBreaker"},
	{VOTEQUORUM_INFO_ALLOW_DOWNSCALE, "AllowDownscale"},
	{VOTEQUORUM_INFO_QDEVICE_REGISTERED, "Qdevice"},
};

static void qt_print_flags(unsigned int flags)
{
	printf("Flags:            ");
	for (size_t i = 0; i < sizeof(qt_flag_words) / sizeof(qt_flag_words[0]); i++)
		if (flags & qt_flag_words[i].bit)
			printf("%s ", qt_flag_words[i].word);
	printf("\n");
}

static void qt_json_flag_words(unsigned int flags)
{
	bool first = true;

	printf("[");
	for (size_t i = 0; i < sizeof(qt_flag_words) / sizeof(qt_flag_words[0]); i++) {
		if (flags & qt_flag_words[i].bit) {
			printf("%s\"%s\"", first ? "" : ",", qt_flag_words[i].word);
			first = false;
		}
	}
	printf("]");
}

static void qt_json_str(const char *s)
{
	syn_cmapctl_json_string(stdout, s, strlen(s));
}

/* "members":[...],"qdevice":{...}|null -- the table as JSON. */
static int qt_json_members(struct qt *qt)
{
	struct votequorum_info info;

	if (!qt_collect_rows(qt))
		return -1;
	printf("\"members\":[");
	for (size_t i = 0; i < qt->n_rows; i++) {
		const struct qt_row *row = &qt->rows[i];

		printf("%s{\"nodeid\":%u,", i ? "," : "", row->nodeid);
		if (qt->have_vq) {
			printf("\"votes\":%u,\"qdevice\":", row->votes);
			if (row->flags & VOTEQUORUM_INFO_QDEVICE_REGISTERED)
				printf("{\"alive\":%s,\"cast_vote\":%s,\"master_wins\":%s},",
				       (row->flags & VOTEQUORUM_INFO_QDEVICE_ALIVE) ? "true"
										    : "false",
				       (row->flags & VOTEQUORUM_INFO_QDEVICE_CAST_VOTE) ? "true"
											: "false",
				       (row->flags & VOTEQUORUM_INFO_QDEVICE_MASTER_WINS)
					       ? "true"
					       : "false");
			else
				printf("null,");
		}
		printf("\"name\":");
		qt_json_str(row->name);
		printf(",\"local\":%s}", row->nodeid == qt->our_nodeid ? "true" : "false");
	}
	printf("],\"qdevice\":");
	if (!qt->have_vq || !qt_any_qdevice(qt)) {
		printf("null");
		return 0;
	}
	memset(&info, 0, sizeof(info));
	votequorum_getinfo(qt->vq, qt->our_nodeid, &info);
	printf("{\"name\":");
	qt_json_str(info.qdevice_name);
	printf(",\"votes\":%u,\"cast_vote\":%s}", info.qdevice_votes,
	       (info.flags & VOTEQUORUM_INFO_QDEVICE_CAST_VOTE) ? "true" : "false");
	return 0;
}

static int qt_json_list(struct qt *qt)
{
	int rc;

	printf("{");
	rc = qt_json_members(qt);
	printf("}\n");
	return rc;
}

static void qt_json_votequorum(struct qt *qt)
{
	struct votequorum_info info;

	memset(&info, 0, sizeof(info));
	votequorum_getinfo(qt->vq, qt->our_nodeid, &info);
	printf("\"votequorum\":{\"expected_votes\":%u,\"highest_expected\":%u,"
	       "\"total_votes\":%u,\"quorum\":%u,\"activity_blocked\":%s,\"flags\":",
	       info.node_expected_votes, info.highest_expected, info.total_votes, info.quorum,
	       qt->quorate ? "false" : "true");
	qt_json_flag_words(info.flags);
	printf("},");
}

static int qt_json_status(struct qt *qt, const char *provider)
{
	char ring[64];
	int rc;

	printf("{\"date\":%lld,\"quorum_provider\":", (long long)time(NULL));
	qt_json_str(qt->quorum_type ? provider : "Not configured");
	if (qt->have_vq)
		snprintf(ring, sizeof(ring), "%x.%" PRIx64, qt->ring_id.nodeid, qt->ring_seq);
	else
		snprintf(ring, sizeof(ring), "%" PRIx64, qt->ring_seq);
	printf(",\"nodes\":%u,\"node_id\":%u,\"ring_id\":\"%s\",\"quorate\":%s,", qt->n_view,
	       qt->our_nodeid, ring, qt->quorate ? "true" : "false");
	if (qt->have_vq)
		qt_json_votequorum(qt);
	rc = qt_json_members(qt);
	printf("}\n");
	return rc;
}

static void qt_print_votequorum(struct qt *qt)
{
	struct votequorum_info info;
	cs_error_t err;

	memset(&info, 0, sizeof(info));
	err = votequorum_getinfo(qt->vq, qt->our_nodeid, &info);
	if (err != CS_OK && err != CS_ERR_NOT_EXIST) {
		fprintf(stderr, "Unable to get node info: %s\n", cs_strerror(err));
		return;
	}
	printf("\nVotequorum information\n----------------------\n");
	printf("Expected votes:   %u\n", info.node_expected_votes);
	printf("Highest expected: %u\n", info.highest_expected);
	printf("Total votes:      %u\n", info.total_votes);
	printf("Quorum:           %u %s\n", info.quorum, qt->quorate ? " " : "Activity blocked");
	qt_print_flags(info.flags);
}

/* The -s block; the caller has fetched both notifications. */
static int qt_print_status(struct qt *qt, const char *provider)
{
	time_t now = time(NULL);
	char date[64];

	if (qt->json)
		return qt_json_status(qt, provider);
	ctime_r(&now, date);
	printf("Quorum information\n------------------\n");
	printf("Date:             %s", date);
	printf("Quorum provider:  %s\n", qt->quorum_type ? provider : "Not configured");
	printf("Nodes:            %u\n", qt->n_view);
	if (qt->hex)
		printf("Node ID:          0x%08x\n", qt->our_nodeid);
	else
		printf("Node ID:          %u\n", qt->our_nodeid);
	if (qt->have_vq)
		printf("Ring ID:          %x.%" PRIx64 "\n", qt->ring_id.nodeid, qt->ring_seq);
	else
		printf("Ring ID:          %" PRIx64 "\n", qt->ring_seq);
	printf("Quorate:          %s\n", qt->quorate ? "Yes" : "No");
	if (qt->have_vq)
		qt_print_votequorum(qt);
	return qt_print_table(qt);
}

static char *qt_provider(struct qt *qt)
{
	char *provider = NULL;

	if (cmap_get_string(qt->cmap, "quorum.provider", &provider) != CS_OK) {
		free(provider);
		provider = strdup("");
	}
	return provider;
}

/* Dispatches one event at a time until *flag is set. */
static cs_error_t qt_wait_quorum(struct qt *qt)
{
	cs_error_t err = CS_OK;

	while (!qt->got_quorum && err == CS_OK)
		err = quorum_dispatch(qt->quorum, CS_DISPATCH_ONE);
	return err;
}

static cs_error_t qt_wait_nodelist(struct qt *qt)
{
	cs_error_t err = CS_OK;

	while (!qt->got_nodelist && err == CS_OK)
		err = votequorum_dispatch(qt->vq, CS_DISPATCH_ONE);
	return err;
}

static int qt_cmd_status(struct qt *qt)
{
	cs_error_t err;
	int quorate = 0;
	char *provider;
	int rc;

	err = quorum_getquorate(qt->quorum, &quorate);
	if (err != CS_OK) {
		fprintf(stderr, "Unable to get cluster quorate status: %s\n", cs_strerror(err));
		return 1;
	}
	err = quorum_trackstart(qt->quorum, CS_TRACK_CURRENT);
	if (err != CS_OK) {
		fprintf(stderr, "Unable to start quorum status tracking: %s\n", cs_strerror(err));
		return 1;
	}
	err = qt_wait_quorum(qt);
	if (err != CS_OK) {
		fprintf(stderr, "Unable to dispatch quorum status: %s\n", cs_strerror(err));
		return 1;
	}
	err = quorum_trackstop(qt->quorum);
	if (err != CS_OK) {
		fprintf(stderr, "Unable to stop quorum status tracking: %s\n", cs_strerror(err));
		return 1;
	}
	provider = qt_provider(qt);
	if (qt->have_vq) {
		err = votequorum_trackstart(qt->vq, 0, CS_TRACK_CURRENT);
		if (err == CS_OK)
			err = qt_wait_nodelist(qt);
		if (err != CS_OK) {
			fprintf(stderr, "Unable to start votequorum status tracking: %s\n",
				cs_strerror(err));
			free(provider);
			return 1;
		}
	}
	rc = qt_print_status(qt, provider);
	free(provider);
	if (rc < 0)
		return 1;
	return quorate ? 0 : 2;
}

static int qt_cmd_list(struct qt *qt)
{
	cs_error_t err;

	err = quorum_trackstart(qt->quorum, CS_TRACK_CURRENT);
	if (err != CS_OK) {
		fprintf(stderr, "Unable to start quorum status tracking: %s\n", cs_strerror(err));
		return 1;
	}
	err = qt_wait_quorum(qt);
	if (err != CS_OK) {
		fprintf(stderr, "Unable to dispatch quorum status: %s\n", cs_strerror(err));
		return 1;
	}
	if (qt->json)
		return qt_json_list(qt) < 0 ? 1 : 0;
	return qt_print_table(qt) < 0 ? 1 : 0;
}

/* One block per change until an error; never returns success. */
static int qt_monitor_loop(struct qt *qt)
{
	cs_error_t err;

	for (;;) {
		char *provider;
		int rc;

		qt->got_quorum = qt->got_nodelist = false;
		err = qt_wait_quorum(qt);
		if (err != CS_OK) {
			fprintf(stderr, "Unable to dispatch quorum status: %s\n", cs_strerror(err));
			return 1;
		}
		err = qt_wait_nodelist(qt);
		if (err != CS_OK) {
			fprintf(stderr, "Unable to dispatch votequorum status: %s\n",
				cs_strerror(err));
			return 1;
		}
		provider = qt_provider(qt);
		rc = qt_print_status(qt, provider);
		free(provider);
		if (rc < 0)
			return 1;
		if (!qt->json)
			printf("\n");
		fflush(stdout);
	}
}

static int qt_cmd_monitor(struct qt *qt)
{
	cs_error_t err;

	if (!qt->have_vq) {
		printf("\nQuorum is not configured - cannot monitor\n");
		return qt_cmd_status(qt);
	}
	err = quorum_trackstart(qt->quorum, CS_TRACK_CHANGES);
	if (err != CS_OK) {
		fprintf(stderr, "Unable to start quorum status tracking: %s\n", cs_strerror(err));
		return 1;
	}
	err = votequorum_trackstart(qt->vq, 0, CS_TRACK_CHANGES);
	if (err != CS_OK) {
		fprintf(stderr, "Unable to start votequorum status tracking: %s\n",
			cs_strerror(err));
		return 1;
	}
	return qt_monitor_loop(qt);
}

static int qt_cmd_change(struct qt *qt)
{
	cs_error_t err;
	uint32_t nodeid = qt->votes_nodeid ? qt->votes_nodeid : qt->our_nodeid;

	if (qt->cmd == CMD_EXPECTED) {
		if (!qt->have_vq) {
			fprintf(stderr, "You cannot change expected votes, corosync is not using "
					"votequorum\n");
			return 1;
		}
		err = votequorum_setexpected(qt->vq, (unsigned int)qt->expected);
		if (err != CS_OK) {
			fprintf(stderr, "Unable to set expected votes: %s\n", cs_strerror(err));
			return 1;
		}
		return 0;
	}
	if (!qt->have_vq) {
		fprintf(stderr, "You cannot change node votes, corosync is not using votequorum\n");
		return 1;
	}
	err = votequorum_setvotes(qt->vq, nodeid, (unsigned int)qt->votes);
	if (err != CS_OK) {
		fprintf(stderr, "Unable to set votes %lld for nodeid: %u: %s\n", qt->votes, nodeid,
			cs_strerror(err));
		return 1;
	}
	return 0;
}

static int qt_cmd_unregister(struct qt *qt)
{
	struct votequorum_info info;
	cs_error_t err;

	if (!qt->have_vq) {
		fprintf(stderr,
			"You cannot unregister quorum device, corosync is not using votequorum\n");
		return 1;
	}
	memset(&info, 0, sizeof(info));
	err = votequorum_getinfo(qt->vq, qt->our_nodeid, &info);
	if (err != CS_OK) {
		fprintf(stderr, "Unable to get quorum device info: %s\n", cs_strerror(err));
		return 1;
	}
	if (!(info.flags & VOTEQUORUM_INFO_QDEVICE_REGISTERED))
		return 0;
	err = votequorum_qdevice_unregister(qt->vq, info.qdevice_name);
	if (err != CS_OK) {
		fprintf(stderr, "Unable to unregister quorum device: %s\n", cs_strerror(err));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct qt qt;
	int rc;

	memset(&qt, 0, sizeof(qt));
	rc = qt_parse_args(&qt, argc, argv);
	if (rc >= 0)
		return rc;
	if (qt_connect(&qt) < 0) {
		qt_disconnect(&qt);
		return 1;
	}
	switch (qt.cmd) {
	case CMD_STATUS:
		rc = qt_cmd_status(&qt);
		break;
	case CMD_LIST:
		rc = qt_cmd_list(&qt);
		break;
	case CMD_MONITOR:
		rc = qt_cmd_monitor(&qt);
		break;
	case CMD_UNREG:
		rc = qt_cmd_unregister(&qt);
		break;
	default:
		rc = qt_cmd_change(&qt);
		break;
	}
	qt_disconnect(&qt);
	return rc;
}
