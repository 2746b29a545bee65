// SMB2 IOCTL ([MS-SMB2] 2.2.31, 2.2.32): FSCTLs and pipe transceive.
//
// Request (StructureSize 57): Reserved (2), CtlCode (4), FileId (16), InputOffset (4),
//   InputCount (4), MaxInputResponse (4), OutputOffset (4), OutputCount (4),
//   MaxOutputResponse (4), Flags (4; 1 = IS_FSCTL), Reserved2 (4), input, output.
// Response (StructureSize 49): Reserved (2), CtlCode (4), FileId (16), InputOffset (4),
//   InputCount (4), OutputOffset (4), OutputCount (4), Flags (4), Reserved2 (4), buffers.
// Buffers are views into the parsed PDU (or the caller's data when encoding).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "wire/smb2/header.h"

namespace pxe::wire::smb2 {

namespace fsctl {
inline constexpr std::uint32_t kDfsGetReferrals = 0x00060194;
inline constexpr std::uint32_t kDfsGetReferralsEx = 0x000601B0;
inline constexpr std::uint32_t kGetReparsePoint = 0x000900A8;
inline constexpr std::uint32_t kCreateOrGetObjectId = 0x000900C0;
inline constexpr std::uint32_t kSetSparse = 0x000900C4;
inline constexpr std::uint32_t kQueryAllocatedRanges = 0x000940CF;
inline constexpr std::uint32_t kSetZeroData = 0x000980C8;
inline constexpr std::uint32_t kPipePeek = 0x0011400C;
inline constexpr std::uint32_t kPipeWait = 0x00110018;
inline constexpr std::uint32_t kPipeTransceive = 0x0011C017;
inline constexpr std::uint32_t kSrvRequestResumeKey = 0x00140078;
inline constexpr std::uint32_t kLmrRequestResiliency = 0x001401D4;
inline constexpr std::uint32_t kQueryNetworkInterfaceInfo = 0x001401FC;
inline constexpr std::uint32_t kValidateNegotiateInfo = 0x00140204;
inline constexpr std::uint32_t kSrvEnumerateSnapshots = 0x00144064;
inline constexpr std::uint32_t kSrvReadHash = 0x001441BB;
inline constexpr std::uint32_t kSrvCopychunk = 0x001440F2;
inline constexpr std::uint32_t kSrvCopychunkWrite = 0x001480F2;
}  // namespace fsctl
// "FSCTL_VALIDATE_NEGOTIATE_INFO", ...; empty when unknown.
std::string_view ctl_code_name(std::uint32_t code);

inline constexpr std::uint32_t kIoctlIsFsctl = 0x00000001;

struct IoctlRequest {
  std::uint32_t ctl_code = 0;
  FileId file_id;
  std::uint32_t max_input_response = 0;
  std::uint32_t max_output_response = 0;
  std::uint32_t flags = 0;
  ByteSpan input;
  ByteSpan output;
};

struct IoctlResponse {
  std::uint32_t ctl_code = 0;
  FileId file_id;
  std::uint32_t flags = 0;
  ByteSpan input;
  ByteSpan output;
};

Result<IoctlRequest> parse_ioctl_request(ByteSpan pdu);
Result<IoctlResponse> parse_ioctl_response(ByteSpan pdu);
void encode_ioctl_request(const IoctlRequest& m, ByteWriter& w);    // input at 120, then output
void encode_ioctl_response(const IoctlResponse& m, ByteWriter& w);  // buffers at 112

// FSCTL_VALIDATE_NEGOTIATE_INFO input (2.2.31.4): what the client believes it negotiated.
struct ValidateNegotiateInfo {
  std::uint32_t capabilities = 0;
  std::array<std::uint8_t, 16> guid{};
  std::uint16_t security_mode = 0;
  std::vector<std::uint16_t> dialects;
  friend bool operator==(const ValidateNegotiateInfo&, const ValidateNegotiateInfo&) = default;
};
Result<ValidateNegotiateInfo> parse_validate_negotiate_info(ByteSpan input);

}  // namespace pxe::wire::smb2
