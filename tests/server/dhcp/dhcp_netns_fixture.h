// The fixture of the DHCP server's namespace tests: a namespace pair with a veth (support/netns.h), a
// work directory, `pxekit serve`'s DHCP server started in the server namespace from a dnsmasq.conf
// body, the lease database it writes, and background client processes killed at the end.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "config/serve_config.h"
#include "support/netns.h"
#include "support/test_paths.h"
#include "server/dhcp/dhcp_server.h"
#include "server/dhcp/lease_store.h"

namespace pxe::test {

class DhcpNetnsFixture : public ::testing::Test {
 protected:
  // `prefix` names the work directory (pxkd-<what>-PID-TEST).
  explicit DhcpNetnsFixture(std::string prefix) : prefix_(std::move(prefix)) {}

  void SetUp() override {
    if (auto why = netns_unavailable(); !why.empty()) GTEST_SKIP() << why;
    dir_ = std::filesystem::temp_directory_path() / (prefix_ + "-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::string why;
    ASSERT_TRUE(net_.setup_pair("192.168.77.1/24", "", &why)) << why;
    db_ = (dir_ / "leases.db").string();
  }
  void TearDown() override {
    for (const auto& pid : pids_) run("kill " + pid + " 2>/dev/null");
    if (server_) server_->stop();
    server_.reset();
    net_.teardown();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // Starts the server on the server's veth with `lines` (dhcp-range and the rest) after the
  // interface and lease file lines; `ping_check` is `pxekit serve --dhcp-ping`.
  void start_server(const std::string& lines, bool ping_check = false) {
    std::string conf = (dir_ / "dnsmasq.conf").string();
    std::ofstream(conf) << "port=0 # no DNS\ninterface=" << net_.server_if() << "\nbind-interfaces\n"
                        << "dhcp-leasefile=" << db_ << "\n" << lines;
    auto cfg = config::load_dnsmasq_conf(conf);
    ASSERT_TRUE(cfg.ok()) << cfg.error().what;
    cfg->dhcp.ping_check = ping_check;
    std::string err;
    Netns::in_namespace(net_.server_ns(), [&] {
      auto s = server::start_dhcp_server(*cfg);
      if (s) server_ = std::move(*s);
      else err = s.error().what;
    });
    ASSERT_TRUE(server_) << err;
  }

  std::vector<proto::dhcp::Lease> leases() const {
    auto store = server::LeaseStore::open(db_, true);
    if (!store) return {};
    auto l = store->load();
    return l ? *l : std::vector<proto::dhcp::Lease>{};
  }
  // Waits (up to `seconds`) for a lease of `mac` that satisfies `pred`, polling the database.
  std::optional<proto::dhcp::Lease> wait_lease(const std::string& mac,
                                               const std::function<bool(const proto::dhcp::Lease&)>& pred,
                                               int seconds = 15) const {
    auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < end) {
      for (const auto& l : leases())
        if (l.mac.str() == mac && pred(l)) return l;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return std::nullopt;
  }
  std::string write_script(const std::string& name, const std::string& body) const {
    auto path = (dir_ / name).string();
    std::ofstream(path) << "#!/bin/sh\n" << body;
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
    return path;
  }
  // Runs `cmd` in the background with its output in `log`; killed at TearDown. Returns its pid.
  std::string background(const std::string& cmd, const std::string& log) {
    std::string pid;
    run(cmd + " >" + log + " 2>&1 & echo $!", &pid);
    while (!pid.empty() && pid.back() == '\n') pid.pop_back();
    pids_.push_back(pid);
    return pid;
  }

  Netns net_{"d"};
  std::filesystem::path dir_;
  std::string db_;
  std::unique_ptr<server::DhcpServer> server_;
  std::vector<std::string> pids_;

 private:
  std::string prefix_;
};

}  // namespace pxe::test
