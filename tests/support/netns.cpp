#include "support/netns.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/test_paths.h"

namespace pxe::test {

namespace {

std::string strip_prefix_length(const std::string& cidr) { return cidr.substr(0, cidr.find('/')); }

// An open namespace file, closed on every path.
struct Fd {
  int fd;
  explicit Fd(const std::string& path) : fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::string netns_unavailable(const std::vector<std::string>& programs) {
  if (::geteuid() != 0) return "needs root (network namespaces)";
  if (!have_program("ip")) return "needs iproute2's `ip`";
  for (const auto& p : programs)
    if (!have_program(p) && ::access(p.c_str(), X_OK) != 0) return p + " is not installed";
  if (run("ip netns list >/dev/null 2>&1") != 0) return "ip netns does not work here";
  return "";
}

Netns::Netns(const std::string& tag) {
  if (tag.empty() || tag.size() > 3) throw std::invalid_argument("Netns tag '" + tag + "': 1-3 characters");
  static int count = 0;
  char id[16];
  std::snprintf(id, sizeof id, "%05d%02d", int(::getpid() % 100000), count++ % 100);
  prefix_ = "pxk" + tag + id;  // + a one-letter suffix: at most 14 of IFNAMSIZ's 15
}

bool Netns::step(const std::string& command, std::string* why) {
  std::string out;
  if (pxe::test::run(command + " 2>&1", &out) == 0) return true;
  if (why) *why = command + ": " + out;
  return false;
}

bool Netns::add_namespace(const std::string& ns, std::string* why, bool ipv6) {
  // A namespace of this name can only be left over from a killed process with the same id.
  pxe::test::run("ip netns del " + ns + " 2>/dev/null");
  if (!step("ip netns add " + ns, why)) return false;
  namespaces_.push_back(ns);
  return ip(ns, "link set lo up", why) &&
         (ipv6 ||
          step(exec_in(ns, "sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1"), why));
}

bool Netns::add_veth(const std::string& ns_a, const std::string& if_a, const std::string& ns_b,
                     const std::string& if_b, std::string* why) {
  return ip(ns_a, "link add " + if_a + " type veth peer name " + if_b + " netns " + ns_b, why) &&
         ip(ns_a, "link set " + if_a + " up", why) && ip(ns_b, "link set " + if_b + " up", why);
}

bool Netns::ip(const std::string& ns, const std::string& args, std::string* why) {
  return step("ip -n " + ns + " " + args, why);
}

bool Netns::rename_server_if(const std::string& name, std::string* why) {
  const std::string s = server_ns(), old = server_if();
  if (!ip(s, "link set " + old + " down", why) || !ip(s, "link set " + old + " name " + name, why)) return false;
  server_if_ = name;
  return ip(s, "link set " + name + " up", why);
}

bool Netns::setup_pair(const std::string& server_cidr, const std::string& client_cidr, std::string* why) {
  teardown();
  bridged_ = false;
  server_ip_ = strip_prefix_length(server_cidr);
  client_ip_ = strip_prefix_length(client_cidr);
  return add_namespace(server_ns(), why) && add_namespace(client_ns(), why) &&
         add_veth(server_ns(), server_if(), client_ns(), client_if(), why) &&
         ip(server_ns(), "addr add " + server_cidr + " dev " + server_if(), why) &&
         (client_cidr.empty() || ip(client_ns(), "addr add " + client_cidr + " dev " + client_if(), why));
}

bool Netns::setup_bridge(const std::string& server_cidr, std::string* why) {
  teardown();
  bridged_ = true;
  server_ip_ = strip_prefix_length(server_cidr);
  client_ip_.clear();
  const std::string s = server_ns();
  return add_namespace(s, why) &&
         ip(s, "link add " + server_if() + " type bridge stp_state 0 forward_delay 0", why) &&
         ip(s, "addr add " + server_cidr + " dev " + server_if(), why) &&
         ip(s, "link set " + server_if() + " up", why) &&
         ip(s, "tuntap add dev " + tap() + " mode tap", why) &&
         ip(s, "link set " + tap() + " master " + server_if(), why) && ip(s, "link set " + tap() + " up", why);
}

std::string Netns::mac(const std::string& ns, const std::string& dev) const {
  std::string out;
  run(ns, "cat /sys/class/net/" + dev + "/address", &out);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string Netns::exec_in(const std::string& ns, const std::string& command) {
  return "ip netns exec " + ns + " " + command;
}

int Netns::run(const std::string& ns, const std::string& command, std::string* out) const {
  std::string quoted;  // command inside single quotes
  for (char c : command) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return pxe::test::run(exec_in(ns, "sh -c '" + quoted + "' 2>&1"), out);
}

pid_t Netns::spawn(const std::string& ns, const std::vector<std::string>& argv, const std::string& log) {
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

void Netns::stop(pid_t pid, std::chrono::milliseconds grace) {
  if (pid <= 0 || std::find(pids_.begin(), pids_.end(), pid) == pids_.end()) return;
  std::erase(pids_, pid);
  ::kill(-pid, SIGTERM);
  auto until = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < until) {
    if (::waitpid(pid, nullptr, WNOHANG) == pid) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(-pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

bool Netns::in_namespace(const std::string& ns, const std::function<void()>& fn) {
  Fd self("/proc/thread-self/ns/net"), target("/var/run/netns/" + ns);
  if (self.fd < 0 || target.fd < 0 || ::setns(target.fd, CLONE_NEWNET) != 0) return false;
  struct Back {
    int fd;
    ~Back() { (void)::setns(fd, CLONE_NEWNET); }
  } back{self.fd};
  fn();
  return true;
}

void Netns::teardown() {
  for (auto it = pids_.rbegin(); it != pids_.rend(); ++it) {
    ::kill(-*it, SIGKILL);
    ::waitpid(*it, nullptr, 0);
  }
  pids_.clear();
  for (auto ns = namespaces_.rbegin(); ns != namespaces_.rend(); ++ns) {
    // What the test started there some other way (a shell's `&`, a server's helper) goes too.
    std::string left;
    pxe::test::run("ip netns pids " + *ns + " 2>/dev/null", &left);
    std::istringstream in(left);
    for (pid_t p; in >> p;) ::kill(p, SIGKILL);
    pxe::test::run("ip netns del " + *ns + " 2>/dev/null");
  }
  namespaces_.clear();
  server_if_.clear();
}

}  // namespace pxe::test
