#!/usr/bin/env bash
# Shared by the bench scripts (sourced): a server and a client namespace joined by one veth pair,
# and a process's CPU time. Only namespaces and veths the script names are made and removed.

# netns_pair <server ns> <client ns> <server if> <client if> <server cidr> [client cidr]
netns_pair() {
  netns_drop "$1" "$2"
  ip netns add "$1" && ip netns add "$2"
  ip link add "$3" netns "$1" type veth peer name "$4" netns "$2"
  ip -n "$1" addr add "$5" dev "$3"
  [ -n "${6:-}" ] && ip -n "$2" addr add "$6" dev "$4"
  ip -n "$1" link set "$3" up; ip -n "$1" link set lo up
  ip -n "$2" link set "$4" up; ip -n "$2" link set lo up
}
# netns_drop <ns>...: every process left in them killed, then the namespaces (and their veths).
netns_drop() {
  local ns left
  for ns in "$@"; do
    ip netns list | grep -qw "$ns" || continue
    left=$(ip netns pids "$ns"); [ -n "$left" ] && kill -9 $left 2>/dev/null
    ip netns del "$ns"
  done
  true
}
# cpu_ticks <pid> [self|children|all]: clock ticks of user+system time (children: reaped ones).
cpu_ticks() {
  case ${2:-self} in
    self) awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0 ;;
    children) awk '{print $16 + $17}' "/proc/$1/stat" 2>/dev/null || echo 0 ;;
    all) awk '{print $14 + $15 + $16 + $17}' "/proc/$1/stat" 2>/dev/null || echo 0 ;;
  esac
}
TICK_MS=$((1000 / $(getconf CLK_TCK)))
