/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * main.c - the synod daemon: command line (corosync's -f -c -t -v),
 * configuration loading, service start-up, the event loop, clean exit on
 * SIGTERM/SIGINT.
 *
 * Exit codes follow corosync: 0 normal or -t success, 1 bad usage,
 * 7 invalid logging configuration, 8 unreadable/invalid configuration,
 * 15 a service failed to start (e.g. another daemon owns the IPC names),
 * 16 the state directory cannot be entered (checked by -t too),
 * 20 the quorum configuration was refused (an unknown quorum.provider
 * included; like corosync, -t does not load services so does not see it).
 *
 * After the logging configuration is applied the daemon works in the
 * state directory, as corosync does; the configuration path is made
 * absolute first so that reloads still find it.
 *
 * Until the membership layer drives the view source, the daemon installs
 * one static single-node view {local node} at start-up.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <qb/qblog.h>
#include <qb/qbloop.h>

#include "cluster.h"
#include "config.h"
#include "logconfig.h"
#include "ipc.h"
#include "store.h"
#include "reload.h"
#include "svc_cfg.h"
#include "svc_cmap.h"
#include "svc_cpg.h"
#include "svc_quorum.h"
#include "svc_votequorum.h"
#include "view.h"
#include "priority.h"
#include "security.h"
#include "svc_bcast.h"
#include "svc_cmm.h"

enum {
	SYN_EXIT_OK = 0,
	SYN_EXIT_USAGE = 1,
	SYN_EXIT_LOGCONFIG = 7,
	SYN_EXIT_CONFIG = 8,
	SYN_EXIT_SERVICE = 15,
	SYN_EXIT_STATE_DIR = 16,
	SYN_EXIT_QUORUM = 20,
};

struct options {
	const char *config_path;
	char *config_path_abs; /* config_path made absolute, NULL if it cannot be */
	int foreground;
	int test_only;
};

struct daemon {
	struct syn_store *icmap;
	struct syn_store *stats;
	qb_loop_t *loop;
	struct syn_ipc *ipc;
	struct syn_svc_cmap *cmap;
	struct syn_svc_cmm *cmm;
	struct syn_svc_bcast *bcast;
	struct syn_cluster *cluster;
	const char *config_path;
	struct syn_view_source *views;
	struct syn_svc_quorum *quorum;
	struct syn_svc_votequorum *votequorum;
	struct syn_svc_cfg *cfg;
	struct syn_svc_cpg *cpg;
	size_t ipc_queue_total_bytes;
};

static void usage(FILE *out)
{
	fprintf(out, "synod [-f] [-c config_file] [-t] [-v]\n"
		     "    -f     : Start application in foreground.\n"
		     "    -c     : Corosync config file path.\n"
		     "    -t     : Test configuration and exit.\n"
		     "    -v     : Display version and exit.\n");
}

static int parse_options(int argc, char **argv, struct options *opt)
{
	int ch;

	opt->config_path = SYN_CONFIG_DEFAULT_PATH;
	while ((ch = getopt(argc, argv, "fc:tvh")) != -1) {
		switch (ch) {
		case 'f':
			opt->foreground = 1;
			break;
		case 'c':
			opt->config_path = optarg;
			break;
		case 't':
			opt->test_only = 1;
			break;
		case 'v':
			printf("synod Cluster Engine, version '%s'\n"
			       "Copyright (c) the synod authors.\n",
			       SYN_VERSION);
			exit(SYN_EXIT_OK);
		case 'h':
			usage(stdout);
			exit(SYN_EXIT_OK);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	return 0;
}

/* Keys a running corosync publishes about its services. */
static void publish_service(struct syn_store *icmap, uint16_t id, const char *name)
{
	char key[128], engine[64];

	snprintf(key, sizeof(key), "internal_configuration.service.%u.name", id);
	snprintf(engine, sizeof(engine), "corosync_%s", name);
	syn_store_set_str(icmap, key, engine);
	snprintf(key, sizeof(key), "internal_configuration.service.%u.ver", id);
	syn_store_set_u32(icmap, key, 0);
	snprintf(key, sizeof(key), "runtime.services.%s.service_id", name);
	syn_store_set_u16(icmap, key, id);
}

static void publish_services(struct syn_store *icmap, bool votequorum)
{
	publish_service(icmap, 0, "cmap");
	publish_service(icmap, 1, "cfg");
	publish_service(icmap, 2, "cpg");
	publish_service(icmap, 3, "quorum");
	if (votequorum)
		publish_service(icmap, 5, "votequorum");
}

/* Parse, validate and apply the configuration; returns an exit code. */
static int load_config(struct daemon *d, const char *path)
{
	struct syn_config_env env;
	struct syn_logconfig logcfg;
	char err[1024];
	int rc;

	if (syn_config_parse_file(d->icmap, path, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		qb_log(LOG_ERR, "%s", err);
		return SYN_EXIT_CONFIG;
	}
	if (syn_logconfig_read(d->icmap, &logcfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return SYN_EXIT_LOGCONFIG;
	}
	if (syn_logconfig_apply(&logcfg) != 0) {
		fprintf(stderr, "Cannot apply the logging configuration\n");
		return SYN_EXIT_LOGCONFIG;
	}
	if (syn_config_state_dir_enter(d->icmap, err, sizeof(err)) != 0) {
		qb_log(LOG_ERR, "%s", err);
		return SYN_EXIT_STATE_DIR;
	}
	if (syn_config_env_init_system(&env) != 0) {
		fprintf(stderr, "Cannot read the host's name and addresses\n");
		return SYN_EXIT_CONFIG;
	}
	rc = syn_config_totem_apply(d->icmap, &env, err, sizeof(err));
	syn_config_env_fini(&env);
	if (rc != 0) {
		fprintf(stderr, "%s\n", err);
		qb_log(LOG_ERR, "%s", err);
		return SYN_EXIT_CONFIG;
	}
	syn_security_warn(d->icmap);
	return SYN_EXIT_OK;
}

static int32_t on_signal(int32_t sig, void *data)
{
	struct daemon *d = data;

	qb_log(LOG_NOTICE, "Received signal %d, shutting down", sig);
	qb_loop_stop(d->loop);
	return 0;
}

static void cluster_stats_refresh(void *ctx, const char *key)
{
	syn_cluster_stats_refresh(ctx, key);
}

static void cluster_stats_clear_knet(void *ctx)
{
	syn_cluster_stats_clear_knet(ctx);
}

static int reload_hook(void *ctx, uint32_t requester)
{
	struct daemon *d = ctx;

	return syn_config_reload(d->icmap, d->config_path, requester);
}

static void shutdown_hook(void *ctx, const char *why)
{
	struct daemon *d = ctx;

	qb_log(LOG_NOTICE, "Shutting down: %s", why);
	qb_loop_stop(d->loop);
}

static int link_status_hook(void *ctx, uint32_t nodeid, unsigned int link,
			    struct syn_link_status *out)
{
	struct daemon *d = ctx;

	return syn_cluster_link_status(d->cluster, nodeid, link, out);
}

static void quorum_listener(void *ctx, bool quorate, const struct syn_view *view);

/*
 * The quorum provider named by quorum.provider, as corosync loads it:
 * none, or corosync_votequorum; any other name stops the start.
 * corosync_ykd, which corosync also knows, is not implemented and is
 * refused rather than run without quorum.  Returns an exit code.
 */
static int check_provider(const char *provider)
{
	const char *reason = "Invalid quorum provider";

	if (!provider)
		return 0;
	qb_log(LOG_NOTICE, "Using quorum provider %s", provider);
	if (strcmp(provider, "corosync_votequorum") == 0)
		return 0;
	if (strcmp(provider, "corosync_ykd") == 0)
		reason = "Quorum provider corosync_ykd is not supported by synod";
	qb_log(LOG_CRIT, "Quorum provider: %s failed to initialize.", provider);
	qb_log(LOG_ERR, "Service engine 'corosync_quorum' failed to load for reason '%s'", reason);
	return SYN_EXIT_QUORUM;
}

/* votequorum and quorum (provider or free); exit code on failure. */
static int start_quorum(struct daemon *d, const char *provider)
{
	bool votequorum = provider != NULL;
	char reason[512];
	int rc;

	rc = check_provider(provider);
	if (rc != 0)
		return rc;
	d->quorum = syn_svc_quorum_create(d->views, d->ipc, votequorum);
	if (!d->quorum)
		return SYN_EXIT_SERVICE;
	if (!votequorum)
		return 0;
	rc = syn_svc_votequorum_create(d->icmap, d->loop, d->views, syn_config_state_dir(d->icmap),
				       &d->votequorum, reason, sizeof(reason));
	if (rc != 0) {
		qb_log(LOG_ERR, "Service engine 'corosync_quorum' failed to load for reason '%s'",
		       reason);
		return SYN_EXIT_QUORUM;
	}
	syn_svc_votequorum_set_listener(d->votequorum, quorum_listener, d);
	return 0;
}

static int add_service(struct daemon *d, const struct syn_service_def *def, void *svc)
{
	int rc = syn_ipc_service_add(d->ipc, def, svc);

	if (rc != 0)
		qb_log(LOG_ERR, "Cannot start the %s IPC service: %s", def->name, strerror(-rc));
	return rc;
}

/* Start every service; returns an exit code. */
/*
 * The CMM service sees every agreed view, and votequorum's verdicts for
 * them: it agrees on the flag through its own ordered messages.
 */
static void cmm_view(void *ctx, const struct syn_cluster_view *view)
{
	struct daemon *d = ctx;

	syn_svc_cmm_view(d->cmm, view);
}

static void quorum_listener(void *ctx, bool quorate, const struct syn_view *view)
{
	struct daemon *d = ctx;

	syn_svc_quorum_provider_report(d->quorum, quorate, view);
	if (d->cmm)
		syn_svc_cmm_quorum_report(d->cmm, quorate, view->ring_seq);
	/* quorum and votequorum now agree on a view: clients may see it */
	if (view->n_members > 0)
		syn_ipc_accept_clients(d->ipc);
}

static int start_cmm(struct daemon *d)
{
	struct syn_cluster_view view;
	int rc;

	d->cmm = syn_svc_cmm_create(d->loop, d->icmap, d->cluster, d->votequorum != NULL);
	if (!d->cmm)
		return -EINVAL;
	rc = syn_ipc_service_add(d->ipc, syn_svc_cmm_def(), d->cmm);
	if (rc == 0)
		rc = syn_cluster_add_view_observer(d->cluster, cmm_view, d);
	if (rc != 0) {
		qb_log(LOG_ERR, "Cannot start the cmm IPC service: %s", strerror(-rc));
		return rc;
	}
	syn_cluster_get_view(d->cluster, &view);
	if (view.n_members)
		cmm_view(d, &view);
	return 0;
}

static int start_services(struct daemon *d)
{
	struct syn_cfg_hooks hooks = {.ctx = d,
				      .reload = reload_hook,
				      .shutdown = shutdown_hook,
				      .link_status = link_status_hook};
	const char *provider = NULL;
	bool votequorum;
	uint32_t local;
	char err[512];
	int code, rc;

	rc = syn_cluster_create(d->loop, d->icmap, d->stats, &d->cluster, err, sizeof(err));
	if (rc != 0) {
		qb_log(LOG_ERR, "%s", err);
		return SYN_EXIT_SERVICE;
	}

	d->ipc = syn_ipc_create(d->loop, d->icmap, d->stats, d->ipc_queue_total_bytes);
	d->cmap = d->ipc ? syn_svc_cmap_create(d->icmap, d->stats, d->ipc) : NULL;
	if (!d->cmap)
		return SYN_EXIT_SERVICE;
	syn_ipc_set_stats_provider(
		d->ipc, &(struct syn_stats_provider){.refresh = cluster_stats_refresh,
						     .clear_knet = cluster_stats_clear_knet,
						     .ctx = d->cluster});
	local = syn_cluster_local_nodeid(d->cluster);
	d->views = syn_view_source_create(d->icmap, local);
	d->cfg = d->views ? syn_svc_cfg_create(d->icmap, d->loop, d->views, &hooks) : NULL;
	if (!d->views || !d->cfg)
		return SYN_EXIT_SERVICE;
	if (syn_store_get_str(d->icmap, "quorum.provider", &provider) != 0)
		provider = NULL;
	votequorum = provider != NULL;
	code = start_quorum(d, provider);
	if (code != 0)
		return code;
	if (add_service(d, syn_svc_cmap_def(), d->cmap) != 0 ||
	    add_service(d, syn_svc_cfg_def(), d->cfg) != 0 ||
	    add_service(d, syn_svc_quorum_def(), d->quorum) != 0 ||
	    (votequorum && add_service(d, syn_svc_votequorum_def(), d->votequorum) != 0))
		return SYN_EXIT_SERVICE;
	d->cpg = syn_svc_cpg_create(d->loop, d->cluster, d->ipc, d->icmap);
	if (!d->cpg || add_service(d, syn_svc_cpg_def(), d->cpg) != 0)
		return SYN_EXIT_SERVICE;
	publish_services(d->icmap, votequorum);
	if (start_cmm(d) != 0)
		return SYN_EXIT_SERVICE;
	if (syn_svc_bcast_configured(d->icmap)) {
		d->bcast = syn_svc_bcast_create(d->loop, d->cluster);
		if (!d->bcast || add_service(d, syn_svc_bcast_def(), d->bcast) != 0)
			return SYN_EXIT_SERVICE;
	}
	/* services see views from now on, starting with the current one */
	if (syn_view_source_attach(d->views, d->cluster, d->loop) != 0)
		return SYN_EXIT_SERVICE;
	/* without votequorum nothing settles on a view: serve at once */
	if (!votequorum)
		syn_ipc_accept_clients(d->ipc);
	return 0;
}

/* The IPC settings of system {}, read once at start-up. */
static int check_ipc_config(struct daemon *d)
{
	char err[160];
	int rc = syn_ipc_queue_total_read(d->icmap, &d->ipc_queue_total_bytes, err, sizeof(err));

	if (rc != 0)
		qb_log(LOG_ERR, "%s", err);
	return rc;
}

static void daemon_fini(struct daemon *d)
{
	syn_ipc_destroy(d->ipc);
	syn_svc_cmap_destroy(d->cmap);
	syn_svc_votequorum_destroy(d->votequorum);
	syn_svc_quorum_destroy(d->quorum);
	syn_svc_cfg_destroy(d->cfg);
	syn_svc_cpg_destroy(d->cpg);
	syn_view_source_destroy(d->views);
	syn_svc_cmm_destroy(d->cmm);
	syn_svc_bcast_destroy(d->bcast);
	syn_cluster_destroy(d->cluster);
	if (d->loop)
		qb_loop_destroy(d->loop);
	syn_store_destroy(d->stats);
	syn_store_destroy(d->icmap);
}

static int become_daemon(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -errno;
	if (pid > 0)
		_exit(SYN_EXIT_OK);
	if (setsid() < 0)
		return -errno;
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options opt = {0};
	struct daemon d = {0};
	int code;

	if (parse_options(argc, argv, &opt) != 0)
		return SYN_EXIT_USAGE;
	qb_log_init("synod", LOG_DAEMON, LOG_INFO);
	qb_log_ctl(QB_LOG_STDERR, QB_LOG_CONF_ENABLED, QB_TRUE);
	qb_log_filter_ctl(QB_LOG_STDERR, QB_LOG_FILTER_ADD, QB_LOG_FILTER_FILE, "*", LOG_INFO);
	d.icmap = syn_store_create();
	d.stats = syn_store_create();
	if (!d.icmap || !d.stats) {
		code = SYN_EXIT_CONFIG;
		goto out;
	}
	/* reloads read the file again after the move to the state directory */
	opt.config_path_abs = realpath(opt.config_path, NULL);
	code = load_config(&d, opt.config_path);
	if (code == SYN_EXIT_OK && check_ipc_config(&d) != 0)
		code = SYN_EXIT_CONFIG;
	if (code != SYN_EXIT_OK || opt.test_only)
		goto out;
	if (!opt.foreground && become_daemon() != 0) {
		code = SYN_EXIT_SERVICE;
		goto out;
	}
	d.config_path = opt.config_path_abs ? opt.config_path_abs : opt.config_path;
	{
		char err[128];

		if (syn_priority_apply(d.icmap, err, sizeof(err)) != 0) {
			qb_log(LOG_ERR, "%s", err);
			code = SYN_EXIT_CONFIG;
			goto out;
		}
	}
	d.loop = qb_loop_create();
	code = d.loop ? start_services(&d) : SYN_EXIT_SERVICE;
	if (code != SYN_EXIT_OK)
		goto out;
	qb_loop_signal_add(d.loop, QB_LOOP_HIGH, SIGTERM, &d, on_signal, NULL);
	qb_loop_signal_add(d.loop, QB_LOOP_HIGH, SIGINT, &d, on_signal, NULL);
	signal(SIGPIPE, SIG_IGN);
	qb_log(LOG_NOTICE, "synod %s started", SYN_VERSION);
	qb_loop_run(d.loop);
	if (d.votequorum)
		syn_svc_votequorum_leave(d.votequorum);
	if (d.cluster && syn_cluster_fatal(d.cluster))
		code = SYN_EXIT_CONFIG;
	qb_log(LOG_NOTICE, "synod exiting");
out:
	daemon_fini(&d);
	free(opt.config_path_abs);
	qb_log_fini();
	return code;
}
