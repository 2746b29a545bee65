// NetasciiSource: netascii converted while the Sender reads, checked byte for byte against the
// whole-buffer definition (to_netascii), with reads that cut CR LF pairs, go backwards, and
// a file larger than the 64 MiB the old whole-file conversion refused.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "link_harness.h"
#include "proto/tftp/file_source.h"
#include "proto/tftp/negotiation.h"
#include "proto/tftp/sender.h"

namespace pxe::proto::tftp {
namespace {

namespace wt = wire::tftp;

// Text with many CR, LF, CR LF and NUL bytes, so pairs fall on every kind of boundary.
Bytes texty(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  static constexpr std::uint8_t kAlphabet[] = {'a', 'b', '\r', '\n', '\0', 'z'};
  Bytes b(n);
  for (auto& c : b) c = kAlphabet[rng() % sizeof kAlphabet];
  return b;
}

// Reads the whole converted file in `chunk`-byte reads from offset 0.
Bytes read_all(FileSource& src, std::size_t chunk) {
  Bytes out, buf(chunk);
  for (;;) {
    auto n = src.read(out.size(), buf);
    EXPECT_TRUE(n.ok());
    if (!n || *n == 0) break;
    out.insert(out.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
    if (*n < chunk) break;
  }
  return out;
}

// A FileSource that counts what is read from it (to show re-reads are not rescans).
class CountingSource final : public FileSource {
 public:
  explicit CountingSource(Bytes data) : mem_(std::move(data)) {}
  std::optional<std::uint64_t> size() const override { return mem_.size(); }
  Result<std::size_t> read(std::uint64_t offset, std::span<std::uint8_t> dst) override {
    auto n = mem_.read(offset, dst);
    if (n) bytes_read += *n;
    return n;
  }
  std::uint64_t bytes_read = 0;

 private:
  MemorySource mem_;
};

// A file that is never in memory: byte i is a function of i, with a CR or LF every few bytes.
class VirtualSource final : public FileSource {
 public:
  VirtualSource(std::uint64_t size, std::uint64_t& bytes_read) : size_(size), bytes_read_(bytes_read) {}
  static std::uint8_t at(std::uint64_t i) {
    std::uint64_t h = (i * 0x9E3779B97F4A7C15ull) >> 58;  // 0..63
    return h == 0 ? '\n' : h == 1 ? '\r' : static_cast<std::uint8_t>('A' + (i % 26));
  }
  std::optional<std::uint64_t> size() const override { return size_; }
  Result<std::size_t> read(std::uint64_t offset, std::span<std::uint8_t> dst) override {
    if (offset >= size_) return std::size_t{0};
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(dst.size(), size_ - offset));
    for (std::size_t k = 0; k < n; ++k) dst[k] = at(offset + k);
    bytes_read_ += n;
    return n;
  }

 private:
  std::uint64_t size_;
  std::uint64_t& bytes_read_;
};

std::unique_ptr<FileSource> memory(Bytes b) { return std::make_unique<MemorySource>(std::move(b)); }

TEST(TftpNetasciiSource, MatchesTheWholeBufferConversionForManyFilesAndReadSizes) {
  for (std::uint32_t seed = 0; seed < 40; ++seed) {
    Bytes raw = texty(seed * 97, seed);
    Bytes want = to_netascii(raw);
    for (std::size_t chunk : {1u, 2u, 3u, 7u, 512u, 1468u, 65536u}) {
      NetasciiSource src(memory(raw));
      ASSERT_EQ(read_all(src, chunk), want) << "seed " << seed << " chunk " << chunk;
    }
  }
}

TEST(TftpNetasciiSource, CrLfAcrossTheRawBufferBoundaryIsConverted) {
  // CR and LF right at, before and after the 64 KiB read-buffer boundary, in every combination.
  const std::size_t edge = NetasciiSource::kBufferBytes;
  for (std::size_t at : {edge - 2, edge - 1, edge, edge + 1}) {
    for (std::string pair : {"\r\n", "\r\r", "\n\r", "\n\n", "\r"}) {
      Bytes raw(edge * 2 + 17, 'x');
      std::copy(pair.begin(), pair.end(), raw.begin() + static_cast<std::ptrdiff_t>(at));
      NetasciiSource src(memory(raw));
      EXPECT_EQ(read_all(src, 512), to_netascii(raw)) << "at " << at;
    }
  }
}

TEST(TftpNetasciiSource, AReadThatEndsInsideACrPairGivesTheSecondByteNext) {
  NetasciiSource src(memory(Bytes{'a', '\n', 'b', '\r', 'c'}));
  Bytes one(2), rest(10);
  ASSERT_EQ(*src.read(0, one), 2u);
  EXPECT_EQ(one, (Bytes{'a', '\r'}));
  ASSERT_EQ(*src.read(2, rest), 5u);
  rest.resize(5);
  EXPECT_EQ(rest, (Bytes{'\n', 'b', '\r', '\0', 'c'}));
}

TEST(TftpNetasciiSource, ReadsAtAnyOffsetInAnyOrderMatch) {
  Bytes raw = texty(300'000, 7);
  Bytes want = to_netascii(raw);
  // Small checkpoint spacing so that thinning happens too.
  NetasciiSource src(memory(raw), 4096);
  std::mt19937 rng(11);
  Bytes buf(5000);
  for (int i = 0; i < 400; ++i) {
    std::uint64_t off = rng() % (want.size() + 100);
    std::size_t len = 1 + rng() % buf.size();
    auto n = src.read(off, std::span(buf.data(), len));
    ASSERT_TRUE(n.ok());
    std::size_t expect = off >= want.size() ? 0 : std::min<std::size_t>(len, want.size() - off);
    ASSERT_EQ(*n, expect) << "read " << i << " at " << off;
    ASSERT_TRUE(std::equal(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(expect),
                           want.begin() + static_cast<std::ptrdiff_t>(std::min<std::uint64_t>(off, want.size()))))
        << "read " << i << " at " << off;
  }
}

TEST(TftpNetasciiSource, BackwardsReadsDoNotRescanFromTheStart) {
  constexpr std::size_t kRaw = 16u << 20, kChunk = 256 * 1024;
  auto counting = std::make_unique<CountingSource>(texty(kRaw, 3));
  CountingSource* inner = counting.get();
  NetasciiSource src(std::move(counting));
  Bytes buf(kChunk);
  std::uint64_t total = 0;
  for (;;) {
    auto n = src.read(total, buf);
    ASSERT_TRUE(n.ok());
    total += *n;
    if (*n < kChunk) break;
  }
  // Every chunk again, last first: each rescan starts at a checkpoint near it. Rescanning from
  // byte 0 instead reads the file about 40 times over (85 chunks, half the file each).
  for (std::uint64_t off = total - total % kChunk; off + kChunk > kChunk; off -= kChunk)
    ASSERT_TRUE(src.read(off, buf).ok());
  ASSERT_TRUE(src.read(0, buf).ok());
  EXPECT_LT(inner->bytes_read, 4 * kRaw);
}

TEST(TftpNetasciiSource, RetransmittedWindowsAreByteExactThroughTheSender) {
  Bytes raw = texty(200'000, 5);
  NetasciiSource source(memory(raw));
  std::vector<wt::Option> asked{{"blksize", "1000"}, {"windowsize", "8"}};
  Negotiated neg = negotiate(wt::Request{false, "menu.txt", "netascii", asked}, {}, std::nullopt);
  Sender sender(source, neg, Timing{});
  MemorySink sink;
  ReceiverConfig rc;
  rc.filename = "menu.txt";
  rc.mode = "netascii";
  rc.options = asked;
  Receiver receiver(sink, rc);
  test::LinkHarness link(sender, receiver);
  // Lose every 37th DATA once: windows are sent again from the last acknowledged block.
  link.drop_if([](const test::Wire& w, std::size_t i) { return test::is_op(w, wt::Opcode::Data) && i % 37 == 0; });
  link.run();
  ASSERT_TRUE(link.server_result() && std::holds_alternative<Finished>(*link.server_result()));
  EXPECT_GT(sender.retransmissions(), 0u);
  EXPECT_EQ(sink.bytes, to_netascii(raw));
}

TEST(TftpNetasciiSource, ServesAFileLargerThanTheOld64MiBCapInBoundedMemory) {
  constexpr std::uint64_t kRaw = (64u << 20) + 12345;
  std::uint64_t raw_read = 0;
  NetasciiSource source(std::make_unique<VirtualSource>(kRaw, raw_read));
  Negotiated neg = negotiate(wt::Request{false, "big.txt", "netascii", {{"blksize", "1468"}, {"windowsize", "16"}}},
                             {}, std::nullopt);
  ASSERT_EQ(neg.blksize, 1468u);
  Sender sender(source, neg, Timing{});
  // The client: acknowledges the last block of every window and hashes what it got.
  std::uint64_t got = 0, hash = 0xcbf29ce484222325ull;
  auto eat = [&](std::uint8_t c) { hash = (hash ^ c) * 0x100000001b3ull; ++got; };
  Timestamp now{1'000'000};
  Actions out;
  sender.start(now, out);
  std::uint16_t ack = 0;
  bool finished = false;
  for (int rounds = 0; !finished && rounds < 10'000'000; ++rounds) {
    for (const auto& a : out) {
      if (const auto* d = std::get_if<SendData>(&a)) {
        ack = static_cast<std::uint16_t>(d->header[2] << 8 | d->header[3]);
        for (std::uint8_t c : d->payload) eat(c);
      }
      finished = finished || std::holds_alternative<Finished>(a);
      ASSERT_FALSE(std::holds_alternative<Failed>(a)) << std::get<Failed>(a).message;
    }
    if (finished) break;
    sender.on_datagram(wt::encode(wt::Ack{ack}), now, out);
  }
  ASSERT_TRUE(finished);
  std::uint64_t want_len = 0, want_hash = 0xcbf29ce484222325ull;
  auto want = [&](std::uint8_t c) { want_hash = (want_hash ^ c) * 0x100000001b3ull; ++want_len; };
  for (std::uint64_t i = 0; i < kRaw; ++i) {
    std::uint8_t c = VirtualSource::at(i);
    if (c == '\n') want('\r'), want('\n');
    else if (c == '\r') want('\r'), want('\0');
    else want(c);
  }
  EXPECT_GT(want_len, kRaw);
  EXPECT_EQ(got, want_len);
  EXPECT_EQ(hash, want_hash);
  EXPECT_LT(source.memory_bytes(), 256u * 1024);
  // Windows that overlap the Sender's last chunk are re-read from a position near them.
  EXPECT_LT(raw_read, kRaw + kRaw / 4);
}

}  // namespace
}  // namespace pxe::proto::tftp
