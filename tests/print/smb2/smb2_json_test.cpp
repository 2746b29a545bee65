#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "print/smb2/smb2_print.h"
#include "wire/smb2/smb2_fixtures.h"

namespace pxe::print {
namespace {

nlohmann::json json_of(ByteSpan msg) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("smb2").begin_array();
  smb2_json(msg, w);
  w.end_array();
  w.end_object();
  return nlohmann::json::parse(out)["smb2"];
}
nlohmann::json json_of(const std::string& fixture) { return json_of(test::smb2_fixture(fixture)); }

TEST(Smb2Json, NegotiateRequestHeaderAndDialects) {
  auto j = json_of("s1.f4");
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["protocol"], "smb2");
  EXPECT_EQ(j[0]["command"], "NEGOTIATE");
  EXPECT_EQ(j[0]["is_response"], false);
  EXPECT_EQ(j[0]["message_id"], 0);
  EXPECT_EQ(j[0]["dialects"], nlohmann::json({"2.0.2", "2.1", "3.0", "3.0.2", "3.1.1"}));
  EXPECT_EQ(j[0]["negotiate_contexts"][0]["name"], "PREAUTH_INTEGRITY");
}

TEST(Smb2Json, SessionSetupGuestAndNtlmssp) {
  auto rsp = json_of("s1.f11")[0];
  EXPECT_EQ(rsp["status"], "STATUS_SUCCESS");
  EXPECT_EQ(rsp["status_code"], 0);
  EXPECT_EQ(rsp["session_id"], 0xf414816aull);
  EXPECT_EQ(rsp["session_flags"], 1);
  EXPECT_EQ(rsp["session_flag_names"], "guest");
  EXPECT_EQ(rsp["spnego_result"], "accept-completed");

  auto auth = json_of("s1.f10")[0]["ntlmssp"];
  EXPECT_EQ(auth["type"], "AUTHENTICATE");
  EXPECT_EQ(auth["user"], "user");
  EXPECT_EQ(auth["domain"], "WORKGROUP");
  EXPECT_EQ(auth["workstation"], "VM");
  EXPECT_EQ(auth["anonymous"], false);

  auto anon = json_of("s2.f10")[0]["ntlmssp"];
  EXPECT_EQ(anon["user"], "");
  EXPECT_EQ(anon["nt_response_length"], 0);
  EXPECT_EQ(anon["anonymous"], true);

  auto chal = json_of("s1.f9")[0];
  EXPECT_EQ(chal["status"], "STATUS_MORE_PROCESSING_REQUIRED");
  EXPECT_EQ(chal["status_code"], 0xC0000016u);
  EXPECT_EQ(chal["ntlmssp"]["netbios_computer"], "SMBRESEARCH");
}

TEST(Smb2Json, TreeCreateReadIoctl) {
  EXPECT_EQ(json_of("s1.f18")[0]["path"], "\\\\127.0.0.1\\guest");
  EXPECT_NE(json_of("s1.f19")[0]["tree_id"], 0);
  EXPECT_EQ(json_of("s1.f34")[0]["name"], "hello.txt");
  auto read = json_of("s1.f38")[0];
  EXPECT_EQ(read["offset"], 0);
  EXPECT_EQ(read["length"], 18);
  auto ioctl = json_of("s1.f14")[0];
  EXPECT_EQ(ioctl["ctl_code"], 0x00060194);
  EXPECT_EQ(ioctl["ctl_code_name"], "FSCTL_DFS_GET_REFERRALS");
  auto bad = json_of("s5.f113")[0];
  EXPECT_EQ(bad["status"], "STATUS_BAD_NETWORK_NAME");
  EXPECT_EQ(bad["status_code"], 0xC00000CCu);
}

TEST(Smb2Json, Smb1NegotiateDialects) {
  auto j = json_of("s3.f42")[0];
  EXPECT_EQ(j["protocol"], "smb1");
  EXPECT_EQ(j["dialects"][2], "SMB 2.002");
}

TEST(Smb2Json, MalformedHasErrorAndOffset) {
  Bytes msg = test::smb2_fixture("s1.f18");
  auto j = json_of(ByteSpan(msg).first(msg.size() - 4))[0];
  EXPECT_EQ(j["command"], "TREE_CONNECT");
  EXPECT_TRUE(j.contains("error"));
  EXPECT_EQ(j["error_offset"], 68);
  auto shortj = json_of(ByteSpan(msg).first(10));
  ASSERT_EQ(shortj.size(), 1u);
  EXPECT_TRUE(shortj[0].contains("error"));
}

TEST(Smb2Json, EveryTruncationOfEveryFixtureIsValidJson) {
  for (const auto& [name, framed] : test::smb2_fixtures()) {
    ByteSpan msg = ByteSpan(framed).subspan(4);
    for (std::size_t n = 0; n <= msg.size(); n += 3) {
      auto j = json_of(msg.first(n));
      ASSERT_GE(j.size(), 1u) << name << " cut at " << n;
    }
  }
}

}  // namespace
}  // namespace pxe::print
