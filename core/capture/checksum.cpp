#include "capture/checksum.h"

#include <cstring>

namespace pxe::capture {

std::uint32_t sum16(ByteSpan d, std::uint32_t sum) {
  std::size_t i = 0;
  std::uint64_t s = sum;
  // 32-bit big-endian words into a 64-bit accumulator (RFC 1071 §2: any word size works, fold
  // at the end); then the odd 16-bit word and byte.
  for (; i + 4 <= d.size(); i += 4) {
    std::uint32_t w;
    std::memcpy(&w, d.data() + i, 4);
    s += __builtin_bswap32(w);
  }
  s = (s & 0xffffffff) + (s >> 32);
  s = (s & 0xffffffff) + (s >> 32);
  s = (s & 0xffff) + (s >> 16) ;
  for (; i + 1 < d.size(); i += 2) s += std::uint32_t(d[i] << 8 | d[i + 1]);
  if (i < d.size()) s += std::uint32_t(d[i] << 8);
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return static_cast<std::uint32_t>(s);
}

std::uint16_t transport_checksum(std::uint32_t src, std::uint32_t dst, std::uint8_t proto,
                                 ByteSpan seg, std::size_t off) {
  std::uint32_t s = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto +
                    std::uint32_t(seg.size());
  s = sum16(seg.subspan(0, off), s);
  if (seg.size() > off + 2) {
    // Re-align: the part after the checksum field starts on an even offset (off is even).
    s = sum16(seg.subspan(off + 2), s);
  }
  std::uint16_t c = static_cast<std::uint16_t>(~fold(s));
  // RFC 768: a computed UDP checksum of zero is sent as all ones (zero means "none").
  return proto == 17 && c == 0 ? 0xffff : c;
}

}  // namespace pxe::capture
