#include "wire/smb2/netbios.h"

#include <cassert>
#include <string>

namespace pxe::wire::smb2 {

std::optional<std::size_t> nbss_frame_size(ByteSpan stream) {
  if (stream.size() < kNbssHeaderSize) return std::nullopt;
  std::size_t len = std::size_t(stream[1]) << 16 | std::size_t(stream[2]) << 8 | stream[3];
  return kNbssHeaderSize + len;
}

Result<NbssFrame> parse_nbss(ByteSpan stream) {
  auto size = nbss_frame_size(stream);
  if (!size) return make_error("NBSS: need a 4-byte header, have " + std::to_string(stream.size()), 0);
  NbssFrame f;
  f.type = stream[0];
  if (f.type != kNbssSessionMessage && f.type != kNbssKeepAlive)
    return make_error("NBSS: type 0x" + std::to_string(f.type) + " is neither session message (0x00)"
                      " nor keepalive (0x85)", 0);
  if (*size > stream.size())
    return make_error("NBSS: length " + std::to_string(*size - kNbssHeaderSize) + " but only " +
                          std::to_string(stream.size() - kNbssHeaderSize) + " bytes follow",
                      1);
  f.payload = stream.subspan(kNbssHeaderSize, *size - kNbssHeaderSize);
  return f;
}

void encode_nbss(ByteWriter& w, ByteSpan payload, std::uint8_t type) {
  assert(payload.size() <= 0xFFFFFF);
  w.u8(type);
  w.u8(std::uint8_t(payload.size() >> 16));
  w.u16be(std::uint16_t(payload.size()));
  w.bytes(payload);
}

}  // namespace pxe::wire::smb2
