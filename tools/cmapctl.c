/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmapctl.c - synod-cmapctl: read, write, delete and track cmap keys.
 *
 * A drop-in for corosync-cmapctl 3.1.7: same options (POSIX getopt string
 * "m:hqgsdDtTbp:C:", the last action option wins), same messages, output
 * bytes and exit codes (config-and-keys.md §11), and the same sequence of
 * libcmap calls, so the daemon sees the same requests.  Additions:
 *
 *   --json   listings and gets print one JSON array of {"key","type","value"}
 *            objects; tracking prints one JSON object per event and line;
 *            -q is ignored; binary values are always fetched (hex strings).
 *   --help   the usual help followed by a paragraph on --json.
 *
 * Deliberate differences from the reference, all in tracking: it also
 * stops when stdin hangs up (the reference spins forever on a closed pipe);
 * it reads stdin unbuffered, by whole lines, so a "q" line is seen even
 * when it arrives together with other lines (and "abq" is not a "q" line);
 * it flushes stdout after each event.  The final bytes are the same.
 *
 * The tool links only libcmap and libcorosync_common.  Pure formatting and
 * parsing lives in cmapctl_fmt.c.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <corosync/cmap.h>
#include <corosync/corotypes.h>

#include "cmapctl_fmt.h"

/* TRY_AGAIN retries, one second apart, for connecting and for reading. */
#define CMAPCTL_MAX_TRY_AGAIN 10

enum cmapctl_action {
	ACTION_PRINT,
	ACTION_GET,
	ACTION_SET,
	ACTION_DELETE,
	ACTION_DELETE_PREFIX,
	ACTION_TRACK,
	ACTION_LOAD,
	ACTION_CLEAR,
};

struct cmapctl {
	cmap_handle_t handle;
	enum cmapctl_action action;
	cmap_map_t map;
	bool show_binary;
	bool quiet;
	bool json;
	bool track_prefix;
	const char *load_file;
	const char *clear_what;
	char **operands;
	int n_operands;
	size_t n_json_items; /* items already written to the open JSON array */
	bool stdin_at_line_start;
};

/* Exact bytes of corosync-cmapctl -h (scripts and tests compare it). */
static const char help_text[] =
	"\n"
	"usage:  corosync-cmapctl [-b] [-DdghsqTCt] [-p filename] [-m map] [params...]\n"
	"\n"
	"    -b show binary values\n"
	"\n"
	"    -m select map to use\n"
	"          The  default  map is 'icmap' which contains configuration information"
	" and some runtime variables used by corosync. \n"
	"          A 'stats' map is also available which displays network statistics"
	" - in great detail when knet is used as the transport.\n"
	"Set key:\n"
	"    corosync-cmapctl -s key_name type value\n"
	"\n"
	"    where type is one of ([i|u][8|16|32|64] | flt | dbl | str | bin)\n"
	"    for bin, value is file name (or - for stdin)\n"
	"\n"
	"    map can be either 'icmap' (the default) which contains corosync\n"
	"    configuration information, or 'stats' which contains statistics\n"
	"    about the networking and IPC traffic in some detail.\n"
	"\n"
	"Clear stats:\n"
	"    corosync-cmapctl -C [knet|ipc|totem|schedmiss|all]\n"
	"    The 'stats' map is implied\n"
	"\n"
	"Load settings from a file:\n"
	"    corosync-cmapctl -p filename\n"
	"\n"
	"    the format of the file is:\n"
	"    [^[^]]<key_name>[ <type> <value>]\n"
	"    Keys prefixed with single caret ('^') are deleted (see -d).\n"
	"    Keys (actually prefixes) prefixed with double caret ('^^') are deleted"
	" by prefix (see -D).\n"
	"    <type> and <value> are optional (not checked) in above cases.\n"
	"    Other keys are set (see -s) so both <type> and <value> are required.\n"
	"\n"
	"Delete key:\n"
	"    corosync-cmapctl -d key_name...\n"
	"\n"
	"Delete multiple keys with prefix:\n"
	"    corosync-cmapctl -D key_prefix...\n"
	"\n"
	"Get key:\n"
	"    corosync-cmapctl [-b] -g key_name...\n"
	"\n"
	"Quiet mode:\n"
	"    corosync-cmapctl [-b] -q -g key_name...\n"
	"\n"
	"Display all keys:\n"
	"    corosync-cmapctl [-b]\n"
	"\n"
	"Display keys with prefix key_name:\n"
	"    corosync-cmapctl [-b] key_name...\n"
	"\n"
	"Track changes on keys with key_name:\n"
	"    corosync-cmapctl [-b] -t key_name\n"
	"\n"
	"Track changes on keys with key prefix:\n"
	"    corosync-cmapctl [-b] -T key_prefix\n"
	"\n";

