/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * http.h - the exporter's HTTP side (libmicrohttpd): GET /metrics answers
 * with a fresh scrape (scrape.h) in OpenMetrics text when the client's
 * Accept header asks for application/openmetrics-text, else in
 * Prometheus text 0.0.4; GET / says where the metrics are; everything
 * else is 404 (unknown path) or 405 (other methods).
 *
 * One thread per connection, a few connections at a time, and an idle
 * connection timeout, so a stuck client cannot hold the server.
 */
#ifndef SYN_EXP_HTTP_H
#define SYN_EXP_HTTP_H

#include <sys/socket.h>

struct syn_exp_scraper;
struct syn_exp_http;

/*
 * Listen on addr (IPv4 or IPv6) and serve scrapes of sc (borrowed: it
 * must outlive the server).  0 or -errno.
 */
int syn_exp_http_start(const struct sockaddr *addr, struct syn_exp_scraper *sc,
		       struct syn_exp_http **out);
/* Stop serving; waits for running requests.  stop(NULL) is a no-op. */
void syn_exp_http_stop(struct syn_exp_http *h);

#endif
