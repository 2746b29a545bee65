// `pxekit serve` as an admin runs it: started as root in a network namespace the test creates,
// it becomes nobody with only CAP_NET_ADMIN and no-new-privs, and still leases (busybox udhcpc,
// ARP-table unicast) and serves TFTP (tftp-hpa); SIGHUP re-reads dhcp-hostsfile keeping the
// leases; SIGTERM ends it at once with exit status 0.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/netns.h"
#include "support/test_paths.h"

namespace pxe::test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kBootFile = "pxelinux.0";
constexpr const char* kReservedMac = "52:54:00:77:00:50";

class ServeOps : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = netns_unavailable({"ip", "busybox", "tftp", pxekit_binary()}); !why.empty()) GTEST_SKIP() << why;
    // The server reads the TFTP root as nobody: the directories must be searchable by others,
    // which a mkdtemp directory (0700) is not.
    fs::permissions(dir_.path(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                     fs::perms::others_read | fs::perms::others_exec);
    fs::create_directories(dir_ / "root");
    std::ofstream(dir_ / "root" / kBootFile) << std::string(20000, 'p');
    std::ofstream(dir_ / "hosts") << "# reservations, re-read on SIGHUP\n";
    std::string why;
    ASSERT_TRUE(net_.setup_pair("10.88.0.1/24", "10.88.0.2/24", &why)) << why;
  }

  // Starts pxekit serve in the server namespace and waits for its "ready" line.
  void start(const std::string& extra = "") {
    std::ofstream(dir_ / "dnsmasq.conf") << "port=0\ninterface=" << net_.server_if() << "\nbind-interfaces\n"
                                         << "dhcp-range=10.88.0.10,10.88.0.20,2m\n"
                                         << "dhcp-leasefile=" << db() << "\n"
                                         << "dhcp-hostsfile=" << (dir_ / "hosts").string() << "\n"
                                         << "enable-tftp\ntftp-root=" << (dir_ / "root").string() << "\n"
                                         << extra;
    pid_ = net_.spawn(net_.server_ns(),
                      {pxekit_binary(), "serve", "-C", (dir_ / "dnsmasq.conf").string(), "--log-level", "debug"},
                      log_path());
    ASSERT_TRUE(wait_until([&] { return log().find("ready: serving") != std::string::npos || !alive(); },
                           std::chrono::seconds(10)));
    ASSERT_TRUE(alive()) << log();
  }

  bool alive() {
    if (exited_) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      status_ = status;
      return false;
    }
    return true;
  }
  // Runs busybox udhcpc once (-q: quit once leased); returns its output ("" when no lease).
  std::string lease_once() {
    std::ofstream(dir_ / "udhcpc.sh") << "#!/bin/sh\necho \"$1 $ip\"\n";
    fs::permissions(dir_ / "udhcpc.sh", fs::perms::owner_all);
    std::string out;
    int rc = net_.run(net_.client_ns(), "busybox udhcpc -f -q -n -i " + client_if() + " -s " +
                                            (dir_ / "udhcpc.sh").string() + " -t 4 -T 1 -A 1",
                      &out);
    return rc == 0 ? out : "";
  }
  std::string leases() {
    std::string out;
    run(pxekit_binary() + " leases --db " + db() + " --all", &out);
    return out;
  }
  // Every thread's /proc status line `key`, e.g. "Uid".
  std::vector<std::string> thread_status(const std::string& key) {
    std::vector<std::string> out;
    for (const auto& task : fs::directory_iterator("/proc/" + std::to_string(pid_) + "/task")) {
      std::istringstream in(slurp((task.path() / "status").string()));
      for (std::string line; std::getline(in, line);)
        if (line.rfind(key + ":", 0) == 0) out.push_back(line.substr(key.size() + 1));
    }
    return out;
  }
  std::string client_if() const { return net_.client_if(); }
  std::string db() const { return (dir_ / "leases.db").string(); }
  std::string log_path() const { return (dir_ / "serve.log").string(); }
  std::string log() const { return slurp(log_path()); }

  TempDir dir_{"pxkt-serveops"};
  Netns net_{"o"};
  pid_t pid_ = -1;
  bool exited_ = false;
  int status_ = 0;
};