static const char json_help_text[] =
	"JSON output (synod extension):\n"
	"    --json  listings and -g print a JSON array of objects\n"
	"            {\"key\": name, \"type\": type, \"value\": value}; tracking prints one\n"
	"            object per line and event, with \"event\" (create, modify, delete)\n"
	"            and, for modify, \"old_type\" and \"old_value\". Binary values are\n"
	"            always shown, as hex strings; -q is ignored.\n"
	"\n";

/* ---- output --------------------------------------------------------- */

static void json_array_begin(struct cmapctl *c)
{
	if (c->json)
		fputc('[', stdout);
	c->n_json_items = 0;
}

static void json_array_end(struct cmapctl *c)
{
	if (c->json)
		fputs(c->n_json_items > 0 ? "\n]\n" : "]\n", stdout);
}

/* Prints one key of a listing or a get, in the selected format. */
static void emit_key(struct cmapctl *c, const char *key, const struct syn_cmapctl_val *val)
{
	if (!c->json) {
		syn_cmapctl_print_text(stdout, key, val, c->quiet, c->show_binary);
		return;
	}
	fputs(c->n_json_items++ > 0 ? ",\n" : "\n", stdout);
	syn_cmapctl_print_json(stdout, key, val);
}

/* ---- reading values -------------------------------------------------- */

/*
 * Reads key's value with the typed getter the reference uses for its type,
 * so the daemon sees identical requests.  len is the length reported by
 * the iteration or the first get; it sizes the binary read.  On success
 * *owned (may be NULL) must be freed by the caller.
 */
static cs_error_t read_typed(struct cmapctl *c, const char *key, int type, size_t len,
			     union syn_cmapctl_num *num, void **owned)
{
	cmap_handle_t h = c->handle;
	char *str = NULL;
	cs_error_t err;

	*owned = NULL;
	switch (type) {
	case CMAP_VALUETYPE_INT8:
		return cmap_get_int8(h, key, &num->i8);
	case CMAP_VALUETYPE_UINT8:
		return cmap_get_uint8(h, key, &num->u8);
	case CMAP_VALUETYPE_INT16:
		return cmap_get_int16(h, key, &num->i16);
	case CMAP_VALUETYPE_UINT16:
		return cmap_get_uint16(h, key, &num->u16);
	case CMAP_VALUETYPE_INT32:
		return cmap_get_int32(h, key, &num->i32);
	case CMAP_VALUETYPE_UINT32:
		return cmap_get_uint32(h, key, &num->u32);
	case CMAP_VALUETYPE_INT64:
		return cmap_get_int64(h, key, &num->i64);
	case CMAP_VALUETYPE_UINT64:
		return cmap_get_uint64(h, key, &num->u64);
	case CMAP_VALUETYPE_FLOAT:
		return cmap_get_float(h, key, &num->flt);
	case CMAP_VALUETYPE_DOUBLE:
		return cmap_get_double(h, key, &num->dbl);
	case CMAP_VALUETYPE_STRING:
		err = cmap_get_string(h, key, &str);
		*owned = str;
		return err;
	case CMAP_VALUETYPE_BINARY:
		*owned = malloc(len > 0 ? len : 1);
		if (*owned == NULL)
			return CS_ERR_NO_MEMORY;
		err = cmap_get(h, key, *owned, &len, NULL);
		num->u64 = len;
		return err;
	default:
		return CS_OK;
	}
}

