/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * transport.c - kronosnet links (see transport.h).
 *
 * knet runs its own threads; the only code of ours they run is the packet
 * filter (which reads the frame and the immutable local node id) and the
 * socket-notify hook (which does nothing but let knet drop a dead fd).
 * Everything else runs on the daemon's loop.
 *
 * knet's status calls (knet_link_get_status, knet_handle_get_stats) take
 * locks that knet's threads hold for long: PMTU discovery walks every
 * host and link under them.  So the loop never asks knet on a timer for
 * every link: the stats.knet.* keys are created and deleted with links
 * and filled when a client reads one of them (one link per read, as
 * corosync's stats map does) or when somebody tracks one (polled once a
 * second, link by link, only for the links with a tracked key).  cfg's
 * ringstatus and nodestatus ask knet per request, as corosync does.  The
 * data path (a socket pair) and configuration calls stay as they were.
 */
#include "transport.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <libknet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <qb/qblog.h>

#include "proto/net_cluster.h"

#define SYN_TRANSPORT_SOCKET_BYTES (8 * 1024 * 1024)

#define RECV_BURST 64

struct syn_transport {
	qb_loop_t *loop;
	knet_handle_t knet;
	uint32_t local;
	int datafd;
	int log_pipe[2];
	syn_transport_recv_fn recv;
	void *ctx;
	struct syn_store *stats; /* borrowed: stats.knet.* and our counters */
	struct syn_transport_config cfg;
	size_t n_hosts_added; /* cfg.nodes[0 .. n_hosts_added - 1] are knet hosts */
	unsigned char buf[KNET_MAX_PACKET_SIZE];
	uint64_t send_failures;
};

static int filter(void *priv, const unsigned char *data, ssize_t len, uint8_t tx_rx,
		  knet_node_id_t this_host, knet_node_id_t src_host, int8_t *channel,
		  knet_node_id_t *dst, size_t *n_dst)
{
	struct syn_net_frame f;

	(void)priv, (void)channel;
	if (len < 0 || syn_net_frame_decode(data, (size_t)len, &f) != 0)
		return -1;
	if (tx_rx == KNET_NOTIFY_RX) {
		if (f.src != src_host || src_host == this_host)
			return -1;
		dst[0] = this_host;
		*n_dst = 1;
		return 0;
	}
	if (f.dst == 0)
		return 1;
	dst[0] = (knet_node_id_t)f.dst;
	*n_dst = 1;
	return 0;
}

static void sock_notify(void *priv, int datafd, int8_t channel, uint8_t tx_rx, int error,
			int errorno)
{
	(void)priv, (void)datafd, (void)channel, (void)tx_rx, (void)error, (void)errorno;
}

static int32_t on_data(int32_t fd, int32_t revents, void *data)
{
	struct syn_transport *t = data;
	struct syn_net_frame f;

	(void)revents;
	for (int i = 0; i < RECV_BURST; i++) {
		ssize_t n = read(fd, t->buf, sizeof(t->buf));
		if (n < 0)
			break;
		if (syn_net_frame_decode(t->buf, (size_t)n, &f) != 0 || f.src == t->local)
			continue;
		t->recv(t->ctx, f.src, t->buf + SYN_FRAME_LEN, (size_t)n - SYN_FRAME_LEN);
	}
	return 0;
}

static int32_t on_log(int32_t fd, int32_t revents, void *data)
{
	struct knet_log_msg msg;
	static const int levels[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};

	(void)revents, (void)data;
	for (int i = 0; i < 16; i++) {
		if (read(fd, &msg, sizeof(msg)) != (ssize_t)sizeof(msg))
			break;
		msg.msg[sizeof(msg.msg) - 1] = '\0';
		qb_log(msg.msglevel < 4 ? levels[msg.msglevel] : LOG_DEBUG, "knet %s: %s",
		       knet_log_get_subsystem_name(msg.subsystem), msg.msg);
	}
	return 0;
}

