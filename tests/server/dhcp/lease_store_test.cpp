// The SQLite lease store: transactions, reopening, and checkpoints kept off the commit path.
#include "server/dhcp/lease_store.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "support/test_paths.h"

namespace pxe::server {
namespace {

namespace fs = std::filesystem;
namespace pd = proto::dhcp;

class LeaseStoreTest : public ::testing::Test {
 protected:
  static pd::LeaseChange upsert(std::uint32_t n) {
    pd::LeaseChange c;
    c.lease.client_key = "mac:" + std::to_string(n);
    c.lease.mac = Mac{{0x52, 0x54, 0, static_cast<std::uint8_t>(n >> 16), static_cast<std::uint8_t>(n >> 8),
                       static_cast<std::uint8_t>(n)}};
    c.lease.ip = Ipv4(10, static_cast<std::uint8_t>(n >> 16), static_cast<std::uint8_t>(n >> 8),
                      static_cast<std::uint8_t>(n));
    c.lease.hostname = "host-" + std::to_string(n);
    c.lease.expires = Timestamp{1'700'000'000'000'000 + n};
    c.lease.state = pd::LeaseState::Bound;
    return c;
  }
  std::uintmax_t wal_size() const {
    std::error_code ec;
    auto n = fs::file_size(path_ + "-wal", ec);
    return ec ? 0 : n;
  }

  pxe::test::TempDir dir_{"pxkt-leases"};
  std::string path_ = (dir_ / "leases.db").string();
};

TEST_F(LeaseStoreTest, CommittedLeasesAreThereAfterReopening) {
  {
    auto s = LeaseStore::open(path_);
    ASSERT_TRUE(s.ok()) << s.error().what;
    ASSERT_TRUE(s->apply({upsert(1), upsert(2)}).ok());
    pd::LeaseChange del;
    del.op = pd::LeaseChange::Op::Delete;
    del.lease.client_key = "mac:1";
    ASSERT_TRUE(s->apply({del}).ok());
  }
  auto s = LeaseStore::open(path_, true);
  ASSERT_TRUE(s.ok());
  auto leases = s->load();
  ASSERT_TRUE(leases.ok());
  ASSERT_EQ(leases->size(), 1u);
  EXPECT_EQ((*leases)[0], upsert(2).lease);
}

// ip is UNIQUE: an address written for a second client replaces the first client's row (the
// engine never does this; the database keeps "one address, one client" even if it did).
TEST_F(LeaseStoreTest, OneAddressIsNeverHeldByTwoClients) {
  auto s = LeaseStore::open(path_);
  ASSERT_TRUE(s.ok());
  auto a = upsert(5), b = upsert(6);
  b.lease.ip = a.lease.ip;
  ASSERT_TRUE(s->apply({upsert(7), a, b}).ok());
  auto leases = s->load();
  ASSERT_TRUE(leases.ok());
  ASSERT_EQ(leases->size(), 2u);
  EXPECT_EQ((*leases)[0].client_key, "mac:6");
  EXPECT_EQ((*leases)[1].client_key, "mac:7");
}

// Many small transactions (one per batch, as under light load): the WAL is checkpointed back
// into the database by the background connection, so it stops growing, and what it held is in
// the database file (readable after the WAL is gone).
TEST_F(LeaseStoreTest, TheWalIsCheckpointedInTheBackground) {
  auto s = LeaseStore::open(path_);
  ASSERT_TRUE(s.ok());
  constexpr std::uint32_t kCommits = 6000;  // several times SQLite's 1000-page threshold
  for (std::uint32_t n = 1; n <= kCommits; ++n) ASSERT_TRUE(s->apply({upsert(n)}).ok());
  // Without checkpoints every commit appends at least one 4 KiB page: 6000 commits > 24 MB.
  // With them the WAL restarts from its beginning once copied back.
  bool small = false;
  for (int i = 0; i < 50 && !small; ++i) {
    ASSERT_TRUE(s->apply({upsert(kCommits + 1)}).ok());  // a writer restarts a copied-back WAL
    small = wal_size() < 12u * 1024 * 1024;
    if (!small) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(small) << "WAL is " << wal_size() << " bytes";
  auto leases = s->load();
  ASSERT_TRUE(leases.ok());
  EXPECT_EQ(leases->size(), kCommits + 1);
}

}  // namespace
}  // namespace pxe::server
