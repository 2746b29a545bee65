// ASCII text helpers for protocol words: case-insensitive comparisons (TFTP modes and options,
// DHCP host names, vendor classes; no locale), trimming config text, and making client-supplied
// text safe to log.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

namespace pxe {

inline char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

inline bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

inline bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

// `s` without leading and trailing ASCII white space (space, tab, CR, LF, VT, FF): a config
// line's key or value, a log line's field. The one trim of the code base.
inline std::string_view trim(std::string_view s) {
  auto blank = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

// A config line without its comment: one runs from a '#' at the start of the line or after a blank,
// outside double quotes, to the end of the line (`port=0 # disable DNS server` is `port=0 `). The
// rule of dnsmasq.conf; the smb.conf reader uses it for trailing comments (smb_conf.cpp says why).
inline std::string_view strip_comment(std::string_view line) {
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '"') quoted = !quoted;
    if (line[i] == '#' && !quoted && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t'))
      return line.substr(0, i);
  }
  return line;
}

// Client-supplied text (a TFTP file name, a DHCP host name) as it may appear in a log line or a
// database row: printable ASCII is kept, every other byte (control characters, escape sequences,
// newlines that would forge a log line, non-ASCII) becomes \xNN, a backslash becomes \\, and
// the result is cut at `max` input bytes with "..." appended.
inline std::string log_safe(std::string_view s, std::size_t max = 256) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(std::min(s.size(), max) + 8);
  for (std::size_t i = 0; i < s.size() && i < max; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == '\\') {
      out += "\\\\";
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  if (s.size() > max) out += "...";
  return out;
}

}  // namespace pxe
