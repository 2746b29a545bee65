// The state of one SMB2 connection. Sessions (with their tree connects) and opens are the
// server's (session_registry.h): the connection holds a channel of each session it set up or
// bound, and its own requests pending (CHANGE_NOTIFY) and SESSION_SETUP bindings in progress. An
// open names its session and tree by id and goes away with them (CLOSE, TREE_DISCONNECT, LOGOFF on
// any channel, the session's last channel closing). Handlers in commands/ work on this state;
// connection.cpp owns the bytes and the timer, dispatch.cpp the compound walk.
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

// A SESSION_SETUP binding this connection to an existing session, until it succeeds or fails
// ([MS-SMB2] 3.3.5.5.2; Connection.PreauthSessionTable for 3.1.1).
struct Binding {
  std::unique_ptr<Authenticator> auth;
  signing::PreauthIntegrity preauth;
};

struct ConnState final : ChannelHost {
  explicit ConnState(ServerContext& context);
  ServerContext* ctx = nullptr;
  SessionRegistry& registry;
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
  std::vector<std::uint64_t> sessions;  // ids of the sessions with a channel here (SessionTable)
  std::map<std::uint64_t, Binding> bindings;  // by SessionId
  std::map<std::uint64_t, Open>& opens;  // the registry's, by volatile id
  std::vector<PendingAsync> pending;
  std::uint64_t next_async_id = 1;
  Actions deferred;  // caused by another connection (ChannelHost), for the server to take

  // A session with a channel on this connection; nullptr for any other id.
  Session* session(std::uint64_t id);
  // The signer of `s` on this connection: Channel.SigningKey (nullopt for guest/anonymous).
  const std::optional<signing::Signer>& channel_signer(Session& s);
  // Opens of the sessions with a channel here (the per-connection limit counts these).
  std::size_t open_count();
  // A new session on this connection (InProgress, channel added).
  Session& new_session();
  // Adds this connection's channel to a bound session.
  void add_channel(Session& s, std::optional<signing::Signer> signer);
  // Closes what hangs off a tree / a session (opens, pending notifies: their completions go to
  // `out` as whole NBSS messages).
  void close_open(std::uint64_t volatile_id, std::uint32_t notify_status, Actions& out);
  void drop_tree(Session& s, std::uint32_t tree_id, Actions& out);
  void drop_session(std::uint64_t session_id, Actions& out);
  // Completes a pending async request with an error status (CANCELLED, NOTIFY_CLEANUP):
  // a final async response with CreditResponse 0, signed when its session signs.
  void complete_pending(const PendingAsync& p, std::uint32_t status, Actions& out);

  // ChannelHost: what the other channels of a session tell this connection.
  void session_ended(std::uint64_t session_id) override;
  void open_closed(const wire::smb2::FileId& id, std::uint32_t status) override;
};

// The capabilities we announce: LARGE_MTU (reference section 0), and MULTI_CHANNEL for 3.x when
// `server multi channel support` is on (Samba 4.17's default on Linux, and what smbtorture's
// multichannel tests need).
std::uint32_t server_capabilities(const ServerContext& ctx, std::uint16_t dialect);

// Appends an action (out of line: GCC 12 warns about variants moved into push_back inline).
void emit(Actions& out, Action action);

}  // namespace pxe::proto::smb2
