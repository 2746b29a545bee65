#!/usr/bin/env python3
"""1000 (or N) DHCP clients at once, as a relay agent: every client sends DISCOVER at t=0, answers
its OFFER with a REQUEST, and retransmits after RETRY seconds without an answer (like iPXE's
first 1 s retry). Prints the seconds until every client has its ACK (or how many did by the
deadline). Python stdlib only.

  burst.py SERVER_IP RELAY_IP [N] [RETRY] [DEADLINE]
"""
import random
import select
import socket
import struct
import sys
import time

server, relay = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
retry = float(sys.argv[4]) if len(sys.argv) > 4 else 1.0
deadline = float(sys.argv[5]) if len(sys.argv) > 5 else 10.0
COOKIE = b"\x63\x82\x53\x63"


def packet(xid, mac, msg_type, requested=None, server_id=None):
    hdr = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 1, xid, 0, 0, b"\0" * 4, b"\0" * 4,
                      b"\0" * 4, socket.inet_aton(relay), mac + b"\0" * 10, b"", b"")
    opts = bytes([53, 1, msg_type])
    if requested:
        opts += bytes([50, 4]) + requested
    if server_id:
        opts += bytes([54, 4]) + server_id
    return hdr + COOKIE + opts + b"\xff"


def options(data):
    out, i = {}, 240
    while i < len(data) and data[i] != 255:
        if data[i] == 0:
            i += 1
            continue
        out[data[i]] = data[i + 2:i + 2 + data[i + 1]]
        i += 2 + data[i + 1]
    return out


sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
sock.bind((relay, 67))
base = random.randrange(1 << 24) << 8
clients = {}  # xid -> [mac, state, last_sent, request]
for i in range(n):
    xid = (base + i) & 0xffffffff
    clients[xid] = [b"\x02\x77" + struct.pack("!I", i), "discover", 0.0, None]
done = 0
start = time.monotonic()
while done < n and time.monotonic() - start < deadline:
    now = time.monotonic()
    for xid, c in clients.items():
        if c[1] != "bound" and now - c[2] >= retry:
            pkt = packet(xid, c[0], 1) if c[1] == "discover" else c[3]
            sock.sendto(pkt, (server, 67))
            c[2] = now
    while select.select([sock], [], [], 0.01)[0]:
        data = sock.recv(2048)
        if len(data) < 244:
            continue
        xid = struct.unpack("!I", data[4:8])[0]
        c = clients.get(xid)
        o = options(data)
        t = o.get(53, b"\0")[0]
        if not c:
            continue
        if t == 2 and c[1] == "discover":
            c[1], c[3] = "request", packet(xid, c[0], 3, data[16:20], o.get(54))
            sock.sendto(c[3], (server, 67))
            c[2] = time.monotonic()
        elif t == 5 and c[1] == "request":
            c[1] = "bound"
            done += 1
        elif t == 6:
            c[1], c[2] = "discover", 0.0
elapsed = time.monotonic() - start
print(f"{done}/{n} leased in {elapsed:.2f}s")
