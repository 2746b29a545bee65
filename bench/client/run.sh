#!/usr/bin/env bash
# Client load bench: N simulated PXE ROMs (`pxekit client --count N`, one MAC each) power on and
# walk DHCP -> TFTP pxelinux.0 -> ldlinux.c32 -> pxelinux's config search -> the menu, against
#   - pxekit-inproc: pxekit serve's engines in the client's own process (no sockets, simulated clock)
#   - pxekit:        `pxekit serve` in a namespace, the clients on the other end of a veth
#   - dnsmasq:       dnsmasq 2.90 the same way
# and reports per server: clients at the menu, failures by kind, time until the last client is
# done, and the server process's CPU time. Needs root, dnsmasq and a built pxekit.
#   bench/client/run.sh [PXEKIT] [COUNT] [RAMP]      # defaults: build's pxekit, 500, 250/s
#   SERVERS="pxekit dnsmasq" TIMING=fast KEEP=DIR ... # subset; fast timing (timers / 100); keep outputs in DIR
# Namespaces pxkbcs/pxkbcc and the veth pxkbcs0/pxkbcc0 (192.168.88.0/22) are created here and
# removed on exit; no real interface is touched.
set -uo pipefail
cd "$(dirname "$0")"
. ../lib.sh
PXEKIT=$(realpath "${1:-../../build/tools/pxekit/pxekit}")
COUNT=${2:-500}
RAMP=${3:-250/s}
TIMING=${TIMING:-real}
NS_S=pxkbcs; NS_C=pxkbcc; IF_S=pxkbcs0; IF_C=pxkbcc0
WORK=$(mktemp -d /tmp/pxkbc.XXXXXX)
chmod 755 "$WORK"
SERVER_PID=
netns_down() { netns_drop $NS_S $NS_C; }
stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  kill "$SERVER_PID" 2>/dev/null; sleep 0.3; kill -9 "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null
  SERVER_PID=
}
trap 'stop_server; netns_down; [ -n "${KEEP:-}" ] && cp "$WORK"/*.out "$WORK"/server.log "$KEEP"/ 2>/dev/null; rm -rf "$WORK"' EXIT
netns_up() { netns_pair $NS_S $NS_C $IF_S $IF_C 192.168.88.1/22; }

# A TFTP root like the captures' (small files: this measures the protocol work, not bulk data).
mkdir -p "$WORK/tftp/pxelinux.cfg"
for f in pxelinux.0:42000 ldlinux.c32:120000 menu.c32:26000 libutil.c32:24000 libcom32.c32:186000; do
  head -c "${f#*:}" /dev/urandom >"$WORK/tftp/${f%%:*}"
done
printf 'UI menu.c32\nMENU TITLE bench\nTIMEOUT 600\nLABEL linux\n  KERNEL vmlinuz\n' >"$WORK/tftp/pxelinux.cfg/default"
chmod -R a+rX "$WORK/tftp"
COMMON="dhcp-range=192.168.88.10,192.168.91.250,255.255.252.0,12h
dhcp-boot=pxelinux.0
enable-tftp
tftp-root=$WORK/tftp
tftp-max=1000"

summary() {  # $1 = client output file: "N of M clients reached menu" and failures by kind
  local ok fails
  ok=$(sed -n 's/^\([0-9]*\) of \([0-9]*\) clients reached.*/\1\/\2/p' "$1" | tail -1)
  fails=$(sed -n 's/.* failed in \([a-z-]*\): \(.*\)/\1:\2/p' "$1" | sort | uniq -c | awk '{printf "%s%s x%s", sep, $2, $1; sep=", "}')
  echo "${ok:-?} ${fails:-none}"
}

printf '%-14s %10s %10s %12s  %s\n' server "at menu" "wall s" "server cpu s" failures
for s in ${SERVERS:-pxekit-inproc pxekit dnsmasq}; do
  out="$WORK/$s.out"
  case $s in
    pxekit-inproc)
      printf '%s\n' "interface=eth0" "$COMMON" >"$WORK/inproc.conf"
      t0=$(date +%s.%N)
      "$PXEKIT" client --in-process -C "$WORK/inproc.conf" --profile bios --timing "$TIMING" \
        --count "$COUNT" --ramp "$RAMP" >"$out" 2>&1
      t1=$(date +%s.%N)
      printf '%-14s %10s %10.2f %12s  %s\n' "$s" "$(summary "$out" | cut -d' ' -f1)" "$(echo "$t1 - $t0" | bc)" \
        "(in client)" "$(summary "$out" | cut -d' ' -f2-)"
      continue ;;
    pxekit)
      netns_up
      printf '%s\n' "port=0" "interface=$IF_S" "bind-interfaces" "dhcp-leasefile=$WORK/leases.db" "$COMMON" >"$WORK/pxekit.conf"
      rm -f "$WORK"/leases.db*
      ip netns exec $NS_S setsid "$PXEKIT" serve -C "$WORK/pxekit.conf" --log-level warn >"$WORK/server.log" 2>&1 &
      SERVER_PID=$! ;;
    dnsmasq)
      netns_up
      ip netns exec $NS_S setsid dnsmasq -d -q --port=0 --interface=$IF_S --bind-interfaces --no-ping \
        --dhcp-range=192.168.88.10,192.168.91.250,255.255.252.0,12h --dhcp-boot=pxelinux.0 \
        --enable-tftp --tftp-root="$WORK/tftp" --tftp-max=1000 --dhcp-lease-max=100000 \
        --dhcp-leasefile="$WORK/dnsmasq.leases" --pid-file="$WORK/dnsmasq.pid" >"$WORK/server.log" 2>&1 &
      SERVER_PID=$! ;;
  esac
  sleep 1
  c0=$(cpu_ticks "$SERVER_PID")
  t0=$(date +%s.%N)
  ip netns exec $NS_C "$PXEKIT" client --interface $IF_C --profile bios --timing "$TIMING" -v \
    --count "$COUNT" --ramp "$RAMP" --time-limit 300 >"$out" 2>&1
  t1=$(date +%s.%N)
  c1=$(cpu_ticks "$SERVER_PID")
  printf '%-14s %10s %10.2f %12.2f  %s\n' "$s" "$(summary "$out" | cut -d' ' -f1)" "$(echo "$t1 - $t0" | bc)" \
    "$(echo "($c1 - $c0) * $TICK_MS / 1000" | bc -l)" "$(summary "$out" | cut -d' ' -f2-)"
  stop_server
done
