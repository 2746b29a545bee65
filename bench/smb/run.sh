#!/usr/bin/env bash
# SMB read throughput: `smbclient get` of one large file (316 MB of random bytes, in the page
# cache) from pxekit serve and from a reference Samba smbd serving the same directory, on
# 127.0.0.1 (loopback; both servers on high ports, Samba in its own session with its own
# private/lock/state dirs as in ../shared/reference/smb2-server.md section 5.2). Runs alternate
# between the two servers so both see the same machine load. Wall time around the whole client
# run (connect and authentication included), like the reference's section 6.
#
#   sudo bench/smb/run.sh [pxekit-binary]        # SIZE_MB=316 REPEAT=7 by default
#
# Rows (ROWS selects a subset, comma-separated):
#   unsigned  SMB 3.1.1, no signing
#   gmac      SMB 3.1.1, client signing required (AES-128-GMAC, smbclient's first choice)
#   cmac      SMB 3.1.1, client signing required, AES-128-CMAC only
#   hmac      SMB 2.1, client signing required (HMAC-SHA256)
# Prints a TSV of every run, then a Markdown table: median MB/s per server and row, the ratio
# pxekit/Samba, the server CPU seconds per GB read (pxekit: the process's utime+stime; Samba: the
# parent smbd's cutime+cstime, its per-connection children having exited), the less noisy figure
# on a shared machine, and the load average before and after.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"   # cpu_ticks

PXEKIT=${1:-$(dirname "$0")/../../build/tools/pxekit/pxekit}
SIZE_MB=${SIZE_MB:-316}
REPEAT=${REPEAT:-7}
ROWS=${ROWS:-unsigned,gmac,cmac,hmac}
WORK=$(mktemp -d /tmp/pxkt-smbbench-XXXXXX)
PX_PID="" SMBD_PID=""

cleanup() {
  set +e
  [ -n "$PX_PID" ] && kill "$PX_PID" 2>/dev/null && wait "$PX_PID" 2>/dev/null
  [ -n "$SMBD_PID" ] && kill -- -"$SMBD_PID" 2>/dev/null && wait "$SMBD_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || { echo "needs root (Samba's smbpasswd and user switch)" >&2; exit 2; }
for p in smbclient smbd smbpasswd "$PXEKIT"; do
  command -v "$p" >/dev/null || [ -x "$p" ] || { echo "missing: $p" >&2; exit 2; }
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 150); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.1; done; return 1; }

chmod 755 "$WORK"; mkdir -p "$WORK/share" "$WORK/samba"/{private,lock,state,cache,pid,ncalrpc,logs}
head -c $((SIZE_MB * 1000000)) /dev/urandom >"$WORK/share/big.bin"
chmod 644 "$WORK/share/big.bin"
BYTES=$((SIZE_MB * 1000000))
cat "$WORK/share/big.bin" >/dev/null   # in the page cache for both

PX_PORT=$(free_port)
printf '[global]\n  map to guest = Bad User\n[GUEST]\n  path = %s\n  guest ok = yes\n  read only = yes\n' \
  "$WORK/share" >"$WORK/pxekit-smb.conf"
"$PXEKIT" serve --smb-conf "$WORK/pxekit-smb.conf" --smb-user user:pass --smb-port "$PX_PORT" \
  --listen-address 127.0.0.1 --log-level warn >"$WORK/pxekit.log" 2>&1 &
PX_PID=$!

SMBD_PORT=$(free_port)
S=$WORK/samba
cat >"$S/smb.conf" <<EOF
[global]
  server role = standalone server
  smb ports = $SMBD_PORT
  interfaces = 127.0.0.1
  bind interfaces only = yes
  disable netbios = yes
  map to guest = Bad User
  server min protocol = SMB2_02
  server max protocol = SMB3
  private dir = $S/private
  lock directory = $S/lock
  state directory = $S/state
  cache directory = $S/cache
  pid directory = $S/pid
  ncalrpc dir = $S/ncalrpc
  binddns dir = $S/private
  passdb backend = tdbsam:$S/private/passdb.tdb
  log file = $S/logs/log.%m
  log level = 0
  load printers = no
  printing = bsd
  printcap name = /dev/null
  disable spoolss = yes
  guest account = nobody
  username map = $S/users.map
[GUEST]
  path = $WORK/share
  guest ok = yes
  read only = yes
