#include "proto/tftp/rate_limit.h"

#include <algorithm>
#include <chrono>

namespace pxe::proto::tftp {

void RateLimiter::sweep(Timestamp now) {
  last_sweep_ = now;
  std::erase_if(buckets_, [&](const auto& kv) {
    double secs = std::chrono::duration<double>(now - kv.second.last).count();
    return kv.second.tokens + secs * rate_ >= burst_;
  });
}

bool RateLimiter::allow(Ipv4 client, Timestamp now) {
  if (rate_ <= 0) return true;  // unlimited
  if (now - last_sweep_ > std::chrono::seconds(60)) sweep(now);
  if (buckets_.size() >= kMaxTracked && !buckets_.contains(client.value)) {
    sweep(now);
    // Still full: thousands of addresses asked within a minute (spoofed, most likely). Starting
    // over costs a flooder one fresh burst, and keeps the memory bounded; the per-client and total
    // transfer caps still hold.
    if (buckets_.size() >= kMaxTracked) buckets_.clear();
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

}  // namespace pxe::proto::tftp
