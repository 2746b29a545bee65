// The file side of the server over loopback: netascii past the old 64 MiB in-memory limit, the
// upload size cap, stale upload temporaries removed at start, and the world-readable rule.
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <spdlog/sinks/ringbuffer_sink.h>

#include <sstream>

#include "config/serve_config.h"
#include "server/tftp/log.h"
#include "server_fixture.h"

namespace pxe::server::tftp::test {
namespace {

namespace wt = wire::tftp;

// A lock-step WRQ client: sends `size` bytes as `name` (announcing them with tsize when asked).
// Returns the server's ERROR code, -1 when every block was acknowledged, -2 on silence.
int put(std::uint16_t port, const std::string& name, std::size_t size, bool announce) {
  const Ipv4 lo(127, 0, 0, 1);
  auto s = transport::UdpSocket::bind(lo, 0);
  if (!s) return -3;
  std::vector<wt::Option> opts;
  if (announce) opts.push_back({"tsize", std::to_string(size)});
  transport::Endpoint server{lo, port};
  Bytes out = wt::encode(wt::Request{true, name, "octet", opts});
  Bytes block(512, 'u');
  std::uint16_t sent = 0;
  std::size_t offset = 0;
  bool last = false;
  for (int tries = 0; tries < 5;) {
    if (!s->send_to(out, server).ok()) return -3;
    pollfd p{s->fd(), POLLIN, 0};
    if (::poll(&p, 1, 1000) <= 0) {
      ++tries;  // resend what the server did not answer
      continue;
    }
    auto got = s->receive_batch(1);
    if (!got || got->empty()) continue;
    const auto& d = (*got)[0];
    server = d.from;
    auto pkt = wt::parse(d.bytes);
    if (!pkt) continue;
    if (auto* e = std::get_if<wt::ErrorPacket>(&*pkt)) return e->code;
    bool acked = std::holds_alternative<wt::Oack>(*pkt) && sent == 0;
    if (auto* a = std::get_if<wt::Ack>(&*pkt)) acked = a->block == sent;
    if (!acked) continue;
    if (last) return -1;
    std::size_t n = std::min<std::size_t>(512, size - offset);
    out = wt::encode(wt::Data{++sent, ByteSpan(block.data(), n)});
    offset += n;
    last = n < 512;
    tries = 0;
  }
  return -2;
}

TEST_F(TftpServerTest, NetasciiServesAFileLargerThanTheOld64MiBLimit) {
  // Sparse: 65 MiB on disk costs nothing. Line ends at the start, across the old limit and at
  // the end, so the converted size and content are checked where they matter.
  const std::uint64_t size = (65u << 20) + 3;
  fs::path p = root_ / "big.txt";
  {
    int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::ftruncate(fd, static_cast<off_t>(size)), 0);
    for (std::uint64_t at : {std::uint64_t{0}, std::uint64_t{64u << 20}, size - 1})
      ASSERT_EQ(::pwrite(fd, "\n", 1, static_cast<off_t>(at)), 1);
    ::close(fd);
  }
  start();
  auto r = fetch(server_->port(), [] {
    auto c = rrq("big.txt", {{"blksize", "1468"}, {"windowsize", "16"}});
    c.mode = "netascii";
    return c;
  }(), std::chrono::seconds(120));
  ASSERT_TRUE(r.ok()) << (r.failed() ? r.failed()->message : "no answer");
  ASSERT_EQ(r.bytes.size(), size + 3);
  EXPECT_FALSE(r.tsize.has_value());
  // Each LF became CR LF: at 0, at 64 MiB (shifted by the one CR before it) and at the end.
  EXPECT_EQ(r.bytes[0], '\r');
  EXPECT_EQ(r.bytes[1], '\n');
  EXPECT_EQ(r.bytes[(64u << 20) + 1], '\r');
  EXPECT_EQ(r.bytes[(64u << 20) + 2], '\n');
  EXPECT_EQ(r.bytes[r.bytes.size() - 2], '\r');
  EXPECT_EQ(r.bytes.back(), '\n');
  EXPECT_EQ(std::count(r.bytes.begin(), r.bytes.end(), '\r'), 3);
}

TEST_F(TftpServerTest, AnUploadOverTheCapGetsError3AndLeavesNothing) {
  fs::create_directories(root_ / "incoming");
  settings_.write_dir = "incoming";
  settings_.max_upload_size = 20'000;
  start();
  EXPECT_EQ(put(server_->port(), "incoming/small", 20'000, false), -1);
  EXPECT_EQ(put(server_->port(), "incoming/big", 50'000, false), 3);         // found out while writing
  EXPECT_EQ(put(server_->port(), "incoming/announced", 50'000, true), 3);   // refused at the WRQ
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(root_ / "incoming")) left.push_back(e.path().filename().string());
  EXPECT_EQ(left, std::vector<std::string>{"small"});
}

TEST(TftpUploadConfig, MaxUploadSizeHasADefaultAndADnsmasqConfLine) {
  EXPECT_EQ(config::TftpSettings{}.max_upload_size, 4ull << 30);
  std::istringstream conf("enable-tftp\ntftp-root=/srv/tftp\ntftp-max-upload-size=1048576\n");
  auto cfg = config::parse_dnsmasq_conf(conf, "test.conf");
  ASSERT_TRUE(cfg.ok()) << cfg.error().what;
  EXPECT_EQ(cfg->tftp.max_upload_size, 1048576u);
}

TEST_F(TftpServerTest, StaleUploadTemporariesAreRemovedAtStart) {
  fs::create_directories(root_ / "incoming" / "logs");
  write("incoming/.crash.dmp.pxekit-upload-999-1", pattern(10));
  write("incoming/logs/.boot.log.pxekit-upload-998-2", pattern(10));
  write("incoming/report.txt", pattern(10));
  settings_.write_dir = "incoming";
  start();
  EXPECT_FALSE(fs::exists(root_ / "incoming/.crash.dmp.pxekit-upload-999-1"));
  EXPECT_FALSE(fs::exists(root_ / "incoming/logs/.boot.log.pxekit-upload-998-2"));
  EXPECT_TRUE(fs::exists(root_ / "incoming/report.txt"));
}

TEST_F(TftpServerTest, AsRootAPrivateRootOwnedFileGetsAccessViolation) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root: the rule is about a server running as root";
  write("pxelinux.0", pattern(100));
  auto secret = write("secret.key", pattern(100));
  ASSERT_EQ(::chmod(secret.c_str(), 0600), 0);
  start();
  EXPECT_TRUE(get("pxelinux.0").ok());
  auto r = get("secret.key");
  ASSERT_TRUE(r.failed());
  EXPECT_EQ(r.failed()->code, static_cast<std::uint16_t>(wt::ErrorCode::AccessViolation));
  EXPECT_TRUE(r.bytes.empty());
}

TEST_F(TftpServerTest, ClientSuppliedTextCannotForgeOrCorruptALogLine) {
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(256);
  auto& sinks = log()->sinks();
  sinks.push_back(sink);
  struct Restore {
    std::vector<spdlog::sink_ptr>& sinks;
    ~Restore() { sinks.pop_back(); }
  } restore{sinks};
  start();
  const std::string forged = "\n[tftp] [info] sent /etc/shadow to 10.0.0.1\x1b[2J";
  EXPECT_FALSE(get("missing" + forged).ok());   // not found
  EXPECT_FALSE(get("../up" + forged).ok());     // refused name
  auto odd_mode = rrq("pxelinux.0");
  odd_mode.mode = "octet" + forged;             // refused mode
  EXPECT_FALSE(fetch(server_->port(), odd_mode).ok());
  std::size_t mentioning = 0;
  for (std::string line : sink->last_formatted()) {
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    for (char c : line) ASSERT_GE(static_cast<unsigned char>(c), 0x20) << "raw control byte in: " << line;
    if (line.find("etc/shadow") != std::string::npos) {
      ++mentioning;
      EXPECT_NE(line.find("\\x0a"), std::string::npos) << line;  // the newline, escaped
    }
  }
  EXPECT_EQ(mentioning, 3u);
}

}  // namespace
}  // namespace pxe::server::tftp::test
