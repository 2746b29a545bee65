// NTLMSSP messages ([MS-NLMP] 2.2.1) as SMB2 SESSION_SETUP carries them inside SPNEGO.
//
//   NEGOTIATE (type 1):    Signature "NTLMSSP\0", MessageType, NegotiateFlags (4),
//                          DomainNameFields (8), WorkstationFields (8), [Version (8)], payload
//   CHALLENGE (type 2):    Signature, MessageType, TargetNameFields (8), NegotiateFlags,
//                          ServerChallenge (8), Reserved (8), TargetInfoFields (8),
//                          [Version], payload (target name, AV pairs)
//   AUTHENTICATE (type 3): Signature, MessageType, LmChallengeResponseFields,
//                          NtChallengeResponseFields, DomainNameFields, UserNameFields,
//                          WorkstationFields, EncryptedRandomSessionKeyFields (8 each),
//                          NegotiateFlags, [Version (8)], [MIC (16)], payload
// Fields = Len (2), MaxLen (2), BufferOffset (4) from the start of the message.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace pxe::wire::ntlmssp {

namespace flag {
inline constexpr std::uint32_t kUnicode = 0x00000001, kOem = 0x00000002,
    kRequestTarget = 0x00000004, kSign = 0x00000010, kSeal = 0x00000020,
    kDatagram = 0x00000040, kLmKey = 0x00000080, kNtlm = 0x00000200,
    kAnonymous = 0x00000800, kOemDomainSupplied = 0x00001000,
    kOemWorkstationSupplied = 0x00002000, kAlwaysSign = 0x00008000,
    kTargetTypeDomain = 0x00010000, kTargetTypeServer = 0x00020000,
    kExtendedSessionSecurity = 0x00080000, kIdentify = 0x00100000,
    kRequestNonNtSessionKey = 0x00400000, kTargetInfo = 0x00800000,
    kVersion = 0x02000000, k128 = 0x20000000, kKeyExchange = 0x40000000, k56 = 0x80000000;
}
// "unicode,ntlm,sign,..." for the known bits.
std::string flags_str(std::uint32_t f);

enum class MessageType : std::uint32_t { Negotiate = 1, Challenge = 2, Authenticate = 3 };
std::string_view message_type_name(MessageType t);  // "NEGOTIATE", "CHALLENGE", "AUTHENTICATE"

namespace av_id {
inline constexpr std::uint16_t kEol = 0, kNbComputerName = 1, kNbDomainName = 2,
    kDnsComputerName = 3, kDnsDomainName = 4, kDnsTreeName = 5, kFlags = 6, kTimestamp = 7,
    kSingleHost = 8, kTargetName = 9, kChannelBindings = 10;
}

struct AvPair {
  std::uint16_t id = 0;
  Bytes value;
  friend bool operator==(const AvPair&, const AvPair&) = default;
};

// 8-byte product version (2.2.2.10); kept raw.
using Version = std::array<std::uint8_t, 8>;

// An AV pair list (2.2.2.1), up to MsvAvEOL or the end of `info`: a CHALLENGE's TargetInfo or
// the pairs inside an NTLMv2 client blob. `base` is added to error offsets.
Result<std::vector<AvPair>> parse_av_pairs(ByteSpan info, std::size_t base = 0);

struct Negotiate {
  std::uint32_t flags = 0;
  std::string domain;       // OEM, as supplied
  std::string workstation;  // OEM
  std::optional<Version> version;
  friend bool operator==(const Negotiate&, const Negotiate&) = default;
};

struct Challenge {
  std::uint32_t flags = 0;
  std::array<std::uint8_t, 8> server_challenge{};
  std::uint64_t reserved = 0;
  std::string target_name;  // UTF-16LE or OEM per flag::kUnicode
  std::vector<AvPair> target_info;
  std::optional<Version> version;

  // AV pair helpers: a UTF-16LE name (ids 1-5, 9) and the FILETIME of av_id::kTimestamp.
  std::optional<std::string> av_string(std::uint16_t id) const;
  std::optional<std::uint64_t> timestamp() const;
  friend bool operator==(const Challenge&, const Challenge&) = default;
};

struct Authenticate {
  std::uint32_t flags = 0;
  Bytes lm_response;
  Bytes nt_response;  // NTLMv2: NTProofStr (16) + client blob; empty for anonymous
  std::string domain;
  std::string user;
  std::string workstation;
  Bytes encrypted_random_session_key;
  std::optional<Version> version;
  std::optional<std::array<std::uint8_t, 16>> mic;
  // [MS-NLMP] 3.2.5.1.2 / 3.3.5.1.1: anonymous = empty user and empty NT response
  // (the LM response is empty or a single zero byte).
  bool anonymous() const;
  friend bool operator==(const Authenticate&, const Authenticate&) = default;
};

struct Message {
  MessageType type = MessageType::Negotiate;
  Negotiate negotiate;        // valid when type == Negotiate
  Challenge challenge;        // ... Challenge
  Authenticate authenticate;  // ... Authenticate
};

// `blob` starts at the "NTLMSSP\0" signature; bytes after the message are ignored.
Result<Message> parse(ByteSpan blob);

Bytes encode(const Negotiate& m);
Bytes encode(const Challenge& m);
// Payload order LM, NT, domain, user, workstation, session key (what Windows and Samba send);
// the MIC field is present when `mic` is set.
Bytes encode(const Authenticate& m);

// Finds the NTLMSSP message inside a SPNEGO token (or a raw NTLMSSP blob): the mechToken or
// responseToken (wire/smb2/spnego.h), or, when the token is not well-formed DER (cut short by a
// capture), the first "NTLMSSP\0" signature. Returns the span from the message to the end of
// `token`, nullopt when absent.
std::optional<ByteSpan> find_in_spnego(ByteSpan token);

// SPNEGO negTokenResp negResult ([RFC 4178] 4.2.2): 0 accept-completed, 1 accept-incomplete,
// 2 reject, 3 request-mic. nullopt when `token` is not a well-formed negTokenResp carrying one.
std::optional<std::uint8_t> spnego_neg_result(ByteSpan token);
std::string_view neg_result_name(std::uint8_t r);

}  // namespace pxe::wire::ntlmssp
