// The engine as a full DHCP server (RFC 2131 §4.3): every message type, bindings, expiry.
#include "engine_harness.h"

namespace pxe::proto::dhcp::test {
namespace {

constexpr const char* kConf =
    "interface=eth0\n"
    "dhcp-option=3,192.168.42.1 # default gateway\n"
    "dhcp-option=6,8.8.8.8,8.8.4.4\n"
    "dhcp-range=192.168.42.10,192.168.42.20,12h\n"
    "dhcp-boot=boot/pxelinux.0\n";

std::uint32_t u32(const wd::Message& m, std::uint8_t code) {
  auto v = m.option(code);
  return v && v->size() == 4 ? std::uint32_t((*v)[0]) << 24 | (*v)[1] << 16 | (*v)[2] << 8 | (*v)[3] : 0;
}

// Runs DISCOVER/OFFER/REQUEST/ACK and returns the ACK.
wd::Message dora(Harness& h, const Mac& m) {
  auto offer = h.one(client(wd::MessageType::Discover, m).broadcast().build());
  auto req = client(wd::MessageType::Request, m).broadcast();
  req.option_ip(wd::opt::kServerId, Ipv4(192, 168, 42, 1)).option_ip(wd::opt::kRequestedIp, offer.msg.yiaddr);
  return h.one(req.build()).msg;
}

TEST(DhcpEngine, DiscoverGetsAnOfferFromTheRangeWithLeaseTimesAndOptions) {
  Harness h(kConf);
  auto r = h.one(client(wd::MessageType::Discover, mac(0x10)).broadcast().build());
  EXPECT_EQ(r.msg.message_type(), wd::MessageType::Offer);
  EXPECT_EQ(r.msg.yiaddr, Ipv4(192, 168, 42, 10));
  EXPECT_EQ(r.msg.siaddr, Ipv4(192, 168, 42, 1));
  EXPECT_EQ(r.msg.server_id(), Ipv4(192, 168, 42, 1));
  EXPECT_EQ(r.msg.lease_time(), 43200u);
  EXPECT_EQ(u32(r.msg, wd::opt::kRenewalTime), 21600u);     // T1 = 0.5 lease
  EXPECT_EQ(u32(r.msg, wd::opt::kRebindingTime), 37800u);   // T2 = 0.875 lease
  EXPECT_EQ(*r.msg.option(1), (Bytes{255, 255, 255, 0}));
  EXPECT_EQ(*r.msg.option(28), (Bytes{192, 168, 42, 255}));
  EXPECT_EQ(*r.msg.option(3), (Bytes{192, 168, 42, 1}));
  EXPECT_EQ(*r.msg.option(6), (Bytes{8, 8, 8, 8, 8, 8, 4, 4}));
  EXPECT_EQ(r.msg.file_str(), "boot/pxelinux.0");
  EXPECT_EQ(r.msg.xid, 0x1234u);
  EXPECT_TRUE(h.logged("DHCPDISCOVER(eth0) 52:54:00:42:00:10"));
  EXPECT_TRUE(h.logged("DHCPOFFER(eth0) 192.168.42.10 52:54:00:42:00:10"));
  // The offer holds its address in memory only: no row to persist (Kea, dnsmasq).
  EXPECT_TRUE(h.last.lease_changes.empty());
  EXPECT_EQ(h.engine.allocator().offer_of("mac:52:54:00:42:00:10"), Ipv4(192, 168, 42, 10));
}

TEST(DhcpEngine, RequestInSelectingStateIsAckedAndBound) {
  Harness h(kConf);
  auto ack = dora(h, mac(0x10));
  EXPECT_EQ(ack.message_type(), wd::MessageType::Ack);
  EXPECT_EQ(ack.yiaddr, Ipv4(192, 168, 42, 10));
  EXPECT_EQ(ack.lease_time(), 43200u);
  EXPECT_TRUE(h.logged("DHCPACK(eth0) 192.168.42.10 52:54:00:42:00:10"));
  auto* l = h.engine.leases().find_ip(Ipv4(192, 168, 42, 10));
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->state, LeaseState::Bound);
  EXPECT_EQ(h.last.lease_changes.back().lease.state, LeaseState::Bound);
}

TEST(DhcpEngine, TwoClientsGetDifferentAddressesAndTheSameClientKeepsItsOwn) {
  Harness h(kConf);
  auto a = dora(h, mac(1));
  auto b = dora(h, mac(2));
  EXPECT_NE(a.yiaddr, b.yiaddr);
  auto again = h.one(client(wd::MessageType::Discover, mac(1)).build());
  EXPECT_EQ(again.msg.yiaddr, a.yiaddr);
}

TEST(DhcpEngine, RequestForAnotherServerReleasesTheOffer) {
  Harness h(kConf);
  h.one(client(wd::MessageType::Discover, mac(1)).build());
  auto req = client(wd::MessageType::Request, mac(1));
  req.option_ip(wd::opt::kServerId, Ipv4(192, 168, 42, 2)).option_ip(wd::opt::kRequestedIp, Ipv4(192, 168, 42, 10));
  EXPECT_TRUE(h.deliver(req.build()).empty());
  EXPECT_EQ(h.engine.leases().find_client("mac:52:54:00:42:00:01"), nullptr);
}

TEST(DhcpEngine, InitRebootWithItsAddressIsAckedAndWrongNetworkIsNaked) {
  Harness h(kConf);
  dora(h, mac(1));
  auto ok = client(wd::MessageType::Request, mac(1));
  ok.option_ip(wd::opt::kRequestedIp, Ipv4(192, 168, 42, 10));
  EXPECT_EQ(h.one(ok.build()).msg.message_type(), wd::MessageType::Ack);
  auto wrong = client(wd::MessageType::Request, mac(1));
  wrong.option_ip(wd::opt::kRequestedIp, Ipv4(10, 1, 1, 1));
  auto nak = h.one(wrong.build());
  EXPECT_EQ(nak.msg.message_type(), wd::MessageType::Nak);
  EXPECT_TRUE(nak.to.broadcast);  // §4.1: NAKs are broadcast when giaddr is 0
  EXPECT_TRUE(nak.msg.yiaddr.is_zero());
  EXPECT_FALSE(nak.msg.lease_time());
}

TEST(DhcpEngine, InitRebootWithoutARecordIsSilentUnlessAuthoritative) {
  Harness quiet(kConf);
  auto req = client(wd::MessageType::Request, mac(7));
  req.option_ip(wd::opt::kRequestedIp, Ipv4(192, 168, 42, 15));
  EXPECT_TRUE(quiet.deliver(req.build()).empty());
  Harness auth(std::string(kConf) + "dhcp-authoritative\n");
  EXPECT_EQ(auth.one(req.build()).msg.message_type(), wd::MessageType::Ack);
}

TEST(DhcpEngine, RequestForAnAddressHeldByAnotherClientIsNaked) {
  Harness h(kConf);
  auto a = dora(h, mac(1));
  auto req = client(wd::MessageType::Request, mac(2));
  req.option_ip(wd::opt::kRequestedIp, a.yiaddr);
  EXPECT_EQ(h.one(req.build()).msg.message_type(), wd::MessageType::Nak);
}

TEST(DhcpEngine, RenewingIsUnicastToCiaddrAndExtendsTheLease) {
  Harness h(kConf);
  auto a = dora(h, mac(1));
  h.clock.advance(std::chrono::hours(6));
  auto renew = client(wd::MessageType::Request, mac(1)).ciaddr(a.yiaddr).build();
  auto r = h.one(renew);
  EXPECT_EQ(r.msg.message_type(), wd::MessageType::Ack);
  EXPECT_EQ(r.to.ip, a.yiaddr);
  EXPECT_EQ(r.to.port, 68);
  EXPECT_FALSE(r.to.broadcast);
  EXPECT_EQ(h.engine.leases().find_ip(a.yiaddr)->expires, h.clock.now() + std::chrono::hours(12));
}

TEST(DhcpEngine, RebindingBroadcastIsAckedLikeRenewing) {
  Harness h(kConf);
  auto a = dora(h, mac(1));
  h.clock.advance(std::chrono::hours(11));
  auto r = h.one(client(wd::MessageType::Request, mac(1)).ciaddr(a.yiaddr).broadcast().build());
  EXPECT_EQ(r.msg.message_type(), wd::MessageType::Ack);
  EXPECT_EQ(r.to.ip, a.yiaddr);  // ciaddr set: unicast even with the broadcast bit
}

TEST(DhcpEngine, DeclineMarksTheAddressUnusableForAWhile) {
  Harness h(kConf);
  auto a = dora(h, mac(1));
  auto dec = client(wd::MessageType::Decline, mac(1));
  dec.option_ip(wd::opt::kServerId, Ipv4(192, 168, 42, 1)).option_ip(wd::opt::kRequestedIp, a.yiaddr);
  EXPECT_TRUE(h.deliver(dec.build()).empty());
  EXPECT_EQ(h.engine.leases().find_ip(a.yiaddr)->state, LeaseState::Declined);
  auto next = h.one(client(wd::MessageType::Discover, mac(1)).build());
  EXPECT_NE(next.msg.yiaddr, a.yiaddr);
  h.clock.advance(kDeclineHold + std::chrono::seconds(1));
  Actions t;
  h.engine.on_timer(h.clock.now(), t);
  EXPECT_EQ(h.engine.leases().find_ip(a.yiaddr), nullptr);
}

TEST(DhcpEngine, ReleaseFreesTheAddressButRemembersTheClient) {
  Harness h(kConf);
  auto a = dora(h, mac(1));
  auto release = client(wd::MessageType::Release, mac(1)).ciaddr(a.yiaddr);
  EXPECT_TRUE(h.deliver(release.option_ip(wd::opt::kServerId, Ipv4(192, 168, 42, 1)).build()).empty());
  EXPECT_TRUE(h.logged("DHCPRELEASE(eth0) 192.168.42.10 52:54:00:42:00:01"));
  EXPECT_EQ(h.engine.leases().find_ip(a.yiaddr)->state, LeaseState::Released);
  EXPECT_TRUE(h.engine.leases().available(a.yiaddr, "mac:other", h.clock.now()));
  EXPECT_EQ(h.one(client(wd::MessageType::Discover, mac(1)).build()).msg.yiaddr, a.yiaddr);
}

TEST(DhcpEngine, InformIsAckedToCiaddrWithoutLeaseTimeOrYiaddr) {
  Harness h(kConf);
  auto r = h.one(client(wd::MessageType::Inform, mac(9)).ciaddr(Ipv4(192, 168, 42, 99)).build());
  EXPECT_EQ(r.msg.message_type(), wd::MessageType::Ack);
  EXPECT_TRUE(r.msg.yiaddr.is_zero());
  EXPECT_FALSE(r.msg.lease_time());
  EXPECT_EQ(r.to.ip, Ipv4(192, 168, 42, 99));
  EXPECT_TRUE(r.msg.option(3));
}

TEST(DhcpEngine, ClientIdentifierIsTheBindingKeyAndIsEchoed) {
  Harness h(kConf);
  std::uint8_t id[] = {0xff, 1, 2, 3};
  auto d1 = client(wd::MessageType::Discover, mac(1));
  d1.option(wd::opt::kClientId, id);
  auto o1 = h.one(d1.build());
  EXPECT_EQ(*o1.msg.client_id(), (Bytes{0xff, 1, 2, 3}));  // RFC 6842
  // Same client-id from another NIC: the same binding.
  auto d2 = client(wd::MessageType::Discover, mac(2));
  d2.option(wd::opt::kClientId, id);
  EXPECT_EQ(h.one(d2.build()).msg.yiaddr, o1.msg.yiaddr);
  EXPECT_EQ(h.engine.allocator().offer_of("id:ff:01:02:03"), o1.msg.yiaddr);
}

// uefi-syslinux-menu.pcap: the firmware binds with a client identifier (61 = 01 + MAC), then
// syslinux.efi runs its own DISCOVER/REQUEST from the same NIC without 61 (new xid). That is the
// same machine: it is offered and ACKed the firmware's address (dnsmasq 2.90 ACKs it), not NAKed
// "address in use".
TEST(DhcpEngine, RequestWithoutClientIdGetsTheBindingItsHardwareMadeWithOne) {
  Harness h(kConf);
  std::uint8_t id[] = {1, 0x52, 0x54, 0x00, 0x42, 0x00, 0x10};
  auto d = client(wd::MessageType::Discover, mac(0x10), 0xd338fe6d);
  d.option(wd::opt::kClientId, id);
  auto offer = h.one(d.build());
  auto r = client(wd::MessageType::Request, mac(0x10), 0xd338fe6d);
  r.option(wd::opt::kClientId, id);
  r.option_ip(wd::opt::kServerId, Ipv4(192, 168, 42, 1)).option_ip(wd::opt::kRequestedIp, offer.msg.yiaddr);
  ASSERT_EQ(h.one(r.build()).msg.message_type(), wd::MessageType::Ack);

  auto d2 = h.one(client(wd::MessageType::Discover, mac(0x10), 0x0edfbef5).broadcast().build());
  EXPECT_EQ(d2.msg.message_type(), wd::MessageType::Offer);
  EXPECT_EQ(d2.msg.yiaddr, offer.msg.yiaddr);
  auto r2 = client(wd::MessageType::Request, mac(0x10), 0x0edfbef5).broadcast();
  r2.option_ip(wd::opt::kServerId, Ipv4(192, 168, 42, 1)).option_ip(wd::opt::kRequestedIp, offer.msg.yiaddr);
  auto ack = h.one(r2.build());
  EXPECT_EQ(ack.msg.message_type(), wd::MessageType::Ack);
  EXPECT_EQ(ack.msg.yiaddr, offer.msg.yiaddr);
  EXPECT_FALSE(ack.msg.client_id());  // nothing to echo
  // Still one binding, the identified one, renewed.
  EXPECT_EQ(h.engine.leases().size(), 1u);
  EXPECT_EQ(h.engine.leases().find_ip(offer.msg.yiaddr)->client_key, "id:01:52:54:00:42:00:10");
  EXPECT_EQ(h.engine.leases().find_client("mac:52:54:00:42:00:10"), nullptr);

  // INIT-REBOOT without 61 for that address: ACKed too.
  auto reboot = client(wd::MessageType::Request, mac(0x10), 7);
  reboot.option_ip(wd::opt::kRequestedIp, offer.msg.yiaddr);
  EXPECT_EQ(h.one(reboot.build()).msg.message_type(), wd::MessageType::Ack);
  // Other hardware without 61 asking for it is still another client.
  auto other = client(wd::MessageType::Request, mac(0x11), 8);
  other.option_ip(wd::opt::kRequestedIp, offer.msg.yiaddr);
  EXPECT_EQ(h.one(other.build()).msg.message_type(), wd::MessageType::Nak);
  // A DECLINE or RELEASE without 61 from that chaddr ends nothing (DhcpAbuseNetns' spoof).
  auto decline = client(wd::MessageType::Decline, mac(0x10), 10);
  decline.option_ip(wd::opt::kServerId, Ipv4(192, 168, 42, 1)).option_ip(wd::opt::kRequestedIp, offer.msg.yiaddr);
  EXPECT_TRUE(h.deliver(decline.build()).empty());
  auto release = client(wd::MessageType::Release, mac(0x10), 11);
  release.option_ip(wd::opt::kServerId, Ipv4(192, 168, 42, 1)).ciaddr(offer.msg.yiaddr);
  EXPECT_TRUE(h.deliver(release.build()).empty());
  EXPECT_EQ(h.engine.leases().find_ip(offer.msg.yiaddr)->state, LeaseState::Bound);
  EXPECT_EQ(h.engine.counters().declines_ignored, 1u);
  EXPECT_EQ(h.engine.counters().releases_ignored, 1u);
  // And a request WITH another client identifier from the same NIC is another client.
  std::uint8_t id2[] = {0xff, 9, 9, 9};
  auto third = client(wd::MessageType::Request, mac(0x10), 9);
  third.option(wd::opt::kClientId, id2);
  third.option_ip(wd::opt::kRequestedIp, offer.msg.yiaddr);
  EXPECT_EQ(h.one(third.build()).msg.message_type(), wd::MessageType::Nak);
}

TEST(DhcpEngine, RelayedRequestUsesGiaddrSubnetAndEchoesOption82Last) {
  Harness h(std::string(kConf) + "dhcp-range=10.9.0.50,10.9.0.60,255.255.255.0,1h\n");
  auto d = client(wd::MessageType::Discover, mac(1)).giaddr(Ipv4(10, 9, 0, 1)).hops(1);
  std::uint8_t rai[] = {1, 3, 'p', 'o', '1'};
  d.option(wd::opt::kRelayAgentInfo, rai);
  auto r = h.one(d.build());
  EXPECT_EQ(r.msg.yiaddr, Ipv4(10, 9, 0, 50));
  EXPECT_EQ(r.msg.giaddr, Ipv4(10, 9, 0, 1));
  EXPECT_EQ(r.to.ip, Ipv4(10, 9, 0, 1));
  EXPECT_EQ(r.to.port, 67);
  std::uint8_t last_code = 0;
  for (const auto& o : r.msg.options)
    if (o.code != wd::opt::kEnd && o.code != wd::opt::kPad) last_code = o.code;
  EXPECT_EQ(last_code, wd::opt::kRelayAgentInfo);
  EXPECT_EQ(*r.msg.option(82), (Bytes{1, 3, 'p', 'o', '1'}));
}

TEST(DhcpEngine, UnicastOfferGoesToTheLinkAddressWhenTheBroadcastBitIsClear) {
  Harness h(kConf);
  auto r = h.one(client(wd::MessageType::Discover, mac(5)).build());
  EXPECT_TRUE(r.to.link_unicast);
  EXPECT_EQ(r.to.ip, r.msg.yiaddr);
  EXPECT_EQ(r.to.mac, mac(5));
}

TEST(DhcpEngine, StaticHostGetsItsAddressAndNameAndIgnoredHostNothing) {
  Harness h(std::string(kConf) + "dhcp-host=52:54:00:42:00:33,192.168.42.50,box\n"
                                  "dhcp-host=52:54:00:42:00:34,ignore\n");
  auto d = client(wd::MessageType::Discover, mac(0x33));
  d.option(wd::opt::kParamRequest, Bytes{1, 3, 12});
  auto r = h.one(d.build());
  EXPECT_EQ(r.msg.yiaddr, Ipv4(192, 168, 42, 50));
  EXPECT_EQ(r.msg.hostname(), "box");
  EXPECT_FALSE(r.msg.option(6));  // not in the parameter request list
  EXPECT_TRUE(h.deliver(client(wd::MessageType::Discover, mac(0x34)).build()).empty());
}

TEST(DhcpEngine, ExpiredOffersAndLeasesFreeTheirAddresses) {
  Harness h("dhcp-range=192.168.42.10,192.168.42.10,2m\n");
  auto o = h.one(client(wd::MessageType::Discover, mac(1)).build());
  h.clock.advance(kOfferHold + std::chrono::seconds(1));
  Actions t;
  h.engine.on_timer(h.clock.now(), t);
  EXPECT_FALSE(h.engine.allocator().offer_on(o.msg.yiaddr));
  EXPECT_EQ(h.one(client(wd::MessageType::Discover, mac(2)).build()).msg.yiaddr, o.msg.yiaddr);
  auto req = client(wd::MessageType::Request, mac(2));
  req.option_ip(wd::opt::kServerId, Ipv4(192, 168, 42, 1)).option_ip(wd::opt::kRequestedIp, o.msg.yiaddr);
  EXPECT_EQ(h.one(req.build()).msg.message_type(), wd::MessageType::Ack);
  EXPECT_TRUE(h.deliver(client(wd::MessageType::Discover, mac(3)).build()).empty());  // bound: pool empty
  h.clock.advance(std::chrono::minutes(3));
  EXPECT_EQ(h.one(client(wd::MessageType::Discover, mac(3)).build()).msg.yiaddr, o.msg.yiaddr);
}

TEST(DhcpEngine, MalformedPacketIsCountedAndLoggedNotAnswered) {
  Harness h(kConf);
  Bytes garbage(100, 0xab);
  Actions out;
  h.engine.on_datagram(garbage, h.meta, h.clock.now(), out);
  EXPECT_TRUE(out.replies.empty());
  EXPECT_EQ(h.engine.counters().malformed, 1u);
  ASSERT_EQ(out.log.size(), 1u);
  EXPECT_EQ(out.log[0].level, LogLevel::Warn);
}

TEST(DhcpEngine, RequestOnAnInterfaceWithoutARangeIsIgnored) {
  Harness h(kConf);
  h.meta.iface = {"eth1", Ipv4(10, 0, 0, 1), Ipv4(255, 255, 255, 0)};
  EXPECT_TRUE(h.deliver(client(wd::MessageType::Discover, mac(1)).build()).empty());
  EXPECT_EQ(h.engine.counters().ignored, 1u);
}

TEST(DhcpEngine, ZeroAddressInAnOptionMeansThisServer) {
  Harness h("dhcp-range=192.168.42.10,192.168.42.20\ndhcp-option=option:router,0.0.0.0\n");
  EXPECT_EQ(*h.one(client(wd::MessageType::Discover, mac(1)).build()).msg.option(3), (Bytes{192, 168, 42, 1}));
}

TEST(DhcpEngine, RestoredLeasesKeepTheirAddresses) {
  Harness h(kConf);
  auto a = dora(h, mac(1));
  Harness h2(kConf);
  h2.engine.restore(h.engine.leases().all());
  EXPECT_EQ(h2.one(client(wd::MessageType::Discover, mac(1)).build()).msg.yiaddr, a.yiaddr);
  EXPECT_NE(h2.one(client(wd::MessageType::Discover, mac(2)).build()).msg.yiaddr, a.yiaddr);
}

}  // namespace
}  // namespace pxe::proto::dhcp::test

