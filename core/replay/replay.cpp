#include "replay/replay.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>
#include <string_view>

#include "server/inprocess.h"
#include "transport/frame.h"
#include "transport/interface_link.h"
#include "transport/link.h"
#include "wire/dhcp/dhcp.h"
#include "wire/tftp/tftp.h"

namespace pxe::replay {

namespace {

constexpr std::uint16_t kBootServerPort = 4011, kDhcpServerPort = 67;

// The capture's clients as one station: sends the script's datagrams at their times (TFTP
// transfer datagrams re-aimed at the new server's TID) and sorts what the server sends back.
// `shift` moves the recorded times to the link's clock (a real interface: now). With
// `answer_arp`, ARP requests for the capture's client addresses are answered with their MACs
// (a real server's kernel asks before it sends TFTP to them).
class ScriptPlayer : public transport::Station {
 public:
  ScriptPlayer(transport::FrameOut& link, const Script& script, Ipv4 server_ip, Mac server_mac, Duration shift = {},
               bool answer_arp = false)
      : link_(link), s_(script), server_ip_(server_ip), server_mac_(server_mac), shift_(shift),
        answer_arp_(answer_arp), replayed_(script.conversations.size()), new_tid_(script.conversations.size(), 0),
        opened_(script.conversations.size(), false) {}

  void on_frame(ByteSpan frame, Timestamp now) override {
    auto parsed = transport::parse_frame(frame);
    if (auto* a = std::get_if<transport::ArpFrame>(&parsed)) return on_arp(*a);
    auto* f = std::get_if<transport::UdpFrame>(&parsed);
    if (!f || f->src_ip != server_ip_) return;
    Datagram d;
    d.frame = ++frames_;
    d.time = Timestamp{now.us - shift_.count()};
    d.src_mac = f->src_mac;
    d.dst_mac = f->dst_mac;
    d.src_ip = f->src_ip;
    d.dst_ip = f->dst_ip;
    d.src_port = f->src_port;
    d.dst_port = f->dst_port;
    d.payload = f->payload;
    auto idx = (f->src_port == kDhcpServerPort || f->src_port == kBootServerPort) ? dhcp_conversation(d)
                                                                                   : tftp_conversation(d);
    if (!idx) {
      ++stray_;
      return;
    }
    replayed_[*idx].push_back(std::move(d));
  }

  std::optional<Timestamp> next_deadline() const override {
    if (next_ >= s_.requests.size()) return std::nullopt;
    return s_.requests[next_].d.time + shift_;
  }

  void on_time(Timestamp now) override {
    while (next_ < s_.requests.size() && s_.requests[next_].d.time + shift_ <= now) send(s_.requests[next_++]);
  }

  std::vector<std::vector<Datagram>> take_replayed() { return std::move(replayed_); }
  std::size_t stray() const { return stray_; }

 private:
  void send(const ClientDatagram& r) {
    const Conversation& c = s_.conversations[r.conversation];
    transport::UdpFrame f;
    f.src_mac = r.d.src_mac;
    f.dst_mac = r.d.dst_mac;
    f.src_ip = r.d.src_ip;
    f.dst_ip = r.d.dst_ip;
    f.src_port = r.d.src_port;
    f.dst_port = r.d.dst_port;
    f.payload = r.d.payload;
    if (c.kind != ConversationKind::Tftp || r.d.dst_port == wire::tftp::kPort) {
      opened_[r.conversation] = true;  // answers to it may come now
    } else if (new_tid_[r.conversation] != 0) {
      f.dst_port = new_tid_[r.conversation];  // the transfer's datagrams go to the NEW server's TID
    }
    // Unicasts to the recorded server's MAC go to the new server (the same MAC unless overridden).
    if (r.d.dst_ip == server_ip_ && !r.d.dst_mac.is_zero() && r.d.dst_mac.octets[0] != 0xff) f.dst_mac = server_mac_;
    link_.send(transport::build_udp_frame(f));
  }

