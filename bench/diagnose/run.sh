#!/usr/bin/env bash
# Diagnose vs decode on the same 1,000,000-frame PXE captures (bench/decode makes them):
# the aim is diagnose <= 2x decode. Prints a markdown table.
#   PXEKIT  pxekit binary (default build-bench/tools/pxekit/pxekit)
#   OUT     where bench/decode keeps its pcaps (default /tmp/pxekit-bench-decode)
#   RUNS    hyperfine runs (default 3)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${OUT:-/tmp/pxekit-bench-decode}
PXEKIT=${PXEKIT:-$ROOT/build-bench/tools/pxekit/pxekit}
RUNS=${RUNS:-3}
FRAMES=1000000
if [ ! -x "$PXEKIT" ]; then
  cmake -S "$ROOT" -B "$ROOT/build-bench" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPXE_BUILD_TESTS=OFF >&2
  ninja -C "$ROOT/build-bench" pxekit >&2
fi
echo "| capture | pxekit decode (s) | pxekit diagnose (s) | diagnose / decode | diagnose peak RSS |"
echo "|---|---:|---:|---:|---:|"
for c in 250 19000; do
  pcap="$OUT/pxe-${c}c-${FRAMES}.pcap"
  if [ ! -s "$pcap" ]; then
    # the frame mix goes where bench/decode/run.sh keeps it
    python3 "$ROOT/bench/decode/gen_pxe_pcap.py" -o "$pcap" -n "$FRAMES" -c "$c" 2>"$pcap.mix"
  fi
  json=$(mktemp)
  hyperfine --warmup 1 --runs "$RUNS" --style none --export-json "$json" \
    -n decode "$PXEKIT decode $pcap >/dev/null" \
    -n diagnose "$PXEKIT diagnose $pcap >/dev/null; true" >/dev/null
  /usr/bin/time -v -o "$json.time" "$PXEKIT" diagnose "$pcap" >/dev/null || true
  kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$json.time")
  python3 - "$json" "$c" "$kb" <<'PY'
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
print(f"| {sys.argv[2]} clients | {r['decode']:.2f} | {r['diagnose']:.2f} | {r['diagnose']/r['decode']:.2f}x | {int(sys.argv[3])//1024} MiB |")
PY
  rm -f "$json" "$json.time"
done
