// SmbClient against the server machine (proto::smb2::Connection over a MemoryShare) through an
// in-memory byte pipe: both sans-I/O machines, no sockets. What `net use` + `dir` + reading
// setup.exe does in WinPE, and the System errors it reports when that goes wrong.
#include "proto/smb2/client.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "base/addr.h"
#include "base/random.h"
#include "proto/smb2/connection.h"
#include "proto/smb2/crypto/primitives.h"
#include "proto/smb2/memory_share.h"
#include "wire/smb2/header.h"
#include "wire/smb2/negotiate.h"
#include "wire/smb2/status.h"

namespace pxe::proto::smb2 {
namespace {

namespace w = wire::smb2;

Bytes pattern_bytes(std::size_t n) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = std::uint8_t((i * 131 + i / 251) & 0xff);
  return b;
}

// The server side (a Connection over a MemoryShare, shares GUEST (guest ok) and PRIVATE, one
// account user/pass) and the client, wired back to back. `chunk` cuts every transfer into
// pieces of that many bytes (0: whole messages) to exercise the stream reassembly.
struct Pipe {
  explicit Pipe(ClientConfig cfg, std::uint16_t server_max = w::dialect::k311)
      : client(std::move(cfg), client_random) {
    ctx.random = &server_random;
    ctx.server_guid = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    ctx.settings.max_protocol = config::SmbDialect(server_max);
    ctx.settings.min_protocol = config::SmbDialect::Smb2_02;
    ctx.settings.accounts.push_back({"user", "pass"});
    ctx.limits.max_read = 65536;  // setup.exe takes several READs
    share.add_file("hello.txt", Bytes{'h', 'i', '\n'});
    share.add_dir("sources");
    share.add_file("setup.exe", setup);
    ctx.shares.push_back({"GUEST", &share, true});
    ctx.shares.push_back({"PRIVATE", &share, false});
  }

  // Runs until the client finishes, nothing moves, or the server closes.
  void run() {
    server = std::make_unique<Connection>(ctx, now, kFiletime);
    Actions sa;
    server->start(sa);
    ClientActions ca;
    client.start(now, ca);
    for (int rounds = 0; rounds < 10000 && !client.finished(); ++rounds) {
      std::vector<Bytes> to_server;
      take_client(ca, to_server);
      ca.clear();
      if (to_server.empty()) break;
      for (const auto& m : to_server) {
        if (drop_after_requests && requests_seen >= *drop_after_requests) {
          client.on_close(ca);
          take_client(ca, to_server);
          return;
        }
        ++requests_seen;
        for (std::size_t at = 0; at < m.size();) {
          std::size_t n = chunk ? std::min(chunk, m.size() - at) : m.size();
          sa.clear();
          server->on_bytes(ByteSpan(m).subspan(at, n), now, kFiletime, sa);
          at += n;
          deliver_server(sa, ca);
        }
      }
    }
    std::vector<Bytes> ignored;
    take_client(ca, ignored);
  }

  void deliver_server(Actions& sa, ClientActions& ca) {
    for (auto& a : sa) {
      Bytes bytes;
      if (auto* s = std::get_if<SendBytes>(&a)) {
        bytes = s->bytes;
      } else if (auto* f = std::get_if<SendFileData>(&a)) {
        bytes = f->head;
        Bytes data(f->length);
        auto got = f->file->read(f->offset, data);
        ASSERT_TRUE(got.ok());
        data.resize(*got);
        bytes.insert(bytes.end(), data.begin(), data.end());
      } else if (std::get_if<CloseConnection>(&a)) {
        client.on_close(ca);
        continue;
      } else {
        continue;
      }
      ++server_messages;
      if (tamper_message && server_messages == *tamper_message) bytes.back() ^= 0x01;
      for (std::size_t at = 0; at < bytes.size();) {
        std::size_t n = chunk ? std::min(chunk, bytes.size() - at) : bytes.size();
        client.on_bytes(ByteSpan(bytes).subspan(at, n), now, ca);
        at += n;
      }
    }
  }

  void take_client(ClientActions& ca, std::vector<Bytes>& to_server) {
    for (auto& a : ca) {
      if (auto* s = std::get_if<SendBytes>(&a)) to_server.push_back(std::move(s->bytes));
      else if (auto* t = std::get_if<SetTimer>(&a)) timers.push_back(t->at);
      else if (auto* e = std::get_if<Event>(&a)) events.push_back(e->text);
      else if (auto* d = std::get_if<ClientDone>(&a)) done = *d;
      else if (auto* f = std::get_if<ClientFailed>(&a)) failed = *f;
    }
  }

