// An in-memory Ethernet segment with a manual clock: stations (simulated clients, the
// in-process server, a recorder) exchange frames through it, in order, with no sockets and no
// real time. Deterministic: the same stations and the same hook give the same run.
//
// A frame sent is queued for clock.now() + the hook's delay; run_until delivers due frames in
// the order they were sent (ties by send order), calls stations' on_time when their deadlines
// come, and advances the clock straight to the next due frame or deadline.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "base/addr.h"
#include "base/bytes.h"
#include "base/clock.h"
#include "transport/stations.h"

namespace pxe::transport {

// Where a station's frames go: the in-memory Link, or a real interface (InterfaceLink). Stations
// take a FrameOut, so the same SimulatedClient / InProcessServer runs on either.
class FrameOut {
 public:
  virtual ~FrameOut() = default;
  virtual void send(Bytes frame) = 0;
};

// A fault/observer hook on every frame sent: may drop, delay (deliver later), or rewrite it.
struct FrameVerdict {
  bool drop = false;
  Duration delay{};
  std::optional<Bytes> replace;
};
using FrameHook = std::function<FrameVerdict(ByteSpan frame, Timestamp now)>;
using FrameTap = std::function<void(ByteSpan frame, Timestamp now)>;

class Link : public FrameOut {
 public:
  explicit Link(ManualClock& clock);
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;

  // A station may be attached with several MACs (a client simulating many machines).
  void attach(Station& s, Mac mac);
  // Receives every frame (the server on a shared segment, a recorder).
  void attach_all(Station& s);
  // Queued for clock.now() + the hook's delay. A frame sent by a station while it handles a
  // frame or a timer is not delivered back to that station (a NIC does not hear itself).
  void send(Bytes frame) override;
  void set_hook(FrameHook hook);
  // Sees every frame when it is delivered (after the hook), once, whoever receives it.
  void set_tap(FrameTap tap);

  // Delivers due frames and fires due station timers; when nothing is due, advances the clock
  // to the earliest queued frame or station deadline. Stops with true as soon as done() holds;
  // with false when the next event lies past `limit` (the clock is then set to `limit`), when
  // nothing is left to happen, or when stations keep acting at one instant without end.
  bool run_until(const std::function<bool()>& done, Timestamp limit);

  ManualClock& clock() { return clock_; }
  std::size_t queued() const { return queue_.size(); }
  std::uint64_t delivered() const { return delivered_; }

 private:
  struct Pending {
    Bytes frame;
    const Station* origin;
  };
  void deliver(Pending p);
  bool deliver_due();   // one due frame, if any
  bool fire_due();      // every station whose deadline has come, once each
  std::optional<Timestamp> next_event() const;

  ManualClock& clock_;
  Stations stations_;
  std::map<std::pair<Timestamp, std::uint64_t>, Pending> queue_;
  std::uint64_t seq_ = 0;
  std::uint64_t delivered_ = 0;
  FrameHook hook_;
  FrameTap tap_;
  const Station* current_ = nullptr;  // the station being called, the origin of what it sends
};

}  // namespace pxe::transport
