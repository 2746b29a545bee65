// The Internet checksum (RFC 1071) for UDP/TCP over IPv4, computed from the bytes.
#pragma once

#include <cstdint>

#include "base/bytes.h"

namespace pxe::capture {

// One's-complement sum of 16-bit words, folded, not yet complemented.
std::uint32_t sum16(ByteSpan data, std::uint32_t sum = 0);
inline std::uint16_t fold(std::uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(sum);
}
// The checksum a sender would have put in the transport header of `segment` (whose checksum
// field is taken as zero at `checksum_offset`).
std::uint16_t transport_checksum(std::uint32_t src, std::uint32_t dst, std::uint8_t proto,
                                 ByteSpan segment, std::size_t checksum_offset);

}  // namespace pxe::capture
