// The DHCP server under the two attacks of issue 11, in network namespaces the test creates, with
// real clients: a spoofed DHCPDECLINE (the owner's chaddr, with and without our server id) sent
// after busybox udhcpc got its lease must not take the lease away; and a perfdhcp -i flood of
// 3,000 DISCOVERs from made-up MACs must not keep udhcpc from a lease afterwards.
#include <gtest/gtest.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <thread>

#include "base/unique_fd.h"
#include "config/serve_config.h"
#include "dhcp_netns_fixture.h"
#include "server/dhcp/dhcp_server.h"
#include "server/dhcp/lease_store.h"
#include "wire/dhcp/dhcp.h"

namespace pxe::server {
namespace {

namespace pd = proto::dhcp;
namespace wd = wire::dhcp;
using test::Netns;
using test::netns_unavailable;

const Ipv4 kServer(192, 168, 77, 1);

class DhcpAbuseNetns : public test::DhcpNetnsFixture {
 protected:
  DhcpAbuseNetns() : DhcpNetnsFixture("pxkd-abuse") {}
  void SetUp() override {
    DhcpNetnsFixture::SetUp();
    if (!IsSkipped() && !test::have_program("busybox")) GTEST_SKIP() << "needs busybox (udhcpc)";
  }
  // A 51-address pool, as in the report.
  void start_server() { DhcpNetnsFixture::start_server("dhcp-range=192.168.77.10,192.168.77.60,2m\n"); }

  // udhcpc in the client namespace; its script puts the leased address on the veth.
  std::string start_udhcpc() {
    auto script = write_script("udhcpc.sh", "case \"$1\" in bound|renew) ip addr flush dev $interface; "
                                            "ip addr add $ip/24 dev $interface;; deconfig) ip addr flush dev $interface;; esac\n");
    return background(net_.in_client("busybox udhcpc -f -i " + net_.client_if() + " -s " + script + " -t 5 -T 1 -A 1"),
                      udhcpc_log());
  }
  std::string udhcpc_log() const { return (dir_ / "udhcpc.log").string(); }

