// Hand-made SMB2 requests the SMB service tests send over a real socket.
#pragma once

#include "base/bytes.h"
#include "wire/smb2/header.h"
#include "wire/smb2/message.h"
#include "wire/smb2/negotiate.h"
#include "wire/smb2/netbios.h"

namespace pxe::server::test {

// A NEGOTIATE for 2.0.2 and 2.1 (MessageId 0, one credit), NBSS-framed.
inline Bytes negotiate_message() {
  namespace w = wire::smb2;
  w::Header h;
  h.command = std::uint16_t(w::Command::Negotiate);
  h.credits = 1;
  w::NegotiateRequest n;
  n.security_mode = w::security_mode::kSigningEnabled;
  n.dialects = {w::dialect::k202, w::dialect::k210};
  n.client_guid = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  ByteWriter out;
  w::encode_nbss(out, w::encode_pdu(h, n));
  return out.take();
}

}  // namespace pxe::server::test
