// Whole transfers: a Sender and a Receiver over the in-memory link, with losses injected.
#include <gtest/gtest.h>

#include "link_harness.h"
#include "proto/tftp/negotiation.h"

namespace pxe::proto::tftp {
namespace {

namespace wt = wire::tftp;
using test::block_of;
using test::Dir;
using test::is_op;
using test::LinkHarness;
using test::pattern;
using test::Wire;

struct Transfer {
  Transfer(Bytes file, std::vector<wt::Option> asked, ServerLimits limits = {}, bool probe = false)
      : source(file), original(std::move(file)) {
    ReceiverConfig rc;
    rc.filename = "pxelinux.0";
    rc.options = asked;
    rc.abort_after_oack = probe;
    receiver.emplace(sink, rc);
    neg = negotiate(wt::Request{false, "pxelinux.0", "octet", asked}, limits, source.size());
    sender.emplace(source, neg, Timing{});
    link.emplace(*sender, *receiver);
  }
  MemorySource source;
  Bytes original;
  MemorySink sink;
  Negotiated neg;
  std::optional<Receiver> receiver;
  std::optional<Sender> sender;
  std::optional<LinkHarness> link;

  bool finished_both() const {
    return link->server_result() && std::holds_alternative<Finished>(*link->server_result()) &&
           link->client_result() && std::holds_alternative<Finished>(*link->client_result());
  }
};

// Drops the first datagram matching (dir, opcode, block).
LinkHarness::DropRule drop_once(Dir dir, wt::Opcode op, std::uint16_t block) {
  auto done = std::make_shared<bool>(false);
  return [=](const Wire& w, std::size_t) {
    if (*done || w.dir != dir || !is_op(w, op) || block_of(w.bytes) != block) return false;
    return *done = true;
  };
}

TEST(TftpTransfer, DeliversByteIdenticalWithOack) {
  Transfer t(pattern(100'000), {{"tsize", "0"}, {"blksize", "1408"}});
  t.link->run();
  ASSERT_TRUE(t.finished_both());
  EXPECT_EQ(t.sink.bytes, t.original);
  EXPECT_EQ(t.receiver->tsize(), 100'000u);
  EXPECT_EQ(t.receiver->blksize(), 1408u);
  EXPECT_EQ(std::get<Finished>(*t.link->server_result()).bytes, 100'000u);
}

TEST(TftpTransfer, LostDataIsResentAfterTheTimeout) {
  Transfer t(pattern(10'000), {});
  t.link->drop_if(drop_once(Dir::ToClient, wt::Opcode::Data, 3));
  t.link->run();
  ASSERT_TRUE(t.finished_both());
  EXPECT_EQ(t.sink.bytes, t.original);
  EXPECT_EQ(t.sender->retransmissions(), 1u);
  EXPECT_EQ(t.link->count(Dir::ToClient, wt::Opcode::Data), 20u + 1u);
}

TEST(TftpTransfer, LostAckIsRecoveredWithoutDuplicatingTheRest) {
  Transfer t(pattern(10'000), {});
  t.link->drop_if(drop_once(Dir::ToServer, wt::Opcode::Ack, 2));
  t.link->run();
  ASSERT_TRUE(t.finished_both());
  EXPECT_EQ(t.sink.bytes, t.original);
  // DATA 2 is sent twice, nothing else: the re-ACK of 2 does not double the stream.
  EXPECT_EQ(t.link->count(Dir::ToClient, wt::Opcode::Data), 21u);
}

TEST(TftpTransfer, LostOackIsResent) {
  Transfer t(pattern(3000), {{"blksize", "1024"}});
  t.link->drop_if([n = 0](const Wire& w, std::size_t) mutable {
    return w.dir == Dir::ToClient && is_op(w, wt::Opcode::Oack) && n++ == 0;
  });
  t.link->run();
  ASSERT_TRUE(t.finished_both());
  EXPECT_EQ(t.link->count(Dir::ToClient, wt::Opcode::Oack), 2u);
}

TEST(TftpTransfer, WindowOfEightWithOneLossResendsFromTheGap) {
  Transfer t(pattern(1468 * 40 + 7), {{"blksize", "1468"}, {"windowsize", "8"}});
  t.link->drop_if(drop_once(Dir::ToClient, wt::Opcode::Data, 13));
  t.link->run();
  ASSERT_TRUE(t.finished_both());
  EXPECT_EQ(t.sink.bytes, t.original);
  EXPECT_EQ(t.receiver->windowsize(), 8u);
  // The receiver ACKs 12 as soon as 14 arrives; the next window starts at 13, so only 13..16 go
  // out twice, and no timer had to run out.
  EXPECT_EQ(t.link->count(Dir::ToClient, wt::Opcode::Data), 41u + 4u);
  EXPECT_EQ(t.sender->retransmissions(), 0u);
}

TEST(TftpTransfer, WindowedTransferUsesFewerAcks) {
  Transfer t(pattern(1468 * 64), {{"blksize", "1468"}, {"windowsize", "16"}});
  t.link->run();
  ASSERT_TRUE(t.finished_both());
  EXPECT_EQ(t.link->count(Dir::ToServer, wt::Opcode::Ack), 1u + 4u + 1u);  // ACK 0, 4 windows, final
}

TEST(TftpTransfer, BlockNumbersWrapPast65535) {
  // 70 000 blocks of 8 bytes: the 16-bit block number wraps to 0 after 65535.
  Transfer t(pattern(8 * 70'000 + 3), {{"blksize", "8"}, {"windowsize", "32"}});
  t.link->run();
  ASSERT_TRUE(t.finished_both());
  EXPECT_EQ(t.sink.bytes, t.original);
  EXPECT_EQ(std::get<Finished>(*t.link->server_result()).blocks, 70'001u);
  bool saw_zero = false;
  for (const auto& w : t.link->sent())
    if (w.dir == Dir::ToClient && is_op(w, wt::Opcode::Data) && block_of(w.bytes) == 0) saw_zero = true;
  EXPECT_TRUE(saw_zero);
}

TEST(TftpTransfer, LossRightAtTheWrapIsRecovered) {
  Transfer t(pattern(8 * 65'600), {{"blksize", "8"}});
  t.link->drop_if(drop_once(Dir::ToClient, wt::Opcode::Data, 0));
  t.link->run();
  ASSERT_TRUE(t.finished_both());
  EXPECT_EQ(t.sink.bytes, t.original);
}

TEST(TftpTransfer, TsizeProbeAbortsThenANewRequestSucceeds) {
  Transfer probe(pattern(20'000), {{"tsize", "0"}}, {}, true);
  probe.link->run();
  ASSERT_TRUE(probe.link->server_result());
  auto& f = std::get<Failed>(*probe.link->server_result());
  EXPECT_EQ(f.reason, FailReason::PeerAborted);
  EXPECT_EQ(f.message, "TFTP Aborted");
  EXPECT_EQ(probe.receiver->tsize(), 20'000u);

  Transfer again(pattern(20'000), {{"blksize", "1456"}});
  again.link->run();
  ASSERT_TRUE(again.finished_both());
  EXPECT_EQ(again.sink.bytes, again.original);
}

TEST(TftpTransfer, ClientRefusesAnOackBlksizeLargerThanAskedWithError8) {
  // A broken server answering more than was asked: the receiver refuses with ERROR 8.
  Transfer t(pattern(5000), {{"blksize", "1024"}});
  Negotiated bad = t.neg;
  bad.oack = {{"blksize", "2048"}};
  bad.blksize = 2048;
  Sender s(t.source, bad, Timing{});
  LinkHarness link(s, *t.receiver);
  link.run();
  ASSERT_TRUE(link.client_result());
  EXPECT_EQ(std::get<Failed>(*link.client_result()).reason, FailReason::OptionRefused);
  ASSERT_TRUE(link.server_result());
  EXPECT_EQ(std::get<Failed>(*link.server_result()).code, 8);
}

TEST(TftpTransfer, BothSidesGiveUpWhenTheLinkDies) {
  Transfer t(pattern(5000), {});
  t.link->drop_if([](const Wire& w, std::size_t i) { return i > 3 && w.dir == Dir::ToClient; });
  t.link->run();
  ASSERT_TRUE(t.link->server_result());
  EXPECT_EQ(std::get<Failed>(*t.link->server_result()).reason, FailReason::Timeout);
  ASSERT_TRUE(t.link->client_result());
  EXPECT_EQ(std::get<Failed>(*t.link->client_result()).reason, FailReason::Timeout);
  EXPECT_LT(t.link->now() - Timestamp{1'000'000}, std::chrono::seconds(120));
}

}  // namespace
}  // namespace pxe::proto::tftp
