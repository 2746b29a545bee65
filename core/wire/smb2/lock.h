// SMB2 LOCK ([MS-SMB2] 2.2.26, 2.2.27): byte-range locks.
//
// Request (StructureSize 48): LockCount (2), LockSequenceNumber/Index (4), FileId (16), then
//   LockCount SMB2_LOCK_ELEMENTs of 24 bytes: Offset (8), Length (8), Flags (4), Reserved (4).
// Response: the 4-byte SimpleBody.
#pragma once

#include <cstdint>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "wire/smb2/header.h"

namespace pxe::wire::smb2 {

namespace lock_flag {
inline constexpr std::uint32_t kShared = 0x01, kExclusive = 0x02, kUnlock = 0x04,
                               kFailImmediately = 0x10;
}

struct LockElement {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::uint32_t flags = 0;
  friend bool operator==(const LockElement&, const LockElement&) = default;
};

struct LockRequest {
  std::uint32_t lock_sequence = 0;
  FileId file_id;
  std::vector<LockElement> locks;
  friend bool operator==(const LockRequest&, const LockRequest&) = default;
};

// A LockCount of 0 or elements past the PDU are errors.
Result<LockRequest> parse_lock_request(ByteSpan pdu);
void encode_lock_request(const LockRequest& m, ByteWriter& w);

}  // namespace pxe::wire::smb2
