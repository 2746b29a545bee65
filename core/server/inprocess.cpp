#include "server/inprocess.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <utility>
#include <variant>

#include "base/text.h"
#include "proto/tftp/admission.h"
#include "proto/tftp/sender.h"
#include "server/inprocess_smb.h"
#include "server/tftp/log.h"
#include "server/tftp/read_request.h"
#include "wire/tftp/tftp.h"

namespace pxe::server {

namespace pd = proto::dhcp;
namespace pt = proto::tftp;
namespace wt = wire::tftp;
using transport::ArpFrame;
using transport::TcpFrame;
using transport::UdpFrame;

namespace {

// The socket server runs the engine's timer about once a second; here it runs before a datagram
// when a second or more went by (expiry is only seen by the next datagram either way).
constexpr Duration kDhcpTick = std::chrono::seconds(1);
// Ephemeral ports for transfers when no tftp-port-range is set (the Linux default range's top).
constexpr std::uint16_t kEphemeralLow = 49152;
constexpr std::uint16_t kEphemeralHigh = 65535;
// Addresses whose MAC is remembered; past this the table starts over (a unicast reply then goes
// to the MAC its request came from), so frames from many forged addresses cannot grow it.
constexpr std::size_t kMaxNeighbours = 4096;

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

struct InProcessServer::Transfer {
  std::uint64_t id = 0;
  std::uint16_t port = 0;  // the server's TID
  Peer peer;
  std::string path, name, mode;
  std::unique_ptr<pt::FileSource> source;  // before sender: the sender reads it
  std::unique_ptr<pt::Sender> sender;
  pt::Actions actions;
  pt::UnknownTidReplies strangers;
  std::optional<Timestamp> timer;
  Timestamp started{};
};

InProcessServer::InProcessServer(transport::FrameOut& link, const config::ServeConfig& cfg, Mac mac, Ipv4 ip,
                                 Ipv4 netmask, std::string ifname)
    : link_(link),
      cfg_(cfg),
      mac_(mac),
      ip_(ip),
      netmask_(netmask),
      ifname_(std::move(ifname)),
      engine_(cfg.dhcp),
      rules_{cfg.tftp.lowercase, cfg.tftp.case_insensitive},
      rate_(cfg.tftp.rate_limit_per_s, cfg.tftp.rate_limit_burst) {
  // The socket server binds its DHCP sockets to the interface= devices and skips except-interface=.
  dhcp_here_ = cfg_.dhcp.enabled && (cfg_.dhcp.interfaces.empty() || contains(cfg_.dhcp.interfaces, ifname_)) &&
               !contains(cfg_.dhcp.except_interfaces, ifname_);
  if (cfg_.tftp.enabled) {
    if (cfg_.tftp.root.empty()) {
      tftp_error_ = "no tftp-root given";
    } else if (auto root = tftp::TftpRoot::open(cfg_.tftp.root)) {
      root_.emplace(std::move(*root));
    } else {
      tftp_error_ = root.error().what;
    }
    if (tftp_error_) log(fmt::format("TFTP: {}", *tftp_error_));
  }
  next_port_ = cfg_.tftp.port_range_low ? cfg_.tftp.port_range_low : kEphemeralLow;
  if (cfg_.smb) {
    // The share directories are opened now, as `pxekit serve` opens them before it drops root.
    if (auto smb = InProcessSmb::create(*cfg_.smb, ip_, Timestamp{})) {
      smb_ = std::move(*smb);
    } else {
      smb_error_ = smb.error().what;
      log(fmt::format("SMB: {}", *smb_error_));
    }
  }
}

InProcessServer::~InProcessServer() = default;

Result<std::unique_ptr<InProcessServer>> InProcessServer::create(transport::FrameOut& link,
                                                                 const config::ServeConfig& cfg, Mac mac, Ipv4 ip,
                                                                 Ipv4 netmask, std::string ifname) {
  auto s = std::make_unique<InProcessServer>(link, cfg, mac, ip, netmask, std::move(ifname));
  if (s->tftp_error_) return make_error("TFTP: " + *s->tftp_error_);
  if (s->smb_error_) return make_error("SMB: " + *s->smb_error_);
  return s;
}

void InProcessServer::learn(Ipv4 ip, Mac mac) {
  if (ip.is_zero() || ip == transport::kBroadcastIpv4 || mac.is_zero() || (mac.octets[0] & 1)) return;
  if (neighbours_.size() >= kMaxNeighbours && !neighbours_.count(ip.value)) neighbours_.clear();
  neighbours_[ip.value] = mac;
}

void InProcessServer::on_frame(ByteSpan frame, Timestamp now) {
  auto parsed = transport::parse_frame(frame);
  if (auto* a = std::get_if<ArpFrame>(&parsed)) {
    on_arp(*a);
  } else if (auto* u = std::get_if<UdpFrame>(&parsed)) {
    // On a shared segment (attach_all) frames for other hosts pass by: only ours, or broadcasts.
    if (u->dst_mac != mac_ && !(u->dst_mac.octets[0] & 1)) return;
    on_udp(*u, now);
  } else if (auto* t = std::get_if<TcpFrame>(&parsed)) {
    if (t->dst_mac != mac_ || t->dst_ip != ip_) return;
    learn(t->src_ip, t->src_mac);
    InProcessSmb::Out out;
    if (smb_) {
      smb_->on_segment(*t, now, out);
    } else if (!t->segment.has(wire::tcp::flag::kRst)) {  // no TCP service at all: every port refuses
      InProcessSmb::refuse(*t, ip_, out);
    }
    send_smb(out);
  }
}

void InProcessServer::send_smb(InProcessSmb::Out& out) {
  for (auto& f : out.frames) {
    f.src_mac = mac_;
    if (auto it = neighbours_.find(f.dst_ip.value); it != neighbours_.end()) f.dst_mac = it->second;
    link_.send(transport::build_tcp_frame(f));
  }
  for (auto& l : out.log) log("SMB: " + l);
}

void InProcessServer::on_arp(const ArpFrame& a) {
  learn(a.sender_ip, a.sender_mac);
  if (!a.request || a.target_ip != ip_) return;
  ArpFrame reply{false, mac_, ip_, a.sender_mac, a.sender_ip};
  link_.send(transport::build_arp_frame(reply, a.sender_mac));
}

void InProcessServer::on_udp(const UdpFrame& f, Timestamp now) {
  const Ipv4 subnet_broadcast(ip_.value | ~netmask_.value);
  const bool to_us = f.dst_ip == ip_;
  if (!to_us && f.dst_ip != transport::kBroadcastIpv4 && f.dst_ip != subnet_broadcast) return;
  learn(f.src_ip, f.src_mac);
  if (dhcp_here_ && (f.dst_port == cfg_.dhcp.port || f.dst_port == cfg_.dhcp.boot_server_port)) {
    on_dhcp(f, now);
    return;
  }
  if (!to_us || !root_) return;  // TFTP is unicast to the server
  if (f.dst_port == cfg_.tftp.port) {
    on_tftp_request(f, now);
    return;
  }
  if (auto it = by_port_.find(f.dst_port); it != by_port_.end()) {
    Transfer& t = *transfers_.at(it->second);
    on_transfer_datagram(t, f, now);
    return;
  }
  // Nothing listens there (a transfer that ended, a client with a stale TID).
  if (closed_port_replies_.should_answer(f.payload, now))
    send_udp({f.src_mac, f.src_ip, f.src_port}, f.dst_port, pt::unknown_tid_error());
}

// ---- DHCP: the engine, its replies as frames --------------------------------------------------

void InProcessServer::on_dhcp(const UdpFrame& f, Timestamp now) {
  dhcp_out_.clear();
  if (!dhcp_ticked_ || now - *dhcp_ticked_ >= kDhcpTick) {
    engine_.on_timer(now, dhcp_out_);
    dhcp_ticked_ = now;
  }
  pd::DatagramMeta meta{{ifname_, ip_, netmask_}, f.src_ip, f.src_port, f.dst_ip, f.dst_port};
  engine_.on_datagram(f.payload, meta, now, dhcp_out_);
  // Nothing on the Link answers an ICMP echo: every ping check ends unanswered at once.
  while (!dhcp_out_.probes.empty()) {
    std::vector<pd::Probe> probes;
    probes.swap(dhcp_out_.probes);
    for (const auto& p : probes) engine_.on_probe_result(p.id, false, now, dhcp_out_);
  }
  // Lease changes need no storing: the engine's LeaseTable is the in-process lease database.
  for (const auto& d : dhcp_out_.replies) {
    Peer to{transport::kBroadcastMac, transport::kBroadcastIpv4, d.to.port};
    if (d.to.link_unicast) {
      to = {d.to.mac, d.to.ip, d.to.port};
    } else if (!d.to.broadcast) {
      // A client with an address, a relay, a 4011 request: its MAC from ARP or its request.
      auto n = neighbours_.find(d.to.ip.value);
      to = {n != neighbours_.end() ? n->second : f.src_mac, d.to.ip, d.to.port};
    }
    send_udp(to, d.from_port, d.payload, d.from_ip);
  }
  for (const auto& e : dhcp_out_.log) log(e.text);
}

// ---- TFTP: admission, read transfers on their own ports ---------------------------------------

void InProcessServer::on_tftp_request(const UdpFrame& f, Timestamp now) {
  if (!tftp::interface_served(cfg_.tftp, ifname_)) return;
  const Peer from{f.src_mac, f.src_ip, f.src_port};
  std::vector<pt::SameEndpoint> same;
  pt::Running running;
  running.total = transfers_.size();
  for (const auto& [id, t] : transfers_) {
    if (t->peer.ip != from.ip) continue;
    ++running.from_client;
    if (t->peer.port == from.port) same.push_back({id, t->name, t->mode, false, t->sender->answered(), t->sender->stalled()});
  }
  running.same_endpoint = same;
  // No upload directory in-process: a WRQ is refused as by a read-only server.
  pt::Admission a = pt::admit(f.payload, f.src_ip, running, tftp::admission_limits(cfg_.tftp, false), rate_, now);
  const std::string endpoint = fmt::format("{}:{}", f.src_ip.str(), f.src_port);
  switch (a.verdict) {
    case pt::Verdict::Drop:
      if (a.dropped == pt::DropReason::RateLimited) log(fmt::format("rate limit: dropping requests from {}", f.src_ip.str()));
      return;
    case pt::Verdict::Keep:
    case pt::Verdict::StartWrite:  // not reached: admission refuses WRQ on a read-only server
      return;
    case pt::Verdict::Refuse:
      log(fmt::format("refusing {} from {}: {}", a.request ? log_safe(a.request->filename) : std::string("a request"),
                      endpoint, log_safe(a.why)));
      send_error(from, cfg_.tftp.port, a.code, a.message);
      return;
    case pt::Verdict::Replace:
      if (auto it = transfers_.find(a.replace); it != transfers_.end()) {
        by_port_.erase(it->second->port);
        transfers_.erase(it);
      }
      break;
    case pt::Verdict::StartRead:
      break;
  }
  start_read(f, *a.request, a.netascii, now);
}

void InProcessServer::start_read(const UdpFrame& f, const wt::Request& req, bool netascii, Timestamp now) {
  const Peer from{f.src_mac, f.src_ip, f.src_port};
  const std::uint32_t mtu = cfg_.tftp.mtu ? cfg_.tftp.mtu : 1500;
  auto prepared = tftp::prepare_read(req, netascii, f.src_ip, *root_, rules_, cfg_.tftp, mtu);
  if (auto* refused = std::get_if<tftp::ReadRefused>(&prepared)) {
    log(refused->log_line);
    send_error(from, cfg_.tftp.port, refused->code, refused->message);
    return;
  }
  auto& ready = std::get<tftp::ReadReady>(prepared);
  auto port = take_port();
  if (!port) {
    log(fmt::format("no socket for a transfer with {}: no free port", f.src_ip.str()));
    send_error(from, cfg_.tftp.port, wt::ErrorCode::NotDefined, "Server out of ports");
    return;
  }
  auto t = std::make_unique<Transfer>();
  t->id = next_id_++;
  t->port = *port;
  t->peer = from;
  t->path = std::move(ready.path);
  t->name = req.filename;
  t->mode = req.mode;
  t->source = std::move(ready.source);
  t->sender = std::make_unique<pt::Sender>(*t->source, ready.negotiated, ready.timing);
  t->started = now;
  t->sender->start(now, t->actions);
  if (!apply(*t, now)) return;
  by_port_[t->port] = t->id;
  transfers_.emplace(t->id, std::move(t));
}

void InProcessServer::on_transfer_datagram(Transfer& t, const UdpFrame& f, Timestamp now) {
  if (f.src_ip != t.peer.ip || f.src_port != t.peer.port) {
    // RFC 1350: another TID gets ERROR 5 and the transfer goes on (never to an ERROR).
    if (t.strangers.should_answer(f.payload, now))
      send_udp({f.src_mac, f.src_ip, f.src_port}, t.port, pt::unknown_tid_error());
    return;
  }
  t.sender->on_datagram(f.payload, now, t.actions);
  if (!apply(t, now)) {
    by_port_.erase(t.port);
    transfers_.erase(t.id);  // `t` is gone
  }
}

bool InProcessServer::apply(Transfer& t, Timestamp now) {
  bool ended = false;
  for (const auto& a : t.actions) {
    if (auto bytes = pt::datagram_bytes(a)) {  // SendData joined, or SendDatagram
      Peer to = t.peer;
      if (const auto* s = std::get_if<pt::SendDatagram>(&a); s && s->to_port) to.port = *s->to_port;
      send_udp(to, t.port, std::move(*bytes));
    } else if (const auto* timer = std::get_if<pt::SetTimer>(&a)) {
      t.timer = timer->at;
    } else if (std::holds_alternative<pt::CancelTimer>(a)) {
      t.timer.reset();
    } else {  // Finished or Failed
      ended = true;
      t.timer.reset();
      const auto& neg = t.sender->negotiated();
      tftp::TransferEnd end{false, t.path, t.peer.ip, now - t.started, neg.blksize, neg.windowsize,
                            t.sender->retransmissions()};
      auto line = tftp::transfer_end_line(end, a);
      if (line.level >= spdlog::level::info) log(std::move(line.text));
    }
  }
  t.actions.clear();
  return !ended;
}

std::optional<Timestamp> InProcessServer::next_deadline() const {
  std::optional<Timestamp> next = smb_ ? smb_->next_deadline() : std::nullopt;
  for (const auto& [id, t] : transfers_)
    if (t->timer && (!next || *t->timer < *next)) next = t->timer;
  return next;
}

void InProcessServer::on_time(Timestamp now) {
  if (auto t = smb_ ? smb_->next_deadline() : std::nullopt; t && *t <= now) {
    InProcessSmb::Out out;
    smb_->on_time(now, out);
    send_smb(out);
  }
  std::vector<std::uint64_t> due;
  for (const auto& [id, t] : transfers_)
    if (t->timer && *t->timer <= now) due.push_back(id);
  for (auto id : due) {
    Transfer& t = *transfers_.at(id);
    t.timer.reset();
    t.sender->on_timer(now, t.actions);
    if (!apply(t, now)) {
      by_port_.erase(t.port);
      transfers_.erase(id);
    }
  }
}

std::optional<std::uint16_t> InProcessServer::take_port() {
  const bool ranged = cfg_.tftp.port_range_low != 0 && cfg_.tftp.port_range_high >= cfg_.tftp.port_range_low;
  const std::uint32_t low = ranged ? cfg_.tftp.port_range_low : kEphemeralLow;
  const std::uint32_t high = ranged ? cfg_.tftp.port_range_high : kEphemeralHigh;
  const std::uint32_t span = high - low + 1;
  auto in_use = [&](std::uint32_t p) {
    return by_port_.count(std::uint16_t(p)) || p == cfg_.tftp.port || p == cfg_.dhcp.port ||
           p == cfg_.dhcp.boot_server_port;
  };
  std::uint32_t p = std::clamp<std::uint32_t>(next_port_, low, high);
  for (std::uint32_t i = 0; i < span; ++i, p = p == high ? low : p + 1) {
    if (in_use(p)) continue;
    next_port_ = static_cast<std::uint16_t>(p == high ? low : p + 1);
    return static_cast<std::uint16_t>(p);
  }
  return std::nullopt;
}

void InProcessServer::send_udp(const Peer& to, std::uint16_t from_port, Bytes payload, Ipv4 from_ip) {
  UdpFrame f;
  f.src_mac = mac_;
  f.dst_mac = to.mac;
  f.src_ip = from_ip.is_zero() ? ip_ : from_ip;
  f.dst_ip = to.ip;
  f.src_port = from_port;
  f.dst_port = to.port;
  f.payload = std::move(payload);
  link_.send(transport::build_udp_frame(f));
}

void InProcessServer::send_error(const Peer& to, std::uint16_t from_port, wt::ErrorCode code,
                                 const std::string& message) {
  send_udp(to, from_port, wt::encode(wt::ErrorPacket{static_cast<std::uint16_t>(code), message}));
}

}  // namespace pxe::server
