#include "print/frame_printer.h"

#include <ctime>

#include "base/json_writer.h"
#include "print/dhcp/dhcp_print.h"
#include "print/ip_text.h"
#include "print/smb2/smb2_print.h"
#include "print/text_out.h"
#include "print/tftp/tftp_print.h"

namespace pxe::print {

using capture::App;
using capture::Checksum;
using capture::Fragment;
using capture::Observation;

namespace {

// localtime_r and formatting once per second of capture time, not once per frame.
void clock_time(std::int64_t us, std::string& out, bool date) {
  static thread_local std::int64_t cached_sec = -1;
  static thread_local bool cached_date = false;
  static thread_local std::string prefix;
  std::int64_t sec = us / 1000000;
  if (sec != cached_sec || date != cached_date) {
    std::time_t secs = static_cast<std::time_t>(sec);
    std::tm tm{};
    localtime_r(&secs, &tm);
    prefix.clear();
    if (date) append(prefix, "{:04}-{:02}-{:02} ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    append(prefix, "{:02}:{:02}:{:02}.", tm.tm_hour, tm.tm_min, tm.tm_sec);
    cached_sec = sec;
    cached_date = date;
  }
  out += prefix;
  char buf[8];
  unsigned v = static_cast<unsigned>(us % 1000000);
  for (int i = 5; i >= 0; --i, v /= 10) buf[i] = char('0' + v % 10);
  buf[6] = ' ';
  out.append(buf, 7);
}

std::string mac_str(const Tins::HWAddress<6>& a) { return capture::to_mac(a).str(); }

void duration(std::int64_t us, std::string& out) {
  if (us < 0) {
    out.push_back('-');
    us = -us;
  }
  std::int64_t s = us / 1000000;
  append(out, "{:02}:{:02}:{:02}.{:06} ", s / 3600, s / 60 % 60, s % 60, us % 1000000);
}

}  // namespace

void TextPrinter::timestamp(Timestamp t, std::string& out) {
  if (!have_first_) {
    first_ = prev_ = t;
    have_first_ = true;
  }
  switch (time_) {
    case TimeFormat::None: break;
    case TimeFormat::TimeOfDay: clock_time(t.us, out, false); break;
    case TimeFormat::Date: clock_time(t.us, out, true); break;
    case TimeFormat::Epoch: append(out, "{}.{:06} ", t.us / 1000000, t.us % 1000000); break;
    case TimeFormat::Delta: duration((t - prev_).count(), out); break;
    case TimeFormat::SinceFirst: duration((t - first_).count(), out); break;
  }
  prev_ = t;
}

void TextPrinter::print(const Observation& obs, std::string& out) {
  timestamp(obs.time, out);
  if (obs.ip && !obs.ip_header.empty()) {
    ip_header_text(obs.ip_header, &obs, out);
    if (obs.truncated_at) {
      out += " [|ip]\n";
      return;
    }
    ByteSpan h = obs.ip_header;
    if (obs.fragment == Fragment::Held) {
      Ipv4 src = Ipv4::from_bytes(h.subspan(12, 4)), dst = Ipv4::from_bytes(h.subspan(16, 4));
      std::uint16_t off = std::uint16_t((h[6] << 8 | h[7]) & 0x1fff);
      ByteSpan p = obs.l4_payload;
      if (off == 0 && h[9] == 17 && p.size() >= 8) {
        append(out, "\n    {}.{} > {}.{}: UDP, length {}", src.str(), p[0] << 8 | p[1], dst.str(),
               p[2] << 8 | p[3], std::max(0, (p[4] << 8 | p[5]) - 8));
      } else {
        append(out, "\n    {} > {}: ip-proto-{}", src.str(), dst.str(), h[9]);
      }
    } else if (obs.udp) {
      udp_text(obs, out);
    } else if (obs.tcp) {
      tcp_text(obs, out);
    } else if (obs.icmp) {
      icmp_text(obs, out);
    } else {
      append(out, "\n    {} > {}: ip-proto-{} {}", Ipv4::from_bytes(h.subspan(12, 4)).str(),
             Ipv4::from_bytes(h.subspan(16, 4)).str(), h[9], obs.l4_payload.size());
    }
  } else if (obs.arp) {
    arp_text(obs, out);
  } else if (obs.ip6) {
    ip6_text(obs, out);
  } else if (obs.eth) {
    append(out, "{} > {}, ethertype 0x{:04x}, length {}", mac_str(obs.eth->src_addr()),
           mac_str(obs.eth->dst_addr()), obs.eth->payload_type(), obs.wire_len);
    if (obs.truncated_at) append(out, " [|{}]", obs.truncated_at);
  } else {
    append(out, "frame of {} bytes", obs.wire_len);
    if (obs.truncated_at) append(out, " [|{}]", obs.truncated_at);
  }
  out.push_back('\n');
}

namespace {

std::string_view checksum_name(Checksum c) {
  switch (c) {
    case Checksum::Ok: return "ok";
    case Checksum::Bad: return "bad";
    case Checksum::Absent: return "absent";
    case Checksum::NotChecked: return "unchecked";
  }
  return "unchecked";
}

void ip_json(const Observation& obs, JsonWriter& w) {
  ByteSpan h = obs.ip_header;
  w.key("ip").begin_object();
  w.field("src", Ipv4::from_bytes(h.subspan(12, 4)).str());
  w.field("dst", Ipv4::from_bytes(h.subspan(16, 4)).str());
  w.field("tos", unsigned(h[1]));
  w.field("ttl", unsigned(h[8]));
  w.field("id", unsigned(h[4] << 8 | h[5]));
  std::uint16_t off = std::uint16_t(h[6] << 8 | h[7]);
  w.field("offset", unsigned((off & 0x1fff) * 8));
  w.field("df", bool(off & 0x4000));
  w.field("mf", bool(off & 0x2000));
  w.field("proto", unsigned(h[9]));
  w.field("length", unsigned(h[2] << 8 | h[3]));
  if (obs.ip_checksum_bad) w.field("checksum", "bad");
  if (obs.fragment == Fragment::Held) w.field("fragment", "held");
  if (obs.fragment == Fragment::Reassembled) w.field("fragment", "reassembled");
  w.end_object();
}

}  // namespace

void JsonPrinter::print(const Observation& obs, std::string& out) {
  if (!have_first_) {
    first_ = obs.time;
    have_first_ = true;
  }
  JsonWriter w(out);
  w.begin_object();
  w.field("frame", obs.number);
  w.field("time", double(obs.time.us) / 1e6);
  w.field("time_relative", double((obs.time - first_).count()) / 1e6);
  w.field("length", unsigned(obs.wire_len));
  w.field("caplen", unsigned(obs.cap_len));
  if (obs.eth) {
    w.key("eth").begin_object();
    w.field("src", mac_str(obs.eth->src_addr()));
    w.field("dst", mac_str(obs.eth->dst_addr()));
    w.field("type", unsigned(obs.eth->payload_type()));
    w.end_object();
  }
  if (obs.arp) {
    const Tins::ARP& a = *obs.arp;
    w.key("arp").begin_object();
    w.field("op", a.opcode() == Tins::ARP::REQUEST ? "request"
                  : a.opcode() == Tins::ARP::REPLY ? "reply" : "other");
    w.field("sender_mac", mac_str(a.sender_hw_addr()));
    w.field("sender_ip", capture::to_ipv4(a.sender_ip_addr()).str());
    w.field("target_mac", mac_str(a.target_hw_addr()));
    w.field("target_ip", capture::to_ipv4(a.target_ip_addr()).str());
    w.end_object();
  }
  if (obs.ip && obs.ip_header.size() >= 20) ip_json(obs, w);
  if (obs.fragment != Fragment::Held) {
    if (obs.udp) {
      w.key("udp").begin_object();
      w.field("sport", unsigned(obs.udp->sport()));
      w.field("dport", unsigned(obs.udp->dport()));
      w.field("length", unsigned(obs.l4_payload.size()));
      w.field("checksum", checksum_name(obs.checksum));
      if (obs.checksum == Checksum::Bad) w.field("checksum_expected", unsigned(obs.checksum_expected));
      if (obs.gso.count) {
        w.key("gso").begin_object();
        w.field("datagram", unsigned(obs.gso.index + 1));
        w.field("datagrams", unsigned(obs.gso.count));
        w.field("frame_payload", unsigned(obs.gso.frame_payload));
        w.end_object();
      }
      w.end_object();
      if (obs.app == App::Dhcp) {
        w.key("dhcp");
        dhcp_json(obs.l4_payload, w);
      } else if (obs.app == App::Tftp) {
        w.key("tftp");
        tftp_json(obs.l4_payload, w);
      }
    } else if (obs.tcp) {
      const Tins::TCP& t = *obs.tcp;
      w.key("tcp").begin_object();
      w.field("sport", unsigned(t.sport()));
      w.field("dport", unsigned(t.dport()));
      w.field("seq", std::uint64_t(t.seq()));
      w.field("ack", std::uint64_t(t.ack_seq()));
      w.field("flags", unsigned(t.flags()));
      w.field("window", unsigned(t.window()));
      w.field("length", std::uint64_t(obs.l4_payload.size()));
      w.field("checksum", checksum_name(obs.checksum));
      w.end_object();
      bool any_smb = false;
      for (const auto& m : obs.smb_messages) any_smb |= m.nbss_type == 0;
      if (any_smb) {
        w.key("smb2").begin_array();
        for (const auto& m : obs.smb_messages)
          if (m.nbss_type == 0) smb2_json(m.payload, w);
        w.end_array();
      }
    } else if (obs.icmp) {
      w.key("icmp").begin_object();
      w.field("type", unsigned(obs.icmp->type()));
      w.field("code", unsigned(obs.icmp->code()));
      const auto& q = obs.icmp_quote;
      if (q.present) {
        w.key("orig").begin_object();
        w.field("src", q.src.str());
        w.field("dst", q.dst.str());
        w.field("proto", unsigned(q.protocol));
        if (q.has_ports) {
          w.field("sport", unsigned(q.sport));
          w.field("dport", unsigned(q.dport));
        }
        w.end_object();
      }
      w.end_object();
    }
  }
  if (obs.truncated_at) w.field("truncated", obs.truncated_at);
  w.end_object();
  out.push_back('\n');
}

}  // namespace pxe::print
