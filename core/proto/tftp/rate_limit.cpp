#include "server/tftp/rate_limit.h"

#include <algorithm>
#include <chrono>

namespace pxe::server::tftp {

bool RateLimiter::allow(Ipv4 client, Timestamp now) {
  if (rate_ <= 0) return true;  // unlimited
  // Forget clients whose buckets are full again, so the table stays bounded.
  if (now - last_sweep_ > std::chrono::seconds(60)) {
    last_sweep_ = now;
    std::erase_if(buckets_, [&](const auto& kv) {
      double secs = std::chrono::duration<double>(now - kv.second.last).count();
      return kv.second.tokens + secs * rate_ >= burst_;
    });
  }
  auto [it, fresh] = buckets_.try_emplace(client.value, Bucket{burst_, now});
  Bucket& b = it->second;
  if (!fresh) {
    double secs = std::chrono::duration<double>(now - b.last).count();
    b.tokens = std::min(burst_, b.tokens + std::max(0.0, secs) * rate_);
    b.last = now;
  }
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

}  // namespace pxe::server::tftp
