#include "transport/udp.h"

#include <gtest/gtest.h>
#include <poll.h>

namespace pxe::transport {
namespace {

const Ipv4 kLoopback(127, 0, 0, 1);

void wait_readable(const UdpSocket& s) {
  pollfd p{s.fd(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 2000), 1);
}

TEST(UdpSocket, BindsAnEphemeralPortAndReportsIt) {
  auto s = UdpSocket::bind(kLoopback, 0);
  ASSERT_TRUE(s.ok()) << s.error().what;
  EXPECT_EQ(s->local().addr, kLoopback);
  EXPECT_NE(s->local().port, 0);
}

TEST(UdpSocket, BusyPortIsAnError) {
  auto a = UdpSocket::bind(kLoopback, 0);
  ASSERT_TRUE(a.ok());
  auto b = UdpSocket::bind(kLoopback, a->local().port);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().what.find("bind 127.0.0.1:"), std::string::npos);
}

TEST(UdpSocket, BindInRangeSkipsBusyPorts) {
  auto a = UdpSocket::bind(kLoopback, 0);
  ASSERT_TRUE(a.ok());
  std::uint16_t p = a->local().port;
  auto b = UdpSocket::bind_in_range(kLoopback, p, static_cast<std::uint16_t>(p + 5));
  ASSERT_TRUE(b.ok()) << b.error().what;
  EXPECT_GT(b->local().port, p);
}

TEST(UdpSocket, SendsABatchAndReceivesItWithSourceAndDestination) {
  auto rx = UdpSocket::bind(kLoopback, 0);
  auto tx = UdpSocket::bind(kLoopback, 0);
  ASSERT_TRUE(rx.ok() && tx.ok());
  ASSERT_TRUE(rx->enable_pktinfo().ok());
  std::vector<Bytes> batch;
  for (std::uint8_t i = 0; i < 10; ++i) batch.push_back(Bytes(100 + i, i));
  auto n = tx->send_batch(batch, rx->local());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 10u);
  std::vector<Datagram> got;
  while (got.size() < 10) {
    wait_readable(*rx);
    auto r = rx->receive_batch(8);
    ASSERT_TRUE(r.ok());
    for (auto& d : *r) got.push_back(std::move(d));
  }
  for (std::size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(got[i].bytes, batch[i]);
    EXPECT_EQ(got[i].from, tx->local());
    EXPECT_EQ(got[i].to, kLoopback);
  }
}

// A TFTP window: 4-byte headers and payloads kept apart, all blocks equal but the last.
TEST(UdpSocket, SegmentedWindowArrivesAsSeparateDatagrams) {
  auto rx = UdpSocket::bind(kLoopback, 0);
  auto tx = UdpSocket::bind(kLoopback, 0);
  ASSERT_TRUE(rx.ok() && tx.ok());
  rx->set_buffers(1 << 20);
  std::vector<Bytes> heads, bodies;
  for (std::uint8_t i = 0; i < 100; ++i) {
    heads.push_back(Bytes{0, 3, 0, i});
    bodies.push_back(Bytes(i == 99 ? 100 : 1468, static_cast<std::uint8_t>(i * 7)));
  }
  std::vector<GatherDatagram> window;
  for (std::size_t i = 0; i < heads.size(); ++i) window.push_back({heads[i], bodies[i]});
  bool unsupported = true;
  auto n = tx->send_segmented(window, 1472, rx->local(), &unsupported);
  ASSERT_TRUE(n.ok()) << n.error().what;
  ASSERT_FALSE(unsupported);
  EXPECT_EQ(*n, 100u);
  std::vector<Datagram> got;
  while (got.size() < 100) {
    wait_readable(*rx);
    auto r = rx->receive_batch(32);
    ASSERT_TRUE(r.ok());
    for (auto& d : *r) got.push_back(std::move(d));
  }
  for (std::size_t i = 0; i < 100; ++i) {
    Bytes want = heads[i];
    want.insert(want.end(), bodies[i].begin(), bodies[i].end());
    EXPECT_EQ(got[i].bytes, want) << "datagram " << i;
  }
}

TEST(UdpSocket, SegmentedSendRefusesAShortDatagramInTheMiddle) {
  auto rx = UdpSocket::bind(kLoopback, 0);
  auto tx = UdpSocket::bind(kLoopback, 0);
  Bytes a(100, 1), b(50, 2);
  std::vector<GatherDatagram> window{{a, {}}, {b, {}}, {a, {}}};
  bool unsupported = false;
  auto n = tx->send_segmented(window, 100, rx->local(), &unsupported);
  // The first datagram goes out on its own; the short one cannot start a run of 100-byte segments.
  ASSERT_FALSE(n.ok());
}

TEST(UdpSocket, ReceiveWithNothingWaitingIsEmpty) {
  auto s = UdpSocket::bind(kLoopback, 0);
  auto r = s->receive_batch(4);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST(PathMtu, LoopbackHasTheLoopbackMtu) {
  auto mtu = path_mtu({kLoopback, 69});
  ASSERT_TRUE(mtu.has_value());
  EXPECT_GE(*mtu, 1500u);
}

}  // namespace
}  // namespace pxe::transport
