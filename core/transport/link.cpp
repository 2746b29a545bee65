#include "transport/link.h"

#include <algorithm>

#include "transport/frame.h"

namespace pxe::transport {
namespace {

// Rounds at one instant before run_until gives up: stations that answer each other forever
// without time passing (or a deadline that on_time never clears) would otherwise hang a test.
constexpr int kMaxRoundsPerInstant = 1'000'000;

bool is_group(const Mac& m) { return (m.octets[0] & 0x01) != 0; }  // broadcast or multicast

}  // namespace

Link::Link(ManualClock& clock) : clock_(clock) {}

void Link::attach(Station& s, Mac mac) { attached_.push_back({&s, mac}); }
void Link::attach_all(Station& s) { attached_.push_back({&s, std::nullopt}); }
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
  std::optional<Mac> dst = frame_dst_mac(p.frame);
  std::vector<Station*> to;
  for (const Attachment& a : attached_) {
    if (a.station == p.origin) continue;
    bool wants = !a.mac || (dst && (is_group(*dst) || *dst == *a.mac));
    if (wants && std::find(to.begin(), to.end(), a.station) == to.end()) to.push_back(a.station);
  }
  for (Station* s : to) {
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
  std::vector<Station*> seen;
  for (std::size_t i = 0; i < attached_.size(); ++i) {  // attached_ may not grow meanwhile,
    Station* s = attached_[i].station;                   // but index, not iterators, anyway
    if (std::find(seen.begin(), seen.end(), s) != seen.end()) continue;
    seen.push_back(s);
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
  for (const Attachment& a : attached_) {
    auto d = a.station->next_deadline();
    if (d && (!t || *d < *t)) t = d;
  }
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