/*
 * The stats.knet.* keys: one table per knet struct, so writing a link's
 * keys, and asking whether any of them is watched, walk the same names.
 */
struct stat_field {
	const char *name;
	size_t off;
	size_t size; /* 1, 4 or 8 */
};

#define LINK_FIELD(name, member)                                                                   \
	{                                                                                          \
		name, offsetof(struct knet_link_status, member),                                   \
			sizeof(((struct knet_link_status *)0)->member)                             \
	}
#define LINK_STAT(f) LINK_FIELD(#f, stats.f)

static const struct stat_field link_fields[] = {
	LINK_FIELD("enabled", enabled),
	LINK_FIELD("connected", connected),
	LINK_FIELD("mtu", mtu),
	LINK_STAT(tx_data_packets),
	LINK_STAT(rx_data_packets),
	LINK_STAT(tx_data_bytes),
	LINK_STAT(rx_data_bytes),
	LINK_STAT(tx_ping_packets),
	LINK_STAT(rx_ping_packets),
	LINK_STAT(tx_ping_bytes),
	LINK_STAT(rx_ping_bytes),
	LINK_STAT(tx_pong_packets),
	LINK_STAT(rx_pong_packets),
	LINK_STAT(tx_pong_bytes),
	LINK_STAT(rx_pong_bytes),
	LINK_STAT(tx_pmtu_packets),
	LINK_STAT(rx_pmtu_packets),
	LINK_STAT(tx_pmtu_bytes),
	LINK_STAT(rx_pmtu_bytes),
	LINK_STAT(tx_total_packets),
	LINK_STAT(rx_total_packets),
	LINK_STAT(tx_total_bytes),
	LINK_STAT(rx_total_bytes),
	LINK_STAT(tx_total_errors),
	/* corosync's name for this counter, kept for tools that read it */
	LINK_FIELD("rx_total_retries", stats.tx_total_retries),
	LINK_STAT(tx_pmtu_errors),
	LINK_STAT(tx_pmtu_retries),
	LINK_STAT(tx_ping_errors),
	LINK_STAT(tx_ping_retries),
	LINK_STAT(tx_pong_errors),
	LINK_STAT(tx_pong_retries),
	LINK_STAT(tx_data_errors),
	LINK_STAT(tx_data_retries),
	LINK_STAT(latency_min),
	LINK_STAT(latency_max),
	LINK_STAT(latency_ave),
	LINK_STAT(latency_samples),
	LINK_STAT(down_count),
	LINK_STAT(up_count),
};

#define HANDLE_STAT(f)                                                                             \
	{                                                                                          \
#f, offsetof(struct knet_handle_stats, f), sizeof(uint64_t)                        \
	}

static const struct stat_field handle_fields[] = {
	HANDLE_STAT(tx_uncompressed_packets),
	HANDLE_STAT(tx_compressed_packets),
	HANDLE_STAT(tx_compressed_original_bytes),
	HANDLE_STAT(tx_compressed_size_bytes),
	HANDLE_STAT(tx_compress_time_ave),
	HANDLE_STAT(tx_compress_time_min),
	HANDLE_STAT(tx_compress_time_max),
	HANDLE_STAT(rx_compressed_packets),
	HANDLE_STAT(rx_compressed_original_bytes),
	HANDLE_STAT(rx_compressed_size_bytes),
	HANDLE_STAT(rx_compress_time_ave),
	HANDLE_STAT(rx_compress_time_min),
	HANDLE_STAT(rx_compress_time_max),
	HANDLE_STAT(tx_crypt_packets),
	HANDLE_STAT(tx_crypt_byte_overhead),
	HANDLE_STAT(tx_crypt_time_ave),
	HANDLE_STAT(tx_crypt_time_min),
	HANDLE_STAT(tx_crypt_time_max),
	HANDLE_STAT(rx_crypt_packets),
	HANDLE_STAT(rx_crypt_time_ave),
	HANDLE_STAT(rx_crypt_time_min),
	HANDLE_STAT(rx_crypt_time_max),
};

