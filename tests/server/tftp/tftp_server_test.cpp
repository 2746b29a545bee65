// The server over loopback with the proto Receiver as client: transfers and negotiation.
#include <poll.h>

#include <gtest/gtest.h>

#include "server_fixture.h"
#include "transport/udp.h"
#include "wire/tftp/tftp.h"

namespace pxe::server::tftp::test {
namespace {

namespace wt = wire::tftp;

TEST_F(TftpServerTest, ServesAFileByteIdenticalWithoutOptions) {
  Bytes data = pattern(100'000);
  write("pxelinux.0", data);
  start();
  auto r = get("pxelinux.0");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.bytes, data);
  EXPECT_EQ(r.blksize, 512u);
  EXPECT_NE(r.server_tid.port, server_->port());  // answered from its own port
}

TEST_F(TftpServerTest, NegotiatesTsizeBlksizeAndWindowsize) {
  Bytes data = pattern(1'000'000);
  write("boot/winpe.iso", data);
  start();
  auto r = get("boot/winpe.iso", {{"tsize", "0"}, {"blksize", "1468"}, {"windowsize", "8"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.bytes, data);
  EXPECT_EQ(r.tsize, 1'000'000u);
  EXPECT_EQ(r.blksize, 1468u);
  EXPECT_EQ(r.windowsize, 8u);
}

TEST_F(TftpServerTest, ClampsBlksizeToTheConfiguredMtu) {
  write("f", pattern(5000));
  settings_.mtu = 1500;
  start();
  auto r = get("f", {{"blksize", "65464"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.blksize, 1468u);
}

TEST_F(TftpServerTest, ClampsBlksizeToThePathMtu) {
  write("f", pattern(200'000));
  start();
  auto r = get("f", {{"blksize", "65464"}});  // loopback: MTU 65536 -> the RFC 2348 maximum
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.blksize, 65464u);
  EXPECT_EQ(r.bytes.size(), 200'000u);
}

TEST_F(TftpServerTest, CapsWindowsizeFromSettings) {
  write("f", pattern(50'000));
  settings_.max_windowsize = 4;
  start();
  auto r = get("f", {{"windowsize", "64"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.windowsize, 4u);
}

TEST_F(TftpServerTest, IgnoresBlksizeWithNoBlocksize) {
  write("f", pattern(5000));
  settings_.no_blocksize = true;
  start();
  auto r = get("f", {{"blksize", "1468"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.blksize, 512u);
}

TEST_F(TftpServerTest, FileLargerThan65535BlocksWrapsTheBlockNumber) {
  Bytes data = pattern(65'535u * 512u + 70'000u);
  write("big.iso", data);
  start();
  proto::tftp::ReceiverConfig c = rrq("big.iso", {{"windowsize", "32"}});
  auto r = fetch(server_->port(), c, std::chrono::seconds(60));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.bytes == data);
}

TEST_F(TftpServerTest, TsizeProbeAbortThenNewRequest) {
  Bytes data = pattern(30'000);
  write("pxelinux.0", data);
  start();
  auto probe_cfg = rrq("pxelinux.0", {{"tsize", "0"}});
  probe_cfg.abort_after_oack = true;
  auto probe = fetch(server_->port(), probe_cfg);
  EXPECT_EQ(probe.tsize, 30'000u);
  auto r = get("pxelinux.0", {{"blksize", "1456"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.bytes, data);
}

TEST_F(TftpServerTest, NetasciiConvertsLineEndsAndOmitsTsize) {
  std::string text = "SERIAL 0 115200\nUI menu.c32\n";
  write("pxelinux.cfg/default", Bytes(text.begin(), text.end()));
  start();
  auto c = rrq("pxelinux.cfg/default", {{"tsize", "0"}});
  c.mode = "netascii";
  auto r = fetch(server_->port(), c);
  ASSERT_TRUE(r.ok());
  std::string got(r.bytes.begin(), r.bytes.end());
  EXPECT_EQ(got, "SERIAL 0 115200\r\nUI menu.c32\r\n");
  EXPECT_FALSE(r.tsize.has_value());
}

TEST_F(TftpServerTest, ManyConcurrentTransfers) {
  Bytes data = pattern(300'000);
  write("f", data);
  settings_.max_per_client = 8;  // every client here is 127.0.0.1
  start();
  std::vector<std::thread> th;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i)
    th.emplace_back([&] {
      auto r = get("f", {{"blksize", "1468"}});
      if (r.ok() && r.bytes == data) ++ok;
    });
  for (auto& t : th) t.join();
  EXPECT_EQ(ok, 8);
}

TEST_F(TftpServerTest, PacketFromAnotherPortGetsUnknownTidAndTransferContinues) {
  Bytes data = pattern(3000);
  write("f", data);
  start();
  const Ipv4 lo(127, 0, 0, 1);
  auto client = transport::UdpSocket::bind(lo, 0);
  auto stranger = transport::UdpSocket::bind(lo, 0);
  ASSERT_TRUE(client.ok() && stranger.ok());
  ASSERT_TRUE(client->send_to(wt::encode(wt::Request{false, "f", "octet", {}}), {lo, server_->port()}).ok());
  auto wait = [](transport::UdpSocket& s) {  // the next datagram, waiting up to 2 s for it
    pollfd p{s.fd(), POLLIN, 0};
    if (::poll(&p, 1, 2000) > 0)
      if (auto g = s.receive_batch(1); g.ok() && !g->empty()) return std::move((*g)[0]);
    return transport::Datagram{};
  };
  auto data1 = wait(*client);
  ASSERT_EQ(data1.bytes.size(), 516u);
  ASSERT_TRUE(stranger->send_to(wt::encode(wt::Ack{1}), data1.from).ok());
  auto err = wait(*stranger);
  auto parsed = wt::parse(err.bytes);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(std::get<wt::ErrorPacket>(*parsed).code, 5);
  ASSERT_TRUE(client->send_to(wt::encode(wt::Ack{1}), data1.from).ok());
  auto data2 = wait(*client);
  ASSERT_GE(data2.bytes.size(), 4u);
  EXPECT_EQ(data2.bytes[3], 2);  // DATA 2: the transfer went on
}

}  // namespace
}  // namespace pxe::server::tftp::test
