// Helpers for tcpdump -vv shaped text. Protocol printers append to a std::string; fmt formats
// straight into it (no iostreams on the hot path).
#pragma once

#include <fmt/format.h>

#include <iterator>
#include <string>
#include <string_view>

#include "base/bytes.h"

namespace pxe::print {

// tcpdump's indentation for the detail lines of a UDP application protocol: "\n\t  ".
inline constexpr std::string_view kDetail = "\n\t  ";

template <class... Args>
inline void append(std::string& out, fmt::format_string<Args...> f, Args&&... args) {
  fmt::format_to(std::back_inserter(out), f, std::forward<Args>(args)...);
}

// Appends printable ASCII as-is and other bytes as tcpdump does in quoted strings
// (NUL as "^@", control characters as "^X", high bytes as "M-x").
void append_tcpdump_string(std::string& out, ByteSpan s);

}  // namespace pxe::print
