#!/usr/bin/env python3
"""Write a synthetic pcap of a lab of BIOS PXE clients booting pxelinux at once.

Python 3 stdlib only.  Ethernet link type, microsecond timestamps, deterministic for a seed.

Per client (Intel-style PXE ROM, then pxelinux 6 on the ROM's UDP stack):
  DHCPDISCOVER (548-byte BOOTP payload, broadcast flag, options 53 57 93 94 97 55(36 codes) 60)
  DHCPOFFER    from the server (53 54 51 58 59 1 28 3 6 15 66 67 60 43, file "pxelinux.0")
  DHCPREQUEST  (548 bytes, 53 50 54 57 93 94 97 55 60)
  DHCPACK
  ARP request for the server / ARP reply
  TFTP tsize probe:   RRQ pxelinux.0 octet tsize 0 -> OACK tsize -> ERROR 0 "TFTP Aborted"
  TFTP pxelinux.0:    RRQ octet tsize 0 blksize 1456 -> OACK -> ACK 0 -> DATA n / ACK n ...
  TFTP ldlinux.c32:   the same exchange
  config probes:      RRQ pxelinux.cfg/<uuid>, 01-<mac>, C0A82A0A .. C -> ERROR 1 "file not found"
  pxelinux.cfg/default, menu.c32, libutil.c32, vmlinuz, initrd.img (the capture usually ends
  in the middle of the kernel/initrd transfers).

Every TFTP transfer runs between a fresh client ephemeral port and a fresh server ephemeral port
(the RRQ goes to port 69; the OACK / ERROR comes back from the server's transfer port).

Clients start within --spread seconds of each other and share one 1 Gbit/s server link: frames
are serialised on that link and each client sends its next frame as soon as it is ready, so the
clients' transfers interleave like a lab powered on at the same time.  The capture is cut after
N frames.  Up to 253 clients live in 192.168.42.0/24 (server 192.168.42.1); more clients use
10.42.0.0/16 (server 10.42.0.1).  IP and UDP checksums are correct except for a small
deterministic fraction (--bad-csum-rate) of UDP checksums, so the "bad udp cksum" paths run too.
"""

import argparse
import heapq
import random
import struct
import sys
import uuid

LINK_BPS = 1_000_000_000

# ---------------------------------------------------------------------------------------------
# checksums: the ones' complement sum of 16-bit words == the big-endian integer mod 0xffff
# (65536 == 1 mod 65535), which int.from_bytes computes in C.


def csum_fold(total):
    """Internet checksum (not yet complemented) for a partial sum value."""
    s = total % 0xFFFF
    return 0xFFFF - s if s else 0xFFFF


def word_sum(b):
    if len(b) & 1:
        b = b + b"\0"
    return int.from_bytes(b, "big")


# ---------------------------------------------------------------------------------------------
# frame builders

ETH_IP = b"\x08\x00"
ETH_ARP = b"\x08\x06"
BCAST_MAC = b"\xff" * 6


class Builder:
    def __init__(self, bad_rate, rng):
        self.bad_rate = bad_rate
        self.rng = rng

    def udp(self, smac, dmac, sip, dip, sport, dport, payload, ttl, ip_id, df, tos=0):
        ulen = 8 + len(payload)
        tlen = 20 + ulen
        iph = struct.pack("!BBHHHBBH4s4s", 0x45, tos, tlen, ip_id & 0xFFFF,
                          0x4000 if df else 0, ttl, 17, 0, sip, dip)
        ipsum = 0xFFFF - (int.from_bytes(iph, "big") % 0xFFFF)
        if ipsum == 0xFFFF:
            ipsum = 0
        iph = iph[:10] + struct.pack("!H", ipsum) + iph[12:]
        # pseudo header + UDP header (checksum 0) + payload
        total = (int.from_bytes(sip, "big") + int.from_bytes(dip, "big") + 17 + ulen
                 + sport + dport + ulen + word_sum(payload))
        us = csum_fold(total)
        if self.bad_rate and self.rng.random() < self.bad_rate:
            us ^= 0x0101  # wrong, but non-zero
            if us == 0:
                us = 0x1234
        udph = struct.pack("!HHHH", sport, dport, ulen, us)
        return dmac + smac + ETH_IP + iph + udph + payload

    @staticmethod
    def arp(smac, dmac, op, sha, spa, tha, tpa):
        body = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, op, sha, spa, tha, tpa)
        return dmac + smac + ETH_ARP + body + b"\0" * 18  # pad to 60 bytes


