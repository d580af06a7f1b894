/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config_parse.c - the corosync.conf reader: line syntax, section
 * contexts, and the mapping of items to typed cmap keys.
 *
 * Each physical line is classified on its own (open / item / close); no
 * token spans lines.  A stack of open sections gives the current path and
 * its context: a context is chosen by the exact full path of a section
 * (totem, totem.interface, nodelist.node, ...) and otherwise inherited
 * from the parent.  Contexts that collect items (interface, logger_subsys,
 * logging_daemon) are owned by the section that opened them and write
 * their keys when that section closes.
 *
 * Everything is written into a private scratch store; the caller's store
 * only receives the keys after the last line of the last file was accepted.
 * This module does not validate relations between keys (that is
 * config_totem.c) and does no name resolution except uid/gid names.
 */
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_int.h"

#define PATH_MAX_LEN 255 /* cmap key name maximum */
#define MAX_DEPTH 128	 /* each level adds at least two characters */

enum ctx {
	CTX_GENERIC,
	CTX_TOTEM,
	CTX_INTERFACE,
	CTX_MEMBER,
	CTX_NODELIST,
	CTX_NODE,
	CTX_QUORUM,
	CTX_QDEVICE,
	CTX_LOGGER_SUBSYS,
	CTX_LOGGING_DAEMON,
	CTX_UIDGID,
	CTX_SYSTEM,
	CTX_RESOURCES,
	CTX_RESOURCES_SUB,
};

static const struct {
	const char *path;
	enum ctx ctx;
} ctx_by_path[] = {
	{"totem", CTX_TOTEM},
	{"totem.interface", CTX_INTERFACE},
	{"totem.interface.member", CTX_MEMBER},
	{"nodelist", CTX_NODELIST},
	{"nodelist.node", CTX_NODE},
	{"quorum", CTX_QUORUM},
	{"quorum.device", CTX_QDEVICE},
	{"logging.logger_subsys", CTX_LOGGER_SUBSYS},
	{"logging.logging_daemon", CTX_LOGGING_DAEMON},
	{"uidgid", CTX_UIDGID},
	{"system", CTX_SYSTEM},
	{"resources", CTX_RESOURCES},
	{"resources.system", CTX_RESOURCES_SUB},
	{"resources.process", CTX_RESOURCES_SUB},
	{"resources.system.memory_used", CTX_RESOURCES_SUB},
	{"resources.process.memory_used", CTX_RESOURCES_SUB},
};

/* Keys with a binary type, matched on the exact full key. */
static const struct {
	const char *key;
	uint8_t type;
} typed_keys[] = {
	{"totem.version", SYN_TYPE_UINT32},
	{"totem.nodeid", SYN_TYPE_UINT32},
	{"totem.threads", SYN_TYPE_UINT32},
	{"totem.token", SYN_TYPE_UINT32},
	{"totem.token_coefficient", SYN_TYPE_UINT32},
	{"totem.token_retransmit", SYN_TYPE_UINT32},
	{"totem.token_warning", SYN_TYPE_UINT32},
	{"totem.hold", SYN_TYPE_UINT32},
	{"totem.token_retransmits_before_loss_const", SYN_TYPE_UINT32},
	{"totem.join", SYN_TYPE_UINT32},
	{"totem.send_join", SYN_TYPE_UINT32},
	{"totem.consensus", SYN_TYPE_UINT32},
	{"totem.merge", SYN_TYPE_UINT32},
	{"totem.downcheck", SYN_TYPE_UINT32},
	{"totem.fail_recv_const", SYN_TYPE_UINT32},
	{"totem.seqno_unchanged_const", SYN_TYPE_UINT32},
	{"totem.rrp_token_expired_timeout", SYN_TYPE_UINT32},
	{"totem.rrp_problem_count_timeout", SYN_TYPE_UINT32},
	{"totem.rrp_problem_count_threshold", SYN_TYPE_UINT32},
	{"totem.rrp_problem_count_mcast_threshold", SYN_TYPE_UINT32},
	{"totem.rrp_autorecovery_check_timeout", SYN_TYPE_UINT32},
	{"totem.heartbeat_failures_allowed", SYN_TYPE_UINT32},
	{"totem.max_network_delay", SYN_TYPE_UINT32},
	{"totem.window_size", SYN_TYPE_UINT32},
	{"totem.max_messages", SYN_TYPE_UINT32},
	{"totem.miss_count_const", SYN_TYPE_UINT32},
	{"totem.knet_pmtud_interval", SYN_TYPE_UINT32},
	{"totem.knet_mtu", SYN_TYPE_UINT32},
	{"totem.knet_compression_threshold", SYN_TYPE_UINT32},
	{"totem.netmtu", SYN_TYPE_UINT32},
	{"totem.knet_compression_level", SYN_TYPE_INT32},
	{"totem.config_version", SYN_TYPE_UINT64},
	{"quorum.expected_votes", SYN_TYPE_UINT32},
	{"quorum.votes", SYN_TYPE_UINT32},
	{"quorum.last_man_standing_window", SYN_TYPE_UINT32},
	{"quorum.leaving_timeout", SYN_TYPE_UINT32},
	{"quorum.two_node", SYN_TYPE_UINT8},
	{"quorum.expected_votes_tracking", SYN_TYPE_UINT8},
	{"quorum.allow_downscale", SYN_TYPE_UINT8},
	{"quorum.wait_for_all", SYN_TYPE_UINT8},
	{"quorum.auto_tie_breaker", SYN_TYPE_UINT8},
	{"quorum.last_man_standing", SYN_TYPE_UINT8},
	{"quorum.device.timeout", SYN_TYPE_UINT32},
	{"quorum.device.sync_timeout", SYN_TYPE_UINT32},
	{"quorum.device.votes", SYN_TYPE_UINT32},
	{"quorum.device.master_wins", SYN_TYPE_UINT8},
};

