// The lease database: SQLite in WAL mode with synchronous=FULL: every commit fdatasyncs the WAL
// before it returns, so a committed lease survives a power cut, not only a killed process. The
// server commits every batch of lease changes before it sends the replies that depend on them
// (RFC 2131 §3.1 step 4: an ACKed address must not be handed out again), so one fdatasync is
// paid per batch, not per ACK. Checkpoints (WAL -> database, with fsync) run on a background
// connection, never inside a commit.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "proto/dhcp/lease_table.h"

struct sqlite3;
struct sqlite3_stmt;

namespace pxe::server {

class WalCheckpointer;

class LeaseStore {
 public:
  ~LeaseStore();
  LeaseStore(LeaseStore&& o) noexcept;
  LeaseStore& operator=(LeaseStore&&) = delete;
  LeaseStore(const LeaseStore&) = delete;
  LeaseStore& operator=(const LeaseStore&) = delete;

  // Opens (creating the file and schema if needed). read_only: for `pxekit leases`. A file that
  // is not a sound SQLite database is an error naming it and saying how to recover.
  static Result<LeaseStore> open(const std::string& path, bool read_only = false);
  // Starts the background checkpoint thread. Separate from open() so that a server opens its
  // files before it drops privileges and starts threads only after (capabilities and
  // no-new-privs are per thread). Without it SQLite checkpoints inside commits, every 1000 pages.
  void start_checkpoints();

  Result<std::vector<proto::dhcp::Lease>> load();
  // One transaction: all changes or none.
  Result<void> apply(const std::vector<proto::dhcp::LeaseChange>& changes);

 private:
  LeaseStore() = default;
  Result<void> exec(const char* sql);
  Result<void> check_sound(const std::string& path);
  sqlite3* db_ = nullptr;
  sqlite3_stmt* upsert_ = nullptr;
  sqlite3_stmt* erase_ = nullptr;
  sqlite3_stmt* begin_ = nullptr;  // prepared once: a batch is BEGIN, N statements, COMMIT
  sqlite3_stmt* commit_ = nullptr;
  sqlite3_stmt* rollback_ = nullptr;
  Result<void> step(sqlite3_stmt* st);
  // Copies the WAL back into the database on a thread of its own, so that no commit (and no
  // reply waiting for it) pays for a checkpoint's writes and fsyncs. Null when read-only.
  std::unique_ptr<WalCheckpointer> checkpointer_;
};

}  // namespace pxe::server
