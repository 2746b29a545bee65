#include "proto/smb2/ntlm.h"

#include <algorithm>
#include <string>

#include "wire/smb2/utf16.h"

namespace pxe::proto::smb2::ntlm {
namespace {

namespace flag = wire::ntlmssp::flag;

// NTLMv2_CLIENT_CHALLENGE ([MS-NLMP] 2.2.2.7): RespType, HiRespType, Reserved1 (2),
// Reserved2 (4), TimeStamp (8), ChallengeFromClient (8), Reserved3 (4), then the AV pairs.
constexpr std::size_t kBlobAvPairsAt = 28;
constexpr std::size_t kMicAt = 72, kMicEnd = 88;
constexpr std::uint32_t kAvFlagMicPresent = 0x2;

std::uint32_t le32(ByteSpan b, std::size_t at) {
  return std::uint32_t(b[at]) | std::uint32_t(b[at + 1]) << 8 | std::uint32_t(b[at + 2]) << 16 |
         std::uint32_t(b[at + 3]) << 24;
}

// The AUTHENTICATE message's own length: the end of its furthest payload field, at least the
// fixed part with Version and MIC. Its six field descriptors sit at 12, 20, ..., 52.
std::size_t authenticate_length(ByteSpan m) {
  std::size_t end = kMicEnd;
  for (std::size_t at = 12; at + 8 <= 60 && at + 8 <= m.size(); at += 8) {
    std::size_t len = std::size_t(m[at]) | std::size_t(m[at + 1]) << 8;
    if (len) end = std::max(end, std::size_t(le32(m, at + 4)) + len);
  }
  return std::min(end, m.size());
}

Key16 to_key(const Bytes& b) {
  Key16 k{};
  std::copy_n(b.begin(), std::min(b.size(), k.size()), k.begin());
  return k;
}

}  // namespace

Key16 nt_hash(std::string_view password_utf8) {
  return crypto::md4(wire::smb2::utf8_to_utf16le(password_utf8));
}

Key16 ntowf_v2(const Key16& nt_hash, std::string_view user_utf8, std::string_view domain_utf8) {
  std::string s(user_utf8);
  std::transform(s.begin(), s.end(), s.begin(),
                 [](char c) { return c >= 'a' && c <= 'z' ? char(c - 'a' + 'A') : c; });
  s += domain_utf8;
  return crypto::hmac_md5(nt_hash, {wire::smb2::utf8_to_utf16le(s)});
}

Result<Verified> verify_ntlmv2(const Key16& nt_hash,
                               const std::array<std::uint8_t, 8>& server_challenge,
                               const wire::ntlmssp::Authenticate& auth, const RawExchange& raw) {
  const Bytes& nt = auth.nt_response;
  if (nt.size() == 24)
    return make_error("NTLMv1 NT response (24 bytes): only NTLMv2 is accepted");
  if (nt.size() < 16 + kBlobAvPairsAt)
    return make_error("NT response of " + std::to_string(nt.size()) +
                      " bytes: an NTLMv2 response has at least 44");
  ByteSpan proof(nt.data(), 16);
  ByteSpan blob(nt.data() + 16, nt.size() - 16);
  if (blob[0] != 1 || blob[1] != 1)
    return make_error("NTLMv2 blob version " + std::to_string(blob[0]) + "." +
                      std::to_string(blob[1]) + ", expected 1.1");

  Verified v;
  Key16 owf = ntowf_v2(nt_hash, auth.user, auth.domain);
  v.nt_proof_str = crypto::hmac_md5(owf, {ByteSpan(server_challenge), blob});
  if (!crypto::equal_ct(v.nt_proof_str, proof) && !auth.domain.empty()) {
    // 3.2.5.1.2: servers SHOULD accept clients that computed NTOWFv2 with an empty domain.
    owf = ntowf_v2(nt_hash, auth.user, "");
    v.nt_proof_str = crypto::hmac_md5(owf, {ByteSpan(server_challenge), blob});
  }
  if (!crypto::equal_ct(v.nt_proof_str, proof))
    return make_error("NTProofStr does not match: wrong password for " + auth.domain + "\\" +
                      auth.user);
  v.session_base_key = crypto::hmac_md5(owf, {ByteSpan(v.nt_proof_str)});

  // 3.2.5.1.2: the key is exchanged when KEY_EXCH comes with SIGN or SEAL.
  if ((auth.flags & flag::kKeyExchange) && (auth.flags & (flag::kSign | flag::kSeal))) {
    if (auth.encrypted_random_session_key.size() != 16)
      return make_error("KEY_EXCH with a " +
                        std::to_string(auth.encrypted_random_session_key.size()) +
                        "-byte EncryptedRandomSessionKey, expected 16");
    v.exported_session_key =
        to_key(crypto::rc4(v.session_base_key, auth.encrypted_random_session_key));
  } else {
    v.exported_session_key = v.session_base_key;
  }

  auto pairs = wire::ntlmssp::parse_av_pairs(blob.subspan(kBlobAvPairsAt), 16 + kBlobAvPairsAt);
  if (!pairs) return make_error("NTLMv2 blob: " + pairs.error().what);
  bool mic_announced = false;
  for (const auto& p : *pairs)
    if (p.id == wire::ntlmssp::av_id::kFlags && p.value.size() == 4)
      mic_announced = le32(p.value, 0) & kAvFlagMicPresent;
  if (mic_announced) {
    if (!auth.mic || raw.authenticate.size() < kMicEnd)
      return make_error("the NTLMv2 blob announces a MIC but the AUTHENTICATE has none");
    ByteSpan m = raw.authenticate.first(authenticate_length(raw.authenticate));
    static constexpr std::uint8_t kZeros[16] = {};
    auto mic = crypto::hmac_md5(v.exported_session_key,
                                {raw.negotiate, raw.challenge, m.first(kMicAt), ByteSpan(kZeros),
                                 m.subspan(kMicEnd)});
    if (!crypto::equal_ct(mic, *auth.mic)) return make_error("AUTHENTICATE MIC does not match");
    v.mic_checked = true;
  }
  return v;
}

std::array<std::uint8_t, 16> mac(const Key16& exported_session_key, bool server_to_client,
                                 std::uint32_t seq, ByteSpan message, bool key_exch) {
  // [MS-NLMP] 3.4.5.2 SIGNKEY and 3.4.5.3 SEALKEY: MD5 of the key and a NUL-terminated constant.
  std::string_view dir = server_to_client ? "server-to-client" : "client-to-server";
  std::string sign = "session key to " + std::string(dir) + " signing key magic constant";
  std::string seal = "session key to " + std::string(dir) + " sealing key magic constant";
  auto with_nul = [](const std::string& s) { return ByteSpan(as_bytes(s).data(), s.size() + 1); };
  auto sign_key = crypto::md5({ByteSpan(exported_session_key), with_nul(sign)});
  auto seal_key = crypto::md5({ByteSpan(exported_session_key), with_nul(seal)});
  const std::uint8_t seq_le[4] = {std::uint8_t(seq), std::uint8_t(seq >> 8),
                                  std::uint8_t(seq >> 16), std::uint8_t(seq >> 24)};
  auto h = crypto::hmac_md5(sign_key, {ByteSpan(seq_le), message});
  std::array<std::uint8_t, 16> out{1, 0, 0, 0};
  std::copy_n(h.begin(), 8, out.begin() + 4);
  if (key_exch) crypto::Rc4(seal_key).apply(std::span(out).subspan(4, 8));
  std::copy_n(seq_le, 4, out.begin() + 12);
  return out;
}

ClientResponse ntlmv2_response(const Key16& nt_hash_value, std::string_view user_utf8,
                               std::string_view domain_utf8,
                               const wire::ntlmssp::Challenge& challenge,
                               const std::array<std::uint8_t, 8>& client_challenge) {
  ByteWriter blob;  // NTLMv2_CLIENT_CHALLENGE
  blob.u8(1);
  blob.u8(1);
  blob.zeros(6);
  blob.u64le(challenge.timestamp().value_or(0));
  blob.bytes(client_challenge);
  blob.u32le(0);
  for (const auto& av : challenge.target_info) {
    if (av.id == wire::ntlmssp::av_id::kEol) continue;
    blob.u16le(av.id);
    blob.u16le(std::uint16_t(av.value.size()));
    blob.bytes(av.value);
  }
  blob.u32le(0);  // MsvAvEOL
  blob.u32le(0);
  Key16 owf = ntowf_v2(nt_hash_value, user_utf8, domain_utf8);
  auto proof = crypto::hmac_md5(owf, {ByteSpan(challenge.server_challenge), blob.data()});
  ClientResponse r;
  ByteWriter nt;  // NTProofStr || blob
  nt.bytes(proof);
  nt.bytes(blob.data());
  r.nt_response = nt.take();
  r.session_base_key = crypto::hmac_md5(owf, {ByteSpan(proof)});
  return r;
}

}  // namespace pxe::proto::smb2::ntlm
