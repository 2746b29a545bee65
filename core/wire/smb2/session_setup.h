// SMB2 SESSION_SETUP ([MS-SMB2] 2.2.5, 2.2.6).
//
// Request (StructureSize 25): Flags (1), SecurityMode (1), Capabilities (4), Channel (4),
//   SecurityBufferOffset (2), SecurityBufferLength (2), PreviousSessionId (8), buffer.
// Response (StructureSize 9): SessionFlags (2), SecurityBufferOffset (2),
//   SecurityBufferLength (2), buffer. The buffers hold SPNEGO tokens wrapping NTLMSSP.
#pragma once

#include <cstdint>
#include <string>

#include "base/bytes.h"
#include "base/result.h"

namespace pxe::wire::smb2 {

namespace session_flag {
inline constexpr std::uint16_t kIsGuest = 0x0001, kIsNull = 0x0002, kEncryptData = 0x0004;
}
// "guest", "null", "encrypt" joined by ','; empty for 0.
std::string session_flags_str(std::uint16_t f);

inline constexpr std::uint8_t kSessionSetupBinding = 0x01;  // request Flags

struct SessionSetupRequest {
  std::uint8_t flags = 0;
  std::uint8_t security_mode = 0;
  std::uint32_t capabilities = 0;
  std::uint32_t channel = 0;
  std::uint64_t previous_session_id = 0;
  Bytes security_buffer;
  friend bool operator==(const SessionSetupRequest&, const SessionSetupRequest&) = default;
};

struct SessionSetupResponse {
  std::uint16_t session_flags = 0;
  Bytes security_buffer;
  friend bool operator==(const SessionSetupResponse&, const SessionSetupResponse&) = default;
};

Result<SessionSetupRequest> parse_session_setup_request(ByteSpan pdu);
Result<SessionSetupResponse> parse_session_setup_response(ByteSpan pdu);
void encode_session_setup_request(const SessionSetupRequest& m, ByteWriter& w);
void encode_session_setup_response(const SessionSetupResponse& m, ByteWriter& w);

}  // namespace pxe::wire::smb2
