// NTLMv2 on the server side ([MS-NLMP] 3.2.5.1.2, 3.3.2, 3.4.4.2), sans I/O: the messages come
// from the NTLMSSP codec (core/wire/smb2/ntlmssp.h) and their raw bytes from the caller.
//
//   NT hash            = MD4(UTF-16LE(password))
//   NTOWFv2            = HMAC_MD5(NT hash, UTF-16LE(Uppercase(user) || domain))
//   temp               = NtChallengeResponse[16:]   (the client blob: 01 01 ... AV pairs)
//   NTProofStr         = HMAC_MD5(NTOWFv2, ServerChallenge || temp)   == NtChallengeResponse[0:16]
//   SessionBaseKey     = HMAC_MD5(NTOWFv2, NTProofStr) = KeyExchangeKey
//   ExportedSessionKey = KEY_EXCH and (SIGN or SEAL) ? RC4(KeyExchangeKey, EncryptedRandomSessionKey)
//                                                    : KeyExchangeKey
//   MIC (when the blob's MsvAvFlags has 0x2)
//                      = HMAC_MD5(ExportedSessionKey, NEGOTIATE || CHALLENGE || AUTHENTICATE
//                                 with its MIC field (bytes 72..87) zeroed)
// The SMB2 session key is the ExportedSessionKey.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "proto/smb2/crypto/primitives.h"
#include "wire/smb2/ntlmssp.h"

namespace pxe::proto::smb2::ntlm {

using crypto::Key16;

Key16 nt_hash(std::string_view password_utf8);
// Uppercase covers ASCII letters only (user names in the configs we read are ASCII).
Key16 ntowf_v2(const Key16& nt_hash, std::string_view user_utf8, std::string_view domain_utf8);

// The three messages of one exchange, byte for byte as they travelled (the MIC covers them).
// `authenticate` may run on past the message (a SPNEGO token with a mechListMIC after it): the
// message's own length is taken from its field descriptors.
struct RawExchange {
  ByteSpan negotiate;
  ByteSpan challenge;
  ByteSpan authenticate;
};

struct Verified {
  Key16 nt_proof_str{};
  Key16 session_base_key{};
  Key16 exported_session_key{};  // the SMB2 session key
  bool mic_checked = false;      // the client's blob announced a MIC and it matched
};

// Verifies `auth` (parsed from raw.authenticate) against the account's NT hash and the server
// challenge the CHALLENGE carried. The user and domain are the ones the client sent (and, as
// 3.2.5.1.2 asks, an empty domain when the client computed its proof without one). Every
// failure (NTLMv1 or LM-only response, malformed blob, wrong proof, bad MIC, a KEY_EXCH without a
// 16-byte key) is an Error saying which; the server answers them all with STATUS_LOGON_FAILURE.
Result<Verified> verify_ntlmv2(const Key16& nt_hash, const std::array<std::uint8_t, 8>& server_challenge,
                               const wire::ntlmssp::Authenticate& auth, const RawExchange& raw);

// The client's side ([MS-NLMP] 3.3.2): the NTLMv2 NtChallengeResponse (NTProofStr || blob) for
// the server's CHALLENGE, the blob carrying the CHALLENGE's timestamp (0 when absent), the
// client challenge and the CHALLENGE's target info AV pairs (no MsvAvFlags, so no MIC is
// announced), and the SessionBaseKey (the SMB2 session key when KEY_EXCH is not negotiated).
struct ClientResponse {
  Bytes nt_response;
  Key16 session_base_key{};
};
ClientResponse ntlmv2_response(const Key16& nt_hash, std::string_view user_utf8,
                               std::string_view domain_utf8,
                               const wire::ntlmssp::Challenge& challenge,
                               const std::array<std::uint8_t, 8>& client_challenge);

// The NTLMSSP MAC of `message` with extended session security ([MS-NLMP] 3.4.4.2), as the
// SPNEGO mechListMIC uses it over the DER MechTypeList: version 1 || checksum (8) || seq (4).
// `server_to_client` picks the "server-to-client" sign/seal constants. The checksum is sealed
// with a fresh RC4 under the seal key when `key_exch` (right for the first MAC in each direction,
// which the mechListMIC is). Assumes NTLMSSP_NEGOTIATE_128 (full 16-byte seal key).
std::array<std::uint8_t, 16> mac(const Key16& exported_session_key, bool server_to_client,
                                 std::uint32_t seq, ByteSpan message, bool key_exch);

}  // namespace pxe::proto::smb2::ntlm