static const char *const ip_versions[] = {"ipv4", "ipv6", "ipv4-6", "ipv6-4", NULL};
static const char *const ciphers[] = {"none", "aes256", "aes192", "aes128", NULL};
static const char *const hashes[] = {"none", "md5", "sha1", "sha256", "sha384", "sha512", NULL};
static const char *const yes_no[] = {"yes", "no", NULL};
static const char *const yes_no_auto[] = {"yes", "no", "auto", NULL};
static const char *const ipc_types[] = {"native", "shm", "socket", NULL};

/* String keys whose value is checked at parse time. */
static const struct {
	const char *key;
	const char *const *allowed; /* NULL: a transport library model list */
	const char *reason;
} validated_keys[] = {
	{"totem.ip_version", ip_versions, "Invalid ip_version type"},
	{"totem.crypto_cipher", ciphers,
	 "Invalid cipher type. Should be none, aes256, aes192 or aes128"},
	{"totem.crypto_hash", hashes,
	 "Invalid hash type. Should be none, md5, sha1, sha256, sha384 or sha512"},
	{"totem.crypto_model", syn_config_crypto_models, NULL},
	{"totem.knet_compression_model", syn_config_compress_models, NULL},
	{"system.qb_ipc_type", ipc_types, "Invalid system.qb_ipc_type"},
	{"system.sched_rr", yes_no, "Invalid system.sched_rr value"},
	{"system.move_to_root_cgroup", yes_no_auto, "Invalid system.move_to_root_cgroup"},
	{"system.allow_knet_handle_fallback", yes_no, "Invalid system.allow_knet_handle_fallback"},
	{"system.bcast_service", yes_no, "Invalid system.bcast_service value"},
};

/* Models of the reference transport library build. */
const char *const syn_config_crypto_models[] = {"nss", "openssl", NULL};
const char *const syn_config_compress_models[] = {"zlib", "lz4",   "lz4hc", "lzo2",
						  "lzma", "bzip2", "zstd",  NULL};

struct kv {
	char *key;
	char *value;
};

struct kv_list {
	struct kv *items;
	size_t n;
	size_t cap;
};

/* Items of one totem.interface block; -1 marks an unset number. */
struct iface {
	long long linknumber;
	char *bindnetaddr;
	char *mcastaddr;
	char *broadcast;
	char *knet_transport;
	long long mcastport;
	long long ttl;
	long long link_priority;
	long long ping_interval;
	long long ping_timeout;
	long long ping_precision;
	long long pong_count;
	struct kv_list members; /* values only */
};

