/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config_totem.c - start-up validation of the parsed totem, crypto, link
 * and nodelist configuration, and the keys the daemon derives from it.
 *
 * Order of checks (first failure wins), as the reference daemon does it:
 * transport; crypto and key; link_mode length; node addresses (link
 * numbers, resolution); local node and its id (knet) or generated ids
 * (udp, udpu); node ids; interface link numbers; knet transports; then
 * the "parse error in config: " checks: interfaces present, local node
 * found, per-link rules, version, timers, multi-link rules, link_mode,
 * link count and crypto for non-knet.  Duplicate ids are reported
 * without the prefix, as the reference does.
 *
 * Nothing is written until every check passed, except that the crypto
 * key is only read, never kept: the transport adapter loads it again.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "config_int.h"

#define KEY_MIN_BYTES 128
#define KEY_MAX_BYTES 4096
#define LINK_MODE_MAX 63
#define KNET_MAX_NODEID 65536
#define DEFAULT_PORT 5405

enum transport { TRANSPORT_KNET, TRANSPORT_UDPU, TRANSPORT_UDP };

struct node {
	char pos[16]; /* <N> of nodelist.node.<N> */
	char *name;
	char *addr[SYN_CONFIG_MAX_LINKS];
	struct syn_config_addr resolved[SYN_CONFIG_MAX_LINKS];
	bool has_nodeid;
	bool autogen;
	uint32_t nodeid;
};

struct check {
	struct syn_store *store;
	const struct syn_config_env *env;
	char *err;
	size_t err_len;
	enum transport transport;
	enum syn_config_ip_version ipv;
	struct node *nodes;
	size_t n_nodes;
	bool link_present[SYN_CONFIG_MAX_LINKS];
	bool iface_present[SYN_CONFIG_MAX_LINKS];
	long local;				  /* index into nodes, -1 when not found */
	char mcast_gen[SYN_CONFIG_MAX_LINKS][48]; /* generated udp mcastaddr, "" if none */
	struct syn_totem_timers timers;
};

static int run_checks(struct check *c);
static int bad(struct check *c, bool prefixed, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(struct check *c, bool prefixed, const char *fmt, ...)
{
	char msg[SYN_CONFIG_ERR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->err_len)
		snprintf(c->err, c->err_len, "%s%s", prefixed ? "parse error in config: " : "",
			 msg);
	return -EINVAL;
}

static void warn(struct check *c, const char *msg)
{
	if (c->env->log)
		c->env->log(c->env->log_ctx, msg);
}

static const char *str_key(struct check *c, const char *key, const char *def)
{
	return syn_config_get_str(c->store, key, def);
}

static int check_transport(struct check *c)
{
	const char *t = str_key(c, "totem.transport", "knet");

	if (strcmp(t, "knet") == 0)
		c->transport = TRANSPORT_KNET;
	else if (strcmp(t, "udpu") == 0)
		c->transport = TRANSPORT_UDPU;
	else if (strcmp(t, "udp") == 0)
		c->transport = TRANSPORT_UDP;
	else
		return bad(c, false, "Invalid transport type. Should be udpu, udp or knet");
	c->ipv = syn_config_ip_version(c->store);
	return 0;
}

enum syn_config_ip_version syn_config_ip_version(const struct syn_store *store)
{
	bool udp = strcmp(syn_config_get_str(store, "totem.transport", "knet"), "udp") == 0;
	const char *ipv = syn_config_get_str(store, "totem.ip_version", udp ? "ipv4" : "ipv6-4");

	return strcmp(ipv, "ipv4") == 0	    ? SYN_IP_V4
	       : strcmp(ipv, "ipv6") == 0   ? SYN_IP_V6
	       : strcmp(ipv, "ipv4-6") == 0 ? SYN_IP_V4_6
					    : SYN_IP_V6_4;
}

/* Check that the key file holds at least the minimum key size. */
static int check_keyfile(struct check *c, const char *path)
{
	unsigned char *buf = malloc(KEY_MAX_BYTES);
	ssize_t got = 0, r;

	if (!buf)
		return -ENOMEM;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		free(buf);
		return bad(c, false, "Could not open %s: %s", path, strerror(e));
	}
	while (got < KEY_MAX_BYTES && (r = read(fd, buf + got, KEY_MAX_BYTES - got)) > 0)
		got += r;
	close(fd);
	free(buf);
	if (got < KEY_MIN_BYTES)
		return bad(c, false, "Could only read %zd bits of minimum %d bits from %s.",
			   got * 8, KEY_MIN_BYTES * 8, path);
	return 0;
}

