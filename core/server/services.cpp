#include "server/services.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "server/dhcp/dhcp_server.h"
#include "server/smb/smb_server.h"
#include "server/tftp/tftp_server.h"

namespace pxe::server {

namespace {

// DHCP, proxyDHCP and the 4011 boot server: ports 67 and 4011, the ping socket, the leases.
class DhcpService final : public Service {
 public:
  DhcpService(config::DhcpSettings settings, std::unique_ptr<DhcpServer> server)
      : settings_(std::move(settings)), server_(std::move(server)) {}

  std::string_view name() const override { return "DHCP"; }
  std::vector<Capability> capabilities() const override {
    std::vector<Capability> keep{Capability::NetAdmin};  // SIOCSARP: unicast to a client without an address
    if (settings_.ping_check) keep.push_back(Capability::NetRaw);  // ICMP echo check
    return keep;
  }
  std::vector<std::string> owned_files() const override {
    std::string db = lease_db_path(settings_);
    return {db, db + "-wal", db + "-shm"};
  }
  void start() override { server_->run(); }
  // dnsmasq re-reads its hosts and opts files (not the conf); leases stay.
  bool reload() override {
    auto next = settings_;
    if (auto r = config::read_dhcp_files(next); !r) {
      spdlog::error("SIGHUP: {}; keeping the previous dhcp-host/dhcp-option values", r.error().what);
      return true;
    }
    for (const auto& f : next.hostsfiles) spdlog::info("read {}", f);
    for (const auto& f : next.optsfiles) spdlog::info("read {}", f);
    settings_ = next;
    server_->reload(std::move(next));
    return true;
  }
  void stop() override { server_->stop(); }

 private:
  config::DhcpSettings settings_;  // what the server runs with now; SIGHUP starts from it
  std::unique_ptr<DhcpServer> server_;
};

// TFTP: the request port; transfer sockets are bound per transfer, after the switch.
class TftpService final : public Service {
 public:
  TftpService(config::TftpSettings settings, std::unique_ptr<TftpServer> server)
      : settings_(std::move(settings)), server_(std::move(server)) {}

  std::string_view name() const override { return "TFTP"; }
  std::vector<Capability> capabilities() const override {
    if (settings_.port_range_low != 0 && settings_.port_range_low < 1024) return {Capability::NetBindService};
    return {};
  }
  void check_as(const DropOutcome& now) const override {
    if (!settings_.allow_write) return;
    namespace fs = std::filesystem;
    fs::path dir = fs::path(settings_.write_dir).is_absolute() ? fs::path(settings_.write_dir)
                                                               : fs::path(settings_.root) / settings_.write_dir;
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
      spdlog::warn("TFTP uploads into {} will fail: {} for uid {}", dir.string(), std::strerror(errno), now.uid);
  }
  void start() override { server_->start(); }
  // Running transfers are told (ERROR) before the process goes.
  void stop() override { server_->stop(); }

 private:
  config::TftpSettings settings_;
  std::unique_ptr<TftpServer> server_;
};

// SMB: port 445 (bound here, as root) and the share directories (opened here); nothing is kept
// after the switch. Files are then opened as user= (nobody): the shares must be readable by it.
class SmbService final : public Service {
 public:
  explicit SmbService(std::unique_ptr<SmbServer> server) : server_(std::move(server)) {}
  std::string_view name() const override { return "SMB"; }
  void start() override { server_->start(); }
  void stop() override { server_->stop(); }

 private:
  std::unique_ptr<SmbServer> server_;
};

Result<std::unique_ptr<Service>> open_dhcp(const config::ServeConfig& c) {
  auto s = open_dhcp_server(c);
  if (!s) return s.error();
  return std::unique_ptr<Service>(std::make_unique<DhcpService>(c.dhcp, std::move(*s)));
}

Result<std::unique_ptr<Service>> open_tftp(const config::ServeConfig& c) {
  auto s = open_tftp_server(c.tftp);
  if (!s) return s.error();
  return std::unique_ptr<Service>(std::make_unique<TftpService>(c.tftp, std::move(*s)));
}

Result<std::unique_ptr<Service>> open_smb(const config::ServeConfig& c) {
  auto s = open_smb_service(*c.smb, c.smb_address);
  if (!s) return s.error();
  return std::unique_ptr<Service>(std::make_unique<SmbService>(std::move(*s)));
}

struct ServiceRow {
  const char* name;
  bool (*enabled)(const config::ServeConfig&);
  Result<std::unique_ptr<Service>> (*open)(const config::ServeConfig&);
};

// Every service pxekit serve knows, in the order they open and start (they stop in reverse).
constexpr ServiceRow kServices[] = {
    {"DHCP", [](const config::ServeConfig& c) { return c.dhcp.enabled; }, open_dhcp},
    {"TFTP", [](const config::ServeConfig& c) { return c.tftp.enabled; }, open_tftp},
    {"SMB", [](const config::ServeConfig& c) { return c.smb.has_value(); }, open_smb},
};

}  // namespace

Result<std::vector<std::unique_ptr<Service>>> open_services(const config::ServeConfig& config) {
  std::vector<std::unique_ptr<Service>> open;
  for (const auto& row : kServices) {
    if (!row.enabled(config)) continue;
    auto s = row.open(config);
    if (!s) return make_error(std::string(row.name) + ": " + s.error().what);
    open.push_back(std::move(*s));
  }
  return open;
}

}  // namespace pxe::server
