// The Receiver as a TFTP client the way PXE firmware uses it: the RRQ to port 69, the server's TID
// latched from its first answer, strangers answered with ERROR 5, the negotiated `timeout`
// honoured, EDK2's windowsize 4 and both kinds of tsize-probe abort.
#include <gtest/gtest.h>

#include <chrono>

#include "link_harness.h"
#include "proto/tftp/negotiation.h"
#include "proto/tftp/receiver.h"
#include "proto/tftp/sender.h"

namespace pxe::proto::tftp {
namespace {

namespace wt = wire::tftp;
using namespace std::chrono_literals;
using test::Dir;
using test::is_op;
using test::kServerTid;
using test::LinkHarness;
using test::pattern;

constexpr std::uint16_t kStranger = 40001;

std::vector<const SendDatagram*> sends(const Actions& a) {
  std::vector<const SendDatagram*> out;
  for (const auto& x : a)
    if (const auto* s = std::get_if<SendDatagram>(&x)) out.push_back(s);
  return out;
}
template <class T>
const T* find(const Actions& a) {
  for (const auto& x : a)
    if (const auto* t = std::get_if<T>(&x)) return t;
  return nullptr;
}
wt::Packet parsed(const SendDatagram& s) { return *wt::parse(s.bytes); }
Bytes oack(std::vector<wt::Option> o) { return wt::encode(wt::Oack{std::move(o)}); }
Bytes data(std::uint16_t block, std::size_t n) {
  static const Bytes p = pattern(70'000);
  return wt::encode(wt::Data{block, ByteSpan(p.data(), n)});
}

ReceiverConfig client(std::vector<wt::Option> options = {{"tsize", "0"}, {"blksize", "1408"}}) {
  ReceiverConfig rc;
  rc.filename = "pxelinux.0";
  rc.options = std::move(options);
  return rc;
}

const Timestamp t0{1'000'000};

TEST(TftpClient, SendsTheRrqToPort69AndLatchesTheFirstAnswersPort) {
  MemorySink sink;
  Receiver r(sink, client());
  Actions a = r.start(t0);
  ASSERT_EQ(sends(a).size(), 1u);
  EXPECT_EQ(sends(a)[0]->to_port, std::optional<std::uint16_t>(69));
  EXPECT_TRUE(std::holds_alternative<wt::Request>(parsed(*sends(a)[0])));
  EXPECT_FALSE(r.peer_port().has_value());

  a = r.on_datagram(oack({{"tsize", "2000"}, {"blksize", "1408"}}), kServerTid, t0 + 10ms);
  EXPECT_EQ(r.peer_port(), std::optional<std::uint16_t>(kServerTid));
  ASSERT_EQ(sends(a).size(), 1u);
  EXPECT_FALSE(sends(a)[0]->to_port.has_value()) << "the ACK goes to the latched TID";
  EXPECT_EQ(std::get<wt::Ack>(parsed(*sends(a)[0])).block, 0);
}

TEST(TftpClient, RetransmittedRrqStillGoesToTheServerPort) {
  MemorySink sink;
  ReceiverConfig rc = client();
  rc.server_port = 1069;
  Receiver r(sink, rc);
  Actions a = r.start(t0);
  EXPECT_EQ(sends(a)[0]->to_port, std::optional<std::uint16_t>(1069));
  a = r.on_timer(find<SetTimer>(a)->at);
  ASSERT_EQ(sends(a).size(), 1u);
  EXPECT_EQ(sends(a)[0]->to_port, std::optional<std::uint16_t>(1069));
  EXPECT_TRUE(std::holds_alternative<wt::Request>(parsed(*sends(a)[0])));
}

TEST(TftpClient, NonAnswersBeforeTheLatchAreIgnoredAndLatchNothing) {
  MemorySink sink;
  Receiver r(sink, client());
  (void)r.start(t0);
  const Bytes junk{0xde, 0xad};
  EXPECT_TRUE(r.on_datagram(junk, kStranger, t0).empty());
  EXPECT_TRUE(r.on_datagram(wt::encode(wt::Ack{1}), kStranger, t0).empty());
  EXPECT_FALSE(r.peer_port().has_value());
  EXPECT_FALSE(r.done());
  (void)r.on_datagram(oack({{"tsize", "10"}}), kServerTid, t0);
  EXPECT_EQ(r.peer_port(), std::optional<std::uint16_t>(kServerTid));
}

TEST(TftpClient, AnErrorAsFirstAnswerEndsTheTransfer) {
  MemorySink sink;
  Receiver r(sink, client());
  (void)r.start(t0);
  Actions a = r.on_datagram(wt::encode(wt::ErrorPacket{1, "File not found"}), kServerTid, t0);
  ASSERT_NE(find<Failed>(a), nullptr);
  EXPECT_EQ(find<Failed>(a)->reason, FailReason::PeerError);
  EXPECT_EQ(find<Failed>(a)->code, 1);
  EXPECT_TRUE(sends(a).empty());
}

// RFC 1350 §4: a datagram from another port gets ERROR 5 at that port and the transfer goes on.
// The second OACK is what a server sends when it saw the RRQ twice (a retransmission) and opened
// a second transfer: the ERROR 5 ends that one.
TEST(TftpClient, StrangerGetsError5AndTheTransferContinues) {
  MemorySink sink;
  Receiver r(sink, client({{"blksize", "1000"}}));
  (void)r.start(t0);
  (void)r.on_datagram(oack({{"blksize", "1000"}}), kServerTid, t0);
  Actions a = r.on_datagram(oack({{"blksize", "1000"}}), kStranger, t0 + 1ms);
  ASSERT_EQ(sends(a).size(), 1u);
  EXPECT_EQ(sends(a)[0]->to_port, std::optional<std::uint16_t>(kStranger));
  const auto err = std::get<wt::ErrorPacket>(parsed(*sends(a)[0]));
  EXPECT_EQ(err.code, 5);
  EXPECT_EQ(err.message, "Unknown transfer ID");
  EXPECT_EQ(a.size(), 1u) << "no timer, no result: nothing changed";

  // A stranger's DATA 1 is not written; the server's is.
  a = r.on_datagram(data(1, 1000), kStranger, t0 + 2ms);
  EXPECT_EQ(sends(a).size(), 1u);
  EXPECT_TRUE(sink.bytes.empty());
  a = r.on_datagram(data(1, 1000), kServerTid, t0 + 3ms);
  EXPECT_EQ(sink.bytes.size(), 1000u);
  a = r.on_datagram(data(2, 10), kServerTid, t0 + 4ms);
  ASSERT_NE(find<Finished>(a), nullptr);
  EXPECT_EQ(find<Finished>(a)->bytes, 1010u);
  EXPECT_EQ(r.peer_port(), std::optional<std::uint16_t>(kServerTid));
  EXPECT_EQ(r.tid_errors_sent(), 2u);
}

TEST(TftpClient, StrangersErrorIsNeverAnswered) {
  MemorySink sink;
  Receiver r(sink, client());
  (void)r.start(t0);
  (void)r.on_datagram(oack({{"tsize", "10"}}), kServerTid, t0);
  EXPECT_TRUE(r.on_datagram(wt::encode(wt::ErrorPacket{5, "Unknown transfer ID"}), kStranger, t0).empty());
  EXPECT_TRUE(r.on_datagram(wt::encode(wt::ErrorPacket{0, "loop?"}), kStranger, t0).empty());
  EXPECT_FALSE(r.done()) << "an ERROR from a stranger does not end our transfer";
}

TEST(TftpClient, Error5sToStrangersAreBoundedPerSecond) {
  MemorySink sink;
  Receiver r(sink, client());
  (void)r.start(t0);
  (void)r.on_datagram(oack({{"tsize", "10"}}), kServerTid, t0);
  std::size_t answered = 0;
  for (int i = 0; i < 100; ++i) answered += sends(r.on_datagram(wt::encode(wt::Ack{1}), kStranger, t0 + 5ms)).size();
  EXPECT_EQ(answered, UnknownTidReplies::kPerSecond);
  answered = sends(r.on_datagram(wt::encode(wt::Ack{1}), kStranger, t0 + 1100ms)).size();
  EXPECT_EQ(answered, 1u) << "a new second, a new budget";
}

// The server side of a write knows its peer from the WRQ.
TEST(TftpClient, ServeWriteWithAKnownPeerAnswersStrangersToo) {
  MemorySink sink;
  ReceiverConfig rc;
  rc.serve_write = Negotiated{};
  rc.peer_port = 2070;
  Receiver r(sink, rc);
  Actions a = r.start(t0);
  EXPECT_FALSE(sends(a)[0]->to_port.has_value());
  a = r.on_datagram(data(1, 10), 2071, t0);
  ASSERT_EQ(sends(a).size(), 1u);
  EXPECT_EQ(sends(a)[0]->to_port, std::optional<std::uint16_t>(2071));
  EXPECT_TRUE(sink.bytes.empty());
  a = r.on_datagram(data(1, 10), 2070, t0);
  EXPECT_NE(find<Finished>(a), nullptr);
}

// RFC 2349: the timeout the server confirms is the interval between retransmissions.
TEST(TftpClient, NegotiatedTimeoutIsTheRetransmissionInterval) {
  MemorySink sink;
  Receiver r(sink, client({{"timeout", "4"}, {"blksize", "1408"}}));
  (void)r.start(t0);
  Actions a = r.on_datagram(oack({{"timeout", "4"}, {"blksize", "1408"}}), kServerTid, t0);
  ASSERT_NE(find<SetTimer>(a), nullptr);
  EXPECT_EQ(find<SetTimer>(a)->at, t0 + 4s);
  EXPECT_EQ(r.timing().retransmit, Duration(4s));
  // Six tries, 4 s apart, none cut short by the idle limit, then the transfer gives up.
  Timestamp at = find<SetTimer>(a)->at;
  std::vector<Timestamp> acks;
  for (int i = 0; i < 10; ++i) {
    a = r.on_timer(at);
    if (find<Failed>(a)) break;
    ASSERT_EQ(sends(a).size(), 1u);
    EXPECT_EQ(std::get<wt::Ack>(parsed(*sends(a)[0])).block, 0);
    acks.push_back(at);
    at = find<SetTimer>(a)->at;
  }
  ASSERT_EQ(acks.size(), 6u);
  for (std::size_t i = 0; i < acks.size(); ++i) EXPECT_EQ(acks[i], t0 + 4s * (i + 1)) << i;
  ASSERT_NE(find<Failed>(a), nullptr);
  EXPECT_EQ(find<Failed>(a)->reason, FailReason::Timeout);
}

// pxelinux retransmits after a table of waits (2, 2, 3 ... ticks of ~55 ms), not a doubling.
TEST(TftpClient, RetransmissionsFollowAFirmwareSchedule) {
  MemorySink sink;
  ReceiverConfig rc = client();
  const Duration tick = std::chrono::microseconds(54925);
  rc.timing.schedule = {2 * tick, 2 * tick, 3 * tick};
  rc.timing.max_retries = 5;
  rc.timing.first_answer = 60s;
  Receiver r(sink, rc);
  Actions a = r.start(t0);
  std::vector<Duration> waits;
  Timestamp last = t0;
  for (int i = 0; i < 10 && find<SetTimer>(a); ++i) {
    Timestamp at = find<SetTimer>(a)->at;
    waits.push_back(at - last);
    last = at;
    a = r.on_timer(at);
    if (find<Failed>(a)) break;
    ASSERT_EQ(sends(a).size(), 1u);
    EXPECT_EQ(sends(a)[0]->to_port, std::optional<std::uint16_t>(69));
  }
  EXPECT_EQ(waits, (std::vector<Duration>{2 * tick, 2 * tick, 3 * tick, 3 * tick, 3 * tick, 3 * tick}));
  ASSERT_NE(find<Failed>(a), nullptr);
  EXPECT_EQ(find<Failed>(a)->reason, FailReason::Timeout);
}

TEST(TftpClient, WithoutTimeoutOptionTheDefaultBackoffApplies) {
  MemorySink sink;
  Receiver r(sink, client());
  (void)r.start(t0);
  Actions a = r.on_datagram(oack({{"tsize", "5000"}}), kServerTid, t0);
  EXPECT_EQ(find<SetTimer>(a)->at, t0 + Timing{}.retransmit);
}

TEST(TftpClient, TimeoutOutOfRangeIsRefusedWithError8) {
  MemorySink sink;
  Receiver r(sink, client({{"timeout", "4"}}));
  (void)r.start(t0);
  Actions a = r.on_datagram(oack({{"timeout", "0"}}), kServerTid, t0);
  ASSERT_NE(find<Failed>(a), nullptr);
  EXPECT_EQ(find<Failed>(a)->reason, FailReason::OptionRefused);
  ASSERT_EQ(sends(a).size(), 1u);
  EXPECT_EQ(std::get<wt::ErrorPacket>(parsed(*sends(a)[0])).code, 8);
}

// The timeout option against the Sender over the link: negotiated both ways, a lost ACK
// recovered after the negotiated interval.
TEST(TftpClient, NegotiatedTimeoutOverTheLink) {
  const std::vector<wt::Option> asked{{"timeout", "3"}, {"blksize", "512"}};
  MemorySource source(pattern(5000));
  MemorySink sink;
  Receiver r(sink, client(asked));
  Negotiated neg = negotiate(wt::Request{false, "pxelinux.0", "octet", asked}, {}, source.size());
  Timing st;
  st.retransmit = std::chrono::seconds(*neg.timeout_s);
  Sender s(source, neg, st);
  LinkHarness link(s, r);
  bool dropped = false;
  link.drop_if([&](const test::Wire& w, std::size_t) {
    if (dropped || w.dir != Dir::ToServer || !is_op(w, wt::Opcode::Ack) || test::block_of(w.bytes) != 3) return false;
    return dropped = true;
  });
  link.run();
  ASSERT_TRUE(link.client_result() && std::holds_alternative<Finished>(*link.client_result()));
  EXPECT_EQ(sink.bytes, pattern(5000));
  EXPECT_EQ(r.timing().retransmit, Duration(3s));
  EXPECT_GE(link.now() - Timestamp{1'000'000}, Duration(3s));
}

// EDK2 asks windowsize 4: one ACK per four blocks.
TEST(TftpClient, Windowsize4AsEdk2AsksAcksEveryFourthBlock) {
  const std::vector<wt::Option> asked{{"blksize", "1468"}, {"windowsize", "4"}, {"tsize", "0"}};
  MemorySource source(pattern(1468 * 16 + 100));
  MemorySink sink;
  Receiver r(sink, client(asked));
  Negotiated neg = negotiate(wt::Request{false, "bootx64.efi", "octet", asked}, {}, source.size());
  ASSERT_EQ(neg.windowsize, 4u);
  Sender s(source, neg, Timing{});
  LinkHarness link(s, r);
  link.run();
  ASSERT_TRUE(link.client_result() && std::holds_alternative<Finished>(*link.client_result()));
  EXPECT_EQ(sink.bytes, pattern(1468 * 16 + 100));
  EXPECT_EQ(r.windowsize(), 4u);
  // ACK 0, ACKs 4, 8, 12, 16, then 17 (the short last block).
  std::vector<std::uint16_t> acks;
  for (const auto& w : link.sent())
    if (w.dir == Dir::ToServer && is_op(w, wt::Opcode::Ack)) acks.push_back(test::block_of(w.bytes));
  EXPECT_EQ(acks, (std::vector<std::uint16_t>{0, 4, 8, 12, 16, 17}));
  // The RRQ went to port 69, everything after to the server's TID.
  ASSERT_FALSE(link.sent().empty());
  EXPECT_EQ(link.sent().front().to_port, std::optional<std::uint16_t>(69));
  for (std::size_t i = 1; i < link.sent().size(); ++i) {
    if (link.sent()[i].dir == Dir::ToServer) {
      EXPECT_FALSE(link.sent()[i].to_port.has_value()) << i;
    }
  }
}

// The tsize probe: BIOS ROMs abort with ERROR 0 "TFTP Aborted", EDK2 with ERROR 8.
TEST(TftpClient, TsizeProbeAbortsWithError0ByDefault) {
  MemorySink sink;
  ReceiverConfig rc = client({{"tsize", "0"}});
  rc.abort_after_oack = true;
  Receiver r(sink, rc);
  (void)r.start(t0);
  Actions a = r.on_datagram(oack({{"tsize", "31337"}}), kServerTid, t0);
  ASSERT_EQ(sends(a).size(), 1u);
  const auto err = std::get<wt::ErrorPacket>(parsed(*sends(a)[0]));
  EXPECT_EQ(err.code, 0);
  EXPECT_EQ(err.message, "TFTP Aborted");
  EXPECT_FALSE(sends(a)[0]->to_port.has_value());
  EXPECT_NE(find<Finished>(a), nullptr);
  EXPECT_EQ(r.tsize(), 31337u);
  EXPECT_TRUE(r.done());
}

TEST(TftpClient, TsizeProbeAbortsWithError8AsEdk2Does) {
  MemorySink sink;
  ReceiverConfig rc = client({{"tsize", "0"}, {"blksize", "1468"}, {"windowsize", "4"}});
  rc.abort_after_oack = true;
  rc.abort_code = static_cast<std::uint16_t>(wt::ErrorCode::OptionRefused);
  rc.abort_message = "User aborted the transfer";
  Receiver r(sink, rc);
  (void)r.start(t0);
  Actions a = r.on_datagram(oack({{"tsize", "31337"}, {"blksize", "1468"}}), kServerTid, t0);
  ASSERT_EQ(sends(a).size(), 1u);
  const auto err = std::get<wt::ErrorPacket>(parsed(*sends(a)[0]));
  EXPECT_EQ(err.code, 8);
  EXPECT_EQ(err.message, "User aborted the transfer");
  EXPECT_EQ(r.tsize(), 31337u);
  EXPECT_TRUE(r.done());
}

// The Sender sees the probe's abort as benign (PeerAborted), whichever code the firmware uses.
TEST(TftpClient, SenderTakesBothProbeAbortsAsPeerAborted) {
  for (std::uint16_t code : {0, 8}) {
    const std::vector<wt::Option> asked{{"tsize", "0"}};
    MemorySource source(pattern(3000));
    MemorySink sink;
    ReceiverConfig rc = client(asked);
    rc.abort_after_oack = true;
    rc.abort_code = code;
    Receiver r(sink, rc);
    Negotiated neg = negotiate(wt::Request{false, "pxelinux.0", "octet", asked}, {}, source.size());
    Sender s(source, neg, Timing{});
    LinkHarness link(s, r);
    link.run();
    ASSERT_TRUE(link.server_result()) << code;
    const auto* f = std::get_if<Failed>(&*link.server_result());
    ASSERT_NE(f, nullptr) << code;
    EXPECT_EQ(f->reason, FailReason::PeerAborted) << code;
    EXPECT_EQ(f->code, code);
  }
}

}  // namespace
}  // namespace pxe::proto::tftp
