// How long a transfer may last: a silent peer gives its slot back soon (first answer, idle), a
// transfer that keeps moving is never cut, however long it takes or however large the file.
#include <gtest/gtest.h>

#include <chrono>

#include "link_harness.h"
#include "proto/tftp/receiver.h"
#include "proto/tftp/sender.h"

namespace pxe::proto::tftp {
namespace {

namespace wt = wire::tftp;
using namespace std::chrono_literals;
using test::pattern;

template <class T>
const T* find(const Actions& a) {
  for (const auto& x : a)
    if (auto* t = std::get_if<T>(&x)) return t;
  return nullptr;
}
bool sends_anything(const Actions& a) {
  for (const auto& x : a)
    if (datagram_bytes(x)) return true;
  return false;
}
Bytes ack(std::uint16_t n) { return wt::encode(wt::Ack{n}); }

// Runs the sender's timer until it gives up; returns the time it did, or nullopt after `limit`.
std::optional<Timestamp> run_until_failed(Sender& s, Actions a, Timestamp limit, Actions* last = nullptr) {
  while (auto* t = find<SetTimer>(a)) {
    if (t->at > limit) return std::nullopt;
    Timestamp at = t->at;
    a = s.on_timer(at);
    if (find<Failed>(a)) {
      if (last) *last = a;
      return at;
    }
  }
  return std::nullopt;
}

// RFC 2349 timeout 255 asks for 255 s between retransmissions; the server still gives the slot
// back 5 s after its OACK when the client never answers.
TEST(TftpDeadline, SilentClientIsGivenUpFiveSecondsAfterTheOackWhateverItsTimeout) {
  ManualClock clock(Timestamp{1'000'000});
  MemorySource f(pattern(100'000));
  Negotiated n;
  n.timeout_s = 255;
  n.oack = {{"timeout", "255"}};
  Timing t;
  t.retransmit = 255s;  // what the request handler makes of timeout=255
  t.max_retransmit = 255s;
  Sender s(f, n, t);
  Actions last;
  auto gave_up = run_until_failed(s, s.start(clock.now()), clock.now() + 1h, &last);
  ASSERT_TRUE(gave_up.has_value()) << "still waiting after an hour";
  EXPECT_EQ(*gave_up, clock.now() + 5s);
  EXPECT_EQ(find<Failed>(last)->reason, FailReason::Timeout);
  EXPECT_FALSE(sends_anything(last));  // nobody answered: nobody to tell
  EXPECT_FALSE(s.answered());
}

TEST(TftpDeadline, SilentClientWithoutOptionsIsGivenUpFiveSecondsAfterData1) {
  ManualClock clock(Timestamp{1'000'000});
  MemorySource f(pattern(100'000));
  Sender s(f, Negotiated{}, Timing{});
  auto gave_up = run_until_failed(s, s.start(clock.now()), clock.now() + 1h);
  ASSERT_TRUE(gave_up.has_value());
  EXPECT_EQ(*gave_up, clock.now() + 5s);
}

// A client that answered, then went quiet: given up after the idle timeout (30 s by default)
// even when it asked for long retransmission timeouts.
TEST(TftpDeadline, PeerThatStopsAnsweringIsDroppedAfterTheIdleTimeout) {
  ManualClock clock(Timestamp{1'000'000});
  MemorySource f(pattern(100'000));
  Timing t;
  t.retransmit = 100s;
  t.max_retransmit = 100s;
  t.max_retries = 50;
  Sender s(f, Negotiated{}, t);
  (void)s.start(clock.now());
  clock.advance(2s);
  auto a = s.on_datagram(ack(1), clock.now());
  ASSERT_TRUE(s.answered());
  auto gave_up = run_until_failed(s, a, clock.now() + 1h);
  ASSERT_TRUE(gave_up.has_value());
  EXPECT_EQ(*gave_up, clock.now() + 30s);
}

// A slow client that acknowledges a block every 2 s for 10 simulated minutes: every ACK is
// progress, so the transfer completes (the old absolute limit cut it at 120 s).
TEST(TftpDeadline, TransferThatKeepsMovingForTenMinutesCompletes) {
  ManualClock clock(Timestamp{1'000'000});
  const std::size_t blocks = 300;
  Bytes data = pattern(blocks * 512 - 100);
  MemorySource f(data);
  Sender s(f, Negotiated{}, Timing{});
  Actions a = s.start(clock.now());
  std::optional<Timestamp> timer = find<SetTimer>(a)->at;
  for (std::uint16_t b = 1; !s.done() && b <= blocks; ++b) {
    Timestamp ack_at = clock.now() + 2s;
    while (timer && *timer <= ack_at) {  // the 1 s retransmission fires before each slow ACK
      clock.set(*timer);
      a = s.on_timer(clock.now());
      ASSERT_EQ(find<Failed>(a), nullptr) << "failed before block " << b << ": " << find<Failed>(a)->message;
      timer = find<SetTimer>(a) ? std::optional(find<SetTimer>(a)->at) : std::nullopt;
    }
    clock.set(ack_at);
    a = s.on_datagram(ack(b), clock.now());
    ASSERT_EQ(find<Failed>(a), nullptr) << "failed at block " << b << ": " << find<Failed>(a)->message;
    if (auto* t = find<SetTimer>(a)) timer = t->at;
  }
  ASSERT_NE(find<Finished>(a), nullptr);
  EXPECT_EQ(find<Finished>(a)->bytes, data.size());
  EXPECT_GE(clock.now() - Timestamp{1'000'000}, std::chrono::duration_cast<Duration>(10min));
}

// A file larger than 4 GiB, from a virtual source (nothing is stored): 65,600+ blocks of 65464
// bytes, so the 16-bit block number wraps, and 64-bit byte counts. The clock runs at 20 MB/s, so
// the transfer lasts about four simulated minutes.
class VirtualSource final : public FileSource {
 public:
  explicit VirtualSource(std::uint64_t size) : size_(size) {}
  std::optional<std::uint64_t> size() const override { return size_; }
  Result<std::size_t> read(std::uint64_t offset, std::span<std::uint8_t> dst) override {
    if (offset >= size_) return std::size_t{0};
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(dst.size(), size_ - offset));
    if (n) dst[0] = static_cast<std::uint8_t>(offset / 65464);  // marks the chunk; the rest stays
    return n;
  }

 private:
  std::uint64_t size_;
};

TEST(TftpDeadline, FileLargerThanFourGibibytesCompletesAcrossTheBlockWrap) {
  const std::uint64_t size = (std::uint64_t{4} << 30) + 12345;
  VirtualSource f(size);
  Negotiated n;
  n.blksize = 65464;
  n.windowsize = 1;
  ManualClock clock(Timestamp{1'000'000});
  Sender s(f, n, Timing{});
  Actions a;
  s.start(clock.now(), a);
  std::uint64_t acked = 0;
  const Duration per_block = std::chrono::microseconds(65464 / 20);  // 20 MB/s
  std::optional<Timestamp> timer;
  while (!s.done()) {
    const SendData* d = find<SendData>(a);
    ASSERT_NE(d, nullptr) << "no DATA after " << acked << " blocks";
    std::uint16_t wire_block = static_cast<std::uint16_t>(d->header[2] << 8 | d->header[3]);
    ASSERT_EQ(wire_block, static_cast<std::uint16_t>(acked + 1));
    if (auto* t = find<SetTimer>(a)) timer = t->at;
    clock.advance(per_block);
    if (timer && *timer <= clock.now()) {  // a timer due before the ACK fires first, as in the server
      s.on_timer(*timer, a);
      ASSERT_EQ(find<Failed>(a), nullptr) << "after " << acked << " blocks: " << find<Failed>(a)->message;
    }
    s.on_datagram(ack(wire_block), clock.now(), a);
    ++acked;
    ASSERT_EQ(find<Failed>(a), nullptr) << find<Failed>(a)->message;
  }
  ASSERT_NE(find<Finished>(a), nullptr);
  EXPECT_EQ(find<Finished>(a)->bytes, size);
  EXPECT_EQ(find<Finished>(a)->blocks, size / 65464 + 1);
  EXPECT_GT(find<Finished>(a)->blocks, 65536u);
  EXPECT_GT(clock.now() - Timestamp{1'000'000}, std::chrono::duration_cast<Duration>(120s));
}

// The server side of an upload: DATA 1 never comes, whatever timeout was negotiated.
TEST(TftpDeadline, UploadWhoseDataNeverComesIsGivenUpAfterFiveSeconds) {
  ManualClock clock(Timestamp{1'000'000});
  MemorySink sink;
  ReceiverConfig rc;
  rc.serve_write = Negotiated{};
  rc.serve_write->timeout_s = 255;
  rc.serve_write->oack = {{"timeout", "255"}};
  rc.timing.retransmit = 255s;
  rc.timing.max_retransmit = 255s;
  Receiver r(sink, rc);
  Actions a = r.start(clock.now());
  std::optional<Timestamp> gave_up;
  while (auto* t = find<SetTimer>(a)) {
    if (t->at > clock.now() + 1h) break;
    Timestamp at = t->at;
    a = r.on_timer(at);
    if (find<Failed>(a)) {
      gave_up = at;
      break;
    }
  }
  ASSERT_TRUE(gave_up.has_value());
  EXPECT_EQ(*gave_up, clock.now() + 5s);
  EXPECT_FALSE(sends_anything(a));
}

TEST(TftpDeadline, SlowUploadThatKeepsMovingCompletes) {
  ManualClock clock(Timestamp{1'000'000});
  MemorySink sink;
  ReceiverConfig rc;
  rc.serve_write = Negotiated{};
  Receiver r(sink, rc);
  Actions a = r.start(clock.now());
  Bytes block = pattern(512);
  std::optional<Timestamp> timer = find<SetTimer>(a)->at;
  for (std::uint16_t b = 1; b <= 200; ++b) {
    Timestamp data_at = clock.now() + 3s;
    while (timer && *timer <= data_at) {  // the server re-sends its ACK while the client is slow
      clock.set(*timer);
      a = r.on_timer(clock.now());
      ASSERT_EQ(find<Failed>(a), nullptr) << "failed before block " << b << ": " << find<Failed>(a)->message;
      timer = find<SetTimer>(a) ? std::optional(find<SetTimer>(a)->at) : std::nullopt;
    }
    clock.set(data_at);
    a = r.on_datagram(wt::encode(wt::Data{b, block}), clock.now());
    ASSERT_EQ(find<Failed>(a), nullptr) << "failed at block " << b;
    if (auto* t = find<SetTimer>(a)) timer = t->at;
  }
  clock.advance(3s);
  a = r.on_datagram(wt::encode(wt::Data{201, ByteSpan(block.data(), 10)}), clock.now());
  ASSERT_NE(find<Finished>(a), nullptr);
  EXPECT_EQ(sink.bytes.size(), 200u * 512 + 10);
}

}  // namespace
}  // namespace pxe::proto::tftp
