// The server's limits against real clients and hand-made datagrams across a veth pair: the
// server runs in this process, its sockets opened inside the server namespace (setns on the
// opening thread; the loop thread is started there too), the clients in the client namespace.
#include <poll.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <vector>

#include "server/tftp/tftp_server.h"
#include "support/netns.h"
#include "support/test_paths.h"
#include "transport/udp.h"
#include "wire/tftp/tftp.h"

namespace pxe::server::tftp::test {
namespace {

namespace fs = std::filesystem;
namespace wt = wire::tftp;
using namespace std::chrono_literals;
using transport::Endpoint;
using transport::UdpSocket;
using pxe::test::Netns;
using pxe::test::netns_unavailable;

std::optional<transport::Datagram> next(UdpSocket& s, int ms) {
  pollfd p{s.fd(), POLLIN, 0};
  if (::poll(&p, 1, ms) <= 0) return std::nullopt;
  auto g = s.receive_batch(1);
  if (!g.ok() || g->empty()) return std::nullopt;
  return std::move((*g)[0]);
}

class TftpNetns : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = netns_unavailable({"ip", "tftp"}); !why.empty()) GTEST_SKIP() << why;
    std::string why;
    ASSERT_TRUE(ns_.setup_pair("10.91.0.1/24", "10.91.0.2/24", &why)) << why;
    // A second address in the client namespace: the misbehaving host.
    ASSERT_EQ(ns_.run(ns_.client_ns(), "ip addr add " + hog_ip() + "/24 dev " + client_if()), 0);
    fs::create_directories(dir_.path() / "root");
    std::ofstream(dir_.path() / "root/big", std::ios::binary) << std::string(2'000'000, 'x');
    std::ofstream(dir_.path() / "root/pxelinux.0", std::ios::binary) << std::string(300'000, 'p');
    settings_.enabled = true;
    settings_.root = (dir_.path() / "root").string();
    settings_.address = ns_.server_ip();
    settings_.port = 69;
  }
  void TearDown() override {
    if (server_) server_->stop();
    server_.reset();
  }
  void start() {
    // The loop thread (and the transfer sockets it opens) live in the namespace.
    ASSERT_TRUE(Netns::in_namespace(ns_.server_ns(), [&] {
      auto s = open_tftp_server(settings_);
      ASSERT_TRUE(s.ok()) << s.error().what;
      server_ = std::move(*s);
      server_->start();
    }));
    ASSERT_TRUE(server_);
  }
  // A UDP socket in the client namespace.
  UdpSocket client_socket(const std::string& ip) {
    std::optional<UdpSocket> s;
    EXPECT_TRUE(Netns::in_namespace(ns_.client_ns(), [&] {
      auto bound = UdpSocket::bind(*Ipv4::parse(ip), 0);
      EXPECT_TRUE(bound.ok());
      if (bound) s = std::move(*bound);
    }));
    return std::move(*s);
  }
  Endpoint port69() const { return {*Ipv4::parse(ns_.server_ip()), 69}; }
  std::string hog_ip() const { return "10.91.0.3"; }
  std::string client_if() const { return ns_.client_if(); }
  // tftp-hpa in the client namespace; 0 when `file` arrived whole.
  int tftp_get(const std::string& file, std::size_t size) {
    fs::path out = dir_.path() / ("got-" + file);
    fs::remove(out);
    std::string log;
    int rc = ns_.run(ns_.client_ns(), "timeout 30 tftp " + ns_.server_ip() + " -m binary -c get " + file + " " +
                                          out.string(), &log);
    if (rc != 0 || !fs::exists(out) || fs::file_size(out) != size) return rc ? rc : -1;
    return 0;
  }

  Netns ns_{"tn"};
  pxe::test::TempDir dir_{"pxkt-tftp-netns"};
  config::TftpSettings settings_;
  std::unique_ptr<TftpServer> server_;
};