/* Sets val to describe what read_typed() returned. */
static void val_from_read(struct syn_cmapctl_val *val, int type, union syn_cmapctl_num *num,
			  void *owned)
{
	val->type = type;
	val->data = num;
	val->len = sizeof(*num);
	if (type == CMAP_VALUETYPE_STRING) {
		val->data = owned;
		val->len = owned == NULL ? 0 : strlen(owned) + 1;
	} else if (type == CMAP_VALUETYPE_BINARY) {
		val->len = (size_t)num->u64;
		val->data = val->len > 0 ? owned : NULL;
	} else if (syn_cmapctl_type_name(type) == NULL) {
		val->data = NULL;
		val->len = 0;
	}
}

/*
 * Fetches and prints one key.  Binary values are fetched only when they
 * will be shown; a read failure is reported and the caller carries on.
 */
static void print_stored_key(struct cmapctl *c, const char *key, int type, size_t len)
{
	union syn_cmapctl_num num = {0};
	struct syn_cmapctl_val val = {.type = type};
	void *owned = NULL;
	cs_error_t err = CS_OK;
	bool fetch = type != CMAP_VALUETYPE_BINARY || c->show_binary || c->json;

	for (int tries = 0; fetch; tries++) {
		err = read_typed(c, key, type, len, &num, &owned);
		if (err != CS_ERR_TRY_AGAIN || tries >= CMAPCTL_MAX_TRY_AGAIN)
			break;
		free(owned);
		owned = NULL;
		sleep(1);
	}
	if (err != CS_OK) {
		fprintf(stderr, "Can't get value of %s. Error %s\n", key, cs_strerror(err));
		goto out_free;
	}
	if (fetch)
		val_from_read(&val, type, &num, owned);
	emit_key(c, key, &val);
out_free:
	free(owned);
}

/* ---- actions ---------------------------------------------------------- */

/* Prints every key under prefix (NULL: all); returns the number printed. */
static int print_prefix(struct cmapctl *c, const char *prefix, size_t *n_keys)
{
	char key[CMAP_KEYNAME_MAXLEN + 1];
	cmap_iter_handle_t iter;
	cmap_value_types_t type;
	size_t len;
	cs_error_t err;

	err = cmap_iter_init(c->handle, prefix, &iter);
	if (err != CS_OK) {
		fprintf(stderr, "Failed to initialize iteration. Error %s\n", cs_strerror(err));
		return -EIO;
	}
	while (cmap_iter_next(c->handle, iter, key, &len, &type) == CS_OK) {
		(*n_keys)++;
		print_stored_key(c, key, type, len);
	}
	cmap_iter_finalize(c->handle, iter);
	return 0;
}

