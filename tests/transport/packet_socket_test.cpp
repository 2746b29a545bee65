// PacketSocket's pure part (splitting a frame handed over with UDP or TCP segmentation offload) and its
// errors. The socket itself is exercised over a veth by tests/tools/client_interface_test.cpp.
#include "transport/packet_socket.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <variant>

#include "transport/frame.h"

namespace pxe::transport {
namespace {

UdpFrame big_datagram(std::size_t n) {
  UdpFrame f;
  f.src_mac = Mac{{0x52, 0x54, 0x00, 0x42, 0x00, 0x01}};
  f.dst_mac = Mac{{0x52, 0x54, 0x00, 0x42, 0x00, 0x10}};
  f.src_ip = Ipv4(10, 0, 0, 1);
  f.dst_ip = Ipv4(10, 0, 0, 100);
  f.src_port = 40000;
  f.dst_port = 2070;
  for (std::size_t i = 0; i < n; ++i) f.payload.push_back(static_cast<std::uint8_t>(i * 7));
  return f;
}

TEST(SplitOffloaded, NoOffloadGivesTheFrameBack) {
  Bytes frame = build_udp_frame(big_datagram(100));
  auto parts = split_offloaded(frame, 0, 0);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0], frame);
}

TEST(SplitOffloaded, UdpSegmentationBecomesOneFramePerSegment) {
  // pxekit's windowed TFTP over a veth: 16 DATA datagrams of 1412 bytes sent as one (the last shorter).
  UdpFrame whole = big_datagram(15 * 1412 + 500);
  auto parts = split_offloaded(build_udp_frame(whole), 5 /*UDP_L4*/, 1412);
  ASSERT_EQ(parts.size(), 16u);
  std::size_t off = 0;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    auto parsed = parse_frame(parts[i]);
    auto* u = std::get_if<UdpFrame>(&parsed);
    ASSERT_NE(u, nullptr) << i;
    EXPECT_EQ(u->src_port, 40000);
    EXPECT_EQ(u->dst_port, 2070);
    EXPECT_EQ(u->dst_mac, whole.dst_mac);
    std::size_t len = i == 15 ? 500 : 1412;
    ASSERT_EQ(u->payload.size(), len) << i;
    EXPECT_TRUE(std::equal(u->payload.begin(), u->payload.end(), whole.payload.begin() + static_cast<std::ptrdiff_t>(off)));
    off += len;
  }
}

TEST(SplitOffloaded, TcpSegmentationBecomesMssSegmentsWithFinOnTheLast) {
  // The kernel's SMB server answering a READ over a veth: 3 segments' worth in one frame.
  TcpFrame whole;
  whole.src_mac = Mac{{0x52, 0x54, 0x00, 0x42, 0x00, 0x01}};
  whole.src_ip = Ipv4(10, 0, 0, 1);
  whole.dst_ip = Ipv4(10, 0, 0, 100);
  whole.src_port = 445;
  whole.dst_port = 50000;
  whole.segment.seq = 0xfffffff0u;  // the sequence numbers wrap inside the frame
  whole.segment.ack = 77;
  whole.segment.flags = wire::tcp::flag::kAck | wire::tcp::flag::kPsh | wire::tcp::flag::kFin;
  whole.segment.window = 500;
  whole.segment.payload = big_datagram(2 * 1448 + 100).payload;
  auto parts = split_offloaded(build_tcp_frame(whole), 1 /*TCPV4*/, 1448);
  ASSERT_EQ(parts.size(), 3u);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    auto parsed = parse_frame(parts[i]);
    auto* t = std::get_if<TcpFrame>(&parsed);
    ASSERT_NE(t, nullptr) << i;
    EXPECT_EQ(t->segment.seq, 0xfffffff0u + std::uint32_t(i * 1448)) << i;
    EXPECT_EQ(t->segment.ack, 77u);
    EXPECT_EQ(t->segment.payload.size(), i == 2 ? 100u : 1448u);
    EXPECT_EQ(t->segment.has(wire::tcp::flag::kFin), i == 2) << i;
    EXPECT_TRUE(std::equal(t->segment.payload.begin(), t->segment.payload.end(),
                           whole.segment.payload.begin() + static_cast<std::ptrdiff_t>(i * 1448)));
  }
}

TEST(SplitOffloaded, UnknownOffloadOrWrongProtocolGivesNothing) {
  EXPECT_TRUE(split_offloaded(build_udp_frame(big_datagram(3000)), 1 /*TCPv4*/, 1400).empty());
  EXPECT_TRUE(split_offloaded(build_udp_frame(big_datagram(3000)), 4 /*TCPv6*/, 1400).empty());
  EXPECT_TRUE(split_offloaded(build_udp_frame(big_datagram(3000)), 5, 0).empty());
  Bytes arp = build_arp_frame({true, Mac{}, Ipv4(10, 0, 0, 1), Mac{}, Ipv4(10, 0, 0, 2)}, kBroadcastMac);
  EXPECT_TRUE(split_offloaded(arp, 5, 1400).empty());
}

TEST(PacketSocket, ErrorsNameTheInterface) {
  auto s = PacketSocket::open("pxkno0such");
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().what.find("pxkno0such"), std::string::npos) << s.error().what;
  if (::geteuid() != 0) {
    EXPECT_NE(s.error().what.find("CAP_NET_RAW"), std::string::npos) << s.error().what;
  }
  auto bad = PacketSocket::open("");
  ASSERT_FALSE(bad);
}

}  // namespace
}  // namespace pxe::transport
