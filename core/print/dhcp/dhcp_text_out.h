// Internal to the DHCP text printer: a buffered output sink and tcpdump-style value writers.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "base/addr.h"
#include "base/bytes.h"
#include "wire/dhcp/dhcp_options.h"

namespace pxe::print::dhcp_text_detail {

namespace dw = pxe::wire::dhcp;

// Appends into a stack buffer and hands it to the std::string in large pieces: the printer does
// hundreds of tiny appends per packet and std::string's per-call overhead dominated.
class Sink {
 public:
  explicit Sink(std::string& out) : out_(out) {}
  ~Sink() { flush(); }
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  // Room for k more bytes (k <= kCap).
  char* reserve(std::size_t k) {
    if (kCap - n_ < k) flush();
    return buf_ + n_;
  }
  void commit(std::size_t k) { n_ += k; }
  void push_back(char c) {
    if (n_ == kCap) flush();
    buf_[n_++] = c;
  }
  inline Sink& operator+=(std::string_view s) {
    if (s.size() > kCap) {
      flush();
      out_.append(s);
      return *this;
    }
    std::memcpy(reserve(s.size()), s.data(), s.size());
    n_ += s.size();
    return *this;
  }
  void flush() {
    out_.append(buf_, n_);
    n_ = 0;
  }

 private:
  static constexpr std::size_t kCap = 4096;
  std::string& out_;
  std::size_t n_ = 0;
  char buf_[kCap];
};

// tcpdump's quoted-string escaping (as append_tcpdump_string in print/text_out.h), into a Sink.
inline void append_tcpdump_string(Sink& out, ByteSpan s) {
  while (!s.empty()) {
    std::size_t chunk = s.size() < 512 ? s.size() : 512;
    char* p = out.reserve(chunk * 4);
    char* start = p;
    for (std::size_t i = 0; i < chunk; ++i) {
      std::uint8_t c = s[i];
      if (c >= 0x80) {
        *p++ = 'M';
        *p++ = '-';
        c &= 0x7f;
      }
      if (c < 0x20 || c == 0x7f) {
        *p++ = '^';
        *p++ = c == 0x7f ? '?' : char(c + '@');
      } else {
        *p++ = char(c);
      }
    }
    out.commit(std::size_t(p - start));
    s = s.subspan(chunk);
  }
}

inline constexpr std::string_view kTrunc = " [|bootp]";
inline constexpr std::string_view kOptionLine = "\n\t    ";
inline constexpr std::string_view kSubLine = "\n\t      ";

inline void put_u(Sink& out, std::uint64_t v) {
  char* p = out.reserve(20);
  if (v < 10) {
    p[0] = char('0' + v);
    return out.commit(1);
  }
  if (v < 100) {
    p[0] = char('0' + v / 10);
    p[1] = char('0' + v % 10);
    return out.commit(2);
  }
  if (v < 1000) {
    p[0] = char('0' + v / 100);
    p[1] = char('0' + v / 10 % 10);
    p[2] = char('0' + v % 10);
    return out.commit(3);
  }
  out.commit(std::size_t(std::to_chars(p, p + 20, v).ptr - p));
}

inline void put_i(Sink& out, std::int64_t v) {
  char* p = out.reserve(21);
  out.commit(std::size_t(std::to_chars(p, p + 21, v).ptr - p));
}

inline constexpr char kHex[] = "0123456789abcdef";

inline void put_hex_byte(Sink& out, std::uint8_t b) {
  char* p = out.reserve(2);
  p[0] = kHex[b >> 4];
  p[1] = kHex[b & 15];
  out.commit(2);
}

// "%x" without leading zeros.
inline void put_hex(Sink& out, std::uint32_t v) {
  char buf[8];
  int n = 0;
  do {
    buf[n++] = kHex[v & 15];
    v >>= 4;
  } while (v);
  while (n) out.push_back(buf[--n]);
}

inline void put_hex4(Sink& out, std::uint16_t v) {
  put_hex_byte(out, std::uint8_t(v >> 8));
  put_hex_byte(out, std::uint8_t(v));
}

inline void put_ip(Sink& out, const std::uint8_t* p) {
  out.commit(Ipv4(p[0], p[1], p[2], p[3]).write(out.reserve(15)));
}

inline void put_mac(Sink& out, const std::uint8_t* p) {
  out.commit(Mac::from_bytes(ByteSpan(p, 6)).write(out.reserve(17)));
}

inline void put_quoted(Sink& out, ByteSpan s) {
  out.push_back('"');
  append_tcpdump_string(out, s);
  out.push_back('"');
}

inline std::uint16_t be16(const std::uint8_t* p) { return std::uint16_t(p[0] << 8 | p[1]); }
inline std::uint32_t be32(const std::uint8_t* p) {
  return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3];
}

// tcpdump's print_unknown_data(): hex_print with an indent, 16 bytes a line, bytes in pairs.
inline void put_hex_dump(Sink& out, std::string_view indent, ByteSpan d) {
  for (std::size_t i = 0; i < d.size(); i += 2) {
    if (i % 16 == 0) {
      out += indent;
      out += "0x";
      put_hex4(out, std::uint16_t(i));
      out += ": ";
    }
    out.push_back(' ');
    put_hex_byte(out, d[i]);
    if (i + 1 < d.size()) put_hex_byte(out, d[i + 1]);
  }
}

// Values by tcpdump's format letters.
inline void put_bytes(Sink& out, ByteSpan d, char sep, bool hex) {
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (i) out.push_back(sep);
    if (hex) put_hex_byte(out, d[i]);
    else put_u(out, d[i]);
  }
}

// Returns the number of bytes consumed.
inline std::size_t put_words(Sink& out, ByteSpan d, dw::ValueKind k) {
  std::size_t i = 0;
  for (; d.size() - i >= 4; i += 4) {
    if (i) out.push_back(',');
    const std::uint8_t* p = d.data() + i;
    if (k == dw::ValueKind::Ipv4List) put_ip(out, p);
    else if (k == dw::ValueKind::S32) put_i(out, std::int32_t(be32(p)));
    else put_u(out, be32(p));
  }
  return i;
}

inline bool starts_with_pxeclient(ByteSpan v) {
  static constexpr std::string_view k = "PXEClient";
  return v.size() >= k.size() && std::memcmp(v.data(), k.data(), k.size()) == 0;
}

// PXE option 43 / iPXE option 175 sub-option lines (dhcp_text_pxe.cpp).
void put_suboptions(Sink& out, ByteSpan v, bool ipxe);

}  // namespace pxe::print::dhcp_text_detail
