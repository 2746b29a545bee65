#include "server/tftp/file_access.h"

#include <gtest/gtest.h>

#include "server/tftp/rate_limit.h"

namespace pxe::server::tftp {
namespace {

std::string norm(std::string_view name, NameRules rules = {}) {
  auto r = normalize_name(name, "/srv/tftp", rules);
  return r ? *r : "ERROR: " + r.error().what;
}

TEST(TftpNames, RelativeNamesStayAsTheyAre) {
  EXPECT_EQ(norm("pxelinux.0"), "pxelinux.0");
  EXPECT_EQ(norm("pxelinux.cfg/01-52-54-00-42-00-10"), "pxelinux.cfg/01-52-54-00-42-00-10");
}

TEST(TftpNames, BackslashesBecomeSlashes) { EXPECT_EQ(norm("\\Boot\\BCD"), "Boot/BCD"); }

TEST(TftpNames, LeadingSlashesAndDotsAreDropped) {
  EXPECT_EQ(norm("/pxelinux.0"), "pxelinux.0");
  EXPECT_EQ(norm("//a/./b"), "a/b");
}

TEST(TftpNames, AbsoluteNameUnderTheRootBecomesRelative) {
  EXPECT_EQ(norm("/srv/tftp/pxelinux.0"), "pxelinux.0");
  EXPECT_EQ(norm("/srv/tftpx/pxelinux.0"), "srv/tftpx/pxelinux.0");
}

TEST(TftpNames, DotDotIsRefusedAnywhere) {
  EXPECT_EQ(norm("../etc/passwd").rfind("ERROR", 0), 0u);
  EXPECT_EQ(norm("a/../../b").rfind("ERROR", 0), 0u);
  EXPECT_EQ(norm("a\\..\\b").rfind("ERROR", 0), 0u);
  EXPECT_EQ(norm("..."), "...");
}

TEST(TftpNames, EmptyNameIsRefused) {
  EXPECT_EQ(norm("").rfind("ERROR", 0), 0u);
  EXPECT_EQ(norm("/").rfind("ERROR", 0), 0u);
}

TEST(TftpNames, LowercaseWhenAsked) { EXPECT_EQ(norm("\\BOOT\\BCD", {true, false}), "boot/bcd"); }

TEST(TftpRateLimit, AllowsTheBurstThenTheRate) {
  RateLimiter lim(2, 3);
  Ipv4 a(10, 0, 0, 1), b(10, 0, 0, 2);
  Timestamp t{1'000'000};
  EXPECT_TRUE(lim.allow(a, t));
  EXPECT_TRUE(lim.allow(a, t));
  EXPECT_TRUE(lim.allow(a, t));
  EXPECT_FALSE(lim.allow(a, t));
  EXPECT_TRUE(lim.allow(b, t));  // other clients are not affected
  EXPECT_TRUE(lim.allow(a, t + std::chrono::milliseconds(500)));
  EXPECT_FALSE(lim.allow(a, t + std::chrono::milliseconds(500)));
}

TEST(TftpRateLimit, ZeroRateMeansNoLimit) {
  RateLimiter lim(0, 0);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(lim.allow(Ipv4(1, 2, 3, 4), Timestamp{}));
}

}  // namespace
}  // namespace pxe::server::tftp
