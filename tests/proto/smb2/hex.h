// Hex strings for the known-answer vectors; whitespace inside them is only line wrapping.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/bytes.h"

namespace pxe::test {

inline Bytes unhex(std::string_view s) {
  Bytes out;
  int hi = -1;
  for (char c : s) {
    int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
          : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (v < 0) continue;
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(std::uint8_t(hi << 4 | v));
      hi = -1;
    }
  }
  return out;
}

inline std::string hex(std::span<const std::uint8_t> b) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (auto x : b) {
    s += kDigits[x >> 4];
    s += kDigits[x & 15];
  }
  return s;
}

template <std::size_t N>
std::array<std::uint8_t, N> unhex_array(std::string_view s) {
  Bytes b = unhex(s);
  std::array<std::uint8_t, N> a{};
  for (std::size_t i = 0; i < N && i < b.size(); ++i) a[i] = b[i];
  return a;
}

}  // namespace pxe::test
