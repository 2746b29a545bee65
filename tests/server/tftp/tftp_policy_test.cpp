// The server's policy: read-only, confinement to the root, tftp-secure, limits, malformed input.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>

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

// A lock-step TFTP client's side of a WRQ: sends `data` as `name` in blocks of `blksize`
// (asked for when not 512), returns the server's ERROR code, or -1 when every block was acked,
// or -2 when the server stopped answering.
struct PutResult {
  int error = -1;
  std::string message;
  std::vector<wt::Option> oack;
};
PutResult put(std::uint16_t port, const std::string& name, const Bytes& data, std::size_t blksize = 512,
              const std::string& mode = "octet") {
  const Ipv4 lo(127, 0, 0, 1);
  auto s = transport::UdpSocket::bind(lo, 0);
  EXPECT_TRUE(s.ok());
  PutResult out;
  std::vector<wt::Option> opts;
  if (blksize != 512) opts.push_back({"blksize", std::to_string(blksize)});
  opts.push_back({"tsize", std::to_string(data.size())});
  transport::Endpoint server{lo, port};
  Bytes last = wt::encode(wt::Request{true, name, mode, opts});
  EXPECT_TRUE(s->send_to(last, server).ok());
  std::uint16_t expect_ack = 0;
  std::size_t offset = 0;
  bool sent_last = false;
  for (int waits = 0; waits < 3000;) {
    auto g = s->receive_batch(1);
    if (!g.ok() || g->empty()) {
      ::usleep(1'000);
      ++waits;
      continue;
    }
    waits = 0;
    const auto& d = (*g)[0];
    auto p = wt::parse(d.bytes);
    if (!p.ok()) continue;
    server = d.from;  // the transfer's own port from now on
    if (auto* e = std::get_if<wt::ErrorPacket>(&*p)) {
      out.error = e->code;
      out.message = e->message;
      return out;
    }
    bool advance = false;
    if (auto* o = std::get_if<wt::Oack>(&*p); o && expect_ack == 0) {
      out.oack = o->options;
      advance = true;
    } else if (auto* a = std::get_if<wt::Ack>(&*p); a && a->block == expect_ack) {
      advance = true;
    }
    if (!advance) continue;
    if (sent_last) return out;
    std::size_t n = std::min(blksize, data.size() - offset);
    ++expect_ack;
    last = wt::encode(wt::Data{expect_ack, ByteSpan(data.data() + offset, n)});
    offset += n;
    sent_last = n < blksize;
    EXPECT_TRUE(s->send_to(last, server).ok());
  }
  out.error = -2;
  return out;
}

Bytes slurp_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(f), {});
}

TEST_F(TftpServerTest, WriteIntoTheUploadDirectoryStoresTheFileWhole) {
  fs::create_directories(root_ / "incoming");
  settings_.write_dir = "incoming";
  start();
  Bytes small = pattern(1000, 3), exact = pattern(2048, 4), big = pattern(200'000, 5);
  EXPECT_EQ(put(server_->port(), "incoming/small.log", small).error, -1);
  EXPECT_EQ(slurp_file(root_ / "incoming/small.log"), small);
  // A multiple of the block size ends with an empty DATA block.
  EXPECT_EQ(put(server_->port(), "incoming/exact.bin", exact).error, -1);
  EXPECT_EQ(slurp_file(root_ / "incoming/exact.bin"), exact);
  auto r = put(server_->port(), "/incoming/big.bin", big, 1468);
  EXPECT_EQ(r.error, -1) << r.message;
  EXPECT_EQ(slurp_file(root_ / "incoming/big.bin"), big);
  // blksize and tsize are acknowledged in the OACK, tsize with the size announced.
  EXPECT_NE(std::find(r.oack.begin(), r.oack.end(), wt::Option{"blksize", "1468"}), r.oack.end());
  EXPECT_NE(std::find(r.oack.begin(), r.oack.end(), wt::Option{"tsize", "200000"}), r.oack.end());
  // Backslashes are separators for uploads too.
  EXPECT_EQ(put(server_->port(), "incoming\\win.txt", small).error, -1);
  EXPECT_TRUE(fs::exists(root_ / "incoming/win.txt"));
  // No temporary file is left behind.
  int entries = 0;
  for (const auto& e : fs::directory_iterator(root_ / "incoming")) entries += e.path().filename().string()[0] == '.';
  EXPECT_EQ(entries, 0);
}

TEST_F(TftpServerTest, WriteOutsideTheUploadDirectoryIsRefused) {
  fs::create_directories(root_ / "incoming");
  write("pxelinux.0", pattern(10));
  settings_.write_dir = "incoming";
  start();
  Bytes data = pattern(100);
  EXPECT_EQ(put(server_->port(), "pxelinux.0", data).error, 2);
  EXPECT_EQ(put(server_->port(), "new-at-root", data).error, 2);
  EXPECT_EQ(put(server_->port(), "incoming/../escaped", data).error, 2);
  EXPECT_EQ(put(server_->port(), "../outside/planted", data).error, 2);
  EXPECT_EQ(put(server_->port(), (base_ / "outside/planted").string(), data).error, 2);
  EXPECT_EQ(put(server_->port(), "incoming", data).error, 2);  // the directory itself
  EXPECT_EQ(slurp_file(root_ / "pxelinux.0"), pattern(10));
  EXPECT_FALSE(fs::exists(root_ / "new-at-root"));
  EXPECT_FALSE(fs::exists(root_ / "escaped"));
  EXPECT_FALSE(fs::exists(base_ / "outside/planted"));
}

TEST_F(TftpServerTest, WriteThroughASymlinkIsRefused) {
  fs::create_directories(root_ / "incoming");
  fs::create_directory_symlink(base_ / "outside", root_ / "incoming/out");
  fs::create_symlink(base_ / "outside/secret", root_ / "incoming/secret");
  settings_.write_dir = "incoming";
  start();
  Bytes data = pattern(100);
  EXPECT_EQ(put(server_->port(), "incoming/out/planted", data).error, 2);
  EXPECT_FALSE(fs::exists(base_ / "outside/planted"));
  // A symlink at the final name is not replaced, nor written through.
  EXPECT_NE(put(server_->port(), "incoming/secret", data).error, -1);
  EXPECT_EQ(slurp_file(base_ / "outside/secret"), (Bytes{'s', 'e', 'c', 'r', 'e', 't'}));
  EXPECT_TRUE(fs::is_symlink(root_ / "incoming/secret"));
}

TEST_F(TftpServerTest, UploadDirectoryThatIsASymlinkIsRejectedAtStart) {
  fs::create_directory_symlink(base_ / "outside", root_ / "incoming");
  settings_.write_dir = "incoming";
  auto s = start_tftp_server(settings_);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().what.find("symlink"), std::string::npos) << s.error().what;
  settings_.write_dir = (base_ / "outside").string();  // absolute, outside the root
  s = start_tftp_server(settings_);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().what.find("not under the TFTP root"), std::string::npos) << s.error().what;
}

