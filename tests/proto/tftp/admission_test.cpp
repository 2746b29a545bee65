// The admission decision for a datagram on port 69, without sockets or files.
#include "proto/tftp/admission.h"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "base/clock.h"

namespace pxe::proto::tftp {
namespace {

namespace wt = wire::tftp;
using namespace std::chrono_literals;

const Ipv4 kClient(10, 0, 0, 7);

Bytes rrq(const std::string& name, const std::string& mode = "octet", std::vector<wt::Option> opts = {}) {
  return wt::encode(wt::Request{false, name, mode, std::move(opts)});
}
Bytes wrq(const std::string& name) { return wt::encode(wt::Request{true, name, "octet", {}}); }

struct Fixture {
  ManualClock clock{Timestamp{1'000'000}};
  RateLimiter rate{20, 100};
  AdmissionLimits limits;  // defaults: 50 in all, 4 per client, read-only
  std::vector<SameEndpoint> same;
  Running running;

  Admission admit(const Bytes& b, Ipv4 from = kClient) {
    running.same_endpoint = same;
    return proto::tftp::admit(b, from, running, limits, rate, clock.now());
  }
};

TEST(TftpAdmission, StartsAReadForAValidRrq) {
  Fixture f;
  auto a = f.admit(rrq("pxelinux.0", "octet", {{"tsize", "0"}}));
  EXPECT_EQ(a.verdict, Verdict::StartRead);
  ASSERT_TRUE(a.request.has_value());
  EXPECT_EQ(a.request->filename, "pxelinux.0");
  EXPECT_FALSE(a.netascii);
  EXPECT_TRUE(a.starts());
}

TEST(TftpAdmission, NetasciiModeIsRecognisedInAnyCase) {
  Fixture f;
  auto a = f.admit(rrq("motd", "NetASCII"));
  EXPECT_EQ(a.verdict, Verdict::StartRead);
  EXPECT_TRUE(a.netascii);
}

TEST(TftpAdmission, MalformedDatagramsAreDroppedSilently) {
  Fixture f;
  for (const Bytes& junk : std::vector<Bytes>{{}, {0}, {0, 1}, {0, 1, 'f'}, {0, 9, 1, 2}, Bytes(600, 'A')}) {
    auto a = f.admit(junk);
    EXPECT_EQ(a.verdict, Verdict::Drop);
    EXPECT_FALSE(a.starts());
  }
}

// RFC 1350: an ERROR is never acknowledged; answering one is the CVE-2024-2169 loop.
TEST(TftpAdmission, ErrorOnTheRequestPortIsNeverAnswered) {
  Fixture f;
  auto a = f.admit(wt::encode(wt::ErrorPacket{5, "Unknown transfer ID"}));
  EXPECT_EQ(a.verdict, Verdict::Drop);
  EXPECT_EQ(a.why, "not a request");
}

TEST(TftpAdmission, RefusesAWriteOnAReadOnlyServer) {
  Fixture f;
  auto a = f.admit(wrq("up"));
  EXPECT_EQ(a.verdict, Verdict::Refuse);
  EXPECT_EQ(a.code, wt::ErrorCode::AccessViolation);
  f.limits.writable = true;
  EXPECT_EQ(f.admit(wrq("up")).verdict, Verdict::StartWrite);
}

TEST(TftpAdmission, RefusesAnUnknownModeWithError4) {
  Fixture f;
  auto a = f.admit(rrq("f", "mail"));
  EXPECT_EQ(a.verdict, Verdict::Refuse);
  EXPECT_EQ(a.code, wt::ErrorCode::IllegalOperation);
}

TEST(TftpAdmission, RefusesAFifthTransferFromOneClient) {
  Fixture f;
  f.running.total = 4;
  f.running.from_client = 4;
  auto a = f.admit(rrq("f"));
  EXPECT_EQ(a.verdict, Verdict::Refuse);
  EXPECT_EQ(a.why, "per-client cap");
  EXPECT_EQ(a.message, "Too many transfers from this client");
  // Another client (none of the four running transfers is its) is served.
  f.running.from_client = 0;
  EXPECT_EQ(f.admit(rrq("f"), Ipv4(10, 0, 0, 8)).verdict, Verdict::StartRead);
}

TEST(TftpAdmission, RefusesOverTheTotalCap) {
  Fixture f;
  f.running.total = 50;
  auto a = f.admit(rrq("f"));
  EXPECT_EQ(a.verdict, Verdict::Refuse);
  EXPECT_EQ(a.message, "Too many transfers");
}

TEST(TftpAdmission, RetransmittedRrqBeforeTheClientAnsweredIsIgnored) {
  Fixture f;
  f.running.total = f.running.from_client = 1;
  f.same.push_back({42, "pxelinux.0", "octet", false, false});
  auto a = f.admit(rrq("pxelinux.0"));
  EXPECT_EQ(a.verdict, Verdict::Keep);
  EXPECT_FALSE(a.starts());
}

// Issue 12: under load a retransmitted RRQ is read from port 69 after the client's ACK of the
// first answer. It is a late copy, not a new start: replacing the transfer left the client
// latched on the old TID (answering ERROR 5 to the new one) until its idle timeout.
TEST(TftpAdmission, LateCopyOfTheRrqDoesNotReplaceAMovingTransfer) {
  Fixture f;
  f.running.total = f.running.from_client = 1;
  f.same.push_back({42, "pxelinux.0", "octet", false, /*answered=*/true, /*stalled=*/false});
  auto a = f.admit(rrq("pxelinux.0"));
  EXPECT_EQ(a.verdict, Verdict::Keep);
  EXPECT_FALSE(a.starts());
  EXPECT_EQ(a.replace, 0u);
}

// A client that gave up (its transfer answered once, then silent past a server retransmission)
// and asks again from the same port starts over.
TEST(TftpAdmission, DuplicateRrqAfterTheTransferStalledReplacesIt) {
  Fixture f;
  f.running.total = f.running.from_client = 4;  // at the per-client cap: the old slot is reused
  f.same.push_back({42, "pxelinux.0", "octet", false, /*answered=*/true, /*stalled=*/true});
  auto a = f.admit(rrq("pxelinux.0"));
  EXPECT_EQ(a.verdict, Verdict::Replace);
  EXPECT_EQ(a.replace, 42u);
  ASSERT_TRUE(a.request.has_value());
}

// What used to end a running transfer in the server loop: any datagram from its endpoint.
TEST(TftpAdmission, StrayDatagramFromARunningTransfersEndpointNeverEndsIt) {
  Fixture f;
  f.running.total = f.running.from_client = 1;
  f.same.push_back({42, "pxelinux.0", "octet", false, true});
  for (const Bytes& stray : std::vector<Bytes>{{0, 4, 0, 1}, wt::encode(wt::ErrorPacket{0, "x"}), {0, 1, 'x'}, {}}) {
    auto a = f.admit(stray);
    EXPECT_EQ(a.verdict, Verdict::Drop);
    EXPECT_NE(a.verdict, Verdict::Replace);
  }
}

TEST(TftpAdmission, DifferentFileFromTheSameEndpointIsANewTransfer) {
  Fixture f;
  f.running.total = f.running.from_client = 1;
  f.same.push_back({42, "pxelinux.0", "octet", false, true});
  auto a = f.admit(rrq("ldlinux.c32"));
  EXPECT_EQ(a.verdict, Verdict::StartRead);
}

TEST(TftpAdmission, DuplicateWrqNeverReplacesAnUploadInProgress) {
  Fixture f;
  f.limits.writable = true;
  f.running.total = f.running.from_client = 1;
  f.same.push_back({9, "up", "octet", true, true});
  EXPECT_EQ(f.admit(wrq("up")).verdict, Verdict::Drop);
  f.same[0].answered = false;
  EXPECT_EQ(f.admit(wrq("up")).verdict, Verdict::Keep);
}

TEST(TftpAdmission, RateLimitDropsAFloodAndRefillsWithTime) {
  Fixture f;
  f.rate = RateLimiter(2, 3);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(f.admit(rrq("f")).verdict, Verdict::StartRead);
  auto a = f.admit(rrq("f"));
  EXPECT_EQ(a.verdict, Verdict::Drop);
  EXPECT_EQ(a.why, "rate limited");
  // A flood gets no ERROR back either (refusals cost a token too).
  EXPECT_EQ(f.admit(rrq("f", "mail")).verdict, Verdict::Drop);
  f.clock.advance(500ms);
  EXPECT_EQ(f.admit(rrq("f")).verdict, Verdict::StartRead);
  EXPECT_EQ(f.admit(rrq("f")).verdict, Verdict::Drop);
}

TEST(TftpAdmission, RetransmissionsDoNotSpendTheRate) {
  Fixture f;
  f.rate = RateLimiter(1, 1);
  f.running.total = f.running.from_client = 1;
  f.same.push_back({42, "pxelinux.0", "octet", false, false});
  for (int i = 0; i < 10; ++i) EXPECT_EQ(f.admit(rrq("pxelinux.0")).verdict, Verdict::Keep);
  EXPECT_EQ(f.admit(rrq("ldlinux.c32")).verdict, Verdict::StartRead);
}

TEST(TftpRateLimit, TableOfClientsStaysBoundedUnderASpoofedFlood) {
  RateLimiter rate(20, 100);
  Timestamp t{1'000'000};
  for (std::uint32_t i = 0; i < 3 * RateLimiter::kMaxTracked; ++i) rate.allow(Ipv4(0x0a000000u + i), t);
  EXPECT_LE(rate.tracked(), RateLimiter::kMaxTracked);
}

}  // namespace
}  // namespace pxe::proto::tftp