# ---------------------------------------------------------------------------------------------
# DHCP

MAGIC = b"\x63\x82\x53\x63"
# 36 codes, as an Intel PXE ROM asks
PRL = bytes([1, 2, 3, 4, 5, 6, 11, 12, 13, 15, 16, 17, 18, 22, 23, 28, 40, 41, 42, 43, 50, 51,
             54, 58, 59, 60, 66, 67, 128, 129, 130, 131, 132, 133, 134, 135])
assert len(PRL) == 36
VENDOR_CLASS = b"PXEClient:Arch:00000:UNDI:002001"


def opt(code, data):
    return bytes([code, len(data)]) + data


def bootp(op, xid, secs, flags, ciaddr, yiaddr, siaddr, chaddr, sname, file, options, pad_to):
    hdr = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", op, 1, 6, 0, xid, secs, flags, ciaddr,
                      yiaddr, siaddr, b"\0\0\0\0", chaddr, sname, file)
    body = hdr + MAGIC + options + b"\xff"
    if len(body) < pad_to:
        body += b"\0" * (pad_to - len(body))
    return body


# ---------------------------------------------------------------------------------------------
# TFTP

def rrq(name, opts):
    b = b"\0\x01" + name.encode() + b"\0octet\0"
    for k, v in opts:
        b += k.encode() + b"\0" + str(v).encode() + b"\0"
    return b


def oack(opts):
    b = b"\0\x06"
    for k, v in opts:
        b += k.encode() + b"\0" + str(v).encode() + b"\0"
    return b


def ack(block):
    return struct.pack("!HH", 4, block & 0xFFFF)


def err(code, msg):
    return struct.pack("!HH", 5, code) + msg.encode() + b"\0"


BLKSIZE = 1456
TFTP_OPS = {1: "TFTP-RRQ", 3: "TFTP-DATA", 4: "TFTP-ACK", 5: "TFTP-ERROR", 6: "TFTP-OACK"}
FILES = {  # name -> size in bytes (syslinux 6.03 / a Debian kernel and initrd)
    "pxelinux.0": 46_368,
    "ldlinux.c32": 116_240,
    "pxelinux.cfg/default": 412,
    "menu.c32": 26_140,
    "libutil.c32": 23_720,
    "vmlinuz": 7_391_424,
    "initrd.img": 31_205_128,
}


class Content:
    """Deterministic file contents; DATA payloads cached per (file, block)."""

    def __init__(self, seed):
        self.seed = seed
        self.data = {}
        self.blocks = {}

    def block(self, name, n):
        key = (name, n)
        b = self.blocks.get(key)
        if b is None:
            d = self.data.get(name)
            if d is None:
                r = random.Random(f"{self.seed}:{name}")
                if name.endswith("default"):
                    d = (b"DEFAULT menu.c32\nPROMPT 0\nTIMEOUT 50\nMENU TITLE PXE lab\n"
                         b"LABEL linux\n  KERNEL vmlinuz\n  APPEND initrd=initrd.img quiet\n")
                    d = (d * 10)[:FILES[name]]
                else:
                    d = r.randbytes(FILES[name])
                self.data[name] = d
            off = (n - 1) * BLKSIZE
            b = struct.pack("!HH", 3, n & 0xFFFF) + d[off:off + BLKSIZE]
            self.blocks[key] = b
        return b


# ---------------------------------------------------------------------------------------------
# one client's boot, as a generator of (delay_before_send_seconds, frame_bytes)


class Net:
    def __init__(self, clients):
        if clients <= 253:
            self.prefix = 24
            self.server_ip = bytes([192, 168, 42, 1])
            self.mask = bytes([255, 255, 255, 0])
            self.bcast = bytes([192, 168, 42, 255])
        else:
            if clients > 65000:
                sys.exit("at most 65000 clients")
            self.prefix = 16
            self.server_ip = bytes([10, 42, 0, 1])
            self.mask = bytes([255, 255, 0, 0])
            self.bcast = bytes([10, 42, 255, 255])
        self.server_mac = bytes([0x52, 0x54, 0x00, 0x42, 0x00, 0x01])

    def client_ip(self, i):
        n = i + 2  # .2 upwards (.1 is the server)
        if self.prefix == 24:
            return bytes([192, 168, 42, n])
        return bytes([10, 42, n >> 8, n & 0xFF])


