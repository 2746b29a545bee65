#include "client/faults.h"

#include <gtest/gtest.h>

#include "transport/frame.h"
#include "wire/dhcp/dhcp.h"
#include "wire/tftp/tftp.h"

using namespace pxe;
using namespace pxe::client;
using namespace std::chrono_literals;

namespace {

const Mac kClient = *Mac::parse("52:54:00:42:00:10");
const Mac kServer = *Mac::parse("52:54:00:42:00:01");

Bytes dhcp_reply(wire::dhcp::MessageType type, std::uint16_t src_port = 67) {
  auto payload = wire::dhcp::Builder(wire::dhcp::Op::Reply)
                     .xid(1)
                     .client_mac(kClient)
                     .yiaddr(Ipv4(192, 168, 42, 17))
                     .message_type(type)
                     .option_str(wire::dhcp::opt::kBootfileName, "pxelinux.0")
                     .encode();
  return transport::build_udp_frame({kServer, transport::kBroadcastMac, Ipv4(192, 168, 42, 1), transport::kBroadcastIpv4,
                                     src_port, 68, payload});
}

Bytes tftp_frame(const wire::tftp::Packet& p, std::size_t pad = 0) {
  Bytes payload = wire::tftp::encode(p);
  payload.resize(payload.size() + pad);
  return transport::build_udp_frame({kServer, kClient, Ipv4(192, 168, 42, 1), Ipv4(192, 168, 42, 17), 40000, 2070, payload});
}

}  // namespace

TEST(FaultSpec, ParsesEachForm) {
  auto d = parse_fault("drop:dhcp-offer");
  ASSERT_TRUE(d) << d.error().what;
  EXPECT_EQ(d->type, Fault::Type::Drop);
  EXPECT_EQ(d->what, FrameKind::DhcpOffer);
  EXPECT_FALSE(d->count);

  auto n = parse_fault("drop:tftp-data:3");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->count, 3u);

  auto delay = parse_fault("delay:tftp-data:5s");
  ASSERT_TRUE(delay);
  EXPECT_EQ(delay->type, Fault::Type::Delay);
  EXPECT_EQ(delay->delay, Duration(5s));

  auto c = parse_fault("corrupt:opt67");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->type, Fault::Type::Corrupt);
  EXPECT_EQ(c->option, 67);

  auto arp = parse_fault("no-arp-reply");
  ASSERT_TRUE(arp);
  EXPECT_EQ(arp->type, Fault::Type::NoArpReply);

  auto mtu = parse_fault("mtu:576");
  ASSERT_TRUE(mtu);
  EXPECT_EQ(mtu->mtu, 576u);
}

TEST(FaultSpec, RejectsMalformedSpecsSayingWhatWasExpected) {
  for (const char* bad : {"", "drop", "drop:bogus", "drop:tftp-data:0", "drop:tftp-data:x", "delay:tftp-data",
                          "delay:tftp-data:5parsecs", "corrupt:67", "corrupt:opt0", "corrupt:opt300", "mtu:10",
                          "no-arp-reply:1", "explode"}) {
    auto r = parse_fault(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().what.find("--fault"), std::string::npos) << r.error().what;
  }
  auto r = parse_fault("drop:bogus");
  EXPECT_NE(r.error().what.find("dhcp-offer"), std::string::npos) << "lists the kinds: " << r.error().what;
}

TEST(FaultSpec, Durations) {
  EXPECT_EQ(parse_duration("5s"), Duration(5s));
  EXPECT_EQ(parse_duration("1500ms"), Duration(1500ms));
  EXPECT_EQ(parse_duration("2"), Duration(2s));
  EXPECT_EQ(parse_duration("250us"), Duration(250us));
  EXPECT_FALSE(parse_duration("s"));
  EXPECT_FALSE(parse_duration("-1s"));
}

