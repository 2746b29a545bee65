// The engine facing hostile or broken clients (issue 11): spoofed DECLINE/RELEASE, DISCOVER
// floods from made-up MACs, client-chosen host names, replies bigger than the client takes, and
// settings reloaded with leases kept. Time is a ManualClock.
#include "engine_harness.h"

namespace pxe::proto::dhcp::test {
namespace {

const Ipv4 kServer(192, 168, 42, 1);
constexpr const char* kConf = "dhcp-range=192.168.42.10,192.168.42.60,12h\n";

wd::Message dora(Harness& h, const Mac& m) {
  auto offer = h.one(client(wd::MessageType::Discover, m).broadcast().build());
  auto req = client(wd::MessageType::Request, m).broadcast();
  req.option_ip(wd::opt::kServerId, kServer).option_ip(wd::opt::kRequestedIp, offer.msg.yiaddr);
  return h.one(req.build()).msg;
}

wd::Message renew(Harness& h, const Mac& m, Ipv4 ip) {
  return h.one(client(wd::MessageType::Request, m).ciaddr(ip).build()).msg;
}

Mac made_up(std::uint32_t n) {
  return Mac{{0x02, 0xde, std::uint8_t(n >> 24), std::uint8_t(n >> 16), std::uint8_t(n >> 8), std::uint8_t(n)}};
}

TEST(DhcpEngineAbuse, SpoofedDeclineWithTheOwnersChaddrAndOurServerIdLeavesTheLease) {
  Harness h(kConf);
  auto a = dora(h, mac(1));
  // Sent by someone else: the owner's chaddr, our server id, but another client id (its own
  // binding key) -- and the same without any client id but from an address that is not its.
  auto spoof = client(wd::MessageType::Decline, mac(1)).option_str(wd::opt::kClientId, "attacker");
  spoof.option_ip(wd::opt::kServerId, kServer).option_ip(wd::opt::kRequestedIp, a.yiaddr);
  EXPECT_TRUE(h.deliver(spoof.build()).empty());
  EXPECT_TRUE(h.last.lease_changes.empty());
  const Lease* l = h.engine.leases().find_ip(a.yiaddr);
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->state, LeaseState::Bound);
  EXPECT_EQ(l->client_key, "mac:52:54:00:42:00:01");
  EXPECT_EQ(h.engine.counters().declines_ignored, 1u);
  EXPECT_EQ(renew(h, mac(1), a.yiaddr).message_type(), wd::MessageType::Ack);
}

TEST(DhcpEngineAbuse, DeclineWithoutOurServerIdIsIgnoredEvenFromTheOwner) {
  Harness h(kConf);
  auto a = dora(h, mac(1));
  auto none = client(wd::MessageType::Decline, mac(1)).option_ip(wd::opt::kRequestedIp, a.yiaddr);
  EXPECT_TRUE(h.deliver(none.build()).empty());
  auto other = client(wd::MessageType::Decline, mac(1)).option_ip(wd::opt::kRequestedIp, a.yiaddr);
  EXPECT_TRUE(h.deliver(other.option_ip(wd::opt::kServerId, Ipv4(192, 168, 42, 2)).build()).empty());
  EXPECT_EQ(h.engine.leases().find_ip(a.yiaddr)->state, LeaseState::Bound);
  EXPECT_EQ(h.engine.leases().declined(), 0u);
  EXPECT_EQ(renew(h, mac(1), a.yiaddr).message_type(), wd::MessageType::Ack);
}

TEST(DhcpEngineAbuse, DeclineOfAnAddressWeDoNotServeOrThatHasNoLeaseChangesNothing) {
  Harness h(std::string(kConf) + "log-dhcp\n");
  dora(h, mac(1));
  auto decline = [&](Ipv4 ip) {
    auto d = client(wd::MessageType::Decline, mac(1));
    h.deliver(d.option_ip(wd::opt::kServerId, kServer).option_ip(wd::opt::kRequestedIp, ip).build());
    EXPECT_TRUE(h.last.lease_changes.empty()) << ip.str();
  };
  decline(Ipv4(192, 168, 42, 200));
  EXPECT_TRUE(h.logged("DHCPDECLINE(eth0) 192.168.42.200 52:54:00:42:00:01 ignored: address not served here"));
  decline(Ipv4(10, 0, 0, 1));
  decline(Ipv4(192, 168, 42, 30));
  EXPECT_TRUE(h.logged("DHCPDECLINE(eth0) 192.168.42.30 52:54:00:42:00:01 ignored: lease not the sender's"));
  EXPECT_EQ(h.engine.leases().declined(), 0u);
}

TEST(DhcpEngineAbuse, SpoofedReleaseIsIgnoredAndTheOwnersReleaseIsNot) {
  Harness h(kConf);
  auto a = dora(h, mac(1));
  // The owner's chaddr without a server id, and with it but another client id.
  h.deliver(client(wd::MessageType::Release, mac(1)).ciaddr(a.yiaddr).build());
  auto spoof = client(wd::MessageType::Release, mac(1)).ciaddr(a.yiaddr).option_str(wd::opt::kClientId, "x");
  h.deliver(spoof.option_ip(wd::opt::kServerId, kServer).build());
  EXPECT_EQ(h.engine.leases().find_ip(a.yiaddr)->state, LeaseState::Bound);
  EXPECT_EQ(h.engine.counters().releases_ignored, 2u);
  h.deliver(client(wd::MessageType::Release, mac(1)).ciaddr(a.yiaddr).option_ip(wd::opt::kServerId, kServer).build());
  EXPECT_EQ(h.engine.leases().find_ip(a.yiaddr)->state, LeaseState::Released);
}

TEST(DhcpEngineAbuse, DeclinedHoldsAreCappedAndTheOldestEndsFirst) {
  Harness h("dhcp-range=10.9.0.1,10.9.7.254,255.255.248.0,12h\n");
  h.meta.iface = {"eth0", Ipv4(10, 9, 7, 255), Ipv4(255, 255, 248, 0)};
  const Ipv4 server(10, 9, 7, 255);
  const std::size_t n = LeaseTable::kMaxDeclined + 50;
  std::vector<Ipv4> declined;
  const Timestamp start = h.clock.now();
  for (std::uint32_t i = 0; i < n; ++i) {
    auto offer = h.one(client(wd::MessageType::Discover, made_up(i)).build());
    auto req = client(wd::MessageType::Request, made_up(i));
    req.option_ip(wd::opt::kServerId, server).option_ip(wd::opt::kRequestedIp, offer.msg.yiaddr);
    ASSERT_EQ(h.one(req.build()).msg.message_type(), wd::MessageType::Ack);
    auto d = client(wd::MessageType::Decline, made_up(i));
    h.deliver(d.option_ip(wd::opt::kServerId, server).option_ip(wd::opt::kRequestedIp, offer.msg.yiaddr).build());
    declined.push_back(offer.msg.yiaddr);
    h.clock.advance(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(h.engine.counters().declines, n);
  EXPECT_EQ(h.engine.leases().declined(), LeaseTable::kMaxDeclined);
  EXPECT_EQ(h.engine.leases().size(), LeaseTable::kMaxDeclined);
  // The oldest hold ended (its address may have been handed out and declined again since).
  const Lease* first = h.engine.leases().find_ip(declined.front());
  EXPECT_TRUE(!first || first->expires > start + kDeclineHold) << first->expires.us;
  ASSERT_NE(h.engine.leases().find_ip(declined.back()), nullptr);
  EXPECT_EQ(h.engine.leases().find_ip(declined.back())->state, LeaseState::Declined);
}

TEST(DhcpEngineAbuse, DiscoverFloodFromMadeUpMacsDoesNotKeepARealClientFromALease) {
  Harness h(kConf);  // 51 addresses
  std::size_t rows = 0;
  for (std::uint32_t i = 0; i < 3000; ++i) {
    auto r = h.deliver(client(wd::MessageType::Discover, made_up(i)).build());
    ASSERT_EQ(r.size(), 1u) << "DISCOVER " << i << " not offered";
    rows += h.last.lease_changes.size();
    h.clock.advance(std::chrono::microseconds(300));  // perfdhcp -r 3000 -i
  }
  EXPECT_EQ(rows, 0u);  // an OFFER writes nothing
  EXPECT_LE(h.engine.allocator().offers(), 51u);
  auto ack = dora(h, mac(0x77));
  EXPECT_EQ(ack.message_type(), wd::MessageType::Ack);
  EXPECT_EQ(h.engine.leases().size(), 1u);
}

TEST(DhcpEngineAbuse, AnOfferNeverBlocksARequestTheFirstValidRequestGetsTheAddress) {
  Harness h(kConf);
  auto offered = h.one(client(wd::MessageType::Discover, mac(1)).build()).msg.yiaddr;
  // Another client asks for it at once (INIT-REBOOT with an authoritative server, or SELECTING
  // an offer it was given before the hold moved): the offer does not stand in its way.
  auto req = client(wd::MessageType::Request, mac(2)).broadcast();
  req.option_ip(wd::opt::kServerId, kServer).option_ip(wd::opt::kRequestedIp, offered);
  EXPECT_EQ(h.one(req.build()).msg.message_type(), wd::MessageType::Ack);
  EXPECT_FALSE(h.engine.allocator().offer_on(offered));
  auto late = client(wd::MessageType::Request, mac(1)).broadcast();
  late.option_ip(wd::opt::kServerId, kServer).option_ip(wd::opt::kRequestedIp, offered);
  EXPECT_EQ(h.one(late.build()).msg.message_type(), wd::MessageType::Nak);
}

TEST(DhcpEngineAbuse, AnOfferHoldsItsAddressFromOtherDiscoversForAFewSecondsOnly) {
  Harness h(kConf);
  auto first = h.one(client(wd::MessageType::Discover, mac(1)).build()).msg.yiaddr;
  EXPECT_NE(h.one(client(wd::MessageType::Discover, mac(2)).build()).msg.yiaddr, first);
  EXPECT_EQ(h.one(client(wd::MessageType::Discover, mac(1)).build()).msg.yiaddr, first);  // retransmission
  h.clock.advance(kOfferHold + std::chrono::seconds(1));
  Actions t;
  h.engine.on_timer(h.clock.now(), t);
  EXPECT_EQ(h.engine.allocator().offers(), 0u);
}

TEST(DhcpEngineAbuse, ADhcpHostAddressIsNeverTakenAsAnOfferByAPoolClient) {
  Harness h("dhcp-range=192.168.42.10,192.168.42.11\ndhcp-host=52:54:00:42:00:30,192.168.42.11\n");
  EXPECT_EQ(h.one(client(wd::MessageType::Discover, mac(0x30)).build()).msg.yiaddr, Ipv4(192, 168, 42, 11));
  for (std::uint8_t i = 1; i <= 5; ++i)  // the pool has one address for them: each takes the last one's offer
    EXPECT_EQ(h.one(client(wd::MessageType::Discover, mac(i)).build()).msg.yiaddr, Ipv4(192, 168, 42, 10));
}

TEST(DhcpEngineAbuse, LeaseMaxCountsABindingTakenUpAgainAfterARelease) {
  Harness h(std::string(kConf) + "dhcp-lease-max=1\ndhcp-authoritative\n");
  auto a = dora(h, mac(1));
  h.deliver(client(wd::MessageType::Release, mac(1)).ciaddr(a.yiaddr).option_ip(wd::opt::kServerId, kServer).build());
  // Another client takes the one slot, on another address (a released address would be the
  // pool's first choice).
  auto other = client(wd::MessageType::Request, mac(2)).broadcast();
  other.option_ip(wd::opt::kServerId, kServer).option_ip(wd::opt::kRequestedIp, Ipv4(192, 168, 42, 30));
  ASSERT_EQ(h.one(other.build()).msg.message_type(), wd::MessageType::Ack);
  auto again = client(wd::MessageType::Request, mac(1)).option_ip(wd::opt::kRequestedIp, a.yiaddr);
  EXPECT_EQ(h.one(again.build()).msg.message_type(), wd::MessageType::Nak);
  EXPECT_EQ(h.engine.leases().bound(), 1u);
}

TEST(DhcpEngineAbuse, ClientHostNameIsKeptOnlyWhenLegalAndWithoutItsDomain) {
  Harness h(std::string(kConf) + "log-dhcp\n");
  auto named = [&](const Mac& m, const std::string& name) {
    auto d = client(wd::MessageType::Discover, m).option_str(wd::opt::kHostname, name);
    auto offer = h.one(d.build());
    auto req = client(wd::MessageType::Request, m).option_str(wd::opt::kHostname, name);
    req.option_ip(wd::opt::kServerId, kServer).option_ip(wd::opt::kRequestedIp, offer.msg.yiaddr);
    h.one(req.build());
    return *h.engine.leases().find_ip(offer.msg.yiaddr);
  };
  EXPECT_EQ(named(mac(1), "pc-01.example.com").hostname, "pc-01");
  EXPECT_EQ(named(mac(2), std::string("rom\0", 4)).hostname, "rom");
  auto forged = named(mac(3), "x\n2026-12-05 DHCPACK(eth0) 192.168.42.99 forged");
  EXPECT_EQ(forged.hostname, "");
  EXPECT_EQ(named(mac(4), "\x1b[2Jbox").hostname, "");
  EXPECT_EQ(named(mac(5), "a_b").hostname, "");
  for (const auto& l : h.last.log) EXPECT_EQ(l.text.find('\n'), std::string::npos) << l.text;
  EXPECT_GE(h.engine.counters().hostnames_dropped, 6u);  // DISCOVER and REQUEST of three clients
}

TEST(DhcpEngineAbuse, LongEchoesAreLeftOutSoTheReplyFitsTheClientsLimit) {
  Harness h(std::string(kConf) + "dhcp-range=10.9.0.50,10.9.0.60,255.255.255.0,1h\n");
  auto d = client(wd::MessageType::Discover, mac(1)).giaddr(Ipv4(10, 9, 0, 1));
  d.option(wd::opt::kClientId, Bytes(255, 0x41)).option(wd::opt::kRelayAgentInfo, Bytes(255, 0x42));
  d.option_u16(wd::opt::kMaxMessageSize, 576);
  auto r = h.one(d.build());
  EXPECT_EQ(r.msg.message_type(), wd::MessageType::Offer);
  ASSERT_EQ(h.last.replies.size(), 1u);
  EXPECT_LE(h.last.replies[0].payload.size(), 576u - 28u);
}

TEST(DhcpEngineAbuse, ReloadKeepsLeasesAndOffersAndANewHostLineTakesEffect) {
  Harness h(kConf);
  auto a = dora(h, mac(1));
  auto offered = h.one(client(wd::MessageType::Discover, mac(2)).build()).msg.yiaddr;
  h.engine.reload(settings_from(std::string(kConf) + "dhcp-host=52:54:00:42:00:03,192.168.42.55,newbox,1h\n"));
  EXPECT_EQ(h.engine.leases().find_ip(a.yiaddr)->state, LeaseState::Bound);
  EXPECT_EQ(h.engine.allocator().offer_of("mac:52:54:00:42:00:02"), offered);
  EXPECT_EQ(renew(h, mac(1), a.yiaddr).message_type(), wd::MessageType::Ack);
  auto host = h.one(client(wd::MessageType::Discover, mac(3)).option(wd::opt::kParamRequest, Bytes{1, 12}).build());
  EXPECT_EQ(host.msg.yiaddr, Ipv4(192, 168, 42, 55));
  EXPECT_EQ(host.msg.hostname(), "newbox");
  EXPECT_EQ(host.msg.lease_time(), 3600u);
  // And the line taken away again: the client is an ordinary one, the lease stays.
  h.engine.reload(settings_from(kConf));
  EXPECT_EQ(h.engine.leases().find_ip(a.yiaddr)->state, LeaseState::Bound);
  auto plain = h.one(client(wd::MessageType::Discover, mac(3)).option(wd::opt::kParamRequest, Bytes{1, 12}).build());
  EXPECT_EQ(plain.msg.lease_time(), 43200u);
  EXPECT_FALSE(plain.msg.hostname());
}

}  // namespace
}  // namespace pxe::proto::dhcp::test
