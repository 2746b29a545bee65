// The SPNEGO codec against the tokens of the real Samba session (smb2-server.md appendix A.1)
// and against malformed DER.
#include <gtest/gtest.h>

#include "proto/smb2/hex.h"
#include "proto/smb2/session_a1.h"
#include "wire/smb2/negotiate.h"
#include "wire/smb2/session_setup.h"
#include "wire/smb2/spnego.h"

namespace pxe::wire::spnego {
namespace {

using test::hex;
using test::unhex;

Bytes request_buffer(std::string_view message_hex) {
  auto m = smb2::parse_session_setup_request(unhex(message_hex));
  EXPECT_TRUE(m.ok());
  return m ? m->security_buffer : Bytes{};
}
Bytes response_buffer(std::string_view message_hex) {
  auto m = smb2::parse_session_setup_response(unhex(message_hex));
  EXPECT_TRUE(m.ok());
  return m ? m->security_buffer : Bytes{};
}

const Bytes kNtlmssp(kNtlmsspOid.begin(), kNtlmsspOid.end());

TEST(Spnego, ParsesTheClientsNegTokenInitAndReencodesItByteForByte) {
  Bytes buf = request_buffer(test::a1::kSessionSetupRequest1);
  auto t = parse(buf);
  ASSERT_TRUE(t.ok()) << t.error().what;
  ASSERT_EQ(t->kind, Token::Kind::Init);
  const auto& m = t->init;
  ASSERT_EQ(m.mech_types.size(), 1u);
  EXPECT_EQ(m.mech_types[0], kNtlmssp);
  EXPECT_TRUE(m.offers(kNtlmsspOid));
  EXPECT_EQ(hex(m.mech_types_der), "300c060a2b06010401823702020a");
  ASSERT_TRUE(m.mech_token.has_value());
  EXPECT_EQ(m.mech_token->size(), 40u);
  EXPECT_EQ(hex(ByteSpan(*m.mech_token).first(8)), "4e544c4d53535000");
  EXPECT_FALSE(m.mech_list_mic.has_value());
  EXPECT_EQ(encode_init(m), buf);
}

TEST(Spnego, ParsesTheServersChallengeResponseAndReencodesIt) {
  Bytes buf = response_buffer(test::a1::kSessionSetupResponse1);
  auto m = parse_resp(buf);
  ASSERT_TRUE(m.ok()) << m.error().what;
  EXPECT_EQ(m->neg_state, NegState::AcceptIncomplete);
  EXPECT_EQ(m->supported_mech, kNtlmssp);
  ASSERT_TRUE(m->response_token.has_value());
  EXPECT_EQ(m->response_token->size(), 158u);
  EXPECT_FALSE(m->mech_list_mic.has_value());
  EXPECT_EQ(encode_resp(*m), buf);
}

TEST(Spnego, ParsesTheAuthenticateWithItsMechListMicAndLongFormLengths) {
  Bytes buf = request_buffer(test::a1::kSessionSetupRequest2);
  EXPECT_EQ(hex(ByteSpan(buf).first(4)), "a18201aa");  // two-byte lengths
  auto t = parse(buf);
  ASSERT_TRUE(t.ok()) << t.error().what;
  ASSERT_EQ(t->kind, Token::Kind::Resp);
  const auto& m = t->resp;
  EXPECT_FALSE(m.neg_state.has_value());
  EXPECT_FALSE(m.supported_mech.has_value());
  ASSERT_TRUE(m.response_token.has_value());
  EXPECT_EQ(m.response_token->size(), 394u);
  ASSERT_TRUE(m.mech_list_mic.has_value());
  EXPECT_EQ(hex(*m.mech_list_mic), "01000000fc6ba381ed48b11a00000000");
  EXPECT_EQ(encode_resp(m), buf);
}

TEST(Spnego, EncodesTheFinalAcceptCompletedWithAndWithoutMechListMic) {
  Bytes buf = response_buffer(test::a1::kSessionSetupResponse2);
  NegTokenResp m;
  m.neg_state = NegState::AcceptCompleted;
  m.mech_list_mic = unhex("010000008936d4921ed2541600000000");
  EXPECT_EQ(encode_resp(m), buf);
  m.mech_list_mic.reset();
  EXPECT_EQ(hex(encode_resp(m)), "a1073005a0030a0100");
  auto p = parse_resp(unhex("a1073005a0030a0100"));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, m);
}

TEST(Spnego, EncodesSambasNegotiateResponseInit2WithTheIgnoreHint) {
  auto neg = smb2::parse_negotiate_response(unhex(test::a1::kNegotiateResponse));
  ASSERT_TRUE(neg.ok());
  EXPECT_EQ(encode_init2({kNtlmssp}, kIgnoreHint), neg->security_buffer);
  auto m = parse_init(neg->security_buffer);
  ASSERT_TRUE(m.ok()) << m.error().what;
  EXPECT_EQ(m->mech_types, std::vector<Bytes>{kNtlmssp});
  EXPECT_EQ(m->hint_name, std::string(kIgnoreHint));
  EXPECT_FALSE(m->mech_token.has_value());
  EXPECT_FALSE(m->mech_list_mic.has_value());
  // Without the hint: the same token minus negHints.
  EXPECT_EQ(hex(encode_init2({kNtlmssp}, "")),
            "601c06062b0601050502a0123010a00e300c060a2b06010401823702020a");
}

TEST(Spnego, TakesRawNtlmsspAsIs) {
  Bytes raw = unhex("4e544c4d5353500001000000158208620000000028000000");
  auto t = parse(raw);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->kind, Token::Kind::RawNtlmssp);
  EXPECT_EQ(t->raw, raw);
}

