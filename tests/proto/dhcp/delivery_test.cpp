// RFC 2131 §4.1 reply destinations, one rule per test.
#include <gtest/gtest.h>

#include "proto/dhcp/delivery.h"

namespace pxe::proto::dhcp {
namespace {

namespace wd = wire::dhcp;

struct Case {
  wd::Message req, reply;
  RequestOrigin origin;
  Case() {
    req.set_client_mac(Mac{{2, 0, 0, 0, 0, 1}});
    reply = wd::Builder(wd::Op::Reply).message_type(wd::MessageType::Offer).yiaddr(Ipv4(10, 0, 0, 5)).build();
  }
  Destination dest() const { return reply_destination(req, reply, origin); }
};

TEST(ReplyDestination, RelayedGoesToGiaddrServerPort) {
  Case c;
  c.req.giaddr = Ipv4(10, 0, 0, 1);
  c.req.ciaddr = Ipv4(10, 0, 0, 9);
  EXPECT_EQ(c.dest(), (Destination{Ipv4(10, 0, 0, 1), 67, false, false, {}}));
}

TEST(ReplyDestination, NakWithoutRelayIsBroadcast) {
  Case c;
  c.req.ciaddr = Ipv4(10, 0, 0, 9);
  c.reply = wd::Builder(wd::Op::Reply).message_type(wd::MessageType::Nak).build();
  EXPECT_TRUE(c.dest().broadcast);
  EXPECT_EQ(c.dest().ip, Ipv4(255, 255, 255, 255));
}

TEST(ReplyDestination, ClientWithCiaddrGetsUnicastToCiaddr) {
  Case c;
  c.req.ciaddr = Ipv4(10, 0, 0, 9);
  c.req.flags = wd::kBroadcastFlag;
  EXPECT_EQ(c.dest(), (Destination{Ipv4(10, 0, 0, 9), 68, false, false, {}}));
}

TEST(ReplyDestination, BroadcastBitMeansBroadcast) {
  Case c;
  c.req.flags = wd::kBroadcastFlag;
  EXPECT_EQ(c.dest(), (Destination{Ipv4(255, 255, 255, 255), 68, true, false, {}}));
}

TEST(ReplyDestination, NoBroadcastBitMeansUnicastToYiaddrAtChaddr) {
  Case c;
  auto d = c.dest();
  EXPECT_TRUE(d.link_unicast);
  EXPECT_EQ(d.ip, Ipv4(10, 0, 0, 5));
  EXPECT_EQ(d.mac, (Mac{{2, 0, 0, 0, 0, 1}}));
}

TEST(ReplyDestination, UnusableChaddrOrNoYiaddrFallsBackToBroadcast) {
  Case c;
  c.req.hlen = 0;
  EXPECT_TRUE(c.dest().broadcast);
  Case p;
  p.reply.yiaddr = Ipv4();
  EXPECT_TRUE(p.dest().broadcast);
}

TEST(ReplyDestination, BootServerRepliesToTheSourceAddressAndPort) {
  Case c;
  c.origin = {Ipv4(10, 0, 0, 7), 4011, 4011};
  EXPECT_EQ(c.dest(), (Destination{Ipv4(10, 0, 0, 7), 4011, false, false, {}}));
}

}  // namespace
}  // namespace pxe::proto::dhcp
