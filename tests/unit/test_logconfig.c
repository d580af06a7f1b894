/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_logconfig.c - unit tests of logging {} validation (every reason
 * text, defaults, subsystem overrides) and a smoke test of applying a
 * configuration to libqb logging.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <cmocka.h>
#include <qb/qblog.h>

#include "config.h"
#include "logconfig.h"
#include "store.h"

static struct syn_store *parse(const char *text)
{
	struct syn_store *s = syn_store_create();
	char err[SYN_CONFIG_ERR_LEN];
	if (syn_config_parse_buffer(s, "t.conf", text, strlen(text), 0, err, sizeof(err)) != 0)
		fail_msg("parse failed: %s", err);
	return s;
}

static void expect_invalid(const char *logging_body, const char *reason)
{
	char text[1024], err[256], want[300];
	struct syn_logconfig cfg;
	snprintf(text, sizeof(text), "logging {\n%s\n}\n", logging_body);
	struct syn_store *s = parse(text);
	assert_int_equal(syn_logconfig_read(s, &cfg, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "parse error in config: %s.", reason);
	assert_string_equal(err, want);
	syn_store_destroy(s);
}

static void test_invalid_values(void **state)
{
	(void)state;
	const char *bools[] = {"to_stderr", "to_syslog", "to_logfile",	  "debug",
			       "timestamp", "fileline",	 "function_name", "blackbox"};
	char body[128], reason[128];
	for (size_t i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
		snprintf(body, sizeof(body), " %s: maybe", bools[i]);
		snprintf(reason, sizeof(reason), "unknown value for %s", bools[i]);
		expect_invalid(body, reason);
	}
	/* on/off only where the reference accepts only on/off */
	expect_invalid(" fileline: yes", "unknown value for fileline");
	expect_invalid(" blackbox: no", "unknown value for blackbox");
	expect_invalid(" to_file: x", "unknown value for to_file");
	expect_invalid(" syslog_facility: foo", "unknown syslog facility specified");
	expect_invalid(" syslog_priority: Foo", "unknown syslog priority specified");
	expect_invalid(" syslog_level: foo", "unknown syslog level specified");
	expect_invalid(" logfile_priority: x", "unknown logfile priority specified");
	expect_invalid(" logger_subsys {\n  subsys: QUORUM\n  debug: x\n }",
		       "unknown value for debug");
	expect_invalid(" logger_subsys {\n  subsys: QUORUM\n  to_syslog: x\n }",
		       "unknown value for to_syslog");
}

static void test_defaults_and_values(void **state)
{
	(void)state;
	struct syn_logconfig cfg;
	char err[256];
	struct syn_store *s = syn_store_create();
	assert_int_equal(syn_logconfig_read(s, &cfg, err, sizeof(err)), 0);
	assert_true(cfg.t.to_stderr);
	assert_true(cfg.t.to_syslog);
	assert_false(cfg.t.to_logfile);
	assert_int_equal(cfg.t.syslog_priority, LOG_INFO);
	assert_int_equal(cfg.t.logfile_priority, LOG_INFO);
	assert_int_equal(cfg.syslog_facility, LOG_DAEMON);
	assert_int_equal(cfg.t.debug, SYN_LOG_DEBUG_OFF);
	assert_int_equal(cfg.timestamp, SYN_LOG_TS_HIRES);
	assert_false(cfg.fileline);
	assert_false(cfg.function_name);
	assert_true(cfg.blackbox);
	assert_string_equal(cfg.logfile, "");
	syn_store_destroy(s);

	s = parse(
		"logging {\n to_stderr: off\n to_syslog: no\n to_file: yes\n"
		" logfile: /var/log/x.log\n syslog_priority: WARNING\n logfile_priority: err\n"
		" syslog_facility: local3\n debug: trace\n timestamp: on\n fileline: on\n"
		" function_name: on\n blackbox: off\n"
		" logger_subsys {\n  subsys: QUORUM\n  to_stderr: yes\n  syslog_level: debug\n }\n"
		" logger_subsys {\n  subsys: CMAP\n  debug: on\n }\n}\n");
	assert_int_equal(syn_logconfig_read(s, &cfg, err, sizeof(err)), 0);
	assert_false(cfg.t.to_stderr);
	assert_false(cfg.t.to_syslog);
	assert_true(cfg.t.to_logfile);
	assert_true(cfg.deprecated_used);
	assert_string_equal(cfg.logfile, "/var/log/x.log");
	assert_int_equal(cfg.t.syslog_priority, LOG_WARNING);
	assert_int_equal(cfg.t.logfile_priority, LOG_ERR);
	assert_int_equal(cfg.syslog_facility, LOG_LOCAL3);
	assert_int_equal(cfg.t.debug, SYN_LOG_DEBUG_TRACE);
	assert_int_equal(cfg.timestamp, SYN_LOG_TS_ON);
	assert_true(cfg.fileline);
	assert_true(cfg.function_name);
	assert_false(cfg.blackbox);
	assert_int_equal(cfg.n_subsys, 2);
	const struct syn_log_targets *q = syn_logconfig_subsys_targets(&cfg, "QUORUM");
	assert_true(q->to_stderr);
	assert_false(q->to_syslog);
	assert_int_equal(q->syslog_priority, LOG_DEBUG);
	/* a subsystem without debug gets off, not the global trace */
	assert_int_equal(q->debug, SYN_LOG_DEBUG_OFF);
	assert_int_equal(syn_logconfig_subsys_targets(&cfg, "CMAP")->debug, SYN_LOG_DEBUG_ON);
	assert_ptr_equal(syn_logconfig_subsys_targets(&cfg, "OTHER"), &cfg.t);
	syn_store_destroy(s);
}

static void test_apply(void **state)
{
	(void)state;
	struct syn_logconfig cfg;
	char err[256];
	struct syn_store *s = parse("logging {\n to_stderr: no\n to_syslog: no\n debug: on\n"
				    " timestamp: off\n}\n");
	qb_log_init("test_logconfig", LOG_DAEMON, LOG_INFO);
	assert_int_equal(syn_logconfig_read(s, &cfg, err, sizeof(err)), 0);
	assert_int_equal(syn_logconfig_apply(&cfg), 0);
	/* logfile that cannot be opened */
	cfg.t.to_logfile = true;
	snprintf(cfg.logfile, sizeof(cfg.logfile), "/nonexistent-dir/x.log");
	assert_true(syn_logconfig_apply(&cfg) < 0);
	qb_log_fini();
	syn_store_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_invalid_values),
		cmocka_unit_test(test_defaults_and_values),
		cmocka_unit_test(test_apply),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