  // Broadcasts `msg` to port 67 out of the client's veth, from inside the client namespace.
  void send_from_client(const wd::Message& msg) {
    Bytes bytes = wd::encode(msg);
    bool sent = false;
    Netns::in_namespace(net_.client_ns(), [&] {
      UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
      int on = 1;
      ::setsockopt(fd.get(), SOL_SOCKET, SO_BROADCAST, &on, sizeof on);
      ::setsockopt(fd.get(), SOL_SOCKET, SO_BINDTODEVICE, net_.client_if().c_str(), socklen_t(net_.client_if().size()));
      sockaddr_in to{};
      to.sin_family = AF_INET;
      to.sin_port = htons(67);
      to.sin_addr.s_addr = htonl(0xffffffffu);
      sent = ::sendto(fd.get(), bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) ==
             ssize_t(bytes.size());
    });
    ASSERT_TRUE(sent);
  }
};

auto bound = [](const pd::Lease& l) { return l.state == pd::LeaseState::Bound; };

TEST_F(DhcpAbuseNetns, SpoofedDeclineDoesNotTakeTheOwnersLease) {
  start_server();
  std::string mac = net_.client_mac();
  auto pid = start_udhcpc();
  auto first = wait_lease(mac, bound, 15);
  ASSERT_TRUE(first) << test::read_file(udhcpc_log());
  auto owner = Mac::parse(mac);
  ASSERT_TRUE(owner);
  // udhcpc sends a client identifier (61 = 01 + MAC): that, not chaddr, is its binding key.
  EXPECT_EQ(first->client_key.rfind("id:01:", 0), 0u) << first->client_key;
  // Hand-made DECLINEs for the owner's address with the owner's chaddr: one naming our server,
  // one without a server id, neither with the owner's client identifier.
  for (bool with_sid : {true, false}) {
    wd::Builder b(wd::Op::Request);
    b.xid(0xbad0 + with_sid).client_mac(*owner).message_type(wd::MessageType::Decline);
    if (with_sid) b.option_ip(wd::opt::kServerId, kServer);
    b.option_ip(wd::opt::kRequestedIp, first->ip);
    send_from_client(b.build());
  }
  // The renewal that follows (sent after the DECLINEs, on the same link) is ACKed for the same
  // address: udhcpc logs a second "obtained" line and no NAK; the database still holds the lease.
  // The row is committed before the ACK leaves, so udhcpc may not be bound yet when the lease
  // shows: wait for its own "obtained" line first. SIGUSR1 asks for a renewal; one that arrives
  // while udhcpc is still running its script can be lost, so it is sent again (at most 5 times).
  auto obtained = [&] {
    std::string log = test::read_file(udhcpc_log());
    std::size_t n = 0;
    for (auto at = log.find(" obtained"); at != std::string::npos; at = log.find(" obtained", at + 1)) ++n;
    return n;
  };
  auto wait_obtained = [&](std::size_t n, std::chrono::milliseconds within) {
    auto end = std::chrono::steady_clock::now() + within;
    while (obtained() < n && std::chrono::steady_clock::now() < end)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling the log for the line
    return obtained() >= n;
  };
  ASSERT_TRUE(wait_obtained(1, std::chrono::seconds(5))) << test::read_file(udhcpc_log());
  for (int i = 0; i < 5 && obtained() < 2; ++i) {
    test::run("kill -USR1 " + pid);
    wait_obtained(2, std::chrono::seconds(2));
  }
  std::string log = test::read_file(udhcpc_log());
  ASSERT_GE(obtained(), 2u) << log;
  EXPECT_EQ(log.find("NAK"), std::string::npos) << log;
  EXPECT_NE(log.find("lease of " + first->ip.str() + " obtained", log.find(" obtained") + 1), std::string::npos) << log;
  auto now = wait_lease(mac, bound, 1);
  ASSERT_TRUE(now);
  EXPECT_EQ(now->ip, first->ip);
  for (const auto& l : leases()) EXPECT_NE(l.state, pd::LeaseState::Declined) << l.ip.str();
}

TEST_F(DhcpAbuseNetns, DiscoverFloodFromMadeUpMacsLeavesARealClientItsLease) {
  if (!test::have_program("perfdhcp")) GTEST_SKIP() << "needs perfdhcp (kea-admin)";
  start_server();
  // 3,000 DISCOVERs from 3,000 made-up MACs at 1,000/s, DISCOVER-OFFER only (-i), as a relay
  // (giaddr 192.168.77.2) so that perfdhcp needs no port 68. Bounded: -n 3000, -p 10.
  ASSERT_EQ(test::run(net_.in_client("ip addr add 192.168.77.2/24 dev " + net_.client_if())), 0);
  std::string out;
  test::run(net_.in_client("timeout 20 perfdhcp -4 -i -R 3000 -n 3000 -r 1000 -p 10 -l 192.168.77.2 192.168.77.1 2>&1"),
            &out);
  auto so = out.find("sent packets: ");
  ASSERT_NE(so, std::string::npos) << out;
  EXPECT_GE(std::stoul(out.substr(so + 14)), 2900u) << out;  // the flood really went out
  ASSERT_EQ(test::run(net_.in_client("ip addr flush dev " + net_.client_if())), 0);
  std::size_t rows = leases().size();
  EXPECT_EQ(rows, 0u) << "OFFERs wrote lease rows";
  std::string mac = net_.client_mac();
  auto started = std::chrono::steady_clock::now();
  start_udhcpc();
  auto lease = wait_lease(mac, bound, 5);
  ASSERT_TRUE(lease) << "no lease within 5 s of the flood\n" << test::read_file(udhcpc_log());
  EXPECT_GE(lease->ip, Ipv4(192, 168, 77, 10));
  EXPECT_LE(lease->ip, Ipv4(192, 168, 77, 60));
  std::printf("udhcpc leased %s %.2f s after the flood\n", lease->ip.str().c_str(),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

}  // namespace
}  // namespace pxe::server