static int check_crypto(struct check *c, bool *crypto_on)
{
	bool secauth = strcmp(str_key(c, "totem.secauth", "off"), "on") == 0;
	const char *cipher = str_key(c, "totem.crypto_cipher", secauth ? "aes256" : "none");
	const char *hash = str_key(c, "totem.crypto_hash", secauth ? "sha256" : "none");

	*crypto_on = strcmp(cipher, "none") != 0 || strcmp(hash, "none") != 0;
	if (strcmp(cipher, "none") != 0 && strcmp(hash, "none") == 0)
		return bad(c, false,
			   "crypto_cipher requires crypto_hash with value other than none");
	if (!*crypto_on)
		return 0;
	const char *keyfile = str_key(c, "totem.keyfile", NULL);
	struct syn_value key;
	if (!keyfile && syn_store_get(c->store, "totem.key", &key) == 0) {
		size_t len = key.type == SYN_TYPE_STRING && key.len ? key.len - 1 : key.len;
		if (len > KEY_MAX_BYTES)
			return bad(c, false, "key is too long");
		if (len < KEY_MIN_BYTES)
			return bad(c, false, "key is too short");
		return 0;
	}
	return check_keyfile(c, keyfile ? keyfile : SYN_CONFIG_DEFAULT_KEYFILE);
}

static struct node *node_get(struct check *c, const char *pos, size_t pos_len)
{
	if (c->n_nodes && strlen(c->nodes[c->n_nodes - 1].pos) == pos_len &&
	    memcmp(c->nodes[c->n_nodes - 1].pos, pos, pos_len) == 0)
		return &c->nodes[c->n_nodes - 1];
	struct node *n = realloc(c->nodes, (c->n_nodes + 1) * sizeof(*n));
	if (!n)
		return NULL;
	c->nodes = n;
	n = &c->nodes[c->n_nodes++];
	memset(n, 0, sizeof(*n));
	snprintf(n->pos, sizeof(n->pos), "%.*s", (int)pos_len, pos);
	return n;
}

/* One nodelist.node.<N>.<item> key into the node table. */
static int collect_item(struct check *c, struct node *n, const char *item,
			const struct syn_value *v)
{
	unsigned l;
	char tail[8];

	if (strcmp(item, "nodeid") == 0 && v->type == SYN_TYPE_UINT32) {
		memcpy(&n->nodeid, v->data, sizeof(uint32_t));
		n->has_nodeid = n->nodeid != 0;
		return 0;
	}
	if (v->type != SYN_TYPE_STRING)
		return 0;
	if (strcmp(item, "name") == 0)
		return (n->name = strdup(v->data)) ? 0 : -ENOMEM;
	if (sscanf(item, "ring%u%7s", &l, tail) != 2 || strcmp(tail, "_addr") != 0)
		return 0;
	if (l >= SYN_CONFIG_MAX_LINKS)
		return bad(c, true, "interface ring number %u is bigger than allowed maximum %d", l,
			   SYN_CONFIG_MAX_LINKS - 1);
	c->link_present[l] = true;
	return (n->addr[l] = strdup(v->data)) ? 0 : -ENOMEM;
}

/* Build the node table in key order (so position 10 precedes 2). */
static int collect_nodes(struct check *c)
{
	const char *prefix = "nodelist.node.", *key;
	struct syn_store_iter *it = syn_store_iter_create(c->store, prefix);
	struct syn_value v;
	int rc = 0;

	if (!it)
		return -ENOMEM;
	while (rc == 0 && syn_store_iter_next(it, &key, &v) == 0) {
		const char *pos = key + strlen(prefix), *dot = strchr(pos, '.');
		if (!dot || dot == pos || (size_t)(dot - pos) >= sizeof(c->nodes->pos))
			continue;
		struct node *n = node_get(c, pos, (size_t)(dot - pos));
		rc = n ? collect_item(c, n, dot + 1, &v) : -ENOMEM;
	}
	syn_store_iter_destroy(it);
	return rc;
}