std::string trim_ws(const std::string& s) {
  auto b = s.find_first_not_of(" \t\n"), e = s.find_last_not_of(" \t\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

TEST_F(ServeOps, StartedAsRootItRunsAsNobodyWithOnlyCapNetAdminAndStillLeasesAndServesTftp) {
  start();
  // Every thread (DHCP loop, lease checkpointer, TFTP) was started after the switch.
  auto uids = thread_status("Uid"), gids = thread_status("Gid");
  ASSERT_GE(uids.size(), 3u) << "expected the main, DHCP, checkpoint and TFTP threads";
  for (const auto& u : uids) EXPECT_EQ(trim_ws(u), "65534\t65534\t65534\t65534");
  for (const auto& g : gids) EXPECT_EQ(trim_ws(g), "65534\t65534\t65534\t65534");
  // CAP_NET_ADMIN (12) only: the ARP-table entry for a client without an address. No ping
  // check configured, so no CAP_NET_RAW.
  for (const char* set : {"CapEff", "CapPrm", "CapBnd"})
    for (const auto& c : thread_status(set)) EXPECT_EQ(trim_ws(c), "0000000000001000") << set;
  for (const auto& c : thread_status("CapAmb")) EXPECT_EQ(trim_ws(c), "0000000000000000");
  for (const auto& n : thread_status("NoNewPrivs")) EXPECT_EQ(trim_ws(n), "1");
  EXPECT_NE(log().find("running as user nobody, group nogroup; capabilities kept: CAP_NET_ADMIN"), std::string::npos)
      << log();

  auto leased = lease_once();
  EXPECT_NE(leased.find("bound 10.88.0."), std::string::npos) << leased << log();
  // The OFFER/ACK went by ARP-table unicast (SIOCSARP still allowed), not the broadcast fallback.
  EXPECT_EQ(log().find("broadcasting instead"), std::string::npos) << log();
  EXPECT_NE(leases().find("10.88.0."), std::string::npos);

  std::string out;
  EXPECT_EQ(net_.run(net_.client_ns(), "tftp -m binary " + net_.server_ip() + " -c get " + kBootFile + " " +
                                           (dir_ / "got").string()),
            0);
  EXPECT_EQ(slurp((dir_ / "got").string()), slurp((dir_ / "root" / kBootFile).string()));
}

TEST_F(ServeOps, SighupRereadsTheHostsfileKeepsLeasesAndServesTheNewReservation) {
  start();
  auto first = lease_once();
  ASSERT_NE(first.find("bound 10.88.0."), std::string::npos) << first << log();
  std::string first_ip = trim_ws(first.substr(first.find("bound ") + 6));

  std::ofstream(dir_ / "hosts", std::ios::app) << kReservedMac << ",10.88.0.50\n";
  ASSERT_EQ(::kill(pid_, SIGHUP), 0);
  ASSERT_TRUE(wait_until([&] { return log().find("settings reloaded") != std::string::npos || !alive(); },
                         std::chrono::seconds(5)))
      << log();
  ASSERT_TRUE(alive()) << log();
  EXPECT_NE(log().find("read " + (dir_ / "hosts").string()), std::string::npos);

  // A second client: the reserved MAC gets its reserved address.
  ASSERT_EQ(net_.run(net_.client_ns(), "ip link set dev " + client_if() + " address " + kReservedMac), 0);
  auto second = lease_once();
  EXPECT_NE(second.find("bound 10.88.0.50"), std::string::npos) << second << log();
  // The first client's lease survived the reload.
  auto table = leases();
  EXPECT_NE(table.find(first_ip), std::string::npos) << table;
  EXPECT_NE(table.find("10.88.0.50"), std::string::npos) << table;
}

TEST_F(ServeOps, SigtermEndsItAtOnceWithExitStatusZero) {
  start();
  ASSERT_EQ(::kill(pid_, SIGTERM), 0);
  ASSERT_TRUE(wait_until([&] { return !alive(); }, std::chrono::seconds(2), std::chrono::milliseconds(10))) << log();
  ASSERT_TRUE(WIFEXITED(status_)) << "status " << status_;
  EXPECT_EQ(WEXITSTATUS(status_), 0) << log();
  EXPECT_NE(log().find("exiting on receipt of SIGTERM"), std::string::npos) << log();
}

}  // namespace
}  // namespace pxe::test
