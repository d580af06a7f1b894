/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * priority.h - the daemon's CPU priority from the system section
 * (config-and-keys.md section 5.8): with sched_rr (the default) round-robin
 * real-time scheduling at the highest priority, falling back to the
 * highest nice priority when the system refuses; with sched_rr: no, the
 * nice value system.priority asks for (max, min or a number), if any.
 * Applied before the membership layer starts, so knet's threads inherit
 * it: a loaded host must not starve heartbeats into a false failure.
 */
#ifndef SYN_DAEMON_PRIORITY_H
#define SYN_DAEMON_PRIORITY_H

#include <stddef.h>

#include "store.h"

/* 0, or -EINVAL with "Priority value <v> is invalid" in err. */
int syn_priority_apply(const struct syn_store *icmap, char *err, size_t err_len);

#endif
