#!/usr/bin/env bash
# WinPE load bench: N simulated machines (`pxekit client --profile winpe --count N`, one MAC and
# one TCP endpoint each) netboot (DHCP, TFTP, pxelinux, memdisk + ISO, WinPE's DHCP) and then all
# `net use \\192.168.90.1\GUEST /user:user pass` and read setup.exe, against the share from
#   - pxekit: `pxekit serve --smb-conf` serving only the share (no DHCP/TFTP in that process)
#   - samba:  smbd 4.17 with the same share lines
# DHCP and TFTP come from a second `pxekit serve` in both runs. Reported per server: machines that
# read setup.exe, wall time of the whole run, and the SMB server's CPU time (smbd: the parent and
# the per-client children it reaped).
#   bench/smb/winpe_load.sh [PXEKIT] [COUNT] [RAMP] [SETUP_BYTES]   # defaults: build's pxekit, 200, 100/s, 4 MiB
# Namespaces pxkbws/pxkbwc and the veth pxkbws0/pxkbwc0 (192.168.88.0/22) are made and removed.
set -uo pipefail
cd "$(dirname "$0")"
. ../lib.sh
PXEKIT=$(realpath "${1:-../../build/tools/pxekit/pxekit}")
COUNT=${2:-200}
RAMP=${3:-100/s}
SETUP=${4:-4194304}
NS_S=pxkbws; NS_C=pxkbwc; IF_S=pxkbws0; IF_C=pxkbwc0
SRV=192.168.90.1
WORK=$(mktemp -d /tmp/pxkbw.XXXXXX)
chmod 755 "$WORK"
PIDS=()
stop_all() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; sleep 0.5; for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done; PIDS=(); }
trap 'stop_all; netns_drop $NS_S $NS_C; rm -rf "$WORK"' EXIT

mkdir -p "$WORK/tftp/pxelinux.cfg" "$WORK/share/sources"
for f in pxelinux.0:42000 ldlinux.c32:120000 menu.c32:26000 libutil.c32:24000 memdisk:26000 winpe.iso:300000; do
  head -c "${f#*:}" /dev/urandom >"$WORK/tftp/${f%%:*}"
done
printf 'UI menu.c32\nMENU TITLE bench\nTIMEOUT 600\nLABEL winpe\n  KERNEL memdisk\n  INITRD winpe.iso\n' \
  >"$WORK/tftp/pxelinux.cfg/default"
head -c "$SETUP" /dev/urandom >"$WORK/share/setup.exe"
echo wim >"$WORK/share/sources/boot.wim"
chmod -R a+rX "$WORK/tftp" "$WORK/share"
printf '%s\n' "port=0" "interface=$IF_S" "bind-interfaces" "dhcp-leasefile=$WORK/leases.db" \
  "dhcp-range=192.168.88.10,192.168.91.250,255.255.252.0,12h" "dhcp-boot=pxelinux.0" "enable-tftp" \
  "tftp-root=$WORK/tftp" "tftp-max=1000" >"$WORK/dhcp.conf"
SHARE="[guest]
path = $WORK/share
read only = yes
guest ok = yes"
printf '[global]\nmap to guest = Bad User\nmin protocol = SMB2\n%s\n' "$SHARE" >"$WORK/pxekit-smb.conf"
S="$WORK/samba"; mkdir -p "$S"/{lock,state,cache,private,pid,ncalrpc,log,bind-dns}
{
  echo '[global]'; echo 'map to guest = Bad User'; echo 'server min protocol = SMB2'
  echo "interfaces = $SRV/22"; echo 'bind interfaces only = yes'; echo 'disable netbios = yes'
  for d in lock state cache pid ncalrpc; do echo "$d directory = $S/$d" | sed 's/ncalrpc directory/ncalrpc dir/'; done
  echo "private dir = $S/private"; echo "binddns dir = $S/bind-dns"; echo "log file = $S/log/log.%m"
  echo 'log level = 0'; echo 'load printers = no'; echo 'printcap name = /dev/null'; echo 'disable spoolss = yes'
  echo 'max log size = 0'
  echo "$SHARE"
} >"$WORK/samba.conf"

summary() {  # "N/M" machines at winpe-share, then failures by kind
  local ok fails
  ok=$(sed -n 's/^\([0-9]*\) of \([0-9]*\) clients reached.*/\1\/\2/p' "$1" | tail -1)
  fails=$(sed -n 's/.* failed in \([a-z-]*\): \(.*\)/\1:\2/p' "$1" | sort | uniq -c | awk '{printf "%s%s x%s", sep, $2, $1; sep=", "}')
  echo "${ok:-?} ${fails:-none}"
}
listening() { ip netns exec $NS_S ss -ltnH | grep -q "$SRV:445 \|0.0.0.0:445 \|\*:445 "; }

printf 'machines %s, ramp %s, setup.exe %s bytes, load before: %s\n' "$COUNT" "$RAMP" "$SETUP" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %12s %8s %14s  %s\n' server "setup.exe" "wall s" "smb cpu s" failures
for s in ${SERVERS:-pxekit samba}; do
  netns_pair $NS_S $NS_C $IF_S $IF_C $SRV/22
  rm -f "$WORK"/leases.db*
  ip netns exec $NS_S setsid "$PXEKIT" serve -C "$WORK/dhcp.conf" --log-level warn >"$WORK/dhcp.log" 2>&1 &
  PIDS+=($!)
  if [ "$s" = pxekit ]; then
    ip netns exec $NS_S setsid "$PXEKIT" serve --smb-conf "$WORK/pxekit-smb.conf" --log-level warn >"$WORK/smb.log" 2>&1 &
    SMB_PID=$!; SMB_CPU=all
  else
    ip netns exec $NS_S setsid smbd --foreground --no-process-group -s "$WORK/samba.conf" >"$WORK/smb.log" 2>&1 &
    SMB_PID=$!; SMB_CPU=all
  fi
  PIDS+=($SMB_PID)
  for i in $(seq 100); do listening && break; sleep 0.1; done
  sleep 0.5
  c0=$(cpu_ticks "$SMB_PID" $SMB_CPU)
  t0=$(date +%s.%N)
  ip netns exec $NS_C "$PXEKIT" client --interface $IF_C --profile winpe --timing fast --count "$COUNT" \
    --ramp "$RAMP" --net-use "\\\\$SRV\\GUEST" --net-user user:pass --time-limit 300 ${CLIENT_ARGS:-} >"$WORK/$s.out" 2>&1
  t1=$(date +%s.%N)
  sleep 1  # smbd's per-client processes exit after their client and are reaped: count them
  c1=$(cpu_ticks "$SMB_PID" $SMB_CPU)
  printf '%-8s %12s %8.2f %14.2f  %s\n' "$s" "$(summary "$WORK/$s.out" | cut -d' ' -f1)" "$(echo "$t1 - $t0" | bc)" \
    "$(echo "($c1 - $c0) * $TICK_MS / 1000" | bc -l)" "$(summary "$WORK/$s.out" | cut -d' ' -f2-)"
  [ -n "${KEEP:-}" ] && cp "$WORK/$s.out" "$WORK/smb.log" "$KEEP/" 2>/dev/null
  stop_all
  netns_drop $NS_S $NS_C
done
