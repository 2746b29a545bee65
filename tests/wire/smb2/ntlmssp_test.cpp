#include <gtest/gtest.h>

#include "base/addr.h"
#include "wire/smb2/message.h"
#include "wire/smb2/ntlmssp.h"
#include "wire/smb2/smb2_fixtures.h"

namespace pxe::wire::ntlmssp {
namespace {

// The SPNEGO token of a recorded SESSION_SETUP PDU.
Bytes token_of(const std::string& fixture) {
  Bytes pdu = test::smb2_fixture(fixture);
  auto h = smb2::parse_header(pdu);
  if (!h) return {};
  auto b = smb2::parse_body(*h, pdu);
  if (!b) return {};
  if (auto* q = std::get_if<smb2::SessionSetupRequest>(&*b)) return q->security_buffer;
  if (auto* r = std::get_if<smb2::SessionSetupResponse>(&*b)) return r->security_buffer;
  return {};
}

Message message_of(const std::string& fixture) {
  Bytes token = token_of(fixture);
  auto blob = find_in_spnego(token);
  EXPECT_TRUE(blob.has_value()) << fixture;
  if (!blob) return {};
  auto m = parse(*blob);
  EXPECT_TRUE(m.ok()) << fixture << ": " << (m ? "" : m.error().what);
  return m ? *m : Message{};
}

TEST(Ntlmssp, NegotiateFromSmbclient) {
  Message m = message_of("s1.f8");
  ASSERT_EQ(m.type, MessageType::Negotiate);
  EXPECT_TRUE(m.negotiate.flags & flag::kUnicode);
  EXPECT_TRUE(m.negotiate.flags & flag::kNtlm);
  EXPECT_TRUE(m.negotiate.version.has_value());
}

TEST(Ntlmssp, ChallengeFromSambaHasNamesAndTimestamp) {
  Message m = message_of("s1.f9");
  ASSERT_EQ(m.type, MessageType::Challenge);
  const Challenge& c = m.challenge;
  EXPECT_EQ(c.target_name, "SMBRESEARCH");
  EXPECT_EQ(c.av_string(av_id::kNbComputerName), "SMBRESEARCH");
  EXPECT_TRUE(c.timestamp().has_value());
  EXPECT_EQ(c.target_info.back().id, av_id::kEol);
  EXPECT_EQ(neg_result_name(*spnego_neg_result(token_of("s1.f9"))), "accept-incomplete");
}

TEST(Ntlmssp, ChallengeReencodesByteExact) {
  Bytes token = token_of("s1.f9");
  auto blob = *find_in_spnego(token);
  auto m = parse(blob);
  ASSERT_TRUE(m.ok());
  Bytes again = encode(m->challenge);
  ASSERT_LE(again.size(), blob.size());
  EXPECT_EQ(hex(again), hex(blob.first(again.size())));
}

TEST(Ntlmssp, AuthenticateWithUserIsNotAnonymous) {
  Message m = message_of("s1.f10");
  ASSERT_EQ(m.type, MessageType::Authenticate);
  const Authenticate& a = m.authenticate;
  EXPECT_EQ(a.user, "user");
  EXPECT_GT(a.nt_response.size(), 24u);  // NTLMv2
  EXPECT_FALSE(a.anonymous());
}

TEST(Ntlmssp, EmptyUserAndResponsesIsAnonymous) {
  Message m = message_of("s2.f10");
  ASSERT_EQ(m.type, MessageType::Authenticate);
  EXPECT_TRUE(m.authenticate.user.empty());
  EXPECT_TRUE(m.authenticate.nt_response.empty());
  EXPECT_TRUE(m.authenticate.anonymous());
}

// SESSION_SETUP request 2 from the SMB 3.1.1 exchange in shared/reference/smb2-server.md,
// appendix A.1 (smbclient 4.17 -> Samba 4.17, user "user", domain WORKGROUP, MIC present).
constexpr char kAuthWithMic[] =
    "a18201aa308201a6a282018e0482018a4e544c4d53535000030000001800180058000000ec00ec00"
    "70000000120012005c010000080008006e0100000400040076010000100010007a01000015820862060100000000000fd8bfb704cf08b3b5b2b241824727795b"
    "000000000000000000000000000000000000000000000000dfa7751e947f09a461c37cba40e10a2f01010000000000001a3db75c277add01c6029c675fb59fd4"
    "000000000200160053004d004200520045005300450041005200430048000100160053004d004200520045005300450041005200430048000400000003000400"
    "76006d00070008001a3db75c277add010600040002000000080030003000000000000000000000000000000050f60e623df9f28740360edf938320faa7e84799"
    "6e09c4e2c4d422f2b0cc97490a0010000000000000000000000000000000000009001c0063006900660073002f003100320037002e0030002e0030002e003100"
    "0000000057004f0052004b00470052004f0055005000750073006500720056004d005bd005c7d92a51226a9c2c32690be0fea312041001000000fc6ba381ed48"
    "b11a00000000";

TEST(Ntlmssp, AuthenticateWithMicDecodesAndReencodesByteExact) {
  Bytes token = test::unhex(kAuthWithMic);
  auto blob = find_in_spnego(token);
  ASSERT_TRUE(blob.has_value());
  auto m = parse(*blob);
  ASSERT_TRUE(m.ok()) << m.error().what;
  const Authenticate& a = m->authenticate;
  EXPECT_EQ(a.user, "user");
  EXPECT_EQ(a.domain, "WORKGROUP");
  EXPECT_EQ(a.workstation, "VM");
  ASSERT_TRUE(a.mic.has_value());
  EXPECT_EQ(hex(*a.mic), "d8bfb704cf08b3b5b2b241824727795b");
  EXPECT_EQ(hex(a.encrypted_random_session_key), "5bd005c7d92a51226a9c2c32690be0fe");
  EXPECT_EQ(hex(ByteSpan(a.nt_response).first(16)), "dfa7751e947f09a461c37cba40e10a2f");
  Bytes again = encode(a);
  EXPECT_EQ(hex(again), hex(blob->first(again.size())));
}

TEST(Ntlmssp, OemStringsWithoutUnicodeFlag) {
  Authenticate a;
  a.flags = flag::kOem | flag::kNtlm;
  a.user = "guest";
  a.domain = "WG";
  a.nt_response = Bytes(24, 1);
  Bytes wire = encode(a);
  auto m = parse(wire);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->authenticate.user, "guest");
  EXPECT_EQ(m->authenticate, a);
}

TEST(Ntlmssp, NegotiateRoundTrip) {
  Negotiate n;
  n.flags = 0x62088215 | flag::kOemDomainSupplied;
  n.domain = "WORKGROUP";
  n.workstation = "MININT-T10CD8A";
  n.version = Version{10, 0, 0x61, 0x4a, 0, 0, 0, 15};
  auto m = parse(encode(n));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->negotiate, n);
}

