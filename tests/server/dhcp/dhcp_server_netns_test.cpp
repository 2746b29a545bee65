// The DHCP server end to end, in network namespaces the test creates: real clients (busybox
// udhcpc, ISC dhclient, perfdhcp as a relay agent) get an address, renew and release; the lease
// database follows. With PXE_RECORD_CAPTURES=1 (and tcpdump installed) each exchange is recorded
// on the server's veth and copied to captures/dhcp-<client>.pcap.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <cstdlib>

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include "config/serve_config.h"
#include "fault_vfs.h"
#include "dhcp_netns_fixture.h"
#include "server/dhcp/dhcp_server.h"
#include "server/dhcp/lease_store.h"

namespace pxe::server {
namespace {

namespace pd = proto::dhcp;
using test::Netns;
using test::netns_unavailable;

class DhcpServerNetns : public test::DhcpNetnsFixture {
 protected:
  DhcpServerNetns() : DhcpNetnsFixture("pxkd-test") {}
  void TearDown() override {
    if (!tcpdump_.empty()) test::run("kill " + tcpdump_ + " 2>/dev/null");
    DhcpNetnsFixture::TearDown();
  }

  void start_server(const std::string& extra = "") {
    DhcpNetnsFixture::start_server("dhcp-option=3,192.168.77.1 # gateway\n"
                                   "dhcp-range=192.168.77.10,192.168.77.20,2m\n" + extra,
                                   ping_check_);
  }

  // Polls `pred` until it holds or `seconds` pass: a wait on a condition, not a fixed sleep.
  template <class Pred>
  static bool wait_for(Pred pred, int seconds) {
    auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < end) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return pred();
  }

