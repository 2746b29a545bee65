// The small fixed bodies of [MS-SMB2]: LOGOFF (2.2.7/8), TREE_DISCONNECT (2.2.11/12),
// ECHO (2.2.28/29), CANCEL (2.2.30), FLUSH/LOCK/SET_INFO responses — all StructureSize 4
// (SET_INFO response: 2) with a Reserved field — and the ERROR response (2.2.2).
//
// ERROR response (StructureSize 9): ErrorContextCount (1, 3.1.1), Reserved (1),
//   ByteCount (4), ErrorData (at least one byte is sent even when ByteCount is 0).
#pragma once

#include <cstdint>

#include "base/bytes.h"
#include "base/result.h"

namespace pxe::wire::smb2 {

struct SimpleBody {
  std::uint16_t structure_size = 4;
  std::uint16_t reserved = 0;
  friend bool operator==(const SimpleBody&, const SimpleBody&) = default;
};

struct ErrorResponse {
  std::uint8_t error_context_count = 0;
  std::uint8_t reserved = 0;
  ByteSpan error_data;  // view; ByteCount bytes (STATUS_BUFFER_TOO_SMALL: the needed size)
};

// Checks StructureSize == `structure_size` (4, or 2 for SET_INFO responses).
Result<SimpleBody> parse_simple_body(ByteSpan pdu, std::uint16_t structure_size = 4);
void encode_simple_body(const SimpleBody& m, ByteWriter& w);

Result<ErrorResponse> parse_error_response(ByteSpan pdu);
void encode_error_response(const ErrorResponse& m, ByteWriter& w);

}  // namespace pxe::wire::smb2
