// Paths the tests need: the source tree (captures/, tests/golden/) and the built pxekit.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

namespace pxe::test {

std::string source_dir();          // the checkout's top level
std::string captures_dir();        // <source>/captures
std::string golden_dir();          // <source>/tests/golden
std::string pxekit_binary();       // the built pxekit
// True when PXE_UPDATE_GOLDEN=1: golden tests rewrite their expected files instead of comparing.
bool update_golden();
std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& content);
// Runs a shell command, returns its exit status and captures stdout.
int run(const std::string& command, std::string* out = nullptr);
// True when `name` is an executable on PATH.
bool have_program(const std::string& name);
// Waits until the file at `path` contains `text` (a program's readiness line, e.g. pxekit's
// "DHCP, IP range" or tcpdump's "listening on"), up to `timeout`: true when it appeared.
bool wait_for_text(const std::string& path, const std::string& text,
                   std::chrono::milliseconds timeout = std::chrono::seconds(10));
// Waits until process `pid` has gone (kill -0 fails), up to `timeout`.
bool wait_for_exit(const std::string& pid, std::chrono::milliseconds timeout = std::chrono::seconds(10));
// The file's contents, or "" when it does not exist (yet).
std::string slurp(const std::string& path);
// Waits until `pred` is true or `timeout` passes, trying every `step`: true when it became true.
template <class Pred>
bool wait_until(Pred pred, std::chrono::milliseconds timeout, std::chrono::milliseconds step = std::chrono::milliseconds(50)) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(step);
  }
  return pred();
}

// A fresh directory /tmp/<prefix>-XXXXXX (mkdtemp), removed with all it holds when this goes away.
// Throws std::runtime_error when it cannot be made.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace pxe::test
