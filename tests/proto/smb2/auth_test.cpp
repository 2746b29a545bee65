// The SESSION_SETUP authenticator against the real Samba session of smb2-server.md appendix A.1:
// given the randomness and names Samba's CHALLENGE had, our CHALLENGE is Samba's byte for byte,
// so smbclient's recorded AUTHENTICATE (whose MIC covers it) verifies against it.
#include <gtest/gtest.h>

#include <deque>

#include "proto/smb2/auth.h"
#include "proto/smb2/hex.h"
#include "proto/smb2/session_a1.h"
#include "wire/smb2/negotiate.h"
#include "wire/smb2/ntlmssp.h"
#include "wire/smb2/session_setup.h"
#include "wire/smb2/spnego.h"
#include "wire/smb2/status.h"

namespace pxe::proto::smb2 {
namespace {

using test::hex;
using test::unhex;
namespace spnego = wire::spnego;
namespace ntlmssp = wire::ntlmssp;
namespace status = wire::smb2::status;
using State = AuthResult::State;

// Hands out the given words, then zeros.
class FixedRandom final : public Random {
 public:
  explicit FixedRandom(std::deque<std::uint32_t> words) : words_(std::move(words)) {}
  std::uint32_t next() override {
    if (words_.empty()) return 0;
    std::uint32_t v = words_.front();
    words_.pop_front();
    return v;
  }

