#!/usr/bin/env bash
# Shared by the DHCP bench scripts: a server and a client namespace joined by a veth pair
# (10.77.0.1/16 server side, 10.77.0.2/16 client side). perfdhcp runs in the client namespace
# as a relay (giaddr 10.77.0.2), so replies are unicast and no real interface is involved.
NS_S=pxkdbs; NS_C=pxkdbc; IF_S=pxkdbs0; IF_C=pxkdbc0
netns_up() {
  netns_down
  ip netns add $NS_S && ip netns add $NS_C
  ip link add $IF_S netns $NS_S type veth peer name $IF_C netns $NS_C
  ip -n $NS_S addr add 10.77.0.1/16 dev $IF_S; ip -n $NS_S link set $IF_S up; ip -n $NS_S link set lo up
  ip -n $NS_C addr add 10.77.0.2/16 dev $IF_C; ip -n $NS_C link set $IF_C up; ip -n $NS_C link set lo up
  # perfdhcp's socket gets the default receive buffer: make room for replies to a burst.
  ip netns exec $NS_C sysctl -qw net.core.rmem_default=8388608 2>/dev/null || true
}
netns_down() { ip netns del $NS_S 2>/dev/null; ip netns del $NS_C 2>/dev/null; true; }
