#include "wire/smb2/utf16.h"

namespace pxe::wire::smb2 {
namespace {

void put_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(char(cp));
  } else if (cp < 0x800) {
    out.push_back(char(0xC0 | cp >> 6));
    out.push_back(char(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(char(0xE0 | cp >> 12));
    out.push_back(char(0x80 | (cp >> 6 & 0x3F)));
    out.push_back(char(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(char(0xF0 | cp >> 18));
    out.push_back(char(0x80 | (cp >> 12 & 0x3F)));
    out.push_back(char(0x80 | (cp >> 6 & 0x3F)));
    out.push_back(char(0x80 | (cp & 0x3F)));
  }
}

constexpr std::uint32_t kReplacement = 0xFFFD;

}  // namespace

std::string utf16le_to_utf8(ByteSpan s) {
  std::string out;
  out.reserve(s.size() / 2);
  std::size_t i = 0;
  auto unit = [&](std::size_t at) { return std::uint32_t(s[at] | s[at + 1] << 8); };
  while (i + 1 < s.size()) {
    std::uint32_t u = unit(i);
    i += 2;
    if (u >= 0xD800 && u < 0xDC00) {
      if (i + 1 < s.size()) {
        std::uint32_t lo = unit(i);
        if (lo >= 0xDC00 && lo < 0xE000) {
          i += 2;
          put_utf8(out, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
          continue;
        }
      }
      put_utf8(out, kReplacement);
    } else if (u >= 0xDC00 && u < 0xE000) {
      put_utf8(out, kReplacement);
    } else {
      put_utf8(out, u);
    }
  }
  if (i < s.size()) put_utf8(out, kReplacement);
  return out;
}

Bytes utf8_to_utf16le(std::string_view s) {
  Bytes out;
  out.reserve(s.size() * 2);
  auto put = [&](std::uint32_t u) {
    out.push_back(std::uint8_t(u));
    out.push_back(std::uint8_t(u >> 8));
  };
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = std::uint8_t(s[i]);
    std::uint32_t cp = kReplacement;
    std::size_t len = 1;
    if (c < 0x80) {
      cp = c;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
    }
    if (len > 1) {
      if (i + len > s.size()) {
        len = s.size() - i;
      } else {
        cp = c & (0x7F >> len);
        for (std::size_t k = 1; k < len; ++k) {
          auto cc = std::uint8_t(s[i + k]);
          if ((cc & 0xC0) != 0x80) { cp = kReplacement; len = k; break; }
          cp = cp << 6 | (cc & 0x3F);
        }
      }
    }
    i += len;
    if (cp >= 0x10000 && cp < 0x110000) {
      cp -= 0x10000;
      put(0xD800 + (cp >> 10));
      put(0xDC00 + (cp & 0x3FF));
    } else if (cp < 0x10000) {
      put(cp);
    } else {
      put(kReplacement);
    }
  }
  return out;
}

}  // namespace pxe::wire::smb2
