#include "transport/interface_link.h"

#include <fmt/format.h>
#include <sys/epoll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "transport/frame.h"

namespace pxe::transport {

InterfaceLink::InterfaceLink(PacketSocket sock, UniqueFd epoll, const Clock& clock)
    : sock_(std::move(sock)), epoll_(std::move(epoll)), clock_(clock) {}

Result<std::unique_ptr<InterfaceLink>> InterfaceLink::open(const std::string& ifname, const Clock& clock) {
  auto sock = PacketSocket::open(ifname);
  if (!sock) return sock.error();
  int ep = ::epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) return make_error(fmt::format("epoll: {}", std::strerror(errno)));
  UniqueFd epoll(ep);
  epoll_event ev{};
  ev.events = EPOLLIN;
  if (::epoll_ctl(ep, EPOLL_CTL_ADD, sock->fd(), &ev) != 0)
    return make_error(fmt::format("epoll_ctl: {}", std::strerror(errno)));
  return std::unique_ptr<InterfaceLink>(new InterfaceLink(std::move(*sock), std::move(epoll), clock));
}

void InterfaceLink::attach(Station& s, Mac mac) { stations_.attach(s, mac); }
void InterfaceLink::attach_all(Station& s) { stations_.attach(s, std::nullopt); }

void InterfaceLink::send(Bytes frame) {
  Pending p{std::move(frame), true, current_};
  if (hook_) {
    FrameVerdict v = hook_(p.frame, clock_.now());
    if (v.drop) return;
    if (v.replace) p.frame = std::move(*v.replace);
    if (v.delay > Duration::zero()) {
      delayed_.emplace(clock_.now() + v.delay, std::move(p));
      return;
    }
  }
  transmit(std::move(p));
}

void InterfaceLink::transmit(Pending p) {
  if (p.outgoing) {
    if (tap_) tap_(p.frame, clock_.now());
    ++sent_;
    auto r = sock_.send(p.frame);
    if (!r && !error_) error_ = r.error();
  }
  local_.push_back(std::move(p));  // for the other stations (outgoing) or all of them (received)
}

void InterfaceLink::deliver(const Bytes& frame, const Station* origin) {
  const Timestamp now = clock_.now();
  for (Station* s : stations_.recipients(frame, origin)) {
    current_ = s;
    s->on_frame(frame, now);
  }
  current_ = nullptr;
}

bool InterfaceLink::fire_due() {
  bool fired = false;
  for (Station* s : stations_.all()) {
    auto d = s->next_deadline();
    if (d && *d <= clock_.now()) {
      current_ = s;
      s->on_time(clock_.now());
      current_ = nullptr;
      fired = true;
    }
  }
  return fired;
}

std::optional<Timestamp> InterfaceLink::next_event() const {
  std::optional<Timestamp> t;
  if (!delayed_.empty()) t = delayed_.begin()->first;
  if (auto d = stations_.next_deadline(); d && (!t || *d < *t)) t = d;
  return t;
}

Result<bool> InterfaceLink::run_until(const std::function<bool()>& done, Timestamp limit) {
  std::vector<Bytes> in;
  for (;;) {
    if (error_) return *error_;
    // Everything due now: frames for stations (they may send more), delayed frames, timers.
    bool busy = true;
    while (busy) {
      busy = false;
      while (!local_.empty()) {
        std::vector<Pending> batch;
        batch.swap(local_);
        for (auto& p : batch) deliver(p.frame, p.origin);
        busy = true;
      }
      while (!delayed_.empty() && delayed_.begin()->first <= clock_.now()) {
        Pending p = std::move(delayed_.begin()->second);
        delayed_.erase(delayed_.begin());
        if (p.outgoing) {
          transmit(std::move(p));
        } else {
          if (tap_) tap_(p.frame, clock_.now());
          local_.push_back(std::move(p));
        }
        busy = true;
      }
      if (fire_due()) busy = true;
      if (done()) return true;
      // A station that keeps acting at once (a deadline it never moves) ends the run at the limit.
      if (busy && clock_.now() >= limit) return false;
    }
    if (error_) return *error_;
    const Timestamp now = clock_.now();
    if (now >= limit) return false;
    Timestamp wake = limit;
    if (auto e = next_event(); e && *e < wake) wake = *e;
    long long wait_us = std::max<long long>(0, (wake - now).count());
    int timeout_ms = static_cast<int>(std::min<long long>((wait_us + 999) / 1000, 1000));
    epoll_event ev{};
    int n = ::epoll_wait(epoll_.get(), &ev, 1, timeout_ms);
    if (n < 0 && errno != EINTR) return make_error(fmt::format("epoll_wait: {}", std::strerror(errno)));
    if (n <= 0) continue;
    in.clear();
    auto got = sock_.receive(in, 256);
    if (!got) return got.error();
    for (auto& f : in) {
      ++received_;
      Pending p{std::move(f), false, nullptr};
      if (hook_) {
        FrameVerdict v = hook_(p.frame, clock_.now());
        if (v.drop) continue;
        if (v.replace) p.frame = std::move(*v.replace);
        if (v.delay > Duration::zero()) {
          delayed_.emplace(clock_.now() + v.delay, std::move(p));
          continue;
        }
      }
      if (tap_) tap_(p.frame, clock_.now());
      local_.push_back(std::move(p));
    }
  }
}

}  // namespace pxe::transport