 private:
  std::deque<std::uint32_t> words_;
};

// ServerChallenge d50fb6cb7d035a36 as two little-endian words.
FixedRandom a1_random() { return FixedRandom({0xcbb60fd5, 0x365a037d}); }
constexpr std::uint64_t kA1Timestamp = 0x01dd7a275cb73d1a;  // the CHALLENGE's MsvAvTimestamp

AuthSettings a1_settings(config::MapToGuest map = config::MapToGuest::Never,
                         std::string password = "pass", std::string user = "user") {
  AuthSettings s;
  s.accounts.push_back({std::move(user), std::move(password)});
  s.map_to_guest = map;
  s.netbios_name = "SMBRESEARCH";  // Samba standalone: its NetBIOS name is also the domain
  s.workgroup = "SMBRESEARCH";
  s.dns_name = "vm";
  return s;
}

Bytes request_buffer(std::string_view message_hex) {
  auto m = wire::smb2::parse_session_setup_request(unhex(message_hex));
  EXPECT_TRUE(m.ok());
  return m ? m->security_buffer : Bytes{};
}
Bytes response_buffer(std::string_view message_hex) {
  auto m = wire::smb2::parse_session_setup_response(unhex(message_hex));
  EXPECT_TRUE(m.ok());
  return m ? m->security_buffer : Bytes{};
}

struct A1 {
  Bytes req1 = request_buffer(test::a1::kSessionSetupRequest1);
  Bytes rsp1 = response_buffer(test::a1::kSessionSetupResponse1);
  Bytes req2 = request_buffer(test::a1::kSessionSetupRequest2);
  Bytes rsp2 = response_buffer(test::a1::kSessionSetupResponse2);
};

// The two steps of A.1 against an authenticator with `settings`.
AuthResult run_a1(const AuthSettings& settings, ByteSpan req2) {
  A1 s;
  FixedRandom rnd = a1_random();
  Authenticator auth(settings, rnd, kA1Timestamp);
  AuthResult r1 = auth.step(s.req1);
  EXPECT_EQ(r1.state, State::Continue);
  EXPECT_EQ(r1.token, s.rsp1);
  return auth.step(req2);
}

TEST(Authenticator, AnswersTheRecordedNegotiateWithSambasChallengeByteForByte) {
  A1 s;
  FixedRandom rnd = a1_random();
  Authenticator auth(a1_settings(), rnd, kA1Timestamp);
  AuthResult r = auth.step(s.req1);
  EXPECT_EQ(r.state, State::Continue);
  EXPECT_EQ(r.status, status::kMoreProcessingRequired);
  EXPECT_EQ(hex(r.token), hex(s.rsp1));
  auto chal = ntlmssp::parse(auth.challenge_message());
  ASSERT_TRUE(chal.ok());
  EXPECT_EQ(chal->challenge.flags, 0x628a8215u);  // the client's 0x62088215 + TARGET_INFO|SERVER
  EXPECT_EQ(hex(chal->challenge.server_challenge), "d50fb6cb7d035a36");
  EXPECT_EQ(chal->challenge.timestamp(), kA1Timestamp);
}

TEST(Authenticator, AcceptsTheRecordedAuthenticateAndDerivesItsSessionKeyAndMechListMic) {
  A1 s;
  AuthResult r = run_a1(a1_settings(), s.req2);
  ASSERT_EQ(r.state, State::Done) << r.why;
  EXPECT_EQ(r.status, status::kSuccess);
  ASSERT_TRUE(r.session_key.has_value());
  EXPECT_EQ(hex(*r.session_key), "7aff00571b48b30b9c85e70b6e943c79");
  EXPECT_EQ(r.identity.user, "user");
  EXPECT_EQ(r.identity.domain, "WORKGROUP");
  EXPECT_FALSE(r.identity.guest);
  EXPECT_FALSE(r.identity.anonymous);
  // accept-completed with Samba's own mechListMIC 010000008936d4921ed2541600000000.
  EXPECT_EQ(hex(r.token), hex(s.rsp2));
}

TEST(Authenticator, MatchesTheAccountNameCaseInsensitively) {
  A1 s;
  AuthResult r = run_a1(a1_settings(config::MapToGuest::Never, "pass", "USER"), s.req2);
  EXPECT_EQ(r.state, State::Done) << r.why;
  EXPECT_TRUE(r.session_key.has_value());
}

TEST(Authenticator, RefusesAWrongPasswordWithLogonFailure) {
  A1 s;
  for (auto map : {config::MapToGuest::Never, config::MapToGuest::BadUser}) {
    AuthResult r = run_a1(a1_settings(map, "wrong"), s.req2);
    EXPECT_EQ(r.state, State::Failed);
    EXPECT_EQ(r.status, status::kLogonFailure);
    EXPECT_FALSE(r.session_key.has_value());
    EXPECT_NE(r.why.find("user 'user'"), std::string::npos) << r.why;
  }
}

TEST(Authenticator, MapsAWrongPasswordToGuestUnderBadPassword) {
  A1 s;
  AuthResult r = run_a1(a1_settings(config::MapToGuest::BadPassword, "wrong"), s.req2);
  ASSERT_EQ(r.state, State::Done);
  EXPECT_EQ(r.status, status::kSuccess);
  EXPECT_TRUE(r.identity.guest);
  EXPECT_FALSE(r.session_key.has_value());
  EXPECT_EQ(hex(r.token), "a1073005a0030a0100");  // no key, so no mechListMIC
  EXPECT_NE(r.why.find("mapped to guest"), std::string::npos);
}

TEST(Authenticator, MapsAnUnknownUserToGuestOnlyUnderBadUserOrBadPassword) {
  A1 s;
  for (auto map : {config::MapToGuest::BadUser, config::MapToGuest::BadPassword}) {
    AuthResult r = run_a1(a1_settings(map, "pass", "someoneelse"), s.req2);
    ASSERT_EQ(r.state, State::Done);
    EXPECT_TRUE(r.identity.guest);
    EXPECT_FALSE(r.identity.anonymous);
    EXPECT_EQ(r.identity.user, "user");
    EXPECT_FALSE(r.session_key.has_value());
    EXPECT_EQ(hex(r.token), "a1073005a0030a0100");
  }
  AuthResult r = run_a1(a1_settings(config::MapToGuest::Never, "pass", "someoneelse"), s.req2);
  EXPECT_EQ(r.state, State::Failed);
  EXPECT_EQ(r.status, status::kLogonFailure);
  EXPECT_NE(r.why.find("unknown user 'user'"), std::string::npos) << r.why;
}

TEST(Authenticator, GivesAnAnonymousLogonANullIdentity) {
  ntlmssp::Authenticate a;
  a.flags = ntlmssp::flag::kUnicode | ntlmssp::flag::kNtlm | ntlmssp::flag::kAnonymous;
  a.lm_response = {0};
  spnego::NegTokenResp t;
  t.response_token = ntlmssp::encode(a);
  for (auto map : {config::MapToGuest::Never, config::MapToGuest::BadUser}) {
    AuthResult r = run_a1(a1_settings(map), spnego::encode_resp(t));
    ASSERT_EQ(r.state, State::Done) << r.why;
    EXPECT_EQ(r.status, status::kSuccess);
    EXPECT_TRUE(r.identity.anonymous);
    EXPECT_FALSE(r.identity.guest);
    EXPECT_FALSE(r.session_key.has_value());
    EXPECT_EQ(hex(r.token), "a1073005a0030a0100");
  }
}

TEST(Authenticator, RefusesAWrongMechListMicOrATamperedNtlmsspMic) {
  A1 s;
  auto t = spnego::parse_resp(s.req2);
  ASSERT_TRUE(t.ok());
  spnego::NegTokenResp bad_mech_mic = *t;
  (*bad_mech_mic.mech_list_mic)[5] ^= 1;
  AuthResult r = run_a1(a1_settings(), spnego::encode_resp(bad_mech_mic));
  EXPECT_EQ(r.state, State::Failed);
  EXPECT_EQ(r.status, status::kLogonFailure);
  EXPECT_NE(r.why.find("mechListMIC"), std::string::npos) << r.why;

  spnego::NegTokenResp bad_mic = *t;
  (*bad_mic.response_token)[72] ^= 1;  // the AUTHENTICATE's MIC field
  r = run_a1(a1_settings(), spnego::encode_resp(bad_mic));
  EXPECT_EQ(r.state, State::Failed);
  EXPECT_EQ(r.status, status::kLogonFailure);
}

TEST(Authenticator, AcceptsWithoutAMechListMicWhenTheClientSentNone) {
  A1 s;
  auto t = spnego::parse_resp(s.req2);
  ASSERT_TRUE(t.ok());
  t->mech_list_mic.reset();
  AuthResult r = run_a1(a1_settings(), spnego::encode_resp(*t));
  ASSERT_EQ(r.state, State::Done) << r.why;
  EXPECT_EQ(hex(*r.session_key), "7aff00571b48b30b9c85e70b6e943c79");
  EXPECT_EQ(hex(r.token), "a1073005a0030a0100");
}

TEST(Authenticator, SpeaksRawNtlmsspToAClientThatSendsNoSpnego) {
  A1 s;
  auto init = spnego::parse_init(s.req1);
  auto resp = spnego::parse_resp(s.req2);
  auto rsp1 = spnego::parse_resp(s.rsp1);
  ASSERT_TRUE(init.ok() && resp.ok() && rsp1.ok());
  FixedRandom rnd = a1_random();
  Authenticator auth(a1_settings(), rnd, kA1Timestamp);
  AuthResult r1 = auth.step(*init->mech_token);
  EXPECT_EQ(r1.state, State::Continue);
  EXPECT_EQ(r1.token, *rsp1->response_token);  // the bare CHALLENGE
  AuthResult r2 = auth.step(*resp->response_token);
  ASSERT_EQ(r2.state, State::Done) << r2.why;
  EXPECT_EQ(hex(*r2.session_key), "7aff00571b48b30b9c85e70b6e943c79");
  EXPECT_TRUE(r2.token.empty());
}

TEST(Authenticator, SelectsNtlmsspWhenTheClientPrefersKerberosAndThenRequiresTheMechListMic) {
  A1 s;
  auto a1_init = spnego::parse_init(s.req1);
  ASSERT_TRUE(a1_init.ok());
  spnego::NegTokenInit init;
  init.mech_types = {unhex("2a864882f712010202"), unhex("2b06010401823702020a")};
  init.mech_token = unhex("6082");  // an (opaque) Kerberos token
  FixedRandom rnd = a1_random();
  Authenticator auth(a1_settings(), rnd, kA1Timestamp);
  AuthResult r0 = auth.step(spnego::encode_init(init));
  ASSERT_EQ(r0.state, State::Continue) << r0.why;
  EXPECT_EQ(r0.status, status::kMoreProcessingRequired);
  EXPECT_EQ(hex(r0.token), "a1153013a0030a0101a10c060a2b06010401823702020a");

  spnego::NegTokenResp neg;
  neg.response_token = *a1_init->mech_token;
  AuthResult r1 = auth.step(spnego::encode_resp(neg));
  ASSERT_EQ(r1.state, State::Continue) << r1.why;
  auto c = spnego::parse_resp(r1.token);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->neg_state, spnego::NegState::AcceptIncomplete);
  EXPECT_EQ(*c->response_token, auth.challenge_message());

