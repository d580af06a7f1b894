/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_cmap.c - fuzz target for the cmap request handler
 * (syn_svc_cmap_request) behind a test double of the IPC glue
 * (fake_conn.c), on a default map and a stats map pre-filled with keys,
 * with SYN_FAKE_CONN_MAX connections that already hold trackers.
 *
 * Input: a sequence of records, each
 *   off size field
 *     0    1 ctl     bits 0-1 connection, bits 2-3 placement in the
 *                    request ring (fake_conn.c), bits 4-6 operation
 *     1    4 len     little endian, clipped to the bytes left
 *     5  len bytes   the request (ignored by operations 2-4)
 * Operations: 0 and 5-7 deliver the bytes as they are; 1 delivers them
 * with header.size set to len (so the fuzzer need not guess it); 2 closes
 * the connection (running the close hook); 3 reopens it; 4 is a daemon
 * tick: stats are flushed and the daemon changes keys of its own, which
 * fires every matching tracker.
 *
 * Requests reach the handler through the daemon's own intake
 * (ipc_intake.c) from a model of libqb's request ring, with the size
 * their header claims, as libqb hands them over.
 *
 * The oracle is in fake_conn.c (framing and result checks, events to
 * closed connections) and in the sanitizers (overreads of the exactly
 * sized request buffer, use after free of trackers and iterators, leaks
 * after every connection closed).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fake_conn.h"
#include "proto/ipc_cmap.h"
#include "store.h"
#include "svc_cmap.h"

#define MAX_RECORDS 512

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void prefill(struct syn_store *icmap, struct syn_store *stats)
{
	static const uint8_t bin[] = {0, 1, 2, 3, 0xff};
	int8_t i8 = -3;
	int16_t i16 = -300;
	uint16_t u16 = 65000;
	int64_t i64 = -1;
	float f = 1.5f;
	double d = 2.25;

	syn_store_set_str(icmap, "quorum.provider", "corosync_votequorum");
	syn_store_set_u8(icmap, "quorum.wait_for_all", 1);
	syn_store_set_str(icmap, "totem.cluster_name", "fuzz");
	syn_store_set_u32(icmap, "totem.version", 2);
	syn_store_set_u16(icmap, "runtime.services.cmap.service_id", 0);
	syn_store_set_u32(icmap, "nodelist.local_node_pos", 0);
	syn_store_set_str(icmap, "nodelist.node.0.ring0_addr", "127.0.0.1");
	syn_store_set_u8(icmap, "uidgid.uid.65534", 1);
	syn_store_set(icmap, "test.i8", &i8, 1, SYN_TYPE_INT8);
	syn_store_set_u8(icmap, "test.u8", 250);
	syn_store_set(icmap, "test.i16", &i16, 2, SYN_TYPE_INT16);
	syn_store_set(icmap, "test.u16", &u16, 2, SYN_TYPE_UINT16);
	syn_store_set_i32(icmap, "test.i32", -70000);
	syn_store_set_u32(icmap, "test.u32", 7);
	syn_store_set(icmap, "test.i64", &i64, 8, SYN_TYPE_INT64);
	syn_store_set_u64(icmap, "test.u64", UINT64_MAX);
	syn_store_set(icmap, "test.flt", &f, 4, SYN_TYPE_FLOAT);
	syn_store_set(icmap, "test.dbl", &d, 8, SYN_TYPE_DOUBLE);
	syn_store_set_str(icmap, "test.str", "hello");
	syn_store_set(icmap, "test.bin", bin, sizeof(bin), SYN_TYPE_BINARY);
	syn_store_set_u64(stats, "stats.ipcs.global.active", 4);
	syn_store_set_u64(stats, "stats.ipcs.global.closed", 0);
	syn_store_set_u64(stats, "stats.srp.orf_token_rx", 1);
	syn_store_set_u32(stats, "stats.pg.msg_queue_avail", 100);
}

static void request(struct syn_conn *c, void *msg, size_t len)
{
	struct qb_ipc_request_header *h = msg;

	h->size = (int32_t)len;
	syn_fake_conn_deliver(c, msg, len, 0);
}

