// The server's limits over real sockets on loopback: per-client cap, first-answer wait, wrong-TID
// ERRORs, stray datagrams on port 69, shutdown. Deadlines are driven by a ManualClock through
// poll_once() on the test's thread: no sleeps, no waiting for real seconds.
#include <poll.h>

#include <gtest/gtest.h>

#include <chrono>
#include <variant>
#include <vector>

#include "server/tftp/transfer.h"
#include "server_fixture.h"
#include "transport/udp.h"
#include "wire/tftp/tftp.h"

namespace pxe::server::tftp::test {
namespace {

namespace wt = wire::tftp;
using namespace std::chrono_literals;
using transport::Endpoint;
using transport::UdpSocket;

const Ipv4 kLo(127, 0, 0, 1);

// The next datagram on `s` within `ms` (a readiness wait with a deadline), or nullopt.
std::optional<transport::Datagram> next(UdpSocket& s, int ms = 2000) {
  pollfd p{s.fd(), POLLIN, 0};
  if (::poll(&p, 1, ms) <= 0) return std::nullopt;
  auto g = s.receive_batch(1);
  if (!g.ok() || g->empty()) return std::nullopt;
  return std::move((*g)[0]);
}
// Every datagram already queued on `s`.
std::vector<transport::Datagram> queued(UdpSocket& s) {
  auto g = s.receive_batch(256);
  return g.ok() ? std::move(*g) : std::vector<transport::Datagram>{};
}
std::optional<wt::Packet> parse(const std::optional<transport::Datagram>& d) {
  if (!d) return std::nullopt;
  auto p = wt::parse(d->bytes);
  if (!p) return std::nullopt;
  return *p;
}

class TftpLimitsTest : public TftpServerTest {
 protected:
  // The server opened with the manual clock and not started: the test turns its loop.
  void open() {
    auto s = open_tftp_server(settings_, clock_);
    ASSERT_TRUE(s.ok()) << s.error().what;
    server_ = std::move(*s);
  }
  Endpoint port69() const { return {kLo, server_->port()}; }
  UdpSocket socket(Ipv4 addr = kLo) {
    auto s = UdpSocket::bind(addr, 0);
    EXPECT_TRUE(s.ok());
    return std::move(*s);
  }
  // Turns the loop until `pred` holds (at most `turns` times).
  template <class Pred>
  bool turn_until(Pred pred, int turns = 200) {
    for (int i = 0; i < turns; ++i) {
      if (pred()) return true;  // evaluated once per turn: it may consume what it looks for
      server_->poll_once(10);
    }
    return false;
  }
  // Sends an RRQ from `s` and turns the loop until the transfer's first DATA arrives.
  std::optional<transport::Datagram> begin(UdpSocket& s, const std::string& name, std::vector<wt::Option> opts = {}) {
    EXPECT_TRUE(s.send_to(wt::encode(wt::Request{false, name, "octet", std::move(opts)}), port69()).ok());
    std::optional<transport::Datagram> got;
    turn_until([&] { return (got = next(s, 0)).has_value(); });
    return got;
  }

