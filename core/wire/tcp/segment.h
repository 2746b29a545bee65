// A TCP segment as the endpoint machine (proto/tcp) and the frame builder (transport/frame.h)
// exchange it: the header fields a small endpoint uses, the two SYN options it speaks (MSS and
// window scale, RFC 9293 3.2 / RFC 7323 2), and the payload. Building and parsing the bytes is
// libtins' job in transport/frame.cpp; this is the value both sides agree on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/bytes.h"

namespace pxe::wire::tcp {

namespace flag {
inline constexpr std::uint8_t kFin = 0x01;
inline constexpr std::uint8_t kSyn = 0x02;
inline constexpr std::uint8_t kRst = 0x04;
inline constexpr std::uint8_t kPsh = 0x08;
inline constexpr std::uint8_t kAck = 0x10;
}  // namespace flag

struct Segment {
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0;
  std::uint16_t window = 0;              // as on the wire (scaled by the receiver's shift)
  std::optional<std::uint16_t> mss;      // SYN only
  std::optional<std::uint8_t> wscale;    // SYN only
  Bytes payload;

  bool has(std::uint8_t f) const { return (flags & f) != 0; }
  // Sequence space the segment occupies: its payload, plus one for SYN and one for FIN.
  std::uint32_t space() const {
    return static_cast<std::uint32_t>(payload.size()) + (has(flag::kSyn) ? 1u : 0u) + (has(flag::kFin) ? 1u : 0u);
  }
  friend bool operator==(const Segment&, const Segment&) = default;
};

// Sequence-number order modulo 2^32 (RFC 9293 3.4): a before b.
constexpr bool seq_lt(std::uint32_t a, std::uint32_t b) { return static_cast<std::int32_t>(a - b) < 0; }
constexpr bool seq_le(std::uint32_t a, std::uint32_t b) { return static_cast<std::int32_t>(a - b) <= 0; }

// tcpdump's flag letters: "S", "S.", "P.", "F.", "R." ...
std::string flags_text(std::uint8_t flags);
// One line for -v: "[S] seq 100 win 65535 mss 1460 wscale 7", "[P.] seq 101:201 ack 5 win 8192".
std::string describe(const Segment& s);

}  // namespace pxe::wire::tcp
