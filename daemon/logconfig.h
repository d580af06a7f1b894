/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * logconfig.h - the logging {} configuration: reading and validating the
 * logging.* keys (pure, no libqb state), and applying the result to
 * libqb logging.  Under systemd with stderr connected to the journal,
 * stderr lines carry the journal's priority prefix (logjournal.h).
 *
 * A validation failure is a start-up error of its own kind: the daemon
 * prints "parse error in config: <reason>." and exits with
 * SYN_LOGCONFIG_EXIT_CODE (7), unlike totem errors (8).
 */
#ifndef SYN_DAEMON_LOGCONFIG_H
#define SYN_DAEMON_LOGCONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "store.h"

#define SYN_LOGCONFIG_EXIT_CODE 7
#define SYN_LOGCONFIG_MAX_SUBSYS 32
#define SYN_LOGCONFIG_NAME_MAX 64
#define SYN_LOGCONFIG_PATH_MAX 512

enum syn_log_debug { SYN_LOG_DEBUG_OFF, SYN_LOG_DEBUG_ON, SYN_LOG_DEBUG_TRACE };
enum syn_log_timestamp { SYN_LOG_TS_OFF, SYN_LOG_TS_ON, SYN_LOG_TS_HIRES };

/* Settings that exist globally and per subsystem. */
struct syn_log_targets {
	bool to_stderr;
	bool to_syslog;
	bool to_logfile;
	int syslog_priority;  /* LOG_* value */
	int logfile_priority; /* LOG_* value */
	enum syn_log_debug debug;
};

struct syn_log_subsys {
	char name[SYN_LOGCONFIG_NAME_MAX];
	struct syn_log_targets t;
};

struct syn_logconfig {
	struct syn_log_targets t;
	char logfile[SYN_LOGCONFIG_PATH_MAX]; /* "" = none */
	int syslog_facility;		      /* LOG_DAEMON etc. */
	enum syn_log_timestamp timestamp;
	bool fileline;
	bool function_name;
	bool blackbox;
	struct syn_log_subsys subsys[SYN_LOGCONFIG_MAX_SUBSYS];
	size_t n_subsys;
	/* deprecated keys seen (to_file, syslog_level): worth a warning */
	bool deprecated_used;
};

/*
 * Read logging.* and logging.logger_subsys.<S>.* from store into cfg,
 * applying defaults.  Returns 0, or -EINVAL with
 * "parse error in config: <reason>." in err.  Touches no global state.
 */
int syn_logconfig_read(const struct syn_store *store, struct syn_logconfig *cfg, char *err,
		       size_t err_len);

/*
 * Apply cfg to libqb logging (targets, facility, priorities, format,
 * blackbox, log file).  Returns 0 or -errno (log file cannot be opened).
 * Per-subsystem overrides are recorded in cfg for the daemon's log
 * filter; see syn_logconfig_subsys_targets.
 */
int syn_logconfig_apply(const struct syn_logconfig *cfg);

/*
 * Logging before the configuration is read: stderr at info, in the
 * journal's form when stderr is the journal (logjournal.h).  Call once,
 * after qb_log_init().
 */
void syn_logconfig_init_stderr(void);

/* The settings in force for subsystem name (its override or the globals). */
const struct syn_log_targets *syn_logconfig_subsys_targets(const struct syn_logconfig *cfg,
							   const char *name);

#endif /* SYN_DAEMON_LOGCONFIG_H */
