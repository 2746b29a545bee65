#include <gtest/gtest.h>

#include "proto/smb2/crypto/primitives.h"
#include "proto/smb2/hex.h"

namespace pxe::proto::smb2::crypto {
namespace {

using test::hex;
using test::unhex;
using test::unhex_array;

// [RFC 4493] section 4, examples 1 and 2.
TEST(Aes128Cmac, MatchesRfc4493Examples) {
  auto key = unhex_array<16>("2b7e151628aed2a6abf7158809cf4f3c");
  EXPECT_EQ(hex(aes128_cmac(key, {})), "bb1d6929e95937287fa37d129b756746");
  Bytes m = unhex("6bc1bee22e409f96e93d7e117393172a");
  EXPECT_EQ(hex(aes128_cmac(key, {m})), "070a16b46b4d4144f79bdd9dd04a287c");
}

TEST(Aes128Cmac, PartsAreTheConcatenation) {
  auto key = unhex_array<16>("2b7e151628aed2a6abf7158809cf4f3c");
  Bytes m = unhex("6bc1bee22e409f96e93d7e117393172a");
  EXPECT_EQ(aes128_cmac(key, {ByteSpan(m).first(5), ByteSpan(), ByteSpan(m).subspan(5)}),
            aes128_cmac(key, {m}));
}

// [RFC 2202] test case 2 (HMAC-MD5) and [RFC 4231] test case 2 (HMAC-SHA-256).
TEST(Hmac, MatchesRfcTestCases) {
  auto key = as_bytes("Jefe");
  auto data = as_bytes("what do ya want for nothing?");
  EXPECT_EQ(hex(hmac_md5(key, {data})), "750c783e6ab0b503eaa86e310a5db738");
  EXPECT_EQ(hex(hmac_sha256(key, {data})),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Digest, Md5AndSha512OfAbc) {
  EXPECT_EQ(hex(md5({as_bytes("abc")})), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(hex(sha512({as_bytes("a"), as_bytes("bc")})),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

// GCM test case 1 of McGrew & Viega ("The Galois/Counter Mode of Operation"): zero key, zero
// 96-bit IV, no plaintext, no AAD.
TEST(Aes128Gmac, EmptyMessageMatchesGcmTestCase1) {
  Key16 key{};
  std::array<std::uint8_t, 12> nonce{};
  EXPECT_EQ(hex(aes128_gmac(key, nonce, {})), "58e2fccefa7e3061367f1d57a4e7455a");
}

TEST(Kdf, SecondBlockFollowsTheCounter) {
  Bytes key = unhex("000102030405060708090a0b0c0d0e0f");
  Bytes k32 = kdf_counter_hmac_sha256(key, as_bytes("L"), as_bytes("C"), 32);
  Bytes k48 = kdf_counter_hmac_sha256(key, as_bytes("L"), as_bytes("C"), 48);
  ASSERT_EQ(k48.size(), 48u);
  // L is part of the input, so a longer output is not an extension of a shorter one...
  EXPECT_NE(Bytes(k48.begin(), k48.begin() + 32), k32);
  // ...and block i is HMAC(key, i || label || 0 || context || L).
  const std::uint8_t in2[] = {0, 0, 0, 2, 'L', 0, 'C', 0, 0, 1, 0x80};
  auto b2 = hmac_sha256(key, {ByteSpan(in2)});
  EXPECT_EQ(Bytes(k48.begin() + 32, k48.end()), Bytes(b2.begin(), b2.begin() + 16));
}

TEST(EqualCt, ComparesSizeAndContent) {
  Bytes a = unhex("0102"), b = unhex("0102"), c = unhex("0103"), d = unhex("01");
  EXPECT_TRUE(equal_ct(a, b));
  EXPECT_FALSE(equal_ct(a, c));
  EXPECT_FALSE(equal_ct(a, d));
  EXPECT_TRUE(equal_ct({}, {}));
}

}  // namespace
}  // namespace pxe::proto::smb2::crypto