static int resolve_nodes(struct check *c)
{
	for (size_t i = 0; i < c->n_nodes; i++) {
		struct node *n = &c->nodes[i];
		for (unsigned l = 0; l < SYN_CONFIG_MAX_LINKS; l++) {
			if (!n->addr[l])
				continue;
			if (c->env->resolve(c->env->ctx, n->addr[l], c->ipv, &n->resolved[l], 1) <
			    1)
				return bad(c, false, "failed to parse node address '%s'",
					   n->addr[l]);
		}
	}
	return 0;
}

static const char *first_addr(const struct node *n)
{
	for (unsigned l = 0; l < SYN_CONFIG_MAX_LINKS; l++)
		if (n->addr[l])
			return n->addr[l];
	return "";
}

/* udp/udpu: a node without id takes its IPv4 ring0 address. */
static int generate_nodeids(struct check *c)
{
	bool clear_high = strcmp(str_key(c, "totem.clear_node_high_bit", "no"), "yes") == 0;

	for (size_t i = 0; i < c->n_nodes; i++) {
		struct node *n = &c->nodes[i];
		if (n->has_nodeid || !n->addr[0])
			continue;
		if (n->resolved[0].family != AF_INET)
			return bad(c, false,
				   "An IPV6 network requires that a node ID be specified for "
				   "address '%s'.",
				   n->addr[0]);
		uint32_t be;
		memcpy(&be, n->resolved[0].bytes, 4);
		n->nodeid = ntohl(be);
		if (clear_high)
			n->nodeid &= 0x7FFFFFFFu;
		n->has_nodeid = n->autogen = true;
	}
	return 0;
}

static int check_nodeids(struct check *c)
{
	if (c->transport != TRANSPORT_KNET)
		return generate_nodeids(c);
	if (c->local >= 0 && !c->nodes[c->local].has_nodeid)
		return bad(c, false, "Knet requires an explicit nodeid for the local node");
	for (size_t i = 0; i < c->n_nodes; i++) {
		const struct node *n = &c->nodes[i];
		if (!n->has_nodeid)
			return bad(c, false,
				   "Knet requires an explicit nodeid to be specified for address "
				   "'%s'.",
				   first_addr(n));
		if (n->nodeid >= KNET_MAX_NODEID)
			return bad(c, false,
				   "Knet requires nodeid to be less than %d for address '%s'.",
				   KNET_MAX_NODEID, first_addr(n));
	}
	return 0;
}

/* Interface blocks: link numbers and knet transport names. */
static int check_interfaces(struct check *c)
{
	struct syn_store_iter *it = syn_store_iter_create(c->store, "totem.interface.");
	const char *key;
	struct syn_value v;
	unsigned l;
	char item[64];
	int rc = 0;

	if (!it)
		return -ENOMEM;
	while (rc == 0 && syn_store_iter_next(it, &key, &v) == 0) {
		if (sscanf(key, "totem.interface.%u.%63s", &l, item) != 2)
			continue;
		if (l >= SYN_CONFIG_MAX_LINKS) {
			rc = bad(c, true,
				 "interface ring number %u is bigger than allowed maximum %d", l,
				 SYN_CONFIG_MAX_LINKS - 1);
			break;
		}
		c->iface_present[l] = true;
		if (strcmp(item, "knet_transport") == 0 && v.type == SYN_TYPE_STRING &&
		    strcmp(v.data, "udp") != 0 && strcmp(v.data, "sctp") != 0)
			rc = bad(c, false, "Unrecognised knet_transport. expected 'udp' or 'sctp'");
	}
	syn_store_iter_destroy(it);
	return rc;
}

static int if_key(char *key, size_t len, unsigned l, const char *item)
{
	return snprintf(key, len, "totem.interface.%u.%s", l, item);
}

static bool is_multicast(const struct syn_config_addr *a)
{
	if (a->family == AF_INET)
		return (a->bytes[0] & 0xF0) == 0xE0;
	return a->bytes[0] == 0xFF;
}

static unsigned link_u8(struct check *c, unsigned l, const char *item, unsigned def)
{
	char key[96];
	uint8_t v;

	if_key(key, sizeof(key), l, item);
	return syn_store_get_u8(c->store, key, &v) == 0 ? v : def;
}

