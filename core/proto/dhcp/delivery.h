// Where a server reply goes: RFC 2131 §4.1 (with RFC 1542's table) as a pure function, plus the
// PXE boot server rule (answer a port-4011 request at its source address and port).
#pragma once

#include <cstdint>

#include "base/addr.h"
#include "wire/dhcp/dhcp.h"

namespace pxe::proto::dhcp {

struct Destination {
  Ipv4 ip;                  // 255.255.255.255 for a broadcast
  std::uint16_t port = 68;
  bool broadcast = false;
  // The client has no address yet: send to `ip` at link address `mac` (an ARP entry written
  // first, or a packet socket), because it cannot answer ARP.
  bool link_unicast = false;
  Mac mac;
  friend bool operator==(const Destination&, const Destination&) = default;
};

struct RequestOrigin {
  Ipv4 src_ip;
  std::uint16_t src_port = 68;
  std::uint16_t local_port = 67;  // 4011 for the PXE boot server
};

// `request` as received; `reply` as it will be sent (yiaddr, flags, type already set).
Destination reply_destination(const wire::dhcp::Message& request, const wire::dhcp::Message& reply,
                              const RequestOrigin& origin, std::uint16_t boot_server_port = 4011);

}  // namespace pxe::proto::dhcp
