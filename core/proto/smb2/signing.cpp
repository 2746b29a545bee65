#include "proto/smb2/signing.h"

#include <algorithm>

namespace pxe::proto::smb2::signing {
namespace {

constexpr std::size_t kHeaderSize = 64, kSignatureAt = 48, kSignatureEnd = 64;
constexpr std::size_t kCommandAt = 12, kFlagsAt = 16, kMessageIdAt = 24;
constexpr std::uint32_t kFlagServerToRedir = 0x1, kFlagSigned = 0x8;
constexpr std::uint16_t kCommandCancel = 0x0C;

template <std::size_t N>
ByteSpan literal(const char (&s)[N]) {  // the string with its trailing NUL, as SMB2 labels are
  return {reinterpret_cast<const std::uint8_t*>(s), N};
}

Key16 kdf16(const Key16& key, ByteSpan label, ByteSpan context) {
  Bytes k = crypto::kdf_counter_hmac_sha256(key, label, context, 16);
  Key16 out{};
  std::copy_n(k.begin(), 16, out.begin());
  return out;
}

}  // namespace

void PreauthIntegrity::update(ByteSpan message) { h_ = crypto::sha512({ByteSpan(h_), message}); }

Key16 signing_key(std::uint16_t dialect, const Key16& session_key, const PreauthHash& preauth_hash) {
  if (dialect >= dialect::k311) return kdf16(session_key, literal("SMBSigningKey"), preauth_hash);
  if (dialect >= dialect::k300)
    return kdf16(session_key, literal("SMB2AESCMAC"), literal("SmbSign"));
  return session_key;
}

Algorithm algorithm_for(std::uint16_t dialect, Algorithm negotiated_311) {
  if (dialect >= dialect::k311) return negotiated_311;
  return dialect >= dialect::k300 ? Algorithm::AesCmac : Algorithm::HmacSha256;
}

Signer Signer::for_session(std::uint16_t dialect, const Key16& session_key,
                           const PreauthHash& preauth_hash, Algorithm negotiated_311) {
  return Signer(algorithm_for(dialect, negotiated_311),
                signing_key(dialect, session_key, preauth_hash));
}

Signature Signer::sign(ByteSpan message) const {
  if (message.size() < kHeaderSize) return Signature{};
  static constexpr std::uint8_t kZeros[16] = {};
  ByteSpan before = message.first(kSignatureAt), after = message.subspan(kSignatureEnd);
  switch (algorithm_) {
    case Algorithm::HmacSha256: {
      auto h = crypto::hmac_sha256(key_, {before, ByteSpan(kZeros), after});
      Signature s{};
      std::copy_n(h.begin(), s.size(), s.begin());
      return s;
    }
    case Algorithm::AesCmac:
      return crypto::aes128_cmac(key_, {before, ByteSpan(kZeros), after});
    case Algorithm::AesGmac: {
      std::array<std::uint8_t, 12> nonce{};
      std::copy_n(message.begin() + kMessageIdAt, 8, nonce.begin());
      std::uint32_t flags = std::uint32_t(message[kFlagsAt]) |
                            std::uint32_t(message[kFlagsAt + 1]) << 8 |
                            std::uint32_t(message[kFlagsAt + 2]) << 16 |
                            std::uint32_t(message[kFlagsAt + 3]) << 24;
      std::uint16_t command =
          std::uint16_t(message[kCommandAt] | message[kCommandAt + 1] << 8);
      nonce[8] = std::uint8_t(((flags & kFlagServerToRedir) ? 1 : 0) |
                              (command == kCommandCancel ? 2 : 0));
      return crypto::aes128_gmac(key_, nonce, {before, ByteSpan(kZeros), after});
    }
  }
  return Signature{};
}

void Signer::sign_in_place(std::span<std::uint8_t> message) const {
  if (message.size() < kHeaderSize) return;
  message[kFlagsAt] |= std::uint8_t(kFlagSigned);
  Signature s = sign(message);
  std::copy(s.begin(), s.end(), message.begin() + kSignatureAt);
}

bool Signer::verify(ByteSpan message) const {
  if (message.size() < kHeaderSize) return false;
  return crypto::equal_ct(sign(message), message.subspan(kSignatureAt, 16));
}

}  // namespace pxe::proto::smb2::signing
