#include "proto/smb2/signing.h"

#include <gtest/gtest.h>

#include "proto/smb2/hex.h"
#include "proto/smb2/session_a1.h"

namespace pxe::proto::smb2::signing {
namespace {

using test::hex;
using test::unhex;
using test::unhex_array;

constexpr std::string_view kA1PreauthHash =
    "d61a9f6c8ba2c2a03459f7e45ceb529462807fde8c68682132ec386e452f4799"
    "5ea5bfdd3c7b27261acf06a9d8d9c11a22852462888b2498226af07b4ae427f0";

TEST(PreauthIntegrity, ChainsNegotiateAndSessionSetupLikeTheRecordedSession) {
  PreauthIntegrity connection;
  EXPECT_EQ(connection.value(), PreauthHash{});
  connection.update(unhex(test::a1::kNegotiateRequest));
  connection.update(unhex(test::a1::kNegotiateResponse));
  PreauthIntegrity session = connection;  // a session starts from the connection's value
  session.update(unhex(test::a1::kSessionSetupRequest1));
  session.update(unhex(test::a1::kSessionSetupResponse1));
  session.update(unhex(test::a1::kSessionSetupRequest2));
  EXPECT_EQ(hex(session.value()), kA1PreauthHash);
  EXPECT_NE(connection.value(), session.value());
}

TEST(SigningKey, DerivesPerDialect) {
  // A.1 (3.1.1): "SMBSigningKey" with the session's pre-auth hash as context.
  EXPECT_EQ(hex(signing_key(dialect::k311, unhex_array<16>("7aff00571b48b30b9c85e70b6e943c79"),
                            unhex_array<64>(kA1PreauthHash))),
            "f81fa48120020920b0d5eb6e9cf23347");
  // A.3 (3.0.2): "SMB2AESCMAC" / "SmbSign"; 3.0 uses the same; the hash is not used.
  auto sk302 = unhex_array<16>("5294a9218489af46cfffa78becfeeb7f");
  EXPECT_EQ(hex(signing_key(dialect::k302, sk302, {})), "e66bbc28e70697a27f343d8f03fddf85");
  EXPECT_EQ(signing_key(dialect::k300, sk302, unhex_array<64>(kA1PreauthHash)),
            signing_key(dialect::k302, sk302, {}));
  // A.4 (2.1) and 2.0.2: the session key itself.
  EXPECT_EQ(signing_key(dialect::k210, sk302, {}), sk302);
  EXPECT_EQ(signing_key(dialect::k202, sk302, {}), sk302);
}

TEST(SigningKey, AlgorithmPerDialect) {
  EXPECT_EQ(algorithm_for(dialect::k202), Algorithm::HmacSha256);
  EXPECT_EQ(algorithm_for(dialect::k210), Algorithm::HmacSha256);
  EXPECT_EQ(algorithm_for(dialect::k300), Algorithm::AesCmac);
  EXPECT_EQ(algorithm_for(dialect::k302), Algorithm::AesCmac);
  EXPECT_EQ(algorithm_for(dialect::k311), Algorithm::AesCmac);
  EXPECT_EQ(algorithm_for(dialect::k311, Algorithm::AesGmac), Algorithm::AesGmac);
  EXPECT_EQ(algorithm_for(dialect::k302, Algorithm::AesGmac), Algorithm::AesCmac);
}

// The signature field of a message, and the message with it zeroed and SIGNED cleared.
std::string signature_of(const Bytes& m) { return hex(ByteSpan(m).subspan(48, 16)); }
Bytes unsigned_copy(Bytes m) {
  std::fill(m.begin() + 48, m.begin() + 64, 0);
  m[16] &= std::uint8_t(~0x08);
  return m;
}

void expect_signs_like_the_recording(const Signer& signer, const Bytes& m) {
  EXPECT_EQ(hex(signer.sign(m)), signature_of(m));
  EXPECT_TRUE(signer.verify(m));
  Bytes again = unsigned_copy(m);
  EXPECT_FALSE(signer.verify(again));
  signer.sign_in_place(again);
  EXPECT_EQ(again, m);
  // Any flipped bit outside the signature field breaks it; inside it too.
  for (std::size_t at : {std::size_t{0}, std::size_t{20}, std::size_t{50}, m.size() - 1}) {
    Bytes t = m;
    t[at] ^= 0x40;
    EXPECT_FALSE(signer.verify(t)) << "byte " << at;
  }
}

TEST(Signer, Smb311AesCmacMatchesRecordedFinalSessionSetup) {
  auto signer = Signer::for_session(dialect::k311,
                                    unhex_array<16>("7aff00571b48b30b9c85e70b6e943c79"),
                                    unhex_array<64>(kA1PreauthHash));
  EXPECT_EQ(signer.algorithm(), Algorithm::AesCmac);
  Bytes m = unhex(test::a1::kSessionSetupResponse2);
  EXPECT_EQ(signature_of(m), "3e3da2ae8317bcec806cbd9b01ae90eb");
  expect_signs_like_the_recording(signer, m);
}

TEST(Signer, Smb311AesGmacMatchesRecordedFinalSessionSetup) {
  auto signer = Signer::for_session(
      dialect::k311, unhex_array<16>("2317781be730c50e40a888ecc0ae5c29"),
      unhex_array<64>("fd42c3f240fb52b1fd9668f4e92482fa25ce79c5c0f46310d9e762004c769f2a"
                      "20608c7bc465a202193e87077231d59e972dfef77e4c2bfbe76a2dfb6a266ef3"),
      Algorithm::AesGmac);
  EXPECT_EQ(hex(signer.key()), "ae67a61c07514c0bef5ca7cc8ae41b43");
  Bytes m = unhex(
      "fe534d424000010000000000010000201900000000000000020000000000000000000000000000009f6fe53f00000000"
      "89527fd3d160613dc4ed2c8acb9967b60900000048001d00a11b3019a0030a0100a31204100100000033ccd7e75708a04200000000");
  EXPECT_EQ(signature_of(m), "89527fd3d160613dc4ed2c8acb9967b6");
  expect_signs_like_the_recording(signer, m);
}

TEST(Signer, GmacNonceCarriesMessageIdRoleAndCancel) {
  Signer signer(Algorithm::AesGmac, unhex_array<16>("ae67a61c07514c0bef5ca7cc8ae41b43"));
  Bytes m(64, 0);
  m[0] = 0xfe;
  Bytes other_id = m, response = m, cancel = m;
  other_id[24] = 1;
  response[16] = 0x01;  // SERVER_TO_REDIR
  cancel[12] = 0x0C;
  // Each changes the nonce: compare against the tag with the nonce built by hand.
  auto by_hand = [&](const Bytes& msg, std::uint8_t id, std::uint8_t role) {
    std::array<std::uint8_t, 12> nonce{};
    nonce[0] = id;
    nonce[8] = role;
    return crypto::aes128_gmac(signer.key(), nonce, {msg});
  };
  EXPECT_EQ(signer.sign(m), by_hand(m, 0, 0));
  EXPECT_EQ(signer.sign(other_id), by_hand(other_id, 1, 0));
  EXPECT_EQ(signer.sign(response), by_hand(response, 0, 1));
  EXPECT_EQ(signer.sign(cancel), by_hand(cancel, 0, 2));
}

TEST(Signer, Smb302AesCmacMatchesRecordedFinalSessionSetup) {
  auto signer = Signer::for_session(dialect::k302,
                                    unhex_array<16>("5294a9218489af46cfffa78becfeeb7f"), {});
  Bytes m = unhex(
      "fe534d4240000100000000000100002009000000000000000200000000000000000000000000000000ad367500000000"
      "32ef8fff2ccd3afd3faa8c4189d54ddc0900000048001d00a11b3019a0030a0100a31204100100000046d9076d05d7d74f00000000");
  expect_signs_like_the_recording(signer, m);
}

TEST(Signer, Smb21HmacSha256MatchesRecordedFinalSessionSetup) {
  auto signer = Signer::for_session(dialect::k210,
                                    unhex_array<16>("fe3f695c7c30b32a071df800f60e2167"), {});
  EXPECT_EQ(signer.algorithm(), Algorithm::HmacSha256);
  Bytes m = unhex(
      "fe534d42400001000000000001000020090000000000000002000000000000000000000000000000ece2962600000000"
      "74029804b12ba02beef465f6de493d1b0900000048001d00a11b3019a0030a0100a312041001000000fdffc50ba79760b100000000");
  expect_signs_like_the_recording(signer, m);
}

TEST(Signer, RefusesMessagesShorterThanTheHeader) {
  Signer signer(Algorithm::AesCmac, Key16{});
  Bytes m(63, 0);
  EXPECT_FALSE(signer.verify(m));
  EXPECT_EQ(signer.sign(m), Signature{});
  signer.sign_in_place(m);
  EXPECT_EQ(m, Bytes(63, 0));
  EXPECT_FALSE(signer.verify({}));
}

}  // namespace
}  // namespace pxe::proto::smb2::signing
