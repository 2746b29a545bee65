#include "client/progress.h"

#include <gtest/gtest.h>

using namespace pxe;
using namespace pxe::client;
using namespace std::chrono_literals;

TEST(ProgressBar, ALongFileIsDrawnEveryFifthOfASecondThenErased) {
  ProgressBar bar;
  Timestamp t{1'000'000};
  Progress p{"boot/winpe.iso", 0, 300'000'000};
  EXPECT_EQ(bar.update(p, t), "");  // just started
  p.bytes = 150'000'000;
  EXPECT_EQ(bar.update(p, t + 100ms), "");  // too soon
  EXPECT_EQ(bar.update(p, t + 10s), "\r  winpe.iso [##########          ]  50%  150.0/300.0 MB  15.0 MB/s");
  p.bytes = 151'000'000;
  EXPECT_EQ(bar.update(p, t + 10s + 50ms), "");
  EXPECT_EQ(bar.finish(), "\r\033[K");
  EXPECT_EQ(bar.finish(), "");
}

TEST(ProgressBar, ShortFilesDrawNothingAndTheNextFileStartsOver) {
  ProgressBar bar;
  Timestamp t{1'000'000};
  EXPECT_EQ(bar.update(Progress{"pxelinux.cfg/default", 200, 200}, t + 1s), "");
  EXPECT_EQ(bar.update(Progress{"pxelinux.cfg/default", 200, 200}, t + 2s), "");
  // Without a size (no tsize): bytes and rate only.
  EXPECT_EQ(bar.update(Progress{"I:\\setup.exe", 0, std::nullopt}, t + 2s), "");
  EXPECT_EQ(bar.update(Progress{"I:\\setup.exe", 4'000'000, std::nullopt}, t + 4s), "\r  setup.exe 4.0 MB  2.0 MB/s");
  // The transfer is over: the bar goes.
  EXPECT_EQ(bar.update(std::nullopt, t + 5s), "\r\033[K");
}
