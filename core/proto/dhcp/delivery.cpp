#include "proto/dhcp/delivery.h"

namespace pxe::proto::dhcp {

namespace {
constexpr Ipv4 kBroadcast{0xffffffffu};
}

Destination reply_destination(const wire::dhcp::Message& request, const wire::dhcp::Message& reply,
                              const RequestOrigin& origin, std::uint16_t boot_server_port) {
  using wire::dhcp::MessageType;
  Destination d;
  // PXE boot server (PXE 2.1 §2.2.5): the client listens where it sent from (EDK2 on 4011).
  if (origin.local_port == boot_server_port) {
    d.ip = origin.src_ip.is_zero() ? kBroadcast : origin.src_ip;
    d.broadcast = origin.src_ip.is_zero();
    d.port = origin.src_port;
    return d;
  }
  // §4.1: a relayed request is answered to the relay agent's server port.
  if (!request.giaddr.is_zero()) {
    d.ip = request.giaddr;
    d.port = 67;
    return d;
  }
  auto type = reply.message_type();
  // §4.1: "when 'giaddr' is zero, the server broadcasts any DHCPNAK".
  if (type == MessageType::Nak) {
    d.ip = kBroadcast;
    d.broadcast = true;
    return d;
  }
  // §4.1: a client with an address (RENEWING, INFORM) gets its reply at ciaddr.
  if (!request.ciaddr.is_zero()) {
    d.ip = request.ciaddr;
    return d;
  }
  // Broadcast bit set, nothing to unicast to (proxy offers), or a link address we cannot use.
  bool usable_chaddr = request.htype == 1 && request.hlen == 6 && !request.client_mac().is_zero();
  if (request.broadcast() || reply.yiaddr.is_zero() || !usable_chaddr) {
    d.ip = kBroadcast;
    d.broadcast = true;
    return d;
  }
  d.ip = reply.yiaddr;
  d.link_unicast = true;
  d.mac = request.client_mac();
  return d;
}

}  // namespace pxe::proto::dhcp
