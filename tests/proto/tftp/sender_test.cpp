// Sender transitions, one datagram at a time.
#include "proto/tftp/sender.h"

#include <gtest/gtest.h>

#include "link_harness.h"

namespace pxe::proto::tftp {
namespace {

namespace wt = wire::tftp;
using test::block_of;
using test::pattern;

std::vector<Bytes> datagrams(const Actions& a) {
  std::vector<Bytes> out;
  for (const auto& x : a)
    if (auto b = datagram_bytes(x)) out.push_back(std::move(*b));
  return out;
}
template <class T>
const T* find(const Actions& a) {
  for (const auto& x : a)
    if (auto* t = std::get_if<T>(&x)) return t;
  return nullptr;
}
Bytes ack(std::uint16_t n) { return wt::encode(wt::Ack{n}); }

Negotiated plain(std::uint32_t blksize = 512, std::uint32_t window = 1, bool oack = false) {
  Negotiated n;
  n.blksize = blksize;
  n.windowsize = window;
  if (oack) n.oack = {{"blksize", std::to_string(blksize)}};
  return n;
}

const Timestamp t0{5'000'000};

TEST(TftpSender, StartsWithData1WhenNoOptionsWereAccepted) {
  MemorySource f(pattern(1000));
  Sender s(f, plain(), {});
  auto a = s.start(t0);
  auto d = datagrams(a);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].size(), 4u + 512u);
  EXPECT_EQ(block_of(d[0]), 1);
  ASSERT_NE(find<SetTimer>(a), nullptr);
  EXPECT_EQ(find<SetTimer>(a)->at, t0 + std::chrono::seconds(1));
}

TEST(TftpSender, StartsWithOackAndWaitsForAck0) {
  MemorySource f(pattern(1000));
  Sender s(f, plain(1000, 1, true), {});
  auto d = datagrams(s.start(t0));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0][1], 6);  // OACK
  EXPECT_TRUE(datagrams(s.on_datagram(ack(1), t0)).empty());  // not ACK 0: ignored
  auto next = datagrams(s.on_datagram(ack(0), t0));
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(block_of(next[0]), 1);
  EXPECT_EQ(next[0].size(), 4u + 1000u);
}

TEST(TftpSender, FinishesWhenTheShortBlockIsAcked) {
  MemorySource f(pattern(600));
  Sender s(f, plain(), {});
  (void)s.start(t0);
  auto d = datagrams(s.on_datagram(ack(1), t0));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].size(), 4u + 88u);
  auto a = s.on_datagram(ack(2), t0);
  ASSERT_NE(find<Finished>(a), nullptr);
  EXPECT_EQ(find<Finished>(a)->bytes, 600u);
  EXPECT_EQ(find<Finished>(a)->blocks, 2u);
  EXPECT_TRUE(s.done());
}

TEST(TftpSender, ExactMultipleOfBlksizeEndsWithEmptyBlock) {
  MemorySource f(pattern(1024));
  Sender s(f, plain(), {});
  (void)s.start(t0);
  (void)s.on_datagram(ack(1), t0);
  auto d = datagrams(s.on_datagram(ack(2), t0));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].size(), 4u);
  EXPECT_EQ(block_of(d[0]), 3);
  EXPECT_NE(find<Finished>(s.on_datagram(ack(3), t0)), nullptr);
}

TEST(TftpSender, IgnoresDuplicateAckNoSorcerersApprentice) {
  MemorySource f(pattern(5000));
  Sender s(f, plain(), {});
  (void)s.start(t0);
  EXPECT_EQ(datagrams(s.on_datagram(ack(1), t0)).size(), 1u);  // DATA 2
  EXPECT_TRUE(s.on_datagram(ack(1), t0).empty());             // duplicate: nothing
  EXPECT_TRUE(s.on_datagram(ack(7), t0).empty());             // never sent: nothing
}

TEST(TftpSender, ResendsLastBlockAfterTimeoutWithBackoff) {
  MemorySource f(pattern(5000));
  Timing t;
  t.first_answer = std::chrono::hours(1);  // the backoff alone, not the first-answer deadline
  Sender s(f, plain(), t);
  (void)s.start(t0);
  auto a1 = s.on_timer(t0 + std::chrono::seconds(1));
  auto d = datagrams(a1);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(block_of(d[0]), 1);
  EXPECT_EQ(find<SetTimer>(a1)->at, t0 + std::chrono::seconds(3));  // 1 s, then 2 s
  auto a2 = s.on_timer(t0 + std::chrono::seconds(3));
  EXPECT_EQ(find<SetTimer>(a2)->at, t0 + std::chrono::seconds(7));  // then 4 s
  EXPECT_EQ(s.retransmissions(), 2u);
}

