#include "base/text.h"

#include <gtest/gtest.h>

TEST(Text, IequalsIgnoresAsciiCaseOnly) {
  EXPECT_TRUE(pxe::iequals("NetASCII", "netascii"));
  EXPECT_TRUE(pxe::iequals("", ""));
  EXPECT_FALSE(pxe::iequals("octet", "octets"));
  EXPECT_FALSE(pxe::iequals("blksize", "blksizf"));
  EXPECT_FALSE(pxe::iequals("\xc3\x89", "\xc3\xa9"));  // no locale: non-ASCII bytes compare as they are
}

TEST(Text, IstartsWith) {
  EXPECT_TRUE(pxe::istarts_with("MININT-4H2K9", "minint-"));
  EXPECT_TRUE(pxe::istarts_with("minint-", "MININT-"));
  EXPECT_FALSE(pxe::istarts_with("minint", "minint-"));
  EXPECT_TRUE(pxe::istarts_with("anything", ""));
}
