/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cluster_config.c - turn the validated configuration in cmap into the
 * transport's link set-up and the membership core's timing.
 *
 * The configuration was validated at start-up (config_totem.c), so
 * missing or odd keys here fall back to defaults rather than fail; only
 * the key file, which is read here, can still fail.  Node addresses come
 * from the daemon's node address table (node_addrs.h), resolved once
 * when the configuration was loaded or reloaded: nothing is resolved
 * here.
 */
#include "cluster_int.h"
#include "config.h"
#include "node_addrs.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libknet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint32_t get_u32_or(const struct syn_store *s, const char *key, uint32_t dflt)
{
	uint32_t v;

	return syn_store_get_u32(s, key, &v) == 0 ? v : dflt;
}

static uint8_t get_u8_or(const struct syn_store *s, const char *key, uint8_t dflt)
{
	uint8_t v;

	return syn_store_get_u8(s, key, &v) == 0 ? v : dflt;
}

static const char *get_str_or(const struct syn_store *s, const char *key, const char *dflt)
{
	const char *v;

	return syn_store_get_str(s, key, &v) == 0 ? v : dflt;
}

static void to_sockaddr(const struct syn_config_addr *a, struct sockaddr_storage *out)
{
	memset(out, 0, sizeof(*out));
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)out;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, a->bytes, 4);
	} else if (a->family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)out;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, a->bytes, 16);
	}
}

/* Every node with an id, in nodelist order, with its resolved links. */
static int read_nodes(const struct syn_node_addrs *addrs, struct syn_transport_config *tc)
{
	for (size_t i = 0; i < addrs->n_nodes && tc->n_nodes < SYN_TRANSPORT_MAX_NODES; i++) {
		const struct syn_node_addr_entry *e = &addrs->nodes[i];
		struct syn_transport_node *n = &tc->nodes[tc->n_nodes];

		if (e->nodeid == 0)
			continue;
		n->nodeid = e->nodeid;
		for (unsigned l = 0; l < SYN_TRANSPORT_MAX_LINKS; l++) {
			if (l < SYN_NODE_ADDRS_MAX_LINKS && e->has_link[l])
				to_sockaddr(&e->addr[l], &n->addr[l]);
			else
				memset(&n->addr[l], 0, sizeof(n->addr[l]));
		}
		tc->n_nodes++;
	}
	return tc->n_nodes ? 0 : -ENOENT;
}

static int read_key(const struct syn_store *icmap, struct syn_transport_config *tc, char *err,
		    size_t err_len)
{
	const char *path = get_str_or(icmap, "totem.keyfile", SYN_CONFIG_DEFAULT_KEYFILE);
	const char *inline_key;
	ssize_t n;
	int fd;

	if (strcmp(tc->crypto_cipher, "none") == 0 && strcmp(tc->crypto_hash, "none") == 0)
		return 0;
	if (!syn_store_exists(icmap, "totem.keyfile") &&
	    syn_store_get_str(icmap, "totem.key", &inline_key) == 0) {
		tc->key_len = strlen(inline_key);
		memcpy(tc->key, inline_key, tc->key_len);
		return 0;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, err_len, "Could not open %s: %s", path, strerror(errno));
		return -errno;
	}
	n = read(fd, tc->key, sizeof(tc->key));
	close(fd);
	if (n < KNET_MIN_KEY_LEN) {
		snprintf(err, err_len, "Could only read %zd bits of minimum 1024 bits from %s.",
			 n < 0 ? 0 : n * 8, path);
		return -EINVAL;
	}
	tc->key_len = (size_t)n;
	return 0;
}

static uint8_t link_policy(const char *mode)
{
	if (strcmp(mode, "active") == 0)
		return KNET_LINK_POLICY_ACTIVE;
	if (strcmp(mode, "rr") == 0)
		return KNET_LINK_POLICY_RR;
	return KNET_LINK_POLICY_PASSIVE;
}

static uint32_t ping_interval_ms(uint32_t fail_ms)
{
	uint32_t quarter = fail_ms / 4 ? fail_ms / 4 : 1;

	return quarter < 100 ? quarter : 100;
}

