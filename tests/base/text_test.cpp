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

TEST(Text, LogSafeEscapesWhatCouldForgeOrGarbleALogLine) {
  EXPECT_EQ(pxe::log_safe("pxelinux.0"), "pxelinux.0");
  EXPECT_EQ(pxe::log_safe("a\nDHCPACK(eth0) 1.2.3.4"), "a\\x0aDHCPACK(eth0) 1.2.3.4");
  EXPECT_EQ(pxe::log_safe("\x1b[31mred"), "\\x1b[31mred");
  EXPECT_EQ(pxe::log_safe("boot\\bcd"), "boot\\\\bcd");
  EXPECT_EQ(pxe::log_safe(std::string_view("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(pxe::log_safe("\xc3\xa9"), "\\xc3\\xa9");
  EXPECT_EQ(pxe::log_safe("abcdef", 3), "abc...");
}