static int action_print(struct cmapctl *c)
{
	size_t n_keys = 0;
	int rc = 0;

	json_array_begin(c);
	if (c->n_operands == 0)
		rc = print_prefix(c, NULL, &n_keys);
	for (int i = 0; rc == 0 && i < c->n_operands; i++)
		rc = print_prefix(c, c->operands[i], &n_keys);
	json_array_end(c);
	return rc != 0 || n_keys == 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

static int action_get(struct cmapctl *c)
{
	cmap_value_types_t type;
	size_t len;
	cs_error_t err;
	int rc = EXIT_SUCCESS;

	json_array_begin(c);
	for (int i = 0; i < c->n_operands; i++) {
		err = cmap_get(c->handle, c->operands[i], NULL, &len, &type);
		if (err != CS_OK) {
			fprintf(stderr, "Can't get key %s. Error %s\n", c->operands[i],
				cs_strerror(err));
			rc = EXIT_FAILURE;
			break;
		}
		print_stored_key(c, c->operands[i], type, len);
	}
	json_array_end(c);
	return rc;
}

/*
 * Reads the whole of a file ("-": stdin) for a bin SET.  An empty file
 * leaves *data NULL, which libcmap rejects, as with the reference.
 */
static int read_bin_file(const char *name, void **data, size_t *len)
{
	FILE *f = strcmp(name, "-") == 0 ? stdin : fopen(name, "r");
	size_t cap = 0, n;
	char *buf = NULL, *grown;
	int rc = 0;

	*data = NULL;
	*len = 0;
	if (f == NULL) {
		rc = -errno;
		fprintf(stderr, "Can't open input file: %s\n", strerror(-rc));
		return rc;
	}
	do {
		if (*len == cap) {
			cap = cap == 0 ? 4096 : cap * 2;
			grown = realloc(buf, cap);
			if (grown == NULL) {
				rc = -ENOMEM;
				break;
			}
			buf = grown;
		}
		n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
	} while (n > 0);
	if (f != stdin)
		fclose(f);
	if (rc != 0 || *len == 0) {
		free(buf);
		buf = NULL;
		*len = 0;
	}
	if (rc == -ENOMEM)
		fprintf(stderr, "Can't alloc memory\n");
	*data = buf;
	return rc;
}

/* Parses and performs one SET; returns 0 or -errno after printing why. */
static int set_key(struct cmapctl *c, const char *key, const char *type_s, const char *value_s)
{
	struct syn_cmapctl_setval sv;
	void *bin = NULL;
	int type = syn_cmapctl_type_parse(type_s);
	int rc;
	cs_error_t err;

	if (type < 0) {
		fprintf(stderr, "Unknown type %s\n", type_s);
		return -EINVAL;
	}
	rc = syn_cmapctl_value_parse(type, value_s, &sv);
	if (rc == -EINVAL)
		fprintf(stderr, "%s is not valid %s type value\n", value_s, type_s);
	else if (rc == -ERANGE)
		fprintf(stderr, "%s is not valid %s integer\n", value_s, type_s);
	if (rc != 0)
		return rc;
	if (type == CMAP_VALUETYPE_BINARY) {
		rc = read_bin_file(value_s, &bin, &sv.len);
		if (rc != 0)
			return rc;
		sv.data = bin;
	}
	if (type == CMAP_VALUETYPE_STRING)
		err = cmap_set_string(c->handle, key, value_s);
	else
		err = cmap_set(c->handle, key, sv.data, sv.len, type);
	free(bin);
	if (err != CS_OK) {
		fprintf(stderr, "Failed to set key %s. Error %s\n", key, cs_strerror(err));
		return -EIO;
	}
	return 0;
}

static int action_set(struct cmapctl *c)
{
	if (c->n_operands < 3) {
		fprintf(stderr, "At least 3 parameters are expected for set\n");
		return EXIT_FAILURE;
	}
	return set_key(c, c->operands[0], c->operands[1], c->operands[2]) == 0 ? EXIT_SUCCESS
									       : EXIT_FAILURE;
}

static int delete_key(struct cmapctl *c, const char *key)
{
	cs_error_t err = cmap_delete(c->handle, key);

	if (err != CS_OK) {
		fprintf(stderr, "Can't delete key %s. Error %s\n", key, cs_strerror(err));
		return -EIO;
	}
	return 0;
}

static int action_delete(struct cmapctl *c)
{
	for (int i = 0; i < c->n_operands; i++) {
		if (delete_key(c, c->operands[i]) != 0)
			return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

/* Deletes every key under prefix; failures are reported and skipped. */
static int delete_prefix(struct cmapctl *c, const char *prefix)
{
	char key[CMAP_KEYNAME_MAXLEN + 1];
	cmap_iter_handle_t iter;
	cmap_value_types_t type;
	size_t len;
	cs_error_t err;

	err = cmap_iter_init(c->handle, prefix, &iter);
	if (err != CS_OK) {
		fprintf(stderr, "Failed to initialize iteration. Error %s\n", cs_strerror(err));
		return -EIO;
	}
	while (cmap_iter_next(c->handle, iter, key, &len, &type) == CS_OK)
		delete_key(c, key);
	cmap_iter_finalize(c->handle, iter);
	return 0;
}

static int action_delete_prefix(struct cmapctl *c)
{
	for (int i = 0; i < c->n_operands; i++) {
		if (delete_prefix(c, c->operands[i]) != 0)
			return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

/* Performs one split -p line; returns 0 or -errno when the load must stop. */
static int load_line(struct cmapctl *c, const struct syn_cmapctl_load_line *l)
{
	if (l->skip)
		return 0;
	if (l->key != NULL && l->key[0] == '^') {
		if (l->key[1] == '^')
			return delete_prefix(c, l->key + 2);
		delete_key(c, l->key + 1);
		return 0;
	}
	if (l->type_s == NULL || l->value_s == NULL) {
		fprintf(stderr, "Both type and value for key %s are required\n",
			l->key != NULL ? l->key : "(null)");
		return -EINVAL;
	}
	return set_key(c, l->key, l->type_s, l->value_s);
}

static int action_load(struct cmapctl *c)
{
	char line[SYN_CMAPCTL_LOAD_LINE_MAX + 1];
	struct syn_cmapctl_load_line l;
	FILE *f = fopen(c->load_file, "r");
	int rc = 0;

	if (f == NULL) {
		/* The reference reports this but still exits with 0. */
		perror("Couldn't open file.");
		return EXIT_SUCCESS;
	}
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		syn_cmapctl_load_line_split(line, &l);
		rc = load_line(c, &l);
	}
	fclose(f);
	return rc == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

static int action_clear(struct cmapctl *c)
{
	char key[CMAP_KEYNAME_MAXLEN + 1];

	/* The result is deliberately not checked, as by the reference. */
	snprintf(key, sizeof(key), "stats.clear.%s", c->clear_what);
	cmap_set_uint32(c->handle, key, 1);
	return EXIT_SUCCESS;
}

/* ---- tracking ---------------------------------------------------------- */

static void val_from_notify(struct syn_cmapctl_val *val, const struct cmap_notify_value *nv)
{
	val->type = (int)nv->type;
	val->len = nv->len;
	val->data = nv->len > 0 ? nv->data : NULL;
}

static void notify_json(const char *event, const char *key, const struct syn_cmapctl_val *val,
			const struct syn_cmapctl_val *old)
{
	printf("{\"event\":\"%s\",\"key\":", event);
	syn_cmapctl_json_string(stdout, key, strlen(key));
	fputc(',', stdout);
	syn_cmapctl_json_typed_value(stdout, val, "");
	if (old != NULL && old->type != 0) {
		fputc(',', stdout);
		syn_cmapctl_json_typed_value(stdout, old, "old_");
	}
	fputs("}\n", stdout);
}

/*
 * Called by cmap_dispatch() for every change.  Text mode prints the event
 * name and the key line of the new value (the old one for a delete); an
 * event code outside the three known ones prints only "unknown change> ",
 * as the reference does.  JSON mode prints one object per event.
 */
static void track_notify(cmap_handle_t handle, cmap_track_handle_t track, int32_t event,
			 const char *key, struct cmap_notify_value new_value,
			 struct cmap_notify_value old_value, void *user_data)
{
	struct cmapctl *c = user_data;
	struct syn_cmapctl_val nv, ov;
	const struct syn_cmapctl_val *shown = &nv;
	const char *name = "unknown";

	(void)handle;
	(void)track;
	val_from_notify(&nv, &new_value);
	val_from_notify(&ov, &old_value);
	switch (event) {
	case CMAP_TRACK_ADD:
		name = "create";
		break;
	case CMAP_TRACK_MODIFY:
		name = "modify";
		break;
	case CMAP_TRACK_DELETE:
		name = "delete";
		shown = &ov;
		break;
	default:
		break;
	}
	if (c->json) {
		notify_json(name, key, shown, event == CMAP_TRACK_MODIFY ? &ov : NULL);
	} else if (strcmp(name, "unknown") == 0) {
		fputs("unknown change> ", stdout);
	} else {
		printf("%s> ", name);
		syn_cmapctl_print_text(stdout, key, shown, c->quiet, c->show_binary);
	}
	/* Unlike the reference, events reach a pipe as they happen. */
	fflush(stdout);
}

static int add_trackers(struct cmapctl *c)
{
	int32_t track_type = CMAP_TRACK_ADD | CMAP_TRACK_DELETE | CMAP_TRACK_MODIFY;
	cmap_track_handle_t track;
	cs_error_t err;

	if (c->track_prefix)
		track_type |= CMAP_TRACK_PREFIX;
	for (int i = 0; i < c->n_operands; i++) {
		err = cmap_track_add(c->handle, c->operands[i], track_type, track_notify, c,
				     &track);
		if (err != CS_OK) {
			fprintf(stderr, "Failed to add tracking function. Error %s\n",
				cs_strerror(err));
			return -EIO;
		}
	}
	return 0;
}

/*
 * Consumes what stdin has to offer; returns true when tracking must stop:
 * a line starting with 'q', end of file, a hang-up or an error.
 */
static bool stdin_says_quit(struct cmapctl *c, short revents)
{
	char buf[256];
	ssize_t n;

	if (!(revents & POLLIN))
		return (revents & (POLLHUP | POLLERR | POLLNVAL)) != 0;
	n = read(STDIN_FILENO, buf, sizeof(buf));
	if (n < 0)
		return errno != EINTR && errno != EAGAIN;
	if (n == 0)
		return true;
	for (ssize_t i = 0; i < n; i++) {
		if (c->stdin_at_line_start && buf[i] == 'q')
			return true;
		c->stdin_at_line_start = buf[i] == '\n';
	}
	return false;
}

static int action_track(struct cmapctl *c)
{
	struct pollfd pfd[2];
	bool quit = false;
	cs_error_t err;
	int fd;

	if (add_trackers(c) != 0)
		return EXIT_FAILURE;
	err = cmap_fd_get(c->handle, &fd);
	if (err != CS_OK) {
		fprintf(stderr, "Failed to get file descriptor. Error %s\n", cs_strerror(err));
		return EXIT_FAILURE;
	}
	/* In JSON mode stdout carries only events. */
	fputs("Type \"q\" to finish\n", c->json ? stderr : stdout);
	fflush(stdout);
	c->stdin_at_line_start = true;
	while (!quit) {
		pfd[0] = (struct pollfd){.fd = fd, .events = POLLIN};
		pfd[1] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("poll");
			break;
		}
		quit = pfd[1].revents != 0 && stdin_says_quit(c, pfd[1].revents);
		if (pfd[0].revents == 0)
			continue;
		err = cmap_dispatch(c->handle, CS_DISPATCH_ALL);
		if (err == CS_OK && !(pfd[0].revents & POLLIN))
			err = CS_ERR_LIBRARY; /* hang-up without data: the daemon is gone */
		if (err != CS_OK) {
			fprintf(stderr, "Dispatch error %d\n", err);
			quit = true;
		}
	}
	return EXIT_SUCCESS;
}

/* ---- options and main -------------------------------------------------- */

static bool parse_map(struct cmapctl *c, const char *arg)
{
	if (strcmp(arg, "icmap") == 0 || strcmp(arg, "default") == 0) {
		c->map = CMAP_MAP_ICMAP;
	} else if (strcmp(arg, "stats") == 0) {
		c->map = CMAP_MAP_STATS;
	} else {
		fprintf(stderr, "invalid map name, must be 'default', 'icmap' or 'stats'\n");
		return false;
	}
	return true;
}

static bool parse_clear(struct cmapctl *c, const char *arg)
{
	static const char *const groups[] = {"knet", "ipc", "totem", "schedmiss", "all"};

	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		if (strcmp(arg, groups[i]) == 0) {
			c->clear_what = arg;
			c->map = CMAP_MAP_STATS;
			c->action = ACTION_CLEAR;
			return true;
		}
	}
	fprintf(stderr, "argument to -C should be 'knet', 'totem', 'ipc', 'schedmiss' or 'all'\n");
	return false;
}

/*
 * getopt's own messages are replaced by ones that match what the
 * reference's plain getopt() prints, which never knows long options: any
 * unknown "--word" is reported as the invalid option '-'.
 */
static void report_bad_option(const char *prog, int opt, int optopt_c)
{
	if (opt == ':')
		fprintf(stderr, "%s: option requires an argument -- '%c'\n", prog, optopt_c);
	else
		fprintf(stderr, "%s: invalid option -- '%c'\n", prog,
			optopt_c != 0 ? optopt_c : '-');
}

/* Returns true to go on; otherwise *status is the exit status. */
static bool parse_args(struct cmapctl *c, int argc, char **argv, int *status)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'J'},
		{"help", no_argument, NULL, 'H'},
		{NULL, 0, NULL, 0},
	};
	int opt;

	*status = EXIT_FAILURE;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":m:hqgsdDtTbp:C:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			fputs(help_text, stdout);
			*status = EXIT_SUCCESS;
			return false;
		case 'H':
			fputs(help_text, stdout);
			fputs(json_help_text, stdout);
			*status = EXIT_SUCCESS;
			return false;
		case 'J':
			c->json = true;
			break;
		case 'b':
			c->show_binary = true;
			break;
		case 'q':
			c->quiet = true;
			break;
		case 'g':
			c->action = ACTION_GET;
			break;
		case 's':
			c->action = ACTION_SET;
			break;
		case 'd':
			c->action = ACTION_DELETE;
			break;
		case 'D':
			c->action = ACTION_DELETE_PREFIX;
			break;
		case 't':
			c->action = ACTION_TRACK;
			c->track_prefix = false;
			break;
		case 'T':
			c->action = ACTION_TRACK;
			c->track_prefix = true;
			break;
		case 'p':
			c->action = ACTION_LOAD;
			c->load_file = optarg;
			break;
		case 'C':
			if (!parse_clear(c, optarg))
				return false;
			break;
		case 'm':
			if (!parse_map(c, optarg))
				return false;
			break;
		default:
			report_bad_option(argv[0], opt, optopt);
			return false;
		}
	}
	c->operands = argv + optind;
	c->n_operands = argc - optind;
	if (c->n_operands == 0 && c->action != ACTION_PRINT && c->action != ACTION_LOAD &&
	    c->action != ACTION_CLEAR) {
		fprintf(stderr, "Expected key after options\n");
		return false;
	}
	return true;
}

