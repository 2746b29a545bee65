#include "client/session.h"

#include <fmt/format.h>

#include "client/fleet.h"
#include "config/serve_config.h"
#include "server/inprocess.h"
#include "transport/link.h"

namespace pxe::client {

namespace {

using namespace std::chrono_literals;

// 2026-01-01T00:00:00Z: recorded frames get plausible times, relative to the first one anyway.
constexpr Timestamp kPowerOn{1767225600LL * 1000000};
// Far past any firmware's last timer (BIOS DISCOVER 60 s, pxelinux 131 s per file).
constexpr Duration kRunLimit = std::chrono::hours(2);
const Mac kServerMac{{0x52, 0x54, 0x00, 0x42, 0x00, 0x01}};

// The server's own address: the first host of the first dhcp-range's network, or the last one
// when the range starts there. (Replay names the capture's server; here the conf is all we have.)
std::pair<Ipv4, Ipv4> server_address(const config::ServeConfig& cfg) {
  Ipv4 mask(255, 255, 255, 0);
  if (cfg.dhcp.ranges.empty()) return {Ipv4(192, 168, 42, 1), mask};
  const auto& r = cfg.dhcp.ranges.front();
  if (!r.netmask.is_zero()) mask = r.netmask;
  std::uint32_t net = r.start.value & mask.value;
  Ipv4 ip(net + 1);
  if (ip.value >= r.start.value && ip.value <= r.end.value) ip = Ipv4((net | ~mask.value) - 1);
  return {ip, mask};
}

}  // namespace

bool SessionResult::all_ok() const {
  for (const auto& c : clients)
    if (!c.ok()) return false;
  return !clients.empty();
}

Mac default_client_mac() { return Mac{{0x52, 0x54, 0x00, 0x42, 0x00, 0x10}}; }

Mac nth_mac(const Mac& first, std::uint32_t n) {
  Mac m = first;
  std::uint32_t low = (std::uint32_t(m.octets[3]) << 16 | std::uint32_t(m.octets[4]) << 8 | m.octets[5]) + n;
  m.octets[3] = std::uint8_t(low >> 16);
  m.octets[4] = std::uint8_t(low >> 8);
  m.octets[5] = std::uint8_t(low);
  return m;
}

Result<SessionResult> run_in_process(const SessionOptions& o) {
  auto cfg = config::load_dnsmasq_conf(o.conf_path);
  if (!cfg) return cfg.error();
  if (o.tftp_root) {
    cfg->tftp.enabled = true;
    cfg->tftp.root = *o.tftp_root;
  }
  auto smb = config::smb_settings(o.smb);
  if (!smb) return smb.error();
  if (*smb) cfg->smb = std::move(**smb);

  ManualClock clock(kPowerOn);
  transport::Link link(clock);
  auto [ip, mask] = server_address(*cfg);
  std::string ifname = cfg->dhcp.interfaces.empty() ? "eth0" : cfg->dhcp.interfaces.front();
  auto server = server::InProcessServer::create(link, *cfg, kServerMac, ip, mask, ifname);
  if (!server) return server.error();
  link.attach(**server, kServerMac);

  auto fleet = Fleet::create(o);
  if (!fleet) return fleet.error();
  (*fleet)->attach(link);
  (*fleet)->power_on(clock.now());
  link.run_until([&] { return (*fleet)->all_done(); }, kPowerOn + kRunLimit);

  SessionResult r;
  r.server_mac = kServerMac;
  r.server_ip = ip;
  r.simulated = clock.now() - kPowerOn;
  r.server_log = (*server)->log_lines();
  if (auto done = (*fleet)->finish(link, r); !done) return done.error();
  return r;
}

std::string render_session(const SessionResult& r, bool verbose) {
  std::string out;
  const bool one = r.clients.size() == 1;
  for (const auto& c : r.clients) {
    if (one || verbose) {
      for (const auto& l : c.screen) out += l + "\n";
    }
    if (verbose) {
      out += fmt::format("--- steps of {}\n", c.mac.str());
      for (const auto& s : c.steps) out += "  " + s + "\n";
      out += fmt::format("--- stage times of {}\n", c.mac.str());
      for (const auto& st : c.stages)
        out += fmt::format("  {:<16} {:>9.3f} s\n", stage_name(st.stage), double((st.end - st.start).count()) / 1e6);
    }
  }
  if (verbose) {
    for (const auto& l : r.fault_log) out += "fault " + l + "\n";
    for (const auto& l : r.server_log) out += "server " + l + "\n";
  }
  unsigned ok = 0;
  Duration slowest{};
  for (const auto& c : r.clients) {
    Duration took = c.stages.empty() ? Duration{} : c.stages.back().end - c.stages.front().start;
    if (c.ok()) {
      ++ok;
      slowest = std::max(slowest, took);
    }
    if (one || verbose || !c.ok()) {
      if (c.ok()) {
        out += fmt::format("{} reached {} in {:.3f} s\n", c.mac.str(), stage_name(r.until), double(took.count()) / 1e6);
      } else if (c.failure) {
        out += fmt::format("{} failed in {}: {}\n", c.mac.str(), c.failed_in ? stage_name(*c.failed_in) : "?",
                           failure_name(*c.failure));
      } else {
        out += fmt::format("{} did not finish (last stage reached: {})\n", c.mac.str(),
                           c.reached ? stage_name(*c.reached) : "none");
      }
    }
  }
  if (!one) {
    out += fmt::format("{} of {} clients reached {}; the slowest in {:.3f} s ({} {:.3f} s)\n", ok,
                       r.clients.size(), stage_name(r.until), double(slowest.count()) / 1e6,
                       r.wall_clock ? "all done in" : "simulated", double(r.simulated.count()) / 1e6);
  }
  if (r.frames_dropped > 0)
    out += fmt::format("the packet socket dropped {} frames (its receive buffer was full): clients may have "
                       "missed answers the server sent\n",
                       r.frames_dropped);
  return out;
}

}  // namespace pxe::client
