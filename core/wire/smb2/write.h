// SMB2 WRITE ([MS-SMB2] 2.2.21, 2.2.22). Our share is read-only; decoded so the printer and
// the diagnosis see what a client tried.
//
// Request (StructureSize 49): DataOffset (2), Length (4), Offset (8), FileId (16),
//   Channel (4), RemainingBytes (4), WriteChannelInfoOffset (2), WriteChannelInfoLength (2),
//   Flags (4), data.
// Response (StructureSize 17): Reserved (2), Count (4), Remaining (4),
//   WriteChannelInfoOffset (2), WriteChannelInfoLength (2).
#pragma once

#include <cstdint>

#include "base/bytes.h"
#include "base/result.h"
#include "wire/smb2/header.h"

namespace pxe::wire::smb2 {

struct WriteRequest {
  std::uint64_t offset = 0;
  FileId file_id;
  std::uint32_t channel = 0;
  std::uint32_t remaining_bytes = 0;
  std::uint32_t flags = 0;
  std::uint32_t length = 0;  // as the PDU says
  ByteSpan data;             // view: into the PDU (parse) or the caller's buffer (encode)
};

struct WriteResponse {
  std::uint32_t count = 0;
  std::uint32_t remaining = 0;
  friend bool operator==(const WriteResponse&, const WriteResponse&) = default;
};

Result<WriteRequest> parse_write_request(ByteSpan pdu);
Result<WriteResponse> parse_write_response(ByteSpan pdu);
void encode_write_request(const WriteRequest& m, ByteWriter& w);  // data at offset 112
void encode_write_response(const WriteResponse& m, ByteWriter& w);

}  // namespace pxe::wire::smb2