static int connect_map(struct cmapctl *c)
{
	cs_error_t err;

	for (int tries = 0;; tries++) {
		err = cmap_initialize_map(&c->handle, c->map);
		if (err != CS_ERR_TRY_AGAIN || tries + 1 >= CMAPCTL_MAX_TRY_AGAIN)
			break;
		sleep(1);
	}
	if (err != CS_OK) {
		fprintf(stderr, "Failed to initialize the cmap API. Error %s\n", cs_strerror(err));
		return -EIO;
	}
	return 0;
}

static int run_action(struct cmapctl *c)
{
	switch (c->action) {
	case ACTION_PRINT:
		return action_print(c);
	case ACTION_GET:
		return action_get(c);
	case ACTION_SET:
		return action_set(c);
	case ACTION_DELETE:
		return action_delete(c);
	case ACTION_DELETE_PREFIX:
		return action_delete_prefix(c);
	case ACTION_TRACK:
		return action_track(c);
	case ACTION_LOAD:
		return action_load(c);
	case ACTION_CLEAR:
		return action_clear(c);
	}
	return EXIT_FAILURE;
}

int main(int argc, char *argv[])
{
	struct cmapctl c = {.action = ACTION_PRINT, .map = CMAP_MAP_ICMAP};
	cs_error_t err;
	int status;

	if (!parse_args(&c, argc, argv, &status))
		return status;
	if (connect_map(&c) != 0)
		return EXIT_FAILURE;
	status = run_action(&c);
	err = cmap_finalize(c.handle);
	if (err != CS_OK) {
		fprintf(stderr, "Failed to finalize the cmap API. Error %s\n", cs_strerror(err));
		return EXIT_FAILURE;
	}
	return status;
}
