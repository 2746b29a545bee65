#include "server/serve.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <memory>
#include <utility>

#include "base/unique_fd.h"
#include "config/quick_start.h"
#include "server/privileges.h"
#include "server/services.h"
#include "transport/dhcp_socket.h"

namespace pxe::server {

namespace {

// Quick start (--interface without -C): DHCP on the interface's subnet, boot files from the TFTP
// root.
Result<void> apply_quick_start(config::ServeConfig& cfg, const std::string& interface) {
  auto ifs = transport::list_interfaces();
  if (ifs)
    for (const auto& i : *ifs)
      if (i.name == interface) {
        cfg.dhcp = config::quick_start(i.name, i.address, i.netmask, cfg.tftp.root);
        return {};
      }
  return make_error("--interface " + interface + ": no such interface with an IPv4 address");
}

// SIGHUP/SIGINT/SIGTERM are blocked in every thread (the mask is inherited, so this runs before
// any thread starts) and read from a signalfd by the main thread: no handler races, no polling.
UniqueFd block_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGHUP, SIGINT, SIGTERM}) sigaddset(&set, s);
  ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return UniqueFd(::signalfd(-1, &set, SFD_CLOEXEC));
}

// Waits for SIGINT/SIGTERM (or the end of `duration`), forwarding SIGHUP to the services.
void wait_for_signals(int signals, double duration, const std::vector<std::unique_ptr<Service>>& services) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(duration);
  for (;;) {
    int timeout = -1;
    if (duration > 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return;
      timeout = int(std::min<long long>(left.count(), 60'000));
    }
    pollfd p{signals, POLLIN, 0};
    int n = ::poll(&p, 1, timeout);
    if (n < 0 && errno != EINTR) return;
    if (n <= 0) continue;
    signalfd_siginfo si{};
    if (::read(signals, &si, sizeof si) != ssize_t(sizeof si)) continue;
    if (si.ssi_signo == SIGHUP) {
      bool reloaded = false;
      for (const auto& s : services) reloaded = s->reload() || reloaded;
      if (!reloaded) spdlog::info("SIGHUP: no DHCP server to reload");
      continue;
    }
    spdlog::info("exiting on receipt of {}", si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
    return;
  }
}

}  // namespace

Result<config::ServeConfig> serve_config(const ServeOptions& o) {
  config::ServeConfig cfg;
  if (!o.conf_path.empty()) {
    auto loaded = config::load_dnsmasq_conf(o.conf_path);
    if (!loaded) return loaded.error();
    cfg = std::move(*loaded);
  }
  if (!o.tftp_root.empty()) {
    cfg.tftp.enabled = true;
    cfg.tftp.root = o.tftp_root;
  }
  if (o.enable_tftp) cfg.tftp.enabled = true;
  cfg.tftp.address = o.listen_address;
  cfg.tftp.port = o.tftp_port;
  if (o.tftp_mtu) cfg.tftp.mtu = o.tftp_mtu;
  if (!o.tftp_upload_dir.empty()) {
    cfg.tftp.allow_write = true;
    cfg.tftp.write_dir = o.tftp_upload_dir;
  }
  if (o.tftp_upload_overwrite) cfg.tftp.write_overwrite = true;
  if (o.tftp_max_upload_size) cfg.tftp.max_upload_size = o.tftp_max_upload_size;
  if (o.tftp_max) cfg.tftp.max_transfers = *o.tftp_max;
  if (o.tftp_max_per_client) cfg.tftp.max_per_client = *o.tftp_max_per_client ? *o.tftp_max_per_client : UINT32_MAX;
  if (!o.interfaces.empty()) {
    if (o.conf_path.empty())
      if (auto r = apply_quick_start(cfg, o.interfaces[0]); !r) return r.error();
    cfg.dhcp.interfaces = o.interfaces;
    cfg.tftp.interfaces = o.interfaces;
  }
  if (o.log_dhcp) cfg.dhcp.log_dhcp = true;
  if (o.dhcp_ping) cfg.dhcp.ping_check = true;
  if (!o.lease_db.empty()) cfg.dhcp.lease_db = o.lease_db;
  auto smb = config::smb_settings(o.smb);
  if (!smb) return smb.error();
  cfg.smb = std::move(*smb);
  cfg.smb_address = o.listen_address;
  if (!cfg.dhcp.enabled && !cfg.tftp.enabled && !cfg.smb)
    return make_error("nothing to serve: give -C dnsmasq.conf, --tftp-root DIR or an SMB share (--smb-conf, --share)");
  if (!o.user.empty()) cfg.user = o.user;
  if (!o.group.empty()) cfg.group = o.group;
  return cfg;
}

Result<void> run_serve(config::ServeConfig cfg, double duration) {
  UniqueFd signals = block_signals();
  if (!signals.valid()) return make_error(std::string("signalfd: ") + std::strerror(errno));
  // 1. Everything that needs root: each service's sockets and files.
  auto opened = open_services(cfg);
  if (!opened) return opened.error();
  std::vector<std::unique_ptr<Service>> services = std::move(*opened);
  // 2. Become user= before any thread starts, keeping what the services still need.
  PrivilegeDrop drop{cfg.user, cfg.group, {}, {}};
  for (const auto& s : services) {
    for (Capability c : s->capabilities())
      if (std::find(drop.keep.begin(), drop.keep.end(), c) == drop.keep.end()) drop.keep.push_back(c);
    for (auto& f : s->owned_files()) drop.chown.push_back(std::move(f));
  }
  auto dropped = drop_privileges(drop);
  if (!dropped) return dropped.error();
  spdlog::info("{}", dropped->summary);
  for (const auto& s : services) s->check_as(*dropped);
  // 3. Threads.
  std::string names;
  for (const auto& s : services) {
    s->start();
    names += ' ';
    names += s->name();
  }
  spdlog::info("ready: serving{}", names);
  // 4. Signals until told to stop, then the last started stops first (TFTP tells its running
  // transfers before the DHCP server closes its leases).
  wait_for_signals(signals.get(), duration, services);
  for (auto it = services.rbegin(); it != services.rend(); ++it) (*it)->stop();
  return {};
}

}  // namespace pxe::server
