#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""syslog_sink.py - a syslog socket for a daemon that logs only to syslog
(sbd once detached): binds a datagram socket at PATH (a private /dev/log in
the daemon's mount namespace) and appends every message to LOG, one line
each, until killed.

usage: syslog_sink.py PATH LOG
"""
import socket
import sys


def main():
    path, log = sys.argv[1], sys.argv[2]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    with open(log, "a", buffering=1) as out:
        while True:
            msg = sock.recv(65536)
            out.write(msg.decode(errors="replace").rstrip("\n\0") + "\n")


if __name__ == "__main__":
    main()
