// Ethernet II frames as the in-memory Link and a packet socket carry them: IPv4/UDP datagrams,
// IPv4/TCP segments and ARP, built and parsed with libtins. Building fills in lengths and both checksums; parsing
// never throws: anything else (IPv6, a fragment, a short or malformed frame) is std::monostate.
#pragma once

#include <cstdint>
#include <optional>
#include <variant>

#include "base/addr.h"
#include "base/bytes.h"
#include "wire/tcp/segment.h"

namespace pxe::transport {

inline constexpr Mac kBroadcastMac{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
inline constexpr Ipv4 kBroadcastIpv4{0xffffffffu};

struct UdpFrame {
  Mac src_mac, dst_mac;
  Ipv4 src_ip, dst_ip;
  std::uint16_t src_port = 0, dst_port = 0;
  Bytes payload;
  friend bool operator==(const UdpFrame&, const UdpFrame&) = default;
};

struct ArpFrame {
  bool request = true;  // false: a reply
  Mac sender_mac;
  Ipv4 sender_ip;
  Mac target_mac;
  Ipv4 target_ip;
  friend bool operator==(const ArpFrame&, const ArpFrame&) = default;
};

struct TcpFrame {
  Mac src_mac, dst_mac;
  Ipv4 src_ip, dst_ip;
  std::uint16_t src_port = 0, dst_port = 0;
  wire::tcp::Segment segment;
  friend bool operator==(const TcpFrame&, const TcpFrame&) = default;
};

// A checksummed IPv4/UDP datagram in an Ethernet II frame (padded to the 60-byte minimum).
Bytes build_udp_frame(const UdpFrame& f);
// An ARP packet in an Ethernet II frame; dst_mac is ff:ff:ff:ff:ff:ff for a request.
Bytes build_arp_frame(const ArpFrame& a, Mac dst_mac);

// A checksummed IPv4/TCP segment (MSS and window-scale options when the segment has them).
Bytes build_tcp_frame(const TcpFrame& f);

// monostate: not IPv4/UDP, IPv4/TCP or ARP over Ethernet II, or malformed.
using ParsedFrame = std::variant<std::monostate, UdpFrame, ArpFrame, TcpFrame>;
ParsedFrame parse_frame(ByteSpan frame);

// The destination MAC of a frame (its first 6 bytes); nullopt when shorter than a header.
std::optional<Mac> frame_dst_mac(ByteSpan frame);

// Whom a broadcast names inside, read at fixed offsets without parsing the frame: a BOOTP reply's
// chaddr (IPv4/UDP from port 67 or 4011), an ARP request's target address. Hundreds of simulated
// clients share one segment and each hears every broadcast; this lets a client skip the others'
// before paying for parse_frame(). Both empty for anything else (or too short to say).
struct BroadcastAddressee {
  std::optional<Mac> chaddr;
  std::optional<Ipv4> arp_target;
};
BroadcastAddressee broadcast_addressee(ByteSpan frame);

}  // namespace pxe::transport
