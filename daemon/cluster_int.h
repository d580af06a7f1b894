/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cluster_int.h - internals shared by cluster.c and cluster_config.c.
 */
#ifndef SYN_DAEMON_CLUSTER_INT_H
#define SYN_DAEMON_CLUSTER_INT_H

#include "cluster.h"
#include "membership.h"
#include "transport.h"

struct syn_node_addrs;

/*
 * Fill the transport and core configuration from icmap, with the node
 * addresses of addrs (borrowed for the call); 0 or -errno + err.
 */
int syn_cluster_config_read(const struct syn_store *icmap, const struct syn_node_addrs *addrs,
			    struct syn_transport_config *tc, struct syn_mem_config *mc, char *err,
			    size_t err_len);

#endif /* SYN_DAEMON_CLUSTER_INT_H */
