/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * collect.h - reads a synod daemon's state through the public client
 * libraries (libcmap, libquorum, libvotequorum, libcfg, libcpg) into a
 * struct syn_exp_snapshot.  The daemon has no other interface to the
 * exporter: no listener of its own, nothing private.
 *
 * A struct syn_exp_conn keeps the library handles between collections.
 * When the daemon goes away (a call answers CS_ERR_LIBRARY or
 * CS_ERR_BAD_HANDLE) the handles are closed and opened again once, in the
 * same collection, so a restarted daemon is seen at the next scrape;
 * when nothing answers the snapshot says up = false.
 *
 * The library calls block until the daemon answers; bounding a scrape in
 * time is the caller's business (scrape.c runs this on its own thread).
 * Not thread-safe: one thread per struct syn_exp_conn.
 */
#ifndef SYN_EXP_COLLECT_H
#define SYN_EXP_COLLECT_H

#include <stdbool.h>
#include <corosync/cfg.h>
#include <corosync/cmap.h>
#include <corosync/cpg.h>
#include <corosync/quorum.h>
#include <corosync/votequorum.h>

#include "snapshot.h"

struct syn_exp_conn {
	bool open;
	cmap_handle_t icmap;
	cmap_handle_t stats;
	corosync_cfg_handle_t cfg;
	bool have_quorum;
	quorum_handle_t quorum;
	bool have_votequorum;
	votequorum_handle_t votequorum;
	bool have_cpg;
	cpg_handle_t cpg;
};

/* Caller storage; nothing is opened until the first collection. */
void syn_exp_conn_init(struct syn_exp_conn *c);
/* Close every handle (the struct may be used again). */
void syn_exp_conn_fini(struct syn_exp_conn *c);

/*
 * Fill *s from the daemon (s is cleared first).  Returns 0 with s->up
 * true, or -ENOTCONN with s->up false when the daemon does not answer.
 */
int syn_exp_collect(struct syn_exp_conn *c, struct syn_exp_snapshot *s);

#endif
