/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cluster.h - the daemon's membership layer: the pure core (core/) wired
 * to kronosnet links (transport.h), to a loop timer (loop.h) at the core's
 * next deadline, and to cmap (runtime.members.*, runtime.totem.*,
 * stats.srp.*, stats.membership.*, stats.knet.*).
 *
 * It is also the daemon's one service bus, through the node core
 * (core/node.h, which the simulator runs too): services (service.h)
 * register here, get every installed view with the previous one, the
 * messages of their channel in the agreed total order, and the quorum
 * provider's verdicts.  A message carries a one-byte channel, the
 * message type of proto/net_cluster.h; SYN_CLUSTER_MSG_CONFIG_VERSION is
 * the cluster layer's own node-core service, first in the table
 * (corosync's config version check, config-and-keys.md section 7.3).
 * Views and messages are handed out in the order the membership core
 * produced them, never inside a send.
 *
 * Timing: when totem.token is configured, a member is declared failed
 * after token ms of silence (the coefficient is not applied: the protocol
 * needs no rotation time per node); otherwise synod's defaults apply
 * (400 ms).  docs/membership.md explains the choice.
 */
#ifndef SYN_DAEMON_CLUSTER_H
#define SYN_DAEMON_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <qb/qbloop.h>

#include "store.h"

/*
 * The node core: struct syn_node_view, and enum syn_cluster_msg_type
 * (the channels, declared with their formats in proto/net_cluster.h).
 */
#include "core/node.h"

struct syn_cluster;

struct syn_loop;
struct syn_node_addrs;

/*
 * Read totem from icmap and the nodes from node_addrs (node_addrs.h),
 * open the links and start the core.  node_addrs is kept: it is the
 * daemon's table, whose contents a config reload replaces before the
 * cluster hands the new node list to the links.  Returns 0 or -errno
 * with a message in err.
 */
int syn_cluster_create(struct syn_loop *loop, struct syn_store *icmap,
		       const struct syn_node_addrs *node_addrs, struct syn_store *stats,
		       struct syn_cluster **out, char *err, size_t err_len);
/* Every registered service's fini (reverse table order), then the links. */
void syn_cluster_destroy(struct syn_cluster *cl);

uint32_t syn_cluster_local_nodeid(const struct syn_cluster *cl);
/* Current view (n_members 0 before the first one); pointers valid until the next view. */
void syn_cluster_get_view(const struct syn_cluster *cl, struct syn_node_view *out);

struct syn_service;
/*
 * Feed svc (copied) from syn_cluster_services_start() on: -ENOSPC when the
 * table is full, -EEXIST when another service owns its channel.
 */
int syn_cluster_add_service(struct syn_cluster *cl, const struct syn_service *svc);
/* Every service is registered: hand out the queued views and messages from now on. */
void syn_cluster_services_start(struct syn_cluster *cl);
/* The quorum provider's verdict on view, relayed to every service. */
void syn_cluster_quorum_report(struct syn_cluster *cl, bool quorate,
			       const struct syn_node_view *view);
/*
 * Hand out the queued messages that precede the next queued view (the
 * quorum drive's flush hook); nothing when called from inside a hand-out.
 */
void syn_cluster_flush(struct syn_cluster *cl);
/* The daemon stops: every service's shutdown hook, in table order. */
void syn_cluster_services_shutdown(struct syn_cluster *cl);
/*
 * Broadcast in total order; 0, -EAGAIN (queue full), -EMSGSIZE.  Handlers
 * never run inside this call: the local delivery comes from the loop.
 */
int syn_cluster_send(struct syn_cluster *cl, enum syn_cluster_msg_type type, const void *data,
		     size_t len);

struct syn_link_status;
/* knet's view of one link to nodeid: 0 or -ENOENT. */
int syn_cluster_link_status(struct syn_cluster *cl, uint32_t nodeid, unsigned int link,
			    struct syn_link_status *out);

/*
 * Bring the stats map up to date for a read of key (NULL: no particular
 * key): synod's own counters always, the knet-backed value of key
 * (stats.knet.*, stats.srp.firewall_enabled_or_nic_failure) only when key
 * is one of them.  The periodic tick never asks knet but for keys
 * somebody tracks.
 */
void syn_cluster_stats_refresh(struct syn_cluster *cl, const char *key);
void syn_cluster_stats_clear_knet(struct syn_cluster *cl);
/* True when the config version check asked the daemon to exit. */
int syn_cluster_fatal(const struct syn_cluster *cl);

#endif /* SYN_DAEMON_CLUSTER_H */
