/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * blackbox.h - the flight recorder: libqb's in-memory blackbox log (kept
 * by logconfig.c at debug level whatever the configured level) written to
 * the state directory on a fatal signal and when a client asks through
 * cmap, as corosync does.
 *
 * A dump is the file fdata-<local time>-<pid> in the daemon's working
 * directory, which is the state directory from start-up on (main.c
 * enters it), plus the symlink fdata pointing at the newest dump; read it
 * with qb-blackbox.  Writing relative to the working directory is what
 * lets the fatal-signal handler work without any saved state.
 */
#ifndef SYN_DAEMON_BLACKBOX_H
#define SYN_DAEMON_BLACKBOX_H

#include "store.h"

struct syn_blackbox;

/* Logs whatever state is worth having in the next dump. */
typedef void (*syn_blackbox_state_fn)(void *ctx);

/*
 * Write the blackbox now: 0 or -errno (only a failure is logged).  Fit
 * for a fatal-signal handler as corosync's is: no allocation of ours.
 */
int syn_blackbox_write(void);

/*
 * On SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGABRT: write the blackbox, then
 * die of the same signal with its default action (core dump, exit status).
 */
void syn_blackbox_fatal_signals_install(void);

/*
 * Follow runtime.blackbox.dump_flight_data (any change, creation or
 * deletion writes the blackbox) and runtime.blackbox.dump_state (any
 * change calls dump_state).  Setting a key to the value it has is no
 * change, so a client writes a fresh value, e.g. the time.  Returns 0
 * or -errno.
 */
int syn_blackbox_create(struct syn_store *icmap, syn_blackbox_state_fn dump_state, void *ctx,
			struct syn_blackbox **out);
void syn_blackbox_destroy(struct syn_blackbox *bb);

#endif /* SYN_DAEMON_BLACKBOX_H */
