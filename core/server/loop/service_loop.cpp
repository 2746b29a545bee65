#include "server/loop/service_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

namespace pxe::server {

Result<std::unique_ptr<ServiceLoop>> ServiceLoop::open(std::uint64_t wake_id) {
  UniqueFd epoll(::epoll_create1(EPOLL_CLOEXEC));
  if (!epoll.valid()) return make_error(std::string("epoll_create1: ") + std::strerror(errno));
  UniqueFd wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake.valid()) return make_error(std::string("eventfd: ") + std::strerror(errno));
  std::unique_ptr<ServiceLoop> loop(new ServiceLoop(std::move(epoll), std::move(wake)));
  loop->add(loop->wake_.get(), wake_id, EPOLLIN);
  return loop;
}

ServiceLoop::~ServiceLoop() {
  if (thread_.joinable()) stop([] {});
}

void ServiceLoop::add(int fd, std::uint64_t id, std::uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = id;
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev);
}

void ServiceLoop::modify(int fd, std::uint64_t id, std::uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = id;
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &ev);
}

int ServiceLoop::wait_ms(std::optional<Timestamp> next, Timestamp now, int cap) {
  if (!next) return cap;
  auto us = (*next - now).count();
  if (us <= 0) return 0;
  return static_cast<int>(std::min<std::int64_t>((us + 999) / 1000, cap));
}

void ServiceLoop::remove(int fd) { ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr); }

void ServiceLoop::start(std::function<void(int)> turn, std::function<void()> end_all) {
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this, turn = std::move(turn), end_all = std::move(end_all)] {
    while (!stopping_) turn(1000);
    end_all();
  });
}

void ServiceLoop::stop(const std::function<void()>& end_all) {
  if (!thread_.joinable()) {
    end_all();
    return;
  }
  stopping_ = true;
  std::uint64_t one = 1;
  (void)!::write(wake_.get(), &one, sizeof one);
  thread_.join();
}

}  // namespace pxe::server