#define N_FIELDS(a) (sizeof(a) / sizeof(*(a)))
#define HANDLE_PREFIX "stats.knet.handle."

static void fields_write(struct syn_store *s, const char *prefix, const struct stat_field *f,
			 size_t n, const void *base)
{
	char key[SYN_KEY_MAX + 1];

	for (size_t i = 0; i < n; i++) {
		const unsigned char *p = (const unsigned char *)base + f[i].off;
		uint32_t v32;
		uint64_t v64;

		snprintf(key, sizeof(key), "%s%s", prefix, f[i].name);
		if (f[i].size == 1) {
			syn_store_set_u8(s, key, *p);
		} else if (f[i].size == 4) {
			memcpy(&v32, p, 4);
			syn_store_set_u32(s, key, v32);
		} else {
			memcpy(&v64, p, 8);
			syn_store_set_u64(s, key, v64);
		}
	}
}

static bool fields_watched(const struct syn_store *s, const char *prefix,
			   const struct stat_field *f, size_t n)
{
	char key[SYN_KEY_MAX + 1];

	for (size_t i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "%s%s", prefix, f[i].name);
		if (syn_store_watched(s, key))
			return true;
	}
	return false;
}

static void link_prefix(char *buf, size_t len, uint32_t nodeid, unsigned link)
{
	snprintf(buf, len, "stats.knet.node%" PRIu32 ".link%u.", nodeid, link);
}

static bool has_link(const struct syn_transport_node *n, unsigned link)
{
	return link < SYN_TRANSPORT_MAX_LINKS && n->addr[link].ss_family != 0;
}

/* Ask knet for one link (this may wait on knet's locks) and write its keys. */
static int link_stats_read(struct syn_transport *t, uint32_t nodeid, unsigned link)
{
	struct knet_link_status st;
	char prefix[96];

	memset(&st, 0, sizeof(st));
	if (knet_link_get_status(t->knet, (knet_node_id_t)nodeid, (uint8_t)link, &st, sizeof(st)) !=
	    0)
		return -ENOENT;
	link_prefix(prefix, sizeof(prefix), nodeid, link);
	fields_write(t->stats, prefix, link_fields, N_FIELDS(link_fields), &st);
	return 0;
}

static int handle_stats_read(struct syn_transport *t)
{
	struct knet_handle_stats hs;

	memset(&hs, 0, sizeof(hs));
	if (knet_handle_get_stats(t->knet, &hs, sizeof(hs)) != 0)
		return -EIO;
	fields_write(t->stats, HANDLE_PREFIX, handle_fields, N_FIELDS(handle_fields), &hs);
	return 0;
}

/* The keys of a new link, before anybody reads them: values come on read. */
static void link_stats_add(struct syn_transport *t, uint32_t nodeid, unsigned link)
{
	struct knet_link_status zero;
	char prefix[96];

	memset(&zero, 0, sizeof(zero));
	link_prefix(prefix, sizeof(prefix), nodeid, link);
	fields_write(t->stats, prefix, link_fields, N_FIELDS(link_fields), &zero);
}

static void host_stats_delete(struct syn_transport *t, uint32_t nodeid)
{
	char prefix[64];

	snprintf(prefix, sizeof(prefix), "stats.knet.node%" PRIu32 ".", nodeid);
	syn_store_delete_prefix(t->stats, prefix);
}

static void handle_stats_add(struct syn_transport *t)
{
	struct knet_handle_stats zero;

	memset(&zero, 0, sizeof(zero));
	fields_write(t->stats, HANDLE_PREFIX, handle_fields, N_FIELDS(handle_fields), &zero);
}

