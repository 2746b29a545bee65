#include <gtest/gtest.h>

#include <string>

#include "proto/tftp/file_source.h"

namespace pxe::proto::tftp {
namespace {

Bytes b(std::string_view s) { return Bytes(s.begin(), s.end()); }

TEST(TftpNetascii, LineFeedBecomesCrLfAndBareCrBecomesCrNul) {
  EXPECT_EQ(to_netascii(b("a\nb\rc")), b(std::string("a\r\nb\r\0c", 7)));
}

TEST(TftpNetascii, RoundTrips) {
  Bytes raw = b("DEFAULT menu\r\nx\ny\r");
  EXPECT_EQ(from_netascii(to_netascii(raw)), raw);
}

TEST(TftpMemorySource, ReadsShortAtEndAndNothingPastIt) {
  MemorySource src(b("hello"));
  Bytes buf(4);
  EXPECT_EQ(*src.read(0, buf), 4u);
  EXPECT_EQ(*src.read(4, buf), 1u);
  EXPECT_EQ(*src.read(9, buf), 0u);
}

}  // namespace
}  // namespace pxe::proto::tftp