/*
 * A link's priority as the reference validates it: 1 unless set, and an
 * explicit 0 also becomes 1 on a link the local node has an address on.
 * Other transports accept the default value, only a different one is
 * refused.
 */
static unsigned link_priority(struct check *c, unsigned l)
{
	unsigned prio = link_u8(c, l, "knet_link_priority", 1);

	if (prio == 0 && c->local >= 0 && c->nodes[c->local].addr[l])
		prio = 1;
	return prio;
}

/* Checks of one link's interface settings (spec 5.10); ttl 1 and priority 1 are defaults. */
static int check_link(struct check *c, unsigned l)
{
	char key[96];
	struct syn_value v;

	if_key(key, sizeof(key), l, "mcastport");
	if (syn_store_get(c->store, key, &v) == 0 && v.type == SYN_TYPE_UINT16 &&
	    *(const uint16_t *)v.data == 0)
		return bad(c, true, "No multicast port specified for interface %u", l);
	if (c->transport != TRANSPORT_UDP && link_u8(c, l, "ttl", 1) != 1)
		return bad(c, true,
			   "Can only set ttl on multicast transport types for interface %u", l);
	if (c->transport != TRANSPORT_KNET && link_priority(c, l) != 1)
		return bad(c, true,
			   "Can only set link priority on knet transport type for interface %u", l);
	if (c->transport != TRANSPORT_UDP)
		return 0;
	if_key(key, sizeof(key), l, "broadcast");
	bool bcast = strcmp(str_key(c, key, "no"), "yes") == 0;
	if_key(key, sizeof(key), l, "mcastaddr");
	const char *mcast = str_key(c, key, c->mcast_gen[l][0] ? c->mcast_gen[l] : NULL);
	struct syn_config_addr ma;
	if (bcast)
		return 0;
	if (!mcast)
		return bad(c, true, "No multicast address specified for interface %u", l);
	if (!syn_config_addr_parse(mcast, &ma) || !is_multicast(&ma))
		return bad(c, true, "mcastaddr is not a correct multicast address for interface %u",
			   l);
	if (c->local >= 0 && c->nodes[c->local].addr[l] &&
	    c->nodes[c->local].resolved[l].family != ma.family)
		return bad(c, true,
			   "Multicast address family does not match bind address family for "
			   "interface %u",
			   l);
	return 0;
}

static int check_multilink(struct check *c)
{
	int n_links = 0;

	for (unsigned l = 0; l < SYN_CONFIG_MAX_LINKS; l++)
		n_links += c->link_present[l];
	if (n_links < 2)
		return 0;
	for (size_t i = 0; i < c->n_nodes; i++)
		if (!c->nodes[i].name)
			return bad(c, true,
				   "for a multi-link configuration, all nodes must have a 'name' "
				   "attribute");
	for (size_t i = 0; i < c->n_nodes; i++)
		for (unsigned l = 0; l < SYN_CONFIG_MAX_LINKS; l++)
			if (c->link_present[l] && !c->nodes[i].addr[l])
				return bad(c, true, "Not all nodes have the same number of links");
	return 0;
}

static const char *addr_text(const struct syn_config_addr *a, char *buf, size_t len)
{
	return inet_ntop(a->family, a->bytes, buf, (socklen_t)len) ? buf : "";
}

/*
 * Every node's address on a link has the family of the link's first
 * address, with one link or many: a link cannot carry both.
 */
static int check_link_families(struct check *c)
{
	char first_text[INET6_ADDRSTRLEN], other_text[INET6_ADDRSTRLEN];

	for (unsigned l = 0; l < SYN_CONFIG_MAX_LINKS; l++) {
		const struct syn_config_addr *first = NULL;
		for (size_t i = 0; i < c->n_nodes; i++) {
			const struct syn_config_addr *a = &c->nodes[i].resolved[l];
			if (!c->nodes[i].addr[l])
				continue;
			if (!first)
				first = a;
			else if (a->family != first->family)
				return bad(c, true,
					   "Nodes for link %u have different IP families "
					   "(compared %s with %s)",
					   l, addr_text(a, other_text, sizeof(other_text)),
					   addr_text(first, first_text, sizeof(first_text)));
		}
	}
	return 0;
}