static int fail(char *err, size_t err_len, const char *what)
{
	int rc = -errno;

	snprintf(err, err_len, "kronosnet: %s failed: %s", what, strerror(errno));
	return rc ? rc : -EIO;
}

static int setup_crypto(struct syn_transport *t, char *err, size_t err_len)
{
	struct knet_handle_crypto_cfg cc;

	if (strcmp(t->cfg.crypto_cipher, "none") == 0 && strcmp(t->cfg.crypto_hash, "none") == 0)
		return 0;
	memset(&cc, 0, sizeof(cc));
	snprintf(cc.crypto_model, sizeof(cc.crypto_model), "%s", t->cfg.crypto_model);
	snprintf(cc.crypto_cipher_type, sizeof(cc.crypto_cipher_type), "%s", t->cfg.crypto_cipher);
	snprintf(cc.crypto_hash_type, sizeof(cc.crypto_hash_type), "%s", t->cfg.crypto_hash);
	memcpy(cc.private_key, t->cfg.key, t->cfg.key_len);
	cc.private_key_len = (unsigned int)t->cfg.key_len;
	if (knet_handle_crypto_set_config(t->knet, &cc, 1) != 0)
		return fail(err, err_len, "crypto configuration");
	if (knet_handle_crypto_use_config(t->knet, 1) != 0)
		return fail(err, err_len, "crypto activation");
	if (knet_handle_crypto_rx_clear_traffic(t->knet, KNET_CRYPTO_RX_DISALLOW_CLEAR_TRAFFIC) !=
	    0)
		return fail(err, err_len, "refusing clear traffic");
	return 0;
}

static const struct sockaddr_storage *local_addr(const struct syn_transport *t, unsigned link)
{
	for (size_t i = 0; i < t->cfg.n_nodes; i++)
		if (t->cfg.nodes[i].nodeid == t->local)
			return &t->cfg.nodes[i].addr[link];
	return NULL;
}

static void set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

static int setup_node(struct syn_transport *t, const struct syn_transport_node *n, char *err,
		      size_t err_len)
{
	const struct syn_transport_config *c = &t->cfg;
	knet_node_id_t id = (knet_node_id_t)n->nodeid;
	char name[32];

	if (knet_host_add(t->knet, id) != 0)
		return fail(err, err_len, "adding a host");
	t->n_hosts_added++;
	snprintf(name, sizeof(name), "node%" PRIu32, n->nodeid);
	knet_host_set_name(t->knet, id, name);
	if (knet_host_set_policy(t->knet, id, c->link_policy) != 0)
		return fail(err, err_len, "setting the link policy");
	for (unsigned l = 0; l < SYN_TRANSPORT_MAX_LINKS; l++) {
		const struct sockaddr_storage *src = local_addr(t, l);
		struct sockaddr_storage s, d;
		uint8_t transport =
			n->nodeid == t->local ? KNET_TRANSPORT_LOOPBACK : KNET_TRANSPORT_UDP;
		if (n->addr[l].ss_family == 0 || !src || src->ss_family == 0)
			continue;
		s = *src;
		d = n->addr[l];
		set_port(&s, c->port[l]);
		set_port(&d, c->port[l]);
		if (knet_link_set_config(t->knet, id, (uint8_t)l, transport, &s, &d, 0) != 0)
			return fail(err, err_len, "configuring a link");
		knet_link_set_ping_timers(t->knet, id, (uint8_t)l, c->ping_interval_ms[l],
					  c->ping_timeout_ms[l], c->ping_precision[l]);
		knet_link_set_pong_count(t->knet, id, (uint8_t)l, c->pong_count[l]);
		knet_link_set_priority(t->knet, id, (uint8_t)l, c->priority[l]);
		if (knet_link_set_enable(t->knet, id, (uint8_t)l, 1) != 0)
			return fail(err, err_len, "enabling a link");
		link_stats_add(t, n->nodeid, l);
	}
	return 0;
}

