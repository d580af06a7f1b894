/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * main.c - the synod daemon: command line (corosync's -f -c -t -v),
 * configuration loading, service start-up, the event loop, clean exit on
 * SIGTERM/SIGINT, and the flight recorder's hooks (blackbox.c).
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
 * The nodelist's addresses are resolved once, right after validation,
 * into the daemon's node address table (node_addrs.h); the links and the
 * services read it, and an accepted reload replaces its contents.
 *
 * The services are a table of start functions (service.h), started in
 * its order on the cluster layer, which feeds them from then on; the
 * order is the order in which they see each view and quorum verdict.
 *
 * Under systemd (NOTIFY_SOCKET) the daemon reports readiness once the
 * first view is installed and clients are served, and STOPPING=1 when
 * shutdown starts (sdnotify.h).
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

#include "blackbox.h"
#include "cluster.h"
#include "config.h"
#include "logconfig.h"
#include "ipc.h"
#include "loop.h"
#include "node_addrs.h"
#include "store.h"
#include "reload.h"
#include "svc_cfg.h"
#include "svc_cmap.h"
#include "svc_cpg.h"
#include "svc_quorum.h"
#include "svc_votequorum.h"
#include "priority.h"
#include "security.h"
#include "service.h"
#include "svc_bcast.h"
#include "svc_cmm.h"
#include "sdnotify.h"

enum {
	SYN_EXIT_OK = 0,
	SYN_EXIT_USAGE = 1,
	SYN_EXIT_LOGCONFIG = 7,
	SYN_EXIT_CONFIG = 8,
	SYN_EXIT_SERVICE = SYN_START_FAILED,
	SYN_EXIT_STATE_DIR = 16,
	SYN_EXIT_QUORUM = SYN_START_QUORUM_REFUSED,
};

/*
 * The services, in the order they see views and verdicts: cpg and cmm
 * before votequorum, which may report its verdict on a view from inside
 * its view hook; quorum before votequorum, so that quorum's V1 node list
 * event precedes the quorum events of the view, as on corosync.
 */
static const struct {
	syn_service_start_fn start;
	bool corosync_engine; /* published as corosync publishes its engines */
} service_table[] = {
	{syn_svc_cmap_start, true},   {syn_svc_cfg_start, true},
	{syn_svc_cpg_start, true},    {syn_svc_cmm_start, false},
	{syn_svc_quorum_start, true}, {syn_svc_votequorum_start, true},
	{syn_svc_bcast_start, false},
};

struct options {
	const char *config_path;
	char *config_path_abs; /* config_path made absolute, NULL if it cannot be */
	int foreground;
	int test_only;
};

struct daemon {
	struct syn_store *icmap;
	/* resolved once here; a reload replaces the contents (node_addrs.h) */
	struct syn_node_addrs node_addrs;
	struct syn_store *stats;
	struct syn_loop *loop;
	struct syn_ipc *ipc;
	struct syn_cluster *cluster;
	const char *config_path;
	struct syn_blackbox *blackbox;
	size_t ipc_queue_total_bytes;
	struct syn_daemon_hooks hooks;
	struct syn_sdnotify notify;
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
	if (rc == 0)
		rc = syn_node_addrs_build(&d->node_addrs, d->icmap, syn_config_ip_version(d->icmap),
					  &env, err, sizeof(err));
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
	syn_sdnotify_stopping(&d->notify, sig == SIGTERM ? "SIGTERM" : "SIGINT");
	syn_loop_stop(d->loop);
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

	return syn_config_reload(d->icmap, d->config_path, requester, &d->node_addrs);
}

static void shutdown_hook(void *ctx, const char *why)
{
	struct daemon *d = ctx;

	qb_log(LOG_NOTICE, "Shutting down: %s", why);
	syn_sdnotify_stopping(&d->notify, why);
	syn_loop_stop(d->loop);
}

/* Start the table's services on the cluster layer; returns an exit code. */
static int start_services(struct daemon *d)
{
	struct syn_service_env env;
	struct syn_service svc;
	char err[512];
	int rc;

	rc = syn_cluster_create(d->loop, d->icmap, &d->node_addrs, d->stats, &d->cluster, err,
				sizeof(err));
	if (rc != 0) {
		qb_log(LOG_ERR, "%s", err);
		return SYN_EXIT_SERVICE;
	}
	d->ipc = syn_ipc_create(d->loop, d->icmap, d->stats, d->ipc_queue_total_bytes);
	if (!d->ipc)
		return SYN_EXIT_SERVICE;
	syn_ipc_set_stats_provider(
		d->ipc, &(struct syn_stats_provider){.refresh = cluster_stats_refresh,
						     .clear_knet = cluster_stats_clear_knet,
						     .ctx = d->cluster});
	d->hooks = (struct syn_daemon_hooks){
		.ctx = d, .reload = reload_hook, .shutdown = shutdown_hook};
	env = (struct syn_service_env){.loop = d->loop,
				       .icmap = d->icmap,
				       .node_addrs = &d->node_addrs,
				       .stats = d->stats,
				       .ipc = d->ipc,
				       .cluster = d->cluster,
				       .daemon = &d->hooks};
	for (size_t i = 0; i < sizeof(service_table) / sizeof(service_table[0]); i++) {
		enum syn_start_result res = service_table[i].start(&env, &svc);

		if (res == SYN_START_NOT_CONFIGURED)
			continue;
		if (res != SYN_START_OK)
			return (int)res;
		rc = syn_cluster_add_service(d->cluster, &svc);
		if (rc != 0) {
			svc.fini(svc.ctx);
			return SYN_EXIT_SERVICE;
		}
		if (svc.ipc && syn_ipc_service_add(d->ipc, svc.ipc, svc.ctx) != 0) {
			qb_log(LOG_ERR, "Cannot start the %s IPC service", svc.name);
			return SYN_EXIT_SERVICE;
		}
		if (service_table[i].corosync_engine)
			publish_service(d->icmap, (uint16_t)svc.ipc->id, svc.name);
	}
	/* last in table order: it sees each verdict after quorum has acted on it */
	syn_sdnotify_service(&d->notify, d->ipc, &svc);
	if (syn_cluster_add_service(d->cluster, &svc) != 0)
		return SYN_EXIT_SERVICE;
	/* services see views and messages from now on, the first view included */
	syn_cluster_services_start(d->cluster);
	return 0;
}

/* What runtime.blackbox.dump_state puts in the log (and the next dump). */
static void dump_state(void *ctx)
{
	struct daemon *d = ctx;
	struct syn_node_view view;
	char members[256] = "";
	size_t used = 0;

	syn_cluster_get_view(d->cluster, &view);
	for (size_t i = 0; i < view.n_members && used < sizeof(members); i++)
		used += (size_t)snprintf(members + used, sizeof(members) - used, " %u",
					 (unsigned)view.members[i]);
	qb_log(LOG_NOTICE, "State: ring %x.%llx, %zu members:%s", (unsigned)view.ring_rep,
	       (unsigned long long)view.ring_seq, view.n_members, members);
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
	syn_blackbox_destroy(d->blackbox);
	syn_ipc_destroy(d->ipc);
	syn_cluster_destroy(d->cluster);
	syn_loop_destroy(d->loop);
	syn_store_destroy(d->stats);
	syn_store_destroy(d->icmap);
	syn_node_addrs_fini(&d->node_addrs);
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
	syn_logconfig_init_stderr();
	syn_node_addrs_init(&d.node_addrs);
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
	/* from here the working directory is the state directory */
	syn_blackbox_fatal_signals_install();
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
	syn_sdnotify_init(&d.notify);
	code = syn_loop_create(&d.loop) == 0 ? start_services(&d) : SYN_EXIT_SERVICE;
	if (code == SYN_EXIT_OK && syn_blackbox_create(d.icmap, dump_state, &d, &d.blackbox) != 0)
		code = SYN_EXIT_SERVICE;
	if (code != SYN_EXIT_OK)
		goto out;
	qb_loop_signal_add(syn_loop_qb(d.loop), QB_LOOP_HIGH, SIGTERM, &d, on_signal, NULL);
	qb_loop_signal_add(syn_loop_qb(d.loop), QB_LOOP_HIGH, SIGINT, &d, on_signal, NULL);
	signal(SIGPIPE, SIG_IGN);
	qb_log(LOG_NOTICE, "synod %s started", SYN_VERSION);
	syn_loop_run(d.loop);
	/* a stop for any other reason (a fatal cluster error) is a shutdown too */
	syn_sdnotify_stopping(&d.notify, "event loop stopped");
	/* the services' leave messages are stamped with the time of the stop */
	syn_loop_update_now(d.loop);
	syn_cluster_services_shutdown(d.cluster);
	if (d.cluster && syn_cluster_fatal(d.cluster))
		code = SYN_EXIT_CONFIG;
	qb_log(LOG_NOTICE, "synod exiting");
out:
	daemon_fini(&d);
	free(opt.config_path_abs);
	qb_log_fini();
	return code;
}
