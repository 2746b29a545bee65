// pxekit serve: DHCP (+proxyDHCP, 4011) and TFTP from a dnsmasq.conf and/or flags, until
// SIGINT/SIGTERM (or --duration). Started as root it opens every socket and file, then becomes
// user= (default nobody) keeping only the capabilities it still needs, and only then starts its
// threads. SIGHUP re-reads dhcp-hostsfile / dhcp-optsfile.
#include "cmd_serve.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <optional>

#include "base/unique_fd.h"
#include "config/quick_start.h"
#include "config/serve_config.h"
#include "server/dhcp/dhcp_server.h"
#include "server/privileges.h"
#include "server/tftp/tftp_server.h"
#include "transport/dhcp_socket.h"

namespace pxekit {

namespace {

// SIGHUP/SIGINT/SIGTERM are blocked in every thread (the mask is inherited, so this runs before
// any thread starts) and read from a signalfd by the main thread: no handler races, no polling.
pxe::UniqueFd block_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGHUP, SIGINT, SIGTERM}) sigaddset(&set, s);
  ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return pxe::UniqueFd(::signalfd(-1, &set, SFD_CLOEXEC));
}

// The capabilities the servers still use after the switch, and why.
std::vector<pxe::server::Capability> needed_capabilities(const pxe::config::ServeConfig& cfg) {
  using pxe::server::Capability;
  std::vector<Capability> keep;
  if (cfg.dhcp.enabled) keep.push_back(Capability::NetAdmin);  // SIOCSARP: unicast to a client without an address
  if (cfg.dhcp.enabled && cfg.dhcp.ping_check) keep.push_back(Capability::NetRaw);  // ICMP echo check
  // Transfer sockets are bound per transfer, after the switch.
  if (cfg.tftp.enabled && cfg.tftp.port_range_low != 0 && cfg.tftp.port_range_low < 1024)
    keep.push_back(Capability::NetBindService);
  return keep;
}

// SIGHUP: dnsmasq re-reads its hosts and opts files (not the conf); leases and transfers stay.
void reload(pxe::config::DhcpSettings& current, pxe::server::DhcpServer* dhcp) {
  if (!dhcp) {
    spdlog::info("SIGHUP: no DHCP server to reload");
    return;
  }
  auto next = current;
  if (auto r = pxe::config::read_dhcp_files(next); !r) {
    spdlog::error("SIGHUP: {}; keeping the previous dhcp-host/dhcp-option values", r.error().what);
    return;
  }
  for (const auto& f : next.hostsfiles) spdlog::info("read {}", f);
  for (const auto& f : next.optsfiles) spdlog::info("read {}", f);
  current = next;
  dhcp->reload(std::move(next));
}

