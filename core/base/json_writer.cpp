#include "base/json_writer.h"

#include <charconv>
#include <cmath>

namespace pxe {

void JsonWriter::separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!has_elem_.empty()) {
    if (has_elem_.back()) out_.push_back(',');
    has_elem_.back() = true;
  }
}

JsonWriter& JsonWriter::begin_object() {
  separate();
  out_.push_back('{');
  has_elem_.push_back(false);
  return *this;
}
JsonWriter& JsonWriter::end_object() {
  out_.push_back('}');
  has_elem_.pop_back();
  return *this;
}
JsonWriter& JsonWriter::begin_array() {
  separate();
  out_.push_back('[');
  has_elem_.push_back(false);
  return *this;
}
JsonWriter& JsonWriter::end_array() {
  out_.push_back(']');
  has_elem_.pop_back();
  return *this;
}
JsonWriter& JsonWriter::key(std::string_view k) {
  separate();
  // Keys are nearly always plain identifiers: copy them whole when nothing needs escaping.
  bool plain = true;
  for (char c : k) plain &= c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  if (plain) {
    out_.push_back('"');
    out_.append(k);
    out_.push_back('"');
  } else {
    escape(out_, k);
  }
  out_.push_back(':');
  after_key_ = true;
  return *this;
}
JsonWriter& JsonWriter::value(std::string_view s) {
  separate();
  escape(out_, s);
  return *this;
}
JsonWriter& JsonWriter::value(bool b) {
  separate();
  out_ += b ? "true" : "false";
  return *this;
}
JsonWriter& JsonWriter::value(std::int64_t v) {
  separate();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, r.ptr);
  return *this;
}
JsonWriter& JsonWriter::value(std::uint64_t v) {
  separate();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out_.append(buf, r.ptr);
  return *this;
}
JsonWriter& JsonWriter::value(double v) {
  separate();
  if (!std::isfinite(v)) {
    out_ += "null";
    return *this;
  }
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 6);
  out_.append(buf, r.ptr);
  return *this;
}
JsonWriter& JsonWriter::null() {
  separate();
  out_ += "null";
  return *this;
}

void JsonWriter::escape(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  // Fast path: copy runs of characters that need no escaping in one append.
  std::size_t run = 0;
  while (run < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[run]);
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') break;
    ++run;
  }
  out.append(s.data(), run);
  s.remove_prefix(run);
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          // Bytes from the wire are not necessarily UTF-8: escape everything outside
          // printable ASCII as \u00XX so the output is always valid JSON.
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
        } else {
          out.push_back(char(c));
        }
    }
  }
  out.push_back('"');
}

}  // namespace pxe