static void set_map(struct syn_conn *c, int32_t map)
{
	struct syn_cmap_req_set_current_map req;

	memset(&req, 0, sizeof(req));
	req.header.id = SYN_CMAP_REQ_SET_CURRENT_MAP;
	req.map = map;
	request(c, &req, sizeof(req));
}

static void track(struct syn_conn *c, const char *key, int32_t type, uint64_t inst)
{
	struct syn_cmap_req_track_add req;

	memset(&req, 0, sizeof(req));
	req.header.id = SYN_CMAP_REQ_TRACK_ADD;
	if (key)
		syn_mar_name_set(&req.key_name, key);
	req.track_type = type;
	req.track_inst_handle = inst;
	request(c, &req, sizeof(req));
}

/* Connections 0-1 on the default map, 2-3 on the stats map, with trackers. */
static void open_all(void)
{
	const int32_t all = SYN_TRACK_ADD | SYN_TRACK_DELETE | SYN_TRACK_MODIFY;

	for (unsigned int i = 0; i < SYN_FAKE_CONN_MAX; i++)
		syn_fake_conn_open(i);
	track(syn_fake_conn_get(0), NULL, all | SYN_TRACK_PREFIX, 0xa0);
	track(syn_fake_conn_get(0), "test.u8", all, 0xa1);
	track(syn_fake_conn_get(1), "test.", all | SYN_TRACK_PREFIX, 0xb0);
	track(syn_fake_conn_get(1), "test.str", SYN_TRACK_MODIFY, 0xb1);
	set_map(syn_fake_conn_get(2), 1);
	set_map(syn_fake_conn_get(3), 1);
	track(syn_fake_conn_get(2), "stats.ipcs.", all | SYN_TRACK_PREFIX, 0xc0);
	track(syn_fake_conn_get(3), "stats.ipcs.global.active", all, 0xd0);
}

static void daemon_tick(struct syn_store *icmap, struct syn_store *stats, unsigned int n)
{
	syn_fake_env_flush();
	syn_store_set_u64(stats, "stats.ipcs.global.active", n);
	syn_store_set_u32(icmap, "runtime.totem.pg.mrp.srp.members", n);
	if (n % 2)
		syn_store_set_str(icmap, "test.daemon", "tick");
	else
		syn_store_delete(icmap, "test.daemon");
	syn_store_adjust(icmap, "test.u8", 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct syn_store *icmap = syn_store_create();
	struct syn_store *stats = syn_store_create();
	struct syn_svc_cmap *svc = NULL;
	size_t off = 0;
	unsigned int n = 0;

	if (!icmap || !stats)
		goto out;
	svc = syn_svc_cmap_create(icmap, stats, syn_fake_ipc());
	if (!svc)
		goto out;
	prefill(icmap, stats);
	syn_fake_env_init(icmap, stats, syn_svc_cmap_def(), svc);
	open_all();
	while (off < size && n++ < MAX_RECORDS) {
		uint8_t ctl = data[off++];
		uint32_t len = 0;
		struct syn_conn *c = syn_fake_conn_get(ctl & 3u);
		unsigned int op = (ctl >> 4) & 7u;
		uint8_t *msg;

		for (unsigned int i = 0; i < 4 && off < size; i++)
			len |= (uint32_t)data[off++] << (8 * i);
		if (len > size - off)
			len = (uint32_t)(size - off);
		if (op == 2) {
			syn_fake_conn_close(c);
		} else if (op == 3) {
			syn_fake_conn_open(ctl & 3u);
		} else if (op == 4) {
			daemon_tick(icmap, stats, n);
		} else if (syn_fake_conn_is_open(c)) {
			msg = malloc(len ? len : 1);
			if (!msg)
				break;
			memcpy(msg, data + off, len);
			if (op == 1 && len >= sizeof(struct qb_ipc_request_header))
				((struct qb_ipc_request_header *)msg)->size = (int32_t)len;
			syn_fake_conn_deliver(c, msg, len, (ctl >> 2) & 3u);
			free(msg);
		}
		off += len;
	}
	syn_fake_env_fini();
out:
	syn_svc_cmap_destroy(svc);
	syn_store_destroy(stats);
	syn_store_destroy(icmap);
	return 0;
}
