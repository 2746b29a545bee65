// SMB2 message signing ([MS-SMB2] 3.1.4.1, keys 3.1.4.2, pre-auth integrity 3.3.5.4/3.3.5.5),
// sans I/O.
//
//   dialect          signing key                                          algorithm
//   2.0.2, 2.1       the session key                                      HMAC-SHA256, first 16 bytes
//   3.0, 3.0.2       KDF(SK, "SMB2AESCMAC\0", "SmbSign\0")                AES-128-CMAC
//   3.1.1            KDF(SK, "SMBSigningKey\0", session PreauthIntegrityHash)
//                                                                         AES-128-CMAC, or AES-128-GMAC
//                                                                         when SIGNING_CAPABILITIES chose it
// KDF = SP800-108 counter mode, HMAC-SHA256, L = 128. The signature covers the whole message
// (one element of a compound, with its padding) with the Signature field (bytes 48..63) zeroed.
// GMAC's nonce is MessageId (8, LE) || 4 bytes whose bit 0 is set for a response
// (SMB2_FLAGS_SERVER_TO_REDIR) and bit 1 for CANCEL; both are read from the message's header.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "base/bytes.h"
#include "proto/smb2/crypto/primitives.h"

namespace pxe::proto::smb2::signing {

using crypto::Key16;
using Signature = std::array<std::uint8_t, 16>;
using PreauthHash = std::array<std::uint8_t, 64>;

namespace dialect {
inline constexpr std::uint16_t k202 = 0x0202, k210 = 0x0210, k300 = 0x0300, k302 = 0x0302,
                               k311 = 0x0311;
}

// SigningAlgorithmId values of the 3.1.1 SMB2_SIGNING_CAPABILITIES context (2.2.3.1.7).
enum class Algorithm : std::uint16_t { HmacSha256 = 0, AesCmac = 1, AesGmac = 2 };

// The 3.1.1 pre-authentication integrity hash (SHA-512 chain): starts at 64 zero bytes;
// update(m) sets H = SHA-512(H || m) for each whole SMB2 message (without the 4-byte transport
// header). The connection's chain covers NEGOTIATE request and response; a session's chain
// starts from the connection's value and goes on over its SESSION_SETUP requests and the
// responses with STATUS_MORE_PROCESSING_REQUIRED (not the final response: it is signed with a
// key derived from the hash before it).
class PreauthIntegrity {
 public:
  void update(ByteSpan message);
  const PreauthHash& value() const { return h_; }

 private:
  PreauthHash h_{};
};

// The signing key of a session. `preauth_hash` is used by 3.1.1 only.
Key16 signing_key(std::uint16_t dialect, const Key16& session_key, const PreauthHash& preauth_hash);

// The algorithm a dialect signs with: HMAC-SHA256 below 3.0, AES-128-CMAC from 3.0 on, and for
// 3.1.1 what the SIGNING_CAPABILITIES negotiate context chose (AES-128-CMAC when it was absent).
Algorithm algorithm_for(std::uint16_t dialect, Algorithm negotiated_311 = Algorithm::AesCmac);

// Signs and verifies the messages of one session.
class Signer {
 public:
  Signer(Algorithm algorithm, const Key16& signing_key) : algorithm_(algorithm), key_(signing_key) {}
  // The key and algorithm for `dialect` from the session key (the NTLM ExportedSessionKey).
  static Signer for_session(std::uint16_t dialect, const Key16& session_key,
                            const PreauthHash& preauth_hash,
                            Algorithm negotiated_311 = Algorithm::AesCmac);

  Algorithm algorithm() const { return algorithm_; }
  const Key16& key() const { return key_; }

  // The signature of `message` (at least the 64-byte header) as if bytes 48..63 were zero.
  // A message shorter than the header gets an all-zero signature (verify refuses it).
  Signature sign(ByteSpan message) const;
  // Sets SMB2_FLAGS_SIGNED in the header's Flags and writes the signature into 48..63.
  void sign_in_place(std::span<std::uint8_t> message) const;
  // Whether bytes 48..63 of `message` hold its signature (constant-time compare). Untrusted
  // input: false for anything shorter than the header.
  bool verify(ByteSpan message) const;

 private:
  Algorithm algorithm_;
  Key16 key_;
};

}  // namespace pxe::proto::smb2::signing
