#!/usr/bin/env python3
"""Median MB/s per server and client column from bench/tftp/run.sh's TSV, as Markdown tables:
the medians, pxekit / fastest other server per column, and pxekit's windowsize sweep against
lock-step at the same blksize."""
import csv
import statistics
import sys
from collections import defaultdict

rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
med = defaultdict(list)
cols, servers = [], []
for r in rows:
    key = (r["client"], r["blksize"], r["windowsize"])
    if key not in cols:
        cols.append(key)
    if r["server"] not in servers:
        servers.append(r["server"])
    if r["MBps"] != "FAIL":
        med[(r["server"],) + key].append(float(r["MBps"]))


def m(server, col):
    v = med.get((server,) + col)
    return statistics.median(v) if v else None


def name(c):
    return f"{c[0]} {c[1]}" + (f" w{c[2]}" if c[2] != "1" else "")


print("| server | " + " | ".join(name(c) for c in cols) + " |")
print("|---" * (len(cols) + 1) + "|")
for s in servers:
    print(f"| {s} | " + " | ".join(f"{m(s, c):.1f}" if m(s, c) else "–" for c in cols) + " |")
print()
print("| column | pxekit (best) | fastest other | ratio |")
print("|---|---|---|---|")
for c in cols:
    others = [(m(s, c), s) for s in servers if not s.startswith("pxekit") and m(s, c)]
    mine = [m(s, c) for s in servers if s.startswith("pxekit") and m(s, c)]
    if others and mine:
        o, who = max(others)
        print(f"| {name(c)} | {max(mine):.1f} | {o:.1f} ({who}) | {max(mine) / o:.2f} |")
print()
print("| pxekit windowsize at 1468 | MB/s | / atftp lock-step | / curl lock-step |")
print("|---|---|---|---|")
lock_a = m("pxekit", ("atftp", "1468", "1"))
lock_c = m("pxekit", ("curl", "1468", "1"))
for c in cols:
    if c[0] == "atftp" and c[1] == "1468" and m("pxekit", c):
        v = m("pxekit", c)
        ra = f"{v / lock_a:.2f}x" if lock_a else "–"
        rc = f"{v / lock_c:.2f}x" if lock_c else "–"
        print(f"| w{c[2]} | {v:.1f} | {ra} | {rc} |")
