// pxekit serve: DHCP (+proxyDHCP, 4011) and TFTP from a dnsmasq.conf and/or flags, until
// SIGINT/SIGTERM (or --duration).
#include "cmd_serve.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <csignal>
#include <thread>

#include "config/quick_start.h"
#include "config/serve_config.h"
#include "server/dhcp/dhcp_server.h"
#include "server/tftp/tftp_server.h"
#include "transport/dhcp_socket.h"

namespace pxekit {

namespace {
volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }
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
    std::vector<std::string> interfaces;
    std::string db;
    double duration = 0;
    std::string log_level = "info";
    bool log_dhcp = false;
    bool dhcp_ping = false;
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
  cmd->add_option("--tftp-max-upload-size", o->tftp_max_upload_size,
                  "largest TFTP upload in bytes (default 4294967296); a larger one gets ERROR 3 and is not kept");
  cmd->add_option("--interface,-i", o->interfaces, "interface to serve on");
  cmd->add_option("--db", o->db, "lease database (SQLite)");
  cmd->add_flag("--log-dhcp", o->log_dhcp, "log every DHCP option sent (debug level)");
  cmd->add_flag("--dhcp-ping", o->dhcp_ping, "ping a pool address before offering it (dnsmasq's default; off here)");
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
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    std::unique_ptr<pxe::server::TftpServer> tftp;
    std::unique_ptr<pxe::server::DhcpServer> dhcp;
    if (cfg.tftp.enabled) {
      auto t = pxe::server::start_tftp_server(cfg.tftp);
      if (!t) {
        spdlog::error("TFTP: {}", t.error().what);
        exit_code = 3;
        return;
      }
      tftp = std::move(*t);
    }
    if (cfg.dhcp.enabled) {
      auto d = pxe::server::start_dhcp_server(cfg);
      if (!d) {
        spdlog::error("DHCP: {}", d.error().what);
        if (tftp) tftp->stop();
        exit_code = 3;
        return;
      }
      dhcp = std::move(*d);
    }
    auto start = std::chrono::steady_clock::now();
    while (!g_stop) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (o->duration > 0 &&
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >= o->duration)
        break;
    }
    if (dhcp) dhcp->stop();
    if (tftp) tftp->stop();
    exit_code = 0;
  });
}

}  // namespace pxekit