  // The recorded AUTHENTICATE verifies (its MIC covers only NTLMSSP messages), but its
  // mechListMIC was computed over a different MechTypeList.
  auto resp = spnego::parse_resp(s.req2);
  ASSERT_TRUE(resp.ok());
  AuthResult r2 = auth.step(s.req2);
  EXPECT_EQ(r2.state, State::Failed);
  EXPECT_NE(r2.why.find("wrong SPNEGO mechListMIC"), std::string::npos) << r2.why;
}

TEST(Authenticator, RequiresAMechListMicAfterSelectingNtlmssp) {
  A1 s;
  auto a1_init = spnego::parse_init(s.req1);
  auto resp = spnego::parse_resp(s.req2);
  ASSERT_TRUE(a1_init.ok() && resp.ok());
  spnego::NegTokenInit init;
  init.mech_types = {unhex("2a864882f712010202"), unhex("2b06010401823702020a")};
  FixedRandom rnd = a1_random();
  Authenticator auth(a1_settings(), rnd, kA1Timestamp);
  ASSERT_EQ(auth.step(spnego::encode_init(init)).state, State::Continue);
  spnego::NegTokenResp neg;
  neg.response_token = *a1_init->mech_token;
  ASSERT_EQ(auth.step(spnego::encode_resp(neg)).state, State::Continue);
  resp->mech_list_mic.reset();
  AuthResult r = auth.step(spnego::encode_resp(*resp));
  EXPECT_EQ(r.state, State::Failed);
  EXPECT_NE(r.why.find("no SPNEGO mechListMIC"), std::string::npos) << r.why;
}

TEST(Authenticator, AsksForTheNegotiateWhenNtlmsspIsFirstButNoTokenCameWithItMicOptional) {
  A1 s;
  auto a1_init = spnego::parse_init(s.req1);
  auto resp = spnego::parse_resp(s.req2);
  ASSERT_TRUE(a1_init.ok() && resp.ok());
  spnego::NegTokenInit init = *a1_init;  // same MechTypeList, no optimistic mechToken
  init.mech_token.reset();
  FixedRandom rnd = a1_random();
  Authenticator auth(a1_settings(), rnd, kA1Timestamp);
  AuthResult r0 = auth.step(spnego::encode_init(init));
  ASSERT_EQ(r0.state, State::Continue) << r0.why;
  EXPECT_EQ(hex(r0.token), "a1153013a0030a0101a10c060a2b06010401823702020a");
  spnego::NegTokenResp neg;
  neg.response_token = *a1_init->mech_token;
  AuthResult r1 = auth.step(spnego::encode_resp(neg));
  ASSERT_EQ(r1.state, State::Continue) << r1.why;
  auto c = spnego::parse_resp(r1.token);
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->supported_mech.has_value());
  EXPECT_EQ(*c->response_token, auth.challenge_message());
  resp->mech_list_mic.reset();  // NTLMSSP was the client's first choice: no MIC needed
  AuthResult r2 = auth.step(spnego::encode_resp(*resp));
  ASSERT_EQ(r2.state, State::Done) << r2.why;
  EXPECT_EQ(hex(*r2.session_key), "7aff00571b48b30b9c85e70b6e943c79");
}

