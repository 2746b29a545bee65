#include "server/dhcp/lease_store.h"

#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace pxe::server {

// A second connection to the same file that runs PASSIVE checkpoints (they never block the
// writer): when the writer's WAL hook reports kWakeFrames pages, and every second anyway. The
// WAL can only start over from its beginning once every frame is copied back, which under a
// steady stream of commits a concurrent checkpoint never quite reaches; so at kInlineFrames the
// writer checkpoints itself, copying only what the background has not (then the next
// transaction restarts the WAL, cut back to kWalKeepBytes).
class WalCheckpointer {
 public:
  static constexpr int kWakeFrames = 1000;     // SQLite's own auto-checkpoint threshold
  static constexpr int kInlineFrames = 10000;  // ~40 MB of WAL at 4 KiB pages
  static constexpr const char* kWalKeepBytes = "PRAGMA journal_size_limit=8388608";

  static std::unique_ptr<WalCheckpointer> open(const std::string& path) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      sqlite3_close(db);
      return nullptr;
    }
    // A connection that has not read the file yet does not know it is in WAL mode, and its
    // checkpoints would do nothing: read the journal mode first.
    if (sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr) != SQLITE_OK) {
      sqlite3_close(db);
      return nullptr;
    }
    sqlite3_busy_timeout(db, 0);
    return std::unique_ptr<WalCheckpointer>(new WalCheckpointer(db));
  }
  ~WalCheckpointer() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
    sqlite3_close(db_);
  }
  void start() {
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
  }
  // sqlite3_wal_hook callback on the writer's connection, after each commit.
  static int on_commit(void* self, sqlite3* writer, const char* db_name, int frames) {
    auto* c = static_cast<WalCheckpointer*>(self);
    if (frames >= kInlineFrames) {
      sqlite3_wal_checkpoint_v2(writer, db_name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    } else if (frames >= kWakeFrames) {
      {
        std::lock_guard lock(c->mu_);
        if (c->wanted_) return SQLITE_OK;  // already asked: no wake-up per commit
        c->wanted_ = true;
      }
      c->cv_.notify_one();
    }
    return SQLITE_OK;
  }

 private:
  explicit WalCheckpointer(sqlite3* db) : db_(db) {}
  void run() {
    std::unique_lock lock(mu_);
    while (!stop_) {
      cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_ || wanted_; });
      if (stop_) break;
      wanted_ = false;
      lock.unlock();
      sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      lock.lock();
    }
  }

  sqlite3* db_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false, wanted_ = false;
  std::thread thread_;
};

namespace pd = proto::dhcp;

namespace {

// One row per binding; ip is UNIQUE so the database itself refuses one address for two clients.
// WITHOUT ROWID: the rows live in the client_key b-tree itself, so a change updates two b-trees
// (rows, ip index) instead of three. Files made before keep their rowid table; both work.
constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS leases ("
    " client_key TEXT PRIMARY KEY,"
    " mac TEXT NOT NULL,"
    " ip TEXT NOT NULL UNIQUE,"
    " hostname TEXT NOT NULL DEFAULT '',"
    " expires_us INTEGER NOT NULL,"
    " state TEXT NOT NULL) WITHOUT ROWID";

pd::LeaseState state_from(std::string_view s) {
  if (s == "bound") return pd::LeaseState::Bound;
  if (s == "released") return pd::LeaseState::Released;
  if (s == "declined") return pd::LeaseState::Declined;
  return pd::LeaseState::Offered;
}

// What an admin must read when the file at start is not a database we can use: which file, and
// that moving it aside is safe (clients ask for their addresses again, RFC 2131 §3.2 INIT-REBOOT,
// and an answered ping check or a DECLINE catches an address still in use).
std::string damaged(const std::string& path, const std::string& what) {
  return "lease database " + path + " is damaged or not a SQLite database (" + what +
         "); to recover, stop pxekit, move it aside (mv " + path + " " + path +
         ".bad, with its -wal and -shm files) and start again: clients re-request their addresses";
}

bool is_damage(int rc) {
  rc &= 0xff;  // primary result code
  return rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB;
}

std::string col_text(sqlite3_stmt* st, int i) {
  auto* p = sqlite3_column_text(st, i);
  return p ? reinterpret_cast<const char*>(p) : "";
}

}  // namespace

LeaseStore::~LeaseStore() {
  if (db_ && checkpointer_) sqlite3_wal_hook(db_, nullptr, nullptr);  // the hook points at it
  checkpointer_.reset();  // before the writer closes (its close checkpoints what is left)
  for (auto* st : {upsert_, erase_, begin_, commit_, rollback_}) sqlite3_finalize(st);
  if (db_) sqlite3_close(db_);
}

LeaseStore::LeaseStore(LeaseStore&& o) noexcept
    : db_(o.db_),
      upsert_(o.upsert_),
      erase_(o.erase_),
      begin_(o.begin_),
      commit_(o.commit_),
      rollback_(o.rollback_),
      checkpointer_(std::move(o.checkpointer_)) {
  o.db_ = nullptr;
  o.upsert_ = o.erase_ = o.begin_ = o.commit_ = o.rollback_ = nullptr;
}

Result<void> LeaseStore::step(sqlite3_stmt* st) {
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc != SQLITE_DONE) return make_error(std::string("lease database: ") + sqlite3_errmsg(db_));
  return {};
}

