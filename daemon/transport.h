/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * transport.h - the daemon's links to other nodes, on kronosnet: one knet
 * host per configured node, one knet link per ringX_addr, knet crypto and
 * PMTU discovery.  Packets of the membership core go out through knet's
 * data socket with a small routing frame (proto/net_cluster.h) and come
 * back through the same socket; the socket and knet's log pipe are polled
 * on the daemon's qb_loop, so everything the rest of the daemon sees
 * happens on the loop thread.
 *
 * Delivery is best effort (the membership core retransmits).  Packets to
 * the local node are never delivered back to it.
 */
#ifndef SYN_DAEMON_TRANSPORT_H
#define SYN_DAEMON_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <qb/qbloop.h>

#include "store.h"

#define SYN_TRANSPORT_MAX_LINKS 8
#define SYN_TRANSPORT_MAX_NODES 256

struct syn_transport_node {
	uint32_t nodeid;
	struct sockaddr_storage addr[SYN_TRANSPORT_MAX_LINKS]; /* ss_family 0 = no link */
};

struct syn_transport_config {
	uint32_t local_nodeid;
	struct syn_transport_node nodes[SYN_TRANSPORT_MAX_NODES];
	size_t n_nodes;
	uint16_t port[SYN_TRANSPORT_MAX_LINKS];
	uint8_t priority[SYN_TRANSPORT_MAX_LINKS];
	uint32_t ping_interval_ms[SYN_TRANSPORT_MAX_LINKS];
	uint32_t ping_timeout_ms[SYN_TRANSPORT_MAX_LINKS];
	uint32_t ping_precision[SYN_TRANSPORT_MAX_LINKS];
	uint8_t pong_count[SYN_TRANSPORT_MAX_LINKS];
	uint8_t link_policy; /* KNET_LINK_POLICY_* */
	uint32_t pmtud_interval_s;
	uint32_t mtu; /* 0 = automatic */
	char crypto_model[16];
	char crypto_cipher[16]; /* "none" = no crypto */
	char crypto_hash[16];
	unsigned char key[4096];
	size_t key_len;
};

typedef void (*syn_transport_recv_fn)(void *ctx, uint32_t src, const void *pkt, size_t len);

struct syn_transport;

/*
 * Open the links.  stats is kept (borrowed) until destroy: the keys of
 * stats.knet.* are added and removed there with hosts and links.  Returns
 * 0 or -errno; on failure err holds a message an operator can act on.
 */
int syn_transport_create(qb_loop_t *loop, const struct syn_transport_config *cfg,
			 struct syn_store *stats, syn_transport_recv_fn recv, void *ctx,
			 struct syn_transport **out, char *err, size_t err_len);
void syn_transport_destroy(struct syn_transport *t);
/*
 * Make the knet hosts match nodes (a new nodelist after a reload): hosts
 * not listed, or listed with other addresses, are removed; new ones are
 * added with the links of the create-time configuration.  The local node
 * is never touched.  0, or -errno with err set (the hosts done so far
 * stay).
 */
int syn_transport_set_nodes(struct syn_transport *t, const struct syn_transport_node *nodes,
			    size_t n, char *err, size_t err_len);

/* Send a packet to dest (a node id, or 0 for every other node). */
int syn_transport_send(struct syn_transport *t, uint32_t dest, const void *pkt, size_t len);

/*
 * The stats map.  Every stats.knet.* key exists while its link (or the
 * handle) does, but its value is asked of knet only when somebody needs
 * it, because knet's status calls wait on locks knet's own threads hold
 * for long (PMTU discovery):
 *   - stats_write: synod's own transport counters, no knet call (cheap,
 *     for a periodic tick);
 *   - stats_read: the value of key now, for a read of key; reads one
 *     link (or the handle).  0, or -ENOENT when key is no knet key of a
 *     configured link;
 *   - stats_poll_watched: the links and handle with a key somebody
 *     tracks for changes (syn_store_watched), and nothing else.
 */
void syn_transport_stats_write(struct syn_transport *t);
int syn_transport_stats_read(struct syn_transport *t, const char *key);
void syn_transport_stats_poll_watched(struct syn_transport *t);
/* Clear knet's counters (stats.clear.knet). */
void syn_transport_stats_clear(struct syn_transport *t);
/* "r(0) ip(a.b.c.d) " for every link of nodeid, as runtime.members.<id>.ip. */
void syn_transport_member_ip(const struct syn_transport *t, uint32_t nodeid, char *buf, size_t len);
struct syn_link_status {
	bool enabled;
	bool connected;
	uint32_t mtu;
	char src_ipaddr[256];
	char dst_ipaddr[256];
};

/*
 * knet's view of one link, read now (for a request that asks): 0, or
 * -ENOENT when it is not configured.
 */
int syn_transport_link_status(struct syn_transport *t, uint32_t nodeid, unsigned int link,
			      struct syn_link_status *out);
/* True when some link to nodeid is connected (the local node: its loopback); read now. */
int syn_transport_node_connected(struct syn_transport *t, uint32_t nodeid);

#endif /* SYN_DAEMON_TRANSPORT_H */
