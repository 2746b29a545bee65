#include "proto/smb2/crypto/primitives.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace pxe::proto::smb2::crypto {
namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "pxekit: libcrypto failed in %s\n", what);
  std::abort();
}

void check(int rc, const char* what) {
  if (rc != 1) fail(what);
}

struct MdCtxFree { void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); } };
struct MacCtxFree { void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); } };
struct CipherCtxFree { void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); } };

template <std::size_t N>
std::array<std::uint8_t, N> digest(const EVP_MD* md, Parts data, const char* what) {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx) fail(what);
  check(EVP_DigestInit_ex(ctx.get(), md, nullptr), what);
  for (ByteSpan p : data) check(EVP_DigestUpdate(ctx.get(), p.data(), p.size()), what);
  std::array<std::uint8_t, N> out{};
  unsigned len = 0;
  check(EVP_DigestFinal_ex(ctx.get(), out.data(), &len), what);
  if (len != N) fail(what);
  return out;
}

// EVP_MAC_fetch once per algorithm; the fetched object is immutable and thread-safe to share.
EVP_MAC* mac_algorithm(const char* name) {
  EVP_MAC* m = EVP_MAC_fetch(nullptr, name, nullptr);
  if (!m) fail(name);
  return m;
}

template <std::size_t N>
std::array<std::uint8_t, N> mac(EVP_MAC* alg, const char* param_name, const char* param_value,
                                ByteSpan key, Parts data, const char* what) {
  std::unique_ptr<EVP_MAC_CTX, MacCtxFree> ctx(EVP_MAC_CTX_new(alg));
  if (!ctx) fail(what);
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(param_name, const_cast<char*>(param_value), 0),
      OSSL_PARAM_construct_end()};
  // A zero-length HMAC key is legal (NTLM's anonymous paths); OpenSSL wants a non-null pointer.
  static constexpr std::uint8_t kNoKey = 0;
  check(EVP_MAC_init(ctx.get(), key.empty() ? &kNoKey : key.data(), key.size(), params), what);
  for (ByteSpan p : data) check(EVP_MAC_update(ctx.get(), p.data(), p.size()), what);
  std::array<std::uint8_t, N> out{};
  std::size_t len = 0;
  check(EVP_MAC_final(ctx.get(), out.data(), &len, out.size()), what);
  if (len != N) fail(what);
  return out;
}

EVP_MAC* hmac() {
  static EVP_MAC* m = mac_algorithm("HMAC");
  return m;
}

}  // namespace

Digest16 md5(Parts data) { return digest<16>(EVP_md5(), data, "MD5"); }

Digest64 sha512(Parts data) { return digest<64>(EVP_sha512(), data, "SHA-512"); }

Digest16 hmac_md5(ByteSpan key, Parts data) {
  return mac<16>(hmac(), OSSL_MAC_PARAM_DIGEST, "MD5", key, data, "HMAC-MD5");
}

Digest32 hmac_sha256(ByteSpan key, Parts data) {
  return mac<32>(hmac(), OSSL_MAC_PARAM_DIGEST, "SHA256", key, data, "HMAC-SHA256");
}

Digest16 aes128_cmac(const Key16& key, Parts data) {
  static EVP_MAC* cmac = mac_algorithm("CMAC");
  return mac<16>(cmac, OSSL_MAC_PARAM_CIPHER, "AES-128-CBC", key, data, "AES-128-CMAC");
}

Digest16 aes128_gmac(const Key16& key, const std::array<std::uint8_t, 12>& nonce, Parts aad) {
  const char* what = "AES-128-GMAC";
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
  if (!ctx) fail(what);
  // GCM's default IV length is 12 bytes, the SMB2 nonce size.
  check(EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, key.data(), nonce.data()), what);
  int len = 0;
  for (ByteSpan p : aad)
    if (!p.empty()) check(EVP_EncryptUpdate(ctx.get(), nullptr, &len, p.data(), int(p.size())), what);
  std::uint8_t none[16];
  check(EVP_EncryptFinal_ex(ctx.get(), none, &len), what);
  Digest16 tag{};
  check(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, int(tag.size()), tag.data()), what);
  return tag;
}

Bytes kdf_counter_hmac_sha256(ByteSpan key, ByteSpan label, ByteSpan context,
                              std::size_t out_bytes) {
  if (out_bytes > 64) fail("SP800-108 KDF: more than two blocks asked");
  std::uint32_t l_bits = std::uint32_t(out_bytes * 8);
  const std::uint8_t l_be[4] = {std::uint8_t(l_bits >> 24), std::uint8_t(l_bits >> 16),
                                std::uint8_t(l_bits >> 8), std::uint8_t(l_bits)};
  static constexpr std::uint8_t kSeparator = 0;
  Bytes out;
  for (std::uint32_t i = 1; out.size() < out_bytes; ++i) {
    const std::uint8_t i_be[4] = {std::uint8_t(i >> 24), std::uint8_t(i >> 16),
                                  std::uint8_t(i >> 8), std::uint8_t(i)};
    auto k = hmac_sha256(key, {ByteSpan(i_be), label, ByteSpan(&kSeparator, 1), context,
                               ByteSpan(l_be)});
    out.insert(out.end(), k.begin(), k.end());
  }
  out.resize(out_bytes);
  return out;
}

bool equal_ct(ByteSpan a, ByteSpan b) {
  return a.size() == b.size() && (a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0);
}

}  // namespace pxe::proto::smb2::crypto