TEST(Ntlmssp, FieldPastTheEndIsAnErrorAtTheField) {
  Bytes token = test::unhex(kAuthWithMic);
  Bytes blob(find_in_spnego(token)->begin(), find_in_spnego(token)->end());
  blob[36] = 0xFF;  // UserNameFields.Len
  blob[37] = 0x7F;
  auto m = parse(blob);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().offset, 36u);
}

TEST(Ntlmssp, FindsTheMessageInTheMechTokenOnlyWhenItIsNtlmssp) {
  // A negTokenInit whose mechToken is a Kerberos AP-REQ that happens to contain the signature.
  const std::uint8_t krb[] = {0x60, 0x27, 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02, 0xa0,
                              0x1d, 0x30, 0x1b, 0xa0, 0x0b, 0x30, 0x09, 0x06, 0x07, 0x2a, 0x86,
                              0x48, 0x86, 0xf7, 0x12, 0x01, 0xa2, 0x0c, 0x04, 0x0a, 0x6e, 'N',
                              'T', 'L', 'M', 'S', 'S', 'P', 0, 1};
  EXPECT_FALSE(find_in_spnego(krb).has_value());
  // A token cut short by the capture still shows where NTLMSSP starts.
  Bytes token = test::unhex(kAuthWithMic);
  auto whole = find_in_spnego(token);
  ASSERT_TRUE(whole.has_value());
  auto cut = find_in_spnego(ByteSpan(token).first(token.size() - 10));
  ASSERT_TRUE(cut.has_value());
  EXPECT_EQ(cut->data(), whole->data());
}

TEST(Ntlmssp, NotFoundOrWrongTypeOrTruncated) {
  const std::uint8_t none[] = {0xa1, 0x07, 0x30, 0x05, 0xa0, 0x03, 0x0a, 0x01, 0x00};
  EXPECT_FALSE(find_in_spnego(none).has_value());
  EXPECT_EQ(spnego_neg_result(none), 0);
  const std::uint8_t type9[] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0, 9, 0, 0, 0};
  EXPECT_FALSE(parse(type9).ok());
  Bytes token = test::unhex(kAuthWithMic);
  auto blob = *find_in_spnego(token);
  for (std::size_t n = 0; n < blob.size(); ++n) (void)parse(blob.first(n));
}

}  // namespace
}  // namespace pxe::wire::ntlmssp

namespace pxe::wire::ntlmssp {
namespace {

TEST(NtlmsspEncode, Utf16NamesStartAtEvenOffsetsAfterAOneByteLmResponse) {
  // An anonymous logon ([MS-NLMP] 3.1.5.1.2): LM response Z(1), no NT response, a workstation.
  Authenticate a;
  a.flags = flag::kUnicode | flag::kAnonymous;
  a.lm_response = {0};
  a.workstation = "MININT-PXEKIT";
  Bytes b = encode(a);
  auto offset_of = [&](std::size_t field) {
    return std::size_t(b[field + 4]) | std::size_t(b[field + 5]) << 8 | std::size_t(b[field + 6]) << 16;
  };
  EXPECT_EQ(offset_of(12), 64u);  // the LM response, right after the fixed part
  EXPECT_EQ(offset_of(44) % 2, 0u) << "the workstation name's UTF-16 is at an odd offset";
  auto m = parse(b);
  ASSERT_TRUE(m) << m.error().what;
  EXPECT_EQ(m->authenticate, a);
  EXPECT_TRUE(m->authenticate.anonymous());
}

}  // namespace
}  // namespace pxe::wire::ntlmssp
