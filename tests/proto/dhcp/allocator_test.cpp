// The address pool's cost and order: a never-used cursor, a FIFO of freed addresses checked
// when taken, and the offers' holds.
#include <gtest/gtest.h>

#include "proto/dhcp/allocator.h"
#include "proto/dhcp/hostname.h"
#include "proto/dhcp/lease_table.h"

namespace pxe::proto::dhcp {
namespace {

TEST(DhcpPool, ExhaustedPoolAnswersWithoutLookingAtAnyAddress) {
  Pool p(Ipv4(10, 0, 0, 1), Ipv4(10, 255, 255, 254));  // a /8
  int looked = 0;
  auto never = [&](Ipv4) { return ++looked, false; };
  auto always = [&](Ipv4) { return ++looked, true; };
  EXPECT_EQ(p.take(always), Ipv4(10, 0, 0, 1));
  EXPECT_EQ(p.take(always), Ipv4(10, 0, 0, 2));
  EXPECT_EQ(looked, 2);
  Pool small(Ipv4(10, 0, 0, 1), Ipv4(10, 0, 0, 3));
  while (small.take(always)) {
  }
  looked = 0;
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(small.take(never));
  EXPECT_EQ(looked, 0);
}

TEST(DhcpPool, FreedAddressesComeBackOldestFirstOnceEach) {
  Pool p(Ipv4(10, 0, 0, 1), Ipv4(10, 0, 0, 4));
  auto yes = [](Ipv4) { return true; };
  for (int i = 0; i < 4; ++i) p.take(yes);
  p.freed(Ipv4(10, 0, 0, 3));
  p.freed(Ipv4(10, 0, 0, 1));
  p.freed(Ipv4(10, 0, 0, 3));  // already queued
  p.freed(Ipv4(10, 0, 1, 1));  // not in the pool
  EXPECT_EQ(p.queued(), 2u);
  EXPECT_EQ(p.take(yes), Ipv4(10, 0, 0, 3));
  EXPECT_EQ(p.take(yes), Ipv4(10, 0, 0, 1));
  EXPECT_FALSE(p.take(yes));
}

TEST(DhcpPool, QueuedAddressTakenMeanwhileIsDroppedWhenMet) {
  Pool p(Ipv4(10, 0, 0, 1), Ipv4(10, 0, 0, 2));
  auto yes = [](Ipv4) { return true; };
  p.take(yes);
  p.take(yes);
  p.freed(Ipv4(10, 0, 0, 1));
  p.freed(Ipv4(10, 0, 0, 2));
  auto not_first = [](Ipv4 ip) { return ip != Ipv4(10, 0, 0, 1); };
  EXPECT_EQ(p.take(not_first), Ipv4(10, 0, 0, 2));
  EXPECT_EQ(p.queued(), 0u);
}

TEST(DhcpAllocator, OldestOfferIsTakenWhenNothingIsFreeButNotAPingReservation) {
  config::DhcpSettings s;
  config::DhcpRange r;
  r.start = Ipv4(10, 0, 0, 1);
  r.end = Ipv4(10, 0, 0, 3);
  s.ranges.push_back(r);
  Allocator a;
  a.configure(s);
  Timestamp t{1'000'000};
  a.hold("probe", Ipv4(10, 0, 0, 1), kNever, true);
  a.hold("a", Ipv4(10, 0, 0, 2), t + kOfferHold, false);
  a.hold("b", Ipv4(10, 0, 0, 3), t + kOfferHold, false);
  Pool* p = a.pool_for(r.start, r.end);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(a.take_oldest_offer(*p, "c"), Ipv4(10, 0, 0, 2));
  EXPECT_FALSE(a.offer_of("a"));
  EXPECT_EQ(a.take_oldest_offer(*p, "d"), Ipv4(10, 0, 0, 3));
  EXPECT_FALSE(a.take_oldest_offer(*p, "e"));
  EXPECT_EQ(a.offer_of("probe"), Ipv4(10, 0, 0, 1));
}

TEST(DhcpAllocator, OffersOfAClientReplaceEachOtherAndEndWithTheirHold) {
  config::DhcpSettings s;
  config::DhcpRange r;
  r.start = Ipv4(10, 0, 0, 1);
  r.end = Ipv4(10, 0, 0, 9);
  s.ranges.push_back(r);
  Allocator a;
  a.configure(s);
  Timestamp t{1'000'000};
  for (int i = 0; i < 500; ++i) a.hold("a", Ipv4(10, 0, 0, std::uint8_t(1 + i % 9)), t + kOfferHold, false);
  EXPECT_EQ(a.offers(), 1u);
  a.expire(t + kOfferHold);
  EXPECT_EQ(a.offers(), 0u);
}

TEST(DhcpHostname, LegalNamesAreKeptWithoutTheirDomainAndOthersRefused) {
  EXPECT_EQ(legal_hostname("pxe-client7"), "pxe-client7");
  EXPECT_EQ(legal_hostname("laptop.example.com."), "laptop");
  EXPECT_EQ(legal_hostname(std::string_view("rom\0\0", 5)), "rom");
  EXPECT_FALSE(legal_hostname(""));
  EXPECT_FALSE(legal_hostname("-lead"));
  EXPECT_FALSE(legal_hostname("trail-"));
  EXPECT_FALSE(legal_hostname("under_score"));
  EXPECT_FALSE(legal_hostname("sp ace"));
  EXPECT_FALSE(legal_hostname("ok.bad\ndomain"));
  EXPECT_FALSE(legal_hostname(std::string(64, 'a')));
  EXPECT_EQ(legal_hostname(std::string(63, 'a')), std::string(63, 'a'));
}

}  // namespace
}  // namespace pxe::proto::dhcp
