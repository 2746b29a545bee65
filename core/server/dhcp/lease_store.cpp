#include "server/dhcp/lease_store.h"

#include <sqlite3.h>

namespace pxe::server {

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

std::string col_text(sqlite3_stmt* st, int i) {
  auto* p = sqlite3_column_text(st, i);
  return p ? reinterpret_cast<const char*>(p) : "";
}

}  // namespace

LeaseStore::~LeaseStore() {
  for (auto* st : {upsert_, erase_, begin_, commit_, rollback_}) sqlite3_finalize(st);
  if (db_) sqlite3_close(db_);
}

LeaseStore::LeaseStore(LeaseStore&& o) noexcept
    : db_(o.db_), upsert_(o.upsert_), erase_(o.erase_), begin_(o.begin_), commit_(o.commit_), rollback_(o.rollback_) {
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
  // WAL + NORMAL: a commit is in the WAL file before sqlite3_step returns, so a killed process
  // loses nothing; only a power loss may lose the last transactions.
  for (const char* sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", kSchema})
    if (auto r = s.exec(sql); !r) return r.error();
  if (sqlite3_prepare_v2(s.db_,
                         "INSERT OR REPLACE INTO leases(client_key, mac, ip, hostname, expires_us, state) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                         -1, &s.upsert_, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(s.db_, "DELETE FROM leases WHERE client_key = ?1", -1, &s.erase_, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(s.db_, "BEGIN IMMEDIATE", -1, &s.begin_, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(s.db_, "COMMIT", -1, &s.commit_, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(s.db_, "ROLLBACK", -1, &s.rollback_, nullptr) != SQLITE_OK)
    return make_error(std::string("lease database: ") + sqlite3_errmsg(s.db_));
  return s;
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
