#include "client/faults.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <fmt/format.h>
#include <variant>

#include "transport/frame.h"
#include "wire/dhcp/dhcp.h"
#include "wire/smb2/header.h"
#include "wire/tftp/tftp.h"

namespace pxe::client {

namespace {

constexpr std::array kKindNames = {
    std::pair{FrameKind::DhcpOffer, "dhcp-offer"},       std::pair{FrameKind::DhcpAck, "dhcp-ack"},
    std::pair{FrameKind::DhcpNak, "dhcp-nak"},           std::pair{FrameKind::DhcpReply, "dhcp"},
    std::pair{FrameKind::ProxyReply, "proxy"},           std::pair{FrameKind::TftpOack, "tftp-oack"},
    std::pair{FrameKind::TftpData, "tftp-data"},         std::pair{FrameKind::TftpError, "tftp-error"},
    std::pair{FrameKind::TftpFromServer, "tftp"},        std::pair{FrameKind::ArpReply, "arp-reply"},
    std::pair{FrameKind::Smb, "smb"},                    std::pair{FrameKind::SmbSessionSetup, "smb-session-setup"},
    std::pair{FrameKind::DhcpDiscover, "dhcp-discover"}, std::pair{FrameKind::DhcpRequest, "dhcp-request"},
    std::pair{FrameKind::TftpRrq, "tftp-rrq"},           std::pair{FrameKind::TftpAck, "tftp-ack"},
};

std::optional<FrameKind> kind_from_name(std::string_view s) {
  for (const auto& [k, n] : kKindNames)
    if (s == n) return k;
  return std::nullopt;
}

std::string kind_list() {
  std::string out;
  for (const auto& [k, n] : kKindNames) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

std::optional<unsigned> parse_uint(std::string_view s) {
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    auto i = s.find(sep);
    out.push_back(s.substr(0, i));
    if (i == std::string_view::npos) break;
    s.remove_prefix(i + 1);
  }
  return out;
}

bool is_dhcp_port(std::uint16_t p) { return p == 67 || p == 68 || p == 4011; }

// The DHCP reply with option `code` altered, re-encoded into a fresh frame; nullopt when the
// frame is not such a reply.
std::optional<Bytes> corrupt_option(const transport::UdpFrame& udp, std::uint8_t code) {
  auto msg = wire::dhcp::parse(udp.payload);
  if (!msg || msg->op != 2) return std::nullopt;
  bool changed = false;
  for (auto& o : msg->options) {
    if (o.code != code) continue;
    for (auto& b : o.data) b ^= 0x80;
    changed = true;
  }
  if (!changed) return std::nullopt;
  transport::UdpFrame out = udp;
  out.payload = wire::dhcp::encode(*msg);
  return transport::build_udp_frame(out);
}

constexpr std::uint16_t kSmbPort = 445;

// A RST in place of `tcp`, from the same sender at the same place in its stream.
Bytes reset_of(const transport::TcpFrame& tcp) {
  transport::TcpFrame r = tcp;
  r.segment.flags = wire::tcp::flag::kRst | wire::tcp::flag::kAck;
  r.segment.payload.clear();
  r.segment.window = 0;
  r.segment.mss.reset();
  r.segment.wscale.reset();
  return transport::build_tcp_frame(r);
}

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
  struct Unit { std::string_view suffix; std::int64_t us; };
  static constexpr Unit kUnits[] = {{"ms", 1000}, {"us", 1}, {"s", 1000000}, {"", 1000000}};
  for (const auto& u : kUnits) {
    if (text.size() < u.suffix.size() || text.substr(text.size() - u.suffix.size()) != u.suffix) continue;
    auto n = parse_uint(text.substr(0, text.size() - u.suffix.size()));
    if (!n) return std::nullopt;
    return Duration(std::int64_t(*n) * u.us);
  }
  return std::nullopt;
}

Result<Fault> parse_fault(std::string_view spec) {
  Fault f;
  f.spec = std::string(spec);
  auto parts = split(spec, ':');
  auto bad = [&](std::string why) { return make_error(fmt::format("--fault {}: {}", spec, why)); };
  const auto& verb = parts[0];
  if (verb == "no-arp-reply") {
    if (parts.size() != 1) return bad("no-arp-reply takes no argument");
    f.type = Fault::Type::NoArpReply;
    f.what = FrameKind::ArpReply;
    return f;
  }
  if (verb == "mtu") {
    auto n = parts.size() == 2 ? parse_uint(parts[1]) : std::nullopt;
    if (!n || *n < 68 || *n > 65535) return bad("expected mtu:N with N an IP packet size from 68 to 65535");
    f.type = Fault::Type::Mtu;
    f.mtu = *n;
    return f;
  }
  if (verb == "corrupt") {
    auto code = parts.size() == 2 && parts[1].starts_with("opt") ? parse_uint(parts[1].substr(3)) : std::nullopt;
    if (!code || *code == 0 || *code > 254) return bad("expected corrupt:optNN with NN a DHCP option code (1-254)");
    f.type = Fault::Type::Corrupt;
    f.option = std::uint8_t(*code);
    return f;
  }
  if (verb == "reset") {
    auto kind = parts.size() == 2 ? kind_from_name(parts[1]) : std::nullopt;
    if (!kind || (*kind != FrameKind::Smb && *kind != FrameKind::SmbSessionSetup))
      return bad("expected reset:smb or reset:smb-session-setup (a TCP kind)");
    f.type = Fault::Type::Reset;
    f.what = *kind;
    return f;
  }
  if (verb == "drop" || verb == "delay") {
    if (parts.size() < 2) return bad(fmt::format("expected {}:WHAT (one of {})", verb, kind_list()));
    auto kind = kind_from_name(parts[1]);
    if (!kind) return bad(fmt::format("unknown frame kind '{}' (one of {})", parts[1], kind_list()));
    f.what = *kind;
    if (verb == "drop") {
      f.type = Fault::Type::Drop;
      if (parts.size() == 3) {
        f.count = parse_uint(parts[2]);
        if (!f.count || *f.count == 0) return bad("expected drop:WHAT:N with N a positive count");
      } else if (parts.size() > 3) {
        return bad("expected drop:WHAT[:N]");
      }
      return f;
    }
    f.type = Fault::Type::Delay;
    auto d = parts.size() == 3 ? parse_duration(parts[2]) : std::nullopt;
    if (!d) return bad("expected delay:WHAT:DURATION (5s, 1500ms)");
    f.delay = *d;
    return f;
  }
  return bad("unknown fault (drop:WHAT[:N], delay:WHAT:DUR, reset:WHAT, corrupt:optNN, no-arp-reply, mtu:N)");
}

std::vector<FrameKind> classify_frame(ByteSpan frame) {
  std::vector<FrameKind> out;
  auto parsed = transport::parse_frame(frame);
  if (auto* arp = std::get_if<transport::ArpFrame>(&parsed)) {
    if (!arp->request) out.push_back(FrameKind::ArpReply);
    return out;
  }
  if (auto* tcp = std::get_if<transport::TcpFrame>(&parsed)) {
    if (tcp->src_port != kSmbPort) return out;
    out.push_back(FrameKind::Smb);
    // A response starts the segment: the NBSS length, then the SMB2 header.
    const auto& p = tcp->segment.payload;
    if (p.size() >= 4 + wire::smb2::kHeaderSize) {
      auto h = wire::smb2::parse_header(ByteSpan(p).subspan(4));
      if (h && h->is_response() && h->command == std::uint16_t(wire::smb2::Command::SessionSetup))
        out.push_back(FrameKind::SmbSessionSetup);
    }
    return out;
  }
  auto* udp = std::get_if<transport::UdpFrame>(&parsed);
  if (!udp) return out;
  if (is_dhcp_port(udp->src_port) && is_dhcp_port(udp->dst_port)) {
    auto msg = wire::dhcp::parse(udp->payload);
    if (!msg) return out;
    auto type = msg->message_type();
    using MT = wire::dhcp::MessageType;
    if (msg->op == 2) {
      out.push_back(FrameKind::DhcpReply);
      if (udp->src_port == 4011) out.push_back(FrameKind::ProxyReply);
      if (type == MT::Offer) out.push_back(FrameKind::DhcpOffer);
      if (type == MT::Ack) out.push_back(FrameKind::DhcpAck);
      if (type == MT::Nak) out.push_back(FrameKind::DhcpNak);
    } else {
      if (type == MT::Discover) out.push_back(FrameKind::DhcpDiscover);
      if (type == MT::Request) out.push_back(FrameKind::DhcpRequest);
    }
    return out;
  }
  auto pkt = wire::tftp::parse(udp->payload);
  if (!pkt) return out;
  switch (wire::tftp::opcode_of(*pkt)) {
    case wire::tftp::Opcode::Rrq: out.push_back(FrameKind::TftpRrq); break;
    case wire::tftp::Opcode::Ack: out.push_back(FrameKind::TftpAck); break;
    case wire::tftp::Opcode::Data: out = {FrameKind::TftpFromServer, FrameKind::TftpData}; break;
    case wire::tftp::Opcode::Oack: out = {FrameKind::TftpFromServer, FrameKind::TftpOack}; break;
    case wire::tftp::Opcode::Error:
      // Either side sends ERROR (the firmware's tsize probe ends with one), and nothing in the
      // frame says which: an ERROR is only ever tftp-error, never part of "tftp".
      out.push_back(FrameKind::TftpError);
      break;
    default: break;
  }
  return out;
}

FaultInjector::FaultInjector(std::vector<Fault> faults) : state_(std::make_shared<State>()) {
  state_->hits.assign(faults.size(), 0);
  state_->faults = std::move(faults);
}

transport::FrameVerdict FaultInjector::operator()(ByteSpan frame, Timestamp) {
  transport::FrameVerdict v;
  auto& st = *state_;
  std::vector<FrameKind> kinds;
  bool classified = false;
  for (std::size_t i = 0; i < st.faults.size(); ++i) {
    const Fault& f = st.faults[i];
    if (f.type == Fault::Type::Mtu) {
      constexpr std::size_t kEthernetHeader = 14;
      if (frame.size() > kEthernetHeader + f.mtu) {
        v.drop = true;
        st.log.push_back(fmt::format("{}: dropped a {}-byte frame", f.spec, frame.size()));
      }
      continue;
    }
    if (f.type == Fault::Type::Corrupt) {
      auto parsed = transport::parse_frame(v.replace ? ByteSpan(*v.replace) : frame);
      if (auto* udp = std::get_if<transport::UdpFrame>(&parsed); udp && is_dhcp_port(udp->src_port)) {
        if (auto b = corrupt_option(*udp, f.option)) {
          v.replace = std::move(*b);
          st.log.push_back(fmt::format("{}: altered option {} in a DHCP reply", f.spec, f.option));
        }
      }
      continue;
    }
    if (!classified) {
      kinds = classify_frame(frame);
      classified = true;
    }
    if (std::find(kinds.begin(), kinds.end(), f.what) == kinds.end()) continue;
    if (f.type == Fault::Type::Delay) {
      v.delay += f.delay;
      st.log.push_back(fmt::format("{}: delayed a frame", f.spec));
      continue;
    }
    if (f.type == Fault::Type::Reset) {
      auto parsed = transport::parse_frame(frame);
      if (auto* tcp = std::get_if<transport::TcpFrame>(&parsed); tcp && !tcp->segment.has(wire::tcp::flag::kRst)) {
        v.replace = reset_of(*tcp);
        st.log.push_back(fmt::format("{}: replaced a segment with RST", f.spec));
      }
      continue;
    }
    if (f.count && st.hits[i] >= *f.count) continue;  // Drop / NoArpReply
    ++st.hits[i];
    v.drop = true;
    st.log.push_back(fmt::format("{}: dropped a frame", f.spec));
  }
  return v;
}

}  // namespace pxe::client
