// The server's policy: read-only, confinement to the root, tftp-secure, limits, malformed input.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "server_fixture.h"
#include "transport/udp.h"
#include "wire/tftp/tftp.h"

namespace pxe::server::tftp::test {
namespace {

namespace wt = wire::tftp;
using proto::tftp::FailReason;

std::uint16_t error_code(const FetchResult& r) {
  EXPECT_NE(r.failed(), nullptr);
  if (!r.failed()) return 0xffff;
  EXPECT_EQ(r.failed()->reason, FailReason::PeerError);
  return r.failed()->code;
}

TEST_F(TftpServerTest, MissingFileIsError1) {
  start();
  EXPECT_EQ(error_code(get("nonexistent.0")), 1);
}

TEST_F(TftpServerTest, DotDotIsRefused) {
  start();
  EXPECT_EQ(error_code(get("../outside/secret")), 2);
  EXPECT_EQ(error_code(get("pxelinux.cfg/../../outside/secret")), 2);
  EXPECT_EQ(error_code(get("..\\outside\\secret")), 2);
}

TEST_F(TftpServerTest, SymlinkLeavingTheRootIsRefused) {
  fs::create_symlink(base_ / "outside" / "secret", root_ / "link");
  fs::create_directory_symlink(base_ / "outside", root_ / "dirlink");
  start();
  EXPECT_EQ(error_code(get("link")), 2);
  EXPECT_EQ(error_code(get("dirlink/secret")), 2);
}

TEST_F(TftpServerTest, SymlinkInsideTheRootIsFollowed) {
  Bytes data = pattern(1000);
  write("real.0", data);
  fs::create_symlink("real.0", root_ / "alias.0");
  start();
  auto r = get("alias.0");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.bytes, data);
}

TEST_F(TftpServerTest, AbsolutePathOutsideTheRootIsNotServed) {
  start();
  std::string secret = (base_ / "outside" / "secret").string();
  auto r = get(secret);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(error_code(r), 1);  // looked up beneath the root, where it does not exist
  EXPECT_EQ(error_code(get("/etc/passwd")), 1);
}

TEST_F(TftpServerTest, AbsolutePathInsideTheRootIsServed) {
  Bytes data = pattern(700);
  write("pxelinux.0", data);
  start();
  auto r = get((root_ / "pxelinux.0").string());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.bytes, data);
  r = get("/pxelinux.0");
  ASSERT_TRUE(r.ok());
}

TEST_F(TftpServerTest, BackslashesAreDirectorySeparators) {
  Bytes data = pattern(900);
  write("Boot/BCD", data);
  start();
  auto r = get("\\Boot\\BCD");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.bytes, data);
}

TEST_F(TftpServerTest, CaseInsensitiveLookupWhenEnabled) {
  Bytes data = pattern(900);
  write("boot/bootmgr.exe", data);
  start();
  EXPECT_EQ(error_code(get("\\Boot\\BOOTMGR.EXE")), 1);
  server_->stop();
  settings_.case_insensitive = true;
  start();
  auto r = get("\\Boot\\BOOTMGR.EXE");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.bytes, data);
}

TEST_F(TftpServerTest, LowercaseFoldsTheRequestedName) {
  write("pxelinux.0", pattern(10));
  settings_.lowercase = true;
  start();
  EXPECT_TRUE(get("PXELINUX.0").ok());
}

TEST_F(TftpServerTest, DirectoryIsNotServed) {
  start();
  EXPECT_EQ(error_code(get("pxelinux.cfg")), 2);
}

TEST_F(TftpServerTest, WriteRequestIsRefused) {
  start();
  const Ipv4 lo(127, 0, 0, 1);
  auto s = transport::UdpSocket::bind(lo, 0);
  ASSERT_TRUE(s->send_to(wt::encode(wt::Request{true, "upload", "octet", {}}), {lo, server_->port()}).ok());
  for (int i = 0; i < 100; ++i) {
    auto g = s->receive_batch(1);
    if (g.ok() && !g->empty()) {
      auto p = wt::parse((*g)[0].bytes);
      ASSERT_TRUE(p.ok());
      EXPECT_EQ(std::get<wt::ErrorPacket>(*p).code, 2);
      EXPECT_FALSE(fs::exists(root_ / "upload"));
      return;
    }
    ::usleep(10'000);
  }
  FAIL() << "no answer to WRQ";
}

TEST_F(TftpServerTest, SecureRefusesFilesOwnedBySomeoneElse) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a file to another user";
  write("mine", pattern(10));
  auto theirs = write("theirs", pattern(10));
  ASSERT_EQ(::chown(theirs.c_str(), 65534, 65534), 0);
  settings_.secure = true;
  start();
  EXPECT_TRUE(get("mine").ok());
  EXPECT_EQ(error_code(get("theirs")), 2);
}

TEST_F(TftpServerTest, MalformedAndStrayDatagramsAreDroppedAndServiceContinues) {
  write("f", pattern(100));
  start();
  const Ipv4 lo(127, 0, 0, 1);
  auto s = transport::UdpSocket::bind(lo, 0);
  std::vector<Bytes> junk = {{}, {0}, {0, 1}, {0, 1, 'f'}, {0, 1, 'f', 0}, {0, 9, 1, 2}, {0, 4, 0, 1},
                             {0, 5, 0, 1, 'x'}, Bytes(600, 'A')};
  for (const auto& j : junk) (void)s->send_to(j, {lo, server_->port()});
  ::usleep(50'000);
  EXPECT_TRUE(get("f").ok());
}

TEST_F(TftpServerTest, UnsupportedModeIsError4) {
  write("f", pattern(100));
  start();
  auto c = rrq("f");
  c.mode = "mail";
  auto r = fetch(server_->port(), c);
  EXPECT_EQ(error_code(r), 4);
}

TEST_F(TftpServerTest, TransferLimitRefusesTheNextRequest) {
  write("f", pattern(100'000));
  settings_.max_transfers = 1;
  start();
  const Ipv4 lo(127, 0, 0, 1);
  // Open one transfer and leave it hanging (never ACK).
  auto hog = transport::UdpSocket::bind(lo, 0);
  ASSERT_TRUE(hog->send_to(wt::encode(wt::Request{false, "f", "octet", {}}), {lo, server_->port()}).ok());
  ::usleep(50'000);
  auto r = get("f");
  ASSERT_NE(r.failed(), nullptr);
  EXPECT_EQ(r.failed()->code, 0);
  EXPECT_EQ(r.failed()->message, "Too many transfers");
}

TEST_F(TftpServerTest, RateLimitDropsAFloodingClient) {
  write("f", pattern(10));
  settings_.rate_limit_per_s = 1;
  settings_.rate_limit_burst = 3;
  start();
  int ok = 0;
  for (int i = 0; i < 6; ++i) {
    auto c = rrq("f");
    c.timing.max_retries = 0;
    if (fetch(server_->port(), c, std::chrono::milliseconds(500)).ok()) ++ok;
  }
  EXPECT_GE(ok, 3);
  EXPECT_LE(ok, 4);
}

TEST_F(TftpServerTest, MissingRootIsAStartError) {
  settings_.root = (base_ / "nope").string();
  auto s = start_tftp_server(settings_);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().what.find("tftp-root"), std::string::npos);
}

}  // namespace
}  // namespace pxe::server::tftp::test
