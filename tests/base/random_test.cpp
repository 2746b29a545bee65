#include "base/random.h"

#include <gtest/gtest.h>

#include <set>

TEST(SeededRandom, SameSeedGivesTheSameSequence) {
  pxe::SeededRandom a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 16; ++i) {
    auto va = a.next();
    EXPECT_EQ(va, b.next());
    differs |= va != c.next();
  }
  EXPECT_TRUE(differs);
}

TEST(SeededRandom, FollowsStdMt19937) {
  // The standard fixes mt19937's 10000th output for the default seed: a test that records an
  // xid from a seed sees the same value with every standard library.
  pxe::SeededRandom r(std::mt19937::default_seed);
  std::uint32_t v = 0;
  for (int i = 0; i < 10000; ++i) v = r.next();
  EXPECT_EQ(v, 4123659995u);
}

TEST(SystemRandom, DrawsVaryingValues) {
  pxe::SystemRandom r;
  std::set<std::uint32_t> seen;
  for (int i = 0; i < 8; ++i) seen.insert(r.next());
  EXPECT_GT(seen.size(), 1u);
}