static void read_links(const struct syn_store *icmap, struct syn_transport_config *tc,
		       uint32_t fail_ms)
{
	char key[SYN_KEY_MAX + 1];

	for (unsigned l = 0; l < SYN_TRANSPORT_MAX_LINKS; l++) {
		uint16_t port = (uint16_t)(5405 + l);
		struct syn_value v;
		snprintf(key, sizeof(key), "totem.interface.%u.mcastport", l);
		if (syn_store_get(icmap, key, &v) == 0 && v.type == SYN_TYPE_UINT16)
			memcpy(&port, v.data, 2);
		tc->port[l] = port;
		snprintf(key, sizeof(key), "totem.interface.%u.knet_link_priority", l);
		tc->priority[l] = get_u8_or(icmap, key, 1);
		snprintf(key, sizeof(key), "totem.interface.%u.knet_pong_count", l);
		tc->pong_count[l] = (uint8_t)get_u32_or(icmap, key, 2);
		snprintf(key, sizeof(key), "totem.interface.%u.knet_ping_precision", l);
		tc->ping_precision[l] = get_u32_or(icmap, key, 2048);
		/*
		 * knet's link liveness follows the failure timeout unless set
		 * explicitly.  Pings go at least every 100 ms whatever the
		 * timeout, so that a link comes up (pong_count replies) soon
		 * after the peer starts or a partition heals.
		 */
		snprintf(key, sizeof(key), "totem.interface.%u.knet_ping_timeout", l);
		tc->ping_timeout_ms[l] = get_u32_or(icmap, key, fail_ms);
		snprintf(key, sizeof(key), "totem.interface.%u.knet_ping_interval", l);
		tc->ping_interval_ms[l] = get_u32_or(icmap, key, ping_interval_ms(fail_ms));
	}
}

int syn_cluster_config_read(const struct syn_store *icmap, const struct syn_node_addrs *addrs,
			    struct syn_transport_config *tc, struct syn_mem_config *mc, char *err,
			    size_t err_len)
{
	uint32_t pos, token;
	char key[64];
	int rc;

	memset(tc, 0, sizeof(*tc));
	syn_mem_config_init(mc);
	if (syn_store_get_u32(icmap, "nodelist.local_node_pos", &pos) != 0) {
		snprintf(err, err_len, "No valid name found for local host");
		return -ENOENT;
	}
	snprintf(key, sizeof(key), "nodelist.node.%" PRIu32 ".nodeid", pos);
	if (syn_store_get_u32(icmap, key, &tc->local_nodeid) != 0 || tc->local_nodeid == 0) {
		snprintf(err, err_len, "Knet requires an explicit nodeid for the local node");
		return -EINVAL;
	}
	if (syn_store_get_u32(icmap, "totem.token", &token) == 0 && token > 0) {
		mc->fail_timeout_ms = token;
		mc->heartbeat_ms = token / 10 ? token / 10 : 1;
		if (mc->consensus_timeout_ms < token / 2)
			mc->consensus_timeout_ms = token / 2;
	}
	rc = read_nodes(addrs, tc);
	if (rc != 0) {
		snprintf(err, err_len, "No node has an id in the nodelist");
		return rc;
	}
	read_links(icmap, tc, mc->fail_timeout_ms);
	tc->link_policy = link_policy(get_str_or(icmap, "totem.link_mode", "passive"));
	tc->pmtud_interval_s = get_u32_or(icmap, "totem.knet_pmtud_interval", 30);
	tc->mtu = get_u32_or(icmap, "totem.knet_mtu", 0);
	snprintf(tc->crypto_model, sizeof(tc->crypto_model), "%s",
		 get_str_or(icmap, "totem.crypto_model", "nss"));
	snprintf(tc->crypto_cipher, sizeof(tc->crypto_cipher), "%s",
		 get_str_or(icmap, "totem.crypto_cipher", "none"));
	snprintf(tc->crypto_hash, sizeof(tc->crypto_hash), "%s",
		 get_str_or(icmap, "totem.crypto_hash", "none"));
	if (strcmp(get_str_or(icmap, "totem.secauth", "off"), "on") == 0) {
		if (!syn_store_exists(icmap, "totem.crypto_cipher"))
			snprintf(tc->crypto_cipher, sizeof(tc->crypto_cipher), "aes256");
		if (!syn_store_exists(icmap, "totem.crypto_hash"))
			snprintf(tc->crypto_hash, sizeof(tc->crypto_hash), "sha256");
	}
	return read_key(icmap, tc, err, err_len);
}