  void on_arp(const transport::ArpFrame& a) {
    if (!answer_arp_ || !a.request) return;
    for (const auto& r : s_.requests) {
      if (r.d.src_ip != a.target_ip || r.d.src_ip.is_zero()) continue;
      link_.send(transport::build_arp_frame({false, r.d.src_mac, r.d.src_ip, a.sender_mac, a.sender_ip}, a.sender_mac));
      return;
    }
  }

  std::optional<std::size_t> dhcp_conversation(const Datagram& d) const {
    auto m = wire::dhcp::parse_lenient(d.payload);
    if (!m.header_complete || m.message.op != std::uint8_t(wire::dhcp::Op::Reply)) return std::nullopt;
    const Mac mac = m.message.client_mac();
    const auto want = d.src_port == kBootServerPort ? ConversationKind::BootServer : ConversationKind::Dhcp;
    std::optional<std::size_t> other;
    // The latest conversation already under way with this xid and client.
    for (std::size_t i = s_.conversations.size(); i-- > 0;) {
      const auto& c = s_.conversations[i];
      if (!opened_[i] || c.kind == ConversationKind::Tftp || c.xid != m.message.xid || c.client_mac != mac) continue;
      if (c.kind == want) return i;
      if (!other) other = i;
    }
    return other;
  }

  std::optional<std::size_t> tftp_conversation(const Datagram& d) {
    std::optional<std::size_t> open;
    for (std::size_t i = s_.conversations.size(); i-- > 0;) {
      const auto& c = s_.conversations[i];
      if (c.kind != ConversationKind::Tftp || c.client_ip != d.dst_ip || c.client_port != d.dst_port) continue;
      if (new_tid_[i] == d.src_port) return i;
      if (new_tid_[i] == 0 && opened_[i] && !open) open = i;
    }
    if (open) new_tid_[*open] = d.src_port;  // the first answer latches the new server's TID
    return open;
  }

  transport::FrameOut& link_;
  const Script& s_;
  Ipv4 server_ip_;
  Mac server_mac_;
  Duration shift_;
  bool answer_arp_;
  std::size_t next_ = 0;
  std::uint64_t frames_ = 0;
  std::size_t stray_ = 0;
  std::vector<std::vector<Datagram>> replayed_;
  std::vector<std::uint16_t> new_tid_;
  std::vector<bool> opened_;
};

}  // namespace

Result<config::ServeConfig> read_conf_for_replay(std::istream& in, const std::string& name,
                                                 std::vector<std::string>* ignored) {
  static const std::array<std::string_view, 4> kDaemonOnly = {"log-facility", "pid-file", "keep-in-foreground",
                                                              "log-async"};
  std::string kept, line;
  for (std::size_t n = 1; std::getline(in, line); ++n) {
    std::string_view v(line);
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    std::string_view key = v.substr(0, v.find_first_of("= \t\r"));
    if (std::find(kDaemonOnly.begin(), kDaemonOnly.end(), key) != kDaemonOnly.end()) {
      if (ignored) ignored->push_back(fmt::format("{}:{}: {}", name, n, line));
      line.clear();  // an empty line keeps the numbering
    }
    kept += line;
    kept += '\n';
  }
  std::istringstream filtered(kept);
  auto cfg = config::parse_dnsmasq_conf(filtered, name);
  if (!cfg) return cfg.error();
  if (auto r = config::read_dhcp_files(cfg->dhcp); !r) return r.error();
  return cfg;
}

Result<config::ServeConfig> load_conf_for_replay(const std::string& path, std::vector<std::string>* ignored) {
  std::ifstream in(path);
  if (!in) return make_error(fmt::format("{}: cannot read", path));
  return read_conf_for_replay(in, path, ignored);
}

Result<ReplayResult> replay_in_process(const Script& script, const config::ServeConfig& cfg,
                                       const ReplayOptions& options) {
  ManualClock clock(script.start);
  transport::Link link(clock);
  Mac mac = script.server_mac;
  if (mac.is_zero()) mac = *Mac::parse("52:54:00:00:00:01");
  std::string ifname = options.ifname.value_or(cfg.dhcp.interfaces.empty() ? "eth0" : cfg.dhcp.interfaces.front());
  if (script.server_ip.is_zero()) return make_error(
        "no server answered in the capture (no DHCP or TFTP answer, no TFTP request): give the address the "
        "in-process server takes (--server-ip)");
  auto server = server::InProcessServer::create(link, cfg, mac, script.server_ip, options.netmask, ifname);
  if (!server) return server.error();
  ScriptPlayer player(link, script, script.server_ip, mac);
  link.attach(**server, mac);
  link.attach_all(player);
  Timestamp end = script.requests.empty() ? script.start : script.requests.back().d.time;
  (void)link.run_until([] { return false; }, end + options.settle);

  ReplayResult r;
  r.replayed = player.take_replayed();
  r.stray = player.stray();
  r.comparison = compare(script, r.replayed, options.compare);
  r.server_log = (*server)->log_lines();
  return r;
}

}  // namespace pxe::replay

