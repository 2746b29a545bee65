#include "replay/replay.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>
#include <string_view>

#include "server/inprocess.h"
#include "transport/frame.h"
#include "transport/link.h"
#include "wire/dhcp/dhcp.h"
#include "wire/tftp/tftp.h"

namespace pxe::replay {

namespace {

constexpr std::uint16_t kBootServerPort = 4011, kDhcpServerPort = 67;

// The capture's clients as one station: sends the script's datagrams at their times (TFTP
// transfer datagrams re-aimed at the new server's TID) and sorts what the server sends back.
class ScriptPlayer : public transport::Station {
 public:
  ScriptPlayer(transport::Link& link, const Script& script, Ipv4 server_ip, Mac server_mac)
      : link_(link), s_(script), server_ip_(server_ip), server_mac_(server_mac),
        replayed_(script.conversations.size()), new_tid_(script.conversations.size(), 0),
        opened_(script.conversations.size(), false) {}

  void on_frame(ByteSpan frame, Timestamp) override {
    auto parsed = transport::parse_frame(frame);
    auto* f = std::get_if<transport::UdpFrame>(&parsed);
    if (!f || f->src_ip != server_ip_) return;
    Datagram d;
    d.frame = ++frames_;
    d.time = link_.clock().now();
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
    return s_.requests[next_].d.time;
  }

  void on_time(Timestamp now) override {
    while (next_ < s_.requests.size() && s_.requests[next_].d.time <= now) send(s_.requests[next_++]);
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

  transport::Link& link_;
  const Script& s_;
  Ipv4 server_ip_;
  Mac server_mac_;
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
  if (script.server_ip.is_zero()) return make_error("the capture has no server to replay against (no DHCP or TFTP answer, no TFTP request)");
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
