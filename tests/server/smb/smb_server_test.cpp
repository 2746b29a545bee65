// The SMB server's loop over real loopback sockets with an in-memory share: accepting, the
// connection limit, NEGOTIATE answered through the machine, the machine's timer driven by the
// injected clock, the log lines, stop().
#include "server/smb/smb_server.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <spdlog/sinks/ostream_sink.h>

#include <chrono>
#include <sstream>
#include <thread>

#include "proto/smb2/memory_share.h"
#include "server/smb/log.h"
#include "server/smb/smb_test_support.h"
#include "transport/tcp.h"
#include "wire/smb2/header.h"
#include "wire/smb2/message.h"
#include "wire/smb2/negotiate.h"
#include "wire/smb2/netbios.h"

namespace pxe::server {
namespace {

namespace w = wire::smb2;
using smb_test::negotiate_message;
using transport::TcpConnection;

// Captures the "smb" logger's lines for one test.
class LogCapture {
 public:
  LogCapture() : sink_(std::make_shared<spdlog::sinks::ostream_sink_mt>(text_)) {
    sink_->set_pattern("%v");
    smb::log()->sinks().push_back(sink_);
    old_level_ = smb::log()->level();
    smb::log()->set_level(spdlog::level::debug);
  }
  ~LogCapture() {
    auto& sinks = smb::log()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
    smb::log()->set_level(old_level_);
  }
  std::string text() const { return text_.str(); }

 private:
  std::ostringstream text_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
  spdlog::level::level_enum old_level_;
};

struct Fixture {
  explicit Fixture(SmbServerOptions options = {}, const Clock* clock = nullptr) {
    share->add_file("setup.exe", Bytes(70000, 0x4d));
    auto s = smb_test::open_loopback_server(std::move(owned), smb_test::user_pass_settings(), options, clock);
    EXPECT_TRUE(s) << (s ? "" : s.error().what);
    if (s) server = std::move(*s);
  }
  TcpConnection connect() { return smb_test::connect_to(*server); }
  // Turns the loop until `done` or `turns` run out.
  template <class F>
  bool pump(F&& done, int turns = 200) {
    for (int i = 0; i < turns; ++i) {
      if (done()) return true;
      server->poll_once(10);
    }
    return done();
  }

