// The first seed's whole job from one process: its dnsmasq.conf and its smb.conf, verbatim
// (trailing "# Required" comments included), served by `pxekit serve -C dnsmasq.conf --smb-conf
// smb.conf` on an interface named eno1 inside a namespace the test creates (port 445 there is the
// namespace's own). From the client namespace smbclient does what WinPE's
// `net use I: \\192.168.42.1\GUEST /user:user pass` does: the unknown user becomes a guest
// (map to guest = Bad User), the [guest] share (guest ok) is read, and setup.exe comes back
// byte-identical; the log says who connected.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include <unistd.h>

#include "support/test_paths.h"

namespace pxe::test {
namespace {

constexpr const char* kSeedDnsmasq =
    "port=0 # disable DNS server\n"
    "interface=eno1\n"
    "bind-interfaces\n"
    "dhcp-option=3,192.168.42.1 # default gateway\n"
    "dhcp-option=6,8.8.8.8,8.8.4.4 # dns servers\n"
    "dhcp-range=192.168.42.10,192.168.42.20,12h\n"
    "dhcp-boot=boot/pxelinux.0\n"
    "enable-tftp\n"
    "tftp-root=/tmp/win-pxe/tftp\n";

constexpr const char* kSeedSmb =
    "[global]\n"
    "map to guest = Bad User # Required\n"
    "workgroup = home\n"
    "log level = 5\n"
    "unix extensions = No\n"
    "client min protocol = SMB2\n"
    "client max protocol = SMB3\n"
    "\n"
    "min protocol = SMB2\n"
    "max protocol = SMB3\n"
    "\n"
    "state directory = /tmp/win-pxe/samba\n"
    "pid directory = /tmp/win-pxe/samba\n"
    "cache directory = /tmp/win-pxe/samba\n"
    "lock directory = /tmp/win-pxe/samba\n"
    "\n"
    "# \"guest\" in between [] is the name of the share\n"
    "[guest]\n"
    "path = /tmp/win10iso # Required\n"
    "readonly = yes\n"
    "guest ok = yes # Required\n";

// Two namespaces joined by a veth pair, every name "pxks<pid>..."; removed (with what runs in
// them) by the destructor.
struct SeedNet {
  std::string id = std::to_string(::getpid() % 100000);
  std::string server_ns = "pxks" + id + "s", client_ns = "pxks" + id + "c";
  std::string server_if = "pxks" + id + "a", client_if = "pxks" + id + "z";
  static std::string unavailable() {
    if (::geteuid() != 0) return "needs root (network namespaces)";
    if (run("ip netns list >/dev/null 2>&1") != 0) return "ip netns does not work here";
    return "";
  }
  bool setup() {
    cleanup();
    for (const std::string& c :
         {"ip netns add " + server_ns, "ip netns add " + client_ns,
          "ip -n " + server_ns + " link add " + server_if + " type veth peer name " + client_if + " netns " + client_ns,
          "ip -n " + server_ns + " link set lo up", "ip -n " + client_ns + " link set lo up",
          "ip -n " + client_ns + " link set " + client_if + " up"})
      if (run(c + " 2>&1") != 0) return false;
    return true;
  }
  void cleanup() {
    for (const auto& ns : {server_ns, client_ns}) {
      std::string pids;
      run("ip netns pids " + ns + " 2>/dev/null", &pids);
      if (!pids.empty()) run("kill -9 " + pids + " 2>/dev/null");
      run("ip netns del " + ns + " 2>/dev/null");
    }
  }
  std::string in_server(const std::string& cmd) const { return "ip netns exec " + server_ns + " " + cmd; }
  std::string in_client(const std::string& cmd) const { return "ip netns exec " + client_ns + " " + cmd; }
};

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

TEST(SmbServeSeed, FirstSeedConfigsServeSetupExeToTheBlogsNetUse) {
  if (auto why = SeedNet::unavailable(); !why.empty()) GTEST_SKIP() << why;
  if (!have_program("smbclient")) GTEST_SKIP() << "needs smbclient";
  namespace fs = std::filesystem;
  // The seed's share path: made (and removed) by the test; a directory that is already there
  // belongs to someone else and is not touched.
  if (fs::exists("/tmp/win10iso")) GTEST_SKIP() << "/tmp/win10iso exists already; not replacing it";
  SeedNet net;
  std::string server_pid;
  bool made_pxe = !fs::exists("/tmp/win-pxe");
  struct Guard {
    std::string& pid;
    SeedNet& net;
    bool made_pxe;
    ~Guard() {
      if (!pid.empty()) run("kill " + pid + " 2>/dev/null; sleep 0.3; kill -9 " + pid + " 2>/dev/null");
      net.cleanup();
      fs::remove_all("/tmp/win10iso");
      if (made_pxe) fs::remove_all("/tmp/win-pxe");
    }
  } guard{server_pid, net, made_pxe};
  ASSERT_TRUE(net.setup());
  ASSERT_EQ(run(net.in_server("ip link set " + net.server_if + " down")), 0);
  ASSERT_EQ(run(net.in_server("ip link set " + net.server_if + " name eno1")), 0);
  ASSERT_EQ(run(net.in_server("ip addr flush dev eno1")), 0);
  ASSERT_EQ(run(net.in_server("ip addr add 192.168.42.1/24 dev eno1")), 0);
  ASSERT_EQ(run(net.in_server("ip link set eno1 up")), 0);
  ASSERT_EQ(run(net.in_client("ip addr add 192.168.42.17/24 dev " + net.client_if)), 0);

  fs::create_directories("/tmp/win-pxe/tftp");
  fs::create_directories("/tmp/win10iso/sources");
  std::string setup(1500000, '\0');
  std::mt19937 g(7);
  for (auto& c : setup) c = static_cast<char>(g());
  std::ofstream("/tmp/win10iso/setup.exe", std::ios::binary) << setup;
  std::ofstream("/tmp/win10iso/sources/boot.wim", std::ios::binary) << std::string(4096, 'W');
  run("chmod -R a+rX /tmp/win10iso");

  auto dir = fs::temp_directory_path() / ("pxks-seed-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string conf = (dir / "dnsmasq.conf").string(), smb = (dir / "smb.conf").string();
  std::string db = (dir / "leases.db").string(), log_path = (dir / "serve.log").string();
  std::ofstream(conf) << kSeedDnsmasq;
  std::ofstream(smb) << kSeedSmb;
  run(net.in_server(pxekit_binary() + " serve -C " + conf + " --smb-conf " + smb + " --db " + db + " >" + log_path +
                    " 2>&1 & echo $!"),
      &server_pid);
  server_pid = trim(server_pid);
  ASSERT_TRUE(wait_for_text(log_path, "ready")) << "pxekit serve did not start: " << read_file(log_path);

  std::string got = (dir / "setup.exe").string(), out;
  int rc = run(net.in_client("smbclient //192.168.42.1/GUEST -U user%pass -c 'ls; get setup.exe " + got + "' 2>&1"), &out);
  std::string log = read_file(log_path);
  std::string bytes = read_file(got);
  fs::remove_all(dir);

  EXPECT_EQ(rc, 0) << out << "\n" << log;
  EXPECT_NE(out.find("setup.exe"), std::string::npos) << out;
  EXPECT_NE(out.find("sources"), std::string::npos) << out;
  EXPECT_EQ(bytes.size(), setup.size()) << out << "\n" << log;
  EXPECT_TRUE(bytes == setup) << "setup.exe differs";
  // One process served all three, and the log names the SMB client.
  EXPECT_NE(log.find("DHCP"), std::string::npos) << log;
  EXPECT_NE(log.find("TFTP"), std::string::npos) << log;
  EXPECT_NE(log.find("192.168.42.17:"), std::string::npos) << log;
}

}  // namespace
}  // namespace pxe::test
