#include <gtest/gtest.h>

#include "print/smb2/smb2_print.h"
#include "wire/smb2/message.h"
#include "wire/smb2/smb2_fixtures.h"

namespace pxe::print {
namespace {

std::string text_of(ByteSpan msg) {
  std::string out;
  smb2_text(msg, out);
  return out;
}
std::string text_of(const std::string& fixture) { return text_of(test::smb2_fixture(fixture)); }

TEST(Smb2Text, NegotiateRequestListsDialectsAndContexts) {
  EXPECT_EQ(text_of("s1.f4"),
            "\n\tSMB2 NEGOTIATE Request, mid 0, credits 31, dialects [2.0.2, 2.1, 3.0, 3.0.2, 3.1.1], "
            "contexts [PREAUTH_INTEGRITY, ENCRYPTION, SIGNING, NETNAME]");
}

TEST(Smb2Text, NegotiateResponseShowsDialectAndCaps) {
  EXPECT_EQ(text_of("s1.f6"),
            "\n\tSMB2 NEGOTIATE Response, status STATUS_SUCCESS, mid 0, credits 1, dialect 3.1.1, "
            "signing enabled, caps [dfs,leasing,large-mtu,multi-channel], max read 8388608, "
            "contexts [PREAUTH_INTEGRITY, ENCRYPTION, SIGNING]");
}

TEST(Smb2Text, SessionSetupShowsNtlmsspOnAnIndentedLine) {
  EXPECT_EQ(text_of("s1.f8"),
            "\n\tSMB2 SESSION_SETUP Request, mid 1\n\t  NTLMSSP NEGOTIATE flags 0x62088215");
  std::string challenge = text_of("s1.f9");
  EXPECT_EQ(challenge.find("\n\tSMB2 SESSION_SETUP Response, status STATUS_MORE_PROCESSING_REQUIRED, "
                           "mid 1, sid 0x00000000f414816a\n\t  NTLMSSP CHALLENGE flags 0x628a8215 "
                           "challenge "),
            0u);
  EXPECT_NE(challenge.find("target \"SMBRESEARCH\""), std::string::npos);
  EXPECT_NE(challenge.find(", spnego accept-incomplete"), std::string::npos);
  EXPECT_EQ(text_of("s1.f10"),
            "\n\tSMB2 SESSION_SETUP Request, mid 2, sid 0x00000000f414816a"
            "\n\t  NTLMSSP AUTHENTICATE user \"user\" domain \"WORKGROUP\" workstation \"VM\", "
            "ntlmv2 nt-response 236, mic");
}

TEST(Smb2Text, GuestAndAnonymousSessions) {
  EXPECT_EQ(text_of("s1.f11"),
            "\n\tSMB2 SESSION_SETUP Response, status STATUS_SUCCESS, mid 2, sid 0x00000000f414816a, "
            "flags [guest]\n\t  SPNEGO accept-completed");
  EXPECT_EQ(text_of("s2.f10"),
            "\n\tSMB2 SESSION_SETUP Request, mid 2, sid 0x00000000a91dadbc"
            "\n\t  NTLMSSP AUTHENTICATE user \"\" domain \"\" workstation \"VM\", anonymous, mic");
}

TEST(Smb2Text, TreeConnectCreateReadAndErrors) {
  EXPECT_EQ(text_of("s1.f18"),
            "\n\tSMB2 TREE_CONNECT Request, mid 6, sid 0x00000000f414816a, path \\\\127.0.0.1\\guest");
  EXPECT_EQ(text_of("s1.f19"),
            "\n\tSMB2 TREE_CONNECT Response, status STATUS_SUCCESS, mid 6, sid 0x00000000f414816a, "
            "tid 0xafb9d93b, type disk, maximal access 0x001f00a9");
  EXPECT_EQ(text_of("s5.f113"),
            "\n\tSMB2 TREE_CONNECT Response, status STATUS_BAD_NETWORK_NAME, mid 6, "
            "sid 0x00000000017e6201");
  EXPECT_EQ(text_of("s1.f14"),
            "\n\tSMB2 IOCTL Request, mid 4, sid 0x00000000f414816a, tid 0x5840d115, "
            "FSCTL_DFS_GET_REFERRALS, fid related, in 36, max out 65535");
  EXPECT_NE(text_of("s1.f34").find("CREATE Request"), std::string::npos);
  EXPECT_NE(text_of("s1.f34").find(", name \"hello.txt\", disposition open"), std::string::npos);
  EXPECT_NE(text_of("s1.f38").find(", length 18, offset 0"), std::string::npos);
  EXPECT_NE(text_of("s1.f39").find("READ Response, status STATUS_SUCCESS"), std::string::npos);
  EXPECT_NE(text_of("s1.f25").find("status STATUS_NO_MORE_FILES"), std::string::npos);
}

TEST(Smb2Text, Smb1MultiProtocolNegotiate) {
  EXPECT_EQ(text_of("s3.f42"),
            "\n\tSMB1 NEGOTIATE Request, dialects [\"NT LANMAN 1.0\", \"NT LM 0.12\", "
            "\"SMB 2.002\", \"SMB 2.???\"]");
  EXPECT_NE(text_of("s3.f44").find("dialect 2.???"), std::string::npos);
}

TEST(Smb2Text, CompoundChainPrintsOneBlockPerPdu) {
  using namespace wire::smb2;
  Header h;
  h.command = std::uint16_t(Command::Echo);
  h.next_command = 72;
  h.message_id = 10;
  Bytes chain = encode_pdu(h, SimpleBody{});
  chain.resize(72, 0);
  Header h2;
  h2.command = std::uint16_t(Command::Close);
  h2.message_id = 11;
  h2.flags = flags::kRelatedOperations;
  CloseRequest c;
  c.file_id = {~0ull, ~0ull};
  Bytes second = encode_pdu(h2, c);
  chain.insert(chain.end(), second.begin(), second.end());
  EXPECT_EQ(text_of(chain),
            "\n\tSMB2 ECHO Request, mid 10\n\tSMB2 CLOSE Request, mid 11, related, fid related");
}

TEST(Smb2Text, TruncatedPrintsWhatWasReadThenMarker) {
  Bytes msg = test::smb2_fixture("s1.f18");
  EXPECT_EQ(text_of(ByteSpan(msg).first(msg.size() - 4)),
            "\n\tSMB2 TREE_CONNECT Request, mid 6, sid 0x00000000f414816a [|smb2]");
  EXPECT_EQ(text_of(ByteSpan(msg).first(40)), "\n\tSMB2 [|smb2]");
  const std::uint8_t junk[] = {1, 2, 3};
  EXPECT_EQ(text_of(junk), "\n\tSMB? length 3 [|smb2]");
}

TEST(Smb2Text, UnknownCommandIsHeaderOnly) {
  wire::smb2::Header h;
  h.command = 0x0077;
  h.message_id = 3;
  EXPECT_EQ(text_of(wire::smb2::encode_pdu(h, std::monostate{})), "\n\tSMB2 0x0077 Request, mid 3");
}

TEST(Smb2Text, TransformHeaderIsReportedNotDecrypted) {
  ByteWriter w;
  w.u8(0xFD);
  w.str("SMB");
  w.zeros(32);
  w.u32le(100);
  w.u16le(0);
  w.u16le(1);
  w.u64le(0x5);
  w.zeros(100);
  EXPECT_EQ(text_of(w.data()),
            "\n\tSMB2 TRANSFORM (encrypted), sid 0x0000000000000005, original size 100, ciphertext 100");
}

TEST(Smb2Text, EveryTruncationOfEveryFixtureIsSafe) {
  for (const auto& [name, framed] : test::smb2_fixtures()) {
    ByteSpan msg = ByteSpan(framed).subspan(4);
    for (std::size_t n = 0; n <= msg.size(); ++n) {
      std::string out;
      smb2_text(msg.first(n), out);
      ASSERT_EQ(out.rfind("\n\t", 0), 0u) << name << " cut at " << n;
    }
  }
}

}  // namespace
}  // namespace pxe::print