TEST(Authenticator, FailsMalformedOrOutOfOrderTokensWithAReason) {
  A1 s;
  auto fresh = [](ByteSpan token) {
    FixedRandom rnd = a1_random();
    Authenticator auth(a1_settings(), rnd, kA1Timestamp);
    return auth.step(token);
  };
  for (auto bad : {unhex(""), unhex("00"), unhex("6003060100"), unhex("a1023000")}) {
    AuthResult r = fresh(bad);
    EXPECT_EQ(r.state, State::Failed) << hex(bad);
    EXPECT_FALSE(r.why.empty()) << hex(bad);
    EXPECT_TRUE(r.token.empty());
  }
  // An AUTHENTICATE first, a CHALLENGE where the NEGOTIATE goes.
  AuthResult r = fresh(s.req2);
  EXPECT_EQ(r.state, State::Failed);
  EXPECT_EQ(r.status, status::kInvalidParameter);
  auto rsp1 = spnego::parse_resp(s.rsp1);
  ASSERT_TRUE(rsp1.ok());
  r = fresh(*rsp1->response_token);
  EXPECT_EQ(r.state, State::Failed);
  EXPECT_NE(r.why.find("expected NTLMSSP NEGOTIATE, got CHALLENGE"), std::string::npos) << r.why;
  // No NTLMSSP among the mechanisms.
  spnego::NegTokenInit krb;
  krb.mech_types = {unhex("2a864882f712010202")};
  r = fresh(spnego::encode_init(krb));
  EXPECT_EQ(r.state, State::Failed);
  EXPECT_NE(r.why.find("no NTLMSSP"), std::string::npos);
}

