#include "proto/smb2/ntlm.h"

#include <gtest/gtest.h>

#include "proto/smb2/hex.h"
#include "proto/smb2/session_a1.h"

namespace pxe::proto::smb2::ntlm {
namespace {

using test::hex;
using test::unhex;
using test::unhex_array;
namespace ntlmssp = wire::ntlmssp;

// --- [MS-NLMP] 4.2.4: user "User", domain "Domain", password "Password", server challenge
// 0123456789abcdef, client challenge aa..aa, time 0, RandomSessionKey 55..55, KEY_EXCH.
constexpr std::string_view kNlmpTemp =
    "0101000000000000" "0000000000000000" "aaaaaaaaaaaaaaaa" "00000000"
    "02000c0044006f006d00610069006e00" "01000c0053006500720076006500720000000000" "00000000";
const std::array<std::uint8_t, 8> kNlmpServerChallenge = unhex_array<8>("0123456789abcdef");

ntlmssp::Authenticate nlmp_authenticate() {
  ntlmssp::Authenticate a;
  a.flags = ntlmssp::flag::kUnicode | ntlmssp::flag::kNtlm | ntlmssp::flag::kSign |
            ntlmssp::flag::kExtendedSessionSecurity | ntlmssp::flag::k128 |
            ntlmssp::flag::kKeyExchange;
  a.nt_response = unhex(std::string("68cd0ab851e51c96aabc927bebef6a1c") + std::string(kNlmpTemp));
  a.lm_response = unhex("86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa");
  a.user = "User";
  a.domain = "Domain";
  a.workstation = "COMPUTER";
  a.encrypted_random_session_key = unhex("c5dad2544fc9799094ce1ce90bc9d03e");
  return a;
}

TEST(Ntlm, NtHashAndNtowfV2MatchMsNlmp424) {
  Key16 h = nt_hash("Password");
  EXPECT_EQ(hex(h), "a4f49c406510bdcab6824ee7c30fd852");
  EXPECT_EQ(hex(ntowf_v2(h, "User", "Domain")), "0c868a403bfd7a93a3001ef22ef02e3f");
}

TEST(Ntlm, UserNameIsCaseInsensitiveDomainIsNot) {
  Key16 h = nt_hash("Password");
  EXPECT_EQ(ntowf_v2(h, "user", "Domain"), ntowf_v2(h, "USER", "Domain"));
  EXPECT_NE(ntowf_v2(h, "User", "domain"), ntowf_v2(h, "User", "Domain"));
}

TEST(Ntlm, VerifiesMsNlmp424ResponseAndDecryptsTheExchangedKey) {
  auto a = nlmp_authenticate();
  Bytes raw = ntlmssp::encode(a);
  auto v = verify_ntlmv2(nt_hash("Password"), kNlmpServerChallenge, a, {{}, {}, raw});
  ASSERT_TRUE(v.ok()) << v.error().what;
  EXPECT_EQ(hex(v->nt_proof_str), "68cd0ab851e51c96aabc927bebef6a1c");
  EXPECT_EQ(hex(v->session_base_key), "8de40ccadbc14a82f15cb0ad0de95ca3");
  EXPECT_EQ(hex(v->exported_session_key), "55555555555555555555555555555555");
  EXPECT_FALSE(v->mic_checked);  // the 4.2.4 blob has no MsvAvFlags
}

TEST(Ntlm, WithoutKeyExchTheSessionBaseKeyIsExported) {
  auto a = nlmp_authenticate();
  a.flags &= ~ntlmssp::flag::kKeyExchange;
  a.encrypted_random_session_key.clear();
  auto v = verify_ntlmv2(nt_hash("Password"), kNlmpServerChallenge, a, {{}, {}, ntlmssp::encode(a)});
  ASSERT_TRUE(v.ok()) << v.error().what;
  EXPECT_EQ(hex(v->exported_session_key), "8de40ccadbc14a82f15cb0ad0de95ca3");
}

TEST(Ntlm, KeyExchWithoutSignOrSealKeepsTheSessionBaseKey) {
  auto a = nlmp_authenticate();
  a.flags &= ~ntlmssp::flag::kSign;
  auto v = verify_ntlmv2(nt_hash("Password"), kNlmpServerChallenge, a, {{}, {}, ntlmssp::encode(a)});
  ASSERT_TRUE(v.ok()) << v.error().what;
  EXPECT_EQ(hex(v->exported_session_key), "8de40ccadbc14a82f15cb0ad0de95ca3");
}

TEST(Ntlm, AcceptsAProofComputedWithAnEmptyDomain) {
  // A client that sends "Domain" but computed NTOWFv2 over "USER" alone ([MS-NLMP] 3.2.5.1.2).
  Bytes temp = unhex(kNlmpTemp);
  Key16 owf = ntowf_v2(nt_hash("Password"), "User", "");
  auto proof = crypto::hmac_md5(owf, {ByteSpan(kNlmpServerChallenge), temp});
  auto a = nlmp_authenticate();
  a.nt_response.assign(proof.begin(), proof.end());
  a.nt_response.insert(a.nt_response.end(), temp.begin(), temp.end());
  auto v = verify_ntlmv2(nt_hash("Password"), kNlmpServerChallenge, a, {{}, {}, ntlmssp::encode(a)});
  ASSERT_TRUE(v.ok()) << v.error().what;
  EXPECT_EQ(v->session_base_key, crypto::hmac_md5(owf, {ByteSpan(proof)}));
}

TEST(Ntlm, ClientResponseIsMsNlmp424AndVerifies) {
  ntlmssp::Challenge c;
  c.server_challenge = kNlmpServerChallenge;
  c.target_info = {{ntlmssp::av_id::kNbDomainName, unhex("44006f006d00610069006e00")},
                   {ntlmssp::av_id::kNbComputerName, unhex("530065007200760065007200")}};
  std::array<std::uint8_t, 8> cc;
  cc.fill(0xaa);
  auto r = ntlmv2_response(nt_hash("Password"), "User", "Domain", c, cc);
  EXPECT_EQ(hex(r.nt_response), std::string("68cd0ab851e51c96aabc927bebef6a1c") + std::string(kNlmpTemp));
  auto a = nlmp_authenticate();
  a.flags &= ~ntlmssp::flag::kKeyExchange;
  a.encrypted_random_session_key.clear();
  a.nt_response = r.nt_response;
  auto v = verify_ntlmv2(nt_hash("Password"), kNlmpServerChallenge, a, {{}, {}, ntlmssp::encode(a)});
  ASSERT_TRUE(v.ok()) << v.error().what;
  EXPECT_EQ(v->session_base_key, r.session_base_key);
  EXPECT_EQ(v->exported_session_key, r.session_base_key);
}

TEST(Ntlm, RefusesAWrongPassword) {
  auto a = nlmp_authenticate();
  auto v = verify_ntlmv2(nt_hash("password"), kNlmpServerChallenge, a, {{}, {}, ntlmssp::encode(a)});
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().what.find("NTProofStr does not match"), std::string::npos) << v.error().what;
}

TEST(Ntlm, RefusesAnotherServerChallenge) {
  auto a = nlmp_authenticate();
  auto other = kNlmpServerChallenge;
  other[7] ^= 1;
  EXPECT_FALSE(verify_ntlmv2(nt_hash("Password"), other, a, {{}, {}, ntlmssp::encode(a)}).ok());
}

TEST(Ntlm, RefusesNtlmV1AndShortResponses) {
  auto a = nlmp_authenticate();
  a.nt_response.resize(24);
  auto v1 = verify_ntlmv2(nt_hash("Password"), kNlmpServerChallenge, a, {});
  ASSERT_FALSE(v1.ok());
  EXPECT_NE(v1.error().what.find("NTLMv1"), std::string::npos);
  for (std::size_t n : {0, 1, 16, 43}) {
    a.nt_response.assign(n, 1);
    EXPECT_FALSE(verify_ntlmv2(nt_hash("Password"), kNlmpServerChallenge, a, {}).ok()) << n;
  }
}

TEST(Ntlm, RefusesKeyExchWithoutA16ByteKey) {
  auto a = nlmp_authenticate();
  a.encrypted_random_session_key.resize(5);
  auto v = verify_ntlmv2(nt_hash("Password"), kNlmpServerChallenge, a, {{}, {}, ntlmssp::encode(a)});
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().what.find("EncryptedRandomSessionKey"), std::string::npos);
}

