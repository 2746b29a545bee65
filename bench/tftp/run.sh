#!/usr/bin/env bash
# TFTP throughput: one large file fetched from pxekit, dnsmasq and tftpd-hpa (in.tftpd) by curl at
# blksize 512, 1468 and 65464 (the largest RFC 2348 allows; each server grants what it allows),
# and by atftp with windowsize 8 (RFC 7440), across a veth pair (MTU 1500) between two network
# namespaces this script creates. Prints a TSV of every run and a Markdown table of medians.
#
#   sudo bench/tftp/run.sh [pxekit-binary]      # SIZE_MB=316 REPEAT=3 by default
#
# SERVERS and SPECS select a subset (SPECS: "client blksize windowsize" triples separated by
# commas); the default adds an atftp windowsize sweep (w1 = lock-step, 8, 16, 32, 64) at 1468.
#
# Everything is created under the names pxktb* (namespaces pxktbs/pxktbc, veth pxktba/pxktbz,
# 10.79.0.0/24) and removed again on exit. Only these namespaces carry traffic.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

PXEKIT=${1:-$(dirname "$0")/../../build/tools/pxekit/pxekit}
SIZE_MB=${SIZE_MB:-316}
REPEAT=${REPEAT:-3}
NS_S=pxktbs NS_C=pxktbc SRV=10.79.0.1 CLI=10.79.0.2
WORK=$(mktemp -d /tmp/pxkt-bench-XXXXXX)
SPID=""

cleanup() {
  set +e
  [ -n "$SPID" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
  netns_drop $NS_S $NS_C
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)" >&2; exit 2; }
for p in curl atftp /usr/sbin/dnsmasq /usr/sbin/in.tftpd "$PXEKIT"; do
  command -v "$p" >/dev/null || [ -x "$p" ] || { echo "missing: $p" >&2; exit 2; }
done

netns_pair $NS_S $NS_C pxktba pxktbz $SRV/24 $CLI/24

chmod 755 "$WORK"; mkdir -p "$WORK/root"
head -c $((SIZE_MB * 1000000)) /dev/urandom >"$WORK/root/winpe.iso"
chmod 644 "$WORK/root/winpe.iso"
BYTES=$((SIZE_MB * 1000000))

start_server() {   # start_server <name>
  case $1 in
    pxekit)     ip netns exec $NS_S "$PXEKIT" serve --tftp-root "$WORK/root" --listen-address $SRV \
                  --duration 7200 --log-level warn >"$WORK/server.log" 2>&1 & ;;
    pxekit-mtu64k)  # --tftp-mtu: let blksize go past the link MTU (IP fragments), like tftpd-hpa
                ip netns exec $NS_S "$PXEKIT" serve --tftp-root "$WORK/root" --listen-address $SRV \
                  --tftp-mtu 65535 --duration 7200 --log-level warn >"$WORK/server.log" 2>&1 & ;;
    dnsmasq)    printf 'port=0\nenable-tftp\ntftp-root=%s\nlisten-address=%s\nbind-interfaces\npid-file=\n' \
                  "$WORK/root" $SRV >"$WORK/dnsmasq.conf"
                ip netns exec $NS_S /usr/sbin/dnsmasq --keep-in-foreground --conf-file="$WORK/dnsmasq.conf" \
                  --log-facility="$WORK/server.log" & ;;
    tftpd-hpa)  ip netns exec $NS_S /usr/sbin/in.tftpd -L -a $SRV:69 -u nobody -s "$WORK/root" \
                  >"$WORK/server.log" 2>&1 & ;;
  esac
  SPID=$!
  sleep 0.7
}
stop_server() { kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null || true; SPID=""; sleep 0.3; }

fetch() {   # fetch <client> <blksize> [windowsize] -> seconds (or FAIL)
  local t0 t1 got
  t0=$(date +%s.%N)
  case $1 in
    curl)  got=$(ip netns exec $NS_C timeout 300 curl -sS --tftp-blksize "$2" -w '%{size_download}' \
                   "tftp://$SRV/winpe.iso" -o /dev/null 2>/dev/null) || got=0 ;;
    atftp) ip netns exec $NS_C timeout 300 atftp -g -r winpe.iso -l "$WORK/atftp.out" \
                   --option "blksize $2" --option "windowsize $3" $SRV >/dev/null 2>&1 || true
           got=$(stat -c %s "$WORK/atftp.out" 2>/dev/null || echo 0); rm -f "$WORK/atftp.out" ;;
  esac
  t1=$(date +%s.%N)
  if [ "$got" = "$BYTES" ]; then echo "$t0 $t1" | awk '{printf "%.3f", $2 - $1}'; else echo FAIL; fi
}

RESULTS="$WORK/results.tsv"
printf 'server\tclient\tblksize\twindowsize\trun\tseconds\tMBps\n' >"$RESULTS"
SERVERS=${SERVERS:-pxekit pxekit-mtu64k dnsmasq tftpd-hpa}
SPECS=${SPECS:-curl 512 1,curl 1468 1,curl 65464 1,atftp 1468 1,atftp 1468 8,atftp 1468 16,atftp 1468 32,atftp 1468 64,atftp 65464 8}
IFS=, read -r -a SPEC_LIST <<<"$SPECS"
for server in $SERVERS; do
  start_server $server
  for spec in "${SPEC_LIST[@]}"; do
    set -- $spec
    # the windowsize sweep only matters for pxekit (the others do not grant windowsize)
    if [ "$1" = atftp ] && [ "$2" = 1468 ] && [ "$3" -gt 8 ] && [ "${server#pxekit}" = "$server" ]; then continue; fi
    # pxekit-mtu64k only matters where the block would exceed the link MTU
    if [ $server = pxekit-mtu64k ] && [ "$2" != 65464 ]; then continue; fi
    for run in $(seq "$REPEAT"); do
      s=$(fetch "$1" "$2" "$3")
      if [ "$s" = FAIL ]; then mbps=FAIL; else mbps=$(awk -v b=$BYTES -v s="$s" 'BEGIN{printf "%.1f", b/s/1e6}'); fi
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' $server "$1" "$2" "$3" $run "$s" "$mbps" | tee -a "$RESULTS" >&2
    done
  done
  stop_server
done

python3 "$(dirname "$0")/summarize.py" "$RESULTS"
cp "$RESULTS" "${RESULTS_OUT:-/tmp/pxkt-tftp-bench.tsv}"