/*
 * The socket pair to knet holds what knet's threads have not sent yet.
 * Its default size (a few hundred kB) is less than one send window of
 * large messages plus their rebroadcast by the leader; a full socket
 * drops packets, heartbeats among them, and a busy node would look dead.
 * Ask for room for several windows (the FORCE form works as root and
 * ignores the system maximum); without it the protocol still recovers by
 * retransmission.
 */
static void widen_datafd(int fd)
{
	int bytes = SYN_TRANSPORT_SOCKET_BYTES;

	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &bytes, sizeof(bytes)) != 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof(bytes));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) != 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
}

static int setup_handle(struct syn_transport *t, char *err, size_t err_len)
{
	int8_t channel = 0;

	if (pipe2(t->log_pipe, O_NONBLOCK | O_CLOEXEC) != 0)
		return fail(err, err_len, "log pipe");
	t->knet = knet_handle_new((knet_node_id_t)t->local, t->log_pipe[1], KNET_LOG_INFO);
	if (!t->knet)
		return fail(err, err_len, "creating the handle");
	if (knet_handle_enable_sock_notify(t->knet, t, sock_notify) != 0)
		return fail(err, err_len, "socket notification");
	t->datafd = 0;
	if (knet_handle_add_datafd(t->knet, &t->datafd, &channel) != 0)
		return fail(err, err_len, "adding the data socket");
	widen_datafd(t->datafd);
	if (knet_handle_enable_filter(t->knet, t, filter) != 0)
		return fail(err, err_len, "installing the packet filter");
	if (knet_handle_pmtud_setfreq(t->knet,
				      t->cfg.pmtud_interval_s ? t->cfg.pmtud_interval_s : 30) != 0)
		return fail(err, err_len, "PMTU discovery interval");
	if (t->cfg.mtu && knet_handle_pmtud_set(t->knet, t->cfg.mtu) != 0)
		return fail(err, err_len, "fixed MTU");
	return setup_crypto(t, err, err_len);
}

int syn_transport_create(qb_loop_t *loop, const struct syn_transport_config *cfg,
			 struct syn_store *stats, syn_transport_recv_fn recv, void *ctx,
			 struct syn_transport **out, char *err, size_t err_len)
{
	struct syn_transport *t = calloc(1, sizeof(*t));
	int rc;

	if (!t)
		return -ENOMEM;
	t->loop = loop;
	t->stats = stats;
	t->local = cfg->local_nodeid;
	t->recv = recv;
	t->ctx = ctx;
	t->cfg = *cfg;
	t->datafd = -1;
	t->log_pipe[0] = t->log_pipe[1] = -1;
	rc = setup_handle(t, err, err_len);
	if (rc == 0)
		handle_stats_add(t);
	for (size_t i = 0; rc == 0 && i < cfg->n_nodes; i++)
		rc = setup_node(t, &cfg->nodes[i], err, err_len);
	if (rc == 0 && knet_handle_setfwd(t->knet, 1) != 0)
		rc = fail(err, err_len, "starting forwarding");
	if (rc == 0)
		rc = qb_loop_poll_add(loop, QB_LOOP_HIGH, t->datafd, POLLIN, t, on_data);
	if (rc == 0)
		rc = qb_loop_poll_add(loop, QB_LOOP_LOW, t->log_pipe[0], POLLIN, t, on_log);
	if (rc != 0) {
		syn_transport_destroy(t);
		return rc;
	}
	*out = t;
	return 0;
}

/* Take host cfg.nodes[i] (a knet host) out of knet and of the table. */
static void remove_host(struct syn_transport *t, size_t i)
{
	const struct syn_transport_node *n = &t->cfg.nodes[i];
	knet_node_id_t id = (knet_node_id_t)n->nodeid;

	for (uint8_t l = 0; l < SYN_TRANSPORT_MAX_LINKS; l++) {
		if (n->addr[l].ss_family == 0)
			continue;
		knet_link_set_enable(t->knet, id, l, 0);
		knet_link_clear_config(t->knet, id, l);
	}
	knet_host_remove(t->knet, id);
	host_stats_delete(t, n->nodeid);
	t->cfg.nodes[i] = t->cfg.nodes[--t->n_hosts_added];
	t->cfg.n_nodes = t->n_hosts_added;
}

