// Per-client request rate limit: a token bucket per source address. A PXE boot asks for a dozen
// names in a second (pxelinux's config search), so the default burst is generous; a client
// flooding requests is throttled without affecting the others. Sans-I/O (time comes in), so the
// admission decision can use it and tests drive it with a manual clock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>

#include "base/addr.h"
#include "base/clock.h"

namespace pxe::proto::tftp {

class RateLimiter {
 public:
  // At most this many addresses are tracked (about 64 bytes each): a flood from spoofed addresses
  // cannot grow the table without bound.
  static constexpr std::size_t kMaxTracked = 4096;

  RateLimiter(double per_second, double burst) : rate_(per_second), burst_(burst) {}
  // True when a request from `client` may go ahead now (takes one token).
  bool allow(Ipv4 client, Timestamp now);
  std::size_t tracked() const { return buckets_.size(); }

 private:
  struct Bucket {
    double tokens;
    Timestamp last;
  };
  void sweep(Timestamp now);  // forgets clients whose buckets are full again

  double rate_, burst_;
  std::unordered_map<std::uint32_t, Bucket> buckets_;
  Timestamp last_sweep_{};
};

}  // namespace pxe::proto::tftp