// Opens, drops privileges, runs, waits for signals. Returns the exit code.
int serve(pxe::config::ServeConfig cfg, double duration) {
  pxe::UniqueFd signals = block_signals();
  if (!signals.valid()) {
    spdlog::error("signalfd: {}", std::strerror(errno));
    return 3;
  }
  // 1. Everything that needs root: sockets (67, 4011, ping, 69), the lease database, the TFTP root.
  std::unique_ptr<pxe::server::TftpServer> tftp;
  std::unique_ptr<pxe::server::DhcpServer> dhcp;
  if (cfg.tftp.enabled) {
    auto t = pxe::server::open_tftp_server(cfg.tftp);
    if (!t) {
      spdlog::error("TFTP: {}", t.error().what);
      return 3;
    }
    tftp = std::move(*t);
  }
  if (cfg.dhcp.enabled) {
    auto d = pxe::server::open_dhcp_server(cfg);
    if (!d) {
      spdlog::error("DHCP: {}", d.error().what);
      return 3;
    }
    dhcp = std::move(*d);
  }
  // 2. Become user= before any thread starts.
  pxe::server::PrivilegeDrop drop{cfg.user, cfg.group, needed_capabilities(cfg), {}};
  if (cfg.dhcp.enabled) {
    std::string db = pxe::server::lease_db_path(cfg.dhcp);
    drop.chown = {db, db + "-wal", db + "-shm"};
  }
  auto dropped = pxe::server::drop_privileges(drop);
  if (!dropped) {
    spdlog::error("{}", dropped.error().what);
    return 3;
  }
  spdlog::info("{}", dropped->summary);
  if (cfg.tftp.enabled && cfg.tftp.allow_write) {
    namespace fs = std::filesystem;
    fs::path dir = fs::path(cfg.tftp.write_dir).is_absolute() ? fs::path(cfg.tftp.write_dir)
                                                              : fs::path(cfg.tftp.root) / cfg.tftp.write_dir;
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
      spdlog::warn("TFTP uploads into {} will fail: {} for uid {}", dir.string(), std::strerror(errno), dropped->uid);
  }
  // 3. Threads.
  if (tftp) tftp->start();
  if (dhcp) dhcp->run();
  spdlog::info("ready: serving{}{}", dhcp ? " DHCP" : "", tftp ? " TFTP" : "");
  // 4. Signals until told to stop.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(duration);
  for (;;) {
    int timeout = -1;
    if (duration > 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      timeout = int(std::min<long long>(left.count(), 60'000));
    }
    pollfd p{signals.get(), POLLIN, 0};
    int n = ::poll(&p, 1, timeout);
    if (n < 0 && errno != EINTR) break;
    if (n <= 0) continue;
    signalfd_siginfo si{};
    if (::read(signals.get(), &si, sizeof si) != ssize_t(sizeof si)) continue;
    if (si.ssi_signo == SIGHUP) {
      reload(cfg.dhcp, dhcp.get());
      continue;
    }
    spdlog::info("exiting on receipt of {}", si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
    break;
  }
  // TFTP first: its running transfers are told (ERROR) before the process goes.
  if (tftp) tftp->stop();
  if (dhcp) dhcp->stop();
  return 0;
}

}  // namespace

void add_serve(CLI::App& app, int& exit_code) {
  struct Opts {
    std::string conf;
    std::string tftp_root;
    bool enable_tftp = false;
    std::string listen = "0.0.0.0";
    std::uint16_t tftp_port = 69;
    std::uint32_t tftp_mtu = 0;
    std::string tftp_upload_dir;
    bool tftp_upload_overwrite = false;
    std::uint64_t tftp_max_upload_size = 0;
    std::optional<std::uint32_t> tftp_max, tftp_max_per_client;
    std::vector<std::string> interfaces;
    std::string db;
    double duration = 0;
    std::string log_level = "info";
    bool log_dhcp = false;
    bool dhcp_ping = false;
    std::string user;
    std::string group;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("serve", "Serve DHCP/proxyDHCP/4011 and TFTP (dnsmasq.conf lines or flags)");
  cmd->add_option("-C,--conf-file", o->conf, "dnsmasq.conf to read");
  cmd->add_option("--tftp-root", o->tftp_root, "serve TFTP from this directory (implies --enable-tftp)");
  cmd->add_flag("--enable-tftp", o->enable_tftp, "enable the TFTP server");
  cmd->add_option("--listen-address", o->listen, "address the TFTP server binds");
  cmd->add_option("--tftp-port", o->tftp_port, "TFTP port (69)");
  cmd->add_option("--tftp-mtu", o->tftp_mtu,
                  "cap TFTP blksize at this MTU - 32 instead of the path MTU's (a larger value allows IP fragments)");
  cmd->add_option("--tftp-upload-dir", o->tftp_upload_dir,
                  "accept TFTP uploads (WRQ) into this directory (relative to the root, or absolute under it); "
                  "new files only");
  cmd->add_flag("--tftp-upload-overwrite", o->tftp_upload_overwrite,
                "let TFTP uploads replace existing files in the upload directory");
  cmd->add_option("--tftp-max", o->tftp_max, "running TFTP transfers in all (50)");
  cmd->add_option("--tftp-max-per-client", o->tftp_max_per_client,
                  "running TFTP transfers per client address (4; 0: no per-client cap)");
  cmd->add_option("--tftp-max-upload-size", o->tftp_max_upload_size,
                  "largest TFTP upload in bytes (default 4294967296); a larger one gets ERROR 3 and is not kept");
  cmd->add_option("--interface,-i", o->interfaces, "interface to serve on");
  cmd->add_option("--db", o->db, "lease database (SQLite)");
  cmd->add_flag("--log-dhcp", o->log_dhcp, "log every DHCP option sent (debug level)");
  cmd->add_flag("--dhcp-ping", o->dhcp_ping, "ping a pool address before offering it (dnsmasq's default; off here)");
  cmd->add_option("-u,--user", o->user, "run as this user once sockets and files are open (default nobody; as root only)");
  cmd->add_option("-g,--group", o->group, "run as this group (default: the user's primary group)");
  cmd->add_option("--duration", o->duration, "stop after this many seconds (0: until signalled)");
  cmd->add_option("--log-level", o->log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  cmd->callback([o, &exit_code] {
    spdlog::set_level(spdlog::level::from_str(o->log_level));
    pxe::config::ServeConfig cfg;
    if (!o->conf.empty()) {
      auto loaded = pxe::config::load_dnsmasq_conf(o->conf);
      if (!loaded) {
        spdlog::error("{}", loaded.error().what);
        exit_code = 2;
        return;
      }
      cfg = std::move(*loaded);
    }
    if (!o->tftp_root.empty()) {
      cfg.tftp.enabled = true;
      cfg.tftp.root = o->tftp_root;
    }
    if (o->enable_tftp) cfg.tftp.enabled = true;
    cfg.tftp.address = o->listen;
    cfg.tftp.port = o->tftp_port;
    if (o->tftp_mtu) cfg.tftp.mtu = o->tftp_mtu;
    if (!o->tftp_upload_dir.empty()) {
      cfg.tftp.allow_write = true;
      cfg.tftp.write_dir = o->tftp_upload_dir;
    }
    if (o->tftp_upload_overwrite) cfg.tftp.write_overwrite = true;
    if (o->tftp_max_upload_size) cfg.tftp.max_upload_size = o->tftp_max_upload_size;
    if (o->tftp_max) cfg.tftp.max_transfers = *o->tftp_max;
    if (o->tftp_max_per_client) cfg.tftp.max_per_client = *o->tftp_max_per_client ? *o->tftp_max_per_client : UINT32_MAX;
    if (!o->interfaces.empty()) {
      if (o->conf.empty()) {
        // Quick start: DHCP on the (first) interface's subnet, boot files from the TFTP root.
        auto ifs = pxe::transport::list_interfaces();
        const pxe::transport::NetInterface* found = nullptr;
        if (ifs)
          for (const auto& i : *ifs)
            if (i.name == o->interfaces[0]) found = &i;
        if (!found) {
          spdlog::error("--interface {}: no such interface with an IPv4 address", o->interfaces[0]);
          exit_code = 2;
          return;
        }
        cfg.dhcp = pxe::config::quick_start(found->name, found->address, found->netmask, cfg.tftp.root);
      }
      cfg.dhcp.interfaces = o->interfaces;
      cfg.tftp.interfaces = o->interfaces;
    }
    if (o->log_dhcp) cfg.dhcp.log_dhcp = true;
    if (o->dhcp_ping) cfg.dhcp.ping_check = true;
    if (!o->db.empty()) cfg.dhcp.lease_db = o->db;
    if (!cfg.dhcp.enabled && !cfg.tftp.enabled) {
      spdlog::error("nothing to serve: give -C dnsmasq.conf, or --tftp-root DIR");
      exit_code = 2;
      return;
    }
    if (!o->user.empty()) cfg.user = o->user;
    if (!o->group.empty()) cfg.group = o->group;
    exit_code = serve(std::move(cfg), o->duration);
  });
}

}  // namespace pxekit
