#include "proto/smb2/session_registry.h"

#include <gtest/gtest.h>

#include <set>

namespace pxe::proto::smb2 {
namespace {

class ConstantRandom final : public Random {
 public:
  std::uint32_t next() override { return value; }
  std::uint32_t value = 1;
};

class NoHost final : public ChannelHost {
 public:
  void session_ended(std::uint64_t) override {}
  void open_closed(const wire::smb2::FileId&, std::uint32_t) override {}
};

TEST(SessionRegistry, IdsAreUniqueEvenFromARandomSourceThatRepeatsItself) {
  // Found by fuzz_smb2_connection with two connections on one registry: a constant Random made
  // create() draw the taken id for ever. It now takes the next free one.
  ConstantRandom random;
  NoHost host;
  SessionRegistry reg;
  std::set<std::uint64_t> ids;
  for (int i = 0; i < 5; ++i) ids.insert(reg.create(random, host).id);
  EXPECT_EQ(ids.size(), 5u);
  EXPECT_EQ(*ids.begin(), 0x0000000100000001ull);
  // Neither 0 nor ~0 is ever an id (they mean "none" and "any" on the wire).
  random.value = 0;
  EXPECT_NE(reg.create(random, host).id, 0u);
  random.value = 0xffffffffu;
  EXPECT_NE(reg.create(random, host).id, ~0ull);
}

}  // namespace
}  // namespace pxe::proto::smb2
