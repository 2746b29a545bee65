#include "proto/smb2/crypto/md4.h"

#include <utility>

namespace pxe::proto::smb2::crypto {
namespace {

std::uint32_t rotl(std::uint32_t x, int s) { return (x << s) | (x >> (32 - s)); }

// One 64-byte block, RFC 1320 section 3.4: three rounds of 16 operations.
void md4_block(std::array<std::uint32_t, 4>& h, const std::uint8_t* p) {
  std::uint32_t w[16];
  for (int i = 0; i < 16; ++i)
    w[i] = std::uint32_t(p[4 * i]) | std::uint32_t(p[4 * i + 1]) << 8 |
           std::uint32_t(p[4 * i + 2]) << 16 | std::uint32_t(p[4 * i + 3]) << 24;
  std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
  auto f = [](std::uint32_t x, std::uint32_t y, std::uint32_t z) { return (x & y) | (~x & z); };
  auto g = [](std::uint32_t x, std::uint32_t y, std::uint32_t z) {
    return (x & y) | (x & z) | (y & z);
  };
  auto hh = [](std::uint32_t x, std::uint32_t y, std::uint32_t z) { return x ^ y ^ z; };

  // Round 1: [abcd k s] a = (a + F(b,c,d) + X[k]) <<< s, k in order, s = 3 7 11 19.
  static constexpr int s1[4] = {3, 7, 11, 19};
  for (int k = 0; k < 16; ++k) {
    a = rotl(a + f(b, c, d) + w[k], s1[k % 4]);
    std::uint32_t t = d; d = c; c = b; b = a; a = t;
  }
  // Round 2: + 0x5A827999, k = 0 4 8 12, 1 5 9 13, ..., s = 3 5 9 13.
  static constexpr int s2[4] = {3, 5, 9, 13};
  for (int i = 0; i < 16; ++i) {
    int k = (i % 4) * 4 + i / 4;
    a = rotl(a + g(b, c, d) + w[k] + 0x5A827999u, s2[i % 4]);
    std::uint32_t t = d; d = c; c = b; b = a; a = t;
  }
  // Round 3: + 0x6ED9EBA1, k = 0 8 4 12 2 10 6 14 1 9 5 13 3 11 7 15, s = 3 9 11 15.
  static constexpr int k3[16] = {0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15};
  static constexpr int s3[4] = {3, 9, 11, 15};
  for (int i = 0; i < 16; ++i) {
    a = rotl(a + hh(b, c, d) + w[k3[i]] + 0x6ED9EBA1u, s3[i % 4]);
    std::uint32_t t = d; d = c; c = b; b = a; a = t;
  }
  h[0] += a; h[1] += b; h[2] += c; h[3] += d;
}

}  // namespace

Digest16 md4(ByteSpan data) {
  std::array<std::uint32_t, 4> h = {0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u};
  std::size_t full = data.size() / 64 * 64;
  for (std::size_t off = 0; off < full; off += 64) md4_block(h, data.data() + off);
  // Padding: 0x80, zeros to 56 mod 64, then the bit length as 64-bit little-endian.
  std::uint8_t tail[128] = {};
  std::size_t rest = data.size() - full;
  for (std::size_t i = 0; i < rest; ++i) tail[i] = data[full + i];
  tail[rest] = 0x80;
  std::size_t tail_len = rest < 56 ? 64 : 128;
  std::uint64_t bits = std::uint64_t(data.size()) * 8;
  for (int i = 0; i < 8; ++i) tail[tail_len - 8 + i] = std::uint8_t(bits >> (8 * i));
  for (std::size_t off = 0; off < tail_len; off += 64) md4_block(h, tail + off);
  Digest16 out{};
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) out[4 * i + j] = std::uint8_t(h[i] >> (8 * j));
  return out;
}

Rc4::Rc4(ByteSpan key) {
  static constexpr std::uint8_t kZero = 0;
  if (key.empty()) key = ByteSpan(&kZero, 1);
  if (key.size() > 256) key = key.first(256);
  for (int i = 0; i < 256; ++i) s_[i] = std::uint8_t(i);
  std::uint8_t j = 0;
  for (int i = 0; i < 256; ++i) {
    j = std::uint8_t(j + s_[i] + key[std::size_t(i) % key.size()]);
    std::swap(s_[i], s_[j]);
  }
}

void Rc4::apply(std::span<std::uint8_t> data) {
  for (auto& b : data) {
    i_ = std::uint8_t(i_ + 1);
    j_ = std::uint8_t(j_ + s_[i_]);
    std::swap(s_[i_], s_[j_]);
    b ^= s_[std::uint8_t(s_[i_] + s_[j_])];
  }
}

Bytes rc4(ByteSpan key, ByteSpan data) {
  Bytes out(data.begin(), data.end());
  Rc4(key).apply(out);
  return out;
}

}  // namespace pxe::proto::smb2::crypto