EOF
echo 'daemon = user' >"$S/users.map"
(echo pass; echo pass) | smbpasswd -c "$S/smb.conf" -s -a daemon >/dev/null
setsid smbd -F --no-process-group -s "$S/smb.conf" >"$S/logs/smbd.out" 2>&1 </dev/null &
SMBD_PID=$!   # setsid execs smbd in the same process when it is not a group leader

wait_port "$PX_PORT" || { echo "pxekit did not listen:"; cat "$WORK/pxekit.log"; exit 3; } >&2
wait_port "$SMBD_PORT" || { echo "smbd did not listen:"; cat "$S/logs/smbd.out"; exit 3; } >&2

row_options() {   # fills OPTS
  case $1 in
    unsigned) OPTS=(-m SMB3_11) ;;
    gmac) OPTS=(-m SMB3_11 "--option=client signing=required") ;;
    cmac) OPTS=(-m SMB3_11 "--option=client signing=required" "--option=client smb3 signing algorithms=AES-128-CMAC") ;;
    hmac) OPTS=(-m SMB2_10 "--option=client signing=required") ;;
    *) echo "unknown row $1" >&2; exit 2 ;;
  esac
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
CLK_TCK=$(getconf CLK_TCK)
echo -e "row\tserver\trun\tseconds\tMB/s\tcpu_s" >"$WORK/runs.tsv"
for row in ${ROWS//,/ }; do
  row_options "$row"
  for i in $(seq 1 "$REPEAT"); do
    for server in pxekit samba; do
      port=$PX_PORT; [ $server = samba ] && port=$SMBD_PORT
      rm -f "$WORK/got"
      if [ $server = pxekit ]; then c0=$(cpu_ticks "$PX_PID" self); else c0=$(cpu_ticks "$SMBD_PID" children); fi
      t0=$(date +%s.%N)
      smbclient //127.0.0.1/GUEST -p "$port" -U user%pass "${OPTS[@]}" -c "get big.bin $WORK/got" >"$WORK/client.out" 2>&1 \
        || { echo "smbclient failed ($server, $row):"; cat "$WORK/client.out"; exit 3; } >&2
      t1=$(date +%s.%N)
      sleep 0.2   # Samba's connection child exits after the client; its CPU lands in the parent's cutime
      if [ $server = pxekit ]; then c1=$(cpu_ticks "$PX_PID" self); else c1=$(cpu_ticks "$SMBD_PID" children); fi
      size=$(stat -c %s "$WORK/got")
      [ "$size" = "$BYTES" ] || { echo "$server $row: got $size bytes, want $BYTES" >&2; exit 3; }
      if [ "$i" = 1 ]; then cmp -s "$WORK/got" "$WORK/share/big.bin" || { echo "$server $row: bytes differ" >&2; exit 3; }; fi
      echo -e "$row\t$server\t$i\t$(echo "$t1 - $t0" | bc -l)\t$(echo "$BYTES / ($t1 - $t0) / 1000000" | bc -l)\t$(echo "($c1 - $c0) / $CLK_TCK" | bc -l)" >>"$WORK/runs.tsv"
    done
  done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

cat "$WORK/runs.tsv"
python3 - "$WORK/runs.tsv" "$LOAD_BEFORE" "$LOAD_AFTER" "$REPEAT" "$SIZE_MB" <<'EOF'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
print(f"\n{sys.argv[5]} MB file, {sys.argv[4]} runs per cell, load average before {sys.argv[2]}, after {sys.argv[3]}\n")
print("| row | pxekit median MB/s | Samba median MB/s | pxekit / Samba | pxekit best-worst | Samba best-worst | pxekit CPU s/GB | Samba CPU s/GB |")
print("|---|---|---|---|---|---|---|---|")
order = []
for r in rows:
    if r["row"] not in order: order.append(r["row"])
for row in order:
    v = {s: [float(r["MB/s"]) for r in rows if r["row"] == row and r["server"] == s] for s in ("pxekit", "samba")}
    mp, ms = statistics.median(v["pxekit"]), statistics.median(v["samba"])
    gb = int(sys.argv[5]) / 1000
    cpu = {s: statistics.median([float(r["cpu_s"]) for r in rows if r["row"] == row and r["server"] == s]) / gb for s in ("pxekit", "samba")}
    print(f"| {row} | {mp:.0f} | {ms:.0f} | {mp/ms:.2f} | {max(v['pxekit']):.0f}-{min(v['pxekit']):.0f} | {max(v['samba']):.0f}-{min(v['samba']):.0f} | {cpu['pxekit']:.2f} | {cpu['samba']:.2f} |")
EOF
