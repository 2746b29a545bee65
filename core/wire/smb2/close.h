// SMB2 CLOSE ([MS-SMB2] 2.2.15, 2.2.16) and FLUSH (2.2.17, 2.2.18).
//
// CLOSE request (StructureSize 24): Flags (2), Reserved (4), FileId (16).
// CLOSE response (StructureSize 60): Flags (2), Reserved (4), four FILETIMEs,
//   AllocationSize (8), EndOfFile (8), FileAttributes (4) — zero unless the request asked
//   with POSTQUERY_ATTRIB (0x0001).
// FLUSH request (StructureSize 24): Reserved1 (2), Reserved2 (4), FileId (16); response is
//   the 4-byte SimpleBody.
#pragma once

#include <cstdint>

#include "base/bytes.h"
#include "base/result.h"
#include "wire/smb2/header.h"

namespace pxe::wire::smb2 {

inline constexpr std::uint16_t kClosePostqueryAttrib = 0x0001;

// CLOSE and FLUSH requests share one layout.
struct CloseRequest {
  std::uint16_t flags = 0;
  std::uint32_t reserved = 0;
  FileId file_id;
  friend bool operator==(const CloseRequest&, const CloseRequest&) = default;
};
using FlushRequest = CloseRequest;

struct CloseResponse {
  std::uint16_t flags = 0;
  std::uint32_t reserved = 0;
  std::uint64_t creation_time = 0, last_access_time = 0, last_write_time = 0, change_time = 0;
  std::uint64_t allocation_size = 0;
  std::uint64_t end_of_file = 0;
  std::uint32_t file_attributes = 0;
  friend bool operator==(const CloseResponse&, const CloseResponse&) = default;
};

Result<CloseRequest> parse_close_request(ByteSpan pdu);  // also FLUSH
Result<CloseResponse> parse_close_response(ByteSpan pdu);
void encode_close_request(const CloseRequest& m, ByteWriter& w);
void encode_close_response(const CloseResponse& m, ByteWriter& w);

}  // namespace pxe::wire::smb2