  static bool recording() {
    const char* r = std::getenv("PXE_RECORD_CAPTURES");
    return r && std::string(r) == "1" && test::have_program("tcpdump");
  }
  // Starts tcpdump on the server's veth (DHCP ports only) when recording.
  void start_capture() {
    if (!recording()) return;
    auto log = (dir_ / "tcpdump.log").string();
    tcpdump_ = background(net_.in_server("setsid tcpdump --immediate-mode -i " + net_.server_if() + " -s 0 -U -n -w " +
                                         (dir_ / "dhcp.pcap").string() + " udp port 67 or udp port 68"),
                          log);
    for (int i = 0; i < 50 && test::read_file(log).find("listening on") == std::string::npos; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  // Stops tcpdump (it flushes the file on SIGTERM) and copies the capture to captures/<name>.
  void finish_capture(const std::string& name) {
    if (tcpdump_.empty()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the last reply on the wire
    test::run("kill " + tcpdump_);
    for (int i = 0; i < 50 && test::run("kill -0 " + tcpdump_ + " 2>/dev/null") == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    tcpdump_.clear();
    std::filesystem::copy_file(dir_ / "dhcp.pcap", std::filesystem::path(test::captures_dir()) / name,
                               std::filesystem::copy_options::overwrite_existing);
  }

  std::string tcpdump_;
  bool ping_check_ = false;
};

auto bound = [](const pd::Lease& l) { return l.state == pd::LeaseState::Bound; };

TEST_F(DhcpServerNetns, BusyboxUdhcpcGetsAnAddressRenewsAndReleases) {
  if (!test::have_program("busybox")) GTEST_SKIP() << "needs busybox (udhcpc)";
  start_server();
  // The script configures the leased address on the client's veth (inside its namespace) so
  // that renewing and releasing can be sent from it.
  auto script = write_script("udhcpc.sh",
                             "case \"$1\" in bound|renew) ip addr flush dev $interface; "
                             "ip addr add $ip/24 dev $interface;; deconfig) ip addr flush dev $interface;; esac\n");
  std::string mac = net_.client_mac();
  start_capture();
  auto pid = background(net_.in_client("busybox udhcpc -f -i " + net_.client_if() + " -s " + script + " -t 5 -T 1 -A 1"),
                        (dir_ / "udhcpc.log").string());
  auto first = wait_lease(mac, bound);
  ASSERT_TRUE(first) << test::read_file((dir_ / "udhcpc.log").string());
  EXPECT_GE(first->ip, Ipv4(192, 168, 77, 10));
  EXPECT_LE(first->ip, Ipv4(192, 168, 77, 20));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  test::run("kill -USR1 " + pid);  // renew (unicast REQUEST from the leased address)
  auto renewed = wait_lease(mac, [&](const pd::Lease& l) { return bound(l) && l.expires > first->expires; });
  ASSERT_TRUE(renewed) << test::read_file((dir_ / "udhcpc.log").string());
  EXPECT_EQ(renewed->ip, first->ip);
  test::run("kill -USR2 " + pid);  // release
  auto released = wait_lease(mac, [](const pd::Lease& l) { return l.state == pd::LeaseState::Released; });
  ASSERT_TRUE(released) << test::read_file((dir_ / "udhcpc.log").string());
  EXPECT_EQ(released->ip, first->ip);
  test::run("kill " + pid);
  finish_capture("dhcp-udhcpc.pcap");
}

TEST_F(DhcpServerNetns, DhclientGetsAnAddressRebootsAndReleases) {
  if (!test::have_program("dhclient")) GTEST_SKIP() << "needs isc-dhcp-client (dhclient)";
  start_server();
  auto script = write_script("dhclient.sh",
                             "case \"$reason\" in BOUND|RENEW|REBIND|REBOOT) ip addr flush dev $interface; "
                             "ip addr add $new_ip_address/24 dev $interface;; esac\n");
  std::string lf = (dir_ / "dhclient.leases").string(), pf = (dir_ / "dhclient.pid").string();
  std::string base = "dhclient -sf " + script + " -lf " + lf + " -pf " + pf + " ";
  std::string mac = net_.client_mac();
  start_capture();
  ASSERT_EQ(test::run(net_.in_client("timeout 30 " + base + "-1 " + net_.client_if() + " >/dev/null 2>&1")), 0);
  auto first = wait_lease(mac, bound, 5);
  ASSERT_TRUE(first);
  // Stop without releasing, start again: INIT-REBOOT with the remembered address.
  test::run(net_.in_client(base + "-x " + net_.client_if() + " >/dev/null 2>&1"));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  ASSERT_EQ(test::run(net_.in_client("timeout 30 " + base + "-1 " + net_.client_if() + " >/dev/null 2>&1")), 0);
  auto again = wait_lease(mac, [&](const pd::Lease& l) { return bound(l) && l.expires > first->expires; }, 5);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->ip, first->ip);
  ASSERT_EQ(test::run(net_.in_client("timeout 30 " + base + "-r " + net_.client_if() + " >/dev/null 2>&1")), 0);
  auto released = wait_lease(mac, [](const pd::Lease& l) { return l.state == pd::LeaseState::Released; }, 5);
  ASSERT_TRUE(released);
  EXPECT_EQ(released->ip, first->ip);
  finish_capture("dhcp-dhclient.pcap");
}

// perfdhcp acting as a relay agent (giaddr 192.168.77.2, option 82 with a circuit id): the
// OFFERs and ACKs come back unicast to the relay on port 67, each with option 82 echoed
// (RFC 3046 §2.2), as a capture on the relay's side of the link shows.
TEST_F(DhcpServerNetns, PerfdhcpAsRelayGetsLeasesWithOption82Echoed) {
  for (const char* p : {"perfdhcp", "tcpdump"})
    if (!test::have_program(p)) GTEST_SKIP() << "needs " << p << " (kea-admin, tcpdump)";
  start_server();
  ASSERT_EQ(test::run(net_.in_client("ip addr add 192.168.77.2/24 dev " + net_.client_if())), 0);
  start_capture();
  // What the server sends to the relay, captured in the relay's namespace.
  auto pcap = (dir_ / "relay.pcap").string(), dump_log = (dir_ / "relay-tcpdump.log").string();
  auto dump = background(net_.in_client("tcpdump --immediate-mode -U -n -s 0 -i " + net_.client_if() + " -w " + pcap +
                                        " src host 192.168.77.1 and udp dst port 67"),
                         dump_log);
  ASSERT_TRUE(wait_for([&] { return test::read_file(dump_log).find("listening on") != std::string::npos; }, 10))
      << test::read_file(dump_log);
  // Option 82, sub-option 1 (circuit id) "relay-port-7".
  std::string out;
  test::run(net_.in_client("timeout 20 perfdhcp -4 -l 192.168.77.2 -r 3 -R 2 -p 1 -W 1000000 "
                           "-o 82,010c72656c61792d706f72742d37 192.168.77.1 2>&1"),
            &out);
  int bound_leases = 0;
  for (const auto& l : leases()) bound_leases += bound(l) ? 1 : 0;
  EXPECT_GE(bound_leases, 1) << out;
  // Every REQUEST perfdhcp sent was answered.
  auto ra = out.find("Statistics for: REQUEST-ACK");
  ASSERT_NE(ra, std::string::npos) << out;
  EXPECT_NE(out.find("drops: 0\n", ra), std::string::npos) << out;

  // The replies, one block per packet in tcpdump's verbose decode. Wait (bounded) until the
  // capture holds an ACK for every bound lease before stopping tcpdump.
  struct Reply {
    std::string type;
    bool circuit_id = false;
  };
  std::vector<Reply> replies;
  auto decode = [&] {
    std::string text;
    test::run("tcpdump -r " + pcap + " -n -vv 2>/dev/null", &text);
    replies.clear();
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty() && std::isdigit(static_cast<unsigned char>(line[0]))) replies.emplace_back();
      if (replies.empty()) continue;
      if (auto at = line.find("DHCP-Message (53), length 1: "); at != std::string::npos)
        replies.back().type = line.substr(at + 29);
      if (line.find("Circuit-ID SubOption 1, length 12: relay-port-7") != std::string::npos)
        replies.back().circuit_id = true;
    }
    return std::count_if(replies.begin(), replies.end(), [](const Reply& r) { return r.type == "ACK"; }) >=
           bound_leases;
  };
  EXPECT_TRUE(wait_for(decode, 10)) << "the capture holds fewer ACKs than bound leases";
  test::run("kill " + dump);
  std::size_t offers = 0, acks = 0;
  for (const auto& r : replies) {
    offers += r.type == "Offer";
    acks += r.type == "ACK";
    EXPECT_TRUE(r.circuit_id) << "a " << r.type << " to the relay without option 82's circuit id";
  }
  EXPECT_GE(offers, 1u);
  EXPECT_GE(acks, 1u);
  finish_capture("dhcp-relay-perfdhcp.pcap");
}

// The ping check with a real ICMP echo: the first pool address is configured on a host on the
// client's link, so it answers; udhcpc is offered (and bound to) the next one, and the answered
// address is held in the lease database like a declined one.
TEST_F(DhcpServerNetns, PingCheckSkipsAnAddressThatAnswers) {
  if (!test::have_program("busybox")) GTEST_SKIP() << "needs busybox (udhcpc)";
  ping_check_ = true;
  start_server();
  ASSERT_EQ(test::run(net_.in_client("ip addr add 192.168.77.10/24 dev " + net_.client_if())), 0);
  auto script = write_script("udhcpc.sh", "exit 0\n");  // keeps 192.168.77.10 configured
  std::string mac = net_.client_mac();
  background(net_.in_client("busybox udhcpc -f -i " + net_.client_if() + " -s " + script + " -t 5 -T 2 -A 1"),
             (dir_ / "udhcpc.log").string());
  auto lease = wait_lease(mac, bound);
  ASSERT_TRUE(lease) << test::read_file((dir_ / "udhcpc.log").string());
  EXPECT_EQ(lease->ip, Ipv4(192, 168, 77, 11));
  bool held = false;
  for (const auto& l : leases())
    held = held || (l.ip == Ipv4(192, 168, 77, 10) && l.state == pd::LeaseState::Declined);
  EXPECT_TRUE(held) << "192.168.77.10 answered the ping but is not held";
}

// A full disk (every SQLite write fails with SQLITE_FULL): no reply goes out (udhcpc gets no
// lease, the database holds none), one error line says so instead of one per batch, the server
// keeps running, and once writes succeed again the same client is leased without a restart.
TEST_F(DhcpServerNetns, AFullDiskWithholdsRepliesLogsOnceAndRecoversWithoutARestart) {
  if (!test::have_program("busybox")) GTEST_SKIP() << "needs busybox (udhcpc)";
  test::FaultVfs::install();
  auto previous = spdlog::default_logger();
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(4096);
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", sink));
  struct Restore {
    std::shared_ptr<spdlog::logger> logger;
    ~Restore() {
      test::FaultVfs::disk_full = false;
      spdlog::set_default_logger(logger);
    }
  } restore{previous};
  start_server();
  auto text = [&] {
    std::string all;
    for (const auto& line : sink->last_formatted()) all += line;
    return all;
  };
  auto script = write_script("udhcpc.sh", "echo \"$1 $ip\"\n");
  auto udhcpc = [&] {
    std::string out;
    int rc = test::run(net_.in_client("busybox udhcpc -f -q -n -i " + net_.client_if() + " -s " + script +
                                      " -t 4 -T 1 -A 1 2>&1"),
                       &out);
    return rc == 0 ? out : "";
  };
  test::FaultVfs::disk_full = true;
  EXPECT_EQ(udhcpc(), "") << "a lease was ACKed that is not on disk";
  EXPECT_TRUE(leases().empty());
  auto log = text();
  std::size_t errors = 0;
  for (std::size_t at = 0; (at = log.find("database or disk is full", at)) != std::string::npos; ++at) ++errors;
  EXPECT_EQ(errors, 1u) << log;
  EXPECT_NE(log.find("no DHCP reply is sent until a lease can be stored"), std::string::npos) << log;

  test::FaultVfs::disk_full = false;
  auto leased = udhcpc();
  EXPECT_NE(leased.find("bound 192.168.77."), std::string::npos) << leased << text();
  ASSERT_TRUE(wait_lease(net_.client_mac(), bound, 5));
  EXPECT_NE(text().find("lease database writable again"), std::string::npos) << text();
}

}  // namespace
}  // namespace pxe::server
