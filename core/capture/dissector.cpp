#include "capture/dissector.h"

#include <tins/dot1q.h>
#include <tins/exceptions.h>
#include <tins/loopback.h>
#include <tins/rawpdu.h>
#include <tins/sll.h>

#include <charconv>

#include "capture/checksum.h"
#include "wire/tftp/tftp.h"

namespace pxe::capture {

namespace {

constexpr std::uint16_t kBootpServer = 67, kBootpClient = 68, kTftp = 69, kPxeBootServer = 4011;

bool has_dhcp_cookie(ByteSpan p) {
  return p.size() >= 240 && p[236] == 0x63 && p[237] == 0x82 && p[238] == 0x53 && p[239] == 0x63;
}

std::uint32_t host_order(Tins::IPv4Address a) { return to_ipv4(a).value; }

ByteSpan raw_payload(const Tins::PDU* pdu) {
  if (!pdu) return {};
  const auto* raw = pdu->find_pdu<Tins::RawPDU>();
  if (!raw) return {};
  return ByteSpan(raw->payload().data(), raw->payload().size());
}

std::unique_ptr<Tins::PDU> parse_link(LinkType link, ByteSpan d) {
  const auto* p = d.data();
  auto n = static_cast<std::uint32_t>(d.size());
  switch (link) {
    case LinkType::Ethernet: return std::make_unique<Tins::EthernetII>(p, n);
    case LinkType::LinuxSll: return std::make_unique<Tins::SLL>(p, n);
    case LinkType::RawIp: return std::make_unique<Tins::IP>(p, n);
    case LinkType::Null: return std::make_unique<Tins::Loopback>(p, n);
    case LinkType::Unsupported: break;
  }
  return nullptr;
}

// Bytes before the IP header for the link type (VLAN tags add 4 each).
std::size_t link_header_size(LinkType link, const Tins::PDU& root) {
  std::size_t n = 0;
  switch (link) {
    case LinkType::Ethernet: n = 14; break;
    case LinkType::LinuxSll: n = 16; break;
    case LinkType::Null: n = 4; break;
    default: break;
  }
  for (const Tins::PDU* p = root.inner_pdu(); p; p = p->inner_pdu())
    if (p->pdu_type() == Tins::PDU::DOT1Q) n += 4;
  return n;
}

IcmpQuote parse_quote(ByteSpan q) {
  IcmpQuote r;
  if (q.size() < 20 || (q[0] >> 4) != 4) return r;
  std::size_t ihl = std::size_t(q[0] & 0x0f) * 4;
  if (ihl < 20 || q.size() < ihl) return r;
  r.present = true;
  r.ip_header = q.subspan(0, ihl);
  r.transport = q.subspan(ihl);
  r.protocol = q[9];
  r.src = Ipv4::from_bytes(q.subspan(12, 4));
  r.dst = Ipv4::from_bytes(q.subspan(16, 4));
  if ((r.protocol == 17 || r.protocol == 6) && r.transport.size() >= 4) {
    r.sport = std::uint16_t(r.transport[0] << 8 | r.transport[1]);
    r.dport = std::uint16_t(r.transport[2] << 8 | r.transport[3]);
    r.has_ports = true;
  }
  return r;
}

}  // namespace

Dissector::Dissector(LinkType link) : link_(link) {}
Dissector::~Dissector() = default;

void Dissector::dissect(const RawFrame& f, const Sink& sink) {
  Observation obs;
  obs.number = next_number_++;
  obs.time = f.time;
  obs.wire_len = f.wire_len;
  obs.cap_len = static_cast<std::uint32_t>(f.data.size());
  obs.link = link_;
  obs.raw = f.data;
  ++stats_.frames;

  std::unique_ptr<Tins::PDU> root;
  try {
    root = parse_link(link_, f.data);
  } catch (const std::exception&) {
    // A layer above the link header is malformed or cut short: keep what libtins can read of
    // the link header alone and say where decoding stopped.
    ++stats_.malformed;
    obs.truncated_at = "ip";
    if (link_ == LinkType::Ethernet && f.data.size() >= 14) {
      try {
        root = std::make_unique<Tins::EthernetII>(f.data.data(), 14);
        auto type = static_cast<const Tins::EthernetII&>(*root).payload_type();
        obs.truncated_at = type == 0x0806 ? "arp" : type == 0x0800 ? "ip" : "ether";
      } catch (const std::exception&) {
        root.reset();
      }
    } else if (f.data.size() < 14) {
      obs.truncated_at = "ether";
    }
    if (root) obs.eth = root->find_pdu<Tins::EthernetII>();
    sink(obs);
    return;
  }
  if (!root) {
    sink(obs);
    return;
  }
  obs.eth = root->find_pdu<Tins::EthernetII>();
  gso_out_.clear();
  if (auto* ip = root->find_pdu<Tins::IP>()) {
    try {
      dissect_ip(*root, *ip, obs);
    } catch (const std::exception&) {
      ++stats_.malformed;
      obs.truncated_at = "ip";
    }
  } else if (auto* arp = root->find_pdu<Tins::ARP>()) {
    obs.arp = arp;
  } else if (auto* ip6 = root->find_pdu<Tins::IPv6>()) {
    obs.ip6 = ip6;
    obs.l4_payload = raw_payload(ip6);
  }
  if (gso_out_.empty()) {
    sink(obs);
    return;
  }
  // One frame, several datagrams: each on its own, as the receiver gets them.
  ++stats_.gso_frames;
  obs.gso.count = static_cast<std::uint16_t>(gso_out_.size());
  obs.gso.frame_payload = static_cast<std::uint32_t>(obs.l4_payload.size());
  obs.checksum = Checksum::NotChecked;
  for (std::size_t i = 0; i < gso_out_.size(); ++i) {
    obs.gso.index = static_cast<std::uint16_t>(i);
    obs.l4_payload = gso_out_[i];
    sink(obs);
  }
}

void Dissector::track_fragment(const Tins::IP& ip) {
  auto key = std::make_tuple(ip.id(), host_order(ip.src_addr()), host_order(ip.dst_addr()));
  if (ip.fragment_offset() == 0 || open_reassemblies_.empty() || open_reassemblies_.back() != key)
    open_reassemblies_.push_back(key);
  while (open_reassemblies_.size() > kMaxOpenReassemblies) {
    auto [id, a, b] = open_reassemblies_.front();
    reassembler_.remove_stream(id, Tins::IPv4Address(Tins::Endian::host_to_be(a)),
                               Tins::IPv4Address(Tins::Endian::host_to_be(b)));
    open_reassemblies_.pop_front();
  }
}

void Dissector::dissect_ip(Tins::PDU& root, Tins::IP& ip, Observation& obs) {
  obs.ip = &ip;
  const bool complete_capture = obs.cap_len == obs.wire_len;
  const std::size_t l3 = link_header_size(link_, root);
  ByteSpan ip_raw = obs.raw.size() > l3 ? obs.raw.subspan(l3) : ByteSpan();
  const std::size_t ihl = std::size_t(ip.head_len()) * 4;
  if (ip_raw.size() >= ihl && ihl >= 20) {
    obs.ip_header = ip_raw.subspan(0, ihl);
    std::uint16_t s = fold(sum16(ip_raw.subspan(0, ihl)));
    if (s != 0xffff) {
      obs.ip_checksum_bad = true;
      Bytes hdr(ip_raw.begin(), ip_raw.begin() + std::ptrdiff_t(ihl));
      hdr[10] = hdr[11] = 0;
      obs.ip_checksum_expected = static_cast<std::uint16_t>(~fold(sum16(hdr)));
    }
  }

  if (ip.is_fragmented()) {
    track_fragment(ip);
    if (reassembler_.process(root) == Tins::IPv4Reassembler::FRAGMENTED) {
      ++stats_.fragments_held;
      obs.fragment = Fragment::Held;
      obs.l4_payload = raw_payload(&ip);
      return;
    }
    ++stats_.reassembled;
    obs.fragment = Fragment::Reassembled;
  }

  const std::uint32_t src = host_order(ip.src_addr()), dst = host_order(ip.dst_addr());
  if (auto* udp = ip.find_pdu<Tins::UDP>()) {
    obs.udp = udp;
    ByteSpan payload = raw_payload(udp);
    // Ethernet pads short frames: the UDP length field says where the datagram ends.
    if (udp->length() >= 8 && payload.size() > std::size_t(udp->length() - 8))
      payload = payload.subspan(0, udp->length() - 8);
    obs.l4_payload = payload;
    obs.checksum_field = udp->checksum();
    if (udp->checksum() == 0) {
      obs.checksum = Checksum::Absent;
    } else if (complete_capture && udp->length() == payload.size() + 8) {
      // Pseudo-header + UDP header fields + payload, summed in place (no copy).
      std::uint32_t s = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + 17 +
                        udp->length() + udp->sport() + udp->dport() + udp->length();
      std::uint32_t without = sum16(payload, s);
      bool ok = fold(without + udp->checksum()) == 0xffff;
      obs.checksum = ok ? Checksum::Ok : Checksum::Bad;
      if (!ok) {
        std::uint16_t c = static_cast<std::uint16_t>(~fold(without));
        obs.checksum_expected = c == 0 ? 0xffff : c;
      }
    }
    classify_udp(ip, *udp, obs);
  } else if (auto* tcp = ip.find_pdu<Tins::TCP>()) {
    obs.tcp = tcp;
    obs.l4_payload = raw_payload(tcp);
    obs.checksum_field = tcp->checksum();
    std::size_t tot = ip.tot_len();
    if (complete_capture && obs.fragment == Fragment::None && tot > ihl && ip_raw.size() >= tot) {
      ByteSpan seg = ip_raw.subspan(ihl, tot - ihl);
      std::uint32_t s = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + 6 +
                        std::uint32_t(seg.size());
      bool ok = fold(sum16(seg, s)) == 0xffff;
      obs.checksum = ok ? Checksum::Ok : Checksum::Bad;
      if (!ok) obs.checksum_expected = transport_checksum(src, dst, 6, seg, 16);
    }
    if (obs.l4_payload.size() > tot) obs.l4_payload = obs.l4_payload.subspan(0, 0);
    const std::uint16_t sp = tcp->sport(), dp = tcp->dport();
    const bool syn = tcp->flags() & Tins::TCP::SYN, ack = tcp->flags() & Tins::TCP::ACK;
    if (auto v = smb_conns_.classify(src, sp, dst, dp, syn, ack, obs.l4_payload); v.smb) {
      obs.app = App::Smb2;
      obs.smb_server_port = v.server_port;
      smb_out_.clear();
      smb_.process(root, obs.time, smb_out_);
      // A message is handed on by the segment that completed it, so it travels that way.
      for (const auto& m : smb_out_)
        obs.smb_messages.push_back({ByteSpan(m.payload), m.nbss_type, dp == v.server_port});
    }
  } else if (auto* icmp = ip.find_pdu<Tins::ICMP>()) {
    obs.icmp = icmp;
    obs.l4_payload = raw_payload(icmp);
    switch (icmp->type()) {
      case Tins::ICMP::DEST_UNREACHABLE:
      case Tins::ICMP::TIME_EXCEEDED:
      case Tins::ICMP::PARAM_PROBLEM:
      case Tins::ICMP::SOURCE_QUENCH:
      case Tins::ICMP::REDIRECT:
        obs.icmp_quote = parse_quote(obs.l4_payload);
        break;
      default:
        break;
    }
  } else {
    obs.l4_payload = raw_payload(&ip);
  }
}

void Dissector::classify_udp(const Tins::IP& ip, const Tins::UDP& udp, Observation& obs) {
  const std::uint16_t sp = udp.sport(), dp = udp.dport();
  const std::uint32_t src = host_order(ip.src_addr()), dst = host_order(ip.dst_addr());
  ByteSpan p = obs.l4_payload;
  if (sp == kBootpServer || dp == kBootpServer || sp == kBootpClient || dp == kBootpClient) {
    obs.app = App::Dhcp;
  } else if ((sp == kPxeBootServer || dp == kPxeBootServer) && has_dhcp_cookie(p)) {
    obs.app = App::Dhcp;
  } else if (dp == kTftp) {
    obs.app = App::Tftp;
    if (p.size() >= 2 && p[0] == 0 && (p[1] == 1 || p[1] == 2)) tftp_.on_request(src, sp, dst, obs.time);
  } else if (sp == kTftp || tftp_.matches(src, sp, dst, dp, obs.time)) {
    obs.app = App::Tftp;
  }
  if (obs.app != App::Tftp || obs.fragment != Fragment::None || p.size() < 4 || p[0] != 0) return;
  if (p[1] == 6) {
    // OACK: the block size the transfer's DATA will have (a GSO frame is judged against it).
    auto oack = wire::tftp::parse(p);
    if (!oack) return;
    if (auto* o = std::get_if<wire::tftp::Oack>(&*oack)) {
      if (auto* b = wire::tftp::find_option(o->options, "blksize")) {
        unsigned n = 0;
        auto [end, ec] = std::from_chars(b->value.data(), b->value.data() + b->value.size(), n);
        if (ec == std::errc() && end == b->value.data() + b->value.size() && n >= 8 && n <= 65464)
          tftp_.set_block_size(src, sp, dst, dp, std::uint16_t(n));
      }
    }
  } else if (p[1] == 3) {
    std::uint16_t blksize = tftp_.block_size(src, sp, dst, dp);
    if (blksize && p.size() > std::size_t(blksize) + 4) split_tftp_gso(p, blksize, gso_out_);
  }
}

}  // namespace pxe::capture
