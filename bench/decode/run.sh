#!/usr/bin/env bash
# Decode throughput: pxekit decode (text, json) vs tcpdump -nn -vv and tshark (summary, -V).
#
# Builds two synthetic PXE captures (250 and 19,000 clients, 1,000,000 frames each) if they are
# missing, times every decoder on each with hyperfine, measures peak RSS with /usr/bin/time -v,
# prints a markdown table and writes it into docs/benchmarks.md (section "Decode").
#
# Environment:
#   PXEKIT      pxekit binary (default: build-bench/tools/pxekit/pxekit, built Release if missing)
#   OUT         where the pcaps and results go (default: /tmp/pxekit-bench-decode)
#   FRAMES      frames per capture (default 1000000)
#   CLIENTS     client counts, space separated (default "250 19000")
#   RUNS        hyperfine runs per command (default 3); RUNS_V for tshark -V (default 2)
#   NO_DOCS=1   do not touch docs/benchmarks.md
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${OUT:-/tmp/pxekit-bench-decode}
FRAMES=${FRAMES:-1000000}
CLIENTS=${CLIENTS:-"250 19000"}
RUNS=${RUNS:-3}
RUNS_V=${RUNS_V:-2}
PXEKIT=${PXEKIT:-$ROOT/build-bench/tools/pxekit/pxekit}

mkdir -p "$OUT"
for tool in hyperfine tcpdump tshark python3; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool not found" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "run.sh: /usr/bin/time not found (apt-get install time)" >&2; exit 1; }

if [ ! -x "$PXEKIT" ]; then
  echo "== building pxekit (Release) in build-bench" >&2
  cmake -S "$ROOT" -B "$ROOT/build-bench" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  ninja -C "$ROOT/build-bench" pxekit
fi

cut -d' ' -f1-3 /proc/loadavg >"$OUT/load-start.txt"
git -C "$ROOT" rev-parse --short HEAD >"$OUT/commit-start.txt" 2>/dev/null || true

declare -a LABELS CMDS
results=()
for c in $CLIENTS; do
  pcap="$OUT/pxe-${c}c-${FRAMES}.pcap"
  if [ ! -s "$pcap" ]; then
    echo "== generating $pcap" >&2
    python3 "$HERE/gen_pxe_pcap.py" -o "$pcap.tmp" -n "$FRAMES" -c "$c" 2>"$pcap.mix"
    mv "$pcap.tmp" "$pcap"
  fi
  LABELS=("pxekit decode" "pxekit decode --format json" "tcpdump -nn -vv -r" "tshark -n -r"
          "tshark -n -V -r")
  CMDS=("$PXEKIT decode $pcap"
        "$PXEKIT decode --format json $pcap"
        "tcpdump -nn -vv -r $pcap"
        "tshark -n -r $pcap"
        "tshark -n -V -r $pcap")
  rss="$OUT/rss-${c}c.tsv"
  : >"$rss"
  for i in "${!CMDS[@]}"; do
    # one untimed run: warms the page cache, measures peak RSS and the size of the output
    echo "== [$c clients] ${LABELS[$i]} (RSS / output size run)" >&2
    /usr/bin/time -v -o "$OUT/time.txt" sh -c "${CMDS[$i]} 2>/dev/null | wc -c >$OUT/bytes.txt"
    kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$OUT/time.txt")
    printf '%s\t%s\t%s\n' "${LABELS[$i]}" "$kb" "$(cat "$OUT/bytes.txt")" >>"$rss"
  done
  json="$OUT/hyperfine-${c}c.json"
  hyperfine --warmup 0 --runs "$RUNS" --style basic --export-json "$json.a" \
    -n "${LABELS[0]}" "${CMDS[0]} >/dev/null" \
    -n "${LABELS[1]}" "${CMDS[1]} >/dev/null" \
    -n "${LABELS[2]}" "${CMDS[2]} >/dev/null 2>&1" \
    -n "${LABELS[3]}" "${CMDS[3]} >/dev/null 2>&1" >&2
  hyperfine --warmup 0 --runs "$RUNS_V" --style basic --export-json "$json.b" \
    -n "${LABELS[4]}" "${CMDS[4]} >/dev/null 2>&1" >&2
  results+=("$c" "$pcap" "$json.a" "$json.b" "$rss")
done

table="$OUT/table.md"
python3 "$HERE/summarize.py" --pxekit "$PXEKIT" --root "$ROOT" --runs "$RUNS" --runs-v "$RUNS_V" \
  "${results[@]}" >"$table"
cat "$table"
if [ "${NO_DOCS:-0}" != 1 ]; then
  python3 "$HERE/summarize.py" --splice "$ROOT/docs/benchmarks.md" "$table"
  echo "== wrote docs/benchmarks.md" >&2
fi