TEST(Spnego, NamesObjectIdentifiersAndNegStates) {
  EXPECT_EQ(der::oid_str(kNtlmsspOid), "1.3.6.1.4.1.311.2.2.10");
  EXPECT_EQ(der::oid_str(kSpnegoOid), "1.3.6.1.5.5.2");
  EXPECT_EQ(der::oid_str(unhex("2a864886f712010202")), "1.2.840.113554.1.2.2");  // Kerberos
  EXPECT_EQ(der::oid_str(unhex("2b86")), "?");  // ends inside a sub-identifier
  EXPECT_EQ(der::oid_str({}), "?");
  EXPECT_EQ(neg_state_name(NegState::Reject), "reject");
}

TEST(Spnego, WritesMinimalDefiniteLengths) {
  EXPECT_EQ(hex(ByteSpan(der::tlv(0x04, Bytes(127))).first(2)), "047f");
  EXPECT_EQ(hex(ByteSpan(der::tlv(0x04, Bytes(128))).first(3)), "048180");
  EXPECT_EQ(hex(ByteSpan(der::tlv(0x04, Bytes(300))).first(4)), "0482012c");
  EXPECT_EQ(hex(ByteSpan(der::tlv(0x04, Bytes(70000))).first(5)), "0483011170");
}

TEST(Spnego, ViewsTheMechanismTokenInPlaceForTheDecoder) {
  Bytes init = request_buffer(test::a1::kSessionSetupRequest1);
  auto t = mech_token_of(init);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->data(), init.data() + 34);  // a2 2a 04 28 | NTLMSSP...
  EXPECT_EQ(t->size(), 40u);
  Bytes resp = request_buffer(test::a1::kSessionSetupRequest2);
  t = mech_token_of(resp);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->data(), resp.data() + 16);
  EXPECT_EQ(t->size(), 394u);
  Bytes raw = unhex("4e544c4d53535000010000001582086200000000");
  EXPECT_EQ(mech_token_of(raw)->data(), raw.data());
  EXPECT_FALSE(mech_token_of(unhex("a1073005a0030a0100")).ok());  // no responseToken
  EXPECT_FALSE(mech_token_of(ByteSpan(init).first(30)).ok());     // cut short

  EXPECT_EQ(neg_state_of(response_buffer(test::a1::kSessionSetupResponse1)),
            NegState::AcceptIncomplete);
  EXPECT_EQ(neg_state_of(unhex("a1073005a0030a0102")), NegState::Reject);
  EXPECT_FALSE(neg_state_of(resp).has_value());  // a negTokenResp without negState
  EXPECT_FALSE(neg_state_of(init).has_value());  // not a negTokenResp
  EXPECT_FALSE(neg_state_of(unhex("a1073005a0030a01")).has_value());
}

