#include "support/test_paths.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace pxe::test {

std::string source_dir() { return PXE_SOURCE_DIR; }
std::string captures_dir() { return source_dir() + "/captures"; }
std::string golden_dir() { return source_dir() + "/tests/golden"; }
std::string pxekit_binary() { return PXEKIT_BIN; }

bool update_golden() {
  const char* v = std::getenv("PXE_UPDATE_GOLDEN");
  return v && std::string(v) == "1";
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path);
  out << content;
}

int run(const std::string& command, std::string* out) {
  FILE* p = popen(command.c_str(), "r");
  if (!p) return -1;
  char buf[65536];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0)
    if (out) out->append(buf, n);
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

bool have_program(const std::string& name) {
  return run("command -v " + name + " >/dev/null 2>&1") == 0;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);  // may not exist (yet)
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool wait_for_text(const std::string& path, const std::string& text, std::chrono::milliseconds timeout) {
  return wait_until([&] { return slurp(path).find(text) != std::string::npos; }, timeout,
                    std::chrono::milliseconds(20));
}

bool wait_for_exit(const std::string& pid, std::chrono::milliseconds timeout) {
  return wait_until([&] { return run("kill -0 " + pid + " 2>/dev/null") != 0; }, timeout,
                    std::chrono::milliseconds(20));
}

TempDir::TempDir(const std::string& prefix) {
  std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
  if (!::mkdtemp(tmpl.data()))
    throw std::runtime_error("mkdtemp " + tmpl + ": " + std::strerror(errno));
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace pxe::test