TEST(FaultClassify, NamesDhcpTftpAndArpFrames) {
  using K = FrameKind;
  EXPECT_EQ(classify_frame(dhcp_reply(wire::dhcp::MessageType::Offer)), (std::vector{K::DhcpReply, K::DhcpOffer}));
  EXPECT_EQ(classify_frame(dhcp_reply(wire::dhcp::MessageType::Ack, 4011)),
            (std::vector{K::DhcpReply, K::ProxyReply, K::DhcpAck}));
  EXPECT_EQ(classify_frame(tftp_frame(wire::tftp::Ack{1})), (std::vector{K::TftpAck}));
  Bytes block(512, 0x41);
  EXPECT_EQ(classify_frame(tftp_frame(wire::tftp::Data{1, block})), (std::vector{K::TftpFromServer, K::TftpData}));
  EXPECT_EQ(classify_frame(tftp_frame(wire::tftp::ErrorPacket{1, "nope"})), (std::vector{K::TftpError}));
  auto reply = transport::build_arp_frame({false, kServer, Ipv4(192, 168, 42, 1), kClient, Ipv4(192, 168, 42, 17)}, kClient);
  EXPECT_EQ(classify_frame(reply), (std::vector{K::ArpReply}));
  auto request = transport::build_arp_frame({true, kClient, Ipv4(192, 168, 42, 17), Mac{}, Ipv4(192, 168, 42, 1)},
                                            transport::kBroadcastMac);
  EXPECT_TRUE(classify_frame(request).empty());
}

TEST(FaultInjector, DropsOnlyTheNamedKindAndCountsTheFirstN) {
  FaultInjector inject({*parse_fault("drop:dhcp-offer:1")});
  auto offer = dhcp_reply(wire::dhcp::MessageType::Offer);
  auto ack = dhcp_reply(wire::dhcp::MessageType::Ack);
  EXPECT_TRUE(inject(offer, {}).drop);
  EXPECT_FALSE(inject(offer, {}).drop) << "only the first one";
  EXPECT_FALSE(inject(ack, {}).drop);
  EXPECT_EQ(inject.log().size(), 1u);
}

TEST(FaultInjector, DelaysData) {
  FaultInjector inject({*parse_fault("delay:tftp-data:5s")});
  Bytes block(512, 0);
  auto v = inject(tftp_frame(wire::tftp::Data{1, block}), {});
  EXPECT_FALSE(v.drop);
  EXPECT_EQ(v.delay, Duration(5s));
  EXPECT_EQ(inject(tftp_frame(wire::tftp::Ack{1}), {}).delay, Duration(0));
}

TEST(FaultInjector, CorruptsTheBootFileOptionAndKeepsTheFrameValid) {
  FaultInjector inject({*parse_fault("corrupt:opt67")});
  auto v = inject(dhcp_reply(wire::dhcp::MessageType::Offer), {});
  ASSERT_TRUE(v.replace);
  auto parsed = transport::parse_frame(*v.replace);
  auto* udp = std::get_if<transport::UdpFrame>(&parsed);
  ASSERT_TRUE(udp);
  auto msg = wire::dhcp::parse(udp->payload);
  ASSERT_TRUE(msg);
  auto file = msg->bootfile();
  ASSERT_TRUE(file);
  EXPECT_NE(*file, "pxelinux.0");
  EXPECT_EQ(file->size(), std::string("pxelinux.0").size());
}

TEST(FaultInjector, NoArpReplyAndMtu) {
  FaultInjector arp({*parse_fault("no-arp-reply")});
  auto reply = transport::build_arp_frame({false, kServer, Ipv4(192, 168, 42, 1), kClient, Ipv4(192, 168, 42, 17)}, kClient);
  EXPECT_TRUE(arp(reply, {}).drop);

  FaultInjector mtu({*parse_fault("mtu:576")});
  Bytes small(512, 0), big(1408, 0);
  EXPECT_FALSE(mtu(tftp_frame(wire::tftp::Data{1, small}), {}).drop);
  EXPECT_TRUE(mtu(tftp_frame(wire::tftp::Data{1, big}), {}).drop);
}
