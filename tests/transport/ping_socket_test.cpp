// The DHCP ping check's raw ICMP socket: a kernel filter that lets only echo replies through, an
// identifier drawn at random per socket, and replies with another identifier dropped. Run inside
// a network namespace the test creates (its loopback), with the kernel's own echo replies off so
// that every ICMP message seen is one the test sent.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <vector>

#include "base/unique_fd.h"
#include "support/netns.h"
#include "support/test_paths.h"
#include "transport/dhcp_socket.h"

namespace pxe::transport {
namespace {

using test::Netns;
using test::netns_unavailable;

const Ipv4 kLoopback(127, 0, 0, 1);

std::vector<std::uint8_t> icmp(std::uint8_t type, std::uint16_t ident, std::uint16_t seq) {
  std::vector<std::uint8_t> p = {type, 0, 0, 0, std::uint8_t(ident >> 8), std::uint8_t(ident), std::uint8_t(seq >> 8),
                                 std::uint8_t(seq), 't', 'e', 's', 't'};
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < p.size(); i += 2) sum += std::uint32_t(p[i]) << 8 | p[i + 1];
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  p[2] = std::uint8_t(~sum >> 8);
  p[3] = std::uint8_t(~sum);
  return p;
}

void send_raw(const UniqueFd& fd, const std::vector<std::uint8_t>& pkt) {
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(kLoopback.value);
  ASSERT_EQ(::sendto(fd.get(), pkt.data(), pkt.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
            ssize_t(pkt.size()));
}

class PingSocketNetns : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = netns_unavailable(); !why.empty()) GTEST_SKIP() << why;
    std::string why;
    ASSERT_TRUE(net_.setup_pair("192.168.77.1/24", "", &why)) << why;
    ASSERT_EQ(test::run(net_.in_server("sysctl -qw net.ipv4.icmp_echo_ignore_all=1")), 0);
  }
  // Runs `fn` in the server namespace with a PingSocket and a plain raw ICMP socket to forge with.
  void in_netns(const std::function<void(PingSocket&, const UniqueFd&)>& fn) {
    Netns::in_namespace(net_.server_ns(), [&] {
      auto ping = PingSocket::open();
      ASSERT_TRUE(ping.ok()) << ping.error().what;
      UniqueFd forge(::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP));
      ASSERT_TRUE(forge.valid());
      fn(*ping, forge);
    });
  }
  Netns net_{"pg"};
};

TEST(PingSocket, IdentifierIsDrawnAtRandomForEachSocket) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (raw ICMP socket)";
  std::vector<std::uint16_t> idents;
  for (int i = 0; i < 4; ++i) {
    auto p = PingSocket::open();
    ASSERT_TRUE(p.ok()) << p.error().what;
    idents.push_back(p->ident());
  }
  // Four draws of 16 bits are all equal once in 2^48; a pid-derived identifier always is.
  EXPECT_FALSE(idents[0] == idents[1] && idents[1] == idents[2] && idents[2] == idents[3]);
}

TEST_F(PingSocketNetns, OnlyEchoRepliesReachTheSocket) {
  in_netns([&](PingSocket& ping, const UniqueFd& forge) {
    send_raw(forge, icmp(8, ping.ident(), 1));    // echo request with our identifier
    send_raw(forge, icmp(13, ping.ident(), 2));   // timestamp request
    send_raw(forge, icmp(3, 0, 0));               // destination unreachable
    send_raw(forge, icmp(0, ping.ident(), 9));    // the echo reply: last in, must come first out
    pollfd p{ping.fd(), POLLIN, 0};
    ASSERT_EQ(::poll(&p, 1, 2000), 1);
    std::uint8_t buf[1500];
    ssize_t n = ::recv(ping.fd(), buf, sizeof buf, MSG_DONTWAIT);
    ASSERT_GT(n, 28);
    std::size_t ihl = std::size_t(buf[0] & 0x0f) * 4;
    EXPECT_EQ(buf[ihl], 0) << "ICMP type " << int(buf[ihl]) << " got through the filter";
    EXPECT_EQ(buf[ihl + 7], 9);
  });
}

TEST_F(PingSocketNetns, RepliesCarryingAnotherIdentifierAreDropped) {
  in_netns([&](PingSocket& ping, const UniqueFd& forge) {
    send_raw(forge, icmp(0, std::uint16_t(ping.ident() + 1), 5));
    send_raw(forge, icmp(0, std::uint16_t(ping.ident() ^ 0x8000), 6));
    send_raw(forge, icmp(0, ping.ident(), 7));
    std::vector<PingSocket::Reply> got;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (got.empty() && std::chrono::steady_clock::now() < deadline) {
      pollfd p{ping.fd(), POLLIN, 0};
      ::poll(&p, 1, 100);
      for (const auto& r : ping.receive()) got.push_back(r);
    }
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].seq, 7);
    EXPECT_EQ(got[0].from, kLoopback);
  });
}

TEST_F(PingSocketNetns, AnEchoOnLoopbackIsAnsweredAndMatchedBySequence) {
  ASSERT_EQ(test::run(net_.in_server("sysctl -qw net.ipv4.icmp_echo_ignore_all=0")), 0);
  in_netns([&](PingSocket& ping, const UniqueFd&) {
    ASSERT_TRUE(ping.send_echo(kLoopback, 4242).ok());
    std::vector<PingSocket::Reply> got;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (got.empty() && std::chrono::steady_clock::now() < deadline) {
      pollfd p{ping.fd(), POLLIN, 0};
      ::poll(&p, 1, 100);
      got = ping.receive();
    }
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].seq, 4242);
  });
}

}  // namespace
}  // namespace pxe::transport
