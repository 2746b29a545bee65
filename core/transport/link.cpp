#include "transport/link.h"

#include <algorithm>

#include "transport/frame.h"

namespace pxe::transport {
namespace {

// Rounds at one instant before run_until gives up: stations that answer each other forever
// without time passing (or a deadline that on_time never clears) would otherwise hang a test.
constexpr int kMaxRoundsPerInstant = 1'000'000;

}  // namespace

Link::Link(ManualClock& clock) : clock_(clock) {}

void Link::attach(Station& s, Mac mac) { stations_.attach(s, mac); }
void Link::attach_all(Station& s) { stations_.attach(s, std::nullopt); }
void Link::set_hook(FrameHook hook) { hook_ = std::move(hook); }
void Link::set_tap(FrameTap tap) { tap_ = std::move(tap); }

void Link::send(Bytes frame) {
  Timestamp at = clock_.now();
  if (hook_) {
    FrameVerdict v = hook_(frame, clock_.now());
    if (v.drop) return;
    if (v.replace) frame = std::move(*v.replace);
    if (v.delay > Duration::zero()) at = at + v.delay;
  }
  queue_.emplace(std::pair{at, seq_++}, Pending{std::move(frame), current_});
}

void Link::deliver(Pending p) {
  ++delivered_;
  const Timestamp now = clock_.now();
  if (tap_) tap_(p.frame, now);
  for (Station* s : stations_.recipients(p.frame, p.origin)) {
    current_ = s;
    s->on_frame(p.frame, now);
  }
  current_ = nullptr;
}

bool Link::deliver_due() {
  if (queue_.empty() || queue_.begin()->first.first > clock_.now()) return false;
  Pending p = std::move(queue_.begin()->second);
  queue_.erase(queue_.begin());
  deliver(std::move(p));
  return true;
}

bool Link::fire_due() {
  bool fired = false;
  const Timestamp now = clock_.now();
  for (Station* s : stations_.all()) {
    auto d = s->next_deadline();
    if (d && *d <= now) {
      current_ = s;
      s->on_time(now);
      current_ = nullptr;
      fired = true;
    }
  }
  return fired;
}

std::optional<Timestamp> Link::next_event() const {
  std::optional<Timestamp> t;
  if (!queue_.empty()) t = queue_.begin()->first.first;
  if (auto d = stations_.next_deadline(); d && (!t || *d < *t)) t = d;
  return t;
}

bool Link::run_until(const std::function<bool()>& done, Timestamp limit) {
  int rounds = 0;
  Timestamp instant = clock_.now();
  while (true) {
    if (done()) return true;
    if (clock_.now() != instant) {
      instant = clock_.now();
      rounds = 0;
    }
    if (++rounds > kMaxRoundsPerInstant) return false;
    if (deliver_due()) continue;
    if (fire_due()) continue;
    std::optional<Timestamp> next = next_event();
    if (!next) return false;
    if (*next > limit) {
      if (limit > clock_.now()) clock_.set(limit);
      return false;
    }
    if (*next > clock_.now()) clock_.set(*next);
  }
}

}  // namespace pxe::transport