struct level {
	char path[PATH_MAX_LEN + 1];
	enum ctx ctx;
	bool owner; /* this section opened ctx itself */
};

struct parser {
	struct syn_store *store; /* scratch */
	const char *name;
	unsigned flags;
	unsigned line_no;
	struct level levels[MAX_DEPTH + 1];
	size_t depth; /* levels[0] is the top level */
	uint32_t node_number;
	struct iface iface;
	struct kv_list log_items;
	char *log_subsys;
	char *log_name;
	char *err;
	size_t err_len;
};

static int fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct parser *p, const char *fmt, ...)
{
	char reason[SYN_CONFIG_ERR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (p->err_len)
		snprintf(p->err, p->err_len, "parser error: %s:%u: %s", p->name, p->line_no,
			 reason);
	return -EINVAL;
}

static const char *cs_error_name(int rc)
{
	switch (rc) {
	case -ENAMETOOLONG:
		return "CS_ERR_NAME_TOO_LONG";
	case -ENOMEM:
		return "CS_ERR_NO_MEMORY";
	default:
		return "CS_ERR_INVALID_PARAM";
	}
}

static int store_result(struct parser *p, const char *key, int rc)
{
	if (rc == 0)
		return 0;
	if (rc == -ENOMEM)
		return -ENOMEM;
	return fail(p, "Can't store key \"%s\" into icmap, returned error is %s", key,
		    cs_error_name(rc));
}

static int store_str(struct parser *p, const char *key, const char *value)
{
	return store_result(p, key, syn_store_set_str(p->store, key, value));
}

static void kv_list_clear(struct kv_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].key);
		free(l->items[i].value);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static int kv_list_add(struct kv_list *l, const char *key, const char *value)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct kv *items = realloc(l->items, cap * sizeof(*items));
		if (!items)
			return -ENOMEM;
		l->items = items;
		l->cap = cap;
	}
	struct kv *kv = &l->items[l->n];
	kv->key = key ? strdup(key) : NULL;
	kv->value = strdup(value);
	if ((key && !kv->key) || !kv->value) {
		free(kv->key);
		free(kv->value);
		return -ENOMEM;
	}
	l->n++;
	return 0;
}

static int replace_str(char **slot, const char *value)
{
	char *copy = strdup(value);
	if (!copy)
		return -ENOMEM;
	free(*slot);
	*slot = copy;
	return 0;
}

static void iface_reset(struct iface *f)
{
	free(f->bindnetaddr);
	free(f->mcastaddr);
	free(f->broadcast);
	free(f->knet_transport);
	kv_list_clear(&f->members);
	memset(f, 0, sizeof(*f));
	f->mcastport = f->ttl = f->link_priority = -1;
	f->ping_interval = f->ping_timeout = f->ping_precision = f->pong_count = -1;
}

static void log_reset(struct parser *p)
{
	kv_list_clear(&p->log_items);
	free(p->log_subsys);
	free(p->log_name);
	p->log_subsys = p->log_name = NULL;
}

/*
 * Integer in the range of type, with strtoll semantics (whole string
 * consumed, at least one digit).  Reports the range message for
 * key_for_msg on failure.
 */
static int parse_int(struct parser *p, const char *key_for_msg, const char *value, uint8_t type,
		     long long *out)
{
	long long min, max;

	switch (type) {
	case SYN_TYPE_UINT8:
		min = 0, max = UINT8_MAX;
		break;
	case SYN_TYPE_UINT16:
		min = 0, max = UINT16_MAX;
		break;
	case SYN_TYPE_INT32:
		min = INT32_MIN, max = INT32_MAX;
		break;
	default:
		min = 0, max = UINT32_MAX;
		break;
	}
	char *end;
	errno = 0;
	long long v = strtoll(value, &end, 10);
	if (errno == ERANGE || end == value || *end != '\0' || v < min || v > max)
		return fail(p,
			    "Value of key \"%s\" is expected to be integer in range (%lld..%lld), "
			    "but \"%s\" was given",
			    key_for_msg, min, max, value);
	*out = v;
	return 0;
}

