// IPv4 and MAC address values and their text forms (dotted quad, colon hex).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.h"

namespace pxe {

// An IPv4 address in host byte order.
struct Ipv4 {
  std::uint32_t value = 0;

  constexpr Ipv4() = default;
  constexpr explicit Ipv4(std::uint32_t v) : value(v) {}
  constexpr Ipv4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d)
      : value(std::uint32_t(a) << 24 | std::uint32_t(b) << 16 | std::uint32_t(c) << 8 | d) {}

  bool is_zero() const { return value == 0; }
  std::string str() const;
  // Appends the dotted quad to out; returns the number of characters written (max 15).
  std::size_t write(char* out) const;
  static std::optional<Ipv4> parse(std::string_view text);
  static Ipv4 from_bytes(ByteSpan b) {  // b.size() >= 4
    return Ipv4(b[0], b[1], b[2], b[3]);
  }
  friend bool operator==(Ipv4, Ipv4) = default;
  friend auto operator<=>(Ipv4, Ipv4) = default;
};

struct Mac {
  std::array<std::uint8_t, 6> octets{};

  std::string str() const;  // 20:6a:8a:0f:74:75
  std::size_t write(char* out) const;  // 17 characters
  static std::optional<Mac> parse(std::string_view text);
  static Mac from_bytes(ByteSpan b) {  // b.size() >= 6
    Mac m;
    for (int i = 0; i < 6; ++i) m.octets[i] = b[i];
    return m;
  }
  bool is_zero() const {
    for (auto o : octets) if (o) return false;
    return true;
  }
  friend bool operator==(const Mac&, const Mac&) = default;
  friend auto operator<=>(const Mac&, const Mac&) = default;
};

// Lower-case hex of bytes with an optional separator between octets ("0a:0b", "0a0b").
std::string hex(ByteSpan b, char sep = '\0');

}  // namespace pxe
