#include "transport/frame.h"

#include <gtest/gtest.h>

#include <tins/ethernetII.h>
#include <tins/ip.h>
#include <tins/udp.h>

namespace pxe::transport {
namespace {

const Mac kClientMac{{0x20, 0x6a, 0x8a, 0x0f, 0x74, 0x75}};
const Mac kServerMac{{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
const Ipv4 kServerIp(192, 168, 42, 1);
const Ipv4 kClientIp(192, 168, 42, 17);

UdpFrame sample(std::size_t payload_size) {
  UdpFrame f;
  f.src_mac = kClientMac;
  f.dst_mac = kServerMac;
  f.src_ip = kClientIp;
  f.dst_ip = kServerIp;
  f.src_port = 2070;
  f.dst_port = 69;
  for (std::size_t i = 0; i < payload_size; ++i) f.payload.push_back(std::uint8_t(i * 7 + 1));
  return f;
}

// RFC 1071 sum over 16-bit words, recomputed here so the test does not trust libtins.
std::uint32_t sum16(ByteSpan d, std::uint32_t sum = 0) {
  for (std::size_t i = 0; i + 1 < d.size(); i += 2) sum += std::uint32_t(d[i] << 8 | d[i + 1]);
  if (d.size() % 2) sum += std::uint32_t(d.back() << 8);
  return sum;
}
std::uint16_t fold(std::uint32_t s) {
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return static_cast<std::uint16_t>(s);
}

// Both checksums verify: the one's-complement sum over a header (or pseudo-header + segment)
// with its checksum in place is 0xffff.
void expect_checksums_valid(const Bytes& frame) {
  ASSERT_GE(frame.size(), 14u + 20u + 8u);
  ByteSpan ip = ByteSpan(frame).subspan(14);
  std::size_t ihl = (ip[0] & 0x0f) * 4u;
  std::size_t total = std::size_t(ip[2] << 8 | ip[3]);
  EXPECT_EQ(fold(sum16(ip.first(ihl))), 0xffff) << "IPv4 header checksum";
  ByteSpan udp = ip.subspan(ihl, total - ihl);
  std::uint32_t pseudo = sum16(ip.subspan(12, 8));  // source and destination addresses
  pseudo += 17 + std::uint32_t(udp.size());
  EXPECT_NE(udp[6] << 8 | udp[7], 0) << "UDP checksum is present";
  EXPECT_EQ(fold(sum16(udp, pseudo)), 0xffff) << "UDP checksum";
}

TEST(UdpFrameCodec, RoundTripsAllFields) {
  UdpFrame f = sample(300);
  Bytes bytes = build_udp_frame(f);
  EXPECT_EQ(bytes.size(), 14u + 20u + 8u + 300u);
  auto parsed = parse_frame(bytes);
  ASSERT_TRUE(std::holds_alternative<UdpFrame>(parsed));
  EXPECT_EQ(std::get<UdpFrame>(parsed), f);
}

TEST(UdpFrameCodec, LaysOutEthernetIpv4AndUdpHeaders) {
  Bytes b = build_udp_frame(sample(4));
  EXPECT_EQ(Mac::from_bytes(b), kServerMac);
  EXPECT_EQ(Mac::from_bytes(ByteSpan(b).subspan(6)), kClientMac);
  EXPECT_EQ(b[12], 0x08);
  EXPECT_EQ(b[13], 0x00);
  EXPECT_EQ(b[14], 0x45);  // IPv4, 20-byte header
  EXPECT_EQ(b[14 + 9], 17);  // UDP
  EXPECT_EQ(Ipv4::from_bytes(ByteSpan(b).subspan(14 + 12)), kClientIp);
  EXPECT_EQ(Ipv4::from_bytes(ByteSpan(b).subspan(14 + 16)), kServerIp);
  EXPECT_EQ(b[34] << 8 | b[35], 2070);
  EXPECT_EQ(b[36] << 8 | b[37], 69);
  EXPECT_EQ(b[38] << 8 | b[39], 8 + 4);
}

TEST(UdpFrameCodec, ChecksumsAreValid) {
  for (std::size_t n : {0u, 1u, 4u, 17u, 516u, 1408u}) {
    SCOPED_TRACE(n);
    expect_checksums_valid(build_udp_frame(sample(n)));
  }
}

TEST(UdpFrameCodec, LibtinsAgreesTheChecksumsAreValid) {
  Bytes b = build_udp_frame(sample(33));
  Tins::EthernetII eth(b.data(), static_cast<std::uint32_t>(b.size()));
  auto& ip = eth.rfind_pdu<Tins::IP>();
  std::uint16_t ip_sum = ip.checksum();
  std::uint16_t udp_sum = eth.rfind_pdu<Tins::UDP>().checksum();
  // Re-serializing recomputes both; they must be what was built.
  auto again = eth.serialize();
  Tins::EthernetII eth2(again.data(), static_cast<std::uint32_t>(again.size()));
  EXPECT_EQ(eth2.rfind_pdu<Tins::IP>().checksum(), ip_sum);
  EXPECT_EQ(eth2.rfind_pdu<Tins::UDP>().checksum(), udp_sum);
}

TEST(UdpFrameCodec, ShortDatagramIsPaddedToTheEthernetMinimumAndParsesWithoutThePadding) {
  UdpFrame f = sample(2);
  Bytes b = build_udp_frame(f);
  EXPECT_EQ(b.size(), 60u);
  auto parsed = parse_frame(b);
  ASSERT_TRUE(std::holds_alternative<UdpFrame>(parsed));
  EXPECT_EQ(std::get<UdpFrame>(parsed).payload, f.payload);
}

TEST(UdpFrameCodec, BroadcastFrameRoundTrips) {
  UdpFrame f = sample(250);
  f.src_ip = Ipv4();
  f.dst_ip = kBroadcastIpv4;
  f.dst_mac = kBroadcastMac;
  f.src_port = 68;
  f.dst_port = 67;
  Bytes b = build_udp_frame(f);
  EXPECT_EQ(frame_dst_mac(b), kBroadcastMac);
  expect_checksums_valid(b);
  auto parsed = parse_frame(b);
  ASSERT_TRUE(std::holds_alternative<UdpFrame>(parsed));
  EXPECT_EQ(std::get<UdpFrame>(parsed), f);
}

TEST(ArpFrameCodec, RequestRoundTripsAndIsBroadcast) {
  ArpFrame a{true, kClientMac, kClientIp, Mac{}, kServerIp};
  Bytes b = build_arp_frame(a, kBroadcastMac);
  EXPECT_EQ(frame_dst_mac(b), kBroadcastMac);
  EXPECT_EQ(b[12], 0x08);
  EXPECT_EQ(b[13], 0x06);
  EXPECT_EQ(b.size(), 60u);
  auto parsed = parse_frame(b);
  ASSERT_TRUE(std::holds_alternative<ArpFrame>(parsed));
  EXPECT_EQ(std::get<ArpFrame>(parsed), a);
}

TEST(ArpFrameCodec, ReplyRoundTrips) {
  ArpFrame a{false, kServerMac, kServerIp, kClientMac, kClientIp};
  Bytes b = build_arp_frame(a, kClientMac);
  EXPECT_EQ(frame_dst_mac(b), kClientMac);
  EXPECT_EQ(b[14 + 7], 2);  // opcode: reply
  auto parsed = parse_frame(b);
  ASSERT_TRUE(std::holds_alternative<ArpFrame>(parsed));
  EXPECT_EQ(std::get<ArpFrame>(parsed), a);
}

TEST(TcpFrameCodec, RoundTripsHeaderOptionsAndPayload) {
  TcpFrame f;
  f.src_mac = Mac{{0x52, 0x54, 0x00, 0x42, 0x00, 0x10}};
  f.dst_mac = Mac{{0x52, 0x54, 0x00, 0x42, 0x00, 0x01}};
  f.src_ip = Ipv4(192, 168, 42, 17);
  f.dst_ip = Ipv4(192, 168, 42, 1);
  f.src_port = 49152;
  f.dst_port = 445;
  f.segment.seq = 123456789;
  f.segment.flags = wire::tcp::flag::kSyn;
  f.segment.window = 65535;
  f.segment.mss = 1460;
  f.segment.wscale = 7;
  auto syn = parse_frame(build_tcp_frame(f));
  ASSERT_TRUE(std::holds_alternative<TcpFrame>(syn));
  EXPECT_EQ(std::get<TcpFrame>(syn), f);

  f.segment.flags = wire::tcp::flag::kAck | wire::tcp::flag::kPsh;
  f.segment.ack = 42;
  f.segment.mss.reset();
  f.segment.wscale.reset();
  f.segment.payload = {0, 0, 0, 3};  // 58 bytes: padded to the Ethernet minimum, parsed without it
  Bytes padded = build_tcp_frame(f);
  EXPECT_EQ(padded.size(), 60u);
  auto small = parse_frame(padded);
  ASSERT_TRUE(std::holds_alternative<TcpFrame>(small));
  EXPECT_EQ(std::get<TcpFrame>(small), f);
  f.segment.payload = {0, 0, 0, 3, 0xfe, 'S', 'M'};
  Bytes bytes = build_tcp_frame(f);
  EXPECT_EQ(bytes.size(), 61u);
  auto data = parse_frame(bytes);
  ASSERT_TRUE(std::holds_alternative<TcpFrame>(data));
  EXPECT_EQ(std::get<TcpFrame>(data), f);
  // A total length past the frame's end is refused.
  bytes.resize(bytes.size() - 3);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(parse_frame(bytes)));
}

TEST(ParseFrame, EmptyAndShortFramesAreMonostate) {
  EXPECT_TRUE(std::holds_alternative<std::monostate>(parse_frame({})));
  Bytes b = build_udp_frame(sample(100));
  for (std::size_t n : {1u, 13u, 14u, 20u, 33u, 34u, 41u, 60u, 141u}) {
    SCOPED_TRACE(n);
    EXPECT_TRUE(std::holds_alternative<std::monostate>(parse_frame(ByteSpan(b).first(n))));
  }
  EXPECT_FALSE(frame_dst_mac(ByteSpan(b).first(13)).has_value());
}

TEST(ParseFrame, NonIpv4EthertypeIsMonostate) {
  Bytes b = build_udp_frame(sample(10));
  b[12] = 0x86;  // IPv6
  b[13] = 0xdd;
  EXPECT_TRUE(std::holds_alternative<std::monostate>(parse_frame(b)));
}

TEST(ParseFrame, NonUdpIpv4IsMonostate) {
  Bytes b = build_udp_frame(sample(10));
  b[14 + 9] = 1;  // ICMP
  EXPECT_TRUE(std::holds_alternative<std::monostate>(parse_frame(b)));
}

TEST(ParseFrame, FragmentIsMonostate) {
  Bytes b = build_udp_frame(sample(10));
  b[14 + 6] = 0x20;  // more fragments
  EXPECT_TRUE(std::holds_alternative<std::monostate>(parse_frame(b)));
}

TEST(ParseFrame, UdpLengthPastTheFrameIsMonostate) {
  Bytes b = build_udp_frame(sample(100));
  b[38] = 0x04;  // UDP length 1024+
  EXPECT_TRUE(std::holds_alternative<std::monostate>(parse_frame(b)));
  Bytes c = build_udp_frame(sample(100));
  c[38] = 0;
  c[39] = 3;  // shorter than the UDP header
  EXPECT_TRUE(std::holds_alternative<std::monostate>(parse_frame(c)));
}

TEST(ParseFrame, BadIpHeaderLengthsAreMonostate) {
  Bytes b = build_udp_frame(sample(10));
  b[14] = 0x41;  // IHL 4 bytes
  EXPECT_TRUE(std::holds_alternative<std::monostate>(parse_frame(b)));
  Bytes c = build_udp_frame(sample(10));
  c[16] = 0xff;  // total length past the frame
  EXPECT_TRUE(std::holds_alternative<std::monostate>(parse_frame(c)));
}

TEST(ParseFrame, ArpForAnotherProtocolIsMonostate) {
  Bytes b = build_arp_frame({true, kClientMac, kClientIp, Mac{}, kServerIp}, kBroadcastMac);
  b[14 + 2] = 0x86;  // protocol type IPv6
  b[14 + 3] = 0xdd;
  EXPECT_TRUE(std::holds_alternative<std::monostate>(parse_frame(b)));
}

TEST(ParseFrame, NeverThrowsOnEveryTruncationOrByteFlip) {
  Bytes b = build_udp_frame(sample(64));
  for (std::size_t n = 0; n <= b.size(); ++n) EXPECT_NO_THROW(parse_frame(ByteSpan(b).first(n)));
  for (std::size_t i = 0; i < b.size(); ++i) {
    for (std::uint8_t v : {std::uint8_t(0), std::uint8_t(0xff), std::uint8_t(b[i] ^ 0x5a)}) {
      Bytes c = b;
      c[i] = v;
      EXPECT_NO_THROW(parse_frame(c));
    }
  }
}


// --- broadcast_addressee: who a broadcast names inside, without parsing the frame -------------

Bytes bootp_reply_frame(std::uint16_t src_port, std::uint8_t op, const Mac& chaddr) {
  UdpFrame f = sample(0);
  f.dst_mac = kBroadcastMac;
  f.src_port = src_port;
  f.dst_port = 68;
  f.payload.assign(240, 0);
  f.payload[0] = op;
  std::copy(chaddr.octets.begin(), chaddr.octets.end(), f.payload.begin() + 28);
  return build_udp_frame(f);
}

TEST(BroadcastAddressee, BootpReplyNamesItsChaddr) {
  auto a = broadcast_addressee(bootp_reply_frame(67, 2, kClientMac));
  ASSERT_TRUE(a.chaddr);
  EXPECT_EQ(*a.chaddr, kClientMac);
  EXPECT_FALSE(a.arp_target);
  EXPECT_EQ(broadcast_addressee(bootp_reply_frame(4011, 2, kServerMac)).chaddr, kServerMac);
}

TEST(BroadcastAddressee, RequestsAndOtherPortsNameNoOne) {
  EXPECT_FALSE(broadcast_addressee(bootp_reply_frame(67, 1, kClientMac)).chaddr);    // BOOTREQUEST
  EXPECT_FALSE(broadcast_addressee(bootp_reply_frame(1067, 2, kClientMac)).chaddr);  // not a server port
  EXPECT_FALSE(broadcast_addressee(build_udp_frame(sample(10))).chaddr);
}

TEST(BroadcastAddressee, ArpRequestNamesItsTargetAndAReplyNothing) {
  auto req = broadcast_addressee(build_arp_frame({true, kClientMac, kClientIp, Mac{}, kServerIp}, kBroadcastMac));
  ASSERT_TRUE(req.arp_target);
  EXPECT_EQ(*req.arp_target, kServerIp);
  auto reply = broadcast_addressee(build_arp_frame({false, kServerMac, kServerIp, kClientMac, kClientIp}, kClientMac));
  EXPECT_FALSE(reply.arp_target);
  EXPECT_FALSE(reply.chaddr);
}

TEST(BroadcastAddressee, TruncatedFramesNameNoOne) {
  Bytes f = bootp_reply_frame(67, 2, kClientMac);
  for (std::size_t n : {0u, 13u, 14u, 33u, 42u, 70u}) {
    auto a = broadcast_addressee(ByteSpan(f).first(n));
    EXPECT_FALSE(a.chaddr) << n;
    EXPECT_FALSE(a.arp_target) << n;
  }
  Bytes arp = build_arp_frame({true, kClientMac, kClientIp, Mac{}, kServerIp}, kBroadcastMac);
  EXPECT_FALSE(broadcast_addressee(ByteSpan(arp).first(41)).arp_target);
}

}  // namespace
}  // namespace pxe::transport
