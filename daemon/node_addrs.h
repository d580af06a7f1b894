/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * node_addrs.h - the node address table: every nodelist.node.<N> with
 * its node id and, per link, the configured ring<L>_addr text and the
 * address it resolved to.
 *
 * This is the one place node names become addresses after validation.
 * The daemon builds the table at start-up, right after the configuration
 * was validated, and builds a new one for every accepted reload; the
 * transport's node list (cluster_config.c) and the cfg service's answers
 * (GET_NODE_ADDRS, node and ring status) are read from it, so nothing is
 * resolved on the event loop per request.  Resolution goes through the
 * configuration's host seam (struct syn_config_env) with the preference
 * of totem.ip_version, exactly as validation resolved the same names.
 *
 * The table is caller storage (init/fini).  A build either fills a fresh
 * table completely or leaves it empty; syn_node_addrs_swap exchanges two
 * tables, so the owner replaces its contents in one step and pointers to
 * the owner's table stay valid.  Entry pointers are valid until the next
 * swap or fini of their table.
 */
#ifndef SYN_DAEMON_NODE_ADDRS_H
#define SYN_DAEMON_NODE_ADDRS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "store.h"

#define SYN_NODE_ADDRS_MAX_LINKS 8

struct syn_node_addr_entry {
	uint32_t pos;	 /* <N> of nodelist.node.<N> */
	uint32_t nodeid; /* 0 when the node has none */
	bool has_link[SYN_NODE_ADDRS_MAX_LINKS];
	struct syn_config_addr addr[SYN_NODE_ADDRS_MAX_LINKS];
	char *text[SYN_NODE_ADDRS_MAX_LINKS]; /* the configured value; NULL without link */
};

/* Entries in ascending <N> order. */
struct syn_node_addrs {
	struct syn_node_addr_entry *nodes;
	size_t n_nodes;
};

void syn_node_addrs_init(struct syn_node_addrs *t);
void syn_node_addrs_fini(struct syn_node_addrs *t);

/*
 * Fill t (initialised and empty) from the nodelist of store, resolving
 * every ring<L>_addr through env->resolve with preference ipv (the first
 * address wins).  Returns 0; -EINVAL with "failed to parse node address
 * '<text>'" in err when a name does not resolve (the message validation
 * gives for it); -ENOMEM (with a message in err too).  On error t
 * stays empty.
 */
int syn_node_addrs_build(struct syn_node_addrs *t, const struct syn_store *store,
			 enum syn_config_ip_version ipv, const struct syn_config_env *env,
			 char *err, size_t err_len);

/* Exchange the contents of a and b. */
void syn_node_addrs_swap(struct syn_node_addrs *a, struct syn_node_addrs *b);

/* The entry of nodeid (not 0), or NULL. */
const struct syn_node_addr_entry *syn_node_addrs_find(const struct syn_node_addrs *t,
						      uint32_t nodeid);

#endif /* SYN_DAEMON_NODE_ADDRS_H */
