// analyze(): what it builds from events besides the rules' findings.
#include "diag/analyze.h"

#include <gtest/gtest.h>

using namespace pxe;
using namespace pxe::diag;

namespace {

const Mac kClient = *Mac::parse("52:54:00:42:00:10");
const Ipv4 kServer(192, 168, 42, 1);

Event ack_for(Ipv4 yiaddr, std::uint64_t frame) {
  Event e;
  e.kind = EventKind::DhcpFromServer;
  e.frame = frame;
  e.time = Timestamp{std::int64_t(frame) * 1000};
  e.msg_type = 5;
  e.client_mac = kClient;
  e.yiaddr = yiaddr;
  e.server_id = e.src = kServer;
  e.sport = 67;
  e.dport = 68;
  return e;
}

std::vector<Event> with_discover(std::vector<Event> acks) {
  Event d;
  d.kind = EventKind::DhcpFromClient;
  d.from_client = true;
  d.msg_type = 1;
  d.client_mac = kClient;
  d.sport = 68;
  d.dport = 67;
  acks.insert(acks.begin(), d);
  return acks;
}

}  // namespace

TEST(Analyze, ListsEachAcknowledgedAddressOnceInTheOrderFirstAcknowledged) {
  const Ipv4 a(192, 168, 42, 17), b(192, 168, 42, 18);
  auto events = with_discover({ack_for(a, 2), ack_for(b, 3), ack_for(a, 4), ack_for(Ipv4(0u), 5), ack_for(b, 6)});
  Report r = analyze(events);
  ASSERT_EQ(r.clients.size(), 1u);
  EXPECT_EQ(r.clients[0].ips, (std::vector<Ipv4>{a, b}));
}

// A crafted capture: one client acknowledged 200,000 different addresses (and each twice). The
// list is built with one lookup per ACK, not a walk of the list per ACK (4 x 10^10 compares).
TEST(Analyze, AClientWithTwoHundredThousandAddressesIsListedInLinearWork) {
  std::vector<Event> acks;
  constexpr std::uint32_t kN = 200'000;
  acks.reserve(2 * kN);
  for (std::uint32_t i = 0; i < 2 * kN; ++i) acks.push_back(ack_for(Ipv4(0x0a000000u + i % kN), i + 2));
  Report r = analyze(with_discover(std::move(acks)));
  ASSERT_EQ(r.clients.size(), 1u);
  const auto& ips = r.clients[0].ips;
  ASSERT_EQ(ips.size(), kN);
  EXPECT_EQ(ips.front(), Ipv4(0x0a000000u));
  EXPECT_EQ(ips.back(), Ipv4(0x0a000000u + kN - 1));
}
