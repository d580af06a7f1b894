#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""gen_cpg_corpus.py - writes the seed inputs of fuzz_cpg into cpg-corpus/.

Record format (fuzz_cpg.c): ctl byte (bits 0-1 connection, 2-3 ring
placement, 4-6 operation), a little-endian u32 length, the bytes.
The seeds cover every request id, joined and unjoined, the view and
cluster operations, and malformed variants (short, lying sizes and
lengths, names without their length, unknown ids).
usage: gen_cpg_corpus.py [DIR]
"""
import os
import struct
import sys

(JOIN, LEAVE, MCAST, MEMBERSHIP, LOCAL_GET, ITER_INIT, ITER_NEXT, ITER_FINI, FINALIZE,
 ZC_ALLOC, ZC_FREE, ZC_EXECUTE, PARTIAL) = range(13)
OP_REQ, OP_REQ_SIZED, OP_CLOSE, OP_OPEN, OP_CLUSTER, OP_VIEW, OP_PEER, OP_TIMERS = range(8)


def rec(op, conn=0, data=b"", bits=0):
    return bytes([conn | (bits << 2) | (op << 4)]) + struct.pack("<I", len(data)) + data


def header(rid, size):
    return struct.pack("<iiii", rid, 0, size, 0)


def name(s):
    b = s.encode()
    return struct.pack("<II", len(b), 0) + b.ljust(128, b"\0")


def req(rid, body):
    return header(rid, 16 + len(body)) + body


def join(g="g", pid=100, flags=0):
    return req(JOIN, name(g) + struct.pack("<IIII", pid, 0, flags, 0))


def leave(g="g", pid=100):
    return req(LEAVE, name(g) + struct.pack("<II", pid, 0))


def mcast(msg, msglen=None):
    msglen = len(msg) if msglen is None else msglen
    body = struct.pack("<IIII", 0, 0, msglen, 0) + msg
    head = struct.pack("<iiiiii", MCAST, 0, 24 + len(body), 0, 0, 0)
    return head + body


def partial(kind, msglen, frag):
    body = struct.pack("<IIIIIIII", 0, 0, msglen, 0, len(frag), 0, kind, 0) + frag
    return struct.pack("<iiiiii", PARTIAL, 0, 24 + len(body), 0, 0, 0) + body


def membership(g="g"):
    return req(MEMBERSHIP, name(g))


def iter_init(g="g", kind=2):
    return req(ITER_INIT, name(g) + struct.pack("<II", kind, 0))


def iter_handle(rid, n):
    handle = (n << 32) | ((n * 2654435761) & 0xffffffff)
    return req(rid, struct.pack("<Q", handle))


def seeds():
    s = {}
    s["join-send-leave"] = (rec(OP_REQ, 0, join()) + rec(OP_CLUSTER) +
                            rec(OP_REQ, 0, mcast(b"hello")) + rec(OP_CLUSTER) +
                            rec(OP_REQ, 0, membership()) + rec(OP_REQ, 0, leave()) +
                            rec(OP_CLUSTER))
    s["two-members"] = (rec(OP_REQ, 0, join()) + rec(OP_REQ, 1, join(pid=101, flags=1)) +
                        rec(OP_CLUSTER) + rec(OP_REQ, 1, mcast(b"x" * 300)) +
                        rec(OP_CLUSTER) + rec(OP_CLOSE, 0) + rec(OP_CLUSTER) +
                        rec(OP_OPEN, 0))
    s["iterate"] = (rec(OP_REQ, 0, join("a")) + rec(OP_REQ, 1, join("b", 7)) +
                    rec(OP_CLUSTER) + rec(OP_REQ, 2, iter_init("", 0)) +
                    rec(OP_REQ, 2, iter_handle(ITER_NEXT, 1)) +
                    rec(OP_REQ, 2, iter_handle(ITER_NEXT, 1)) +
                    rec(OP_REQ, 2, iter_handle(ITER_NEXT, 1)) +
                    rec(OP_REQ, 3, iter_init("a", 1)) + rec(OP_CLOSE, 3) +
                    rec(OP_REQ, 2, iter_handle(ITER_FINI, 1)) +
                    rec(OP_REQ, 2, iter_handle(ITER_FINI, 9)))
    s["partial"] = (rec(OP_REQ, 0, join()) + rec(OP_CLUSTER) +
                    rec(OP_REQ, 0, partial(1, 10, b"abcd")) +
                    rec(OP_REQ, 0, partial(2, 10, b"efg")) +
                    rec(OP_REQ, 1, join()) + rec(OP_CLUSTER) +
                    rec(OP_REQ, 0, partial(3, 10, b"hij")) + rec(OP_CLUSTER) +
                    rec(OP_REQ, 0, partial(3, 10, b"zzz")))
    s["view-peer"] = (rec(OP_REQ, 0, join()) + rec(OP_VIEW, bits=1) + rec(OP_CLUSTER) +
                      rec(OP_REQ, 0, mcast(b"after")) + rec(OP_CLUSTER) +
                      rec(OP_VIEW, bits=0) + rec(OP_CLUSTER) + rec(OP_REQ, 0, membership()))
    s["view-open-sync"] = (rec(OP_REQ, 0, join()) + rec(OP_CLUSTER) +
                           rec(OP_VIEW, bits=3) + rec(OP_CLUSTER) +
                           rec(OP_REQ, 0, mcast(b"held")) + rec(OP_REQ, 1, join("h")) +
                           rec(OP_TIMERS) + rec(OP_VIEW, bits=0) + rec(OP_CLUSTER))
    s["flow-control"] = (rec(OP_REQ, 0, join()) + rec(OP_CLUSTER) +
                         b"".join(rec(OP_REQ, 0, mcast(bytes([i]) * 40)) for i in range(70)) +
                         rec(OP_TIMERS) + rec(OP_CLUSTER) + rec(OP_TIMERS) + rec(OP_CLUSTER))
    s["peer-garbage"] = (rec(OP_REQ, 0, join()) + rec(OP_VIEW, bits=1) + rec(OP_CLUSTER) +
                         rec(OP_PEER, data=b"\x00" * 8) +
                         rec(OP_PEER, data=b"\x03\x00\x00\x00" + b"\xff" * 60) +
                         rec(OP_PEER, bits=1, data=b"\x06" + b"\x00" * 200))
    s["zc"] = (rec(OP_REQ, 0, join()) + rec(OP_CLUSTER) +
               rec(OP_REQ, 0, req(ZC_ALLOC, struct.pack("<Q", 4096) +
                                  b"/dev/shm/qb-cpg-fuzz-nonexistent".ljust(128, b"\0"))) +
               rec(OP_REQ, 0, req(ZC_ALLOC, struct.pack("<Q", 4096) +
                                  b"/etc/passwd".ljust(128, b"\0"))) +
               rec(OP_REQ, 0, req(ZC_FREE, struct.pack("<QQ", 4096, 1))) +
               rec(OP_REQ, 0, req(ZC_EXECUTE, struct.pack("<Q", 1))))
    s["malformed"] = (rec(OP_REQ, 0, header(JOIN, 16)) + rec(OP_REQ, 0, header(MCAST, 16)) +
                      rec(OP_REQ_SIZED, 0, mcast(b"abc", msglen=1 << 30)) +
                      rec(OP_REQ, 0, join("x" * 128)) +
                      rec(OP_REQ, 0, header(JOIN, 168) + struct.pack("<I", 4000) +
                          b"\0" * 148) +
                      rec(OP_REQ, 0, header(99, 16)) + rec(OP_REQ, 0, header(-1, 16)) +
                      rec(OP_REQ, 0, header(LOCAL_GET, 1 << 20)) +
                      rec(OP_REQ, 0, partial(7, 1, b"ab")) +
                      rec(OP_REQ, 0, leave("nope")) + rec(OP_REQ, 0, req(FINALIZE, b"")) +
                      rec(OP_REQ, 0, join()) + rec(OP_REQ, 0, req(LOCAL_GET, b"")))
    s["finalize-joined"] = (rec(OP_REQ, 0, join()) + rec(OP_CLUSTER) +
                            rec(OP_REQ, 0, req(FINALIZE, b"")) + rec(OP_CLUSTER) +
                            rec(OP_REQ, 0, mcast(b"late")) + rec(OP_CLOSE, 0) + rec(OP_CLUSTER))
    for rid in range(13):
        s["short-%02d" % rid] = rec(OP_REQ, 1, join()) + rec(OP_REQ_SIZED, 1,
                                                           header(rid, 16)[:12])
    return s


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__),
                                                               "cpg-corpus")
    os.makedirs(out, exist_ok=True)
    for k, v in seeds().items():
        with open(os.path.join(out, k), "wb") as f:
            f.write(v)


if __name__ == "__main__":
    main()
