/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * logconfig.c - validation of the logging {} keys and their application
 * to libqb logging.
 *
 * Reading is pure: it only looks at the store and fills a struct, so
 * tests and the live-change tracker can validate without touching the
 * logging state in use.  Values are case-sensitive except priorities.
 * A subsystem override that omits debug gets debug off, not the global
 * value, as the reference does; other omitted settings inherit.
 */
#include <errno.h>
#include <qb/qblog.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "logconfig.h"
#include "logjournal.h"

#define BLACKBOX_SIZE (64 * 1024)

static const struct {
	const char *name;
	int value;
} priorities[] = {
	{"alert", LOG_ALERT}, {"crit", LOG_CRIT},     {"debug", LOG_DEBUG},
	{"emerg", LOG_EMERG}, {"err", LOG_ERR},	      {"error", LOG_ERR},
	{"info", LOG_INFO},   {"notice", LOG_NOTICE}, {"warning", LOG_WARNING},
};

static const struct {
	const char *name;
	int value;
} facilities[] = {
	{"auth", LOG_AUTH},	{"authpriv", LOG_AUTHPRIV}, {"cron", LOG_CRON},
	{"daemon", LOG_DAEMON}, {"ftp", LOG_FTP},	    {"kern", LOG_KERN},
	{"lpr", LOG_LPR},	{"mail", LOG_MAIL},	    {"news", LOG_NEWS},
	{"syslog", LOG_SYSLOG}, {"user", LOG_USER},	    {"uucp", LOG_UUCP},
	{"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1},	    {"local2", LOG_LOCAL2},
	{"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4},	    {"local5", LOG_LOCAL5},
	{"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
};

static int invalid(char *err, size_t err_len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int invalid(char *err, size_t err_len, const char *fmt, ...)
{
	char reason[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (err_len)
		snprintf(err, err_len, "parse error in config: %s.", reason);
	return -EINVAL;
}

/* Value of prefix.item as a string, or NULL. */
static const char *get(const struct syn_store *store, const char *prefix, const char *item)
{
	char key[320];
	const char *v;

	snprintf(key, sizeof(key), "%s.%s", prefix, item);
	return syn_store_get_str(store, key, &v) == 0 ? v : NULL;
}

/* yes/on and no/off (or on/off only when strict_on_off). */
static int read_bool(const struct syn_store *store, const char *prefix, const char *item,
		     bool strict_on_off, bool *out, char *err, size_t err_len)
{
	const char *v = get(store, prefix, item);

	if (!v)
		return 0;
	if (strcmp(v, "on") == 0 || (!strict_on_off && strcmp(v, "yes") == 0))
		*out = true;
	else if (strcmp(v, "off") == 0 || (!strict_on_off && strcmp(v, "no") == 0))
		*out = false;
	else
		return invalid(err, err_len, "unknown value for %s", item);
	return 0;
}

static int read_priority(const struct syn_store *store, const char *prefix, const char *item,
			 const char *what, int *out, char *err, size_t err_len)
{
	const char *v = get(store, prefix, item);

	if (!v)
		return 0;
	for (size_t i = 0; i < sizeof(priorities) / sizeof(priorities[0]); i++) {
		if (strcasecmp(priorities[i].name, v) == 0) {
			*out = priorities[i].value;
			return 0;
		}
	}
	return invalid(err, err_len, "unknown %s specified", what);
}

static int read_debug(const struct syn_store *store, const char *prefix, enum syn_log_debug *out,
		      char *err, size_t err_len)
{
	const char *v = get(store, prefix, "debug");

	if (!v)
		return 0;
	if (strcmp(v, "on") == 0)
		*out = SYN_LOG_DEBUG_ON;
	else if (strcmp(v, "off") == 0)
		*out = SYN_LOG_DEBUG_OFF;
	else if (strcmp(v, "trace") == 0)
		*out = SYN_LOG_DEBUG_TRACE;
	else
		return invalid(err, err_len, "unknown value for debug");
	return 0;
}

/* The settings shared by the top level and the subsystems. */
static int read_targets(const struct syn_store *store, const char *prefix,
			struct syn_log_targets *t, bool *deprecated, char *err, size_t err_len)
{
	int rc;

	if ((rc = read_bool(store, prefix, "to_stderr", false, &t->to_stderr, err, err_len)) ||
	    (rc = read_bool(store, prefix, "to_syslog", false, &t->to_syslog, err, err_len)))
		return rc;
	if (get(store, prefix, "to_file")) {
		*deprecated = true;
		if ((rc = read_bool(store, prefix, "to_file", false, &t->to_logfile, err, err_len)))
			return rc;
	}
	if ((rc = read_bool(store, prefix, "to_logfile", false, &t->to_logfile, err, err_len)))
		return rc;
	if (get(store, prefix, "syslog_level")) {
		*deprecated = true;
		if ((rc = read_priority(store, prefix, "syslog_level", "syslog level",
					&t->syslog_priority, err, err_len)))
			return rc;
	}
	if ((rc = read_priority(store, prefix, "syslog_priority", "syslog priority",
				&t->syslog_priority, err, err_len)) ||
	    (rc = read_priority(store, prefix, "logfile_priority", "logfile priority",
				&t->logfile_priority, err, err_len)))
		return rc;
	return read_debug(store, prefix, &t->debug, err, err_len);
}

static int read_globals(const struct syn_store *store, struct syn_logconfig *cfg, char *err,
			size_t err_len)
{
	const char *v;
	int rc;

	if ((v = get(store, "logging", "syslog_facility"))) {
		size_t i, n = sizeof(facilities) / sizeof(facilities[0]);
		for (i = 0; i < n && strcmp(facilities[i].name, v) != 0; i++)
			;
		if (i == n)
			return invalid(err, err_len, "unknown syslog facility specified");
		cfg->syslog_facility = facilities[i].value;
	}
	if ((v = get(store, "logging", "timestamp"))) {
		if (strcmp(v, "on") == 0)
			cfg->timestamp = SYN_LOG_TS_ON;
		else if (strcmp(v, "hires") == 0)
			cfg->timestamp = SYN_LOG_TS_HIRES;
		else if (strcmp(v, "off") == 0)
			cfg->timestamp = SYN_LOG_TS_OFF;
		else
			return invalid(err, err_len, "unknown value for timestamp");
	}
	if ((rc = read_bool(store, "logging", "fileline", true, &cfg->fileline, err, err_len)) ||
	    (rc = read_bool(store, "logging", "function_name", true, &cfg->function_name, err,
			    err_len)) ||
	    (rc = read_bool(store, "logging", "blackbox", true, &cfg->blackbox, err, err_len)))
		return rc;
	if ((v = get(store, "logging", "logfile")))
		snprintf(cfg->logfile, sizeof(cfg->logfile), "%s", v);
	return 0;
}

static int read_subsystems(const struct syn_store *store, struct syn_logconfig *cfg, char *err,
			   size_t err_len)
{
	const char *prefix = "logging.logger_subsys.", *key;
	struct syn_store_iter *it = syn_store_iter_create(store, prefix);
	struct syn_value v;
	int rc = 0;

	if (!it)
		return -ENOMEM;
	while (rc == 0 && syn_store_iter_next(it, &key, &v) == 0) {
		const char *name = key + strlen(prefix), *dot = strchr(name, '.');
		if (!dot || strcmp(dot, ".subsys") != 0 ||
		    cfg->n_subsys == SYN_LOGCONFIG_MAX_SUBSYS)
			continue;
		struct syn_log_subsys *s = &cfg->subsys[cfg->n_subsys];
		snprintf(s->name, sizeof(s->name), "%.*s", (int)(dot - name), name);
		char sub_prefix[SYN_LOGCONFIG_NAME_MAX + 32];
		snprintf(sub_prefix, sizeof(sub_prefix), "logging.logger_subsys.%s", s->name);
		s->t = cfg->t;
		s->t.debug = SYN_LOG_DEBUG_OFF;
		rc = read_targets(store, sub_prefix, &s->t, &cfg->deprecated_used, err, err_len);
		cfg->n_subsys++;
	}
	syn_store_iter_destroy(it);
	return rc;
}

int syn_logconfig_read(const struct syn_store *store, struct syn_logconfig *cfg, char *err,
		       size_t err_len)
{
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	cfg->t.to_stderr = true;
	cfg->t.to_syslog = true;
	cfg->t.syslog_priority = LOG_INFO;
	cfg->t.logfile_priority = LOG_INFO;
	cfg->syslog_facility = LOG_DAEMON;
	cfg->timestamp = SYN_LOG_TS_HIRES;
	cfg->blackbox = true;
	if (err_len)
		err[0] = '\0';
	if ((rc = read_targets(store, "logging", &cfg->t, &cfg->deprecated_used, err, err_len)) ||
	    (rc = read_globals(store, cfg, err, err_len)))
		return rc;
	return read_subsystems(store, cfg, err, err_len);
}

const struct syn_log_targets *syn_logconfig_subsys_targets(const struct syn_logconfig *cfg,
							   const char *name)
{
	for (size_t i = 0; i < cfg->n_subsys; i++)
		if (strcmp(cfg->subsys[i].name, name) == 0)
			return &cfg->subsys[i].t;
	return &cfg->t;
}

/* The most verbose priority a target must pass, over all subsystems. */
static int target_priority(const struct syn_logconfig *cfg, int base)
{
	int prio = base;

	if (cfg->t.debug == SYN_LOG_DEBUG_TRACE)
		return LOG_TRACE;
	if (cfg->t.debug == SYN_LOG_DEBUG_ON)
		prio = LOG_DEBUG;
	for (size_t i = 0; i < cfg->n_subsys; i++) {
		if (cfg->subsys[i].t.debug == SYN_LOG_DEBUG_TRACE)
			return LOG_TRACE;
		if (cfg->subsys[i].t.debug == SYN_LOG_DEBUG_ON && prio < LOG_DEBUG)
			prio = LOG_DEBUG;
	}
	return prio;
}

static void apply_target(const struct syn_logconfig *cfg, int32_t target, bool enabled,
			 int base_priority, const char *format)
{
	qb_log_filter_ctl(target, QB_LOG_FILTER_CLEAR_ALL, QB_LOG_FILTER_FILE, "*", LOG_TRACE);
	qb_log_ctl(target, QB_LOG_CONF_ENABLED, enabled ? QB_TRUE : QB_FALSE);
	if (!enabled)
		return;
	qb_log_filter_ctl(target, QB_LOG_FILTER_ADD, QB_LOG_FILTER_FILE, "*",
			  (uint8_t)target_priority(cfg, base_priority));
	qb_log_format_set(target, format);
}

static void build_format(const struct syn_logconfig *cfg, char *out, size_t len, bool with_time)
{
	const char *ts = "";

	if (with_time && cfg->timestamp == SYN_LOG_TS_ON)
		ts = "%t ";
	else if (with_time && cfg->timestamp == SYN_LOG_TS_HIRES)
		ts = "%T ";
	snprintf(out, len, "%s%%-7p [%%6g] %s%s%%b", ts, cfg->fileline ? "%f:%l " : "",
		 cfg->function_name ? "%n() " : "");
}

/*
 * stderr lines go to the journal with priority prefixes and no time stamp
 * when systemd connects stderr to it (logjournal.h); otherwise libqb's
 * stderr target writes them.  The other of the two is disabled.
 */
static void apply_stderr(const struct syn_logconfig *cfg, const char *fmt_time,
			 const char *fmt_plain)
{
	int32_t journal = syn_logjournal_stderr_is_journal() ? syn_logjournal_target() : -1;

	if (journal >= 0) {
		apply_target(cfg, QB_LOG_STDERR, false, cfg->t.logfile_priority, fmt_time);
		apply_target(cfg, journal, cfg->t.to_stderr, cfg->t.logfile_priority, fmt_plain);
		return;
	}
	apply_target(cfg, QB_LOG_STDERR, cfg->t.to_stderr, cfg->t.logfile_priority, fmt_time);
}

void syn_logconfig_init_stderr(void)
{
	int32_t journal = syn_logjournal_stderr_is_journal() ? syn_logjournal_target() : -1;
	int32_t target = journal >= 0 ? journal : QB_LOG_STDERR;

	qb_log_ctl(target, QB_LOG_CONF_ENABLED, QB_TRUE);
	qb_log_filter_ctl(target, QB_LOG_FILTER_ADD, QB_LOG_FILTER_FILE, "*", LOG_INFO);
	if (journal >= 0)
		qb_log_format_set(target, "%-7p [%6g] %b");
}

int syn_logconfig_apply(const struct syn_logconfig *cfg)
{
	char fmt_time[64], fmt_plain[64];

	build_format(cfg, fmt_time, sizeof(fmt_time), true);
	build_format(cfg, fmt_plain, sizeof(fmt_plain), false);
	apply_stderr(cfg, fmt_time, fmt_plain);
	qb_log_ctl(QB_LOG_SYSLOG, QB_LOG_CONF_FACILITY, cfg->syslog_facility);
	apply_target(cfg, QB_LOG_SYSLOG, cfg->t.to_syslog, cfg->t.syslog_priority, fmt_plain);
	if (cfg->t.to_logfile && cfg->logfile[0]) {
		int32_t fd = qb_log_file_open(cfg->logfile);
		if (fd < 0)
			return fd;
		apply_target(cfg, fd, true, cfg->t.logfile_priority, fmt_time);
	}
	qb_log_ctl(QB_LOG_BLACKBOX, QB_LOG_CONF_SIZE, BLACKBOX_SIZE);
	apply_target(cfg, QB_LOG_BLACKBOX, cfg->blackbox, LOG_TRACE, fmt_time);
	return 0;
}
