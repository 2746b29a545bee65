// pxekit serve --interface IF quick start: range and boot files derived, no dnsmasq.conf.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "config/quick_start.h"

namespace pxe::config {
namespace {

TEST(QuickStart, RangeCoversTheInterfaceSubnetAfterTheFirstHosts) {
  auto s = quick_start("eno1", Ipv4(192, 168, 42, 1), Ipv4(255, 255, 255, 0), "");
  EXPECT_TRUE(s.enabled);
  EXPECT_EQ(s.interfaces, std::vector<std::string>{"eno1"});
  ASSERT_EQ(s.ranges.size(), 1u);
  EXPECT_EQ(s.ranges[0].start, Ipv4(192, 168, 42, 10));
  EXPECT_EQ(s.ranges[0].end, Ipv4(192, 168, 42, 254));
  EXPECT_TRUE(s.boots.empty());
}

TEST(QuickStart, BootFilesComeFromTheTftpRootByArchitecture) {
  auto root = std::filesystem::temp_directory_path() / ("pxkd-qs-" + std::to_string(::getpid()));
  std::filesystem::create_directories(root);
  std::ofstream(root / "pxelinux.0") << "x";
  std::ofstream(root / "syslinux.efi") << "x";
  auto s = quick_start("eno1", Ipv4(10, 0, 0, 1), Ipv4(255, 255, 255, 252), root.string());
  std::filesystem::remove_all(root);
  EXPECT_EQ(s.ranges[0].start, Ipv4(10, 0, 0, 1));  // tiny subnet: from the first host
  EXPECT_EQ(s.ranges[0].end, Ipv4(10, 0, 0, 2));
  ASSERT_EQ(s.boots.size(), 2u);
  EXPECT_EQ(s.boots[0].file, "syslinux.efi");
  EXPECT_EQ(s.boots[0].tags, (TagConditions{{"efi-x86_64", false}}));
  EXPECT_EQ(s.boots[1].file, "pxelinux.0");
  EXPECT_EQ(s.boots[1].tags, (TagConditions{{"efi-x86_64", true}}));
  EXPECT_EQ(s.matches.size(), 2u);  // option 93 = 7 or 9
}

}  // namespace
}  // namespace pxe::config
