// The command table and the compound walker of the SMB2 connection machine.
//
// Each SMB2 message is split into its compound elements (wire::smb2::split_chain). For each one,
// in order, before any handler runs:
//   MessageId inside the credit window, unused ([MS-SMB2] 3.3.5.2.3)   else: disconnect
//   NEGOTIATE first, and only once                                       else: disconnect
//   RELATED on the first element                                         STATUS_INVALID_PARAMETER
//   a related element after a failed one                                 that element's status
//   a command number outside the table                                   STATUS_INVALID_PARAMETER
//   the body's StructureSize                                             STATUS_INVALID_PARAMETER
//   SessionId known (needs_session), set up (or SESSION_SETUP/LOGOFF)    STATUS_USER_SESSION_DELETED
//   signature (signed request, or a session that requires signing)      STATUS_ACCESS_DENIED
//   TreeId known in the session (needs_tree)                             STATUS_NETWORK_NAME_DELETED
//   CreditCharge covers the payload (2.1+, large MTU; 3.3.5.2.5)          STATUS_INVALID_PARAMETER
// Then the handler of commands/<command>.cpp fills a Reply; the walker writes the header (status,
// credits granted, ids), pads and links the elements, signs those whose session signs, feeds the
// 3.1.1 pre-auth hashes, and sends the chain as one NBSS message (or a READ as SendFileData).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/bytes.h"
#include "proto/smb2/connection.h"
#include "proto/smb2/state.h"
#include "wire/smb2/header.h"

namespace pxe::proto::smb2 {

// One compound element as its handler sees it.
struct Request {
  wire::smb2::Header hdr;  // SessionId/TreeId already taken from the previous element if related
  ByteSpan pdu;            // header + body (+ padding): what the wire parsers take
  Session* session = nullptr;  // set when the table says needs_session (or the id is known)
  Tree* tree = nullptr;        // set when the table says needs_tree
  std::optional<wire::smb2::FileId> previous_file;  // for FileId {~0, ~0} in a related element
  bool last_in_chain = true;
  // The response may go out as SendFileData (single element, unsigned): READ decides.
  bool may_send_file = false;
};

struct Reply {
  Reply();
  std::uint32_t status = 0;
  ByteWriter w;  // the 64-byte header placeholder, then the body the handler appends

  // Replaces the body with the ERROR body (2.2.2) carrying `data` and sets the status.
  void fail(std::uint32_t s, ByteSpan data = {});
  // The body writer for a success (or a warning such as BUFFER_OVERFLOW) body.
  ByteWriter& body() { return w; }

  std::optional<std::uint64_t> session_id;  // header SessionId of the response (a new session)
  std::optional<std::uint32_t> tree_id;     // header TreeId (a new tree connect)
  std::optional<wire::smb2::FileId> file_id;  // the FileId this element used or created
  bool no_response = false;                 // CANCEL
  bool go_async = false;                    // answered later: send STATUS_PENDING now
  std::optional<std::string> disconnect;    // terminate the connection instead of answering
  enum class Sign { Auto, Always, Never } sign = Sign::Auto;
  // Signs the response with this key instead of the session's channel key: a binding's
  // SESSION_SETUP responses other than its final success are signed with Session.SigningKey
  // ([MS-SMB2] 3.3.4.1.1), and this connection has no channel of the session yet.
  std::optional<signing::Signer> sign_with;
  // READ without a copy: the data follow the body from this file.
  std::shared_ptr<ShareFile> send_file;
  std::uint64_t send_offset = 0;
  std::uint32_t send_length = 0;
  Actions after;  // events, and messages that go after the chain's response (NOTIFY_CLEANUP)
};

using Handler = void (*)(ConnState&, Request&, Reply&);

struct CommandSpec {
  std::uint16_t structure_size = 0;
  bool needs_session = false;
  bool needs_tree = false;
  bool is_write = false;  // refused on this read-only server (refused.cpp)
  Handler handler = nullptr;
};
// nullptr for a command number outside [MS-SMB2] 2.2.1's list.
const CommandSpec* command_spec(std::uint16_t command);

// Processes one SMB2 message (NBSS payload starting with 0xFE 'SMB'). Returns the reason to
// close the connection, if any (the actions before it still go out).
std::optional<std::string> process_message(ConnState& c, ByteSpan message, Actions& out);

// The SMB1 multi-protocol NEGOTIATE ([MS-SMB2] 3.3.5.3): answered with an SMB2 NEGOTIATE
// response (dialect 0x02FF, or 0x0202 when "SMB 2.???" is not offered). Returns the reason to
// close when there is nothing to answer with.
std::optional<std::string> negotiate_smb1(ConnState& c, ByteSpan message, Actions& out);

// Helpers for handlers.
// The open a request's FileId names (a related element's {~0, ~0}: the previous element's), in
// the request's session and tree; nullptr when there is none (STATUS_FILE_CLOSED).
Open* find_open(ConnState& c, Request& rq, const wire::smb2::FileId& id);
// An NBSS message from one SMB2 message.
Bytes nbss_message(ByteSpan smb2);
// "0x1a2b" for session ids in log lines.
std::string hex_id(std::uint64_t id);
// "1.5 MB" style size for log lines.
std::string human_size(std::uint64_t bytes);

// The handlers, one file each under commands/.
void handle_negotiate(ConnState&, Request&, Reply&);
void handle_session_setup(ConnState&, Request&, Reply&);
void handle_logoff(ConnState&, Request&, Reply&);
void handle_tree_connect(ConnState&, Request&, Reply&);
void handle_tree_disconnect(ConnState&, Request&, Reply&);
void handle_create(ConnState&, Request&, Reply&);
void handle_close(ConnState&, Request&, Reply&);
void handle_read(ConnState&, Request&, Reply&);
void handle_lock(ConnState&, Request&, Reply&);
void handle_ioctl(ConnState&, Request&, Reply&);
void handle_echo(ConnState&, Request&, Reply&);
void handle_query_directory(ConnState&, Request&, Reply&);
void handle_change_notify(ConnState&, Request&, Reply&);
void handle_query_info(ConnState&, Request&, Reply&);
void handle_flush(ConnState&, Request&, Reply&);
void handle_write(ConnState&, Request&, Reply&);
void handle_set_info(ConnState&, Request&, Reply&);
void handle_oplock_break(ConnState&, Request&, Reply&);
// CANCEL has no reply: it completes a pending request (notify.cpp).
void cancel_pending(ConnState&, const wire::smb2::Header& cancel, Actions& out);

}  // namespace pxe::proto::smb2
