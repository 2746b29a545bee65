// RFC 1350 §4 transfer identifiers: a datagram from a port other than the transfer's TID gets
// ERROR 5 "Unknown transfer ID" back and does not disturb the transfer. Two exceptions keep that
// answer from feeding a loop (CVE-2024-2169: two servers, or a spoofed peer, bouncing ERRORs
// forever): an ERROR is never answered, and at most kPerSecond ERROR 5s go out per transfer and
// second. One rule for both sides: the server's Transfer (its per-transfer socket sees strangers)
// and the client's Receiver (which latches the server's TID itself).
#pragma once

#include <cstdint>

#include "base/bytes.h"
#include "base/clock.h"

namespace pxe::proto::tftp {

// The ERROR 5 datagram, encoded once.
const Bytes& unknown_tid_error();

class UnknownTidReplies {
 public:
  // Enough for a confused peer to learn, too few to feed a loop or a reflection.
  static constexpr unsigned kPerSecond = 3;

  // True when `datagram` (from a stranger, at `now`) is to be answered with unknown_tid_error().
  bool should_answer(ByteSpan datagram, Timestamp now);
  std::uint64_t sent() const { return total_; }

 private:
  Timestamp window_{};  // the second in which count_ answers went out
  unsigned count_ = 0;
  std::uint64_t total_ = 0;
};

}  // namespace pxe::proto::tftp
