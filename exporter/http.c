/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * http.c - serving /metrics with libmicrohttpd (see http.h).  Collection
 * is scrape.c's, the metric list metrics.c's, the text format textfmt.c's;
 * this file only maps requests to them.
 */
#include "http.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <microhttpd.h>

#include "metrics.h"
#include "scrape.h"
#include "textfmt.h"

#define SYN_EXP_MAX_CONNECTIONS 8
#define SYN_EXP_IDLE_TIMEOUT_S 10

struct syn_exp_http {
	struct MHD_Daemon *mhd;
	struct syn_exp_scraper *scraper;
};

static const char index_page[] = "synod-exporter: metrics are at /metrics\n";

static enum MHD_Result respond(struct MHD_Connection *conn, unsigned int status, char *body,
			       size_t len, enum MHD_ResponseMemoryMode mode,
			       const char *content_type)
{
	struct MHD_Response *res = MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result ret;

	if (!res) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(res, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	ret = MHD_queue_response(conn, status, res);
	MHD_destroy_response(res);
	return ret;
}

static enum MHD_Result respond_text(struct MHD_Connection *conn, unsigned int status,
				    const char *text)
{
	return respond(conn, status, (char *)text, strlen(text), MHD_RESPMEM_PERSISTENT,
		       "text/plain; charset=utf-8");
}

static bool wants_openmetrics(struct MHD_Connection *conn)
{
	const char *accept =
		MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);

	return accept && strstr(accept, "application/openmetrics-text") != NULL;
}

static enum MHD_Result serve_metrics(struct syn_exp_http *h, struct MHD_Connection *conn)
{
	bool openmetrics = wants_openmetrics(conn);
	struct syn_exp_snapshot *snap = malloc(sizeof(*snap));
	struct syn_exp_text text;
	char *body;
	size_t len;
	int rc;

	if (!snap)
		return respond_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	syn_exp_scraper_scrape(h->scraper, snap);
	syn_exp_text_init(&text, openmetrics);
	syn_exp_metrics_write(snap, &text);
	free(snap);
	rc = syn_exp_text_finish(&text, &body, &len);
	syn_exp_text_fini(&text);
	if (rc != 0)
		return respond_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	return respond(conn, MHD_HTTP_OK, body, len, MHD_RESPMEM_MUST_FREE,
		       syn_exp_text_content_type(openmetrics));
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **req_cls)
{
	struct syn_exp_http *h = cls;

	(void)version;
	(void)upload_data;
	/* the first call only announces the headers; answer on the second */
	if (*req_cls == NULL) {
		*req_cls = h;
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		*upload_data_size = 0; /* a body is not wanted: drop it */
		return MHD_YES;
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return respond_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n");
	if (strcmp(url, "/metrics") == 0)
		return serve_metrics(h, conn);
	if (strcmp(url, "/") == 0)
		return respond_text(conn, MHD_HTTP_OK, index_page);
	return respond_text(conn, MHD_HTTP_NOT_FOUND, "not found; metrics are at /metrics\n");
}

int syn_exp_http_start(const struct sockaddr *addr, struct syn_exp_scraper *sc,
		       struct syn_exp_http **out)
{
	struct syn_exp_http *h = calloc(1, sizeof(*h));
	unsigned int flags =
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG;
	uint16_t port;

	if (!h)
		return -ENOMEM;
	h->scraper = sc;
	if (addr->sa_family == AF_INET6) {
		flags |= MHD_USE_IPv6;
		port = ntohs(((const struct sockaddr_in6 *)addr)->sin6_port);
	} else {
		port = ntohs(((const struct sockaddr_in *)addr)->sin_port);
	}
	h->mhd =
		MHD_start_daemon(flags, port, NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR, addr,
				 MHD_OPTION_CONNECTION_LIMIT, (unsigned int)SYN_EXP_MAX_CONNECTIONS,
				 MHD_OPTION_CONNECTION_TIMEOUT,
				 (unsigned int)SYN_EXP_IDLE_TIMEOUT_S, MHD_OPTION_END);
	if (!h->mhd) {
		free(h);
		return -EADDRNOTAVAIL;
	}
	*out = h;
	return 0;
}

void syn_exp_http_stop(struct syn_exp_http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->mhd);
	free(h);
}