  static constexpr std::uint64_t kFiletime = 0x01DB000000000000ull;
  Bytes setup = pattern_bytes(150001);
  SeededRandom server_random{7}, client_random{11};
  MemoryShare share;
  ServerContext ctx;
  Timestamp now{5'000'000};
  std::unique_ptr<Connection> server;
  SmbClient client;
  std::size_t chunk = 0;
  std::optional<std::size_t> drop_after_requests;
  std::size_t requests_seen = 0;
  std::size_t server_messages = 0;
  std::optional<std::size_t> tamper_message;  // flip the last byte of this server message (1-based)
  std::vector<Timestamp> timers;
  std::vector<std::string> events;
  std::optional<ClientDone> done;
  std::optional<ClientFailed> failed;
};

ClientConfig user_config(std::string share = "PRIVATE") {
  ClientConfig c;
  c.share = std::move(share);
  c.user = "user";
  c.password = "pass";
  return c;
}

void expect_read_setup(Pipe& p) {
  ASSERT_FALSE(p.failed) << p.failed->reason;
  ASSERT_TRUE(p.done);
  EXPECT_TRUE(p.client.finished());
  EXPECT_EQ(p.client.file_bytes(), p.setup);
  EXPECT_EQ(p.done->size, p.setup.size());
  EXPECT_EQ(p.done->md5, hex(crypto::md5({p.setup})));
  auto l = p.done->listing;
  std::sort(l.begin(), l.end());
  EXPECT_EQ(l, (std::vector<std::string>{"hello.txt", "setup.exe", "sources"}));
}

struct DialectCase {
  std::uint16_t server_max;
  bool signing_required;
  std::uint16_t want;
};

class SmbClientRead : public ::testing::TestWithParam<DialectCase> {};

TEST_P(SmbClientRead, ReadsSetupExeByteIdentical) {
  const auto& c = GetParam();
  Pipe p(user_config(), c.server_max);
  if (c.signing_required) p.ctx.settings.signing = config::SmbSigning::Required;
  p.run();
  expect_read_setup(p);
  EXPECT_EQ(p.client.dialect(), c.want);
  EXPECT_EQ(p.client.signing(), c.signing_required);
  if (c.signing_required)  // every response after the logon, from TREE_CONNECT to the last CLOSE
    EXPECT_GE(p.client.verified_responses(), 8u);
  else  // 3.1.1 signs the final SESSION_SETUP response even so (its key checks the preauth hash)
    EXPECT_EQ(p.client.verified_responses(), c.want == w::dialect::k311 ? 1u : 0u);
}

// A READ response changed on the way (its last data byte): a signed session notices.
TEST(SmbClient, TamperedSignedResponseIsSystemError58) {
  for (std::uint16_t d : {w::dialect::k210, w::dialect::k311}) {
    Pipe p(user_config(), d);
    p.ctx.settings.signing = config::SmbSigning::Required;
    // NEGOTIATE, 2 SESSION_SETUP, TREE_CONNECT, CREATE, 2 QUERY_DIRECTORY, CLOSE, CREATE: the
    // 10th is the first READ response.
    p.tamper_message = 10;
    p.run();
    ASSERT_TRUE(p.failed) << d;
    EXPECT_EQ(p.failed->system_error, 58);
    EXPECT_NE(p.failed->reason.find("bad signature"), std::string::npos) << p.failed->reason;
  }
}

INSTANTIATE_TEST_SUITE_P(Dialects, SmbClientRead,
                         ::testing::Values(DialectCase{w::dialect::k202, false, w::dialect::k202},
                                           DialectCase{w::dialect::k210, false, w::dialect::k210},
                                           DialectCase{w::dialect::k210, true, w::dialect::k210},
                                           DialectCase{w::dialect::k302, true, w::dialect::k302},
                                           DialectCase{w::dialect::k311, false, w::dialect::k311},
                                           DialectCase{w::dialect::k311, true, w::dialect::k311}));

TEST(SmbClient, AnyChunkingOfTheStream) {
  Pipe p(user_config());
  p.ctx.settings.signing = config::SmbSigning::Required;
  p.setup = pattern_bytes(70000);
  p.share.add_file("setup.exe", p.setup);
  p.chunk = 7;
  p.run();
  expect_read_setup(p);
  EXPECT_TRUE(p.client.signing());
}

TEST(SmbClient, ClientRequiresSigningOnAnAutoServer) {
  auto cfg = user_config();
  cfg.require_signing = true;
  Pipe p(cfg);
  p.run();
  expect_read_setup(p);
  EXPECT_TRUE(p.client.signing());
}

TEST(SmbClient, AnonymousOnAGuestShare) {
  ClientConfig cfg;
  cfg.share = "GUEST";
  Pipe p(cfg);
  p.run();
  expect_read_setup(p);
  EXPECT_FALSE(p.client.signing());
}

TEST(SmbClient, AClientThatRequiresSigningRefusesAGuestSession1272) {
  // Windows 11 24H2 (signing required) against a guest-only setup: anonymous, and an unknown user
  // mapped to guest; the server's session is not signable, so the client stops before TREE_CONNECT.
  for (bool anonymous : {true, false}) {
    ClientConfig cfg = anonymous ? ClientConfig{} : user_config();
    cfg.share = "GUEST";
    if (!anonymous) cfg.user = "stranger";
    cfg.require_signing = true;
    Pipe p(cfg);
    p.ctx.settings.map_to_guest = config::MapToGuest::BadUser;
    p.run();
    ASSERT_TRUE(p.failed) << anonymous;
    EXPECT_EQ(p.failed->system_error, 1272) << p.failed->reason;
    EXPECT_EQ(p.failed->status, 0u);
    EXPECT_NE(system_error_text(1272).find("unauthenticated guest access"), std::string::npos);
  }
}

TEST(SmbClient, WrongPasswordIsLogonFailure1326) {
  auto cfg = user_config();
  cfg.password = "wrong";
  Pipe p(cfg);
  p.run();
  ASSERT_TRUE(p.failed);
  EXPECT_FALSE(p.done);
  EXPECT_EQ(p.failed->system_error, 1326);
  EXPECT_EQ(p.failed->status, w::status::kLogonFailure);
  EXPECT_EQ(system_error_text(1326), "The user name or password is incorrect.");
}

TEST(SmbClient, UnknownShareIsBadNetworkName67) {
  Pipe p(user_config("NOSUCH"));
  p.run();
  ASSERT_TRUE(p.failed);
  EXPECT_EQ(p.failed->system_error, 67);
  EXPECT_EQ(p.failed->status, w::status::kBadNetworkName);
  EXPECT_NE(p.failed->reason.find("NOSUCH"), std::string::npos) << p.failed->reason;
}

TEST(SmbClient, GuestRefusedIsAccessDenied5) {
  ClientConfig cfg;  // anonymous on a share without guest ok
  cfg.share = "PRIVATE";
  Pipe p(cfg);
  p.run();
  ASSERT_TRUE(p.failed);
  EXPECT_EQ(p.failed->system_error, 5);
  EXPECT_EQ(p.failed->status, w::status::kAccessDenied);
}

TEST(SmbClient, MissingFileIsSystemError2) {
  auto cfg = user_config();
  cfg.file = "nosuch.exe";
  Pipe p(cfg);
  p.run();
  ASSERT_TRUE(p.failed);
  EXPECT_EQ(p.failed->system_error, 2);
  EXPECT_EQ(p.failed->status, w::status::kObjectNameNotFound);
}

TEST(SmbClient, ServerClosesIsSystemError58) {
  for (std::size_t after : {1u, 2u, 3u, 5u}) {
    Pipe p(user_config());
    p.drop_after_requests = after;
    p.run();
    ASSERT_TRUE(p.failed) << after;
    EXPECT_FALSE(p.done);
    EXPECT_EQ(p.failed->system_error, 58) << after;
    EXPECT_EQ(p.failed->status, 0u);
  }
}

TEST(SmbClient, NoAnswerToNegotiateIs53ThenLaterSilenceIs58) {
  SeededRandom r(3);
  SmbClient c(user_config(), r);
  ClientActions out;
  Timestamp t0{1'000'000};
  c.start(t0, out);
  ASSERT_FALSE(out.empty());
  Timestamp deadline{};
  for (auto& a : out)
    if (auto* s = std::get_if<SetTimer>(&a)) deadline = s->at;
  EXPECT_EQ(deadline, t0 + std::chrono::seconds(30));
  out.clear();
  c.on_time(deadline + Duration(-1), out);
  EXPECT_TRUE(out.empty());
  c.on_time(deadline, out);
  const ClientFailed* f = nullptr;
  for (auto& a : out)
    if (auto* x = std::get_if<ClientFailed>(&a)) f = x;
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->system_error, 53);
  EXPECT_TRUE(c.finished());
}

TEST(SmbClient, GarbageFromTheServerIsSystemError58AndDoesNotCrash) {
  SeededRandom r(3);
  SmbClient c(user_config(), r);
  ClientActions out;
  c.start(Timestamp{0}, out);
  out.clear();
  Bytes junk = {0x00, 0x00, 0x00, 0x08, 0xfe, 'S', 'M', 'B', 1, 2, 3, 4};
  c.on_bytes(junk, Timestamp{1}, out);
  const ClientFailed* f = nullptr;
  for (auto& a : out)
    if (auto* x = std::get_if<ClientFailed>(&a)) f = x;
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->system_error, 58);
}

}  // namespace
}  // namespace pxe::proto::smb2
