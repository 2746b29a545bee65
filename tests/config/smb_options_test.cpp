#include "config/smb_options.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/test_paths.h"

namespace pxe::config {
namespace {

TEST(SmbOptions, NoSmbFlagMeansNoSmbService) {
  auto s = smb_settings({});
  ASSERT_TRUE(s) << s.error().what;
  EXPECT_FALSE(s->has_value());
}

TEST(SmbOptions, ShareAndUserFlagsAloneMakeAService) {
  SmbOptions o;
  o.shares = {"GUEST=/mnt/win10iso"};
  o.users = {"user:pa:ss"};
  o.port = 4450;
  o.signing = "required";
  auto s = smb_settings(o);
  ASSERT_TRUE(s) << s.error().what;
  ASSERT_TRUE(s->has_value());
  const SmbSettings& v = **s;
  ASSERT_EQ(v.shares.size(), 1u);
  EXPECT_EQ(v.shares[0].name, "GUEST");
  EXPECT_EQ(v.shares[0].path, "/mnt/win10iso");
  EXPECT_FALSE(v.shares[0].guest_ok);
  ASSERT_EQ(v.accounts.size(), 1u);
  EXPECT_EQ(v.accounts[0].user, "user");
  EXPECT_EQ(v.accounts[0].password, "pa:ss");
  EXPECT_EQ(v.port, 4450);
  EXPECT_EQ(v.signing, SmbSigning::Required);
}

TEST(SmbOptions, FlagsGoOverTheSmbConf) {
  test::TempDir dir("pxe-smbopt");
  std::string conf = (dir / "smb.conf").string();
  std::ofstream(conf) << "[global]\nmap to guest = Bad User\nserver signing = mandatory\n[guest]\npath = /tmp/x\nguest ok = yes\n";
  SmbOptions o;
  o.conf_path = conf;
  o.shares = {"TOOLS=/srv/tools"};
  o.signing = "disabled";
  auto s = smb_settings(o);
  ASSERT_TRUE(s) << s.error().what;
  const SmbSettings& v = **s;
  ASSERT_EQ(v.shares.size(), 2u);
  EXPECT_TRUE(v.shares[0].guest_ok);
  EXPECT_EQ(v.shares[1].name, "TOOLS");
  EXPECT_EQ(v.map_to_guest, MapToGuest::BadUser);
  EXPECT_EQ(v.signing, SmbSigning::Disabled);
  EXPECT_EQ(v.port, 445);

  o.shares = {"GUEST=/elsewhere"};  // [guest] is in the conf already
  auto dup = smb_settings(o);
  ASSERT_FALSE(dup);
  EXPECT_NE(dup.error().what.find("already configured"), std::string::npos) << dup.error().what;
  EXPECT_NE(dup.error().what.find(conf + ":4"), std::string::npos) << dup.error().what;
}

TEST(SmbOptions, MistakesAreErrorsThatSayWhat) {
  auto err = [](SmbOptions o) {
    auto s = smb_settings(o);
    EXPECT_FALSE(s);
    return s ? std::string() : s.error().what;
  };
  SmbOptions o;
  o.users = {"user:pass"};
  EXPECT_NE(err(o).find("no share"), std::string::npos);
  o.shares = {"GUEST"};
  EXPECT_NE(err(o).find("NAME=PATH"), std::string::npos);
  o.shares = {"GUEST=/x"};
  o.signing = "sometimes";
  EXPECT_NE(err(o).find("expected auto, required or disabled"), std::string::npos);
  o.signing = "";
  o.users = {"user:a", "USER:b"};
  EXPECT_NE(err(o).find("given twice"), std::string::npos);
  o.users = {};
  o.conf_path = "/nonexistent/smb.conf";
  EXPECT_NE(err(o).find("/nonexistent/smb.conf"), std::string::npos);
}

}  // namespace
}  // namespace pxe::config