TEST(Ntlm, RefusesABlobThatAnnouncesAMicItDoesNotCarry) {
  // The 4.2.4 blob with MsvAvFlags = 2 (MIC present) before MsvAvEOL; the proof is recomputed
  // as the client would, so only the missing MIC is wrong.
  Bytes temp = unhex(
      "0101000000000000" "0000000000000000" "aaaaaaaaaaaaaaaa" "00000000"
      "02000c0044006f006d00610069006e00" "01000c00530065007200760065007200"
      "0600040002000000" "00000000" "00000000");
  Key16 owf = ntowf_v2(nt_hash("Password"), "User", "Domain");
  auto proof = crypto::hmac_md5(owf, {ByteSpan(kNlmpServerChallenge), temp});
  auto a = nlmp_authenticate();
  a.nt_response.assign(proof.begin(), proof.end());
  a.nt_response.insert(a.nt_response.end(), temp.begin(), temp.end());
  auto v = verify_ntlmv2(nt_hash("Password"), kNlmpServerChallenge, a, {{}, {}, ntlmssp::encode(a)});
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().what.find("announces a MIC"), std::string::npos) << v.error().what;
}

// --- The real session of smb2-server.md appendix A.1.
struct A1 {
  Bytes req1 = test::unhex(test::a1::kSessionSetupRequest1);
  Bytes rsp1 = test::unhex(test::a1::kSessionSetupResponse1);
  Bytes req2 = test::unhex(test::a1::kSessionSetupRequest2);
  ByteSpan negotiate = *ntlmssp::find_in_spnego(req1);
  ByteSpan challenge = *ntlmssp::find_in_spnego(rsp1);
  // Runs on past the AUTHENTICATE message over the SPNEGO mechListMIC that follows it.
  ByteSpan authenticate = *ntlmssp::find_in_spnego(req2);
};

