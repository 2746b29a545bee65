#include "base/addr.h"

#include <charconv>

namespace pxe {

std::size_t Ipv4::write(char* out) const {
  char* p = out;
  for (int shift = 24; shift >= 0; shift -= 8) {
    unsigned o = (value >> shift) & 0xff;
    if (o >= 100) *p++ = char('0' + o / 100);
    if (o >= 10) *p++ = char('0' + o / 10 % 10);
    *p++ = char('0' + o % 10);
    if (shift) *p++ = '.';
  }
  return std::size_t(p - out);
}

std::string Ipv4::str() const {
  char buf[16];
  return std::string(buf, write(buf));
}

std::optional<Ipv4> Ipv4::parse(std::string_view text) {
  std::uint32_t v = 0;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  for (int i = 0; i < 4; ++i) {
    unsigned octet = 0;
    auto [next, ec] = std::from_chars(p, end, octet);
    if (ec != std::errc() || next == p || octet > 255 || next - p > 3) return std::nullopt;
    v = v << 8 | octet;
    p = next;
    if (i < 3) {
      if (p == end || *p != '.') return std::nullopt;
      ++p;
    }
  }
  if (p != end) return std::nullopt;
  return Ipv4(v);
}

static constexpr char kHex[] = "0123456789abcdef";

std::size_t Mac::write(char* out) const {
  char* p = out;
  for (int i = 0; i < 6; ++i) {
    *p++ = kHex[octets[i] >> 4];
    *p++ = kHex[octets[i] & 15];
    if (i < 5) *p++ = ':';
  }
  return 17;
}

std::string Mac::str() const {
  char buf[17];
  return std::string(buf, write(buf));
}

std::optional<Mac> Mac::parse(std::string_view text) {
  Mac m;
  std::size_t pos = 0;
  for (int i = 0; i < 6; ++i) {
    if (pos + 2 > text.size()) return std::nullopt;
    unsigned v = 0;
    auto [next, ec] = std::from_chars(text.data() + pos, text.data() + pos + 2, v, 16);
    if (ec != std::errc() || next != text.data() + pos + 2) return std::nullopt;
    m.octets[i] = std::uint8_t(v);
    pos += 2;
    if (i < 5) {
      if (pos >= text.size() || (text[pos] != ':' && text[pos] != '-')) return std::nullopt;
      ++pos;
    }
  }
  if (pos != text.size()) return std::nullopt;
  return m;
}

std::string hex(ByteSpan b, char sep) {
  std::string s;
  s.reserve(b.size() * 3);
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (sep && i) s.push_back(sep);
    s.push_back(kHex[b[i] >> 4]);
    s.push_back(kHex[b[i] & 15]);
  }
  return s;
}

}  // namespace pxe
