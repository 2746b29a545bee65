#include "print/ip_text.h"

#include <tins/icmpv6.h>

#include "base/addr.h"
#include "capture/checksum.h"
#include "print/dhcp/dhcp_print.h"
#include "print/smb2/smb2_print.h"
#include "print/text_out.h"
#include "print/tftp/tftp_print.h"

namespace pxe::print {

using capture::App;
using capture::Checksum;
using capture::Fragment;
using capture::Observation;

namespace {

std::string_view proto_name(std::uint8_t p) {
  switch (p) {
    case 1: return "ICMP";
    case 2: return "IGMP";
    case 6: return "TCP";
    case 17: return "UDP";
    case 47: return "GRE";
    case 50: return "ESP";
    case 89: return "OSPF";
    default: return "unknown";
  }
}

void addr(std::string& out, Ipv4 a) {
  char buf[16];
  out.append(buf, a.write(buf));
}

Ipv4 ip_at(ByteSpan h, std::size_t off) { return Ipv4::from_bytes(h.subspan(off, 4)); }

}  // namespace

void ip_header_text(ByteSpan h, const Observation* obs, std::string& out) {
  if (h.size() < 20) {
    out += "IP [|ip]";
    return;
  }
  std::uint8_t tos = h[1];
  std::uint16_t len = std::uint16_t(h[2] << 8 | h[3]);
  std::uint16_t id = std::uint16_t(h[4] << 8 | h[5]);
  std::uint16_t off = std::uint16_t(h[6] << 8 | h[7]);
  append(out, "IP (tos 0x{:x}", tos);
  switch (tos & 3) {
    case 1: out += ",ECT(1)"; break;
    case 2: out += ",ECT(0)"; break;
    case 3: out += ",CE"; break;
    default: break;
  }
  append(out, ", ttl {}, id {}, offset {}, flags [", h[8], id, (off & 0x1fff) * 8);
  // tcpdump's order and separator for the three flag bits.
  bool any = false;
  auto flag = [&](bool on, const char* name) {
    if (!on) return;
    if (any) out += ", ";
    out += name;
    any = true;
  };
  flag(off & 0x2000, "+");
  flag(off & 0x4000, "DF");
  flag(off & 0x8000, "rsvd");
  if (!any) out += "none";
  append(out, "], proto {} ({}), length {}", proto_name(h[9]), h[9], len);
  if (h.size() > 20) {
    out += ", options (";
    ByteSpan o = h.subspan(20);
    for (std::size_t i = 0; i < o.size();) {
      if (i) out += ",";
      std::uint8_t type = o[i];
      if (type == 0) { out += "EOL"; break; }
      if (type == 1) { out += "NOP"; ++i; continue; }
      std::size_t olen = i + 1 < o.size() ? o[i + 1] : 0;
      if (olen < 2 || i + olen > o.size()) { out += "[|ip]"; break; }
      if (type == 148)
        out += "RA";
      else
        append(out, "unknown {}", type);
      i += olen;
    }
    out.push_back(')');
  }
  if (obs && obs->ip_checksum_bad)
    append(out, ", bad cksum {:x} (->{:x})!", h[10] << 8 | h[11], obs->ip_checksum_expected);
  out.push_back(')');
}

void udp_app_text(App app, ByteSpan payload, std::string& out) {
  switch (app) {
    case App::Dhcp: dhcp_text(payload, out); return;
    case App::Tftp: tftp_text(payload, out); return;
    default: append(out, "UDP, length {}", payload.size()); return;
  }
}

void udp_text(const Observation& obs, std::string& out) {
  ByteSpan h = obs.ip_header;
  out += "\n    ";
  addr(out, ip_at(h, 12));
  append(out, ".{} > ", obs.udp->sport());
  addr(out, ip_at(h, 16));
  append(out, ".{}: ", obs.udp->dport());
  switch (obs.checksum) {
    case Checksum::Ok: out += "[udp sum ok] "; break;
    case Checksum::Absent: out += "[no cksum] "; break;
    case Checksum::Bad:
      append(out, "[bad udp cksum 0x{:04x} -> 0x{:04x}!] ", obs.checksum_field, obs.checksum_expected);
      break;
    case Checksum::NotChecked: break;
  }
  if (obs.fragment == Fragment::Reassembled)
    append(out, "[reassembled datagram, {} bytes] ", obs.l4_payload.size() + 8);
  if (obs.gso.count)
    append(out, "[GSO frame, datagram {} of {} in its {}-byte payload] ", obs.gso.index + 1,
           obs.gso.count, obs.gso.frame_payload);
  udp_app_text(obs.app, obs.l4_payload, out);
}

void tcp_text(const Observation& obs, std::string& out) {
  const Tins::TCP& t = *obs.tcp;
  ByteSpan h = obs.ip_header;
  out += "\n    ";
  addr(out, ip_at(h, 12));
  append(out, ".{} > ", t.sport());
  addr(out, ip_at(h, 16));
  append(out, ".{}: Flags [", t.dport());
  std::uint16_t f = t.flags();
  std::size_t mark = out.size();
  if (f & Tins::TCP::FIN) out += 'F';
  if (f & Tins::TCP::SYN) out += 'S';
  if (f & Tins::TCP::RST) out += 'R';
  if (f & Tins::TCP::PSH) out += 'P';
  if (f & Tins::TCP::ACK) out += '.';
  if (f & Tins::TCP::URG) out += 'U';
  if (f & Tins::TCP::ECE) out += 'E';
  if (f & Tins::TCP::CWR) out += 'W';
  if (out.size() == mark) out += "none";
  out += "], ";
  switch (obs.checksum) {
    case Checksum::Ok: append(out, "cksum 0x{:04x} (correct), ", obs.checksum_field); break;
    case Checksum::Bad:
      append(out, "cksum 0x{:04x} (incorrect -> 0x{:04x}), ", obs.checksum_field, obs.checksum_expected);
      break;
    default: append(out, "cksum 0x{:04x}, ", obs.checksum_field); break;
  }
  std::size_t len = obs.l4_payload.size();
  if (len || (f & (Tins::TCP::SYN | Tins::TCP::FIN | Tins::TCP::RST)))
    append(out, "seq {}", t.seq());
  if (len) append(out, ":{}", std::uint32_t(t.seq() + len));
  if (f & Tins::TCP::ACK) append(out, "{}ack {}", out.back() == ' ' ? "" : ", ", t.ack_seq());
  append(out, ", win {}", t.window());
  const auto& opts = t.options();
  if (!opts.empty()) {
    out += ", options [";
    bool first = true;
    for (const auto& o : opts) {
      if (!first) out.push_back(',');
      first = false;
      ByteSpan d(o.data_ptr(), o.data_size());
      switch (o.option()) {
        case Tins::TCP::NOP: out += "nop"; break;
        case Tins::TCP::EOL: out += "eol"; break;
        case Tins::TCP::MSS:
          if (d.size() == 2) append(out, "mss {}", d[0] << 8 | d[1]); else out += "mss";
          break;
        case Tins::TCP::WSCALE:
          if (d.size() == 1) append(out, "wscale {}", d[0]); else out += "wscale";
          break;
        case Tins::TCP::SACK_OK: out += "sackOK"; break;
        case Tins::TCP::TSOPT:
          if (d.size() == 8) {
            ByteReader r(d);
            std::uint32_t val = r.u32be(), ecr = r.u32be();
            append(out, "TS val {} ecr {}", val, ecr);
          } else {
            out += "TS";
          }
          break;
        default: append(out, "opt-{}", unsigned(o.option())); break;
      }
    }
    out += "]";
  }
  append(out, ", length {}", len);
  for (const auto& m : obs.smb_messages) {
    if (m.nbss_type == 0x00) {
      smb2_text(m.payload, out);
    } else if (m.nbss_type == 0x85) {
      out += "\n\tNBSS keepalive";
    } else {
      append(out, "\n\tNBSS type 0x{:02x}, length {}", m.nbss_type, m.payload.size());
    }
  }
}

namespace {

// The datagram quoted in an ICMP error, printed like a packet of its own (tcpdump -v does).
void quote_text(const capture::IcmpQuote& q, std::string& out) {
  out += "\n\t";
  ip_header_text(q.ip_header, nullptr, out);
  out += "\n    ";
  addr(out, q.src);
  if (q.has_ports) append(out, ".{}", q.sport);
  out += " > ";
  addr(out, q.dst);
  if (q.has_ports) append(out, ".{}", q.dport);
  out += ": ";
  if (q.protocol != 17 || q.transport.size() < 8) {
    append(out, "ip-proto-{}", q.protocol);
    return;
  }
  ByteSpan u = q.transport;
  std::uint16_t ulen = std::uint16_t(u[4] << 8 | u[5]);
  std::uint16_t sum = std::uint16_t(u[6] << 8 | u[7]);
  if (ulen >= 8 && u.size() >= ulen) {
    ByteSpan seg = u.subspan(0, ulen);
    if (sum == 0) {
      out += "[no cksum] ";
    } else {
      std::uint32_t s = q.src.value, d = q.dst.value;
      std::uint32_t acc = (s >> 16) + (s & 0xffff) + (d >> 16) + (d & 0xffff) + 17 + ulen;
      if (capture::fold(capture::sum16(seg, acc)) == 0xffff)
        out += "[udp sum ok] ";
      else
        append(out, "[bad udp cksum 0x{:04x} -> 0x{:04x}!] ", sum,
               capture::transport_checksum(s, d, 17, seg, 6));
    }
    App app = App::None;
    if (q.sport == 67 || q.sport == 68 || q.dport == 67 || q.dport == 68 || q.dport == 4011)
      app = App::Dhcp;
    else if (q.dport == 69 || q.sport == 69)
      app = App::Tftp;
    udp_app_text(app, seg.subspan(8), out);
  } else {
    append(out, "UDP, length {} [|udp]", ulen >= 8 ? ulen - 8 : 0);
  }
}

}  // namespace

void icmp_text(const Observation& obs, std::string& out) {
  const Tins::ICMP& icmp = *obs.icmp;
  ByteSpan h = obs.ip_header;
  out += "\n    ";
  addr(out, ip_at(h, 12));
  out += " > ";
  addr(out, ip_at(h, 16));
  out += ": ICMP ";
  std::size_t icmp_len = obs.l4_payload.size() + 8;
  const auto& q = obs.icmp_quote;
  auto qproto = [&q]() -> std::string_view {
    return q.protocol == 17 ? "udp" : q.protocol == 6 ? "tcp" : "ip";
  };
  switch (icmp.type()) {
    case Tins::ICMP::ECHO_REQUEST:
      append(out, "echo request, id {}, seq {}", icmp.id(), icmp.sequence());
      break;
    case Tins::ICMP::ECHO_REPLY:
      append(out, "echo reply, id {}, seq {}", icmp.id(), icmp.sequence());
      break;
    case Tins::ICMP::DEST_UNREACHABLE:
      if (!q.present) {
        append(out, "unreachable, code {}", icmp.code());
        break;
      }
      switch (icmp.code()) {
        case 0: out += "net "; addr(out, q.dst); out += " unreachable"; break;
        case 1: out += "host "; addr(out, q.dst); out += " unreachable"; break;
        case 2:
          addr(out, q.dst);
          append(out, " protocol {} unreachable", q.protocol);
          break;
        case 3:
          addr(out, q.dst);
          append(out, " {} port {} unreachable", qproto(), q.dport);
          break;
        case 4:
          addr(out, q.dst);
          append(out, " unreachable - need to frag (mtu {})", icmp.mtu());
          break;
        case 13: addr(out, q.dst); out += " unreachable - admin prohibited filter"; break;
        default:
          addr(out, q.dst);
          append(out, " unreachable - code {}", icmp.code());
          break;
      }
      break;
    case Tins::ICMP::TIME_EXCEEDED:
      out += icmp.code() == 0 ? "time exceeded in-transit" : "ip reassembly time exceeded";
      break;
    default:
      append(out, "type-#{}", unsigned(icmp.type()));
      break;
  }
  append(out, ", length {}", icmp_len);
  if (q.present) quote_text(q, out);
}

void ip6_text(const Observation& obs, std::string& out) {
  const Tins::IPv6& ip6 = *obs.ip6;
  std::uint8_t nh = ip6.next_header();
  std::string_view nh_name = nh == 58 ? "ICMPv6" : nh == 17 ? "UDP" : nh == 6 ? "TCP" : nh == 0 ? "Options" : "unknown";
  append(out, "IP6 (hlim {}, next-header {} ({}) payload length: {}) {} > {}: ", ip6.hop_limit(), nh_name,
         nh, ip6.payload_length(), ip6.src_addr().to_string(), ip6.dst_addr().to_string());
  if (const auto* icmp6 = ip6.find_pdu<Tins::ICMPv6>()) {
    std::string_view name;
    switch (icmp6->type()) {
      case 133: name = "router solicitation"; break;
      case 134: name = "router advertisement"; break;
      case 135: name = "neighbor solicitation"; break;
      case 136: name = "neighbor advertisement"; break;
      case 143: name = "multicast listener report v2"; break;
      default: break;
    }
    if (name.empty())
      append(out, "ICMP6, type {}, length {}", unsigned(icmp6->type()), icmp6->size());
    else
      append(out, "ICMP6, {}, length {}", name, icmp6->size());
  } else if (const auto* udp6 = ip6.find_pdu<Tins::UDP>()) {
    append(out, "UDP, length {}", udp6->length() >= 8 ? udp6->length() - 8 : 0);
  } else {
    append(out, "ip6-proto-{}", nh);
  }
}

void arp_text(const Observation& obs, std::string& out) {
  const Tins::ARP& a = *obs.arp;
  std::size_t len = obs.cap_len >= 14 ? obs.cap_len - 14 : 0;
  if (obs.link == capture::LinkType::LinuxSll) len = obs.cap_len >= 16 ? obs.cap_len - 16 : 0;
  append(out, "ARP, Ethernet (len {}), IPv4 (len {}), ", a.hw_addr_length(), a.prot_addr_length());
  Ipv4 spa = capture::to_ipv4(a.sender_ip_addr());
  Ipv4 tpa = capture::to_ipv4(a.target_ip_addr());
  switch (a.opcode()) {
    case Tins::ARP::REQUEST: {
      out += "Request who-has ";
      addr(out, tpa);
      auto tha = a.target_hw_addr();
      if (tha != Tins::HWAddress<6>()) append(out, " ({})", capture::to_mac(tha).str());
      out += " tell ";
      addr(out, spa);
      break;
    }
    case Tins::ARP::REPLY:
      out += "Reply ";
      addr(out, spa);
      append(out, " is-at {}", capture::to_mac(a.sender_hw_addr()).str());
      break;
    default:
      append(out, "op {}", a.opcode());
      break;
  }
  append(out, ", length {}", len);
}

}  // namespace pxe::print
