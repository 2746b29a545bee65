// UTF-16LE <-> UTF-8 for SMB2 names and NTLMSSP strings. Lone surrogates and odd trailing
// bytes become U+FFFD: a name is untrusted input, never a reason to fail a whole PDU.
#pragma once

#include <string>
#include <string_view>

#include "base/bytes.h"

namespace pxe::wire::smb2 {

std::string utf16le_to_utf8(ByteSpan s);
Bytes utf8_to_utf16le(std::string_view s);

}  // namespace pxe::wire::smb2
