#!/usr/bin/env python3
"""Median MB/s per server and client column from bench/tftp/run.sh's TSV, as a Markdown table."""
import csv
import statistics
import sys
from collections import defaultdict

rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
med = defaultdict(list)
for r in rows:
    if r["MBps"] != "FAIL":
        med[(r["server"], r["client"], r["blksize"], r["windowsize"])].append(float(r["MBps"]))
cols = [("curl", "512", "1"), ("curl", "1468", "1"), ("curl", "65464", "1"), ("atftp", "1468", "8"),
        ("atftp", "65464", "8")]
servers = ["pxekit", "pxekit-mtu64k", "dnsmasq", "tftpd-hpa"]
head = ["server"] + [f"{c} blksize {b}" + (f" window {w}" if w != "1" else "") for c, b, w in cols]
print("| " + " | ".join(head) + " |")
print("|" + "---|" * len(head))
for s in servers:
    cells = []
    for c in cols:
        v = med.get((s,) + c)
        cells.append(f"{statistics.median(v):.1f}" if v else "–")
    print(f"| {s} | " + " | ".join(cells) + " |")
print()
best = {}
for c in cols:
    others = [statistics.median(med[(s,) + c]) for s in ("dnsmasq", "tftpd-hpa") if med.get((s,) + c)]
    mine = [statistics.median(med[(s,) + c]) for s in ("pxekit", "pxekit-mtu64k") if med.get((s,) + c)]
    if others and mine:
        best[c] = max(mine) / max(others)
print("| column | pxekit (best) / fastest other |")
print("|---|---|")
for c, ratio in best.items():
    print(f"| {c[0]} blksize {c[1]}" + (f" window {c[2]}" if c[2] != "1" else "") + f" | {ratio:.2f} |")
lock = med.get(("pxekit", "curl", "1468", "1"))
win = med.get(("pxekit", "atftp", "1468", "8"))
if lock and win:
    print(f"\npxekit windowsize 8 vs lock-step at blksize 1468: {statistics.median(win) / statistics.median(lock):.2f}x")
