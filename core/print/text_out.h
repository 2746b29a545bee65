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

// Formats into a stack buffer first and appends once: a back_inserter on std::string would
// push_back character by character (the decoder's hottest path).
template <class... Args>
inline void append(std::string& out, fmt::format_string<Args...> f, Args&&... args) {
  fmt::memory_buffer buf;
  fmt::format_to(fmt::appender(buf), f, std::forward<Args>(args)...);
  out.append(buf.data(), buf.size());
}

// Appends printable ASCII as-is and other bytes as tcpdump does in quoted strings
// (NUL as "^@", control characters as "^X", high bytes as "M-x").
void append_tcpdump_string(std::string& out, ByteSpan s);

}  // namespace pxe::print