  ManualClock clock_{Timestamp{1'000'000'000}};
};

// RFC 1350 / CVE-2024-2169: an ERROR from a wrong TID gets nothing back (it used to get ERROR 5).
TEST_F(TftpLimitsTest, WrongTidErrorGetsNothingBack) {
  write("f", pattern(5000));
  open();
  UdpSocket client = socket(), stranger = socket();
  auto data1 = begin(client, "f");
  ASSERT_TRUE(data1.has_value());
  ASSERT_TRUE(stranger.send_to(wt::encode(wt::ErrorPacket{5, "Unknown transfer ID"}), data1->from).ok());
  ASSERT_TRUE(stranger.send_to(wt::encode(wt::ErrorPacket{0, "loop?"}), data1->from).ok());
  // A marker after them: an ACK from the stranger is answered with ERROR 5, so once that answer
  // is here the server has handled both ERRORs before it.
  ASSERT_TRUE(stranger.send_to(wt::encode(wt::Ack{1}), data1->from).ok());
  std::optional<transport::Datagram> answer;
  ASSERT_TRUE(turn_until([&] { return (answer = next(stranger, 0)).has_value(); }));
  server_->poll_once(0);
  EXPECT_EQ(queued(stranger).size(), 0u) << "an ERROR was answered";
  auto p = parse(answer);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(std::get<wt::ErrorPacket>(*p).code, 5);
  // And the transfer itself goes on.
  ASSERT_TRUE(client.send_to(wt::encode(wt::Ack{1}), data1->from).ok());
  std::optional<transport::Datagram> data2;
  ASSERT_TRUE(turn_until([&] { return (data2 = next(client, 0)).has_value(); }));
  EXPECT_EQ(data2->bytes[3], 2);
}

TEST_F(TftpLimitsTest, WrongTidFloodGetsABoundedNumberOfError5s) {
  write("f", pattern(5000));
  open();
  UdpSocket client = socket(), stranger = socket();
  auto data1 = begin(client, "f");
  ASSERT_TRUE(data1.has_value());
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(stranger.send_to(wt::encode(wt::Ack{1}), data1->from).ok());
  std::size_t answers = 0;
  for (int i = 0; i < 20; ++i) {
    server_->poll_once(5);
    answers += queued(stranger).size();
  }
  EXPECT_GE(answers, 1u);
  EXPECT_LE(answers, Transfer::kTidErrorsPerSecond);
  // A second later a few more may go out, no more.
  clock_.advance(1s);
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(stranger.send_to(wt::encode(wt::Ack{1}), data1->from).ok());
  std::size_t later = 0;
  for (int i = 0; i < 20; ++i) {
    server_->poll_once(5);
    later += queued(stranger).size();
  }
  EXPECT_LE(later, Transfer::kTidErrorsPerSecond);
}

// Anything but a duplicate RRQ from a running transfer's own endpoint to port 69 used to end it.
TEST_F(TftpLimitsTest, StrayDatagramToPort69FromATransfersEndpointDoesNotEndIt) {
  write("f", pattern(5000));
  open();
  UdpSocket client = socket();
  auto data1 = begin(client, "f");
  ASSERT_TRUE(data1.has_value());
  const Endpoint tid = data1->from;
  ASSERT_TRUE(client.send_to(wt::encode(wt::Ack{1}), tid).ok());
  std::optional<transport::Datagram> data2;
  ASSERT_TRUE(turn_until([&] { return (data2 = next(client, 0)).has_value(); }));
  ASSERT_EQ(data2->bytes[3], 2);
  for (const Bytes& stray : std::vector<Bytes>{wt::encode(wt::Ack{2}), wt::encode(wt::ErrorPacket{0, "x"}),
                                               Bytes{0, 1, 'f'}, wt::encode(wt::Request{false, "other", "mail", {}})})
    ASSERT_TRUE(client.send_to(stray, port69()).ok());
  for (int i = 0; i < 10; ++i) server_->poll_once(5);
  EXPECT_EQ(server_->running(), 1u);
  // The refusal of the bad mode is the only answer on port 69's side.
  for (const auto& d : queued(client)) EXPECT_EQ(d.from, port69());
  ASSERT_TRUE(client.send_to(wt::encode(wt::Ack{2}), tid).ok());
  std::optional<transport::Datagram> data3;
  ASSERT_TRUE(turn_until([&] { return (data3 = next(client, 0)).has_value(); }));
  EXPECT_EQ(data3->from, tid);
  EXPECT_EQ(data3->bytes[3], 3);
}

// A retransmitted RRQ before the first ACK is ignored; the same RRQ once the transfer stalled
// (the client stopped ACKing and the server retransmitted) starts over.
TEST_F(TftpLimitsTest, DuplicateRrqIsIgnoredBeforeProgressAndRestartsAfterAStall) {
  write("f", pattern(5000));
  open();
  UdpSocket client = socket();
  auto data1 = begin(client, "f");
  ASSERT_TRUE(data1.has_value());
  ASSERT_TRUE(client.send_to(wt::encode(wt::Request{false, "f", "octet", {}}), port69()).ok());
  for (int i = 0; i < 10; ++i) server_->poll_once(5);
  EXPECT_EQ(queued(client).size(), 0u);
  EXPECT_EQ(server_->running(), 1u);
  ASSERT_TRUE(client.send_to(wt::encode(wt::Ack{1}), data1->from).ok());
  ASSERT_TRUE(turn_until([&] { return next(client, 0).has_value(); }));  // DATA 2
  // The client goes silent: a retransmission timeout later the server sends DATA 2 again.
  clock_.advance(1100ms);
  std::optional<transport::Datagram> again;
  ASSERT_TRUE(turn_until([&] { return (again = next(client, 0)).has_value(); }));
  EXPECT_EQ(again->from, data1->from);
  EXPECT_EQ(again->bytes[3], 2);
  auto restarted = begin(client, "f");
  ASSERT_TRUE(restarted.has_value());
  EXPECT_EQ(restarted->bytes[3], 1);
  EXPECT_NE(restarted->from, data1->from);
  EXPECT_EQ(server_->running(), 1u);
}

// Issue 12: the client retransmits its RRQ while the server is slow to answer; under load that
// copy is read from port 69 after the client's ACK of the first answer. The transfer goes on from
// its TID (the copy used to replace it: a new OACK from another port, which the client, latched
// on the first, answered with ERROR 5, and then it waited for the old port until its timeout).
TEST_F(TftpLimitsTest, LateCopyOfTheRrqAfterTheClientsAckDoesNotReplaceTheTransfer) {
  write("f", pattern(5000));
  open();
  UdpSocket client = socket();
  const Bytes request = wt::encode(wt::Request{false, "f", "octet", {{"tsize", "0"}, {"blksize", "1408"}}});
  ASSERT_TRUE(client.send_to(request, port69()).ok());
  std::optional<transport::Datagram> oack;
  ASSERT_TRUE(turn_until([&] { return (oack = next(client, 0)).has_value(); }));
  ASSERT_TRUE(std::holds_alternative<wt::Oack>(*parse(oack)));
  const Endpoint tid = oack->from;
  ASSERT_TRUE(client.send_to(wt::encode(wt::Ack{0}), tid).ok());
  std::optional<transport::Datagram> data1;
  ASSERT_TRUE(turn_until([&] { return (data1 = next(client, 0)).has_value(); }));
  EXPECT_EQ(data1->from, tid);
  EXPECT_EQ(data1->bytes[3], 1);
  // The late copy of the RRQ: nothing answers it, and the transfer stays the one running.
  ASSERT_TRUE(client.send_to(request, port69()).ok());
  for (int i = 0; i < 10; ++i) server_->poll_once(5);
  for (const auto& d : queued(client)) ADD_FAILURE() << "the late RRQ was answered from port " << d.from.port;
  EXPECT_EQ(server_->running(), 1u);
  // The client goes on on the TID it latched, to the end of the file.
  for (std::uint16_t block = 1;; ++block) {
    ASSERT_TRUE(client.send_to(wt::encode(wt::Ack{block}), tid).ok());
    if (block == 4) break;  // 5000 bytes = 3 blocks of 1408 and a short fourth
    std::optional<transport::Datagram> data;
    ASSERT_TRUE(turn_until([&] { return (data = next(client, 0)).has_value(); })) << "no DATA " << block + 1;
    EXPECT_EQ(data->from, tid);
    EXPECT_EQ(data->bytes[3], block + 1);
  }
  ASSERT_TRUE(turn_until([&] { return server_->running() == 0; }));
}

// 60 RRQs that are never acknowledged, from one host: it gets its 4 transfers, the rest are
// refused, and another client is served right after (it used to find all 50 slots taken).
TEST_F(TftpLimitsTest, SixtyUnacknowledgedRrqsFromOneHostLeaveRoomForOthers) {
  write("f", pattern(100'000));
  open();
  const Ipv4 hog_addr(127, 0, 0, 2);
  std::vector<UdpSocket> hog;
  for (int i = 0; i < 60; ++i) {
    hog.push_back(socket(hog_addr));
    ASSERT_TRUE(hog.back().send_to(wt::encode(wt::Request{false, "f", "octet", {{"timeout", "255"}}}), port69()).ok());
  }
  for (int i = 0; i < 20; ++i) server_->poll_once(5);
  EXPECT_EQ(server_->running(), settings_.max_per_client);
  server_->start();
  auto r = get("f", {{"blksize", "1468"}});
  EXPECT_TRUE(r.ok()) << (r.failed() ? r.failed()->message : "no answer");
}

// timeout=255 asks for 255 s between retransmissions; the slots come back 5 s after the OACKs.
TEST_F(TftpLimitsTest, UnansweredTransfersGiveTheirSlotsBackAfterTheFirstAnswerWait) {
  write("f", pattern(100'000));
  open();
  std::vector<UdpSocket> hog;
  for (int i = 0; i < 4; ++i) {
    hog.push_back(socket());
    ASSERT_TRUE(hog.back().send_to(wt::encode(wt::Request{false, "f", "octet", {{"timeout", "255"}}}), port69()).ok());
  }
  ASSERT_TRUE(turn_until([&] { return server_->running() == 4; }));
  clock_.advance(4900ms);
  server_->poll_once(0);
  EXPECT_EQ(server_->running(), 4u);
  clock_.advance(100ms);
  server_->poll_once(0);
  EXPECT_EQ(server_->running(), 0u);
}

// SIGTERM: every running transfer hears ERROR 0 and stop() returns at once.
TEST_F(TftpLimitsTest, StopTellsRunningTransfersAndReturnsPromptly) {
  write("f", pattern(100'000));
  open();
  UdpSocket client = socket();
  auto data1 = begin(client, "f");
  ASSERT_TRUE(data1.has_value());
  server_->start();
  auto t0 = std::chrono::steady_clock::now();
  server_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 500ms);
  auto p = parse(next(client));
  ASSERT_TRUE(p.has_value());
  const auto* e = std::get_if<wt::ErrorPacket>(&*p);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->code, 0);
  EXPECT_EQ(e->message, "server shutting down");
}

}  // namespace
}  // namespace pxe::server::tftp::test
