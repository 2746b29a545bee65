// PacketSocket on a real veth, in two network namespaces the test creates (names pxkt<tag><pid>,
// removed in every path): frames to a MAC that is not the interface's arrive (promiscuous), the
// host's own frames do not come back, and a sender's UDP segmentation offload comes out as the
// datagrams it stands for. Root only.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <thread>
#include <variant>

#include "server/tftp/netns.h"
#include "transport/frame.h"
#include "transport/packet_socket.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

namespace pxe::transport {
namespace {

using pxe::server::tftp::test::Netns;
using pxe::server::tftp::test::netns_unavailable;

const Mac kStation{{0x52, 0x54, 0x00, 0x42, 0x99, 0x01}};
constexpr int kSubnet = 82;

// Runs fn on a thread that joined namespace `ns`.
void in_namespace(const std::string& ns, const std::function<void()>& fn) {
  std::thread t([&] {
    int fd = ::open(("/var/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0 && ::setns(fd, CLONE_NEWNET) == 0) fn();
    if (fd >= 0) ::close(fd);
  });
  t.join();
}

// Frames received within `wait`, until `enough` of them.
std::vector<Bytes> receive(PacketSocket& s, std::size_t enough, std::chrono::milliseconds wait) {
  std::vector<Bytes> got;
  auto until = std::chrono::steady_clock::now() + wait;
  while (got.size() < enough && std::chrono::steady_clock::now() < until) {
    pollfd p{s.fd(), POLLIN, 0};
    ::poll(&p, 1, 50);
    auto r = s.receive(got);
    if (!r) ADD_FAILURE() << r.error().what;
  }
  return got;
}

class PacketSocketNetns : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why = netns_unavailable({"ip"});
    if (!why.empty()) GTEST_SKIP() << why;
    ns_ = std::make_unique<Netns>("g", true, kSubnet);
    ASSERT_TRUE(ns_->setup(&why)) << why;
    client_if_ = ns_->server_if().substr(0, ns_->server_if().size() - 1) + "z";
    ns_->run(ns_->client_ns(), "ip addr flush dev " + client_if_);
    // The server host sends to 10.82.0.50 at the station's MAC (no ARP needed).
    ASSERT_EQ(ns_->run(ns_->server_ns(), "ip neigh replace 10.82.0.50 lladdr " + kStation.str() + " dev " +
                                             ns_->server_if() + " nud permanent"),
              0);
    in_namespace(ns_->client_ns(), [&] {
      auto s = PacketSocket::open(client_if_);
      if (s) {
        sock_ = std::make_unique<PacketSocket>(std::move(*s));
      } else {
        open_error_ = s.error().what;
      }
    });
    ASSERT_TRUE(sock_) << open_error_;
  }
  void TearDown() override {
    sock_.reset();
    ns_.reset();
  }

  // Sends `n` bytes from 10.82.0.1:4000 to 10.82.0.50:2070 in the server namespace; gso > 0 asks
  // the kernel for UDP segmentation offload (UDP_SEGMENT) in segments of that size.
  bool send_udp(std::size_t n, int gso) {
    bool ok = false;
    in_namespace(ns_->server_ns(), [&] {
      int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      if (fd < 0) return;
      sockaddr_in me{};
      me.sin_family = AF_INET;
      me.sin_port = htons(4000);
      ::inet_pton(AF_INET, "10.82.0.1", &me.sin_addr);
      sockaddr_in to = me;
      to.sin_port = htons(2070);
      ::inet_pton(AF_INET, "10.82.0.50", &to.sin_addr);
      if (::bind(fd, reinterpret_cast<sockaddr*>(&me), sizeof me) == 0 &&
          (gso == 0 || ::setsockopt(fd, SOL_UDP, UDP_SEGMENT, &gso, sizeof gso) == 0)) {
        std::string data(n, '\0');
        for (std::size_t i = 0; i < n; ++i) data[i] = static_cast<char>(i % 251);
        ok = ::sendto(fd, data.data(), data.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) ==
             static_cast<ssize_t>(n);
      }
      ::close(fd);
    });
    return ok;
  }

  std::unique_ptr<Netns> ns_;
  std::string client_if_, open_error_;
  std::unique_ptr<PacketSocket> sock_;
};

std::vector<UdpFrame> udp_to_station(const std::vector<Bytes>& frames) {
  std::vector<UdpFrame> out;
  for (const auto& f : frames) {
    auto p = parse_frame(f);
    if (auto* u = std::get_if<UdpFrame>(&p); u && u->dst_mac == kStation && u->dst_port == 2070) out.push_back(*u);
  }
  return out;
}

TEST_F(PacketSocketNetns, FramesToAnotherMacArrive) {
  EXPECT_NE(sock_->mac(), kStation);
  ASSERT_TRUE(send_udp(300, 0));
  auto got = udp_to_station(receive(*sock_, 1, std::chrono::seconds(3)));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].src_ip, Ipv4(10, kSubnet, 0, 1));
  EXPECT_EQ(got[0].payload.size(), 300u);
}

TEST_F(PacketSocketNetns, UdpSegmentationOffloadComesOutAsItsDatagrams) {
  ASSERT_TRUE(send_udp(4 * 1000 + 500, 1000));
  auto got = udp_to_station(receive(*sock_, 5, std::chrono::seconds(3)));
  ASSERT_EQ(got.size(), 5u) << "split " << sock_->split_frames();
  Bytes all;
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].payload.size(), i == 4 ? 500u : 1000u) << i;
    all.insert(all.end(), got[i].payload.begin(), got[i].payload.end());
  }
  for (std::size_t i = 0; i < all.size(); ++i) ASSERT_EQ(all[i], i % 251) << i;
  std::printf("GSO frames split by the socket: %llu\n", static_cast<unsigned long long>(sock_->split_frames()));
}

TEST_F(PacketSocketNetns, ItsOwnFramesDoNotComeBack) {
  UdpFrame f{kStation, kBroadcastMac, Ipv4(0, 0, 0, 0), kBroadcastIpv4, 68, 67, Bytes(300, 0)};
  ASSERT_TRUE(sock_->send(build_udp_frame(f)));
  auto got = receive(*sock_, 1, std::chrono::milliseconds(300));
  for (const auto& g : got) {
    auto p = parse_frame(g);
    auto* u = std::get_if<UdpFrame>(&p);
    EXPECT_FALSE(u && u->src_mac == kStation) << "heard its own frame";
  }
}

}  // namespace
}  // namespace pxe::transport
