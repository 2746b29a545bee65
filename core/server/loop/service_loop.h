// The thread a socket service runs on (TFTP, SMB): an epoll set, an eventfd that stop() rings,
// and the start / stop / poll_once life cycle both servers share. The service owns its sockets
// and supplies two functions: `turn(max_wait_ms)` (one epoll round: wait, handle what is ready,
// fire due timers) and `end_all()` (close whatever is left, told to its peers). Once started,
// both run on the loop's thread only; before start() the owner may call turn() itself
// (poll_once, for tests on a ManualClock).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <thread>

#include "base/clock.h"
#include "base/result.h"
#include "base/unique_fd.h"

namespace pxe::server {

class ServiceLoop {
 public:
  // Opens the epoll set and the wake-up eventfd, registered under `wake_id` (the service's
  // turn() skips events with that id).
  static Result<std::unique_ptr<ServiceLoop>> open(std::uint64_t wake_id);
  ~ServiceLoop();  // stops a running thread (without end_all: the service stops it first)
  ServiceLoop(const ServiceLoop&) = delete;
  ServiceLoop& operator=(const ServiceLoop&) = delete;

  int epoll_fd() const { return epoll_.get(); }
  void add(int fd, std::uint64_t id, std::uint32_t events);
  void modify(int fd, std::uint64_t id, std::uint32_t events);
  void remove(int fd);

  // Runs turn(1000) on a new thread until stop(), then end_all() there. A second start, or a
  // start after stop, does nothing.
  void start(std::function<void(int)> turn, std::function<void()> end_all);
  // Rings the eventfd and joins the thread (which runs end_all last). Never started: calls
  // `end_all` here instead, so what was opened (and maybe polled) is closed all the same.
  void stop(const std::function<void()>& end_all);
  bool running() const { return thread_.joinable(); }

  // The epoll_wait timeout for a service whose earliest deadline is `next`: the time until it,
  // rounded up to a millisecond, at most `cap`; `cap` when there is none.
  static int wait_ms(std::optional<Timestamp> next, Timestamp now, int cap);

 private:
  ServiceLoop(UniqueFd epoll, UniqueFd wake) : epoll_(std::move(epoll)), wake_(std::move(wake)) {}

  UniqueFd epoll_;
  UniqueFd wake_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
};

}  // namespace pxe::server
