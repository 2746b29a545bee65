// pxekit serve under perfdhcp load, killed with SIGKILL and restarted: every lease a client was
// ACKed is still in the database and is restored; no address is held by two clients.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "support/netns.h"
#include "support/test_paths.h"

namespace pxe::test {
namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

TEST(DhcpServeCrash, KillDashNineUnderLoadLosesNoAckedLeaseAndGivesNoAddressTwice) {
  if (auto why = netns_unavailable(); !why.empty()) GTEST_SKIP() << why;
  for (const char* p : {"perfdhcp", "tcpdump", "tshark"})
    if (!have_program(p)) GTEST_SKIP() << "needs " << p << " (kea-admin, tcpdump, tshark)";
  // Every path out of the test stops what it started (the guard), then removes the namespaces
  // (net, destroyed after the guard).
  Netns net("dc");
  std::vector<std::string> pids;
  struct Guard {
    std::vector<std::string>& pids;
    ~Guard() {
      for (const auto& p : pids) run("kill " + p + " 2>/dev/null");
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      for (const auto& p : pids) run("kill -9 " + p + " 2>/dev/null");
    }
  } guard{pids};
  std::string why;
  ASSERT_TRUE(net.setup_pair("192.168.77.1/24", "", &why)) << why;
  ASSERT_EQ(run(net.in_client("ip addr add 192.168.77.2/24 dev " + net.client_if())), 0);
  auto dir = std::filesystem::temp_directory_path() / ("pxkd-crash-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string db = (dir / "leases.db").string(), conf = (dir / "dnsmasq.conf").string();
  std::ofstream(conf) << "port=0\ninterface=" << net.server_if() << "\n"
                      << "dhcp-range=192.168.77.10,192.168.77.250,12h\ndhcp-leasefile=" << db << "\n";
  auto serve = [&](const std::string& log) {
    std::string pid;
    run(net.in_server(pxekit_binary() + " serve -C " + conf + " >" + log + " 2>&1 & echo $!"), &pid);
    pids.push_back(trim(pid));
    EXPECT_TRUE(wait_for_text(log, "DHCP, IP range")) << "pxekit serve did not start: " << read_file(log);
    return trim(pid);
  };
  std::string pcap = (dir / "client.pcap").string();
  std::string tcpdump_pid;
  std::string tcpdump_log = (dir / "tcpdump.log").string();
  run(net.in_client("tcpdump -i " + net.client_if() + " -U -w " + pcap + " udp port 67 >" + tcpdump_log +
                    " 2>&1 & echo $!"),
      &tcpdump_pid);
  pids.push_back(trim(tcpdump_pid));
  ASSERT_TRUE(wait_for_text(tcpdump_log, "listening on")) << read_file(tcpdump_log);
  std::string server = serve((dir / "server1.log").string());
  // 200 simulated clients (a relay at 192.168.77.2), 400 exchanges/s, killed mid-run.
  std::string perf_pid;
  run(net.in_client("perfdhcp -4 -r 400 -R 200 -p 4 -l 192.168.77.2 192.168.77.1 >" + (dir / "perf1.log").string() +
                    " 2>&1 & echo $!"),
      &perf_pid);
  pids.push_back(trim(perf_pid));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ASSERT_EQ(run("kill -9 " + server), 0);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  run("kill " + trim(perf_pid) + " 2>/dev/null");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  run("kill " + trim(tcpdump_pid) + " 2>/dev/null");
  EXPECT_TRUE(wait_for_exit(trim(tcpdump_pid))) << "tcpdump did not finish its capture file";

  // What the clients were told: every ACK (chaddr -> yiaddr) seen on their side of the link.
  std::string acks;
  run("tshark -r " + pcap + " -Y 'dhcp.option.dhcp == 5' -T fields -e dhcp.hw.mac_addr -e dhcp.ip.your 2>/dev/null",
      &acks);
  std::map<std::string, std::string> acked;
  std::istringstream in(acks);
  for (std::string mac, ip; in >> mac >> ip;) acked[mac.substr(0, mac.find(','))] = ip;  // chaddr first
  ASSERT_GT(acked.size(), 10u) << "the load did not get going";

  // Restart: the restored database must hold every ACKed lease.
  server = serve((dir / "server2.log").string());
  std::string listing;
  ASSERT_EQ(run(pxekit_binary() + " leases --db " + db + " --all", &listing), 0);
  std::map<std::string, std::string> stored;
  std::set<std::string> ips;
  std::size_t rows = 0;
  std::istringstream ls(listing);
  for (std::string line; std::getline(ls, line);) {
    std::istringstream f(line);
    std::string ip, mac;
    f >> ip >> mac;
    stored[mac] = ip;
    ips.insert(ip);
    ++rows;
  }
  EXPECT_EQ(ips.size(), rows) << "an address appears twice:\n" << listing;
  std::size_t lost = 0;
  for (const auto& [mac, ip] : acked)
    if (stored[mac] != ip) {
      ++lost;
      ADD_FAILURE() << "ACKed " << mac << " " << ip << " but the database has '" << stored[mac] << "'";
    }
  EXPECT_EQ(lost, 0u);
  EXPECT_NE(read_file((dir / "server2.log").string()).find("leases restored"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pxe::test
