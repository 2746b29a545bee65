// A sans-I/O SMB2 client: what WinPE's `net use \\server\share /user:u p` followed by a
// `dir` and a read of one file does on the wire. Stream bytes (any chunking) and time in,
// actions out (whole NBSS messages to send, the one response timer, Events for -v, and at the
// end Done or Failed). Same codecs as the decoder and the server (core/wire/smb2/*).
//
// Sequence: NEGOTIATE (2.0.2 .. 3.1.1, the 3.1.1 preauth-integrity context) -> SESSION_SETUP
// with SPNEGO + NTLMSSP (NTLMv2 proof for user/password; anonymous when the user is empty) ->
// TREE_CONNECT \\server\share -> CREATE "" + QUERY_DIRECTORY until NO_MORE_FILES + CLOSE ->
// CREATE file + READ (chunks up to MaxReadSize) + CLOSE -> Done. Requests are signed when the
// server requires it or the config asks; signed responses are verified (bad one: Failed).
//
// Failures carry the Windows "System error N" net use would print:
//   STATUS_LOGON_FAILURE -> 1326, STATUS_BAD_NETWORK_NAME -> 67, STATUS_ACCESS_DENIED -> 5,
//   file not found -> 2, no answer to NEGOTIATE -> 53, connection dropped / no answer / bad
//   response later -> 58, a guest or anonymous session while the client requires signing -> 1272.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/random.h"
#include "proto/smb2/connection.h"  // SendBytes, SetTimer, Event
#include "proto/smb2/signing.h"
#include "wire/smb2/header.h"

namespace pxe::proto::smb2 {

struct ClientConfig {
  std::string server = "192.0.2.1";  // the \\server part of the UNC path
  std::string share;
  std::string user;  // empty: anonymous (null session)
  std::string password;
  std::string domain = "WORKGROUP";
  std::string workstation = "MINWINPC";
  std::string file = "setup.exe";  // read after the listing; empty: list only
  std::uint16_t min_dialect = 0x0202, max_dialect = 0x0311;
  bool require_signing = false;  // the client's SecurityMode says signing required
  Duration response_timeout = std::chrono::seconds(30);
};

struct ClientDone {
  std::vector<std::string> listing;  // names in the share root, without "." and ".."
  std::uint64_t size = 0;            // of the file read
  std::string md5;                   // lower-case hex of its bytes
};
struct ClientFailed {
  int system_error = 58;      // what `net use` prints: "System error 58 has occurred."
  std::uint32_t status = 0;   // the NTSTATUS behind it, 0 for transport failures
  std::string reason;         // "SESSION_SETUP: STATUS_LOGON_FAILURE (user 'u')"
};
using ClientAction = std::variant<SendBytes, SetTimer, Event, ClientDone, ClientFailed>;
using ClientActions = std::vector<ClientAction>;

// The Windows message for a net use system error number ("The user name or password is
// incorrect." for 1326); empty for numbers this client does not produce.
std::string_view system_error_text(int system_error);

class SmbClient {
 public:
  SmbClient(ClientConfig config, Random& random);

  // Sends NEGOTIATE; call once, when the TCP connection is up.
  void start(Timestamp now, ClientActions& out);
  void on_bytes(ByteSpan stream_bytes, Timestamp now, ClientActions& out);
  void on_time(Timestamp now, ClientActions& out);
  // The server closed the connection.
  void on_close(ClientActions& out);

  bool finished() const { return state_ == State::Finished; }
  std::uint16_t dialect() const { return dialect_; }
  bool signing() const { return sign_; }
  const Bytes& file_bytes() const { return data_; }
  // The size of the file being read (0 before its CREATE response).
  std::uint64_t file_size() const { return file_size_; }
  // Responses whose signature was checked and matched.
  std::size_t verified_responses() const { return verified_; }

 private:
  enum class State {
    Idle, Negotiate, SessionNegotiate, SessionAuth, TreeConnect, OpenDir, QueryDir, CloseDir,
    OpenFile, Read, CloseFile, Finished
  };
  void send(wire::smb2::Command cmd, const auto& body, std::uint32_t payload, Timestamp now,
            ClientActions& out);
  std::uint8_t security_mode() const;
  void fail(int system_error, std::uint32_t status, std::string reason, ClientActions& out);
  void fail_status(const wire::smb2::Header& h, ClientActions& out);
  void handle(ByteSpan pdu, Timestamp now, ClientActions& out);
  void on_negotiate(const wire::smb2::Header& h, ByteSpan pdu, Timestamp now, ClientActions& out);
  void on_session(const wire::smb2::Header& h, ByteSpan pdu, Timestamp now, ClientActions& out);
  void open(bool directory, Timestamp now, ClientActions& out);
  void query_dir(Timestamp now, ClientActions& out);
  void read_next(Timestamp now, ClientActions& out);
  void close_file(Timestamp now, ClientActions& out);

  ClientConfig cfg_;
  Random& random_;
  State state_ = State::Idle;
  Bytes rx_;
  std::uint64_t next_mid_ = 0;
  std::uint64_t expect_mid_ = 0;
  std::uint64_t session_id_ = 0;
  std::uint32_t tree_id_ = 0;
  std::uint16_t dialect_ = 0;
  std::uint32_t max_read_ = 65536;
  bool server_requires_signing_ = false;
  bool sign_ = false;
  std::optional<signing::Signer> signer_;
  signing::PreauthIntegrity conn_hash_, session_hash_;
  Bytes ntlm_negotiate_;
  std::uint32_t ntlm_flags_ = 0;
  signing::Key16 session_key_{};
  wire::smb2::FileId fid_;
  std::uint64_t file_size_ = 0;
  Bytes data_;
  std::vector<std::string> listing_;
  std::optional<Timestamp> deadline_;
  bool got_any_response_ = false;
  std::size_t verified_ = 0;
};

}  // namespace pxe::proto::smb2
