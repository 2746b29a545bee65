#include "wire/tcp/segment.h"

#include <fmt/format.h>

namespace pxe::wire::tcp {

std::string flags_text(std::uint8_t f) {
  std::string out;
  if (f & flag::kSyn) out += 'S';
  if (f & flag::kFin) out += 'F';
  if (f & flag::kRst) out += 'R';
  if (f & flag::kPsh) out += 'P';
  if (f & flag::kAck) out += '.';
  return out.empty() ? "none" : out;
}

std::string describe(const Segment& s) {
  std::string out = fmt::format("[{}] seq {}", flags_text(s.flags), s.seq);
  if (!s.payload.empty()) out += fmt::format(":{}", s.seq + static_cast<std::uint32_t>(s.payload.size()));
  if (s.has(flag::kAck)) out += fmt::format(" ack {}", s.ack);
  out += fmt::format(" win {}", s.window);
  if (s.mss) out += fmt::format(" mss {}", *s.mss);
  if (s.wscale) out += fmt::format(" wscale {}", *s.wscale);
  if (!s.payload.empty()) out += fmt::format(" length {}", s.payload.size());
  return out;
}

}  // namespace pxe::wire::tcp
