// Network namespaces for tests: the one place that creates namespaces, veths, bridges and taps.
// Everything a test makes goes through one Netns, whose names all start with its prefix
// ("pxk" + the test's tag + the process id + a count within the process, so two tests or two
// processes never share a name) and which removes it all when it goes away, also when the test
// failed half way: the processes it spawned, then every process still inside its namespaces,
// then the namespaces (their veths, bridges and taps go with them). Nothing is made in the
// host's own namespace. Needs root and iproute2's `ip`.
//
// The usual shape is a server namespace and a client namespace joined by one veth
// (setup_pair), or a server namespace with a bridge and a tap for QEMU (setup_bridge); more
// namespaces and veths can be added to either (add_namespace, add_veth).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace pxe::test {

// Why a namespace test cannot run here, or "" when it can: not root, `ip netns` not working, or
// one of `programs` (a name on PATH or a path) missing.
std::string netns_unavailable(const std::vector<std::string>& programs = {});

class Netns {
 public:
  // `tag` (1-3 characters) names the test; see name().
  explicit Netns(const std::string& tag);
  ~Netns() { teardown(); }
  Netns(const Netns&) = delete;
  Netns& operator=(const Netns&) = delete;

  // prefix + suffix: every namespace and interface name this object makes (at most 15 characters).
  std::string name(const std::string& suffix) const { return prefix_ + suffix; }

  // Two namespaces, server_ns() and client_ns(), joined by a veth (server_if() / client_if(),
  // MTU 1500, up). `server_cidr` goes on the server end; `client_cidr` on the client end unless
  // empty. False, with the failing command and its output in *why, when a step fails.
  bool setup_pair(const std::string& server_cidr, const std::string& client_cidr, std::string* why = nullptr);
  // One namespace, server_ns(), with a bridge (server_if(), `server_cidr`) and a tap on it (tap())
  // for a VM's NIC; no client namespace.
  bool setup_bridge(const std::string& server_cidr, std::string* why = nullptr);

  // Building blocks. add_namespace makes `ns` (a name(suffix)) with lo up, and IPv6 off unless
  // `ipv6` (quiet captures; setup_pair and setup_bridge turn it off); add_veth joins two of this
  // object's namespaces (either may be the same one) with both ends up.
  bool add_namespace(const std::string& ns, std::string* why = nullptr, bool ipv6 = false);
  bool add_veth(const std::string& ns_a, const std::string& if_a, const std::string& ns_b, const std::string& if_b,
                std::string* why = nullptr);
  // Runs `ip -n <ns> <args>` as a set-up step (addresses, masters, renames).
  bool ip(const std::string& ns, const std::string& args, std::string* why = nullptr);
  // Gives the server end of the pair another name inside its namespace (the "eno1" a seed's
  // dnsmasq.conf names), keeping its address; server_if() says the new name from then on.
  bool rename_server_if(const std::string& name, std::string* why = nullptr);

  std::string server_ns() const { return name("s"); }
  std::string client_ns() const { return name("c"); }
  std::string server_if() const { return !server_if_.empty() ? server_if_ : bridged_ ? name("b") : name("a"); }
  std::string client_if() const { return name("z"); }
  std::string tap() const { return name("t"); }
  // The addresses given to setup_pair / setup_bridge, without the prefix length.
  std::string server_ip() const { return server_ip_; }
  std::string client_ip() const { return client_ip_; }
  // The MAC of `dev` in `ns`, "52:54:..." ("" when unknown).
  std::string mac(const std::string& ns, const std::string& dev) const;

  std::string client_mac() const { return mac(client_ns(), client_if()); }

  // "ip netns exec <ns> <command>", for a shell command line that runs `command` in `ns`.
  static std::string exec_in(const std::string& ns, const std::string& command);
  std::string in_server(const std::string& command) const { return exec_in(server_ns(), command); }
  std::string in_client(const std::string& command) const { return exec_in(client_ns(), command); }
  // Runs a shell command in `ns` and waits for it; stdout+stderr into *out. Its exit status.
  int run(const std::string& ns, const std::string& command, std::string* out = nullptr) const;
  // Starts `argv` in `ns` in its own process group, stdout+stderr to `log`; killed at teardown
  // unless stopped before. Its pid.
  pid_t spawn(const std::string& ns, const std::vector<std::string>& argv, const std::string& log);
  // Stops one spawned process: SIGTERM to its group, SIGKILL after `grace`.
  void stop(pid_t pid, std::chrono::milliseconds grace = std::chrono::milliseconds(2000));
  // Calls `fn` on this thread moved into `ns`, then moves the thread back; threads `fn` starts
  // stay in `ns` (and sockets it opens belong to it). False when `ns` could not be entered.
  static bool in_namespace(const std::string& ns, const std::function<void()>& fn);

  // Removes everything (also done by the destructor); the object can be set up again.
  void teardown();

 private:
  bool step(const std::string& command, std::string* why);

  std::string prefix_;
  std::vector<std::string> namespaces_;  // made by this object, in order
  std::vector<pid_t> pids_;
  std::string server_ip_, client_ip_;
  std::string server_if_;  // set by rename_server_if
  bool bridged_ = false;
};

}  // namespace pxe::test
