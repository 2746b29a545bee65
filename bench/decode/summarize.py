#!/usr/bin/env python3
"""Turn bench/decode/run.sh's hyperfine / RSS results into markdown, or splice it into a doc.

  summarize.py [--pxekit P --root R --runs N --runs-v N] CLIENTS PCAP JSON_A JSON_B RSS_TSV ...
  summarize.py --splice docs/benchmarks.md table.md
"""

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import struct
import subprocess
import sys

BEGIN = "<!-- decode-results:begin (written by bench/decode/run.sh) -->"
END = "<!-- decode-results:end -->"
REF = "tcpdump -nn -vv -r"


def count_frames(path):
    n = 0
    with open(path, "rb") as f:
        hdr = f.read(24)
        magic = struct.unpack("<I", hdr[:4])[0]
        end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
        rec = struct.Struct(end + "IIII")
        while True:
            h = f.read(16)
            if len(h) < 16:
                return n
            f.seek(rec.unpack(h)[2], 1)
            n += 1


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


def machine(root, pxekit):
    cpu = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                mem = "%.0f GiB" % (int(line.split()[1]) / 1024 / 1024)
    tcpdump = sh("tcpdump --version 2>&1 | head -2 | tr '\\n' ' '")
    tshark = sh("tshark --version 2>/dev/null | head -1")
    commit = sh(f"git -C {root} rev-parse --short HEAD")
    dirty = sh(f"git -C {root} status --porcelain --untracked-files=normal -- core tools | wc -l")
    if dirty not in ("", "0"):
        commit += f" plus {dirty} uncommitted paths under core/ and tools/"
    try:
        built = datetime.datetime.fromtimestamp(os.path.getmtime(pxekit)).astimezone()
        commit += f"; binary built {built.strftime('%Y-%m-%d %H:%M %Z')}"
    except OSError:
        pass
    return [
        f"- date: {datetime.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}",
        f"- machine: {os.cpu_count()} CPUs (nproc {sh('nproc')}), {cpu}, {mem} RAM, "
        f"{platform.system()} {platform.release()}",
        f"- pxekit: `{os.path.relpath(pxekit, root)}` (Release), HEAD {commit}",
        f"- {tcpdump.strip()}",
        f"- {tshark}",
        f"- hyperfine {sh('hyperfine --version').split()[-1]}",
    ]


def load(json_paths):
    out = {}
    for p in json_paths:
        with open(p) as f:
            for r in json.load(f)["results"]:
                out[r["command"]] = r
    return out


def load_note(load_start):
    """What the load at the start says about the wall-clock columns."""
    try:
        busy = float(load_start.split()[0]) > os.cpu_count()
    except (ValueError, IndexError):
        busy = True
    if busy:
        return ("other work shared these CPUs, so wall time is noisy: the CPU-time columns "
                "(user+sys, hyperfine's mean) are the steadier comparison")
    return "nothing else ran; the load is the benchmark's own, one decoder at a time"


def table(args):
    groups = [args.items[i:i + 5] for i in range(0, len(args.items), 5)]
    try:
        load_start = open(os.path.join(os.path.dirname(groups[0][1]), "load-start.txt")).read().strip()
    except OSError:
        load_start = "?"
    lines = ["### Results", ""]
    lines += machine(args.root, args.pxekit)
    lines += [f"- runs: hyperfine `--runs {args.runs}` (tshark -V: `--runs {args.runs_v}`), "
              "after one untimed run of each command (page cache warm, peak RSS taken there "
              "with `/usr/bin/time -v`, output size with `wc -c`); output to /dev/null",
              f"- load average (1/5/15 min) at the start: {load_start}, at the end: "
              f"{' '.join(open('/proc/loadavg').read().split()[:3])} "
              f"({load_note(load_start)})", ""]
    flat = {}
    for clients, pcap, ja, jb, rss in groups:
        frames = count_frames(pcap)
        size = os.path.getsize(pcap)
        res = load([ja, jb])
        mem = {}
        with open(rss) as f:
            for line in f:
                name, kb, nbytes = line.rstrip("\n").split("\t")
                mem[name] = (int(kb), int(nbytes))
        mix = ""
        mixf = pcap + ".mix"
        if os.path.exists(mixf):
            for line in open(mixf):
                if line.startswith("mix:"):
                    mix = line[4:].strip()
        lines.append(f"#### {int(clients):,} clients: {frames:,} frames, "
                     f"{size / 1e6:.0f} MB (`{os.path.basename(pcap)}`)")
        lines.append("")
        if mix:
            lines.append(f"Frame mix: {mix}.")
            lines.append("")
        lines.append("| decoder | wall s, median (min-max) | frames/s (wall) | vs tcpdump -vv "
                     "| CPU s (user+sys) | frames/s (CPU) | vs tcpdump -vv (CPU) | peak RSS "
                     "| output |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        ref = frames / statistics.median(res[REF]["times"])
        ref_cpu = frames / (res[REF]["user"] + res[REF]["system"])
        for name, r in res.items():
            med = statistics.median(r["times"])
            fps = frames / med
            cpu = r["user"] + r["system"]
            fps_cpu = frames / cpu
            kb, nbytes = mem.get(name, (0, 0))
            flat.setdefault(name, {})[int(clients)] = (fps, fps_cpu)
            lines.append(f"| `{name}` | {med:.2f} ({min(r['times']):.2f}-{max(r['times']):.2f}) "
                         f"| {fps:,.0f} | {fps / ref:.2f}x | {cpu:.2f} | {fps_cpu:,.0f} "
                         f"| {fps_cpu / ref_cpu:.2f}x | {kb / 1024:,.0f} MiB "
                         f"| {nbytes / 1e6:,.0f} MB |")
        lines.append("")
    cs = sorted({c for v in flat.values() for c in v})
    if len(cs) > 1:
        lines.append("#### Frames/s as the number of hosts grows")
        lines.append("")
        for k, what in ((0, "wall"), (1, "CPU")):
            lines.append(f"| decoder, frames/s ({what}) | "
                         + " | ".join(f"{c:,} clients" for c in cs)
                         + f" | {cs[-1]:,} / {cs[0]:,} |")
            lines.append("|---|" + "---:|" * (len(cs) + 1))
            for name, v in flat.items():
                row = " | ".join(f"{v[c][k]:,.0f}" if c in v else "-" for c in cs)
                lines.append(f"| `{name}` | {row} | {v[cs[-1]][k] / v[cs[0]][k]:.2f} |")
            lines.append("")
        lines.append("")
    print("\n".join(lines))


def splice(doc, tablefile):
    new = open(tablefile).read().rstrip("\n")
    text = open(doc).read() if os.path.exists(doc) else "# Benchmarks\n"
    if BEGIN in text and END in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END),
                      lambda _: f"{BEGIN}\n{new}\n{END}", text, flags=re.S)
    else:
        text = text.rstrip("\n") + f"\n\n## Decode\n\n{BEGIN}\n{new}\n{END}\n"
    open(doc, "w").write(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--splice", nargs=2, metavar=("DOC", "TABLE"))
    ap.add_argument("--pxekit", default="pxekit")
    ap.add_argument("--root", default=".")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--runs-v", type=int, default=2)
    ap.add_argument("items", nargs="*")
    a = ap.parse_args()
    if a.splice:
        splice(*a.splice)
    elif a.items and len(a.items) % 5 == 0:
        table(a)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
