// The TFTP transfer-port follower's table: bounded, least recently seen forgotten first, and
// eviction work bounded by the transfers ever added.
#include "capture/tftp_follower.h"

#include <gtest/gtest.h>

using namespace pxe;
using namespace pxe::capture;

namespace {
constexpr std::uint32_t kServer = 2;
Timestamp at_s(std::int64_t s) { return Timestamp{s * 1'000'000}; }
}  // namespace

TEST(TftpFollower, FollowsBothDirectionsOfATransfer) {
  TftpFollower f;
  f.on_request(1, 2070, kServer, at_s(0));
  EXPECT_TRUE(f.matches(kServer, 40000, 1, 2070, at_s(1)));   // DATA to the client's port
  EXPECT_TRUE(f.matches(1, 2070, kServer, 40000, at_s(1)));   // ACK from it
  EXPECT_FALSE(f.matches(3, 40000, 1, 2070, at_s(1)));        // another server
  EXPECT_FALSE(f.matches(kServer, 40000, 1, 2071, at_s(1)));  // another client port
}

TEST(TftpFollower, WhenFullOfLiveTransfersForgetsOnlyTheOneSeenLongestAgo) {
  TftpFollower f(4, std::chrono::seconds(300));
  for (std::uint16_t p = 1; p <= 4; ++p) f.on_request(1, p, kServer, at_s(p));
  EXPECT_TRUE(f.matches(kServer, 9, 1, 1, at_s(5)));  // port 1 is active again: port 2 is now oldest
  f.on_request(1, 5, kServer, at_s(6));
  EXPECT_EQ(f.size(), 4u);
  EXPECT_FALSE(f.matches(kServer, 9, 1, 2, at_s(7)));
  for (std::uint16_t p : {1, 3, 4, 5}) EXPECT_TRUE(f.matches(kServer, 9, 1, p, at_s(7))) << p;
}

TEST(TftpFollower, ARepeatedRequestUpdatesItsTransferWithoutEvicting) {
  TftpFollower f(2, std::chrono::seconds(300));
  f.on_request(1, 1, kServer, at_s(0));
  f.on_request(1, 2, kServer, at_s(1));
  f.on_request(1, 1, 3, at_s(2));  // same client port, to another server
  EXPECT_EQ(f.size(), 2u);
  EXPECT_TRUE(f.matches(3, 9, 1, 1, at_s(3)));
  EXPECT_TRUE(f.matches(kServer, 9, 1, 2, at_s(3)));
  EXPECT_EQ(f.eviction_steps(), 0u);
}

// A capture crafted so that each new request finds the table full with exactly one expired
// transfer (one request per millisecond, expiry just under 65,536 ms): a scan of the whole table
// per request would be 100,000 x 65,536 steps.
TEST(TftpFollower, EvictionIsAmortisedConstantOnAHundredThousandFlows) {
  constexpr std::size_t kCapacity = 65536;
  TftpFollower f(kCapacity, Duration(65'535'500));
  std::uint64_t added = 0;
  for (std::uint32_t i = 0; i < 100'000 + kCapacity; ++i) {
    f.on_request(0x0a000000 + (i >> 16), std::uint16_t(i), kServer, Timestamp{std::int64_t(i) * 1000});
    ++added;
    ASSERT_LE(f.size(), kCapacity);
  }
  EXPECT_EQ(f.size(), kCapacity);
  // The newest transfer and the one just before the expiry are both still followed.
  std::uint32_t last = 100'000 + kCapacity - 1;
  EXPECT_TRUE(f.matches(kServer, 9, 0x0a000000 + (last >> 16), std::uint16_t(last), Timestamp{std::int64_t(last) * 1000}));
  EXPECT_LE(f.eviction_steps(), added) << "eviction looks at entries more than once";
}

