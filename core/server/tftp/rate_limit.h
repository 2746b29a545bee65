// Per-client request rate limit: a token bucket per source address. A PXE boot asks for a dozen
// names in a second (pxelinux's config search), so the default burst is generous; a client
// flooding RRQs is throttled without affecting the others.
#pragma once

#include <cstdint>
#include <unordered_map>

#include "base/addr.h"
#include "base/clock.h"

namespace pxe::server::tftp {

class RateLimiter {
 public:
  RateLimiter(double per_second, double burst) : rate_(per_second), burst_(burst) {}
  // True when a request from `client` may go ahead now (takes one token).
  bool allow(Ipv4 client, Timestamp now);
  std::size_t tracked() const { return buckets_.size(); }

 private:
  struct Bucket {
    double tokens;
    Timestamp last;
  };
  double rate_, burst_;
  std::unordered_map<std::uint32_t, Bucket> buckets_;
  Timestamp last_sweep_{};
};

}  // namespace pxe::server::tftp
