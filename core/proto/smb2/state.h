// The state of one SMB2 connection, owned in one place each: the connection owns its sessions
// and its opens; a session owns its tree connects; an open names its session and tree by id and
// goes away with them (TREE_DISCONNECT, LOGOFF, the connection closing). Handlers in commands/
// work on this state; connection.cpp owns the bytes and the timer, dispatch.cpp the compound walk.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "proto/smb2/auth.h"
#include "proto/smb2/connection.h"
#include "proto/smb2/share.h"
#include "proto/smb2/signing.h"
#include "wire/smb2/header.h"
#include "wire/smb2/negotiate.h"

namespace pxe::proto::smb2 {

// The MessageId window of [MS-SMB2] 3.3.1.1: ids [low, low + size) are granted and each may be
// used once. A request consumes `charge` consecutive ids; the window's low edge moves past every
// id used, so ids answered out of order stay consumed until the ones below them come.
class CreditWindow {
 public:
  // Whether every id in [first, first + count) is granted and unused; marks them used if so.
  bool consume(std::uint64_t first, std::uint64_t count);
  // Grants up to `n` more ids at the top of the window, keeping the window (granted ids plus
  // used ones above its low edge) within `max_window`; returns how many were granted.
  std::uint64_t grant(std::uint64_t n, std::uint64_t max_window);
  // Ids granted and not yet used: the client's credits as we count them.
  std::uint64_t available() const { return size_ - used_; }

 private:
  std::uint64_t low_ = 0;
  std::uint64_t size_ = 1;  // {0} at the start ([MS-SMB2] 3.3.5.1)
  std::uint64_t used_ = 0;  // ids inside the window already consumed
  std::deque<bool> used_ids_ = std::deque<bool>(1, false);
};

struct Tree {
  std::uint32_t id = 0;
  const ServerShare* share = nullptr;  // nullptr: IPC$
  std::string name;                    // as the client wrote it, for the log
  bool ipc() const { return share == nullptr; }
};

struct Session {
  enum class State { InProgress, Valid };
  std::uint64_t id = 0;
  State state = State::InProgress;
  std::unique_ptr<Authenticator> auth;  // during SESSION_SETUP
  Identity identity;
  std::uint16_t session_flags = 0;
  std::optional<signing::Signer> signer;  // user sessions only
  bool signing_required = false;          // every request signed, every response signed
  signing::PreauthIntegrity preauth;      // 3.1.1
  std::map<std::uint32_t, Tree> trees;
  std::uint32_t next_tree_id = 1;
};

struct LockRange {
  std::uint64_t offset = 0, length = 0;
  bool exclusive = false;
};

struct Open {
  wire::smb2::FileId id;
  std::uint64_t session_id = 0;
  std::uint32_t tree_id = 0;
  std::string path;         // share path ("" = root)
  std::string client_name;  // as the client asked, for the log
  std::string share_name;
  FileMeta meta;
  std::shared_ptr<ShareFile> file;  // regular files
  std::uint32_t granted_access = 0;
  std::uint32_t create_options = 0;
  // QUERY_DIRECTORY: the listing captured by the first query (or REOPEN) with its pattern,
  // "." and ".." included; `cursor` is the next entry to return.
  std::optional<std::vector<DirEntry>> listing;
  std::string pattern;
  std::size_t cursor = 0;
  std::vector<LockRange> locks;
  std::uint64_t bytes_read = 0;
  std::size_t memory() const;
};

// A request waiting for an event that never comes on a read-only share (CHANGE_NOTIFY): its
// interim STATUS_PENDING went out, CANCEL or CLOSE (or LOGOFF, TREE_DISCONNECT) completes it.
struct PendingAsync {
  std::uint64_t async_id = 0;
  std::uint64_t message_id = 0;
  std::uint16_t command = 0;
  std::uint16_t credit_charge = 0;
  std::uint64_t session_id = 0;
  std::uint32_t tree_id = 0;
  wire::smb2::FileId file_id;
  bool sign = false;  // the final response is signed (its session signs the request's way)
};

struct ConnState {
  ServerContext* ctx = nullptr;
  std::uint64_t filetime_now = 0;  // the current request's wall time (FILETIME)

  enum class Phase { Initial, AfterWildcard, Negotiated } phase = Phase::Initial;
  std::uint16_t dialect = 0;
  std::uint16_t client_security_mode = 0;
  std::uint32_t client_capabilities = 0;
  std::array<std::uint8_t, 16> client_guid{};
  std::vector<std::uint16_t> client_dialects;
  std::uint16_t server_security_mode = 0;
  signing::Algorithm signing_algorithm_311 = signing::Algorithm::AesCmac;
  signing::PreauthIntegrity preauth;  // 3.1.1 connection hash
  bool large_mtu() const { return dialect != 0 && dialect != wire::smb2::dialect::k202; }

  CreditWindow credits;
  std::map<std::uint64_t, Session> sessions;
  std::map<std::uint64_t, Open> opens;  // by volatile id
  std::vector<PendingAsync> pending;
  std::uint64_t next_async_id = 1;
  std::uint64_t next_volatile_id = 1;

  Session* session(std::uint64_t id);
  // Closes what hangs off a tree / a session (opens, pending notifies: their completions go to
  // `out` as whole NBSS messages).
  void close_open(std::uint64_t volatile_id, std::uint32_t notify_status, Actions& out);
  void drop_tree(Session& s, std::uint32_t tree_id, Actions& out);
  void drop_session(std::uint64_t session_id, Actions& out);
  // Completes a pending async request with an error status (CANCELLED, NOTIFY_CLEANUP):
  // a final async response with CreditResponse 0, signed when its session signs.
  void complete_pending(const PendingAsync& p, std::uint32_t status, Actions& out);
};

// The capabilities we announce: LARGE_MTU only (reference section 0).
inline constexpr std::uint32_t kServerCapabilities = wire::smb2::capability::kLargeMtu;

// Appends an action (out of line: GCC 12 warns about variants moved into push_back inline).
void emit(Actions& out, Action action);

}  // namespace pxe::proto::smb2