// --- untrusted input

std::string error_of(std::string_view token_hex) {
  auto t = parse(unhex(token_hex));
  return t ? std::string() : t.error().what;
}

TEST(Spnego, RefusesMalformedDerWithAReason) {
  EXPECT_NE(error_of("").find("empty"), std::string::npos);
  EXPECT_NE(error_of("02").find("expected 0x60"), std::string::npos);
  EXPECT_NE(error_of("60").find("truncated header"), std::string::npos);
  EXPECT_NE(error_of("6080").find("indefinite length"), std::string::npos);
  EXPECT_NE(error_of("6085ffffffffff").find("at most 4"), std::string::npos);
  EXPECT_NE(error_of("6084ffffffff00").find("claims 4294967295 bytes"), std::string::npos);
  EXPECT_NE(error_of("608201").find("truncated length"), std::string::npos);
  EXPECT_NE(error_of("60820100").find("claims 256 bytes, 0 left"), std::string::npos);
  // thisMech is Kerberos, not SPNEGO.
  EXPECT_NE(error_of("600b06092a864886f712010202").find("expected 1.3.6.1.5.5.2"),
            std::string::npos);
  // negTokenResp whose negState is 7.
  EXPECT_NE(error_of("a1073005a0030a0107").find("negState"), std::string::npos);
  // responseToken [2] before negState [0].
  EXPECT_NE(error_of("a10b3009a2020400a0030a0100").find("out of order"), std::string::npos);
  // A field [0] holding two TLVs.
  EXPECT_NE(error_of("a1093007a0050a01000400").find("trailing bytes"), std::string::npos);
  // An empty mechToken [2] (no OCTET STRING inside).
  EXPECT_NE(error_of("600e06062b0601050502a0043002a200").find("expected mechToken"),
            std::string::npos);
  // NegTokenInit without mechTypes.
  EXPECT_NE(error_of("600c06062b0601050502a0023000").find("without mechTypes"), std::string::npos);
  // High tag number form.
  EXPECT_NE(error_of("a1043002bf00").find("high tag number"), std::string::npos);
}

TEST(Spnego, ErrorsCarryTheOffsetOfTheBadField) {
  // negState 7 at offset 6 (its ENUMERATED TLV).
  auto t = parse(unhex("a1073005a0030a0107"));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().offset, 6u);
}

TEST(Spnego, EveryPrefixAndEveryByteFlipOfTheRecordedTokensIsHandled) {
  for (auto msg : {test::a1::kSessionSetupRequest1, test::a1::kSessionSetupRequest2}) {
    Bytes buf = request_buffer(msg);
    for (std::size_t n = 0; n < buf.size(); ++n) {
      auto t = parse(ByteSpan(buf).first(n));
      if (n < 8) {
        EXPECT_FALSE(t.ok()) << n;
      }
    }
    for (std::size_t i = 0; i < buf.size(); ++i) {
      for (std::uint8_t x : {0x01, 0x80, 0xff}) {
        Bytes b = buf;
        b[i] ^= x;
        auto t = parse(b);
        if (t && t->kind == Token::Kind::Init) (void)encode_init(t->init);
        if (t && t->kind == Token::Kind::Resp) (void)encode_resp(t->resp);
      }
    }
  }
}

}  // namespace
}  // namespace pxe::wire::spnego
