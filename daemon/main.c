/*
 * main.c - the synod daemon: command line (corosync's -f -c -t -v),
 * configuration loading, service start-up, the event loop, clean exit on
 * SIGTERM/SIGINT.
 *
 * Exit codes follow corosync: 0 normal or -t success, 1 bad usage,
 * 7 invalid logging configuration, 8 unreadable/invalid configuration,
 * 15 a service failed to start (e.g. another daemon owns the IPC names).
 */
#include <errno.h>
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
#include "svc_cmap.h"
#include "svc_cmm.h"

#define SYN_DEFAULT_CONFIG "/etc/corosync/corosync.conf"

enum {
	SYN_EXIT_OK = 0,
	SYN_EXIT_USAGE = 1,
	SYN_EXIT_LOGCONFIG = 7,
	SYN_EXIT_CONFIG = 8,
	SYN_EXIT_SERVICE = 15,
};

struct options {
	const char *config_path;
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
	struct syn_cluster *cluster;
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

	opt->config_path = SYN_DEFAULT_CONFIG;
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
static void publish_services(struct syn_store *icmap)
{
	uint32_t zero = 0;

	syn_store_set_str(icmap, "internal_configuration.service.0.name", "corosync_cmap");
	syn_store_set_u32(icmap, "internal_configuration.service.0.ver", zero);
	syn_store_set_u16(icmap, "runtime.services.cmap.service_id", 0);
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
	return SYN_EXIT_OK;
}

static int32_t on_signal(int32_t sig, void *data)
{
	struct daemon *d = data;

	qb_log(LOG_NOTICE, "Received signal %d, shutting down", sig);
	qb_loop_stop(d->loop);
	return 0;
}

static void cluster_stats_refresh(void *ctx)
{
	syn_cluster_stats_write(ctx);
}

static void cluster_stats_clear_knet(void *ctx)
{
	syn_cluster_stats_clear_knet(ctx);
}

/*
 * The CMM service follows each agreed view with its quorate flag.
 * Interim rule until votequorum answers: a strict majority of the
 * nodelist is in the view.
 */
static void cmm_view(void *ctx, const struct syn_cluster_view *view)
{
	syn_svc_cmm_view(ctx, view, syn_svc_cmm_interim_quorate(ctx, view));
}

static int start_cmm(struct daemon *d)
{
	struct syn_cluster_view view;
	int rc;

	d->cmm = syn_svc_cmm_create(d->loop, d->icmap, d->cluster);
	if (!d->cmm)
		return -EINVAL;
	rc = syn_ipc_service_add(d->ipc, syn_svc_cmm_def(), d->cmm);
	if (rc == 0)
		rc = syn_cluster_add_view_observer(d->cluster, cmm_view, d->cmm);
	if (rc != 0) {
		qb_log(LOG_ERR, "Cannot start the cmm IPC service: %s", strerror(-rc));
		return rc;
	}
	syn_cluster_get_view(d->cluster, &view);
	if (view.n_members)
		cmm_view(d->cmm, &view);
	return 0;
}

static int start_services(struct daemon *d)
{
	char err[512];
	int rc;

	rc = syn_cluster_create(d->loop, d->icmap, d->stats, &d->cluster, err, sizeof(err));
	if (rc != 0) {
		qb_log(LOG_ERR, "%s", err);
		return rc;
	}

	d->ipc = syn_ipc_create(d->loop, d->icmap, d->stats);
	d->cmap = d->ipc ? syn_svc_cmap_create(d->icmap, d->stats, d->ipc) : NULL;
	if (!d->cmap)
		return -ENOMEM;
	rc = syn_ipc_service_add(d->ipc, syn_svc_cmap_def(), d->cmap);
	if (rc != 0) {
		qb_log(LOG_ERR, "Cannot start the cmap IPC service: %s", strerror(-rc));
		return rc;
	}
	syn_ipc_set_stats_provider(d->ipc, &(struct syn_stats_provider){
		.refresh = cluster_stats_refresh, .clear_knet = cluster_stats_clear_knet,
		.ctx = d->cluster});
	publish_services(d->icmap);
	return start_cmm(d);
}

static void daemon_fini(struct daemon *d)
{
	syn_ipc_destroy(d->ipc);
	syn_svc_cmap_destroy(d->cmap);
	syn_svc_cmm_destroy(d->cmm);
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
	code = load_config(&d, opt.config_path);
	if (code != SYN_EXIT_OK || opt.test_only)
		goto out;
	if (!opt.foreground && become_daemon() != 0) {
		code = SYN_EXIT_SERVICE;
		goto out;
	}
	d.loop = qb_loop_create();
	if (!d.loop || start_services(&d) != 0) {
		code = SYN_EXIT_SERVICE;
		goto out;
	}
	qb_loop_signal_add(d.loop, QB_LOOP_HIGH, SIGTERM, &d, on_signal, NULL);
	qb_loop_signal_add(d.loop, QB_LOOP_HIGH, SIGINT, &d, on_signal, NULL);
	signal(SIGPIPE, SIG_IGN);
	qb_log(LOG_NOTICE, "synod %s started, serving cmap", SYN_VERSION);
	qb_loop_run(d.loop);
	if (d.cluster && syn_cluster_fatal(d.cluster))
		code = SYN_EXIT_CONFIG;
	qb_log(LOG_NOTICE, "synod exiting");
out:
	daemon_fini(&d);
	qb_log_fini();
	return code;
}
