// MD4 ([RFC 1320]) and RC4 (the ARCFOUR stream cipher, vectors in [RFC 6229]): NTLM needs both
// (the NT hash is MD4 of the password; KEY_EXCH and NTLMSSP sealing use RC4), and OpenSSL 3
// offers them only through its legacy provider, which a server should not have to load.
// Neither is used for anything else: both are broken as general-purpose primitives.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "base/bytes.h"

namespace pxe::proto::smb2::crypto {

using Digest16 = std::array<std::uint8_t, 16>;

Digest16 md4(ByteSpan data);

class Rc4 {
 public:
  explicit Rc4(ByteSpan key);  // 1..256 bytes; an empty key is treated as one zero byte
  // XORs the next keystream bytes into `data` (encryption and decryption are the same).
  void apply(std::span<std::uint8_t> data);

 private:
  std::array<std::uint8_t, 256> s_{};
  std::uint8_t i_ = 0, j_ = 0;
};

// One-shot RC4 of `data` under `key`.
Bytes rc4(ByteSpan key, ByteSpan data);

}  // namespace pxe::proto::smb2::crypto
