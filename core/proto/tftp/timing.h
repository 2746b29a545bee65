// Retransmission and give-up timing shared by the sender and the receiver.
#pragma once

#include <algorithm>
#include <chrono>
#include <vector>

#include "base/clock.h"

namespace pxe::proto::tftp {

struct Timing {
  Duration retransmit = std::chrono::seconds(1);     // first retransmission timeout
  Duration max_retransmit = std::chrono::seconds(8);  // backoff stops doubling here
  unsigned max_retries = 6;                           // consecutive timeouts before giving up
  // RFC 2349 lets a peer ask for a retransmission timeout of up to 255 s, and retries multiply it.
  // These two bound how long a silent peer holds a transfer slot, whatever it asked for; neither
  // limits a transfer that keeps moving (a 4 GiB file over a slow link takes as long as it takes).
  Duration first_answer = std::chrono::seconds(5);  // start -> the peer's first answer (ACK/DATA)
  Duration idle = std::chrono::seconds(30);         // last progress -> give up
  // A firmware's own table of waits (pxelinux: 2, 2, 3 ... 255 ticks of ~55 ms): the n-th wait is
  // schedule[n] (the last entry repeats). Empty: exponential backoff from `retransmit`.
  std::vector<Duration> schedule;
};

// The wait before retransmission number `retries` + 1: the schedule's entry when there is one,
// else retransmit * 2^retries, capped at max_retransmit.
inline Duration backoff(const Timing& t, unsigned retries) {
  if (!t.schedule.empty()) return t.schedule[std::min<std::size_t>(retries, t.schedule.size() - 1)];
  Duration d = t.retransmit * (1LL << std::min(retries, 16u));
  return std::min(d, std::max(t.max_retransmit, t.retransmit));
}

// Block numbers are 16 bits on the wire and wrap past 65535 (to 0, as most clients expect);
// the machines count blocks in 64 bits. Given the last acknowledged 64-bit block and a 16-bit
// number from the wire, the distance forward from `base` (0..65535).
inline std::uint64_t blocks_ahead(std::uint64_t base, std::uint16_t wire_block) {
  return static_cast<std::uint16_t>(wire_block - static_cast<std::uint16_t>(base));
}

}  // namespace pxe::proto::tftp
