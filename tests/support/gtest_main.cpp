// The main() of every test executable. With PXE_NO_SKIP=1 in the environment (CI sets it), a
// skipped test makes the run exit non-zero, so ctest reports it failed: CI has root and every peer
// program installed, so a skip there means a check silently did not run. Without the variable a
// skip stays a skip (a developer's machine may lack QEMU or chromium).
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <iostream>

namespace {

class SkipIsFailure : public ::testing::EmptyTestEventListener {
 public:
  void OnTestEnd(const ::testing::TestInfo& info) override {
    const ::testing::TestResult& r = *info.result();
    if (!r.Skipped()) return;
    skipped_ = true;
    std::string why;
    for (int i = 0; i < r.total_part_count(); ++i)
      if (r.GetTestPartResult(i).skipped()) why += r.GetTestPartResult(i).message();
    std::cout << "[ NO SKIP  ] " << info.test_suite_name() << "." << info.name()
              << " was skipped and PXE_NO_SKIP=1 makes that a failure: "
              << (why.empty() ? "(no reason given)" : why) << std::endl;
  }
  bool skipped() const { return skipped_; }

 private:
  bool skipped_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  const char* no_skip = std::getenv("PXE_NO_SKIP");
  SkipIsFailure* listener = nullptr;
  if (no_skip && std::strcmp(no_skip, "1") == 0) {
    listener = new SkipIsFailure;  // owned by gtest's listener list
    ::testing::UnitTest::GetInstance()->listeners().Append(listener);
  }
  int rc = RUN_ALL_TESTS();
  if (rc == 0 && listener && listener->skipped()) return 1;
  return rc;
}