namespace pxe::proto::dhcp::test {
namespace {

TEST(DhcpEngine, ReplyStaysWithinTheClientsMaximumMessageSize) {
  std::string conf = "dhcp-range=192.168.42.10,192.168.42.20\n";
  for (int code = 128; code < 136; ++code)  // eight 200-byte options, all forced
    conf += "dhcp-option-force=" + std::to_string(code) + ",\"" + std::string(200, 'x') + "\"\n";
  Harness h(conf);
  auto small = client(wd::MessageType::Discover, mac(1));
  small.option_u16(wd::opt::kMaxMessageSize, 576);
  h.one(small.build());
  ASSERT_EQ(h.last.replies.size(), 1u);
  EXPECT_LE(h.last.replies[0].payload.size(), 576u - 28u);
  auto big = client(wd::MessageType::Discover, mac(2));
  big.option_u16(wd::opt::kMaxMessageSize, 1500);
  h.one(big.build());
  EXPECT_GT(h.last.replies[0].payload.size(), 1000u);
  EXPECT_LE(h.last.replies[0].payload.size(), 1500u - 28u);
}

TEST(DhcpEngine, NakThroughARelaySetsTheBroadcastBitAndGoesToTheRelay) {
  Harness h("dhcp-range=10.9.0.50,10.9.0.60,255.255.255.0\n");
  auto req = client(wd::MessageType::Request, mac(1)).giaddr(Ipv4(10, 9, 0, 1));
  req.option_ip(wd::opt::kRequestedIp, Ipv4(10, 8, 0, 5));
  auto r = h.one(req.build());
  EXPECT_EQ(r.msg.message_type(), wd::MessageType::Nak);
  EXPECT_TRUE(r.msg.broadcast());
  EXPECT_EQ(r.to.ip, Ipv4(10, 9, 0, 1));
  EXPECT_EQ(r.to.port, 67);
}

}  // namespace
}  // namespace pxe::proto::dhcp::test