TEST(Ntlm, VerifiesTheRecordedSambaSessionWithItsMic) {
  A1 s;
  auto chal = ntlmssp::parse(s.challenge);
  auto auth = ntlmssp::parse(s.authenticate);
  ASSERT_TRUE(chal.ok() && auth.ok());
  EXPECT_EQ(hex(chal->challenge.server_challenge), "d50fb6cb7d035a36");
  const auto& a = auth->authenticate;
  EXPECT_EQ(a.user, "user");
  EXPECT_EQ(a.domain, "WORKGROUP");
  Key16 h = nt_hash("pass");
  EXPECT_EQ(hex(h), "36aa83bdcab3c9fdaf321ca42a31c3fc");
  EXPECT_EQ(hex(ntowf_v2(h, "user", "WORKGROUP")), "bd0374fce18f656403212e2d6dcc4ae2");

  auto v = verify_ntlmv2(h, chal->challenge.server_challenge, a,
                         {s.negotiate, s.challenge, s.authenticate});
  ASSERT_TRUE(v.ok()) << v.error().what;
  EXPECT_EQ(hex(v->nt_proof_str), "dfa7751e947f09a461c37cba40e10a2f");
  EXPECT_EQ(hex(v->session_base_key), "ce01196cd232d8571a0c344c8cc60d3f");
  EXPECT_EQ(hex(v->exported_session_key), "7aff00571b48b30b9c85e70b6e943c79");
  EXPECT_TRUE(v->mic_checked);
}

TEST(Ntlm, RefusesTheRecordedSessionWithATamperedMicOrNegotiate) {
  A1 s;
  auto chal = ntlmssp::parse(s.challenge);
  Bytes auth_raw(s.authenticate.begin(), s.authenticate.end());
  auth_raw[72] ^= 0x01;  // first MIC byte
  auto auth = ntlmssp::parse(auth_raw);
  ASSERT_TRUE(chal.ok() && auth.ok());
  auto v = verify_ntlmv2(nt_hash("pass"), chal->challenge.server_challenge, auth->authenticate,
                         {s.negotiate, s.challenge, auth_raw});
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().what.find("MIC does not match"), std::string::npos) << v.error().what;

  // The MIC covers the NEGOTIATE too: a downgraded flag in it is caught.
  auto good = ntlmssp::parse(s.authenticate);
  Bytes neg(s.negotiate.begin(), s.negotiate.end());
  neg[12] ^= 0x10;
  EXPECT_FALSE(verify_ntlmv2(nt_hash("pass"), chal->challenge.server_challenge,
                             good->authenticate, {neg, s.challenge, s.authenticate})
                   .ok());
}

TEST(Ntlm, MechListMicsMatchTheRecordedSession) {
  Key16 esk = unhex_array<16>("7aff00571b48b30b9c85e70b6e943c79");
  Bytes mech_types = unhex("300c060a2b06010401823702020a");
  EXPECT_EQ(hex(mac(esk, false, 0, mech_types, true)), "01000000fc6ba381ed48b11a00000000");
  EXPECT_EQ(hex(mac(esk, true, 0, mech_types, true)), "010000008936d4921ed2541600000000");
}

}  // namespace
}  // namespace pxe::proto::smb2::ntlm
