// What the dissector hands on for each frame: libtins' layers, our classification of the
// application payload, checksum verdicts, and the SMB2 messages this frame completed.
#pragma once

#include <tins/arp.h>
#include <tins/ethernetII.h>
#include <tins/icmp.h>
#include <tins/ip.h>
#include <tins/ipv6.h>
#include <tins/tcp.h>
#include <tins/endianness.h>
#include <tins/udp.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "base/addr.h"
#include "base/bytes.h"
#include "base/clock.h"
#include "capture/source.h"

namespace pxe::capture {

// libtins keeps IPv4 addresses as big-endian integers; Ipv4 is host order.
inline Ipv4 to_ipv4(Tins::IPv4Address a) {
  return Ipv4(Tins::Endian::be_to_host(static_cast<std::uint32_t>(a)));
}

// libtins' HWAddress -> our Mac (whose text form needs no ostringstream).
inline Mac to_mac(const Tins::HWAddress<6>& a) {
  Mac m;
  std::copy(a.begin(), a.end(), m.octets.begin());
  return m;
}

enum class App : std::uint8_t {
  None,
  Dhcp,   // BOOTP/DHCP on 67/68, or with the magic cookie on 4011 (PXE boot server)
  Tftp,   // port 69, or a transfer's ephemeral ports opened by an RRQ/WRQ
  Smb2,   // NetBIOS session service on TCP 445/139, or on any port by content (smb_connections.h)
};

enum class Checksum : std::uint8_t {
  NotChecked,  // fragment, truncated capture, or not a transport we verify
  Absent,      // UDP checksum field 0 (sender did not compute one)
  Ok,
  Bad,
};

enum class Fragment : std::uint8_t {
  None,
  Held,         // a fragment of a datagram not complete yet (printed as such)
  Reassembled,  // this frame completed a datagram; the layers above IP are the whole datagram
};

// The IP/UDP/TCP header quoted in an ICMP error (RFC 792: IP header + at least 8 bytes).
struct IcmpQuote {
  bool present = false;
  ByteSpan ip_header;   // as quoted
  ByteSpan transport;   // the bytes after the quoted IP header (may be short)
  std::uint8_t protocol = 0;
  Ipv4 src, dst;
  std::uint16_t sport = 0, dport = 0;
  bool has_ports = false;
};

// One datagram of a sender's UDP segmentation offload frame (see split_tftp_gso in
// tftp_follower.h): the dissector hands each datagram on as its own Observation, all with the
// frame's number, l4_payload the datagram alone.
struct GsoSegment {
  std::uint16_t index = 0;        // 0-based
  std::uint16_t count = 0;        // datagrams in the frame; 0: not from a GSO frame
  std::uint32_t frame_payload = 0;  // the frame's whole UDP payload, in bytes
};

struct SmbMessage {
  ByteSpan payload;       // one NBSS session message (after the 4-byte header)
  std::uint8_t nbss_type = 0;
  bool from_client = false;
};

struct Observation {
  std::uint64_t number = 0;  // 1-based frame number
  Timestamp time;
  std::uint32_t wire_len = 0;
  std::uint32_t cap_len = 0;
  LinkType link = LinkType::Unsupported;

  const Tins::EthernetII* eth = nullptr;
  const Tins::ARP* arp = nullptr;
  const Tins::IP* ip = nullptr;
  const Tins::IPv6* ip6 = nullptr;
  const Tins::UDP* udp = nullptr;
  const Tins::TCP* tcp = nullptr;
  const Tins::ICMP* icmp = nullptr;

  ByteSpan ip_header;        // the IPv4 header as captured (fields before any reassembly)
  Fragment fragment = Fragment::None;
  ByteSpan l4_payload;       // UDP/TCP payload, or the ICMP body after its 8-byte header
  App app = App::None;
  Checksum checksum = Checksum::NotChecked;
  std::uint16_t checksum_field = 0;     // as sent
  std::uint16_t checksum_expected = 0;  // what it should have been (when Bad)
  bool ip_checksum_bad = false;
  std::uint16_t ip_checksum_expected = 0;
  IcmpQuote icmp_quote;
  GsoSegment gso;  // a datagram of a GSO frame: its checksum is NotChecked (the frame's covers all)
  std::vector<SmbMessage> smb_messages;
  std::uint16_t smb_server_port = 0;  // App::Smb2: the port the SMB server listens on

  // Non-empty when the frame could not be dissected completely: the layer where it stopped
  // ("ether", "ip", "udp", "arp", ...) — printed like tcpdump's "[|ip]".
  const char* truncated_at = nullptr;
  ByteSpan raw;
};

}  // namespace pxe::capture
