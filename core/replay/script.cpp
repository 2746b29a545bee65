#include "replay/script.h"

#include <fmt/format.h>

#include <algorithm>

#include "capture/dissector.h"
#include "capture/observation.h"
#include "capture/source.h"
#include "wire/dhcp/dhcp.h"
#include "wire/tftp/tftp.h"

namespace pxe::replay {

namespace {

constexpr std::uint16_t kDhcpServerPort = 67, kBootServerPort = 4011;

std::optional<Datagram> datagram_of(const capture::Observation& obs) {
  if (!obs.ip || !obs.udp || obs.ip_header.size() < 20 || obs.fragment == capture::Fragment::Held ||
      obs.truncated_at != nullptr)
    return std::nullopt;
  Datagram d;
  d.frame = obs.number;
  d.time = obs.time;
  if (obs.eth) {
    d.src_mac = capture::to_mac(obs.eth->src_addr());
    d.dst_mac = capture::to_mac(obs.eth->dst_addr());
  }
  d.src_ip = Ipv4::from_bytes(obs.ip_header.subspan(12, 4));
  d.dst_ip = Ipv4::from_bytes(obs.ip_header.subspan(16, 4));
  d.src_port = obs.udp->sport();
  d.dst_port = obs.udp->dport();
  d.payload.assign(obs.l4_payload.begin(), obs.l4_payload.end());
  return d;
}

std::uint16_t tftp_opcode(const Bytes& p) { return p.size() >= 2 ? std::uint16_t(p[0] << 8 | p[1]) : 0; }

}  // namespace

std::string Conversation::label() const {
  switch (kind) {
    case ConversationKind::Dhcp:
      return fmt::format("DHCP xid 0x{:08x} {}", xid, client_mac.str());
    case ConversationKind::BootServer:
      return fmt::format("PXE boot server (port 4011) xid 0x{:08x} {}", xid, client_mac.str());
    case ConversationKind::Tftp:
      return fmt::format("TFTP {} {} from {}:{}", write ? "WRQ" : "RRQ", filename, client_ip.str(),
                         client_port);
  }
  return {};
}

void Script::choose_server(Ipv4 ip) {
  server_ip = ip;
  for (auto& c : conversations) {
    std::erase_if(c.answers, [&](const Datagram& d) { return d.src_ip != ip; });
    for (const auto& a : c.answers)
      if (!a.src_mac.is_zero()) server_mac = a.src_mac;
  }
}

std::size_t Script::answer_count() const {
  std::size_t n = 0;
  for (const auto& c : conversations) n += c.answers.size();
  return n;
}

void ScriptBuilder::saw_server(Ipv4 ip, const Mac& mac) {
  for (const auto& [i, m] : server_macs_)
    if (i == ip) return;
  server_macs_.emplace_back(ip, mac);
  s_.servers.push_back(ip);
}

std::optional<std::size_t> ScriptBuilder::find_dhcp(ConversationKind k, std::uint32_t xid,
                                                    const Mac& mac) const {
  for (std::size_t i = s_.conversations.size(); i-- > 0;) {
    const auto& c = s_.conversations[i];
    if (c.kind == k && c.xid == xid && c.client_mac == mac) return i;
  }
  return std::nullopt;
}

void ScriptBuilder::add(const capture::Observation& obs) {
  if (obs.icmp) {
    add_icmp(obs);
    return;
  }
  if (obs.app != capture::App::Dhcp && obs.app != capture::App::Tftp) return;
  auto d = datagram_of(obs);
  if (!d) return;
  if (obs.app == capture::App::Dhcp) add_dhcp(std::move(*d));
  else add_tftp(std::move(*d));
}

void ScriptBuilder::add_icmp(const capture::Observation& obs) {
  const auto& q = obs.icmp_quote;
  if (obs.icmp->type() != Tins::ICMP::DEST_UNREACHABLE || obs.icmp->code() != 3 || !q.present || !q.has_ports ||
      q.protocol != 17)
    return;
  for (std::size_t i = s_.conversations.size(); i-- > 0;) {
    auto& c = s_.conversations[i];
    if (c.kind == ConversationKind::Tftp && c.client_ip == q.src && c.client_port == q.sport && c.server_ip == q.dst) {
      ++c.port_unreachable;
      return;
    }
  }
}

void ScriptBuilder::add_dhcp(Datagram d) {
  auto parsed = wire::dhcp::parse_lenient(d.payload);
  if (!parsed.header_complete) return;
  const auto& m = parsed.message;
  const Mac mac = m.client_mac();
  if (m.op == std::uint8_t(wire::dhcp::Op::Request)) {
    if (d.dst_port != kDhcpServerPort && d.dst_port != kBootServerPort) return;
    const auto kind = d.dst_port == kBootServerPort ? ConversationKind::BootServer : ConversationKind::Dhcp;
    auto idx = find_dhcp(kind, m.xid, mac);
    if (!idx) {
      Conversation c;
      c.kind = kind;
      c.xid = m.xid;
      c.client_mac = mac;
      if (kind == ConversationKind::BootServer) {
        c.parent = find_dhcp(ConversationKind::Dhcp, m.xid, mac);
        for (std::size_t i = s_.conversations.size(); !c.parent && i-- > 0;)
          if (s_.conversations[i].kind == ConversationKind::Dhcp && s_.conversations[i].client_mac == mac)
            c.parent = i;
      }
      idx = s_.conversations.size();
      s_.conversations.push_back(std::move(c));
    }
    if (s_.requests.empty()) s_.start = d.time;
    s_.conversations[*idx].requests.push_back(s_.requests.size());
    s_.requests.push_back(ClientDatagram{std::move(d), *idx});
    return;
  }
  // A reply: from port 67 or 4011 (anything else is not a server's answer we replay).
  if (d.src_port != kDhcpServerPort && d.src_port != kBootServerPort) return;
  auto kind = d.src_port == kBootServerPort ? ConversationKind::BootServer : ConversationKind::Dhcp;
  auto idx = find_dhcp(kind, m.xid, mac);
  if (!idx)
    idx = find_dhcp(kind == ConversationKind::Dhcp ? ConversationKind::BootServer : ConversationKind::Dhcp,
                    m.xid, mac);
  if (!idx) return;  // an answer to a request the capture does not hold
  saw_server(d.src_ip, d.src_mac);
  if (!bootfile_server_) {
    auto b = m.bootfile();
    if (b && !b->empty() && (*b)[0] != '\0') bootfile_server_ = d.src_ip;
  }
  s_.conversations[*idx].answers.push_back(std::move(d));
}

void ScriptBuilder::add_tftp(Datagram d) {
  namespace tftp = wire::tftp;
  const std::uint16_t op = tftp_opcode(d.payload);
  auto latest = [&](auto&& pred) -> std::optional<std::size_t> {
    for (std::size_t i = s_.conversations.size(); i-- > 0;) {
      const auto& c = s_.conversations[i];
      if (c.kind == ConversationKind::Tftp && pred(c)) return i;
    }
    return std::nullopt;
  };
  auto push_request = [&](std::size_t idx, Datagram&& dg) {
    if (s_.requests.empty()) s_.start = dg.time;
    s_.conversations[idx].requests.push_back(s_.requests.size());
    s_.requests.push_back(ClientDatagram{std::move(dg), idx});
  };

  if (d.dst_port == tftp::kPort && (op == 1 || op == 2)) {
    auto req = tftp::parse(d.payload);
    if (!req) return;
    const auto& r = std::get<tftp::Request>(*req);
    // Same port, same request, nothing answered yet: a retransmission.
    auto prev = latest([&](const Conversation& c) {
      return c.client_ip == d.src_ip && c.client_port == d.src_port && c.server_ip == d.dst_ip;
    });
    if (prev && s_.conversations[*prev].answers.empty() &&
        s_.requests[s_.conversations[*prev].requests.front()].d.payload == d.payload) {
      push_request(*prev, std::move(d));
      return;
    }
    Conversation c;
    c.kind = ConversationKind::Tftp;
    c.client_mac = d.src_mac;
    c.client_ip = d.src_ip;
    c.client_port = d.src_port;
    c.server_ip = d.dst_ip;
    c.filename = r.filename;
    c.write = r.write;
    if (!tftp_server_) tftp_server_ = d.dst_ip;
    s_.conversations.push_back(std::move(c));
    push_request(s_.conversations.size() - 1, std::move(d));
    return;
  }
  // From a client endpoint of a transfer to its server (ACK, ERROR, or DATA of a WRQ).
  auto from_client = latest([&](const Conversation& c) {
    return c.client_ip == d.src_ip && c.client_port == d.src_port && c.server_ip == d.dst_ip &&
           (c.server_port == 0 || c.server_port == d.dst_port);
  });
  if (from_client && d.dst_port != tftp::kPort) {
    push_request(*from_client, std::move(d));
    return;
  }
  // From the server to a client endpoint: the first answer latches the server's TID.
  auto to_client = latest([&](const Conversation& c) {
    return c.client_ip == d.dst_ip && c.client_port == d.dst_port && c.server_ip == d.src_ip &&
           (c.server_port == 0 || c.server_port == d.src_port);
  });
  if (!to_client) return;
  auto& c = s_.conversations[*to_client];
  if (c.server_port == 0) c.server_port = d.src_port;
  saw_server(d.src_ip, d.src_mac);
  c.answers.push_back(std::move(d));
}

Script ScriptBuilder::finish(std::optional<Ipv4> server) {
  Script s = std::move(s_);
  s_ = Script{};
  Ipv4 chosen;
  auto known = [&](Ipv4 ip) { return std::find(s.servers.begin(), s.servers.end(), ip) != s.servers.end(); };
  if (server) chosen = *server;
  else if (tftp_server_ && known(*tftp_server_)) chosen = *tftp_server_;
  else if (bootfile_server_) chosen = *bootfile_server_;
  else if (!s.servers.empty()) chosen = s.servers.front();
  else if (tftp_server_) chosen = *tftp_server_;  // RRQs nobody answered
  for (const auto& [ip, mac] : server_macs_)
    if (ip == chosen) s.server_mac = mac;
  s.choose_server(chosen);
  if (s.server_mac.is_zero()) {
    // Nobody answered from it: the MAC the clients sent to, if they sent it a unicast.
    for (const auto& r : s.requests)
      if (r.d.dst_ip == chosen) s.server_mac = r.d.dst_mac;
  }
  server_macs_.clear();
  tftp_server_.reset();
  bootfile_server_.reset();
  return s;
}

std::vector<RecordedFile> recorded_files(const Script& script) {
  std::vector<RecordedFile> out;
  for (const auto& c : script.conversations) {
    if (c.kind != ConversationKind::Tftp || c.write) continue;
    Bytes data;
    std::uint16_t next = 1;
    std::size_t first_size = 0, last_size = 0;
    for (const auto& a : c.answers) {
      auto p = wire::tftp::parse(a.payload);
      if (!p) continue;
      auto* d = std::get_if<wire::tftp::Data>(&*p);
      if (!d || d->block != next) continue;
      if (next == 1) first_size = d->payload.size();
      last_size = d->payload.size();
      data.insert(data.end(), d->payload.begin(), d->payload.end());
      ++next;
    }
    const std::uint16_t blocks = std::uint16_t(next - 1);
    if (blocks == 0 || (blocks > 1 && last_size >= first_size)) continue;  // nothing, or not complete
    auto it = std::find_if(out.begin(), out.end(), [&](const RecordedFile& f) { return f.name == c.filename; });
    if (it == out.end()) out.push_back(RecordedFile{c.filename, std::move(data)});
    else if (data.size() > it->data.size()) it->data = std::move(data);
  }
  return out;
}

Result<Script> load_script(const std::string& path, std::optional<Ipv4> server) {
  auto src = capture::PcapSource::open_file(path);
  if (!src) return src.error();
  capture::Dissector dissector(src->link_type());
  ScriptBuilder builder;
  capture::RawFrame frame;
  for (;;) {
    auto n = src->next(frame);
    if (n == capture::PcapSource::Next::End) break;
    if (n == capture::PcapSource::Next::Timeout) continue;
    if (n == capture::PcapSource::Next::Error)
      return make_error(fmt::format("{}: {}", path, src->last_error()));
    dissector.dissect(frame, [&](const capture::Observation& obs) { builder.add(obs); });
  }
  return builder.finish(server);
}

}  // namespace pxe::replay
