/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * security.h - start-up checks of what the configuration exposes to the
 * network.  synod cannot filter packets below kronosnet: without crypto,
 * knet hands unauthenticated packets to its decompressor and to the
 * membership layer, so anyone who can send UDP to a node's knet port can
 * crash it (libknet 1.25 decompresses a spoofed frame with the
 * compression flag set) or forge membership traffic.  With crypto_hash
 * (and crypto_cipher) every packet is authenticated before either.  The
 * daemon still starts, as corosync does; it says so loudly.
 */
#ifndef SYN_DAEMON_SECURITY_H
#define SYN_DAEMON_SECURITY_H

#include <stdbool.h>
#include <stdint.h>

#include "store.h"

/* Nodes in the nodelist (positions with a nodeid or a link address). */
uint32_t syn_security_n_nodes(const struct syn_store *icmap);
/* Is knet traffic authenticated (crypto_hash or crypto_cipher, or secauth)? */
bool syn_security_crypto_on(const struct syn_store *icmap);
/*
 * Log one warning line when a nodelist of more than one node runs without
 * crypto; true when it did.
 */
bool syn_security_warn(const struct syn_store *icmap);

#endif /* SYN_DAEMON_SECURITY_H */