static int check_duplicate_ids(struct check *c)
{
	for (size_t i = 0; i < c->n_nodes; i++) {
		for (size_t j = 0; j < i; j++) {
			const struct node *a = &c->nodes[j], *b = &c->nodes[i];
			if (!a->has_nodeid || !b->has_nodeid || a->nodeid != b->nodeid)
				continue;
			if (b->autogen)
				return bad(c, false,
					   "Nodeid %u(autogenerated from %s) appears twice in "
					   "corosync.conf",
					   b->nodeid, b->addr[0]);
			return bad(c, false, "Nodeid %u appears twice in corosync.conf", b->nodeid);
		}
	}
	return 0;
}

static int check_final(struct check *c, bool crypto_on)
{
	const char *mode = str_key(c, "totem.link_mode", "passive");
	int n_links = 0;

	if (strcmp(mode, "passive") != 0 && strcmp(mode, "active") != 0 && strcmp(mode, "rr") != 0)
		return bad(c, true,
			   "The Knet link mode \"%s\" specified is invalid.  It must be active, "
			   "passive or rr.",
			   mode);
	for (unsigned l = 0; l < SYN_CONFIG_MAX_LINKS; l++)
		n_links += c->link_present[l] || c->iface_present[l];
	if (c->transport != TRANSPORT_KNET && n_links > 1)
		return bad(c, true, "%d is too many configured interfaces for non-Knet transport.",
			   n_links);
	if (c->transport != TRANSPORT_KNET && crypto_on)
		return bad(c, true,
			   "crypto_cipher & crypto_hash are only valid for the Knet transport.");
	return 0;
}

static int check_presence(struct check *c)
{
	bool any_iface = false;

	for (unsigned l = 0; l < SYN_CONFIG_MAX_LINKS; l++)
		any_iface |= c->link_present[l];
	if (!any_iface && c->transport == TRANSPORT_UDP) {
		char key[96];
		if_key(key, sizeof(key), 0, "bindnetaddr");
		any_iface = syn_store_exists(c->store, key);
	}
	if (!any_iface)
		return bad(c, true, "No interfaces defined");
	if (c->n_nodes && c->local < 0)
		return bad(c, true, "No valid name found for local host");
	for (unsigned l = 0; l < SYN_CONFIG_MAX_LINKS; l++) {
		if (!c->link_present[l] && !c->iface_present[l])
			continue;
		int rc = check_link(c, l);
		if (rc)
			return rc;
	}
	if (syn_config_get_u32(c->store, "totem.version", 0) != 2)
		return bad(c, true, "This totem parser can only parse version 2 configurations.");
	return 0;
}

/* The local-node candidates of a node: its name and its ring0 address. */
static bool node_matches(const struct node *n, const char *text)
{
	return (n->name && strcmp(n->name, text) == 0) ||
	       (n->addr[0] && strcmp(n->addr[0], text) == 0);
}

static long match_text(const struct check *c, const char *text)
{
	for (size_t i = 0; i < c->n_nodes; i++)
		if (node_matches(&c->nodes[i], text))
			return (long)i;
	return -1;
}

static bool addr_equal(const struct syn_config_addr *a, const struct syn_config_addr *b)
{
	size_t len = a->family == AF_INET ? 4 : 16;

	return a->family == b->family && memcmp(a->bytes, b->bytes, len) == 0;
}

/* Steps 1-3 of local node detection: the host name and its forms. */
static long find_by_hostname(const struct check *c)
{
	char host[256];
	char *dot;
	long i;

	snprintf(host, sizeof(host), "%s", c->env->hostname ? c->env->hostname : "");
	if (!host[0])
		return -1;
	if ((i = match_text(c, host)) >= 0)
		return i;
	while ((dot = strrchr(host, '.'))) {
		*dot = '\0';
		if ((i = match_text(c, host)) >= 0)
			return i;
	}
	for (size_t k = 0; k < c->n_nodes; k++) {
		const char *cand[2] = {c->nodes[k].name, c->nodes[k].addr[0]};
		for (int j = 0; j < 2; j++) {
			size_t len = cand[j] ? strcspn(cand[j], ".") : 0;
			if (len && strlen(host) == len && strncmp(cand[j], host, len) == 0)
				return (long)k;
		}
	}
	return -1;
}