static int parse_u64(struct parser *p, const char *key, const char *value, uint64_t *out)
{
	char *end;

	errno = 0;
	unsigned long long v = strtoull(value, &end, 10);
	if (errno == ERANGE || end == value || *end != '\0')
		return fail(p,
			    "Value of key \"%s\" is expected to be unsigned integer, but \"%s\" "
			    "was given",
			    key, value);
	*out = v;
	return 0;
}

/* Parse value as type (an integer type) and store it under key. */
static int store_typed(struct parser *p, const char *key, const char *key_for_msg,
		       const char *value, uint8_t type)
{
	int rc;

	if (type == SYN_TYPE_UINT64) {
		uint64_t v64 = 0;
		rc = parse_u64(p, key_for_msg, value, &v64);
		if (rc == 0)
			rc = store_result(p, key, syn_store_set_u64(p->store, key, v64));
		return rc;
	}
	long long v = 0;
	rc = parse_int(p, key_for_msg, value, type, &v);
	if (rc)
		return rc;
	switch (type) {
	case SYN_TYPE_UINT8:
		return store_result(p, key, syn_store_set_u8(p->store, key, (uint8_t)v));
	case SYN_TYPE_UINT16:
		return store_result(p, key, syn_store_set_u16(p->store, key, (uint16_t)v));
	case SYN_TYPE_INT32:
		return store_result(p, key, syn_store_set_i32(p->store, key, (int32_t)v));
	default:
		return store_result(p, key, syn_store_set_u32(p->store, key, (uint32_t)v));
	}
}

static bool in_list(const char *const *list, const char *value)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(list[i], value) == 0)
			return true;
	return false;
}