// What admission asks before letting a duplicate RRQ replace a transfer (issue 12): a peer that
// is ACKing is never "stalled"; one that answered and then let a retransmission timeout pass is.
TEST(TftpSender, StalledOnlyAfterARetransmissionSinceThePeersLastAnswer) {
  using std::chrono::milliseconds;
  MemorySource f(pattern(5000));
  Sender s(f, plain(), {});
  (void)s.start(t0);
  EXPECT_FALSE(s.stalled());
  (void)s.on_timer(t0 + milliseconds(1000));  // DATA 1 again: no answer yet, which is not a stall
  EXPECT_FALSE(s.stalled());
  EXPECT_FALSE(s.answered());
  auto a = s.on_datagram(ack(1), t0 + milliseconds(1500));
  ASSERT_NE(find<SetTimer>(a), nullptr);
  EXPECT_TRUE(s.answered());
  EXPECT_FALSE(s.stalled());  // moving
  auto r = s.on_timer(find<SetTimer>(a)->at);  // the peer went silent: DATA 2 again
  ASSERT_EQ(datagrams(r).size(), 1u);
  EXPECT_EQ(block_of(datagrams(r)[0]), 2);
  EXPECT_TRUE(s.stalled());
  (void)s.on_datagram(ack(2), find<SetTimer>(r)->at);
  EXPECT_FALSE(s.stalled());  // moving again
}

TEST(TftpSender, GivesUpAfterMaxRetries) {
  MemorySource f(pattern(5000));
  Timing t;
  t.max_retries = 2;
  Sender s(f, plain(), t);
  auto a = s.start(t0);
  for (int i = 0; i < 2; ++i) a = s.on_timer(find<SetTimer>(a)->at);
  a = s.on_timer(find<SetTimer>(a)->at);
  ASSERT_NE(find<Failed>(a), nullptr);
  EXPECT_EQ(find<Failed>(a)->reason, FailReason::Timeout);
  EXPECT_TRUE(s.done());
  EXPECT_TRUE(s.on_timer(t0 + std::chrono::hours(1)).empty());
}

TEST(TftpSender, PeerAbortAfterOackIsTheTsizeProbe) {
  MemorySource f(pattern(5000));
  Sender s(f, plain(1456, 1, true), {});
  (void)s.start(t0);
  auto a = s.on_datagram(wt::encode(wt::ErrorPacket{0, "TFTP Aborted"}), t0);
  ASSERT_NE(find<Failed>(a), nullptr);
  EXPECT_EQ(find<Failed>(a)->reason, FailReason::PeerAborted);
  EXPECT_EQ(find<Failed>(a)->message, "TFTP Aborted");
  EXPECT_TRUE(datagrams(a).empty());  // an ERROR is never answered
}

TEST(TftpSender, OackRefusedWithError8EndsTheTransfer) {
  MemorySource f(pattern(5000));
  Sender s(f, plain(1456, 1, true), {});
  (void)s.start(t0);
  auto a = s.on_datagram(wt::encode(wt::ErrorPacket{8, "User aborted the transfer"}), t0);
  EXPECT_EQ(find<Failed>(a)->reason, FailReason::PeerAborted);
  EXPECT_EQ(find<Failed>(a)->code, 8);
}

TEST(TftpSender, ErrorMidTransferIsAPeerError) {
  MemorySource f(pattern(5000));
  Sender s(f, plain(), {});
  (void)s.start(t0);
  auto a = s.on_datagram(wt::encode(wt::ErrorPacket{3, "disk full"}), t0);
  EXPECT_EQ(find<Failed>(a)->reason, FailReason::PeerError);
}

TEST(TftpSender, AnswersUnexpectedOpcodeWithError4) {
  MemorySource f(pattern(5000));
  Sender s(f, plain(), {});
  (void)s.start(t0);
  Bytes payload{1, 2};
  auto a = s.on_datagram(wt::encode(wt::Data{1, payload}), t0);
  auto d = datagrams(a);
  ASSERT_EQ(d.size(), 1u);
  auto e = wt::parse(d[0]);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(std::get<wt::ErrorPacket>(*e).code, 4);
  EXPECT_EQ(find<Failed>(a)->reason, FailReason::IllegalPacket);
}

TEST(TftpSender, DropsMalformedDatagrams) {
  MemorySource f(pattern(5000));
  Sender s(f, plain(), {});
  (void)s.start(t0);
  Bytes junk{0, 4, 0};
  EXPECT_TRUE(s.on_datagram(junk, t0).empty());
  EXPECT_TRUE(s.on_datagram(Bytes{}, t0).empty());
  EXPECT_EQ(s.malformed(), 2u);
  EXPECT_FALSE(s.done());
}

class FailingSource final : public FileSource {
 public:
  std::optional<std::uint64_t> size() const override { return std::nullopt; }
  Result<std::size_t> read(std::uint64_t, std::span<std::uint8_t>) override { return make_error("EIO"); }
};

TEST(TftpSender, ReadErrorIsReportedToThePeer) {
  FailingSource f;
  Sender s(f, plain(), {});
  auto a = s.start(t0);
  ASSERT_NE(find<Failed>(a), nullptr);
  EXPECT_EQ(find<Failed>(a)->reason, FailReason::FileError);
  EXPECT_EQ(datagrams(a).at(0)[1], 5);
}

TEST(TftpSender, SendsAWindowAndSlidesOnTheAckOfItsLastBlock) {
  MemorySource f(pattern(512 * 10));
  Sender s(f, plain(512, 4), {});
  auto d = datagrams(s.start(t0));
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(block_of(d[3]), 4);
  d = datagrams(s.on_datagram(ack(4), t0));
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(block_of(d[0]), 5);
  // A partial ACK (block 6 arrived, 7 did not): start again after 6.
  d = datagrams(s.on_datagram(ack(6), t0));
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(block_of(d[0]), 7);
  EXPECT_EQ(block_of(d[3]), 10);
}

}  // namespace
}  // namespace pxe::proto::tftp
