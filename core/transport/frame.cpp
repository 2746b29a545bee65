#include "transport/frame.h"

#include <tins/arp.h>
#include <tins/endianness.h>
#include <tins/ethernetII.h>
#include <tins/ip.h>
#include <tins/rawpdu.h>
#include <tins/tcp.h>
#include <tins/udp.h>

#include <algorithm>

namespace pxe::transport {
namespace {

// libtins keeps IPv4 addresses as big-endian integers; Ipv4 is host order.
Tins::IPv4Address tins_ip(Ipv4 a) { return Tins::IPv4Address(Tins::Endian::host_to_be(a.value)); }
Ipv4 our_ip(Tins::IPv4Address a) {
  return Ipv4(Tins::Endian::be_to_host(static_cast<std::uint32_t>(a)));
}
Tins::HWAddress<6> tins_mac(const Mac& m) { return Tins::HWAddress<6>(m.octets.data()); }
Mac our_mac(const Tins::HWAddress<6>& a) {
  Mac m;
  std::copy(a.begin(), a.end(), m.octets.begin());
  return m;
}

Bytes to_bytes(Tins::PDU& pdu) {
  Tins::PDU::serialization_type s = pdu.serialize();
  return Bytes(s.begin(), s.end());
}

constexpr std::size_t kEthHeader = 14;

// The Ethernet and IPv4 addresses of a parsed UdpFrame or TcpFrame.
template <class Frame>
void take_addresses(Frame& f, const Tins::EthernetII& eth, const Tins::IP& ip) {
  f.src_mac = our_mac(eth.src_addr());
  f.dst_mac = our_mac(eth.dst_addr());
  f.src_ip = our_ip(ip.src_addr());
  f.dst_ip = our_ip(ip.dst_addr());
}

}  // namespace

Bytes build_udp_frame(const UdpFrame& f) {
  Tins::EthernetII eth(tins_mac(f.dst_mac), tins_mac(f.src_mac));
  Tins::IP ip(tins_ip(f.dst_ip), tins_ip(f.src_ip));
  ip.ttl(64);
  Tins::UDP udp(f.dst_port, f.src_port);
  Tins::RawPDU raw(f.payload.data(), static_cast<std::uint32_t>(f.payload.size()));
  udp /= raw;
  ip /= udp;
  eth /= ip;
  return to_bytes(eth);
}

Bytes build_tcp_frame(const TcpFrame& f) {
  Tins::EthernetII eth(tins_mac(f.dst_mac), tins_mac(f.src_mac));
  Tins::IP ip(tins_ip(f.dst_ip), tins_ip(f.src_ip));
  ip.ttl(64);
  Tins::TCP tcp(f.dst_port, f.src_port);
  const auto& s = f.segment;
  tcp.seq(s.seq);
  tcp.ack_seq(s.ack);
  tcp.flags(s.flags);
  tcp.window(s.window);
  if (s.mss) tcp.mss(*s.mss);
  if (s.wscale) tcp.winscale(*s.wscale);
  if (!s.payload.empty()) {
    Tins::RawPDU raw(s.payload.data(), static_cast<std::uint32_t>(s.payload.size()));
    tcp /= raw;
  }
  ip /= tcp;
  eth /= ip;
  return to_bytes(eth);
}

Bytes build_arp_frame(const ArpFrame& a, Mac dst_mac) {
  Tins::EthernetII eth(tins_mac(dst_mac), tins_mac(a.sender_mac));
  Tins::ARP arp(tins_ip(a.target_ip), tins_ip(a.sender_ip), tins_mac(a.target_mac),
                tins_mac(a.sender_mac));
  arp.opcode(a.request ? Tins::ARP::REQUEST : Tins::ARP::REPLY);
  eth /= arp;
  return to_bytes(eth);
}

std::optional<Mac> frame_dst_mac(ByteSpan frame) {
  if (frame.size() < kEthHeader) return std::nullopt;
  return Mac::from_bytes(frame);
}

BroadcastAddressee broadcast_addressee(ByteSpan frame) {
  BroadcastAddressee a;
  if (frame.size() < kEthHeader) return a;
  const unsigned ethertype = unsigned(frame[12]) << 8 | frame[13];
  if (ethertype == 0x0806) {
    // htype 1, ptype 0x0800, hlen 6, plen 4, op 1 (request); the target address ends at 42.
    static constexpr std::uint8_t kEthIpv4Request[] = {0, 1, 8, 0, 6, 4, 0, 1};
    if (frame.size() >= kEthHeader + 28 &&
        std::equal(std::begin(kEthIpv4Request), std::end(kEthIpv4Request), frame.begin() + kEthHeader))
      a.arp_target = Ipv4::from_bytes(frame.subspan(kEthHeader + 24, 4));
    return a;
  }
  if (ethertype != 0x0800 || frame.size() < kEthHeader + 20) return a;
  ByteSpan ip = frame.subspan(kEthHeader);
  const std::size_t ihl = std::size_t(ip[0] & 0x0f) * 4;
  if ((ip[0] >> 4) != 4 || ihl < 20 || ip[9] != 17 /* UDP */) return a;
  // BOOTP: op at 0 of the payload, chaddr at 28; the UDP header is 8 bytes.
  if (ip.size() < ihl + 8 + 28 + 6) return a;
  const unsigned src_port = unsigned(ip[ihl]) << 8 | ip[ihl + 1];
  if ((src_port == 67 || src_port == 4011) && ip[ihl + 8] == 2 /* BOOTREPLY */)
    a.chaddr = Mac::from_bytes(ip.subspan(ihl + 8 + 28, 6));
  return a;
}

ParsedFrame parse_frame(ByteSpan frame) {
  if (frame.size() < kEthHeader) return std::monostate{};
  try {
    Tins::EthernetII eth(frame.data(), static_cast<std::uint32_t>(frame.size()));
    if (const auto* arp = eth.find_pdu<Tins::ARP>()) {
      // Only Ethernet/IPv4 ARP: hardware type 1, protocol 0x0800, lengths 6 and 4.
      if (arp->hw_addr_format() != 1 || arp->prot_addr_format() != 0x0800 ||
          arp->hw_addr_length() != 6 || arp->prot_addr_length() != 4)
        return std::monostate{};
      if (arp->opcode() != Tins::ARP::REQUEST && arp->opcode() != Tins::ARP::REPLY)
        return std::monostate{};
      ArpFrame a;
      a.request = arp->opcode() == Tins::ARP::REQUEST;
      a.sender_mac = our_mac(arp->sender_hw_addr());
      a.sender_ip = our_ip(arp->sender_ip_addr());
      a.target_mac = our_mac(arp->target_hw_addr());
      a.target_ip = our_ip(arp->target_ip_addr());
      return a;
    }
    const auto* ip = eth.find_pdu<Tins::IP>();
    if (!ip) return std::monostate{};
    // A fragment (libtins leaves its payload raw) is not a whole datagram.
    if (ip->is_fragmented()) return std::monostate{};
    std::size_t ip_offset = kEthHeader;
    for (const Tins::PDU* p = eth.inner_pdu(); p && p != ip; p = p->inner_pdu())
      if (p->pdu_type() == Tins::PDU::DOT1Q) ip_offset += 4;
    std::size_t ip_header = ip->head_len() * 4u;
    if (const auto* tcp = ip->find_pdu<Tins::TCP>()) {
      const std::size_t tcp_header = tcp->data_offset() * 4u;
      if (ip->tot_len() > frame.size() - ip_offset || ip->tot_len() < ip_header + tcp_header) return std::monostate{};
      TcpFrame f;
      take_addresses(f, eth, *ip);
      f.src_port = tcp->sport();
      f.dst_port = tcp->dport();
      auto& s = f.segment;
      s.seq = tcp->seq();
      s.ack = tcp->ack_seq();
      s.flags = static_cast<std::uint8_t>(tcp->flags() & 0x3f);
      s.window = tcp->window();
      if (const auto* o = tcp->search_option(Tins::TCP::MSS); o && o->data_size() == 2)
        s.mss = static_cast<std::uint16_t>(o->data_ptr()[0] << 8 | o->data_ptr()[1]);
      if (const auto* o = tcp->search_option(Tins::TCP::WSCALE); o && o->data_size() == 1) s.wscale = o->data_ptr()[0];
      // The payload from the frame's own bytes: the IPv4 total length says where it ends
      // (Ethernet padding may follow).
      const std::size_t from = ip_offset + ip_header + tcp_header, to = ip_offset + ip->tot_len();
      s.payload.assign(frame.begin() + static_cast<std::ptrdiff_t>(from), frame.begin() + static_cast<std::ptrdiff_t>(to));
      return f;
    }
    const auto* udp = ip->find_pdu<Tins::UDP>();
    if (!udp) return std::monostate{};
    if (udp->length() < 8) return std::monostate{};
    // libtins reads what is there; the lengths must also agree with the bytes (IPv4 total
    // length within the frame, the UDP datagram within the IPv4 packet).
    if (ip->tot_len() > frame.size() - ip_offset || ip->tot_len() < ip_header + udp->length())
      return std::monostate{};
    UdpFrame f;
    take_addresses(f, eth, *ip);
    f.src_port = udp->sport();
    f.dst_port = udp->dport();
    if (const auto* raw = udp->find_pdu<Tins::RawPDU>()) {
      const auto& p = raw->payload();
      // Ethernet padding may follow the datagram: the UDP length says where it ends.
      std::size_t n = std::min<std::size_t>(p.size(), udp->length() - 8u);
      if (n < std::size_t(udp->length() - 8u)) return std::monostate{};  // truncated
      f.payload.assign(p.begin(), p.begin() + static_cast<std::ptrdiff_t>(n));
    } else if (udp->length() != 8) {
      return std::monostate{};
    }
    return f;
  } catch (...) {
    // libtins throws malformed_packet (and others) on frames it cannot read.
    return std::monostate{};
  }
}

}  // namespace pxe::transport
