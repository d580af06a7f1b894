/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * main.c - synod-exporter: serves a synod daemon's state as OpenMetrics
 * over HTTP.  Command line, signals, start and stop; the work is in
 * scrape.c (collection), metrics.c (the metrics), textfmt.c (the text
 * format) and http.c (the server).
 *
 * The exporter is a client of the daemon like any other (the public
 * client libraries), so the daemon keeps no network listener of its own.
 * It starts whether or not the daemon runs, reports synod_up 0 while it
 * does not, and reconnects when it is back.
 *
 * Exit status: 0 after SIGTERM/SIGINT, 1 bad usage, 2 cannot listen,
 * 3 cannot start.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#include "http.h"
#include "scrape.h"

/*
 * 9664 is the port ha_cluster_exporter uses: synod-exporter takes the
 * place of its corosync collector with the same metric names, so
 * Prometheus configurations and dashboards keep their target.
 */
#define SYN_EXP_DEFAULT_LISTEN "127.0.0.1:9664"
#define SYN_EXP_DEFAULT_TIMEOUT_MS 5000

enum {
	SYN_EXP_EXIT_OK = 0,
	SYN_EXP_EXIT_USAGE = 1,
	SYN_EXP_EXIT_LISTEN = 2,
	SYN_EXP_EXIT_START = 3,
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: synod-exporter [-l ADDRESS:PORT] [-t MILLISECONDS]\n"
		"Serve the local synod daemon's state as OpenMetrics at "
		"http://ADDRESS:PORT/metrics\n"
		"\n"
		"  -l, --listen ADDRESS:PORT  numeric IPv4 address, or [IPv6] address, and port\n"
		"                             (default " SYN_EXP_DEFAULT_LISTEN ")\n"
		"  -t, --timeout MS           longest wait for the daemon per scrape (default %d)\n"
		"  -V, --version              print the version and exit\n"
		"  -h, --help                 print this help and exit\n",
		SYN_EXP_DEFAULT_TIMEOUT_MS);
}

/* "1.2.3.4:9664" or "[::1]:9664"; numeric only (no DNS at start-up). */
static int parse_listen(const char *arg, struct sockaddr_storage *ss)
{
	char host[64];
	const char *colon, *port_s;
	char *end;
	unsigned long port;
	size_t host_len;

	memset(ss, 0, sizeof(*ss));
	if (arg[0] == '[') {
		const char *close = strchr(arg, ']');

		if (!close || close[1] != ':')
			return -EINVAL;
		host_len = (size_t)(close - arg - 1);
		if (host_len >= sizeof(host))
			return -EINVAL;
		memcpy(host, arg + 1, host_len);
		port_s = close + 2;
	} else {
		colon = strrchr(arg, ':');
		if (!colon || (size_t)(colon - arg) >= sizeof(host))
			return -EINVAL;
		host_len = (size_t)(colon - arg);
		memcpy(host, arg, host_len);
		port_s = colon + 1;
	}
	host[host_len] = '\0';
	errno = 0;
	port = strtoul(port_s, &end, 10);
	if (errno || end == port_s || *end || port == 0 || port > 65535)
		return -EINVAL;
	if (arg[0] == '[') {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		return inet_pton(AF_INET6, host, &a6->sin6_addr) == 1 ? 0 : -EINVAL;
	}
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;

	a4->sin_family = AF_INET;
	a4->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &a4->sin_addr) == 1 ? 0 : -EINVAL;
}

static int parse_timeout(const char *arg, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < 1 || v > 600000)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{"listen", required_argument, NULL, 'l'},
		{"timeout", required_argument, NULL, 't'},
		{"version", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *listen_arg = SYN_EXP_DEFAULT_LISTEN;
	int timeout_ms = SYN_EXP_DEFAULT_TIMEOUT_MS;
	struct syn_exp_scraper *scraper = NULL;
	struct syn_exp_http *http = NULL;
	struct sockaddr_storage addr;
	sigset_t sigs;
	int opt, sig, rc;

	while ((opt = getopt_long(argc, argv, "l:t:Vh", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'l':
			listen_arg = optarg;
			break;
		case 't':
			if (parse_timeout(optarg, &timeout_ms) != 0) {
				fprintf(stderr, "synod-exporter: bad timeout '%s'\n", optarg);
				return SYN_EXP_EXIT_USAGE;
			}
			break;
		case 'V':
			printf("synod-exporter %s\n", SYN_VERSION);
			return SYN_EXP_EXIT_OK;
		case 'h':
			usage(stdout);
			return SYN_EXP_EXIT_OK;
		default:
			usage(stderr);
			return SYN_EXP_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return SYN_EXP_EXIT_USAGE;
	}
	if (parse_listen(listen_arg, &addr) != 0) {
		fprintf(stderr,
			"synod-exporter: bad listen address '%s' (want A.B.C.D:PORT or "
			"[IPv6]:PORT)\n",
			listen_arg);
		return SYN_EXP_EXIT_USAGE;
	}
	/* every thread inherits this mask: signals are taken by sigwait only */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	rc = syn_exp_scraper_create(timeout_ms, &scraper);
	if (rc != 0) {
		fprintf(stderr, "synod-exporter: cannot start: %s\n", strerror(-rc));
		return SYN_EXP_EXIT_START;
	}
	rc = syn_exp_http_start((const struct sockaddr *)&addr, scraper, &http);
	if (rc != 0) {
		fprintf(stderr, "synod-exporter: cannot listen on %s\n", listen_arg);
		syn_exp_scraper_destroy(scraper);
		return SYN_EXP_EXIT_LISTEN;
	}
	fprintf(stderr, "synod-exporter: serving http://%s/metrics\n", listen_arg);
	while (sigwait(&sigs, &sig) == 0 && sig != SIGTERM && sig != SIGINT)
		;
	syn_exp_http_stop(http);
	syn_exp_scraper_destroy(scraper);
	return SYN_EXP_EXIT_OK;
}