class Client:
    def __init__(self, idx, net, rng, builder, content):
        self.idx = idx
        self.net = net
        self.rng = rng
        self.b = builder
        self.content = content
        self.mac = bytes([0x00, 0x1B, 0x21, (idx >> 16) & 0xFF, (idx >> 8) & 0xFF, idx & 0xFF])
        self.ip = net.client_ip(idx)
        self.guid = uuid.UUID(int=rng.getrandbits(128))
        self.xid = rng.getrandbits(32)
        self.ip_id = rng.getrandbits(16)
        self.cport = 2070 + rng.randrange(0, 1000)  # ROM's first ephemeral port

    # -- helpers -------------------------------------------------------------------------------
    def _cid(self):
        self.ip_id += 1
        return self.ip_id

    def c2s(self, sport, dport, payload):
        n = self.net
        return self.b.udp(self.mac, n.server_mac, self.ip, n.server_ip, sport, dport, payload,
                          64, self._cid(), False)

    def s2c(self, sport, dport, payload):
        n = self.net
        return self.b.udp(n.server_mac, self.mac, n.server_ip, self.ip, sport, dport, payload,
                          64, self.rng.getrandbits(16), True)

    def next_cport(self):
        self.cport += 1
        if self.cport > 65535:
            self.cport = 2070
        return self.cport

    def sport(self):
        return self.rng.randrange(32768, 61000)

    # -- DHCP ----------------------------------------------------------------------------------
    def dhcp_client(self, mtype, secs):
        o = opt(53, bytes([mtype]))
        if mtype == 3:
            o += opt(50, self.ip) + opt(54, self.net.server_ip)
        o += opt(57, struct.pack("!H", 1260)) + opt(93, b"\0\0") + opt(94, b"\x01\x02\x01")
        o += opt(97, b"\0" + self.guid.bytes_le) + opt(55, PRL) + opt(60, VENDOR_CLASS)
        p = bootp(1, self.xid, secs, 0x8000, b"\0" * 4, b"\0" * 4, b"\0" * 4,
                  self.mac + b"\0" * 10, b"", b"", o, 548)
        return self.b.udp(self.mac, BCAST_MAC, b"\0" * 4, b"\xff" * 4, 68, 67, p, 20,
                          self._cid(), False)

    def dhcp_server(self, mtype, secs):
        n = self.net
        o = opt(53, bytes([mtype])) + opt(54, n.server_ip) + opt(51, struct.pack("!I", 43200))
        o += opt(58, struct.pack("!I", 21600)) + opt(59, struct.pack("!I", 37800))
        o += opt(1, n.mask) + opt(28, n.bcast) + opt(3, n.server_ip) + opt(6, n.server_ip)
        o += opt(15, b"pxe.lab") + opt(66, b"%d.%d.%d.%d" % tuple(n.server_ip))
        o += opt(67, b"pxelinux.0") + opt(60, b"PXEClient")
        o += opt(43, b"\x06\x01\x08\xff")  # PXE_DISCOVERY_CONTROL = 8, end
        p = bootp(2, self.xid, secs, 0x8000, b"\0" * 4, self.ip, n.server_ip,
                  self.mac + b"\0" * 10, b"", b"pxelinux.0", o, 300)
        return self.b.udp(n.server_mac, BCAST_MAC, n.server_ip, b"\xff" * 4, 67, 68, p, 64,
                          self.rng.getrandbits(16), False, tos=0xC0)

    # -- TFTP ----------------------------------------------------------------------------------
    def transfer(self, name):
        """RRQ tsize 0 blksize 1456 -> OACK -> ACK 0 -> DATA/ACK ... (or ERROR 1)."""
        r = self.rng
        cp = self.next_cport()
        sp = self.sport()
        yield 0.0005 + r.random() * 0.001, self.c2s(cp, 69, rrq(name, [("tsize", 0),
                                                                     ("blksize", BLKSIZE)]))
        size = FILES.get(name)
        if size is None:
            yield 0.0002, self.s2c(sp, cp, err(1, "file not found"))
            return
        yield 0.0002, self.s2c(sp, cp, oack([("tsize", size), ("blksize", BLKSIZE)]))
        yield 0.0001, self.c2s(cp, sp, ack(0))
        nblocks = size // BLKSIZE + 1
        for blk in range(1, nblocks + 1):
            yield 0.00005, self.s2c(sp, cp, self.content.block(name, blk))
            yield 0.00008 + r.random() * 0.00005, self.c2s(cp, sp, ack(blk))

    def boot(self):
        r = self.rng
        n = self.net
        yield 0.0, self.dhcp_client(1, 0)                          # DISCOVER
        yield 0.001 + r.random() * 0.002, self.dhcp_server(2, 0)   # OFFER
        yield 0.002 + r.random() * 0.01, self.dhcp_client(3, 0)    # REQUEST
        yield 0.0005 + r.random() * 0.001, self.dhcp_server(5, 0)  # ACK
        # ARP for the TFTP server
        yield 0.001, Builder.arp(self.mac, BCAST_MAC, 1, self.mac, self.ip, b"\0" * 6,
                                 n.server_ip)
        yield 0.0001, Builder.arp(n.server_mac, self.mac, 2, n.server_mac, n.server_ip,
                                  self.mac, self.ip)
        # tsize probe: RRQ tsize 0 -> OACK tsize -> ERROR 0 "TFTP Aborted"
        cp = self.next_cport()
        sp = self.sport()
        yield 0.002, self.c2s(cp, 69, rrq("pxelinux.0", [("tsize", 0)]))
        yield 0.0002, self.s2c(sp, cp, oack([("tsize", FILES["pxelinux.0"])]))
        yield 0.0001, self.c2s(cp, sp, err(0, "TFTP Aborted"))
        yield from self.transfer("pxelinux.0")
        yield from self.transfer("ldlinux.c32")
        # pxelinux config search
        mac = "01-" + "-".join("%02x" % x for x in self.mac)
        hexip = "%02X%02X%02X%02X" % tuple(self.ip)
        probes = [str(self.guid), mac] + [hexip[:k] for k in range(8, 0, -1)]
        for p in probes:
            yield from self.transfer("pxelinux.cfg/" + p)
        yield from self.transfer("pxelinux.cfg/default")
        yield from self.transfer("menu.c32")
        yield from self.transfer("libutil.c32")
        yield from self.transfer("vmlinuz")
        yield from self.transfer("initrd.img")


