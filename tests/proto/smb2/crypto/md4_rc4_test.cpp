#include <gtest/gtest.h>

#include "proto/smb2/crypto/md4.h"
#include "proto/smb2/hex.h"

namespace pxe::proto::smb2::crypto {
namespace {

using test::hex;
using test::unhex;

// [RFC 1320] appendix A.5, the test suite.
TEST(Md4, MatchesRfc1320TestSuite) {
  struct Case { std::string_view in, digest; };
  const Case cases[] = {
      {"", "31d6cfe0d16ae931b73c59d7e0c089c0"},
      {"a", "bde52cb31de33e46245e05fbdbd6fb24"},
      {"abc", "a448017aaf21d8525fc10ae87aa6729d"},
      {"message digest", "d9130a8164549fe818874806e1c7014b"},
      {"abcdefghijklmnopqrstuvwxyz", "d79e1c308aa5bbcdeea8ed63df412da9"},
      {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
       "043f8582f241db351ce627e153e7f0e4"},
      {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
       "e33b4ddc9c38f2199c3e7b164fcc0536"},
  };
  for (const auto& c : cases) EXPECT_EQ(hex(md4(as_bytes(c.in))), c.digest) << '"' << c.in << '"';
}

TEST(Md4, PadsAcrossTheBlockBoundary) {
  // 55 bytes leave room for the 0x80 and the length in one block; 56..63 need a second one.
  // Cross-checked with `openssl dgst -md4 -provider legacy`.
  EXPECT_EQ(hex(md4(Bytes(55, 'a'))), "c889c81dd86c4d2e025778944ea02881");
  EXPECT_EQ(hex(md4(Bytes(56, 'a'))), "d5f9a9e9257077a5f08b0b92f348b0ad");
  EXPECT_EQ(hex(md4(Bytes(64, 'a'))), "52f5076fabd22680234a3fa9f9dc5732");
}

// [RFC 6229] section 2: keystream bytes at offsets 0, 16, 240, 256, 4080 and 4096.
void expect_keystream(std::string_view key, const std::string_view (&at)[6]) {
  Bytes stream = rc4(unhex(key), Bytes(4112, 0));
  const std::size_t offsets[6] = {0, 16, 240, 256, 4080, 4096};
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(hex(ByteSpan(stream).subspan(offsets[i], 16)), at[i]) << "offset " << offsets[i];
}

TEST(Rc4, MatchesRfc6229For40BitKey) {
  expect_keystream("0102030405", {"b2396305f03dc027ccc3524a0a1118a8", "6982944f18fc82d589c403a47a0d0919",
                                  "28cb1132c96ce286421dcaadb8b69eae", "1cfcf62b03eddb641d77dfcf7f8d8c93",
                                  "068326a2118416d21f9d04b2cd1ca050", "ff25b58995996707e51fbdf08b34d875"});
}

TEST(Rc4, MatchesRfc6229For128BitKey) {
  expect_keystream("0102030405060708090a0b0c0d0e0f10",
                   {"9ac7cc9a609d1ef7b2932899cde41b97", "5248c4959014126a6e8a84f11d1a9e1c",
                    "065902e4b620f6cc36c8589f66432f2b", "d39d566bc6bce3010768151549f3873f",
                    "ff38265c1642c1abe8d3c2fe5e572bf8", "a36a4c301ae8ac13610ccbc12256cacc"});
}

TEST(Rc4, StreamContinuesAcrossCalls) {
  Bytes key = unhex("0102030405");
  Rc4 r(key);
  Bytes a(10, 0), b(6, 0);
  r.apply(a);
  r.apply(b);
  a.insert(a.end(), b.begin(), b.end());
  EXPECT_EQ(hex(a), "b2396305f03dc027ccc3524a0a1118a8");
}

TEST(Rc4, DecryptsWhatItEncrypted) {
  Bytes key = unhex("55555555555555555555555555555555");
  Bytes msg = unhex("00112233445566778899");
  EXPECT_EQ(rc4(key, rc4(key, msg)), msg);
}

}  // namespace
}  // namespace pxe::proto::smb2::crypto
