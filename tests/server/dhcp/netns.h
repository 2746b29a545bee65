// Two network namespaces joined by a veth pair, created by a test and removed in every path
// (destructor). Names start with "pxkd" so leftovers are easy to spot. Needs root and `ip`.
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <thread>

#include "support/test_paths.h"

namespace pxe::test {

class NetnsPair {
 public:
  // Server side gets 192.168.77.1/24; the client side has no address.
  NetnsPair() {
    std::string id = std::to_string(::getpid() % 100000) + std::to_string(counter()++);
    server_ns = "pxkd" + id + "s";
    client_ns = "pxkd" + id + "c";
    server_if = "pxkd" + id + "a";
    client_if = "pxkd" + id + "b";
  }
  ~NetnsPair() { cleanup(); }

  // Why the test cannot run here (empty when it can).
  static std::string unavailable() {
    if (::geteuid() != 0) return "needs root (network namespaces)";
    if (!have_program("ip")) return "needs iproute2's `ip`";
    return {};
  }

  bool setup() {
    created_ = true;
    return sh("ip netns add " + server_ns) && sh("ip netns add " + client_ns) &&
           sh("ip link add " + server_if + " netns " + server_ns + " type veth peer name " + client_if +
              " netns " + client_ns) &&
           sh(in_server("ip addr add 192.168.77.1/24 dev " + server_if)) &&
           sh(in_server("ip link set " + server_if + " up")) && sh(in_server("ip link set lo up")) &&
           sh(in_client("ip link set " + client_if + " up")) && sh(in_client("ip link set lo up"));
  }
  void cleanup() {
    if (!created_) return;
    run("ip netns del " + server_ns + " 2>/dev/null");
    run("ip netns del " + client_ns + " 2>/dev/null");
    created_ = false;
  }

  std::string in_server(const std::string& cmd) const { return "ip netns exec " + server_ns + " " + cmd; }
  std::string in_client(const std::string& cmd) const { return "ip netns exec " + client_ns + " " + cmd; }
  std::string client_mac() const {
    std::string out;
    run(in_client("cat /sys/class/net/" + client_if + "/address"), &out);
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
  }

  // Runs `fn` on a thread that has joined namespace `ns`; threads it starts stay there.
  static void in_namespace(const std::string& ns, const std::function<void()>& fn) {
    std::thread t([&] {
      int fd = ::open(("/var/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
      if (fd >= 0 && ::setns(fd, CLONE_NEWNET) == 0) fn();
      if (fd >= 0) ::close(fd);
    });
    t.join();
  }

  std::string server_ns, client_ns, server_if, client_if;

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  static bool sh(const std::string& cmd) { return run(cmd + " >/dev/null 2>&1") == 0; }
  bool created_ = false;
};

}  // namespace pxe::test
