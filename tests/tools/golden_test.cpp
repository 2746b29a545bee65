// Golden tests: `pxekit decode` of every capture in captures/, text and JSON, compared with the
// checked-in outputs under tests/golden/. PXE_UPDATE_GOLDEN=1 rewrites them (review the diff).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "support/test_paths.h"

namespace fs = std::filesystem;
using namespace pxe::test;

namespace {

std::vector<std::string> capture_names() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(captures_dir())) {
    auto ext = e.path().extension().string();
    if (ext == ".pcap" || ext == ".pcapng") names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string stem(const std::string& file) { return fs::path(file).stem().string(); }

void check_golden(const std::string& command, const std::string& golden_path) {
  std::string out;
  int rc = run(command, &out);
  ASSERT_EQ(rc, 0) << command;
  ASSERT_FALSE(out.empty()) << command;
  if (update_golden()) {
    write_file(golden_path, out);
    GTEST_SKIP() << "rewrote " << golden_path;
  }
  ASSERT_TRUE(fs::exists(golden_path)) << golden_path << " is missing: run with PXE_UPDATE_GOLDEN=1";
  std::string want = read_file(golden_path);
  if (out == want) return;
  // Show the first differing line rather than two huge strings.
  std::istringstream a(out), b(want);
  std::string la, lb;
  int line = 0;
  while (true) {
    ++line;
    bool ha = bool(std::getline(a, la)), hb = bool(std::getline(b, lb));
    if (!ha && !hb) break;
    if (la != lb || ha != hb) {
      FAIL() << golden_path << ": first difference at line " << line << "\n  got:  " << la
             << "\n  want: " << lb;
    }
  }
  FAIL() << golden_path << " differs";
}

class DecodeGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(DecodeGolden, TextMatchesGolden) {
  std::string f = GetParam();
  check_golden(pxekit_binary() + " decode --time relative " + captures_dir() + "/" + f,
               golden_dir() + "/" + stem(f) + ".txt");
}

TEST_P(DecodeGolden, JsonMatchesGolden) {
  std::string f = GetParam();
  check_golden(pxekit_binary() + " decode --format json " + captures_dir() + "/" + f,
               golden_dir() + "/" + stem(f) + ".jsonl");
}

INSTANTIATE_TEST_SUITE_P(Captures, DecodeGolden, ::testing::ValuesIn(capture_names()),
                         [](const auto& param_info) {
                           std::string n = stem(param_info.param);
                           std::replace_if(n.begin(), n.end(), [](char c) { return !std::isalnum(c); }, '_');
                           return n;
                         });

}  // namespace
