#include "server/loop/service_loop.h"

#include <gtest/gtest.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace pxe::server {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

TEST(ServiceLoop, WaitIsTheTimeToTheDeadlineRoundedUpAndCapped) {
  const Timestamp now{1'000'000};
  EXPECT_EQ(ServiceLoop::wait_ms(std::nullopt, now, 1000), 1000);
  EXPECT_EQ(ServiceLoop::wait_ms(now, now, 1000), 0);
  EXPECT_EQ(ServiceLoop::wait_ms(now + milliseconds(-5), now, 1000), 0);  // overdue
  EXPECT_EQ(ServiceLoop::wait_ms(now + microseconds(1), now, 1000), 1);   // never 0 before it is due
  EXPECT_EQ(ServiceLoop::wait_ms(now + microseconds(2500), now, 1000), 3);
  EXPECT_EQ(ServiceLoop::wait_ms(now + milliseconds(5000), now, 1000), 1000);
}

TEST(ServiceLoop, StopWithoutStartEndsWhatWasOpenedHere) {
  auto loop = ServiceLoop::open(1);
  ASSERT_TRUE(loop.ok()) << loop.error().what;
  int ended = 0;
  (*loop)->stop([&] { ++ended; });
  EXPECT_EQ(ended, 1);
  EXPECT_FALSE((*loop)->running());
}

TEST(ServiceLoop, TurnsOnItsThreadUntilStopThenEndsThere) {
  auto opened = ServiceLoop::open(1);
  ASSERT_TRUE(opened.ok()) << opened.error().what;
  ServiceLoop& loop = **opened;
  std::atomic<int> turns{0};
  std::atomic<bool> ended_on_loop_thread{false};
  const auto caller = std::this_thread::get_id();
  loop.start(
      [&](int max_wait_ms) {
        // The service's turn: wait on the loop's epoll set (the wake-up eventfd is in it).
        epoll_event ev[4];
        ::epoll_wait(loop.epoll_fd(), ev, 4, max_wait_ms);
        ++turns;
      },
      [&] { ended_on_loop_thread = std::this_thread::get_id() != caller; });
  EXPECT_TRUE(loop.running());
  while (turns == 0) std::this_thread::sleep_for(milliseconds(1));
  auto t0 = std::chrono::steady_clock::now();
  int ended_here = 0;
  loop.stop([&] { ++ended_here; });  // the eventfd wakes the 1 s wait at once
  EXPECT_LT(std::chrono::steady_clock::now() - t0, milliseconds(900));
  EXPECT_FALSE(loop.running());
  EXPECT_TRUE(ended_on_loop_thread);
  EXPECT_EQ(ended_here, 0);
}

TEST(ServiceLoop, AddedDescriptorsWakeATurnWithTheirId) {
  auto opened = ServiceLoop::open(1);
  ASSERT_TRUE(opened.ok()) << opened.error().what;
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  (*opened)->add(p[0], 42, EPOLLIN);
  ASSERT_EQ(::write(p[1], "x", 1), 1);
  epoll_event ev{};
  ASSERT_EQ(::epoll_wait((*opened)->epoll_fd(), &ev, 1, 1000), 1);
  EXPECT_EQ(ev.data.u64, 42u);
  (*opened)->remove(p[0]);
  EXPECT_EQ(::epoll_wait((*opened)->epoll_fd(), &ev, 1, 0), 0);
  ::close(p[0]);
  ::close(p[1]);
}

}  // namespace
}  // namespace pxe::server
