// A client that pipelines READs and never reads its socket: the server stops reading that
// connection once max_queued_bytes of responses wait for it (within one request's response),
// goes on serving another client meanwhile, and answers every held request once the first
// client reads again. Real loopback sockets, the loop turned on the test's thread.
#include <gtest/gtest.h>

#include <algorithm>

#include "proto/smb2/client.h"
#include "proto/smb2/memory_share.h"
#include "server/smb/smb_server.h"
#include "server/smb/smb_test_support.h"
#include "transport/tcp.h"
#include "wire/smb2/header.h"
#include "wire/smb2/message.h"
#include "wire/smb2/negotiate.h"
#include "wire/smb2/netbios.h"
#include "wire/smb2/read.h"

namespace pxe::server {
namespace {

namespace w = wire::smb2;
namespace ps = proto::smb2;
using smb_test::negotiate_message;
using transport::TcpConnection;

constexpr std::uint32_t kReadSize = 64u << 10;
constexpr std::size_t kMaxQueued = 1u << 20;
constexpr int kReads = 600;  // 37.5 MiB of responses: far beyond loopback's socket buffers

struct Server {
  Server() {
    auto owned = std::make_unique<ps::MemoryShare>();
    owned->add_file("big.bin", Bytes(kReadSize, 0x5a));
    SmbServerOptions options;
    options.max_queued_bytes = kMaxQueued;
    auto s = smb_test::open_loopback_server(std::move(owned), smb_test::user_pass_settings(), options);
    EXPECT_TRUE(s) << (s ? "" : s.error().what);
    if (s) server = std::move(*s);
  }
  TcpConnection connect() { return smb_test::connect_to(*server); }
  void turn() {
    server->poll_once(5);
    peak = std::max(peak, server->queued_bytes());
  }
  std::unique_ptr<SmbServer> server;
  std::size_t peak = 0;  // the most the server ever had queued, seen between turns
};

// Writes all of `bytes` on a non-blocking socket, turning the server while the socket is full.
bool write_all(Server& s, TcpConnection& c, const Bytes& bytes) {
  std::size_t off = 0;
  for (int i = 0; off < bytes.size() && i < 5000; ++i) {
    auto n = c.write(ByteSpan(bytes).subspan(off));
    if (!n) return false;
    off += *n;
    if (off < bytes.size()) s.turn();
  }
  return off == bytes.size();
}

// Reads what is there; false on EOF or error.
bool read_some(TcpConnection& c, Bytes& into) {
  std::uint8_t buf[65536];
  for (;;) {
    auto r = c.read(buf);
    if (!r || r->eof) return false;
    if (r->bytes == 0) return true;
    into.insert(into.end(), buf, buf + r->bytes);
  }
}

// Cuts whole NBSS messages off the front of `stream`.
std::vector<Bytes> take_messages(Bytes& stream) {
  std::vector<Bytes> out;
  std::size_t pos = 0;
  for (;;) {
    auto size = w::nbss_frame_size(ByteSpan(stream).subspan(pos));
    if (!size || stream.size() - pos < *size) break;
    out.emplace_back(stream.begin() + std::ptrdiff_t(pos + 4), stream.begin() + std::ptrdiff_t(pos + *size));
    pos += *size;
  }
  stream.erase(stream.begin(), stream.begin() + std::ptrdiff_t(pos));
  return out;
}

// Runs the client machine (NEGOTIATE .. CREATE big.bin) until it sends its first READ, which is
// returned unsent (header parsed) with the request's body.
struct FirstRead {
  w::Header header;
  w::ReadRequest body;
};
std::optional<FirstRead> open_for_reading(Server& s, TcpConnection& c) {
  SeededRandom random(7);
  ps::ClientConfig cfg;
  cfg.server = "127.0.0.1";
  cfg.share = "GUEST";
  cfg.user = "user";
  cfg.password = "pass";
  cfg.file = "big.bin";
  cfg.max_dialect = 0x0210;  // no preauth integrity, no signing: the copies below need no keys
  ps::SmbClient client(cfg, random);
  ps::ClientActions acts;
  Timestamp now{};
  client.start(now, acts);
  Bytes rx;
  for (int turn = 0; turn < 2000; ++turn) {
    for (auto& a : acts) {
      if (auto* f = std::get_if<ps::ClientFailed>(&a)) {
        ADD_FAILURE() << "client failed: " << f->reason;
        return std::nullopt;
      }
      auto* b = std::get_if<ps::SendBytes>(&a);
      if (!b) continue;
      ByteSpan pdu = ByteSpan(b->bytes).subspan(4);
      auto h = w::parse_header(pdu);
      if (!h) return std::nullopt;
      if (h->command == std::uint16_t(w::Command::Read)) {
        auto body = w::parse_read_request(pdu);
        if (!body) return std::nullopt;
        return FirstRead{*h, *body};
      }
      if (!write_all(s, c, b->bytes)) return std::nullopt;
    }
    acts.clear();
    s.turn();
    if (!read_some(c, rx)) return std::nullopt;
    if (!rx.empty()) {
      client.on_bytes(rx, now, acts);
      rx.clear();
    }
  }
  return std::nullopt;
}

TEST(SmbServerBackpressure, APeerThatDoesNotReadGetsNoMoreThanTheQueueLimitAndOthersAreServed) {
  Server s;
  ASSERT_TRUE(s.server);
  TcpConnection greedy = s.connect();
  auto first = open_for_reading(s, greedy);
  ASSERT_TRUE(first) << "the client machine never got to its READ";

  // kReads READs of the whole 64 KiB file, pipelined: each charges 1 credit and asks for 2, so
  // the window the server grants keeps ahead of the MessageIds.
  Bytes pipeline;
  for (int i = 0; i < kReads; ++i) {
    w::Header h = first->header;
    h.message_id = first->header.message_id + std::uint64_t(i);
    h.credit_charge = 1;
    h.credits = 2;
    w::ReadRequest r = first->body;
    r.offset = 0;
    r.length = kReadSize;
    ByteWriter out;
    w::encode_nbss(out, w::encode_pdu(h, r));
    Bytes m = out.take();
    pipeline.insert(pipeline.end(), m.begin(), m.end());
  }
  ASSERT_TRUE(write_all(s, greedy, pipeline)) << "the pipelined READs could not be sent";
  for (int i = 0; i < 100; ++i) s.turn();

  // One READ response is the 64 KiB of data and an 80-byte head: the server stops feeding the
  // machine at the first request whose response reaches the limit.
  const std::size_t response = kReadSize + 4 + 64 + 16;
  EXPECT_GE(s.server->queued_bytes(), kMaxQueued / 2) << "the test did not fill the queue";
  EXPECT_LE(s.peak, kMaxQueued + response) << "the server queued beyond max_queued_bytes";
  EXPECT_EQ(s.server->connections(), 1u);

  // Another client is served meanwhile.
  TcpConnection other = s.connect();
  Bytes req = negotiate_message();
  ASSERT_TRUE(write_all(s, other, req));
  Bytes rx_other;
  std::vector<Bytes> answers;
  for (int i = 0; i < 200 && answers.empty(); ++i) {
    s.turn();
    ASSERT_TRUE(read_some(other, rx_other));
    answers = take_messages(rx_other);
  }
  ASSERT_EQ(answers.size(), 1u) << "the second client got no NEGOTIATE response";
  auto h = w::parse_header(answers[0]);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->command, std::uint16_t(w::Command::Negotiate));
  EXPECT_EQ(h->status, 0u);
  EXPECT_LE(s.peak, kMaxQueued + response);

  // The first client reads at last: every held request is answered, with the file's bytes.
  Bytes rx;
  int reads_ok = 0, other_responses = 0;
  for (int i = 0; i < 20000 && reads_ok + other_responses < kReads; ++i) {
    s.turn();
    ASSERT_TRUE(read_some(greedy, rx)) << "the server closed the connection";
    for (const auto& m : take_messages(rx)) {
      auto rh = w::parse_header(m);
      ASSERT_TRUE(rh);
      if (rh->command != std::uint16_t(w::Command::Read) || rh->status != 0) {
        ++other_responses;
        continue;
      }
      auto body = w::parse_read_response(m);
      ASSERT_TRUE(body) << body.error().what;
      EXPECT_EQ(body->data.size(), kReadSize);
      ++reads_ok;
    }
  }
  EXPECT_EQ(other_responses, 0);
  EXPECT_EQ(reads_ok, kReads);
  EXPECT_LE(s.peak, kMaxQueued + response);
  RecordProperty("peak_queued_bytes", std::to_string(s.peak));
}

}  // namespace
}  // namespace pxe::server
