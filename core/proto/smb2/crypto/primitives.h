// The OpenSSL 3 (libcrypto, default provider) primitives NTLM and SMB2 signing need, as small
// functions over byte spans. A message is given as a list of parts so a signer can feed "header
// with the signature field zeroed" without copying the message.
// These functions cannot fail on their inputs (key sizes are in the types); a failure inside
// libcrypto (no memory, provider missing) is an invariant broken, and aborts with a message.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>

#include "base/bytes.h"
#include "proto/smb2/crypto/md4.h"

namespace pxe::proto::smb2::crypto {

using Key16 = std::array<std::uint8_t, 16>;
using Digest32 = std::array<std::uint8_t, 32>;
using Digest64 = std::array<std::uint8_t, 64>;
using Parts = std::initializer_list<ByteSpan>;

Digest16 md5(Parts data);
Digest16 hmac_md5(ByteSpan key, Parts data);
Digest32 hmac_sha256(ByteSpan key, Parts data);
Digest64 sha512(Parts data);
// AES-128-CMAC ([RFC 4493]).
Digest16 aes128_cmac(const Key16& key, Parts data);
// AES-128-GMAC: the GCM tag ([NIST SP 800-38D]) over `aad` with no plaintext, 12-byte nonce.
Digest16 aes128_gmac(const Key16& key, const std::array<std::uint8_t, 12>& nonce, Parts aad);

// [NIST SP 800-108] KDF in counter mode with HMAC-SHA256 as PRF, r = 32, as [MS-SMB2] 3.1.4.2
// uses it: K(i) = HMAC-SHA256(key, i (4, BE) || label || 0x00 || context || L (4, BE)), L in bits.
// `label` and `context` are passed exactly (SMB2's labels carry their trailing NUL themselves).
// out_bytes <= 64.
Bytes kdf_counter_hmac_sha256(ByteSpan key, ByteSpan label, ByteSpan context, std::size_t out_bytes);

// Constant-time equality (false when the sizes differ).
bool equal_ct(ByteSpan a, ByteSpan b);

}  // namespace pxe::proto::smb2::crypto
