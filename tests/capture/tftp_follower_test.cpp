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