Result<void> LeaseStore::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string what = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    return make_error(std::string("lease database: ") + what + " (" + sql + ")");
  }
  return {};
}

Result<LeaseStore> LeaseStore::open(const std::string& path, bool read_only) {
  LeaseStore s;
  int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (sqlite3_open_v2(path.c_str(), &s.db_, flags, nullptr) != SQLITE_OK)
    return make_error("lease database " + path + ": " + (s.db_ ? sqlite3_errmsg(s.db_) : "cannot open"));
  sqlite3_busy_timeout(s.db_, 2000);
  if (read_only) return s;
  // WAL + FULL: a commit is in the WAL file and fdatasync'ed before sqlite3_step returns, so
  // neither a killed process nor a power cut loses an acknowledged lease. (NORMAL synced the WAL
  // only at checkpoints, ~0.5 s later.) quick_check reads every page once: a damaged file is
  // found at start, with a way out, not at the first commit under load.
  for (const char* sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", kSchema})
    if (auto r = s.exec(sql); !r) {
      if (is_damage(sqlite3_extended_errcode(s.db_))) return make_error(damaged(path, sqlite3_errmsg(s.db_)));
      return r.error();
    }
  if (auto r = s.check_sound(path); !r) return r.error();
  if (sqlite3_prepare_v2(s.db_,
                         "INSERT OR REPLACE INTO leases(client_key, mac, ip, hostname, expires_us, state) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                         -1, &s.upsert_, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(s.db_, "DELETE FROM leases WHERE client_key = ?1", -1, &s.erase_, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(s.db_, "BEGIN IMMEDIATE", -1, &s.begin_, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(s.db_, "COMMIT", -1, &s.commit_, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(s.db_, "ROLLBACK", -1, &s.rollback_, nullptr) != SQLITE_OK)
    return make_error(std::string("lease database: ") + sqlite3_errmsg(s.db_));
  // Checkpoints off the commit path (once start_checkpoints() runs); without a second
  // connection SQLite's automatic checkpoint (inside a commit every 1000 pages) stays on.
  if ((s.checkpointer_ = WalCheckpointer::open(path))) {
    sqlite3_wal_hook(s.db_, &WalCheckpointer::on_commit, s.checkpointer_.get());
    if (auto r = s.exec(WalCheckpointer::kWalKeepBytes); !r) return r.error();
  }
  return s;
}

// PRAGMA quick_check answers rows ("ok", or what is wrong) rather than failing.
Result<void> LeaseStore::check_sound(const std::string& path) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, "PRAGMA quick_check(1)", -1, &st, nullptr) != SQLITE_OK)
    return make_error(damaged(path, sqlite3_errmsg(db_)));
  int rc = sqlite3_step(st);
  std::string verdict = rc == SQLITE_ROW ? col_text(st, 0) : sqlite3_errmsg(db_);
  sqlite3_finalize(st);
  if (verdict != "ok") return make_error(damaged(path, verdict));
  return {};
}

void LeaseStore::start_checkpoints() {
  if (checkpointer_) checkpointer_->start();
}

Result<std::vector<pd::Lease>> LeaseStore::load() {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT client_key, mac, ip, hostname, expires_us, state FROM leases ORDER BY ip",
                         -1, &st, nullptr) != SQLITE_OK)
    return make_error(std::string("lease database: ") + sqlite3_errmsg(db_));
  std::vector<pd::Lease> out;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    pd::Lease l;
    l.client_key = col_text(st, 0);
    l.mac = Mac::parse(col_text(st, 1)).value_or(Mac{});
    l.ip = Ipv4::parse(col_text(st, 2)).value_or(Ipv4{});
    l.hostname = col_text(st, 3);
    l.expires = Timestamp{sqlite3_column_int64(st, 4)};
    l.state = state_from(col_text(st, 5));
    out.push_back(l);
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return make_error(std::string("lease database: ") + sqlite3_errmsg(db_));
  return out;
}

Result<void> LeaseStore::apply(const std::vector<pd::LeaseChange>& changes) {
  if (changes.empty()) return {};
  if (auto r = step(begin_); !r) return r;
  for (const auto& c : changes) {
    sqlite3_stmt* st = c.op == pd::LeaseChange::Op::Upsert ? upsert_ : erase_;
    sqlite3_bind_text(st, 1, c.lease.client_key.c_str(), -1, SQLITE_TRANSIENT);
    if (c.op == pd::LeaseChange::Op::Upsert) {
      sqlite3_bind_text(st, 2, c.lease.mac.str().c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(st, 3, c.lease.ip.str().c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(st, 4, c.lease.hostname.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(st, 5, c.lease.expires.us);
      sqlite3_bind_text(st, 6, std::string(pd::lease_state_name(c.lease.state)).c_str(), -1, SQLITE_TRANSIENT);
    }
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE) {
      std::string what = sqlite3_errmsg(db_);
      (void)step(rollback_);
      return make_error("lease database: " + what);
    }
  }
  if (auto r = step(commit_); !r) {
    (void)step(rollback_);
    return r;
  }
  return {};
}

}  // namespace pxe::server