TEST(TftpFollower, KeepsTheBlockSizeAnOackNegotiatedUntilTheNextRequest) {
  TftpFollower f;
  EXPECT_EQ(f.block_size(kServer, 40000, 1, 2070), 0);  // not a followed transfer
  f.on_request(1, 2070, kServer, at_s(0));
  EXPECT_EQ(f.block_size(kServer, 40000, 1, 2070), 512);
  f.set_block_size(kServer, 40000, 1, 2070, 1468);
  EXPECT_EQ(f.block_size(kServer, 40000, 1, 2070), 1468);
  EXPECT_EQ(f.block_size(1, 2070, kServer, 40000), 1468);  // the client's direction too
  f.on_request(1, 2070, kServer, at_s(1));
  EXPECT_EQ(f.block_size(kServer, 40000, 1, 2070), 512);
}

namespace {
// DATA datagrams `first`.. of blksize bytes each, the last one `last` bytes, back to back.
Bytes data_run(std::uint16_t first, int n, std::size_t blksize, std::size_t last) {
  Bytes b;
  for (int i = 0; i < n; ++i) {
    std::uint16_t block = std::uint16_t(first + i);
    b.insert(b.end(), {0, 3, std::uint8_t(block >> 8), std::uint8_t(block)});
    b.insert(b.end(), i + 1 == n ? last : blksize, std::uint8_t('a' + i));
  }
  return b;
}
}  // namespace

TEST(SplitTftpGso, SplitsAPayloadOfConsecutiveBlocksIntoItsDatagrams) {
  std::vector<ByteSpan> out;
  Bytes b = data_run(7, 4, 16, 5);
  ASSERT_TRUE(split_tftp_gso(b, 16, out));
  ASSERT_EQ(out.size(), 4u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(out[i].size(), 20u);
    EXPECT_EQ(out[i][3], 7 + i);
  }
  EXPECT_EQ(out[3].size(), 9u);
  EXPECT_EQ(out[3][4], 'd');
  // Every block full: the last one is a whole block too.
  Bytes full = data_run(1, 3, 16, 16);
  ASSERT_TRUE(split_tftp_gso(full, 16, out));
  EXPECT_EQ(out.size(), 3u);
  // An empty last DATA (the file a multiple of blksize) is its 4-byte header.
  Bytes empty_last = data_run(1, 3, 16, 0);
  ASSERT_TRUE(split_tftp_gso(empty_last, 16, out));
  EXPECT_EQ(out.back().size(), 4u);
}

TEST(SplitTftpGso, BlockNumbersWrapAfter65535) {
  std::vector<ByteSpan> out;
  Bytes b = data_run(65534, 3, 8, 8);
  ASSERT_TRUE(split_tftp_gso(b, 8, out));
  EXPECT_EQ(out[2][2], 0);
  EXPECT_EQ(out[2][3], 0);
}

TEST(SplitTftpGso, LeavesAnythingElseWhole) {
  std::vector<ByteSpan> out;
  // One block's worth (or less) is a plain DATA.
  EXPECT_FALSE(split_tftp_gso(data_run(1, 1, 16, 16), 16, out));
  // Block numbers not consecutive.
  Bytes gap = data_run(1, 3, 16, 16);
  gap[20 + 3] = 9;
  EXPECT_FALSE(split_tftp_gso(gap, 16, out));
  EXPECT_TRUE(out.empty());
  // A second datagram that is not DATA.
  Bytes ack = data_run(1, 2, 16, 16);
  ack[21] = 4;
  EXPECT_FALSE(split_tftp_gso(ack, 16, out));
  // Another block size than the transfer's: no split at the wrong places.
  EXPECT_FALSE(split_tftp_gso(data_run(1, 3, 16, 16), 24, out));
  // A tail shorter than a DATA header.
  Bytes tail = data_run(1, 2, 16, 16);
  tail.insert(tail.end(), {0, 3});
  EXPECT_FALSE(split_tftp_gso(tail, 16, out));
  // Not a block size at all.
  EXPECT_FALSE(split_tftp_gso(data_run(1, 3, 16, 16), 0, out));
  // Too short to hold a header.
  EXPECT_FALSE(split_tftp_gso(Bytes{0, 3}, 16, out));
}
