// Just enough SMB1 ([MS-CIFS] 2.2.3.1, 2.2.4.52) to see what a client offers in the
// multi-protocol NEGOTIATE it opens with: "NT LM 0.12", "SMB 2.002", "SMB 2.???".
//   32-byte header: 0xFF 'SMB', Command (1), Status (4), Flags (1), Flags2 (2), PIDHigh (2),
//   SecurityFeatures (8), Reserved (2), TID (2), PIDLow (2), UID (2), MID (2)
//   then WordCount (1), Words (2 * WordCount), ByteCount (2), Bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace pxe::wire::smb2 {

inline constexpr std::uint8_t kSmb1Negotiate = 0x72;
inline constexpr std::uint8_t kSmb1FlagsReply = 0x80;

struct Smb1Message {
  std::uint8_t command = 0;
  std::uint32_t status = 0;
  std::uint8_t flags = 0;
  std::uint16_t flags2 = 0;
  std::uint16_t mid = 0;
  bool is_response() const { return flags & kSmb1FlagsReply; }
  // NEGOTIATE request: each dialect string (buffer format 0x02, NUL-terminated).
  std::vector<std::string> dialects;
  // NEGOTIATE response: the index into the request's dialects (0xFFFF: none).
  std::uint16_t dialect_index = 0;
};

Result<Smb1Message> parse_smb1(ByteSpan message);
// Builds a NEGOTIATE request offering `dialects` (as clients send it first).
Bytes encode_smb1_negotiate_request(const std::vector<std::string>& dialects, std::uint16_t mid = 0);

}  // namespace pxe::wire::smb2
