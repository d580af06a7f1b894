#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed inputs of fuzz_cmap into cmap-corpus/ (see fuzz_cmap.c
for the record format).  Rerun after changing the format; the output is
deterministic."""
import os
import struct
import sys

OP_RAW, OP_FIXSIZE, OP_CLOSE, OP_OPEN, OP_TICK = 0, 1, 2, 3, 4


def rec(conn, op, body=b""):
    return bytes([(op << 4) | conn]) + struct.pack("<I", len(body)) + body


def hdr(req_id, size):
    return struct.pack("<iIiI", req_id, 0, size, 0)


def name(s):
    b = s.encode() if isinstance(s, str) else s
    return struct.pack("<H6x", len(b) & 0xFFFF) + b.ljust(256, b"\0")[:256]


def msg(req_id, body):
    return hdr(req_id, 16 + len(body)) + body


def set_(key, value, vtype, value_len=None):
    vl = len(value) if value_len is None else value_len
    return msg(0, name(key) + struct.pack("<QB7x", vl, vtype) + value)


def delete(key):
    return msg(1, name(key))


def get(key, cap):
    return msg(2, name(key) + struct.pack("<Q", cap))


def adjust(key, step):
    return msg(3, name(key) + struct.pack("<i4x", step))


def iter_init(prefix):
    return msg(4, name(prefix))


def iter_next(h):
    return msg(5, struct.pack("<Q", h))


def iter_fin(h):
    return msg(6, struct.pack("<Q", h))


def track_add(key, ttype, inst):
    return msg(7, name(key) + struct.pack("<i4xQ", ttype, inst))


def track_del(h):
    return msg(8, struct.pack("<Q", h))


def set_map(m):
    return msg(9, struct.pack("<i4x", m))


# Handles are per connection and start after the trackers fuzz_cmap.c
# adds itself: connections 0-3 have used 2, 2, 1, 1 handles.
SEEDS = {
    "set-get-types": [
        rec(1, OP_RAW, set_("test.new.u32", struct.pack("<I", 9), 6)),
        rec(1, OP_RAW, set_("test.new.str", b"abc", 11)),
        rec(1, OP_RAW, set_("test.new.bin", bytes(range(40)), 12)),
        rec(1, OP_RAW, get("test.new.str", 0)),
        rec(1, OP_RAW, get("test.new.str", 4)),
        rec(1, OP_RAW, get("test.new.bin", 2)),
        rec(1, OP_RAW, get("test.u64", 16)),
        rec(1, OP_RAW, adjust("test.u8", 300)),
        rec(1, OP_RAW, adjust("test.str", 1)),
        rec(1, OP_RAW, delete("test.new.u32")),
        rec(1, OP_RAW, delete("test.absent")),
        rec(1, OP_RAW, set_("totem.cluster_name", b"x", 11)),
        rec(1, OP_RAW, set_("bad key", b"\1", 2)),
    ],
    "iterate": [
        rec(0, OP_RAW, iter_init("test.")),
        rec(0, OP_RAW, iter_next(3)),
        rec(0, OP_RAW, delete("test.i8")),
        rec(0, OP_RAW, iter_next(3)),
        rec(0, OP_RAW, iter_init("")),
        rec(0, OP_RAW, iter_next(4)),
        rec(0, OP_RAW, iter_fin(3)),
        rec(0, OP_RAW, iter_fin(3)),
        rec(0, OP_RAW, iter_next(3)),
        rec(0, OP_RAW, iter_next(4)),
        rec(0, OP_CLOSE),
        rec(0, OP_OPEN),
        rec(0, OP_RAW, iter_next(4)),
    ],
    "track": [
        rec(1, OP_RAW, track_add("test.t", 7, 0x1234)),
        rec(1, OP_RAW, track_add("test.", 15, 0x1235)),
        rec(1, OP_RAW, track_add("", 0x10, 1)),
        rec(1, OP_RAW, set_("test.t", b"\1", 2)),
        rec(1, OP_RAW, set_("test.t", b"\2", 2)),
        rec(1, OP_RAW, set_("test.t", b"\2", 2)),
        rec(1, OP_RAW, delete("test.t")),
        rec(1, OP_TICK),
        rec(1, OP_RAW, track_del(3)),
        rec(1, OP_RAW, track_del(3)),
        rec(1, OP_RAW, set_map(1)),
        rec(0, OP_CLOSE),
        rec(1, OP_RAW, set_("test.t", b"\3", 2)),
        rec(1, OP_CLOSE),
        rec(2, OP_TICK),
    ],
    "stats-map": [
        rec(2, OP_RAW, get("stats.ipcs.global.active", 8)),
        rec(2, OP_RAW, iter_init("stats.")),
        rec(2, OP_RAW, iter_next(2)),
        rec(2, OP_RAW, set_("stats.clear.ipc", b"\1", 2)),
        rec(2, OP_RAW, set_("stats.clear.bogus", b"\1", 2)),
        rec(2, OP_RAW, set_("stats.ipcs.global.active", b"\1", 2)),
        rec(2, OP_RAW, delete("stats.clear.all")),
        rec(2, OP_RAW, adjust("stats.ipcs.global.active", 1)),
        rec(3, OP_RAW, track_add("stats.", 4 | 8, 9)),
        rec(3, OP_RAW, track_add("stats.ipcs.", 1 | 4 | 8, 9)),
        rec(2, OP_RAW, set_map(0)),
        rec(3, OP_CLOSE),
        rec(3, OP_OPEN),
        rec(3, OP_RAW, set_map(1)),
        rec(3, OP_RAW, set_map(7)),
        rec(2, OP_TICK),
    ],
    "truncated": [rec(1, OP_FIXSIZE, set_("test.x", b"\1", 2)[:n]) for n in
                  (0, 8, 15, 16, 100, 279, 287, 295)]
    + [rec(1, OP_FIXSIZE, m[:len(m) - 1]) for m in
       (delete("test.x"), get("test.x", 0), adjust("test.x", 1), iter_init("t"),
        iter_next(1), iter_fin(1), track_add("t", 1, 1), track_del(1), set_map(0))],
    "size-mismatch": [
        rec(1, OP_RAW, hdr(2, 999) + get("test.u8", 0)[16:]),
        rec(1, OP_RAW, set_("test.v", b"abcd", 12, value_len=100)),
        rec(1, OP_RAW, set_("test.v", b"abcd", 12, value_len=2)),
        rec(1, OP_RAW, set_("test.v", b"", 12, value_len=1 << 63)),
        rec(1, OP_RAW, set_("test.v", b"a" * 16385, 12)),
        rec(1, OP_RAW, set_("test.v", b"a" * 16384, 12)),
        rec(1, OP_RAW, get("test.v", 1 << 62)),
        rec(1, OP_RAW, get("test.v", 100000)),
        rec(1, OP_RAW, get("test.v", 16383)),
    ],
    "unknown-ids": [rec(0, OP_FIXSIZE, hdr(i, 24) + bytes(8)) for i in
                    (10, 11, 1000, -1, -5, 0x7FFFFFFF)],
    "no-nul-names": [rec(0, OP_RAW, m) for m in
                     (set_(b"k" * 256, b"\1", 2), delete(b"k" * 256), get(b"k" * 256, 0),
                      adjust(b"k" * 256, 1), iter_init(b"k" * 256),
                      track_add(b"k" * 256, 15, 1))],
}


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cmap-corpus")
    if len(sys.argv) > 1:
        out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for seed, records in SEEDS.items():
        with open(os.path.join(out, seed), "wb") as f:
            f.write(b"".join(records))


if __name__ == "__main__":
    main()
