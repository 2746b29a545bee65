#!/usr/bin/env bash
# Shared by the DHCP bench scripts: a server and a client namespace joined by a veth pair
# (10.77.0.1/16 server side, 10.77.0.2/16 client side), made with bench/lib.sh. perfdhcp runs in
# the client namespace as a relay (giaddr 10.77.0.2), so replies are unicast and no real interface
# is involved.
. ../lib.sh
NS_S=pxkdbs; NS_C=pxkdbc; IF_S=pxkdbs0; IF_C=pxkdbc0
netns_up() {
  netns_pair $NS_S $NS_C $IF_S $IF_C 10.77.0.1/16 10.77.0.2/16
  # perfdhcp's socket gets the default receive buffer: make room for replies to a burst.
  ip netns exec $NS_C sysctl -qw net.core.rmem_default=8388608 2>/dev/null || true
}
netns_down() { netns_drop $NS_S $NS_C; }
