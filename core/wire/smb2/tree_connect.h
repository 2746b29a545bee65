// SMB2 TREE_CONNECT ([MS-SMB2] 2.2.9, 2.2.10).
//
// Request (StructureSize 9): Flags/Reserved (2), PathOffset (2), PathLength (2), path in
//   UTF-16LE ("\\server\share"). With Flags 0x0004 (3.1.1 EXTENSION_PRESENT) PathOffset
//   points into a tree-connect extension instead; we read it as the path all the same.
// Response (StructureSize 16): ShareType (1), Reserved (1), ShareFlags (4), Capabilities (4),
//   MaximalAccess (4).
#pragma once

#include <cstdint>
#include <string>

#include "base/bytes.h"
#include "base/result.h"

namespace pxe::wire::smb2 {

namespace share_type {
inline constexpr std::uint8_t kDisk = 1, kPipe = 2, kPrint = 3;
}
std::string_view share_type_name(std::uint8_t t);  // "disk", "pipe", "print", ""

inline constexpr std::uint16_t kTreeConnectExtensionPresent = 0x0004;

struct TreeConnectRequest {
  std::uint16_t flags = 0;
  std::string path;  // UTF-8
  friend bool operator==(const TreeConnectRequest&, const TreeConnectRequest&) = default;
};

struct TreeConnectResponse {
  std::uint8_t share_type = 0;
  std::uint8_t reserved = 0;
  std::uint32_t share_flags = 0;
  std::uint32_t capabilities = 0;
  std::uint32_t maximal_access = 0;
  friend bool operator==(const TreeConnectResponse&, const TreeConnectResponse&) = default;
};

Result<TreeConnectRequest> parse_tree_connect_request(ByteSpan pdu);
Result<TreeConnectResponse> parse_tree_connect_response(ByteSpan pdu);
void encode_tree_connect_request(const TreeConnectRequest& m, ByteWriter& w);
void encode_tree_connect_response(const TreeConnectResponse& m, ByteWriter& w);

}  // namespace pxe::wire::smb2
