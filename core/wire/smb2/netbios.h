// NetBIOS session service framing as SMB2 over direct TCP (port 445) uses it
// ([MS-SMB2] 2.1, RFC 1002 4.3): one type byte, then a 24-bit big-endian length.
//   0x00 SESSION MESSAGE (carries one SMB message), 0x85 SESSION KEEP ALIVE (length 0).
// RFC 1002 only allows 17 bits of length; direct TCP uses all 24.
#pragma once

#include <cstdint>
#include <optional>

#include "base/bytes.h"
#include "base/result.h"

namespace pxe::wire::smb2 {

inline constexpr std::size_t kNbssHeaderSize = 4;
inline constexpr std::uint8_t kNbssSessionMessage = 0x00;
inline constexpr std::uint8_t kNbssKeepAlive = 0x85;

struct NbssFrame {
  std::uint8_t type = kNbssSessionMessage;
  ByteSpan payload;  // view into the input
};

// Total size (header + payload) of the frame at the start of `stream`, or nullopt when fewer
// than 4 bytes are there yet. Lets a TCP stream reader cut frames without parsing them.
std::optional<std::size_t> nbss_frame_size(ByteSpan stream);
// Parses one frame that must be complete; extra bytes after it are left alone.
Result<NbssFrame> parse_nbss(ByteSpan stream);
// Appends the 4-byte header and the payload. Payloads above 0xFFFFFF are a caller bug.
void encode_nbss(ByteWriter& w, ByteSpan payload, std::uint8_t type = kNbssSessionMessage);

}  // namespace pxe::wire::smb2