TEST_F(TftpServerTest, ExistingFileIsReplacedOnlyWithOverwrite) {
  write("incoming/report.txt", pattern(50, 1));
  settings_.write_dir = "incoming";
  start();
  auto r = put(server_->port(), "incoming/report.txt", pattern(70, 2));
  EXPECT_EQ(r.error, 6) << r.message;
  EXPECT_EQ(slurp_file(root_ / "incoming/report.txt"), pattern(50, 1));
  server_->stop();
  settings_.write_overwrite = true;
  start();
  EXPECT_EQ(put(server_->port(), "incoming/report.txt", pattern(70, 2)).error, -1);
  EXPECT_EQ(slurp_file(root_ / "incoming/report.txt"), pattern(70, 2));
}

TEST_F(TftpServerTest, NetasciiUploadIsConvertedToLocalLineEnds) {
  fs::create_directories(root_ / "incoming");
  settings_.write_dir = "incoming";
  start();
  using namespace std::string_literals;
  const std::string wire = "line one\r\nline two\r\nbare\r\0cr"s;  // CR LF is a line end, CR NUL a CR
  ASSERT_EQ(put(server_->port(), "incoming/notes.txt", Bytes(wire.begin(), wire.end()), 512, "netascii").error, -1);
  auto got = slurp_file(root_ / "incoming/notes.txt");
  EXPECT_EQ(std::string(got.begin(), got.end()), "line one\nline two\nbare\rcr");
}

// dnsmasq's rule for a server running as root: tftp-secure adds nothing (ownership is not checked),
// and only world-readable files are served, with or without it.
TEST_F(TftpServerTest, AsRootSecureServesOnlyWorldReadableFilesWhoeverOwnsThem) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a file to another user";
  write("mine", pattern(10));
  auto theirs = write("theirs", pattern(10));
  ASSERT_EQ(::chown(theirs.c_str(), 65534, 65534), 0);
  auto hidden = write("hidden", pattern(10));
  ASSERT_EQ(::chmod(hidden.c_str(), 0600), 0);
  settings_.secure = true;
  start();
  EXPECT_TRUE(get("mine").ok());
  EXPECT_TRUE(get("theirs").ok());
  EXPECT_EQ(error_code(get("hidden")), 2);
}

// Malformed requests, an ACK, an ERROR and an unknown opcode sent to port 69 get no answer at all
// (an ERROR answered with an ERROR is the CVE-2024-2169 loop), and the service goes on. Port 69
// reads its datagrams in order and answers each before the next, so once a later request from
// another socket has been served, any answer to the junk would already be waiting here.
TEST_F(TftpServerTest, MalformedAndStrayDatagramsAreDroppedAndServiceContinues) {
  write("f", pattern(100));
  start();
  const Ipv4 lo(127, 0, 0, 1);
  auto s = transport::UdpSocket::bind(lo, 0);
  ASSERT_TRUE(s.ok());
  std::vector<Bytes> junk = {{}, {0}, {0, 1}, {0, 1, 'f'}, {0, 1, 'f', 0}, {0, 9, 1, 2}, {0, 4, 0, 1},
                             {0, 5, 0, 1, 'x', 0}, {0, 5, 0, 1, 'x'}, Bytes(600, 'A')};
  for (const auto& j : junk) ASSERT_TRUE(s->send_to(j, {lo, server_->port()}).ok());
  auto r = get("f");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.bytes, pattern(100));
  auto answers = s->receive_batch(16);
  ASSERT_TRUE(answers.ok());
  for (const auto& a : *answers) ADD_FAILURE() << "junk was answered with " << a.bytes.size() << " bytes, opcode "
                                               << (a.bytes.size() >= 2 ? int(a.bytes[1]) : -1);
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
  // The transfer is running once its first DATA block arrives.
  pollfd pfd{hog->fd(), POLLIN, 0};
  ASSERT_EQ(::poll(&pfd, 1, 10'000), 1) << "no DATA for the first transfer";
  auto first = hog->receive_batch(1);
  ASSERT_TRUE(first.ok() && !first->empty());
  auto block = wt::parse((*first)[0].bytes);
  ASSERT_TRUE(block.ok() && std::holds_alternative<wt::Data>(*block));
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
