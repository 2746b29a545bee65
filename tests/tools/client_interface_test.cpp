// pxekit client --interface: the simulated firmware speaks Ethernet itself over a veth, from a
// client namespace, against `pxekit serve` and against dnsmasq (the reference) in a server
// namespace the test creates (support/netns.h: names pxk<tag><pid>..., removed in every path);
// and pxekit replay --interface sending a capture's client side over the veth to dnsmasq. Root
// only.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <fstream>
#include <random>
#include <sstream>

#include "support/netns.h"
#include "support/samba_conf.h"
#include "support/test_paths.h"

namespace {

namespace fs = std::filesystem;
using pxe::test::Netns;
using pxe::test::netns_unavailable;
using pxe::test::slurp;
using pxe::test::wait_until;

constexpr const char* kTitle = "pxekit client interface menu";
constexpr int kSubnet = 79;

void write_random(const fs::path& p, std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string b(n, '\0');
  for (auto& c : b) c = static_cast<char>(rng());
  std::ofstream(p, std::ios::binary) << b;
}

// A TFTP root as a pxelinux install has it: pxelinux.0, ldlinux.c32, the menu modules, a kernel
// and initrd, pxelinux.cfg/default with a menu (dummy bytes for the binaries).
void make_root(const fs::path& root) {
  fs::create_directories(root / "pxelinux.cfg");
  write_random(root / "pxelinux.0", 42'382, 1);
  write_random(root / "ldlinux.c32", 122'308, 2);
  write_random(root / "menu.c32", 26'140, 3);
  write_random(root / "libutil.c32", 23'480, 4);
  write_random(root / "vmlinuz", 300'000, 5);
  write_random(root / "initrd.img", 200'000, 6);
  std::ofstream(root / "pxelinux.cfg/default") << "UI menu.c32\n"
                                                  "MENU TITLE " << kTitle << "\n"
                                                  "TIMEOUT 50\n"
                                                  "DEFAULT linux\n"
                                                  "LABEL linux\n"
                                                  "  MENU LABEL Linux\n"
                                                  "  KERNEL vmlinuz\n"
                                                  "  APPEND initrd=initrd.img\n"
                                                  "LABEL local\n"
                                                  "  MENU LABEL Boot from disk\n"
                                                  "  LOCALBOOT 0\n";
}

enum class Server { kPxekit, kDnsmasq, kSamba };

// The failures `pxekit diagnose` names in a pcap (ids of findings with severity "failure").
std::set<std::string> diagnosed_failures(const fs::path& pcap) {
  std::string out;
  pxe::test::run(pxe::test::pxekit_binary() + " diagnose --format json " + pcap.string(), &out);
  std::set<std::string> ids;
  const auto report = nlohmann::json::parse(out, nullptr, /*allow_exceptions=*/false);
  if (report.is_discarded()) return {"unparsable diagnose output: " + out};
  for (const auto& c : report["clients"])
    for (const auto& f : c["findings"])
      if (f["severity"] == "failure") ids.insert(f["id"].get<std::string>());
  return ids;
}

class ClientInterface : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why = netns_unavailable({"ip", pxe::test::pxekit_binary()});
    if (!why.empty()) GTEST_SKIP() << why;
  }

  // Starts the server in its namespace; false with the reason in *why.
  // `smb_conf`: pxekit serve also serves SMB from this smb.conf.
  bool start(Netns& ns, Server server, const fs::path& work, std::string* why, bool boot_file = true,
             const std::string& smb_conf = "") {
    // The client side speaks with its own MACs and addresses: the kernel's veth keeps none.
    if (!ns.setup_pair(server_cidr(), "", why)) return false;
    make_root(work / "root");
    ::chmod(work.c_str(), 0755);  // the servers read the root as nobody
    std::ofstream conf(work / "dnsmasq.conf");
    conf << "port=0\n"
         << "interface=" << ns.server_if() << "\nbind-interfaces\n"
         << "dhcp-range=10." << kSubnet << ".0.100,10." << kSubnet << ".0.199,12h\n"
         << (boot_file ? "dhcp-boot=pxelinux.0\n" : "")
         << "enable-tftp\ntftp-root=" << (work / "root").string() << "\n";
    if (server == Server::kPxekit) {
      conf << "dhcp-leasefile=" << (work / "leases.db").string() << "\n";
      conf.close();
      ns.spawn(ns.server_ns(),
               smb_conf.empty()
                   ? std::vector<std::string>{pxe::test::pxekit_binary(), "serve", "-C", (work / "dnsmasq.conf").string(),
                                              "--duration", "300"}
                   : std::vector<std::string>{pxe::test::pxekit_binary(), "serve", "-C", (work / "dnsmasq.conf").string(),
                                              "--smb-conf", smb_conf, "--duration", "300"},
               (work / "server.log").string());
      if (!wait_until([&] { return slurp((work / "server.log").string()).find("listening on") != std::string::npos; },
                      std::chrono::seconds(10))) {
        *why = "pxekit serve did not start:\n" + slurp((work / "server.log").string());
        return false;
      }
    } else {
      conf << "no-ping\nlog-dhcp\nuser=root\n"
           << "dhcp-leasefile=" << (work / "dnsmasq.leases").string() << "\n"
           << "pid-file=" << (work / "dnsmasq.pid").string() << "\n";
      conf.close();
      ns.spawn(ns.server_ns(), {"/usr/sbin/dnsmasq", "-d", "--conf-file=" + (work / "dnsmasq.conf").string()},
               (work / "server.log").string());
      if (!wait_until([&] { return slurp((work / "server.log").string()).find("TFTP root") != std::string::npos; },
                      std::chrono::seconds(10))) {
        *why = "dnsmasq did not start:\n" + slurp((work / "server.log").string());
        return false;
      }
    }
    return true;
  }
  static std::string server_cidr() { return "10." + std::to_string(kSubnet) + ".0.1/24"; }
  // Runs pxekit client on the client end of the veth; its exit status, output in *out.
  int client(Netns& ns, const std::string& args, std::string* out) {
    return ns.run(ns.client_ns(), "timeout 180 " + pxe::test::pxekit_binary() + " client --interface " +
                                      ns.client_if() + " " + args, out);
  }
};

TEST_F(ClientInterface, BiosReachesThePxelinuxMenuFromPxekitServe) {
  pxe::test::TempDir work("pxkc-serve");
  Netns ns("ca");
  std::string why, out;
  ASSERT_TRUE(start(ns, Server::kPxekit, work.path(), &why)) << why;
  int rc = client(ns, "--profile bios --timing fast --time-limit 60 -v --record " + (work / "boot.pcap").string(), &out);
  std::string log = slurp((work / "server.log").string());
  EXPECT_EQ(rc, 0) << out << "\n--- server:\n" << log;
  EXPECT_NE(out.find(kTitle), std::string::npos) << out;
  EXPECT_NE(out.find("reached menu"), std::string::npos) << out;
  EXPECT_TRUE(diagnosed_failures(work / "boot.pcap").empty()) << "the recording of a good boot shows a failure";
  EXPECT_NE(log.find("DHCPACK(" + ns.server_if() + ")"), std::string::npos) << log;
  EXPECT_NE(log.find("pxelinux.cfg/default"), std::string::npos) << log;
}

TEST_F(ClientInterface, BiosReachesThePxelinuxMenuFromDnsmasq) {
  if (!pxe::test::have_program("dnsmasq") && ::access("/usr/sbin/dnsmasq", X_OK) != 0)
    GTEST_SKIP() << "dnsmasq is not installed";
  pxe::test::TempDir work("pxkc-dnsmasq");
  Netns ns("cb");
  std::string why, out;
  ASSERT_TRUE(start(ns, Server::kDnsmasq, work.path(), &why)) << why;
  int rc = client(ns, "--profile bios --timing fast --time-limit 60 -v", &out);
  std::string log = slurp((work / "server.log").string());
  EXPECT_EQ(rc, 0) << out << "\n--- dnsmasq:\n" << log;
  EXPECT_NE(out.find(kTitle), std::string::npos) << out;
  EXPECT_NE(log.find("DHCPACK(" + ns.server_if() + ")"), std::string::npos) << log;
  EXPECT_NE(log.find("pxelinux.cfg/default"), std::string::npos) << log;
}

TEST_F(ClientInterface, TwentyClientsWithTwentyMacsReachTheMenuFromPxekitServe) {
  pxe::test::TempDir work("pxkc-count");
  Netns ns("cc");
  std::string why, out;
  ASSERT_TRUE(start(ns, Server::kPxekit, work.path(), &why)) << why;
  int rc = client(ns, "--profile bios --timing fast --time-limit 90 --count 20 --mac 52:54:00:42:20:00", &out);
  std::string log = slurp((work / "server.log").string());
  EXPECT_EQ(rc, 0) << out << "\n--- server:\n" << log;
  EXPECT_NE(out.find("20 of 20 clients reached menu"), std::string::npos) << out;
  // Twenty leases, one per MAC: the server saw twenty machines.
  for (unsigned i = 0; i < 20; ++i) {
    char mac[32];
    std::snprintf(mac, sizeof mac, "52:54:00:42:20:%02x", i);
    bool acked = false;
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);)
      if (line.find("DHCPACK(" + ns.server_if() + ")") != std::string::npos && line.find(mac) != std::string::npos)
        acked = true;
    EXPECT_TRUE(acked) << "no DHCPACK for " << mac << " in the server log";
  }
}

// edk2-missing-file (3 s of DHCP and a TFTP ERROR 1) replayed over the veth to dnsmasq 2.90 with
// the conf it was recorded with: the server has the capture server's address, 192.168.42.1, and
// is the only address on its interface (dnsmasq answers from the interface's first address).
TEST_F(ClientInterface, ReplayOverTheInterfaceMatchesDnsmasq) {
  if (::access("/usr/sbin/dnsmasq", X_OK) != 0) GTEST_SKIP() << "dnsmasq is not installed";
  pxe::test::TempDir work("pxkc-replay");
  ::chmod(work.path().c_str(), 0755);
  fs::create_directories(work / "tftp");
  Netns ns("cd");
  std::string why, out;
  ASSERT_TRUE(ns.setup_pair("192.168.42.1/24", "", &why)) << why;
  std::string conf = pxe::test::read_file(pxe::test::source_dir() + "/tests/replay/data/edk2-missing-file.conf");
  std::istringstream in(conf);
  std::ofstream c(work / "dnsmasq.conf");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("interface=", 0) == 0) line = "interface=" + ns.server_if();
    if (line.rfind("log-facility=", 0) == 0) continue;
    if (line.rfind("pid-file=", 0) == 0) line = "pid-file=" + (work / "dnsmasq.pid").string();
    if (line.rfind("dhcp-leasefile=", 0) == 0) line = "dhcp-leasefile=" + (work / "leases").string();
    if (line.rfind("tftp-root=", 0) == 0) line = "tftp-root=" + (work / "tftp").string();
    c << line << "\n";
  }
  c << "user=root\n";
  c.close();
  ns.spawn(ns.server_ns(), {"/usr/sbin/dnsmasq", "-d", "--conf-file=" + (work / "dnsmasq.conf").string()},
           (work / "server.log").string());
  ASSERT_TRUE(wait_until([&] { return slurp((work / "server.log").string()).find("TFTP root") != std::string::npos; },
                         std::chrono::seconds(10)))
      << slurp((work / "server.log").string());
  int rc = ns.run(ns.client_ns(), "timeout 60 " + pxe::test::pxekit_binary() + " replay " + pxe::test::captures_dir() +
                                      "/edk2-missing-file.pcap --interface " + ns.client_if(),
                  &out);
  std::string log = slurp((work / "server.log").string());
  EXPECT_EQ(rc, 0) << out << "\n--- dnsmasq:\n" << log;
  EXPECT_NE(out.find("match: 2 conversations, 3 recorded answers, 3 replayed answers"), std::string::npos) << out;
  EXPECT_NE(log.find("DHCPACK(" + ns.server_if() + ") 192.168.42.17 52:54:00:42:00:10"), std::string::npos) << log;
}

// No dhcp-boot: the Intel PXE ROM ends with PXE-E53 after its four DISCOVERs, against both servers;
// pxekit diagnose of the --record pcap names the same failure.
TEST_F(ClientInterface, NoBootFileIsPxeE53FromBothServers) {
  for (Server server : {Server::kPxekit, Server::kDnsmasq}) {
    if (server == Server::kDnsmasq && ::access("/usr/sbin/dnsmasq", X_OK) != 0) GTEST_SKIP() << "dnsmasq is not installed";
    SCOPED_TRACE(server == Server::kPxekit ? "pxekit serve" : "dnsmasq");
    pxe::test::TempDir work("pxkc-e53");
    Netns ns(server == Server::kPxekit ? "ce" : "cf");
    std::string why, out;
    ASSERT_TRUE(start(ns, server, work.path(), &why, /*boot_file=*/false)) << why;
    int rc = client(ns, "--profile bios --timing fast --time-limit 60 --record " + (work / "e53.pcap").string(), &out);
    std::string log = slurp((work / "server.log").string());
    EXPECT_EQ(rc, 1) << out;
    EXPECT_NE(out.find("PXE-E53: No boot filename received"), std::string::npos) << out;
    EXPECT_NE(out.find("failed in dhcp: no-boot-filename"), std::string::npos) << out;
    // --record: diagnose of what the client saw names the same failure.
    EXPECT_EQ(diagnosed_failures(work / "e53.pcap"), std::set<std::string>{"no-boot-filename"});
    EXPECT_NE(log.find("DHCPOFFER(" + ns.server_if() + ")"), std::string::npos) << log;
  }
}

// WinPE's `net use \\10.79.0.1\GUEST /user:user pass` from the client namespace, over the
// client's own TCP (proto::tcp) to the kernel of the server namespace: the share from pxekit serve
// (an smb.conf in the seed's shape: map to guest = Bad User, a guest ok share), then from the
// reference Samba smbd beside a DHCP/TFTP-only pxekit serve. setup.exe comes back with the right
// MD5 from both, and the recordings show no failure.
TEST_F(ClientInterface, WinpeNetUseReadsSetupExeFromPxekitServeAndFromSamba) {
  for (Server smb : {Server::kPxekit, Server::kSamba}) {
    if (smb == Server::kSamba && ::access("/usr/sbin/smbd", X_OK) != 0) GTEST_SKIP() << "smbd is not installed";
    SCOPED_TRACE(smb == Server::kPxekit ? "pxekit serve" : "Samba");
    pxe::test::TempDir work("pxkc-winpe");
    Netns ns(smb == Server::kPxekit ? "cg" : "ch");
    fs::create_directories(work / "share" / "sources");
    write_random(work / "share" / "setup.exe", 2'500'000, 7);
    std::string why, out, md5;
    if (smb == Server::kPxekit) {
      // The seed's smb.conf shape: map to guest = Bad User, a guest ok share.
      std::ofstream(work / "smb.conf") << "[global]\nmap to guest = Bad User # Required\nmin protocol = SMB2\n"
                                          "max protocol = SMB3\n[guest]\npath = " << (work / "share").string()
                                       << " # Required\nreadonly = yes\nguest ok = yes # Required\n";
      pxe::test::run("chmod -R a+rX " + work.path().string());
      ASSERT_TRUE(start(ns, Server::kPxekit, work.path(), &why, true, (work / "smb.conf").string())) << why;
    } else {
      pxe::test::run("chmod -R a+rX " + work.path().string());
      ASSERT_TRUE(start(ns, Server::kPxekit, work.path(), &why)) << why;
      std::ofstream(work / "samba.conf")
          << pxe::test::samba_conf(work / "samba",
                                   "  interfaces = " + server_cidr() + "\n  bind interfaces only = yes\n",
                                   "[GUEST]\n  path = " + (work / "share").string() +
                                       "\n  guest ok = yes\n  read only = yes\n");
      ns.spawn(ns.server_ns(),
               {"setsid", "smbd", "-F", "--no-process-group", "-s", (work / "samba.conf").string(), "--debug-stdout",
                "-d", "1"},
               (work / "smbd.log").string());
      ASSERT_TRUE(wait_until([&] { return ns.run(ns.server_ns(), "ss -ltnH | grep -q ':445 '") == 0; },
                             std::chrono::seconds(20)))
          << slurp((work / "smbd.log").string());
    }
    int rc = client(ns, "--profile winpe --timing fast --time-limit 90 -v --net-use '\\\\10." +
                            std::to_string(kSubnet) + ".0.1\\GUEST' --net-user user:pass --record " +
                            (work / "winpe.pcap").string(),
                    &out);
    std::string log = slurp((work / "server.log").string());
    EXPECT_EQ(rc, 0) << out << "\n--- server:\n" << log;
    EXPECT_NE(out.find("The command completed successfully."), std::string::npos) << out;
    EXPECT_NE(out.find("reached winpe-share"), std::string::npos) << out;
    pxe::test::run("md5sum < " + (work / "share" / "setup.exe").string() + " | cut -d' ' -f1", &md5);
    md5 = md5.substr(0, 32);
    EXPECT_NE(out.find("2500000 bytes, md5 " + md5), std::string::npos) << md5 << "\n" << out;
    if (smb == Server::kPxekit) {
      EXPECT_NE(log.find("as guest SMB 3.1.1"), std::string::npos) << log;
    }
    auto failures = diagnosed_failures(work / "winpe.pcap");
    EXPECT_TRUE(failures.empty()) << *failures.begin();
  }
}

}  // namespace