static const struct syn_transport_node *find_node(const struct syn_transport_node *nodes, size_t n,
						  uint32_t nodeid)
{
	for (size_t i = 0; i < n; i++)
		if (nodes[i].nodeid == nodeid)
			return &nodes[i];
	return NULL;
}

int syn_transport_set_nodes(struct syn_transport *t, const struct syn_transport_node *nodes,
			    size_t n, char *err, size_t err_len)
{
	for (size_t i = t->n_hosts_added; i-- > 0;) {
		const struct syn_transport_node *now = &t->cfg.nodes[i];
		const struct syn_transport_node *want = find_node(nodes, n, now->nodeid);

		if (now->nodeid == t->local ||
		    (want && memcmp(want->addr, now->addr, sizeof(want->addr)) == 0))
			continue;
		qb_log(LOG_NOTICE, "removing node %" PRIu32 " from the links", now->nodeid);
		remove_host(t, i);
	}
	for (size_t i = 0; i < n; i++) {
		size_t k = t->n_hosts_added;
		int rc;

		if (find_node(t->cfg.nodes, k, nodes[i].nodeid))
			continue;
		if (k >= SYN_TRANSPORT_MAX_NODES) {
			snprintf(err, err_len, "kronosnet: more than %d nodes",
				 SYN_TRANSPORT_MAX_NODES);
			return -ENOSPC;
		}
		t->cfg.nodes[k] = nodes[i];
		t->cfg.n_nodes = k + 1;
		rc = setup_node(t, &t->cfg.nodes[k], err, err_len);
		if (rc != 0) {
			if (t->n_hosts_added > k)
				remove_host(t, k);
			t->cfg.n_nodes = t->n_hosts_added;
			return rc;
		}
		qb_log(LOG_NOTICE, "adding node %" PRIu32 " to the links", nodes[i].nodeid);
	}
	return 0;
}

void syn_transport_destroy(struct syn_transport *t)
{
	if (!t)
		return;
	if (t->knet) {
		qb_loop_poll_del(t->loop, t->datafd);
		knet_handle_setfwd(t->knet, 0);
		while (t->n_hosts_added > 0)
			remove_host(t, t->n_hosts_added - 1);
		knet_handle_free(t->knet);
	}
	if (t->log_pipe[0] >= 0) {
		qb_loop_poll_del(t->loop, t->log_pipe[0]);
		on_log(t->log_pipe[0], 0, t);
		close(t->log_pipe[0]);
		close(t->log_pipe[1]);
	}
	free(t);
}

int syn_transport_send(struct syn_transport *t, uint32_t dest, const void *pkt, size_t len)
{
	uint8_t hdr[SYN_FRAME_LEN];
	struct syn_net_frame f = {.src = t->local, .dst = dest};
	struct iovec iov[2] = {{hdr, sizeof(hdr)}, {(void *)pkt, len}};

	syn_net_frame_encode(hdr, &f);
	if (writev(t->datafd, iov, 2) < 0) {
		t->send_failures++;
		return -errno;
	}
	return 0;
}

void syn_transport_stats_write(struct syn_transport *t)
{
	/* synod's own: packets the data socket refused (full or failing) */
	syn_store_set_u64(t->stats, "stats.membership.transport_send_failures", t->send_failures);
}

