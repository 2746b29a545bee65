// Helpers shared by the HTML report tests: ladder steps written inline, and counting matches.
#pragma once

#include <cstdint>
#include <string>

#include "diag/report.h"

namespace pxe::diag::test {

// A ladder arrow `seconds` after `origin_us`.
inline LadderStep step(std::uint64_t frame, double seconds, bool from_client, std::string peer, std::string label,
                       bool failing = false, bool noise = false, std::int64_t origin_us = 0) {
  LadderStep s;
  s.frame = frame;
  s.time = Timestamp{origin_us + static_cast<std::int64_t>(seconds * 1e6)};
  s.from_client = from_client;
  s.peer = std::move(peer);
  s.label = std::move(label);
  s.failing = failing;
  s.noise = noise;
  return s;
}

// How many times needle occurs in text (overlapping matches counted).
inline std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

}  // namespace pxe::diag::test