namespace pxe::replay {

namespace {

// Asks for one address (ARP request from `mac`, sender address 0.0.0.0) until it is answered.
class ArpAsker : public transport::Station {
 public:
  ArpAsker(transport::FrameOut& out, Mac mac, Ipv4 ip) : out_(out), mac_(mac), ip_(ip) {}
  void ask(Timestamp now) {
    out_.send(transport::build_arp_frame({true, mac_, Ipv4{}, Mac{}, ip_}, transport::kBroadcastMac));
    next_ = now + std::chrono::milliseconds(250);
  }
  void on_frame(ByteSpan frame, Timestamp) override {
    auto p = transport::parse_frame(frame);
    auto* a = std::get_if<transport::ArpFrame>(&p);
    if (a && !a->request && a->sender_ip == ip_) answer_ = a->sender_mac;
  }
  std::optional<Timestamp> next_deadline() const override {
    if (answer_) return std::nullopt;
    return next_;
  }
  void on_time(Timestamp now) override { ask(now); }
  const std::optional<Mac>& answer() const { return answer_; }

 private:
  transport::FrameOut& out_;
  Mac mac_;
  Ipv4 ip_;
  Timestamp next_{};
  std::optional<Mac> answer_;
};

}  // namespace

Result<ReplayResult> replay_on_interface(const Script& script, const std::string& ifname, const ReplayOptions& options) {
  if (script.server_ip.is_zero()) return make_error("the capture has no server to replay against (no DHCP or TFTP answer, no TFTP request)");
  SystemClock clock;
  auto opened = transport::InterfaceLink::open(ifname, clock);
  if (!opened) return opened.error();
  auto& link = **opened;

  // The server's MAC on this segment: it has the capture server's address (or --server-ip's).
  Mac asker_mac = script.requests.empty() ? *Mac::parse("52:54:00:42:00:10") : script.requests.front().d.src_mac;
  ArpAsker asker(link, asker_mac, script.server_ip);
  link.attach_all(asker);
  asker.ask(clock.now());
  auto found = link.run_until([&] { return asker.answer().has_value(); }, clock.now() + std::chrono::seconds(3));
  if (!found) return found.error();
  if (!asker.answer())
    return make_error(fmt::format("{}: no answer to ARP for {}: replay --interface needs a server with the capture "
                                  "server's address on this segment (or name another with --server-ip)",
                                  ifname, script.server_ip.str()));

  const Duration shift = (clock.now() + std::chrono::milliseconds(50)) - script.start;
  ScriptPlayer player(link, script, script.server_ip, *asker.answer(), shift, /*answer_arp=*/true);
  link.attach_all(player);
  Timestamp end = (script.requests.empty() ? script.start : script.requests.back().d.time) + shift;
  auto ran = link.run_until([] { return false; }, end + options.settle);
  if (!ran) return ran.error();

  ReplayResult r;
  r.replayed = player.take_replayed();
  r.stray = player.stray();
  r.comparison = compare(script, r.replayed, options.compare);
  return r;
}

}  // namespace pxe::replay