// 60 RRQs that are never acknowledged, from one host: they used to take all 50 slots, and the
// PXE client that came next was refused "Too many transfers".
TEST_F(TftpNetns, SixtyUnacknowledgedRrqsFromOneHostDoNotStopARealClient) {
  start();
  std::vector<UdpSocket> hog;
  for (int i = 0; i < 60; ++i) {
    hog.push_back(client_socket(hog_ip()));
    ASSERT_TRUE(hog.back().send_to(wt::encode(wt::Request{false, "big", "octet", {{"timeout", "255"}}}), port69()).ok());
  }
  // The hog's answers (4 OACKs, 56 refusals) mean every request was handled.
  int answers = 0;
  for (auto& s : hog) answers += next(s, 3000).has_value();
  EXPECT_EQ(answers, 60);
  EXPECT_EQ(tftp_get("pxelinux.0", 300'000), 0);
}

// CVE-2024-2169: a peer that answers every ERROR with an ERROR. Our side must not answer its
// first one, so nothing bounces (the old server answered ERROR 5 to each, forever).
TEST_F(TftpNetns, WrongTidErrorDoesNotLoop) {
  start();
  UdpSocket client = client_socket(ns_.client_ip()), looper = client_socket(ns_.client_ip());
  ASSERT_TRUE(client.send_to(wt::encode(wt::Request{false, "big", "octet", {}}), port69()).ok());
  auto data1 = next(client, 3000);
  ASSERT_TRUE(data1.has_value());
  const Bytes err = wt::encode(wt::ErrorPacket{5, "Unknown transfer ID"});
  ASSERT_TRUE(looper.send_to(err, data1->from).ok());
  int bounced = 0;
  auto until = std::chrono::steady_clock::now() + 1s;  // bounded: a loop would run for ever
  while (std::chrono::steady_clock::now() < until) {
    if (!next(looper, 50)) continue;
    ++bounced;
    ASSERT_TRUE(looper.send_to(err, data1->from).ok());
  }
  EXPECT_EQ(bounced, 0);
  // The transfer itself is untouched (DATA 1 may have been retransmitted meanwhile).
  ASSERT_TRUE(client.send_to(wt::encode(wt::Ack{1}), data1->from).ok());
  std::optional<transport::Datagram> data2;
  do data2 = next(client, 3000);
  while (data2 && data2->bytes.size() >= 4 && data2->bytes[3] == 1);
  ASSERT_TRUE(data2.has_value());
  EXPECT_EQ(data2->bytes[3], 2);
}

// A datagram to port 69 from the endpoint of a transfer that has progressed used to end it.
TEST_F(TftpNetns, StrayDatagramToPort69DoesNotEndARunningTransfer) {
  start();
  UdpSocket client = client_socket(ns_.client_ip());
  ASSERT_TRUE(client.send_to(wt::encode(wt::Request{false, "big", "octet", {}}), port69()).ok());
  auto data1 = next(client, 3000);
  ASSERT_TRUE(data1.has_value());
  const Endpoint tid = data1->from;
  ASSERT_TRUE(client.send_to(wt::encode(wt::Ack{1}), tid).ok());
  auto data2 = next(client, 3000);
  ASSERT_TRUE(data2.has_value());
  ASSERT_EQ(data2->bytes[3], 2);
  ASSERT_TRUE(client.send_to(wt::encode(wt::Ack{2}), port69()).ok());  // the stray one
  // A request the server refuses, after it on the same port: its ERROR says the stray was handled.
  ASSERT_TRUE(client.send_to(wt::encode(wt::Request{false, "big", "mail", {}}), port69()).ok());
  std::optional<transport::Datagram> refusal;
  do refusal = next(client, 3000);
  while (refusal && !(refusal->from == port69()));
  ASSERT_TRUE(refusal.has_value());
  ASSERT_TRUE(client.send_to(wt::encode(wt::Ack{2}), tid).ok());
  std::optional<transport::Datagram> data3;
  do data3 = next(client, 3000);  // skipping a DATA 2 retransmitted meanwhile
  while (data3 && data3->bytes.size() >= 4 && data3->bytes[3] == 2);
  ASSERT_TRUE(data3.has_value()) << "the transfer ended";
  EXPECT_EQ(data3->from, tid);
  EXPECT_EQ(data3->bytes[1], 3);
  EXPECT_EQ(data3->bytes[3], 3);
}

}  // namespace
}  // namespace pxe::server::tftp::test