TEST(Authenticator, FailsEveryStepAfterTheExchangeFinished) {
  A1 s;
  FixedRandom rnd = a1_random();
  Authenticator auth(a1_settings(), rnd, kA1Timestamp);
  ASSERT_EQ(auth.step(s.req1).state, State::Continue);
  ASSERT_EQ(auth.step(s.req2).state, State::Done);
  AuthResult again = auth.step(s.req2);
  EXPECT_EQ(again.state, State::Failed);
  EXPECT_EQ(again.status, status::kLogonFailure);
}

TEST(Authenticator, SurvivesEveryPrefixAndByteFlipOfTheSecondToken) {
  A1 s;
  for (std::size_t n = 0; n < s.req2.size(); n += 3) {
    AuthResult r = run_a1(a1_settings(config::MapToGuest::BadPassword), ByteSpan(s.req2).first(n));
    EXPECT_NE(r.state, State::Continue);
    if (r.state == State::Done) {
      EXPECT_FALSE(r.session_key.has_value()) << n;
    }
  }
  for (std::size_t i = 0; i < s.req2.size(); ++i) {
    Bytes b = s.req2;
    b[i] ^= 0x55;
    AuthResult r = run_a1(a1_settings(), b);
    // A flipped byte never yields a user session: every byte is covered by the NTLMv2 proof,
    // the MIC, the mechListMIC or the DER structure -- except the AUTHENTICATE's workstation
    // name and Version, which only the MIC covers (it does).
    EXPECT_FALSE(r.state == State::Done && r.session_key.has_value()) << i;
  }
}

TEST(NegotiateSecurityBlob, IsSambasNegTokenInit2) {
  auto neg = wire::smb2::parse_negotiate_response(unhex(test::a1::kNegotiateResponse));
  ASSERT_TRUE(neg.ok());
  EXPECT_EQ(hex(negotiate_security_blob()), hex(neg->security_buffer));
}

}  // namespace
}  // namespace pxe::proto::smb2
