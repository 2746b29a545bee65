// The server-wide tables of the SMB2 server, shared by every Connection ([MS-SMB2] 3.3.1.1
// GlobalSessionTable and GlobalOpenTable): with multichannel (3.3.5.5, session binding) a session
// spans connections, so it cannot belong to one. Ownership:
//   SessionRegistry  owns every Session (its trees included) and every Open
//   Session          lists its channels: one per connection it is bound to, each with its own
//                    signing key (Channel.SigningKey, 3.3.1.14)
//   Connection       holds channels (ConnState is a ChannelHost): it adds its channel when a
//                    session is created or bound on it and removes it when it closes; the
//                    session ends with its last channel, or with LOGOFF on any channel
// Sans I/O like the Connection: a plain container and the notifications between the channels of
// a session. The server (core/server/smb) owns one in its ServerContext, a test owns one in its
// own; nothing here is global.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/random.h"
#include "proto/smb2/auth.h"
#include "proto/smb2/share.h"
#include "proto/smb2/signing.h"
#include "wire/smb2/header.h"

namespace pxe::proto::smb2 {

struct ServerShare;

// What a connection hears about its sessions from the other channels.
class ChannelHost {
 public:
  virtual ~ChannelHost() = default;
  // LOGOFF on another channel ended the session: forget it (its opens are already closed).
  virtual void session_ended(std::uint64_t session_id) = 0;
  // An open of one of this host's sessions was closed on another channel: requests pending on
  // it here (CHANGE_NOTIFY) complete with `status`.
  virtual void open_closed(const wire::smb2::FileId& id, std::uint32_t status) = 0;
};

struct Tree {
  std::uint32_t id = 0;
  const ServerShare* share = nullptr;  // nullptr: IPC$
  std::string name;                    // as the client wrote it, for the log
  bool ipc() const { return share == nullptr; }
};

struct Channel {
  ChannelHost* host = nullptr;
  // Channel.SigningKey: the session's key on the channel the session was set up on; for a bound
  // channel (3.x), derived from the binding's own authentication ([MS-SMB2] 3.3.5.5.3).
  std::optional<signing::Signer> signer;
};

struct Session {
  enum class State { InProgress, Valid };
  std::uint64_t id = 0;
  State state = State::InProgress;
  std::unique_ptr<Authenticator> auth;  // during SESSION_SETUP (first logon or re-authentication)
  Identity identity;
  std::uint16_t session_flags = 0;
  std::optional<signing::Signer> signer;  // Session.SigningKey: user sessions only
  bool signing_required = false;          // every request signed, every response signed
  signing::PreauthIntegrity preauth;      // 3.1.1
  std::map<std::uint32_t, Tree> trees;
  std::uint32_t next_tree_id = 1;
  // Session.Connection.Dialect and its ClientGuid: a binding must come with the same ones.
  std::uint16_t dialect = 0;
  std::array<std::uint8_t, 16> client_guid{};
  std::vector<Channel> channels;
  std::size_t open_count = 0;  // opens in the registry that belong to this session

  Channel* channel(const ChannelHost* host);
  // A user session (keys, can be bound); not guest, not anonymous.
  bool user() const { return signer.has_value() && !identity.guest && !identity.anonymous; }
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

class SessionRegistry {
 public:
  // Windows' limit, which smbtorture's smb2.multichannel.generic.num_channels checks: the 33rd
  // channel of a session gets STATUS_INSUFFICIENT_RESOURCES.
  static constexpr std::size_t kDefaultMaxChannels = 32;

  SessionRegistry() = default;
  SessionRegistry(const SessionRegistry&) = delete;
  SessionRegistry& operator=(const SessionRegistry&) = delete;

  Session* find(std::uint64_t id);
  // A new session (InProgress) under a fresh random id (never 0 or ~0, not in use) with its first
  // channel on `host`.
  Session& create(Random& random, ChannelHost& host);
  // Removes the session (its trees go with it); the caller closed its opens first.
  void erase(std::uint64_t id);
  std::size_t size() const { return sessions_.size(); }

  // Every open of every session, by volatile FileId ([MS-SMB2] 3.3.1.1 GlobalOpenTable).
  std::map<std::uint64_t, Open> opens;
  std::uint64_t next_volatile_id = 1;

  std::size_t max_channels = kDefaultMaxChannels;

 private:
  std::map<std::uint64_t, std::unique_ptr<Session>> sessions_;  // stable addresses
};

}  // namespace pxe::proto::smb2
