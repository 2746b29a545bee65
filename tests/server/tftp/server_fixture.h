// A TFTP root in a temporary directory and a server on 127.0.0.1 (kernel-chosen port).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "server/tftp/tftp_server.h"
#include "support/test_paths.h"
#include "udp_client.h"

namespace pxe::server::tftp::test {

namespace fs = std::filesystem;

inline Bytes pattern(std::size_t n, unsigned seed = 7) {
  Bytes b(n);
  std::uint32_t x = seed;
  for (auto& c : b) {
    x = x * 1103515245u + 12345u;
    c = static_cast<std::uint8_t>(x >> 16);
  }
  return b;
}

class TftpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = base_ / "root";
    fs::create_directories(root_ / "pxelinux.cfg");
    fs::create_directories(base_ / "outside");
    write("outside/secret", Bytes{'s', 'e', 'c', 'r', 'e', 't'}, true);
    settings_.enabled = true;
    settings_.root = root_.string();
    settings_.address = "127.0.0.1";
    settings_.port = 0;
  }
  void TearDown() override {
    if (server_) server_->stop();
    server_.reset();
  }
  void start() {
    auto s = start_tftp_server(settings_);
    ASSERT_TRUE(s.ok()) << s.error().what;
    server_ = std::move(*s);
  }
  // Writes a file under the root (or under the temp base with `outside`).
  fs::path write(const std::string& rel, const Bytes& data, bool outside = false) {
    fs::path p = (outside ? base_.path() : root_) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(data.data()),
                                              static_cast<std::streamsize>(data.size()));
    return p;
  }
  FetchResult get(std::string name, std::vector<wire::tftp::Option> options = {}) {
    return fetch(server_->port(), rrq(std::move(name), std::move(options)));
  }

  pxe::test::TempDir base_{"pxkt-tftp"};  // removed after TearDown stopped the server
  fs::path root_;
  config::TftpSettings settings_;
  std::unique_ptr<TftpServer> server_;
};

}  // namespace pxe::server::tftp::test
