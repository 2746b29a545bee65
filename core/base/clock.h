// Time as the protocol machines see it: injected, so tests can drive a manual clock.
#pragma once

#include <chrono>

namespace pxe {

using Duration = std::chrono::microseconds;
// Microseconds since the Unix epoch (wall time for captures, monotonic for machines).
struct Timestamp {
  std::int64_t us = 0;
  friend auto operator<=>(Timestamp, Timestamp) = default;
  Timestamp operator+(Duration d) const { return {us + d.count()}; }
  Duration operator-(Timestamp o) const { return Duration(us - o.us); }
};

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Timestamp now() const override {
    using namespace std::chrono;
    return {duration_cast<microseconds>(system_clock::now().time_since_epoch()).count()};
  }
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start = {}) : now_(start) {}
  Timestamp now() const override { return now_; }
  void advance(Duration d) { now_ = now_ + d; }
  void set(Timestamp t) { now_ = t; }

 private:
  Timestamp now_;
};

}  // namespace pxe
