// Sockets for the DHCP server: UDP 67 (and 4011) with SO_BROADCAST and IP_PKTINFO (which
// interface a request came in on, which address it was sent to), optionally bound to one
// device (SO_BINDTODEVICE); sending with a chosen interface and source address; and the ARP
// entry that lets a reply be unicast to a client that has no address yet (SIOCSARP).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/addr.h"
#include "base/bytes.h"
#include "base/result.h"
#include "base/unique_fd.h"

namespace pxe::transport {

struct NetInterface {
  std::string name;
  int index = 0;
  Ipv4 address;  // the first IPv4 address
  Ipv4 netmask;
};

// The machine's (or network namespace's) interfaces with an IPv4 address.
Result<std::vector<NetInterface>> list_interfaces();

struct DhcpDatagram {
  Bytes bytes;
  int ifindex = 0;
  Ipv4 src;
  std::uint16_t src_port = 0;
  Ipv4 dst;
};

// One datagram to send (see DhcpSocket::send).
struct DhcpOutgoing {
  ByteSpan bytes;
  Ipv4 to;
  std::uint16_t port = 0;
  int ifindex = 0;
  Ipv4 from;
};

class DhcpSocket {
 public:
  DhcpSocket() = default;

  // Binds 0.0.0.0:port (broadcasts arrive there), non-blocking. `device` non-empty: only that
  // interface's traffic (SO_BINDTODEVICE; several such sockets share the port).
  static Result<DhcpSocket> open(std::uint16_t port, const std::string& device);

  int fd() const { return fd_.get(); }
  std::uint16_t port() const { return port_; }

  // Up to `max` waiting datagrams, without blocking (recvmmsg, many per system call); empty when
  // none wait.
  std::vector<DhcpDatagram> receive(std::size_t max);
  // Sends out of interface `ifindex` from `from` (IP_PKTINFO); `to` may be 255.255.255.255.
  Result<void> send(ByteSpan bytes, Ipv4 to, std::uint16_t port, int ifindex, Ipv4 from);
  // Sends all of `out` with as few system calls as possible (sendmmsg); returns the first error
  // (the other datagrams are still sent).
  Result<void> send_many(const std::vector<DhcpOutgoing>& out);
  // Writes a complete ARP entry ip -> mac on `device`, so a unicast reaches a client that cannot
  // answer ARP yet (RFC 2131 §4.1, the client has no address).
  Result<void> set_arp_entry(const std::string& device, Ipv4 ip, const Mac& mac);

 private:
  UniqueFd fd_;
  std::uint16_t port_ = 0;
  Bytes rx_;  // receive buffers, allocated on first use
};

// ICMP echo for the DHCP server's ping check (a raw ICMP socket: needs root or CAP_NET_RAW).
// The kernel filter (ICMP_FILTER) lets only echo replies through, so other ICMP traffic never
// wakes the server. Requests carry an identifier drawn from getrandom() per socket; replies with
// another identifier are dropped, so an off-path host cannot guess one to make a free address
// look in use. Replies are then matched by source and sequence.
class PingSocket {
 public:
  PingSocket() = default;

  static Result<PingSocket> open();
  int fd() const { return fd_.get(); }
  std::uint16_t ident() const { return ident_; }
  Result<void> send_echo(Ipv4 to, std::uint16_t seq);
  struct Reply {
    Ipv4 from;
    std::uint16_t seq = 0;
  };
  // Echo replies to our requests waiting on the socket, without blocking.
  std::vector<Reply> receive();

 private:
  UniqueFd fd_;
  std::uint16_t ident_ = 0;
};

}  // namespace pxe::transport
