// SMB2 READ ([MS-SMB2] 2.2.19, 2.2.20).
//
// Request (StructureSize 49): Padding (1), Flags (1), Length (4), Offset (8), FileId (16),
//   MinimumCount (4), Channel (4), RemainingBytes (4), ReadChannelInfoOffset (2),
//   ReadChannelInfoLength (2), one buffer byte.
// Response (StructureSize 17): DataOffset (1), Reserved (1), DataLength (4),
//   DataRemaining (4), Flags/Reserved2 (4), data.
// Data is a view into the parsed PDU (READs carry the bulk of the traffic: no copy).
#pragma once

#include <cstdint>

#include "base/bytes.h"
#include "base/result.h"
#include "wire/smb2/header.h"

namespace pxe::wire::smb2 {

struct ReadRequest {
  std::uint8_t padding = 0;  // where the client wants data in the response (0x50 = 80)
  std::uint8_t flags = 0;
  std::uint32_t length = 0;
  std::uint64_t offset = 0;
  FileId file_id;
  std::uint32_t minimum_count = 0;
  std::uint32_t channel = 0;
  std::uint32_t remaining_bytes = 0;
  friend bool operator==(const ReadRequest&, const ReadRequest&) = default;
};

struct ReadResponse {
  std::uint32_t data_remaining = 0;
  std::uint32_t flags = 0;
  ByteSpan data;  // view into the PDU (parse) or into the caller's buffer (encode)
  std::uint32_t data_length = 0;  // as the PDU says; equals data.size() after a parse
};

Result<ReadRequest> parse_read_request(ByteSpan pdu);
Result<ReadResponse> parse_read_response(ByteSpan pdu);
void encode_read_request(const ReadRequest& m, ByteWriter& w);
// Data at offset 80 (0x50), right after the 16-byte fixed body.
void encode_read_response(const ReadResponse& m, ByteWriter& w);
// The fixed body only, DataLength = m.data_length: the server sends the data itself after it
// (a file range, without copying it into the message).
void encode_read_response_head(const ReadResponse& m, ByteWriter& w);

}  // namespace pxe::wire::smb2