/* "a, b, c or d" from a NULL-terminated list. */
void syn_config_join_models(const char *const *list, char *out, size_t out_len)
{
	size_t n = 0, used = 0;

	while (list[n])
		n++;
	out[0] = '\0';
	for (size_t i = 0; i < n && used < out_len; i++) {
		const char *sep = i == 0 ? "" : (i + 1 == n ? " or " : ", ");
		int w = snprintf(out + used, out_len - used, "%s%s", sep, list[i]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

static int check_validated(struct parser *p, const char *key, const char *value)
{
	for (size_t i = 0; i < sizeof(validated_keys) / sizeof(validated_keys[0]); i++) {
		if (strcmp(validated_keys[i].key, key) != 0)
			continue;
		if (in_list(validated_keys[i].allowed, value))
			return 0;
		if (validated_keys[i].reason)
			return fail(p, "%s", validated_keys[i].reason);
		char list[256];
		syn_config_join_models(validated_keys[i].allowed, list, sizeof(list));
		bool crypto = validated_keys[i].allowed == syn_config_crypto_models;
		return fail(p, "Invalid %s model. Should be %s", crypto ? "crypto" : "compression",
			    list);
	}
	return 0;
}

static uint8_t typed_key_type(const char *key)
{
	/* Every typed key is under totem. or quorum.; skip the scan for the rest. */
	if (strncmp(key, "totem.", 6) != 0 && strncmp(key, "quorum.", 7) != 0)
		return SYN_TYPE_STRING;
	for (size_t i = 0; i < sizeof(typed_keys) / sizeof(typed_keys[0]); i++)
		if (strcmp(typed_keys[i].key, key) == 0)
			return typed_keys[i].type;
	return SYN_TYPE_STRING;
}

/* An item in a context without renaming: typed, validated or string. */
static int item_plain(struct parser *p, enum ctx ctx, const char *key, const char *full,
		      const char *value)
{
	uint8_t type = typed_key_type(full);

	if (ctx == CTX_RESOURCES && strcmp(key, "watchdog_timeout") == 0)
		type = SYN_TYPE_UINT32;
	if (ctx == CTX_RESOURCES_SUB && strcmp(key, "poll_period") == 0)
		type = SYN_TYPE_UINT64;
	if (type != SYN_TYPE_STRING)
		return store_typed(p, full, full, value, type);
	int rc = check_validated(p, full, value);
	if (rc)
		return rc;
	return store_str(p, full, value);
}

/* Number-valued interface items: the slot to fill and its type. */
static long long *iface_number_slot(struct iface *f, const char *key, uint8_t *type)
{
	*type = SYN_TYPE_UINT32;
	if (strcmp(key, "linknumber") == 0 || strcmp(key, "ttl") == 0 ||
	    strcmp(key, "knet_link_priority") == 0) {
		*type = SYN_TYPE_UINT8;
		return key[0] == 'l' ? &f->linknumber : key[0] == 't' ? &f->ttl : &f->link_priority;
	}
	if (strcmp(key, "mcastport") == 0) {
		*type = SYN_TYPE_UINT16;
		return &f->mcastport;
	}
	if (strcmp(key, "knet_ping_interval") == 0)
		return &f->ping_interval;
	if (strcmp(key, "knet_ping_timeout") == 0)
		return &f->ping_timeout;
	if (strcmp(key, "knet_ping_precision") == 0)
		return &f->ping_precision;
	if (strcmp(key, "knet_pong_count") == 0)
		return &f->pong_count;
	return NULL;
}

static int item_interface(struct parser *p, const char *key, const char *full, const char *value)
{
	struct iface *f = &p->iface;
	uint8_t type;
	long long *slot = iface_number_slot(f, key, &type);

	if (slot) {
		char msg_key[PATH_MAX_LEN + 32];
		snprintf(msg_key, sizeof(msg_key), "totem.interface.%s", key);
		return parse_int(p, msg_key, value, type, slot);
	}
	char **str = NULL;
	if (strcmp(key, "bindnetaddr") == 0)
		str = &f->bindnetaddr;
	else if (strcmp(key, "mcastaddr") == 0)
		str = &f->mcastaddr;
	else if (strcmp(key, "broadcast") == 0)
		str = &f->broadcast;
	else if (strcmp(key, "knet_transport") == 0)
		str = &f->knet_transport;
	if (str)
		return replace_str(str, value);
	return store_str(p, full, value);
}

static int item_node(struct parser *p, const char *key, const char *value)
{
	char full[PATH_MAX_LEN * 2];

	snprintf(full, sizeof(full), "nodelist.node.%" PRIu32 ".%s", p->node_number, key);
	if (strcmp(key, "nodeid") == 0 || strcmp(key, "quorum_votes") == 0)
		return store_typed(p, full, full, value, SYN_TYPE_UINT32);
	return store_str(p, full, value);
}

/* uid/gid given as a decimal number or a name of the system databases. */
static int resolve_id(struct parser *p, bool is_uid, const char *value, unsigned *out)
{
	char *end;
	long long id;

	errno = 0;
	id = strtoll(value, &end, 10);
	if (*value && !*end && errno == 0 && id >= 0 && id <= UINT_MAX) {
		*out = (unsigned)id;
		return 0;
	}
	if (is_uid) {
		struct passwd pw, *res = NULL;
		char buf[4096];
		if (getpwnam_r(value, &pw, buf, sizeof(buf), &res) == 0 && res) {
			*out = res->pw_uid;
			return 0;
		}
		return fail(p,
			    "The '%s' user is not found in /etc/passwd, please read the "
			    "documentation.",
			    value);
	}
	struct group gr, *res = NULL;
	char buf[4096];
	if (getgrnam_r(value, &gr, buf, sizeof(buf), &res) == 0 && res) {
		*out = res->gr_gid;
		return 0;
	}
	return fail(p, "The '%s' group is not found in /etc/group, please read the documentation.",
		    value);
}

static int item_uidgid(struct parser *p, const char *key, const char *value)
{
	bool is_uid = strcmp(key, "uid") == 0;
	unsigned id;
	char full[64];

	if (!is_uid && strcmp(key, "gid") != 0)
		return fail(p, "uidgid: Only uid and gid are allowed items");
	int rc = resolve_id(p, is_uid, value, &id);
	if (rc)
		return rc;
	snprintf(full, sizeof(full), "uidgid.config.%s.%u", is_uid ? "uid" : "gid", id);
	return store_result(p, full, syn_store_set_u8(p->store, full, 1));
}

static int item_logging(struct parser *p, enum ctx ctx, const char *key, const char *value)
{
	if (strcmp(key, "subsys") == 0)
		return replace_str(&p->log_subsys, value);
	if (ctx == CTX_LOGGING_DAEMON && strcmp(key, "name") == 0)
		return replace_str(&p->log_name, value);
	return kv_list_add(&p->log_items, key, value);
}

static int handle_item(struct parser *p, const char *key, const char *value)
{
	const struct level *lv = &p->levels[p->depth];
	size_t path_len = strlen(lv->path), key_len = strlen(key), at = 0;
	char full[PATH_MAX_LEN * 2];

	if (!*key)
		return fail(p, "Key name can't be empty");
	if (path_len + key_len + 1 >= PATH_MAX_LEN)
		return fail(p, "New key makes total cmap path too long");
	/* "<path>.<key>", or "<key>" at the top; built by hand, once per item */
	if (p->depth > 0) {
		memcpy(full, lv->path, path_len);
		full[path_len] = '.';
		at = path_len + 1;
	}
	memcpy(full + at, key, key_len + 1);
	if (p->flags & SYN_CONFIG_UIDGID_ONLY) {
		if (strcmp(full, "uidgid.uid") != 0 && strcmp(full, "uidgid.gid") != 0)
			return fail(p, "uidgid: Only uid and gid are allowed items");
		return item_uidgid(p, key, value);
	}
	switch (lv->ctx) {
	case CTX_INTERFACE:
		return item_interface(p, key, full, value);
	case CTX_MEMBER:
		if (strcmp(key, "memberaddr") != 0)
			return fail(p, "Only memberaddr is allowed in member section");
		return kv_list_add(&p->iface.members, NULL, value);
	case CTX_NODE:
		return item_node(p, key, value);
	case CTX_LOGGER_SUBSYS:
	case CTX_LOGGING_DAEMON:
		return item_logging(p, lv->ctx, key, value);
	case CTX_UIDGID:
		return item_uidgid(p, key, value);
	default:
		return item_plain(p, lv->ctx, key, full, value);
	}
}

static enum ctx context_for(const char *path, enum ctx parent, bool *owner)
{
	for (size_t i = 0; i < sizeof(ctx_by_path) / sizeof(ctx_by_path[0]); i++) {
		if (strcmp(ctx_by_path[i].path, path) == 0) {
			*owner = true;
			return ctx_by_path[i].ctx;
		}
	}
	*owner = false;
	return parent;
}

static int handle_open(struct parser *p, const char *name)
{
	const struct level *parent = &p->levels[p->depth];

	if (strlen(parent->path) + strlen(name) + 1 >= PATH_MAX_LEN)
		return fail(p, "Start of section makes total cmap path too long");
	/* The path bound keeps depth below MAX_DEPTH; this is a safety net. */
	if (p->depth == MAX_DEPTH)
		return fail(p, "Start of section makes total cmap path too long");
	struct level *lv = &p->levels[p->depth + 1];
	size_t plen = strlen(parent->path), nlen = strlen(name);
	memmove(lv->path, parent->path, plen);
	if (p->depth > 0)
		lv->path[plen++] = '.';
	memcpy(lv->path + plen, name, nlen + 1);
	if ((p->flags & SYN_CONFIG_UIDGID_ONLY) && strcmp(lv->path, "uidgid") != 0)
		return fail(p, "uidgid: Can't add subsection different than uidgid");
	if (parent->ctx == CTX_NODE)
		return fail(p, "Subsections are not allowed within nodelist.node section");
	lv->ctx = context_for(lv->path, p->depth == 0 ? CTX_GENERIC : parent->ctx, &lv->owner);
	p->depth++;
	if (!lv->owner)
		return 0;
	switch (lv->ctx) {
	case CTX_NODELIST:
		p->node_number = 0;
		break;
	case CTX_INTERFACE:
		iface_reset(&p->iface);
		break;
	case CTX_LOGGER_SUBSYS:
	case CTX_LOGGING_DAEMON:
		log_reset(p);
		break;
	default:
		break;
	}
	return 0;
}

/* Write the collected totem.interface block under totem.interface.<L>. */
static int close_interface(struct parser *p)
{
	struct iface *f = &p->iface;
	unsigned l = (unsigned)f->linknumber;
	char key[PATH_MAX_LEN + 1];
	int rc = 0;

#define IFKEY(item) snprintf(key, sizeof(key), "totem.interface.%u.%s", l, item)
	const struct {
		const char *item;
		const char *value;
	} strs[] = {{"bindnetaddr", f->bindnetaddr},
		    {"mcastaddr", f->mcastaddr},
		    {"broadcast", f->broadcast},
		    {"knet_transport", f->knet_transport}};
	for (size_t i = 0; rc == 0 && i < sizeof(strs) / sizeof(strs[0]); i++) {
		if (!strs[i].value)
			continue;
		IFKEY(strs[i].item);
		rc = store_str(p, key, strs[i].value);
	}
	const struct {
		const char *item;
		long long v;
		uint8_t type;
	} nums[] = {{"mcastport", f->mcastport, SYN_TYPE_UINT16},
		    {"ttl", f->ttl, SYN_TYPE_UINT8},
		    {"knet_link_priority", f->link_priority, SYN_TYPE_UINT8},
		    {"knet_ping_interval", f->ping_interval, SYN_TYPE_UINT32},
		    {"knet_ping_timeout", f->ping_timeout, SYN_TYPE_UINT32},
		    {"knet_ping_precision", f->ping_precision, SYN_TYPE_UINT32},
		    {"knet_pong_count", f->pong_count, SYN_TYPE_UINT32}};
	for (size_t i = 0; rc == 0 && i < sizeof(nums) / sizeof(nums[0]); i++) {
		if (nums[i].v < 0)
			continue;
		IFKEY(nums[i].item);
		uint32_t v32 = (uint32_t)nums[i].v;
		uint16_t v16 = (uint16_t)nums[i].v;
		uint8_t v8 = (uint8_t)nums[i].v;
		const void *data = nums[i].type == SYN_TYPE_UINT32   ? (const void *)&v32
				   : nums[i].type == SYN_TYPE_UINT16 ? (const void *)&v16
								     : (const void *)&v8;
		rc = store_result(p, key,
				  syn_store_set(p->store, key, data,
						syn_value_type_size(nums[i].type), nums[i].type));
	}
	for (size_t i = 0; rc == 0 && i < f->members.n; i++) {
		snprintf(key, sizeof(key), "totem.interface.%u.member.%zu", l, i);
		rc = store_str(p, key, f->members.items[i].value);
	}
#undef IFKEY
	iface_reset(f);
	return rc;
}

/* Write every collected item as prefix.<key>. */
static int write_log_items(struct parser *p, const char *prefix)
{
	char key[PATH_MAX_LEN * 3];

	for (size_t i = 0; i < p->log_items.n; i++) {
		snprintf(key, sizeof(key), "%s.%s", prefix, p->log_items.items[i].key);
		int rc = store_str(p, key, p->log_items.items[i].value);
		if (rc)
			return rc;
	}
	return 0;
}

static int close_logging(struct parser *p, enum ctx ctx)
{
	char prefix[PATH_MAX_LEN * 2], key[PATH_MAX_LEN * 3];
	const char *subsys = p->log_subsys, *name = p->log_name;
	int rc;

	if (ctx == CTX_LOGGER_SUBSYS && !subsys)
		return fail(p, "No subsys key in logger_subsys directive");
	if (ctx == CTX_LOGGING_DAEMON && !name)
		return fail(p, "No name key in logging_daemon directive");
	bool own = ctx == CTX_LOGGER_SUBSYS || strcmp(name, "corosync") == 0;
	if (own && !subsys)
		return write_log_items(p, "logging");
	if (own)
		snprintf(prefix, sizeof(prefix), "logging.logger_subsys.%s", subsys);
	else if (subsys)
		snprintf(prefix, sizeof(prefix), "logging.logging_daemon.%s.%s", name, subsys);
	else
		snprintf(prefix, sizeof(prefix), "logging.logging_daemon.%s", name);
	if (subsys) {
		snprintf(key, sizeof(key), "%s.subsys", prefix);
		if ((rc = store_str(p, key, subsys)))
			return rc;
	}
	if (!own) {
		snprintf(key, sizeof(key), "%s.name", prefix);
		if ((rc = store_str(p, key, name)))
			return rc;
	}
	return write_log_items(p, prefix);
}

static int handle_close(struct parser *p)
{
	if (p->depth == 0)
		return fail(p, "Unexpected closing brace");
	struct level *lv = &p->levels[p->depth];
	int rc = 0;

	if (lv->owner) {
		switch (lv->ctx) {
		case CTX_INTERFACE:
			rc = close_interface(p);
			break;
		case CTX_NODE:
			p->node_number++;
			break;
		case CTX_LOGGER_SUBSYS:
		case CTX_LOGGING_DAEMON:
			rc = close_logging(p, lv->ctx);
			log_reset(p);
			break;
		default:
			break;
		}
	}
	p->depth--;
	return rc;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t';
}

static char *skip_ws(char *s)
{
	while (is_ws(*s))
		s++;
	return s;
}

/* Cut the trailing run of spaces, TABs, ':' and '{' from a name. */
static void trim_name(char *s)
{
	size_t n = strlen(s);

	while (n && (is_ws(s[n - 1]) || s[n - 1] == ':' || s[n - 1] == '{'))
		s[--n] = '\0';
}

/* Classify and process one normalised line (trailing whitespace gone). */
static int handle_line(struct parser *p, char *line)
{
	char *start = skip_ws(line);
	char *at;

	if (*start == '\0' || *start == '#')
		return 0;
	if ((at = strchr(start, '{'))) {
		*at = '\0';
		trim_name(start);
		if (*start == '\0')
			return fail(p, "Missing section name before opening bracket '{'");
		if (*skip_ws(at + 1) != '\0')
			return fail(p, "Extra characters after opening bracket '{'");
		return handle_open(p, start);
	}
	if ((at = strchr(start, ':'))) {
		*at = '\0';
		trim_name(start);
		return handle_item(p, start, skip_ws(at + 1));
	}
	if (strchr(start, '}')) {
		if (strcmp(start, "}") != 0)
			return fail(p, "Extra characters before or after closing bracket '}'");
		return handle_close(p);
	}
	return fail(p, "Line is not opening or closing section or key value");
}

/*
 * Split buf into lines and feed them to handle_line.  A NUL byte ends
 * the line's text as it does for the reference's C-string reader: a
 * line with text before the NUL is reported as too long, one starting
 * with NUL is ignored.
 */
static int parse_lines(struct parser *p, const char *buf, size_t len)
{
	char line[SYN_CONFIG_LINE_MAX + 2];
	size_t pos = 0;

	while (pos < len) {
		const char *lf = memchr(buf + pos, '\n', len - pos);
		size_t n = lf ? (size_t)(lf - (buf + pos)) : len - pos;
		p->line_no++;
		if (n > SYN_CONFIG_LINE_MAX)
			return fail(p, "Line too long");
		memcpy(line, buf + pos, n);
		line[n] = '\0';
		pos += n + (lf ? 1 : 0);
		size_t text = strlen(line);
		if (text < n) {
			if (text > 0)
				return fail(p, "Line too long");
			continue;
		}
		if (n && line[n - 1] == '\r')
			line[--n] = '\0';
		while (n && is_ws(line[n - 1]))
			line[--n] = '\0';
		int rc = handle_line(p, line);
		if (rc)
			return rc;
	}
	if (p->depth > 0)
		return fail(p, "Missing closing brace");
	return 0;
}

static void parser_fini(struct parser *p)
{
	iface_reset(&p->iface);
	log_reset(p);
}

int syn_config_parse_into(struct syn_store *scratch, const char *name, const char *buf, size_t len,
			  unsigned flags, char *err, size_t err_len)
{
	struct parser *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->store = scratch;
	p->name = name;
	p->flags = flags;
	p->err = err;
	p->err_len = err_len;
	iface_reset(&p->iface);
	int rc = parse_lines(p, buf, len);
	parser_fini(p);
	free(p);
	return rc;
}

static void set_err(char *err, size_t err_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	if (!err_len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
}

int syn_config_parse_buffer(struct syn_store *store, const char *name, const char *buf, size_t len,
			    unsigned flags, char *err, size_t err_len)
{
	struct syn_store *scratch = syn_store_create();
	int rc;

	if (err_len)
		err[0] = '\0';
	if (!scratch)
		return -ENOMEM;
	rc = syn_config_parse_into(scratch, name, buf, len, flags, err, err_len);
	if (rc == 0)
		rc = syn_store_merge(store, scratch);
	if (rc == -ENOMEM)
		set_err(err, err_len, "out of memory");
	syn_store_destroy(scratch);
	return rc;
}
