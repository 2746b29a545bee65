// The engine with the dnsmasq.conf features beyond plain ranges: static ranges, dhcp-host by
// client id and by name, dhcp-lease-max, encapsulated/vendor sub-options, and the ping check
// (sans-I/O: a Probe action out, the result back as an event).
#include "engine_harness.h"

namespace pxe::proto::dhcp::test {
namespace {

const Ipv4 kServer(192, 168, 42, 1);

wd::Builder discover(const Mac& m) { return client(wd::MessageType::Discover, m).broadcast(); }

wd::Message request(Harness& h, wd::Builder b, Ipv4 ip) {
  b.option_ip(wd::opt::kServerId, kServer).option_ip(wd::opt::kRequestedIp, ip);
  return h.one(b.build()).msg;
}

TEST(DhcpEngineConfig, StaticRangeGivesOnlyDhcpHostAddresses) {
  Harness h("dhcp-range=192.168.42.0,static,255.255.255.0,2h\n"
            "dhcp-host=52:54:00:42:00:10,192.168.42.50\n");
  auto known = h.one(discover(mac(0x10)).build());
  EXPECT_EQ(known.msg.yiaddr, Ipv4(192, 168, 42, 50));
  EXPECT_EQ(known.msg.lease_time(), 7200u);
  EXPECT_EQ(request(h, client(wd::MessageType::Request, mac(0x10)).broadcast(), known.msg.yiaddr).message_type(),
            wd::MessageType::Ack);
  // A client without a dhcp-host line gets nothing, and its REQUEST for a network address is NAKed.
  EXPECT_TRUE(h.deliver(discover(mac(0x11)).build()).empty());
  EXPECT_TRUE(h.logged("DHCPDISCOVER(eth0) 52:54:00:42:00:11 no address available"));
  auto nak = request(h, client(wd::MessageType::Request, mac(0x11)).broadcast(), Ipv4(192, 168, 42, 60));
  EXPECT_EQ(nak.message_type(), wd::MessageType::Nak);
  EXPECT_TRUE(h.logged("DHCPNAK(eth0) 192.168.42.60 52:54:00:42:00:11 no static address"));
}

TEST(DhcpEngineConfig, HostMatchedByClientIdGetsItsAddressWhateverTheMac) {
  Harness h("dhcp-range=192.168.42.10,192.168.42.20\n"
            "dhcp-host=id:01:52:54:00:42:00:77,192.168.42.50,box\n"
            "dhcp-host=id:router7,192.168.42.51\n");
  std::uint8_t id1[] = {1, 0x52, 0x54, 0, 0x42, 0, 0x77};
  auto a = h.one(discover(mac(0x10)).option(wd::opt::kClientId, id1).build());
  EXPECT_EQ(a.msg.yiaddr, Ipv4(192, 168, 42, 50));
  auto b = h.one(discover(mac(0x11)).option_str(wd::opt::kClientId, "router7").build());
  EXPECT_EQ(b.msg.yiaddr, Ipv4(192, 168, 42, 51));
  // Same MAC, no client id: an ordinary pool client.
  auto c = h.one(discover(mac(0x10)).build());
  EXPECT_EQ(c.msg.yiaddr, Ipv4(192, 168, 42, 10));
  // The reserved address is refused to others.
  auto nak = request(h, client(wd::MessageType::Request, mac(0x12)).broadcast(), Ipv4(192, 168, 42, 50));
  EXPECT_EQ(nak.message_type(), wd::MessageType::Nak);
}

TEST(DhcpEngineConfig, IdStarKeysTheBindingByMacIgnoringTheClientId) {
  Harness h("dhcp-range=192.168.42.10,192.168.42.20\n"
            "dhcp-host=52:54:00:42:00:10,id:*,192.168.42.52\n");
  auto ack = request(h, client(wd::MessageType::Request, mac(0x10)).broadcast().option_str(wd::opt::kClientId, "first"),
                     Ipv4(192, 168, 42, 52));
  ASSERT_EQ(ack.message_type(), wd::MessageType::Ack);
  ASSERT_NE(h.engine.leases().find_client("mac:52:54:00:42:00:10"), nullptr);
  // Another client id from the same machine (e.g. a second OS) keeps the same binding.
  auto again = h.one(discover(mac(0x10)).option_str(wd::opt::kClientId, "second").build());
  EXPECT_EQ(again.msg.yiaddr, Ipv4(192, 168, 42, 52));
  EXPECT_EQ(h.engine.leases().size(), 1u);
}

TEST(DhcpEngineConfig, HostMatchedByTheNameTheClientSends) {
  Harness h("dhcp-range=192.168.42.10,192.168.42.20\n"
            "dhcp-host=laptop,192.168.42.53,2h\n");
  auto named = h.one(discover(mac(0x10)).option_str(wd::opt::kHostname, "LapTop").build());
  EXPECT_EQ(named.msg.yiaddr, Ipv4(192, 168, 42, 53));
  EXPECT_EQ(named.msg.lease_time(), 7200u);
  auto other = h.one(discover(mac(0x11)).option_str(wd::opt::kHostname, "desktop").build());
  EXPECT_EQ(other.msg.yiaddr, Ipv4(192, 168, 42, 10));
}

TEST(DhcpEngineConfig, LeaseMaxRefusesNewClientsButNotThoseHoldingAnAddress) {
  Harness h("dhcp-range=192.168.42.10,192.168.42.20\ndhcp-lease-max=2\n");
  auto a = request(h, client(wd::MessageType::Request, mac(0x10)).broadcast(),
                   h.one(discover(mac(0x10)).build()).msg.yiaddr);
  ASSERT_EQ(a.message_type(), wd::MessageType::Ack);
  // Offers are not leases: the limit counts bindings, so two more clients are offered.
  auto b = h.one(discover(mac(0x11)).build());
  EXPECT_EQ(b.msg.yiaddr, Ipv4(192, 168, 42, 11));
  auto c = h.one(discover(mac(0x12)).build());
  EXPECT_EQ(c.msg.yiaddr, Ipv4(192, 168, 42, 12));
  EXPECT_EQ(request(h, client(wd::MessageType::Request, mac(0x11)).broadcast(), b.msg.yiaddr).message_type(),
            wd::MessageType::Ack);
  // Two bound: the third client is refused at its REQUEST and its next DISCOVER.
  auto nak = request(h, client(wd::MessageType::Request, mac(0x12)).broadcast(), c.msg.yiaddr);
  EXPECT_EQ(nak.message_type(), wd::MessageType::Nak);
  EXPECT_TRUE(h.deliver(discover(mac(0x12)).build()).empty());
  EXPECT_TRUE(h.logged("DHCPDISCOVER(eth0) 52:54:00:42:00:12 no leases left (dhcp-lease-max)"));
  // Holders keep being served: the bound clients' renewals.
  auto renew = client(wd::MessageType::Request, mac(0x10)).ciaddr(a.yiaddr).build();
  EXPECT_EQ(h.one(renew).msg.message_type(), wd::MessageType::Ack);
  // A release frees a slot.
  h.deliver(client(wd::MessageType::Release, mac(0x10)).ciaddr(a.yiaddr).option_ip(wd::opt::kServerId, kServer).build());
  EXPECT_EQ(h.one(discover(mac(0x12)).build()).msg.message_type(), wd::MessageType::Offer);
}

TEST(DhcpEngineConfig, VendorSubOptionsGoOnlyToClientsOfThatVendorClass) {
  Harness h("dhcp-range=192.168.42.10,192.168.42.20\n"
            "dhcp-option=vendor:PXEClient,1,0.0.0.0\n"
            "dhcp-option=vendor:PXEClient,6,8\n"
            "dhcp-option=vendor:MSFT,2,1\n");
  std::uint8_t prl[] = {1, 3, 43};
  auto pxe = h.one(pxe_client(wd::MessageType::Discover, mac(0x10), 0).option(wd::opt::kParamRequest, prl).build());
  ASSERT_TRUE(pxe.msg.option(43));
  EXPECT_EQ(*pxe.msg.option(43), (Bytes{1, 4, 0, 0, 0, 0, 6, 1, 8}));
  auto msft = h.one(discover(mac(0x11)).option_str(wd::opt::kVendorClass, "MSFT 5.0").option(wd::opt::kParamRequest, prl).build());
  ASSERT_TRUE(msft.msg.option(43));
  EXPECT_EQ(*msft.msg.option(43), (Bytes{2, 1, 1}));
  auto plain = h.one(discover(mac(0x12)).option(wd::opt::kParamRequest, prl).build());
  EXPECT_FALSE(plain.msg.option(43));
}

TEST(DhcpEngineConfig, EncapOptionsFormTheOuterOptionWhenAskedOrForced) {
  Harness h("dhcp-range=192.168.42.10,192.168.42.20\n"
            "dhcp-match=set:ipxe,175\n"
            "dhcp-option=tag:ipxe,encap:175,8,1\n"
            "dhcp-option=encap:175,8,0\n"
            "dhcp-option=encap:175,190,user\n");
  std::uint8_t prl[] = {1, 3, 175};
  std::uint8_t ipxe_features[] = {8, 1, 1};
  auto ipxe = h.one(discover(mac(0x10)).option(wd::opt::kIpxeEncap, ipxe_features).option(wd::opt::kParamRequest, prl).build());
  ASSERT_TRUE(ipxe.msg.option(175));
  // The tagged line wins over the untagged one for sub-option 8.
  EXPECT_EQ(*ipxe.msg.option(175), (Bytes{8, 1, 1, 190, 4, 'u', 's', 'e', 'r'}));
  std::uint8_t prl_without[] = {1, 3};
  auto not_asked = h.one(discover(mac(0x11)).option(wd::opt::kParamRequest, prl_without).build());
  EXPECT_FALSE(not_asked.msg.option(175));

  Harness forced("dhcp-range=192.168.42.10,192.168.42.20\ndhcp-option-force=encap:175,190,user\n");
  auto f = forced.one(discover(mac(0x10)).option(wd::opt::kParamRequest, prl_without).build());
  ASSERT_TRUE(f.msg.option(175));
  EXPECT_EQ(*f.msg.option(175), (Bytes{190, 4, 'u', 's', 'e', 'r'}));
}

const auto kPing = [](config::DhcpSettings& s) { s.ping_check = true; };
constexpr const char* kPool = "dhcp-range=192.168.42.10,192.168.42.20\ndhcp-host=52:54:00:42:00:30,192.168.42.30\n";

TEST(DhcpEngineConfig, PingCheckHoldsTheOfferUntilTheProbeGoesUnanswered) {
  Harness h(kPool, kPing);
  EXPECT_TRUE(h.deliver(discover(mac(0x10)).build()).empty());
  ASSERT_EQ(h.last.probes.size(), 1u);
  Probe p = h.last.probes[0];
  EXPECT_EQ(p.ip, Ipv4(192, 168, 42, 10));
  EXPECT_EQ(p.interface, "eth0");
  // Reserved (in memory, no row) while probing, so another client is given another address.
  EXPECT_TRUE(h.last.lease_changes.empty());
  ASSERT_TRUE(h.engine.allocator().offer_on(p.ip));
  EXPECT_TRUE(h.engine.allocator().offer_on(p.ip)->probing);
  EXPECT_TRUE(h.deliver(discover(mac(0x11)).build()).empty());
  ASSERT_EQ(h.last.probes.size(), 1u);
  EXPECT_EQ(h.last.probes[0].ip, Ipv4(192, 168, 42, 11));
  // The client retransmits while the probe runs: no second probe, no reply.
  EXPECT_TRUE(h.deliver(discover(mac(0x10)).build()).empty());
  EXPECT_TRUE(h.last.probes.empty());
  h.clock.advance(std::chrono::seconds(1));
  auto offer = h.probe_result(p.id, false);
  ASSERT_EQ(offer.size(), 1u);
  EXPECT_EQ(offer[0].msg.message_type(), wd::MessageType::Offer);
  EXPECT_EQ(offer[0].msg.yiaddr, Ipv4(192, 168, 42, 10));
  EXPECT_EQ(offer[0].msg.xid, 0x1234u);
  EXPECT_TRUE(h.probe_result(p.id, false).empty());  // a late duplicate result is ignored
  // The REQUEST is answered at once, and so is the bound client's next DISCOVER.
  EXPECT_EQ(request(h, client(wd::MessageType::Request, mac(0x10)).broadcast(), offer[0].msg.yiaddr).message_type(),
            wd::MessageType::Ack);
  h.clock.advance(std::chrono::minutes(5));
  EXPECT_EQ(h.one(discover(mac(0x10)).build()).msg.yiaddr, Ipv4(192, 168, 42, 10));
  EXPECT_TRUE(h.last.probes.empty());
  // dhcp-host addresses are not probed.
  EXPECT_EQ(h.one(discover(mac(0x30)).build()).msg.yiaddr, Ipv4(192, 168, 42, 30));
  EXPECT_TRUE(h.last.probes.empty());
}

TEST(DhcpEngineConfig, AddressAnsweringThePingIsHeldAndAnotherIsProbed) {
  Harness h(kPool, kPing);
  h.deliver(discover(mac(0x10)).build());
  ASSERT_EQ(h.last.probes.size(), 1u);
  auto first = h.last.probes[0];
  EXPECT_TRUE(h.probe_result(first.id, true).empty());
  EXPECT_TRUE(h.logged("DHCPDISCOVER(eth0) 192.168.42.10 in use (answered a ping)"));
  ASSERT_EQ(h.last.probes.size(), 1u);
  auto second = h.last.probes[0];
  EXPECT_EQ(second.ip, Ipv4(192, 168, 42, 11));
  const Lease* held = h.engine.leases().find_ip(Ipv4(192, 168, 42, 10));
  ASSERT_NE(held, nullptr);
  EXPECT_EQ(held->state, LeaseState::Declined);
  auto offer = h.probe_result(second.id, false);
  ASSERT_EQ(offer.size(), 1u);
  EXPECT_EQ(offer[0].msg.yiaddr, Ipv4(192, 168, 42, 11));
  EXPECT_EQ(h.engine.counters().probes, 2u);
  EXPECT_EQ(h.engine.counters().probes_answered, 1u);
}

TEST(DhcpEngineConfig, ForgottenProbesAreDroppedByTheTimer) {
  Harness h(kPool, kPing);
  h.deliver(discover(mac(0x10)).build());
  auto id = h.last.probes.at(0).id;
  h.clock.advance(kProbeForget + std::chrono::seconds(1));
  Actions out;
  h.engine.on_timer(h.clock.now(), out);
  EXPECT_TRUE(h.probe_result(id, false).empty());
}

}  // namespace
}  // namespace pxe::proto::dhcp::test
