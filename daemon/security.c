/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * security.c - start-up checks of what the configuration exposes to the
 * network (security.h).  Reads the validated configuration only; the
 * crypto rule is the one the validation applies (config_totem.c):
 * secauth: on means aes256/sha256 unless set, and crypto is on when
 * either the cipher or the hash is not none (a cipher without a hash is
 * refused before this runs).
 */
#include "security.h"

#include <stdio.h>
#include <string.h>
#include <qb/qblog.h>

#define NODE_PREFIX "nodelist.node."

uint32_t syn_security_n_nodes(const struct syn_store *icmap)
{
	struct syn_store_iter *it = syn_store_iter_create(icmap, NODE_PREFIX);
	const char *key;
	struct syn_value v;
	uint32_t n = 0;
	unsigned pos, last = 0;
	char item[32];

	/* Keys come in byte order, so one node's keys are adjacent. */
	while (it && syn_store_iter_next(it, &key, &v) == 0) {
		if (sscanf(key + strlen(NODE_PREFIX), "%u.%31s", &pos, item) != 2)
			continue;
		if (strcmp(item, "nodeid") != 0 && strncmp(item, "ring", 4) != 0)
			continue;
		if (n == 0 || pos != last)
			n++;
		last = pos;
	}
	syn_store_iter_destroy(it);
	return n;
}

static const char *str_or(const struct syn_store *icmap, const char *key, const char *dflt)
{
	const char *v;

	return syn_store_get_str(icmap, key, &v) == 0 ? v : dflt;
}

bool syn_security_crypto_on(const struct syn_store *icmap)
{
	bool secauth = strcmp(str_or(icmap, "totem.secauth", "off"), "on") == 0;
	const char *cipher = str_or(icmap, "totem.crypto_cipher", secauth ? "aes256" : "none");
	const char *hash = str_or(icmap, "totem.crypto_hash", secauth ? "sha256" : "none");

	return strcmp(cipher, "none") != 0 || strcmp(hash, "none") != 0;
}

bool syn_security_warn(const struct syn_store *icmap)
{
	uint32_t n = syn_security_n_nodes(icmap);

	if (n < 2 || syn_security_crypto_on(icmap))
		return false;
	qb_log(LOG_WARNING,
	       "SECURITY: %u-node cluster without crypto: anyone who can send UDP to the knet "
	       "port can crash every node (knet decompresses unauthenticated packets) or forge "
	       "membership traffic; set totem.crypto_cipher and totem.crypto_hash with a key "
	       "from synod-keygen",
	       n);
	return true;
}
