// NTLMSSP inside a SESSION_SETUP security buffer (SPNEGO-wrapped or raw), for smb2_text/json.
#pragma once

#include <string>

#include "base/bytes.h"
#include "base/json_writer.h"

namespace pxe::print {
// Appends "\n\t  NTLMSSP ..." (and/or "SPNEGO <negResult>") when the buffer holds something.
void ntlmssp_text(ByteSpan security_buffer, std::string& out);
// Writes key "ntlmssp" {type, flags, ...} and/or key "spnego_result" into the open object.
void ntlmssp_json(ByteSpan security_buffer, JsonWriter& w);
}  // namespace pxe::print
