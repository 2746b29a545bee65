// One SMB2 connection of the read-only server, sans I/O: TCP stream bytes and time in, actions
// out (bytes to send, a file range to send without copying, a timer, a log event, "close").
// It frames NBSS itself, answers the SMB1 multi-protocol NEGOTIATE with the SMB2 upgrade, walks
// compound chains, checks MessageIds/credits and signatures, and dispatches each command to its
// handler (dispatch.h, commands/*.cpp) against the state in state.h.
//
// Reference: ../shared/reference/smb2-server.md section 2 (every status code used here).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/random.h"
#include "config/smb_settings.h"
#include "proto/smb2/session_registry.h"
#include "proto/smb2/share.h"

namespace pxe::proto::smb2 {

struct ServerLimits {
  std::size_t max_connections = 256;  // enforced by the transport
  std::size_t max_sessions_per_connection = 16, max_trees_per_session = 32;
  // Opens of the sessions a connection has a channel of (a bound session's opens count on each
  // of its connections).
  std::size_t max_opens_per_connection = 1024;
  std::size_t max_pending_per_connection = 256;  // CHANGE_NOTIFYs waiting
  std::uint32_t max_read = 8 << 20, max_transact = 1 << 20;  // MaxReadSize / MaxTransactSize
  std::size_t max_pdu_before_session = 64 << 10;  // NBSS length allowed before a session exists
  std::size_t max_pdu = (8 << 20) + 4096;
  Duration negotiate_timeout = std::chrono::seconds(20);  // connected, no NEGOTIATE
  Duration idle_timeout = std::chrono::minutes(15);       // nothing open, nothing received
  // Samba's `smb2 max credits`: smbtorture smb2.credits.session_setup_credits_granted wants the
  // 8192 a client asks for on its SESSION_SETUP.
  std::uint16_t max_credits = 8192;
};

struct ServerShare {
  std::string name;
  Share* share = nullptr;
  bool guest_ok = false;
};  // IPC$ is implicit

// One entry of FSCTL_QUERY_NETWORK_INTERFACE_INFO ([MS-SMB2] 2.2.32.5).
struct ServerInterface {
  ServerInterface() = default;
  ServerInterface(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) : ipv4{a, b, c, d} {}
  std::array<std::uint8_t, 4> ipv4{};
  std::uint32_t if_index = 1;
  std::uint64_t link_speed = 1000000000ull;  // bits per second
};

struct ServerContext {  // shared by every connection; owned by the server
  config::SmbSettings settings;  // dialect range, signing, map to guest, accounts
  std::vector<ServerShare> shares;
  std::array<std::uint8_t, 16> server_guid{};
  std::uint64_t start_filetime = 0;
  ServerLimits limits;
  Random* random = nullptr;
  // The host's DNS name for the NTLM CHALLENGE's target info (empty: the NetBIOS name in
  // lower case).
  std::string dns_name;
  // IPv4 interfaces FSCTL_QUERY_NETWORK_INTERFACE_INFO lists; empty: STATUS_NOT_SUPPORTED.
  std::vector<ServerInterface> interfaces_v4;
  // Sessions and opens of every connection (multichannel binds a session to several).
  SessionRegistry registry;
};

// Actions (the outbox convention of proto::tftp::Action: a variant appended to a vector).
struct SendBytes {  // one whole NBSS message (4-byte length + SMB2)
  Bytes bytes;
};
struct SendFileData {  // zero-copy READ (unsigned sessions only, file with an fd)
  Bytes head;  // NBSS length + SMB2 header + READ body up to the data
  std::shared_ptr<ShareFile> file;
  std::uint64_t offset = 0;
  std::uint32_t length = 0;
};
struct CloseConnection {
  std::string why;
};
struct SetTimer {  // the connection's single timer
  Timestamp at;
};
struct Event {  // for the log, which puts the peer first: "session 0x.. user 'user' SMB 3.1.1 signed"
  std::string text;
};
using Action = std::variant<SendBytes, SendFileData, CloseConnection, SetTimer, Event>;
using Actions = std::vector<Action>;

struct ConnState;

class Connection {
 public:
  Connection(ServerContext& ctx, Timestamp now, std::uint64_t filetime_now);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The first actions (the negotiate timer); call once after construction.
  void start(Actions& out);
  // TCP stream bytes in any chunking; frames NBSS itself.
  void on_bytes(ByteSpan stream_bytes, Timestamp now, std::uint64_t filetime_now, Actions& out);
  void on_time(Timestamp now, Actions& out);
  // The peer went away: pending notifies dropped, files closed (Events for what was read).
  void on_close(Actions& out);
  bool closed() const { return closed_; }
  // What another connection's request caused on this one (LOGOFF or CLOSE on another channel of
  // a session completes the CHANGE_NOTIFYs pending here): the server takes it after each turn.
  bool has_deferred() const;
  void take_deferred(Actions& out);
  // Bytes held (receive buffer, directory listings, opens) for the fuzz invariant.
  std::size_t memory() const;

 private:
  void close(std::string why, Actions& out);
  // Closing: this connection's channels leave their sessions; a session whose last channel this
  // was ends here (its opens closed, their Events to `out`).
  void detach(Actions& out);
  void handle_message(ByteSpan message, Actions& out);
  std::size_t pdu_limit() const;
  void arm_timer(Timestamp now, Actions& out);

  std::unique_ptr<ConnState> st_;
  Bytes rx_;
  std::size_t rx_used_ = 0;  // bytes of rx_ already consumed
  Timestamp connected_at_;
  Timestamp last_rx_;
  std::optional<Timestamp> timer_at_;
  bool closed_ = false;
};

}  // namespace pxe::proto::smb2
