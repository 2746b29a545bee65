// The SQLite lease store: transactions, reopening, and checkpoints kept off the commit path.
#include "server/dhcp/lease_store.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "fault_vfs.h"
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
  s->start_checkpoints();
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

// RFC 2131 §3.1 step 4: the server must not hand out an ACKed address again, so the ACK may only
// go out once its lease survives a power cut: apply() returns after the WAL is fdatasync'ed.
TEST_F(LeaseStoreTest, EveryCommitIsSyncedToStableStorageBeforeApplyReturns) {
  test::FaultVfs::install();
  auto s = LeaseStore::open(path_);
  ASSERT_TRUE(s.ok()) << s.error().what;
  for (std::uint32_t n = 1; n <= 3; ++n) {
    int before = test::FaultVfs::wal_syncs.load();
    ASSERT_TRUE(s->apply({upsert(n)}).ok());
    EXPECT_GE(test::FaultVfs::wal_syncs.load(), before + 1) << "commit " << n << " returned before any WAL sync";
  }
}

// A full disk fails the batch as a whole (nothing half-written), and the same store commits
// again, without a restart, once there is room.
TEST_F(LeaseStoreTest, AFullDiskFailsTheBatchAndTheStoreRecoversWhenThereIsRoom) {
  test::FaultVfs::install();
  auto s = LeaseStore::open(path_);
  ASSERT_TRUE(s.ok()) << s.error().what;
  ASSERT_TRUE(s->apply({upsert(1)}).ok());
  test::FaultVfs::disk_full = true;
  auto failed = s->apply({upsert(2), upsert(3)});
  auto failed_again = s->apply({upsert(4)});
  test::FaultVfs::disk_full = false;
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().what.find("full"), std::string::npos) << failed.error().what;
  EXPECT_FALSE(failed_again.ok());
  ASSERT_TRUE(s->apply({upsert(5)}).ok());
  auto leases = s->load();
  ASSERT_TRUE(leases.ok());
  ASSERT_EQ(leases->size(), 2u);
  EXPECT_EQ((*leases)[0].client_key, "mac:1");
  EXPECT_EQ((*leases)[1].client_key, "mac:5");
}

// A damaged file at start: the error names the file and the way out, instead of a bare
// "file is not a database" (or a failure at the first commit under load).
TEST_F(LeaseStoreTest, ADamagedFileIsAnErrorNamingItAndHowToRecover) {
  std::ofstream(path_) << std::string(8192, 'x');
  auto s = LeaseStore::open(path_);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().what.find(path_), std::string::npos) << s.error().what;
  EXPECT_NE(s.error().what.find("move it aside"), std::string::npos) << s.error().what;
  EXPECT_NE(s.error().what.find("re-request"), std::string::npos) << s.error().what;
}

// A database whose header is sound but whose pages are not (a torn write on a disk without
// barriers): found at open by quick_check, with the same advice.
TEST_F(LeaseStoreTest, ADatabaseWithDamagedPagesIsFoundAtOpen) {
  {
    auto s = LeaseStore::open(path_);
    ASSERT_TRUE(s.ok());
    std::vector<pd::LeaseChange> many;
    for (std::uint32_t n = 1; n <= 2000; ++n) many.push_back(upsert(n));
    ASSERT_TRUE(s->apply(many).ok());
  }
  ASSERT_FALSE(fs::exists(path_ + "-wal"));  // all in the main file
  {
    std::fstream f(path_, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(3 * 4096 + 8);  // inside a b-tree page, past its header
    std::string junk(2048, '\xff');
    f.write(junk.data(), std::streamsize(junk.size()));
  }
  auto s = LeaseStore::open(path_);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().what.find(path_), std::string::npos) << s.error().what;
  EXPECT_NE(s.error().what.find("move it aside"), std::string::npos) << s.error().what;
}

}  // namespace
}  // namespace pxe::server
