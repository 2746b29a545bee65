// tcpdump-style text and JSON for SMB2 (and the SMB1/TRANSFORM messages seen on the same
// port), one NetBIOS session message at a time.
#pragma once

#include <string>

#include "base/bytes.h"
#include "base/json_writer.h"

namespace pxe::print {
// `message` is one NetBIOS session message payload (after the 4-byte NBSS header); it may hold
// a compound chain. Appends one block per SMB2 PDU, each starting with "\n\t":
//   "\n\tSMB2 NEGOTIATE Request, mid 0, credits 1, dialects [2.0.2, 2.1, 3.0, 3.0.2, 3.1.1]"
//   "\n\tSMB2 SESSION_SETUP Response, status STATUS_SUCCESS, mid 3, sid 0x0000400000000005,
//    flags [guest]"
//   "\n\t  NTLMSSP AUTHENTICATE user \"user\" domain \"WORKGROUP\" workstation \"MININT-T10CD8A\""
// The summary line carries command, Request/Response, status (responses), mid, sid and tid
// when nonzero, then the command's key fields; NTLMSSP goes on an indented line. Malformed or
// truncated: what was read, then " [|smb2]".
void smb2_text(ByteSpan message, std::string& out);
// Writes one JSON object per SMB2 PDU into an array the caller already opened (caller wrote
// key("smb2") and begin_array()). Fields: protocol, command, is_response, status,
// status_code, message_id, session_id, tree_id, flags, credits, credit_charge, plus the
// command's fields (dialects / dialect, session_flags + ntlmssp {type, user, domain,
// workstation, anonymous}, path, name, offset, length, ctl_code + ctl_code_name, ...);
// "error" (and "error_offset") when malformed.
void smb2_json(ByteSpan message, JsonWriter& w);
}  // namespace pxe::print
