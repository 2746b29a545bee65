#!/usr/bin/env bash
# DHCP bench: perfdhcp (as a relay, in its own namespace) against pxekit, dnsmasq and kea-dhcp4
# (memfile), one after the other on the same veth pair. Needs root, perfdhcp (kea-admin),
# kea-dhcp4-server, dnsmasq and a built pxekit.
#   bench/dhcp/run.sh [PXEKIT] [RATE] [SECONDS]      # SERVERS="pxekit kea" selects a subset
#   PXEKIT_BEFORE=/path/to/older/pxekit SERVERS="pxekit-before pxekit kea" ...  # A/B in one run
# Prints one line per server: exchanges/s, drop ratios, average latencies (perfdhcp), and the
# time for a burst of 1000 retransmitting clients to be leased (burst.py).
set -uo pipefail
cd "$(dirname "$0")"
. ./netns.sh
PXEKIT=${1:-../../build/tools/pxekit/pxekit}
RATE=${2:-20000}
SECS=${3:-4}
WORK=$(mktemp -d /tmp/pxkdb.XXXXXX)
trap 'stop_server; netns_down; rm -rf "$WORK"' EXIT
SERVER_PID=

start_server() {  # $1 = name
  case $1 in
    pxekit|pxekit-before)
      bin=$PXEKIT; [ "$1" = pxekit-before ] && bin=${PXEKIT_BEFORE:?set PXEKIT_BEFORE for pxekit-before}
      cat >"$WORK/pxekit.conf" <<CONF
port=0
interface=$IF_S
bind-interfaces
dhcp-range=10.77.1.0,10.77.255.250,255.255.0.0,12h
dhcp-leasefile=$WORK/leases.db
CONF
      ip netns exec $NS_S "$bin" serve -C "$WORK/pxekit.conf" --log-level warn >"$WORK/server.log" 2>&1 &
      SERVER_PID=$! ;;
    dnsmasq|dnsmasq-ro)
      extra=(); [ "$1" = dnsmasq-ro ] && extra=(--leasefile-ro --no-ping)
      ip netns exec $NS_S dnsmasq -d -q --port=0 --interface=$IF_S --bind-interfaces \
        --dhcp-range=10.77.1.0,10.77.255.250,255.255.0.0,12h --dhcp-lease-max=1000000 \
        --dhcp-leasefile="$WORK/dnsmasq.leases" --pid-file="$WORK/dnsmasq.pid" "${extra[@]}" \
        >"$WORK/server.log" 2>&1 &
      SERVER_PID=$! ;;
    kea|kea-mt)
      mt='"multi-threading": { "enable-multi-threading": false },'
      [ "$1" = kea-mt ] && mt='"multi-threading": { "enable-multi-threading": true, "thread-pool-size": 2, "packet-queue-size": 64 },'
      cat >"$WORK/kea.json" <<CONF
{ "Dhcp4": {
  "interfaces-config": { "interfaces": [ "$IF_S" ], "dhcp-socket-type": "udp" },
  "lease-database": { "type": "memfile", "persist": true, "name": "$WORK/kea-leases.csv", "lfc-interval": 0 },
  "valid-lifetime": 43200,
  $mt
  "subnet4": [ { "id": 1, "subnet": "10.77.0.0/16", "pools": [ { "pool": "10.77.1.0 - 10.77.255.250" } ] } ],
  "loggers": [ { "name": "kea-dhcp4", "severity": "WARN", "output_options": [ { "output": "$WORK/kea.log" } ] } ]
} }
CONF
      KEA_PIDFILE_DIR=$WORK KEA_LOCKFILE_DIR=$WORK ip netns exec $NS_S kea-dhcp4 -c "$WORK/kea.json" >"$WORK/server.log" 2>&1 &
      SERVER_PID=$! ;;
  esac
  sleep 1
}

stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  kill "$SERVER_PID" 2>/dev/null; sleep 0.5; kill -9 "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null
  SERVER_PID=
}

# CPU time (user + system, clock ticks) a process has used so far.
TICK_US=$((1000000 / $(getconf CLK_TCK)))

perf() { ip netns exec $NS_C perfdhcp -4 -l 10.77.0.2 "$@" 10.77.0.1 2>&1; }

# "cpu/DORA": the server's CPU time (all threads) over the perfdhcp run divided by the exchanges
# it completed: what one lease costs it, whatever share of the machine the load generator takes.
printf '%-11s %10s %9s %9s %10s %10s %10s %12s\n' server "DORA/s" "drop D-O" "drop R-A" "avg D-O" "avg R-A" "cpu/DORA" "1000 burst"
for s in ${SERVERS:-pxekit dnsmasq-ro dnsmasq kea kea-mt}; do
  netns_up; rm -f "$WORK"/*leases* "$WORK/leases.db"*
  start_server $s
  t0=$(cpu_ticks "$SERVER_PID")
  out=$(perf -r "$RATE" -R 1000000 -p "$SECS")
  t1=$(cpu_ticks "$SERVER_PID")
  rate=$(sed -n 's/^Rate: \([0-9.]*\).*/\1/p' <<<"$out")
  cpu=$(awk -v t=$((t1 - t0)) -v us=$TICK_US -v r="${rate:-0}" -v s="$SECS" \
    'BEGIN { if (r > 0) printf "%.0fus", t * us / (r * s); else print "-" }')
  drops=($(sed -n 's/^drops ratio: \([0-9.]*\).*/\1/p' <<<"$out"))
  avgs=($(sed -n 's/^avg delay: \([0-9.]*\).*/\1/p' <<<"$out"))
  stop_server; netns_up; rm -f "$WORK"/*leases* "$WORK/leases.db"*; start_server $s
  # 1000 new clients at once, retransmitting after 1 s: time until all are leased (10 s cap).
  burst=$(ip netns exec $NS_C python3 ./burst.py 10.77.0.1 10.77.0.2 1000 1.0 10)
  printf '%-11s %10s %8s%% %8s%% %8sms %8sms %10s %s\n' $s "${rate:-0}" "${drops[0]:-?}" "${drops[1]:-?}" \
    "${avgs[0]:-?}" "${avgs[1]:-?}" "$cpu" "$burst"
  stop_server
done