/* Step 4: each local address by its reverse name, short name and number. */
static long find_by_local_addr(const struct check *c)
{
	char name[1025], text[INET6_ADDRSTRLEN];
	struct syn_config_addr parsed;
	long i;

	for (size_t a = 0; a < c->env->n_local_addrs; a++) {
		const struct syn_config_addr *la = &c->env->local_addrs[a];
		if (c->env->reverse && c->env->reverse(c->env->ctx, la, name, sizeof(name)) == 0) {
			if ((i = match_text(c, name)) >= 0)
				return i;
			name[strcspn(name, ".")] = '\0';
			if ((i = match_text(c, name)) >= 0)
				return i;
		}
		if (inet_ntop(la->family, la->bytes, text, sizeof(text)) &&
		    (i = match_text(c, text)) >= 0)
			return i;
		for (size_t k = 0; k < c->n_nodes; k++) {
			const char *cand[2] = {c->nodes[k].name, c->nodes[k].addr[0]};
			for (int j = 0; j < 2; j++)
				if (cand[j] && syn_config_addr_parse(cand[j], &parsed) &&
				    addr_equal(&parsed, la))
					return (long)k;
		}
	}
	return -1;
}

/* Step 5: each node's names resolved and compared with local addresses. */
static long find_by_resolving(const struct check *c)
{
	struct syn_config_addr res[16];

	for (size_t k = 0; k < c->n_nodes; k++) {
		const char *cand[2] = {c->nodes[k].name, c->nodes[k].addr[0]};
		for (int j = 0; j < 2; j++) {
			if (!cand[j])
				continue;
			int n = c->env->resolve(c->env->ctx, cand[j], c->ipv, res, 16);
			for (int r = 0; r < n; r++)
				for (size_t a = 0; a < c->env->n_local_addrs; a++)
					if (addr_equal(&res[r], &c->env->local_addrs[a]))
						return (long)k;
		}
	}
	return -1;
}

static long find_local(const struct check *c)
{
	long i;

	if (!c->n_nodes)
		return -1;
	if ((i = find_by_hostname(c)) >= 0 || (i = find_by_local_addr(c)) >= 0)
		return i;
	return find_by_resolving(c);
}

/* udp: multicast address seeded by the cluster name (spec 6.4). */
static void generate_mcast(struct check *c)
{
	const char *name = str_key(c, "totem.cluster_name", NULL);
	char key[96];

	if (c->transport != TRANSPORT_UDP || !name)
		return;
	uint32_t id = 0;
	for (const char *p = name; *p; p++)
		id = ((id << 1) + (unsigned char)*p) & 0xFFFF;
	for (unsigned l = 0; l < SYN_CONFIG_MAX_LINKS; l++) {
		if_key(key, sizeof(key), l, "mcastaddr");
		if (syn_store_exists(c->store, key))
			continue;
		uint32_t lid = (id + l) & 0xFFFF;
		if (c->ipv == SYN_IP_V6 || c->ipv == SYN_IP_V6_4)
			snprintf(c->mcast_gen[l], sizeof(c->mcast_gen[l]), "ff15::%x", lid);
		else
			snprintf(c->mcast_gen[l], sizeof(c->mcast_gen[l]), "239.192.%u.%u",
				 lid >> 8, lid % 255);
	}
}

static void warn_deprecated(struct check *c)
{
	if (syn_store_exists(c->store, "totem.nodeid"))
		warn(c, "nodeid in totem section is deprecated and ignored. Nodelist (or "
			"autogenerated) nodeid is going to be used.");
	struct syn_store_iter *it = syn_store_iter_create(c->store, "totem.interface.");
	const char *key;
	struct syn_value v;
	bool member = false;
	while (it && syn_store_iter_next(it, &key, &v) == 0)
		member |= strstr(key, ".member.") != NULL;
	syn_store_iter_destroy(it);
	if (member && c->n_nodes)
		warn(c, "totem.interface member entries are deprecated and ignored when a nodelist "
			"is present");
}

/* Bind addresses of the local node's links (spec 6.3). */
static int write_bindnetaddr(struct check *c)
{
	const struct node *local = &c->nodes[c->local];
	char key[96];
	int rc = 0;

	for (unsigned l = 0; rc == 0 && l < SYN_CONFIG_MAX_LINKS; l++) {
		if (!local->addr[l])
			continue;
		if_key(key, sizeof(key), l, "bindnetaddr");
		const char *old = str_key(c, key, NULL);
		if (old && strcmp(old, local->addr[l]) != 0)
			warn(c,
			     "totem.interface.bindnetaddr is replaced by the nodelist address of "
			     "the local node");
		rc = syn_store_set_str(c->store, key, local->addr[l]);
	}
	return rc;
}

