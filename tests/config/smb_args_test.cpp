// The command-line forms of a share and an account (--share NAME=PATH, --smb-user USER:PASS) and
// the share-name rule the smb.conf reader shares with them.
#include <gtest/gtest.h>

#include <string>

#include "config/smb_conf.h"

namespace pxe::config {
namespace {

TEST(ShareArg, NameEqualsPath) {
  auto s = parse_share_arg("GUEST=/mnt/win10iso");
  ASSERT_TRUE(s.ok()) << s.error().what;
  EXPECT_EQ(s->name, "GUEST");
  EXPECT_EQ(s->path, "/mnt/win10iso");
  EXPECT_TRUE(s->read_only);
  EXPECT_FALSE(s->guest_ok);
  EXPECT_TRUE(s->browseable);
  EXPECT_EQ(s->line, 0u);
  auto eq = parse_share_arg("media=/srv/a=b");  // split at the first '='
  ASSERT_TRUE(eq.ok());
  EXPECT_EQ(eq->path, "/srv/a=b");
}

TEST(ShareArg, MalformedFormsAreErrors) {
  EXPECT_EQ(parse_share_arg("GUEST").error().what, "--share: expected NAME=PATH, found 'GUEST'");
  EXPECT_EQ(parse_share_arg("=/x").error().what, "--share: expected NAME=PATH, found '=/x'");
  EXPECT_EQ(parse_share_arg("GUEST=").error().what, "--share: expected NAME=PATH, found 'GUEST='");
  EXPECT_EQ(parse_share_arg("a\\b=/x").error().what, "--share: share name 'a\\\\b' holds '\\', which a client cannot ask for");
  EXPECT_FALSE(parse_share_arg(std::string(81, 'x') + "=/x").ok());
}

TEST(ShareName, WhatAClientCanAskFor) {
  EXPECT_EQ(share_name_problem("GUEST"), "");
  EXPECT_EQ(share_name_problem("win 10 $"), "");
  EXPECT_EQ(share_name_problem(std::string(kMaxShareNameLength, 'x')), "");
  EXPECT_EQ(share_name_problem(""), "empty share name");
  EXPECT_EQ(share_name_problem(std::string(kMaxShareNameLength + 1, 'x')), "share name longer than 80 characters");
  EXPECT_EQ(share_name_problem("a\tb"), "share name 'a\\x09b' holds a control character");
  for (char c : std::string("\\/[]:|<>+=;,*?\""))
    EXPECT_NE(share_name_problem(std::string("a") + c), "") << c;
}

TEST(SmbUserArg, UserColonPassword) {
  auto a = parse_smb_user_arg("user:pass");
  ASSERT_TRUE(a.ok()) << a.error().what;
  EXPECT_EQ(a->user, "user");
  EXPECT_EQ(a->password, "pass");
  auto colon = parse_smb_user_arg("admin:p:w");  // a password may hold ':'
  ASSERT_TRUE(colon.ok());
  EXPECT_EQ(colon->password, "p:w");
  auto empty = parse_smb_user_arg("guest:");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->password, "");
}

TEST(SmbUserArg, MalformedFormsAreErrorsThatDoNotShowThePassword) {
  EXPECT_EQ(parse_smb_user_arg("userpass").error().what, "--smb-user: expected USER:PASSWORD, found no ':'");
  EXPECT_EQ(parse_smb_user_arg(":secret").error().what, "--smb-user: the user name is empty");
}

}  // namespace
}  // namespace pxe::config
