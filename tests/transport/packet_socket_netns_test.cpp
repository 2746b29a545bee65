// PacketSocket on a real veth, in two network namespaces the test creates (support/netns.h: names
// pxkg<pid>..., removed in every path): frames to a MAC that is not the interface's arrive (promiscuous), the
// host's own frames do not come back, and a sender's UDP segmentation offload comes out as the
// datagrams it stands for. Root only.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>
#include <variant>

#include "support/netns.h"
#include "transport/frame.h"
#include "transport/interface_link.h"
#include "transport/packet_socket.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

namespace pxe::transport {
namespace {

using pxe::test::Netns;
using pxe::test::netns_unavailable;

const Mac kStation{{0x52, 0x54, 0x00, 0x42, 0x99, 0x01}};
constexpr int kSubnet = 82;

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
    ns_ = std::make_unique<Netns>("g");
    // The client end keeps no address: the station speaks with its own.
    ASSERT_TRUE(ns_->setup_pair("10." + std::to_string(kSubnet) + ".0.1/24", "", &why)) << why;
    client_if_ = ns_->client_if();
    // The server host sends to 10.82.0.50 at the station's MAC (no ARP needed).
    ASSERT_EQ(ns_->run(ns_->server_ns(), "ip neigh replace 10.82.0.50 lladdr " + kStation.str() + " dev " +
                                             ns_->server_if() + " nud permanent"),
              0);
    Netns::in_namespace(ns_->client_ns(), [&] {
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

  // Sends `n` bytes from 10.82.0.1:4000 to 10.82.0.50:2070 in the server namespace, `count` times;
  // gso > 0 asks the kernel for UDP segmentation offload (UDP_SEGMENT) in segments of that size.
  bool send_udp(std::size_t n, int gso, int count = 1) {
    bool ok = false;
    Netns::in_namespace(ns_->server_ns(), [&] {
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
        ok = true;
        for (int i = 0; i < count && ok; ++i)
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

TEST_F(PacketSocketNetns, FramesItsBufferCannotHoldAreCountedAsDropped) {
  // 112 MB while nobody reads: more than the socket's 32 MiB receive buffer queues (the kernel
  // doubles it for overhead; a 1.4 KB frame costs about 2.3 KB there). What was lost there is
  // what `pxekit client --interface` reports as dropped.
  EXPECT_EQ(sock_->dropped(), 0u);
  constexpr int kSent = 80000;
  ASSERT_TRUE(send_udp(1400, 0, kSent));
  auto got = udp_to_station(receive(*sock_, kSent, std::chrono::seconds(3)));
  std::uint64_t dropped = sock_->dropped();
  EXPECT_GT(dropped, 0u);
  EXPECT_GT(got.size(), 0u);
  EXPECT_LE(got.size() + dropped, std::uint64_t(kSent));
  EXPECT_EQ(sock_->dropped(), dropped);  // the count is kept, not reset by reading it
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

// Two InterfaceLinks, one on each end of the veth, with stations speaking Ethernet through them:
// a broadcast crosses the wire and reaches the other station on the sender's own link too, a
// unicast answer comes back to the sender's MAC, and timers fire from the real clock.
class Pinger : public Station {
 public:
  Pinger(FrameOut& out, Mac mac, Timestamp first) : out_(out), mac_(mac), next_(first) {}
  void on_frame(ByteSpan frame, Timestamp) override {
    auto p = parse_frame(frame);
    if (auto* u = std::get_if<UdpFrame>(&p); u && u->dst_mac == mac_ && u->dst_port == 68) ++pongs;
  }
  std::optional<Timestamp> next_deadline() const override {
    if (sent >= 3) return std::nullopt;
    return next_;
  }
  void on_time(Timestamp now) override {
    out_.send(build_udp_frame({mac_, kBroadcastMac, Ipv4(0, 0, 0, 0), kBroadcastIpv4, 68, 67, Bytes(300, 0x11)}));
    ++sent;
    next_ = now + std::chrono::milliseconds(20);
  }
  int sent = 0, pongs = 0;

 private:
  FrameOut& out_;
  Mac mac_;
  Timestamp next_;
};

class Listener : public Station {  // counts broadcasts to 67; with `answer`, replies unicast
 public:
  Listener(FrameOut& out, Mac mac, bool answer) : out_(out), mac_(mac), answer_(answer) {}
  void on_frame(ByteSpan frame, Timestamp) override {
    auto p = parse_frame(frame);
    auto* u = std::get_if<UdpFrame>(&p);
    if (!u || u->dst_port != 67) return;
    ++heard;
    if (answer_) out_.send(build_udp_frame({mac_, u->src_mac, Ipv4(10, 82, 0, 9), kBroadcastIpv4, 67, 68, Bytes(300, 0x22)}));
  }
  std::optional<Timestamp> next_deadline() const override { return std::nullopt; }
  void on_time(Timestamp) override {}
  int heard = 0;

 private:
  FrameOut& out_;
  Mac mac_;
  bool answer_;
};

void open_in(const std::string& ns, const std::string& ifname, const Clock& clock,
             std::unique_ptr<InterfaceLink>* link, std::string* error) {
  Netns::in_namespace(ns, [&] {
    auto l = InterfaceLink::open(ifname, clock);
    if (l) {
      *link = std::move(*l);
    } else {
      *error = l.error().what;
    }
  });
}

TEST_F(PacketSocketNetns, InterfaceLinksCarryStationsFramesBothWays) {
  SystemClock clock;
  std::unique_ptr<InterfaceLink> server_link, client_link;
  std::string error;
  open_in(ns_->server_ns(), ns_->server_if(), clock, &server_link, &error);
  ASSERT_TRUE(server_link) << error;
  sock_.reset();  // the client end gets an InterfaceLink instead
  open_in(ns_->client_ns(), client_if_, clock, &client_link, &error);
  ASSERT_TRUE(client_link) << error;

  const Mac client_mac{{0x52, 0x54, 0x00, 0x42, 0x99, 0x10}}, neighbour_mac{{0x52, 0x54, 0x00, 0x42, 0x99, 0x11}},
      server_mac{{0x52, 0x54, 0x00, 0x42, 0x99, 0x20}};
  Pinger pinger(*client_link, client_mac, clock.now() + std::chrono::milliseconds(100));
  Listener neighbour(*client_link, neighbour_mac, false);
  Listener server(*server_link, server_mac, true);
  client_link->attach(pinger, client_mac);
  client_link->attach(neighbour, neighbour_mac);
  server_link->attach(server, server_mac);
  int tapped = 0;
  client_link->set_tap([&](ByteSpan, Timestamp) { ++tapped; });

  const Timestamp limit = clock.now() + std::chrono::seconds(5);
  std::thread serving([&] { (void)server_link->run_until([&] { return server.heard >= 3; }, limit); });
  auto r = client_link->run_until([&] { return pinger.pongs >= 3; }, limit);
  serving.join();
  ASSERT_TRUE(r) << r.error().what;
  EXPECT_TRUE(*r) << "pongs " << pinger.pongs << ", server heard " << server.heard;
  EXPECT_EQ(pinger.sent, 3);
  EXPECT_EQ(server.heard, 3);     // across the veth
  EXPECT_EQ(neighbour.heard, 3);  // on the sender's own link, as on a shared segment
  EXPECT_EQ(pinger.pongs, 3);     // unicast to the pinger's MAC, not the interface's
  EXPECT_EQ(tapped, 6);           // 3 sent + 3 received
}

}  // namespace
}  // namespace pxe::transport