static int write_udp_defaults(struct check *c)
{
	char key[96];
	int rc = 0;

	for (unsigned l = 0; rc == 0 && l < SYN_CONFIG_MAX_LINKS; l++) {
		if (!c->link_present[l] && !c->iface_present[l])
			continue;
		if (c->mcast_gen[l][0]) {
			if_key(key, sizeof(key), l, "mcastaddr");
			rc = syn_store_set_str(c->store, key, c->mcast_gen[l]);
		}
		if_key(key, sizeof(key), l, "mcastport");
		if (rc == 0 && !syn_store_exists(c->store, key)) {
			if_key(key, sizeof(key), l, "broadcast");
			bool bcast = strcmp(str_key(c, key, "no"), "yes") == 0;
			if_key(key, sizeof(key), l, "mcastport");
			rc = syn_store_set_u16(c->store, key,
					       (uint16_t)(DEFAULT_PORT + (bcast ? 2 * l : l)));
		}
	}
	return rc;
}

static int write_derived(struct check *c)
{
	char key[96];
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < c->n_nodes; i++) {
		if (!c->nodes[i].autogen)
			continue;
		snprintf(key, sizeof(key), "nodelist.node.%s.nodeid", c->nodes[i].pos);
		rc = syn_store_set_u32(c->store, key, c->nodes[i].nodeid);
	}
	if (rc == 0 && c->local >= 0) {
		rc = syn_store_set_u32(c->store, "nodelist.local_node_pos",
				       (uint32_t)strtoul(c->nodes[c->local].pos, NULL, 10));
		if (rc == 0)
			rc = write_bindnetaddr(c);
	}
	if (rc == 0 && c->transport == TRANSPORT_UDP)
		rc = write_udp_defaults(c);
	if (rc == 0)
		rc = syn_config_timers_write(c->store, &c->timers);
	const char *const runtime_no[] = {"runtime.blackbox.dump_flight_data",
					  "runtime.blackbox.dump_state", "runtime.force_gather"};
	for (size_t i = 0; rc == 0 && i < 3; i++)
		rc = syn_store_set_str(c->store, runtime_no[i], "no");
	return rc;
}

int syn_config_totem_apply(struct syn_store *store, const struct syn_config_env *env, char *err,
			   size_t err_len)
{
	struct check *c = calloc(1, sizeof(*c));
	int rc;

	if (err_len)
		err[0] = '\0';
	if (!c)
		return -ENOMEM;
	c->store = store;
	c->env = env;
	c->err = err;
	c->err_len = err_len;
	c->local = -1;
	rc = run_checks(c);
	if (rc == 0) {
		warn_deprecated(c);
		rc = write_derived(c);
	}
	for (size_t i = 0; i < c->n_nodes; i++) {
		free(c->nodes[i].name);
		for (unsigned l = 0; l < SYN_CONFIG_MAX_LINKS; l++)
			free(c->nodes[i].addr[l]);
	}
	free(c->nodes);
	free(c);
	return rc;
}

static int run_checks(struct check *c)
{
	bool crypto_on = false;
	char msg[SYN_CONFIG_ERR_LEN];
	int rc;

	if ((rc = check_transport(c)) || (rc = check_crypto(c, &crypto_on)))
		return rc;
	if (strlen(str_key(c, "totem.link_mode", "passive")) > LINK_MODE_MAX)
		return bad(c, false, "totem.link_mode is too long");
	if ((rc = collect_nodes(c)) || (rc = resolve_nodes(c)))
		return rc;
	c->local = find_local(c);
	generate_mcast(c);
	if ((rc = check_nodeids(c)) || (rc = check_interfaces(c)) || (rc = check_presence(c)))
		return rc;
	if (syn_config_timers_compute(c->store, &c->timers, msg, sizeof(msg)) != 0)
		return bad(c, true, "%s", msg);
	if ((rc = check_multilink(c)) || (rc = check_link_families(c)) ||
	    (rc = check_duplicate_ids(c)) || (rc = check_final(c, crypto_on)))
		return rc;
	return 0;
}
