#include "proto/tftp/negotiation.h"

#include <gtest/gtest.h>

namespace pxe::proto::tftp {
namespace {

namespace wt = wire::tftp;

wt::Request rrq(std::vector<wt::Option> opts, std::string mode = "octet") {
  return wt::Request{false, "pxelinux.0", std::move(mode), std::move(opts)};
}

TEST(TftpNegotiation, NoOptionsMeansNoOack) {
  auto n = negotiate(rrq({}), {}, 1000);
  EXPECT_TRUE(n.oack.empty());
  EXPECT_EQ(n.blksize, 512u);
  EXPECT_EQ(n.windowsize, 1u);
}

TEST(TftpNegotiation, ClampsBlksizeToMtuMinus32) {
  ServerLimits lim;
  lim.max_blksize = blksize_for_mtu(1500);
  auto n = negotiate(rrq({{"blksize", "8192"}}), lim, 1000);
  EXPECT_EQ(n.blksize, 1468u);
  ASSERT_EQ(n.oack.size(), 1u);
  EXPECT_EQ(n.oack[0], (wt::Option{"blksize", "1468"}));
}

TEST(TftpNegotiation, BlksizeForMtuStaysInRfc2348Range) {
  EXPECT_EQ(blksize_for_mtu(1500), 1468u);
  EXPECT_EQ(blksize_for_mtu(65536), 65464u);
  EXPECT_EQ(blksize_for_mtu(20), 8u);
}

TEST(TftpNegotiation, KeepsSmallerBlksizeAsAsked) {
  auto n = negotiate(rrq({{"BLKSIZE", "1408"}}), {}, 1000);
  EXPECT_EQ(n.blksize, 1408u);
  EXPECT_EQ(n.oack[0].name, "BLKSIZE");  // answered as the client spelled it
}

TEST(TftpNegotiation, IgnoresBlksizeWhenNoBlocksize) {
  ServerLimits lim;
  lim.no_blocksize = true;
  auto n = negotiate(rrq({{"blksize", "1408"}, {"tsize", "0"}}), lim, 4242);
  EXPECT_EQ(n.blksize, 512u);
  ASSERT_EQ(n.oack.size(), 1u);
  EXPECT_EQ(n.oack[0], (wt::Option{"tsize", "4242"}));
}

TEST(TftpNegotiation, LeavesOutMalformedAndUnknownOptions) {
  auto n = negotiate(rrq({{"blksize", "4"}, {"blksize", "1000"}, {"multicast", ""}, {"timeout", "0"},
                          {"windowsize", "x"}}),
                     {}, 10);
  EXPECT_TRUE(n.oack.empty());
  EXPECT_EQ(n.blksize, 512u);
}

TEST(TftpNegotiation, AnswersTsizeOnlyWhenSizeKnown) {
  EXPECT_TRUE(negotiate(rrq({{"tsize", "0"}}, "netascii"), {}, std::nullopt).oack.empty());
  auto n = negotiate(rrq({{"tsize", "0"}}), {}, 316'000'000);
  EXPECT_EQ(n.oack[0].value, "316000000");
}

TEST(TftpNegotiation, CapsWindowsizeAndEchoesTimeout) {
  ServerLimits lim;
  lim.max_windowsize = 16;
  auto n = negotiate(rrq({{"windowsize", "64"}, {"timeout", "3"}}), lim, 1);
  EXPECT_EQ(n.windowsize, 16u);
  EXPECT_EQ(n.timeout_s, 3u);
  ASSERT_EQ(n.oack.size(), 2u);
  EXPECT_EQ(n.oack[0].value, "16");
  EXPECT_EQ(n.oack[1].value, "3");
}

TEST(TftpNegotiation, LargeBlocksGetSmallerWindows) {
  auto n = negotiate(rrq({{"windowsize", "8"}, {"blksize", "65464"}}), {}, 1);
  EXPECT_EQ(n.blksize, 65464u);
  EXPECT_EQ(n.windowsize, 1u);  // 96 KiB / 65464
  EXPECT_EQ(n.oack[0], (wt::Option{"windowsize", "1"}));
  EXPECT_EQ(negotiate(rrq({{"blksize", "16384"}, {"windowsize", "8"}}), {}, 1).windowsize, 6u);
  EXPECT_EQ(negotiate(rrq({{"blksize", "1468"}, {"windowsize", "64"}}), {}, 1).windowsize, 64u);
  EXPECT_EQ(negotiate(rrq({{"blksize", "8192"}, {"windowsize", "64"}}), {}, 1).windowsize, 12u);
  EXPECT_EQ(negotiate(rrq({{"blksize", "1468"}, {"windowsize", "8"}}), {}, 1).windowsize, 8u);
}

TEST(TftpNegotiation, WindowsizeNotOfferedWhenCapIsZero) {
  ServerLimits lim;
  lim.max_windowsize = 0;
  EXPECT_TRUE(negotiate(rrq({{"windowsize", "4"}}), lim, 1).oack.empty());
}

}  // namespace
}  // namespace pxe::proto::tftp
