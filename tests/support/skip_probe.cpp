// A test executable that only exists to check the shared gtest main: one test passes, one skips.
// ctest runs it with and without PXE_NO_SKIP=1 (see tests/CMakeLists.txt); it is never discovered
// as tests of its own.
#include <gtest/gtest.h>

TEST(SkipProbe, Passes) { EXPECT_EQ(1 + 1, 2); }

TEST(SkipProbe, Skips) { GTEST_SKIP() << "the probe's deliberate skip"; }
