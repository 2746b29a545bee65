// Network namespaces for interop tests: a server namespace and a client namespace joined by a
// veth pair (10.77.<n>.1 and .2, MTU 1500), or a server namespace with a bridge and a tap for
// QEMU. Every name starts with "pxkt" and carries the test process id; everything created,
// including processes started in the namespaces, is removed by the destructor.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/test_paths.h"

namespace pxe::server::tftp::test {

// Why a namespace test cannot run here, or "" when it can.
inline std::string netns_unavailable(const std::vector<std::string>& programs) {
  if (::geteuid() != 0) return "needs root (network namespaces)";
  for (const auto& p : programs)
    if (!pxe::test::have_program(p) && ::access(p.c_str(), X_OK) != 0) return p + " is not installed";
  if (pxe::test::run("ip netns list >/dev/null 2>&1") != 0) return "ip netns does not work here";
  return "";
}

class Netns {
 public:
  // kind "veth": namespaces <base>s and <base>c; kind "tap": <base>s with bridge + tap.
  explicit Netns(std::string tag, bool with_client = true, int subnet = 77)
      : base_("pxkt" + tag + std::to_string(::getpid() % 100000)), client_(with_client), subnet_(subnet) {}
  ~Netns() { teardown(); }
  Netns(const Netns&) = delete;
  Netns& operator=(const Netns&) = delete;

  std::string server_ns() const { return base_ + "s"; }
  std::string client_ns() const { return base_ + "c"; }
  std::string server_ip() const { return "10." + std::to_string(subnet_) + ".0.1"; }
  std::string client_ip() const { return "10." + std::to_string(subnet_) + ".0.2"; }
  std::string bridge() const { return base_ + "b"; }
  std::string tap() const { return base_ + "t"; }
  std::string server_if() const { return client_ ? base_ + "a" : bridge(); }

  // Creates the namespaces; false (with `why`) when a step fails.
  bool setup(std::string* why) {
    teardown();
    std::string s = server_ns(), c = client_ns();
    std::vector<std::string> steps = {"ip netns add " + s, "ip -n " + s + " link set lo up",
                                      "ip netns exec " + s + " sysctl -qw net.ipv6.conf.all.disable_ipv6=1"};
    if (client_) {
      steps.insert(steps.end(),
                   {"ip netns add " + c, "ip -n " + c + " link set lo up",
                    "ip netns exec " + c + " sysctl -qw net.ipv6.conf.all.disable_ipv6=1",
                    "ip -n " + s + " link add " + base_ + "a type veth peer name " + base_ + "z netns " + c,
                    "ip -n " + s + " addr add " + server_ip() + "/24 dev " + base_ + "a",
                    "ip -n " + c + " addr add " + client_ip() + "/24 dev " + base_ + "z",
                    "ip -n " + s + " link set " + base_ + "a up", "ip -n " + c + " link set " + base_ + "z up"});
    } else {
      steps.insert(steps.end(),
                   {"ip -n " + s + " link add " + bridge() + " type bridge stp_state 0 forward_delay 0",
                    "ip -n " + s + " addr add " + server_ip() + "/24 dev " + bridge(),
                    "ip -n " + s + " link set " + bridge() + " up",
                    "ip -n " + s + " tuntap add dev " + tap() + " mode tap",
                    "ip -n " + s + " link set " + tap() + " master " + bridge(),
                    "ip -n " + s + " link set " + tap() + " up"});
    }
    created_ = true;
    for (const auto& step : steps) {
      std::string out;
      if (pxe::test::run(step + " 2>&1", &out) != 0) {
        if (why) *why = step + ": " + out;
        return false;
      }
    }
    return true;
  }

  // Starts a program inside a namespace; stdout+stderr go to `log`. Returns its pid.
  pid_t spawn(const std::string& ns, const std::vector<std::string>& argv, const std::string& log) {
    pid_t pid = ::fork();
    if (pid == 0) {
      ::setpgid(0, 0);
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      int devnull = ::open("/dev/null", O_RDONLY);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      if (devnull >= 0) ::dup2(devnull, 0);
      std::vector<std::string> full = {"ip", "netns", "exec", ns};
      full.insert(full.end(), argv.begin(), argv.end());
      std::vector<char*> args;
      for (auto& a : full) args.push_back(a.data());
      args.push_back(nullptr);
      ::execvp("ip", args.data());
      ::_exit(127);
    }
    if (pid > 0) pids_.push_back(pid);
    return pid;
  }

  // Stops one process started with spawn (SIGTERM, then SIGKILL after `grace`).
  void stop(pid_t pid, std::chrono::milliseconds grace = std::chrono::milliseconds(2000)) {
    if (pid <= 0) return;
    ::kill(-pid, SIGTERM);
    auto until = std::chrono::steady_clock::now() + grace;
    while (std::chrono::steady_clock::now() < until) {
      if (::waitpid(pid, nullptr, WNOHANG) == pid) return forget(pid);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(-pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    forget(pid);
  }

  // Runs a shell command inside a namespace and waits for it.
  int run(const std::string& ns, const std::string& command, std::string* out = nullptr) {
    return pxe::test::run("ip netns exec " + ns + " sh -c '" + command + "' 2>&1", out);
  }

  void teardown() {
    for (auto it = pids_.rbegin(); it != pids_.rend(); ++it) {
      ::kill(-*it, SIGKILL);
      ::waitpid(*it, nullptr, 0);
    }
    pids_.clear();
    if (!created_) {
      // Left over from an earlier run of this process id: remove quietly.
      pxe::test::run("ip netns del " + server_ns() + " 2>/dev/null; ip netns del " + client_ns() + " 2>/dev/null");
      return;
    }
    for (const auto& ns : {server_ns(), client_ns()}) {
      std::string left;
      pxe::test::run("ip netns pids " + ns + " 2>/dev/null", &left);
      for (std::size_t i = 0; i < left.size();) {
        std::size_t j = left.find('\n', i);
        if (j == std::string::npos) j = left.size();
        std::string p = left.substr(i, j - i);
        if (!p.empty()) ::kill(std::stoi(p), SIGKILL);
        i = j + 1;
      }
      pxe::test::run("ip netns del " + ns + " 2>/dev/null");
    }
    created_ = false;
  }

 private:
  void forget(pid_t pid) { std::erase(pids_, pid); }

  std::string base_;
  bool client_;
  int subnet_;
  bool created_ = false;
  std::vector<pid_t> pids_;
};

// The file's contents, or "" when it does not exist (yet).
inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Waits until `pred` is true or `timeout` passes.
template <class Pred>
bool wait_until(Pred pred, std::chrono::milliseconds timeout, std::chrono::milliseconds step = std::chrono::milliseconds(50)) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(step);
  }
  return pred();
}

}  // namespace pxe::server::tftp::test