# ---------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("-n", "--frames", type=int, default=1_000_000)
    ap.add_argument("-c", "--clients", type=int, default=250)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--spread", type=float, default=None,
                    help="clients power on within this many seconds (default: 2 ms per client, "
                         "at most 3 s)")
    ap.add_argument("--bad-csum-rate", type=float, default=0.0001,
                    help="fraction of UDP frames written with a wrong checksum")
    ap.add_argument("--start", type=float, default=1_700_000_000.0, help="epoch of first frame")
    a = ap.parse_args()

    rng = random.Random(a.seed)
    net = Net(a.clients)
    builder = Builder(a.bad_csum_rate, random.Random(a.seed + 1))
    content = Content(a.seed)
    spread = a.spread if a.spread is not None else min(3.0, 0.002 * a.clients)

    heap = []
    for i in range(a.clients):
        c = Client(i, net, random.Random(rng.getrandbits(64)), builder, content)
        g = c.boot()
        d, frame = next(g)
        heapq.heappush(heap, (rng.random() * spread, i, g, frame))

    out = open(a.output, "wb")
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    buf = bytearray()
    link_free = 0.0  # time the server link is free again
    pack = struct.Struct("<IIII").pack
    start_us = int(a.start * 1_000_000)
    counts = {}
    written = 0
    while written < a.frames and heap:
        ready, i, g, frame = heapq.heappop(heap)
        t = ready if ready > link_free else link_free
        link_free = t + (len(frame) + 24) * 8 / LINK_BPS
        us = start_us + int(t * 1_000_000)
        buf += pack(us // 1_000_000, us % 1_000_000, len(frame), len(frame))
        buf += frame
        written += 1
        if frame[12:14] == ETH_ARP:
            kind = "ARP"
        elif frame[36] == 0 and frame[37] in (67, 68):
            kind = "DHCP"
        else:
            kind = TFTP_OPS[frame[43]]
        counts[kind] = counts.get(kind, 0) + 1
        try:
            d, nxt = next(g)
        except StopIteration:
            continue
        heapq.heappush(heap, (link_free + d, i, g, nxt))
        if len(buf) > (64 << 20):
            out.write(buf)
            buf = bytearray()
    out.write(buf)
    out.close()
    print(f"{a.output}: {written} frames, {a.clients} clients, {link_free:.3f} s of traffic",
          file=sys.stderr)
    print("mix: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])),
          file=sys.stderr)
    if written < a.frames:
        print(f"note: all clients finished after {written} frames", file=sys.stderr)


if __name__ == "__main__":
    main()
