// One SMB2 PDU decoded: header plus the body its command and direction call for. This is the
// door from a compound element into the per-command types, used by the printer, the server
// and the client emulation alike.
#pragma once

#include <variant>

#include "base/bytes.h"
#include "base/result.h"
#include "wire/smb2/close.h"
#include "wire/smb2/create.h"
#include "wire/smb2/header.h"
#include "wire/smb2/ioctl.h"
#include "wire/smb2/negotiate.h"
#include "wire/smb2/query.h"
#include "wire/smb2/read.h"
#include "wire/smb2/session_setup.h"
#include "wire/smb2/simple.h"
#include "wire/smb2/tree_connect.h"
#include "wire/smb2/write.h"

namespace pxe::wire::smb2 {

// std::monostate: a command whose body we do not decode (LOCK, OPLOCK_BREAK, unknown).
using Body = std::variant<std::monostate, NegotiateRequest, NegotiateResponse,
                          SessionSetupRequest, SessionSetupResponse, TreeConnectRequest,
                          TreeConnectResponse, CreateRequest, CreateResponse, CloseRequest,
                          CloseResponse, ReadRequest, ReadResponse, WriteRequest, WriteResponse,
                          IoctlRequest, IoctlResponse, QueryDirectoryRequest, QueryInfoRequest,
                          ChangeNotifyRequest, SetInfoRequest, OutputResponse, SimpleBody,
                          ErrorResponse>;

// True when a response with this header carries the ERROR body (2.2.2) rather than the
// command's own: any error or warning status except the ones that keep the normal body
// (MORE_PROCESSING_REQUIRED on SESSION_SETUP, BUFFER_OVERFLOW on READ/IOCTL/QUERY_*, and
// the async STATUS_PENDING interim, which uses the ERROR body too).
bool has_error_body(const Header& h, ByteSpan pdu);

// Decodes the body of `pdu` (which starts at its header). Views in the result point into pdu.
Result<Body> parse_body(const Header& h, ByteSpan pdu);

// Header followed by the body. Views in `b` must outlive the call only.
Bytes encode_pdu(const Header& h, const Body& b);

}  // namespace pxe::wire::smb2