  std::unique_ptr<proto::smb2::MemoryShare> owned = std::make_unique<proto::smb2::MemoryShare>();
  proto::smb2::MemoryShare* share = owned.get();
  std::unique_ptr<SmbServer> server;
};

// What a client socket has seen so far.
struct Seen {
  Bytes bytes;
  bool eof = false;
  bool error = false;
};
void drain(TcpConnection& c, Seen& seen) {
  std::uint8_t buf[65536];
  for (;;) {
    auto r = c.read(buf);
    if (!r) {
      seen.error = true;
      return;
    }
    if (r->eof) {
      seen.eof = true;
      return;
    }
    if (r->bytes == 0) return;
    seen.bytes.insert(seen.bytes.end(), buf, buf + r->bytes);
  }
}

TEST(SmbServer, AnswersANegotiateFromATcpClient) {
  Fixture f;
  ASSERT_TRUE(f.server);
  TcpConnection c = f.connect();
  Bytes req = negotiate_message();
  ASSERT_EQ(*c.write(req), req.size());
  Seen seen;
  ASSERT_TRUE(f.pump([&] {
    drain(c, seen);
    auto size = w::nbss_frame_size(seen.bytes);
    return size && seen.bytes.size() >= *size;
  })) << "no whole NBSS message came back (" << seen.bytes.size() << " bytes)";
  auto frame = w::parse_nbss(seen.bytes);
  ASSERT_TRUE(frame) << frame.error().what;
  auto h = w::parse_header(frame->payload);
  ASSERT_TRUE(h) << h.error().what;
  EXPECT_TRUE(h->is_response());
  EXPECT_EQ(h->command, std::uint16_t(w::Command::Negotiate));
  EXPECT_EQ(h->status, 0u);
  auto body = w::parse_body(*h, frame->payload);
  ASSERT_TRUE(body) << body.error().what;
  const auto* nr = std::get_if<w::NegotiateResponse>(&*body);
  ASSERT_NE(nr, nullptr);
  EXPECT_EQ(nr->dialect_revision, w::dialect::k210);
  EXPECT_EQ(f.server->connections(), 1u);
}

TEST(SmbServer, RefusesConnectionsBeyondTheLimitAndKeepsTheOthers) {
  LogCapture log;
  SmbServerOptions o;
  o.limits.max_connections = 2;
  Fixture f(o);
  ASSERT_TRUE(f.server);
  TcpConnection a = f.connect(), b = f.connect();
  ASSERT_TRUE(f.pump([&] { return f.server->connections() == 2; }));
  TcpConnection third = f.connect();
  Seen s3;
  ASSERT_TRUE(f.pump([&] {
    drain(third, s3);
    return s3.eof || s3.error;
  })) << "the third connection stayed open";
  EXPECT_EQ(f.server->connections(), 2u);
  Seen sa;
  drain(a, sa);
  EXPECT_FALSE(sa.eof || sa.error);
  // The first two still get answers.
  Bytes req = negotiate_message();
  ASSERT_EQ(*a.write(req), req.size());
  ASSERT_TRUE(f.pump([&] {
    drain(a, sa);
    return sa.bytes.size() > 4;
  }));
  EXPECT_NE(log.text().find("refused: 2 connections open (the limit)"), std::string::npos) << log.text();
}

TEST(SmbServer, ClosesAConnectionThatNeverNegotiatesWhenTheMachinesTimerFires) {
  LogCapture log;
  ManualClock clock(Timestamp{1'700'000'000'000'000});
  Fixture f({}, &clock);
  ASSERT_TRUE(f.server);
  TcpConnection c = f.connect();
  ASSERT_TRUE(f.pump([&] { return f.server->connections() == 1; }));
  Seen seen;
  f.pump([&] { return false; }, 5);
  drain(c, seen);
  EXPECT_FALSE(seen.eof) << "closed before its timer";
  clock.advance(std::chrono::seconds(21));  // negotiate_timeout is 20 s
  ASSERT_TRUE(f.pump([&] {
    drain(c, seen);
    return seen.eof || seen.error;
  })) << "still open 21 s after connecting without a NEGOTIATE";
  EXPECT_EQ(f.server->connections(), 0u);
  std::string text = log.text();
  std::string peer = c.local().str();
  EXPECT_NE(text.find(peer + " connected"), std::string::npos) << text;
  EXPECT_NE(text.find(peer + " closed: "), std::string::npos) << text;
}

TEST(SmbServer, ForgetsAPeerThatCloses) {
  LogCapture log;
  Fixture f;
  ASSERT_TRUE(f.server);
  {
    TcpConnection c = f.connect();
    ASSERT_TRUE(f.pump([&] { return f.server->connections() == 1; }));
  }
  ASSERT_TRUE(f.pump([&] { return f.server->connections() == 0; }));
  EXPECT_NE(log.text().find("closed: peer closed the connection"), std::string::npos) << log.text();
}

TEST(SmbServer, StopClosesEveryConnectionFromItsThread) {
  Fixture f;
  ASSERT_TRUE(f.server);
  TcpConnection c = f.connect();
  f.server->start();
  Bytes req = negotiate_message();
  ASSERT_EQ(*c.write(req), req.size());
  Seen seen;
  for (int i = 0; i < 200 && seen.bytes.size() < 4; ++i) {
    pollfd p{c.fd(), POLLIN, 0};
    ::poll(&p, 1, 10);
    drain(c, seen);
  }
  EXPECT_GT(seen.bytes.size(), 4u) << "no answer from the server's thread";
  f.server->stop();
  for (int i = 0; i < 200 && !seen.eof && !seen.error; ++i) {
    pollfd p{c.fd(), POLLIN, 0};
    ::poll(&p, 1, 10);
    drain(c, seen);
  }
  EXPECT_TRUE(seen.eof || seen.error) << "the connection outlived stop()";
}

TEST(SmbServer, ABusyPortIsAnError) {
  auto first = transport::TcpListener::bind(Ipv4(127, 0, 0, 1), 0);
  ASSERT_TRUE(first);
  config::SmbSettings settings;
  settings.port = first->local().port;
  SmbServerOptions o;
  o.address = "127.0.0.1";
  auto s = open_smb_server(settings, {}, o);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().what.find(std::to_string(settings.port)), std::string::npos) << s.error().what;
}

TEST(SmbLog, EventLinesPutThePeerFirstAndEscapeControlCharacters) {
  EXPECT_EQ(smb::event_line("10.0.0.2:49152", "read \\GUEST\\setup.exe"), "10.0.0.2:49152 read \\GUEST\\setup.exe");
  EXPECT_EQ(smb::event_line("10.0.0.2:49152", "open a\nb\x1b[31m"), "10.0.0.2:49152 open a\\x0ab\\x1b[31m");
}

TEST(SmbServer, FiletimeOfTheUnixEpochIsWindowsOne) {
  EXPECT_EQ(filetime_of(Timestamp{0}), 116444736000000000ull);
  EXPECT_EQ(filetime_of(Timestamp{1'000'000}), 116444736000000000ull + 10'000'000ull);
}

}  // namespace
}  // namespace pxe::server