int syn_transport_stats_read(struct syn_transport *t, const char *key)
{
	const struct syn_transport_node *n;
	unsigned int nodeid, link;
	int end = 0;

	if (strncmp(key, HANDLE_PREFIX, strlen(HANDLE_PREFIX)) == 0)
		return handle_stats_read(t);
	if (strncmp(key, "stats.knet.node", 15) != 0 || key[15] < '0' || key[15] > '9' ||
	    sscanf(key + 15, "%u.link%u.%n", &nodeid, &link, &end) != 2 || end == 0)
		return -ENOENT;
	n = find_node(t->cfg.nodes, t->n_hosts_added, nodeid);
	if (!n || !has_link(n, link))
		return -ENOENT;
	return link_stats_read(t, nodeid, link);
}

void syn_transport_stats_poll_watched(struct syn_transport *t)
{
	char prefix[96];

	for (size_t i = 0; i < t->n_hosts_added; i++) {
		const struct syn_transport_node *n = &t->cfg.nodes[i];
		for (unsigned l = 0; l < SYN_TRANSPORT_MAX_LINKS; l++) {
			if (!has_link(n, l))
				continue;
			link_prefix(prefix, sizeof(prefix), n->nodeid, l);
			if (fields_watched(t->stats, prefix, link_fields, N_FIELDS(link_fields)))
				link_stats_read(t, n->nodeid, l);
		}
	}
	if (fields_watched(t->stats, HANDLE_PREFIX, handle_fields, N_FIELDS(handle_fields)))
		handle_stats_read(t);
}

void syn_transport_stats_clear(struct syn_transport *t)
{
	knet_handle_clear_stats(t->knet, KNET_CLEARSTATS_HANDLE_AND_LINK);
}

void syn_transport_member_ip(const struct syn_transport *t, uint32_t nodeid, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < t->cfg.n_nodes; i++) {
		const struct syn_transport_node *n = &t->cfg.nodes[i];
		if (n->nodeid != nodeid)
			continue;
		for (unsigned l = 0; l < SYN_TRANSPORT_MAX_LINKS && off < len; l++) {
			char host[INET6_ADDRSTRLEN] = "";
			const struct sockaddr_storage *a = &n->addr[l];
			if (a->ss_family == AF_INET)
				inet_ntop(AF_INET, &((const struct sockaddr_in *)a)->sin_addr, host,
					  sizeof(host));
			else if (a->ss_family == AF_INET6)
				inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)a)->sin6_addr,
					  host, sizeof(host));
			else
				continue;
			off += (size_t)snprintf(buf + off, len - off, "r(%u) ip(%s) ", l, host);
		}
	}
}

int syn_transport_node_connected(struct syn_transport *t, uint32_t nodeid)
{
	const struct syn_transport_node *n = find_node(t->cfg.nodes, t->n_hosts_added, nodeid);

	for (uint8_t l = 0; n && l < SYN_TRANSPORT_MAX_LINKS; l++) {
		struct knet_link_status st;
		if (!has_link(n, l))
			continue;
		memset(&st, 0, sizeof(st));
		if (knet_link_get_status(t->knet, (knet_node_id_t)nodeid, l, &st, sizeof(st)) ==
			    0 &&
		    st.enabled && st.connected)
			return 1;
	}
	return 0;
}

int syn_transport_link_status(struct syn_transport *t, uint32_t nodeid, unsigned int link,
			      struct syn_link_status *out)
{
	struct knet_link_status st;

	memset(&st, 0, sizeof(st));
	if (link >= SYN_TRANSPORT_MAX_LINKS ||
	    knet_link_get_status(t->knet, (knet_node_id_t)nodeid, (uint8_t)link, &st, sizeof(st)) !=
		    0)
		return -ENOENT;
	out->enabled = st.enabled;
	out->connected = st.connected;
	out->mtu = st.mtu;
	snprintf(out->src_ipaddr, sizeof(out->src_ipaddr), "%s", st.src_ipaddr);
	snprintf(out->dst_ipaddr, sizeof(out->dst_ipaddr), "%s", st.dst_ipaddr);
	return 0;
}
