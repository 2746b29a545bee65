// SPNEGO ([RFC 4178]) as SMB2 carries it: the NEGOTIATE response's negTokenInit2 and the
// SESSION_SETUP tokens around NTLMSSP, with the small DER ([X.690]) reader/writer they need.
//
//   InitialContextToken ::= [APPLICATION 0] IMPLICIT SEQUENCE {     60 len
//       thisMech  OBJECT IDENTIFIER (1.3.6.1.5.5.2),                06 06 2b0601050502
//       innerToken NegotiationToken }
//   NegotiationToken ::= CHOICE { negTokenInit [0] NegTokenInit,    a0 len
//                                 negTokenResp [1] NegTokenResp }   a1 len (no GSS wrapper)
//   NegTokenInit  ::= SEQUENCE { mechTypes [0] MechTypeList, reqFlags [1] ContextFlags OPTIONAL,
//                                mechToken [2] OCTET STRING OPTIONAL,
//                                mechListMIC [3] OCTET STRING OPTIONAL }
//   NegTokenInit2 (MS-SPNG 2.2.1): the same but [3] is negHints SEQUENCE { hintName [0]
//                                GeneralString OPTIONAL, hintAddress [1] OPTIONAL } and
//                                mechListMIC moves to [4]
//   NegTokenResp  ::= SEQUENCE { negState [0] ENUMERATED OPTIONAL, supportedMech [1] OID OPTIONAL,
//                                responseToken [2] OCTET STRING OPTIONAL,
//                                mechListMIC [3] OCTET STRING OPTIONAL }
//   MechTypeList  ::= SEQUENCE OF OBJECT IDENTIFIER; the mechListMIC covers its whole DER
//                     encoding (30 len ...), as the client sent it.
// Every reader takes untrusted bytes: definite lengths only, lengths within their parent,
// nesting bounded, errors say what was expected at which offset.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace pxe::wire::spnego {

// DER content octets of the object identifiers used here.
inline constexpr std::array<std::uint8_t, 6> kSpnegoOid = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x02};
inline constexpr std::array<std::uint8_t, 10> kNtlmsspOid = {0x2b, 0x06, 0x01, 0x04, 0x01,
                                                             0x82, 0x37, 0x02, 0x02, 0x0a};
// Samba's negHints hintName ("optional" per MS-SPNG 3.2.5.2; Windows ignores it).
inline constexpr std::string_view kIgnoreHint = "not_defined_in_RFC4178@please_ignore";

namespace der {

inline constexpr std::uint8_t kSequence = 0x30, kOctetString = 0x04, kOid = 0x06,
                              kEnumerated = 0x0a, kBitString = 0x03, kGeneralString = 0x1b,
                              kApplication0 = 0x60;
// Context-specific constructed tag [n] (0xa0 | n).
constexpr std::uint8_t context(std::uint8_t n) { return std::uint8_t(0xa0 | n); }

// One tag-length-value. Only single-byte tags (numbers below 31) are supported; a high-tag-number
// form is an error.
struct Tlv {
  std::uint8_t tag = 0;
  ByteSpan value;           // the content octets
  ByteSpan whole;           // tag, length and content
  std::size_t offset = 0;   // of the tag, relative to the reader's base
};

// Reads consecutive TLVs from `data`; `base` is added to every offset (error and Tlv).
class Reader {
 public:
  explicit Reader(ByteSpan data, std::size_t base = 0) : data_(data), base_(base) {}
  bool at_end() const { return pos_ >= data_.size(); }
  std::size_t offset() const { return base_ + pos_; }
  // The next TLV, whatever its tag.
  Result<Tlv> next();
  // The next TLV, which must have tag `tag` (`what` names it in the error).
  Result<Tlv> expect(std::uint8_t tag, std::string_view what);

 private:
  ByteSpan data_;
  std::size_t base_ = 0;
  std::size_t pos_ = 0;
};

// A reader over a TLV's content, with offsets continuing from the TLV's.
Reader children(const Tlv& t);

// Appends tag, minimal definite length and `value`.
void write(ByteWriter& w, std::uint8_t tag, ByteSpan value);
Bytes tlv(std::uint8_t tag, ByteSpan value);

// "1.3.6.1.4.1.311.2.2.10" from OID content octets; "?" when malformed.
std::string oid_str(ByteSpan content);

}  // namespace der

enum class NegState : std::uint8_t {
  AcceptCompleted = 0,
  AcceptIncomplete = 1,
  Reject = 2,
  RequestMic = 3,
};
std::string_view neg_state_name(NegState s);  // "accept-completed", ...

struct NegTokenInit {
  std::vector<Bytes> mech_types;  // OID content octets, in the client's order of preference
  Bytes mech_types_der;           // the whole DER MechTypeList, as sent (mechListMIC input)
  std::optional<Bytes> mech_token;
  std::optional<Bytes> mech_list_mic;  // [3] OCTET STRING (RFC 4178) or [4] (NegTokenInit2)
  std::optional<std::string> hint_name;  // NegTokenInit2 negHints hintName
  bool offers(ByteSpan oid) const;
  friend bool operator==(const NegTokenInit&, const NegTokenInit&) = default;
};

struct NegTokenResp {
  std::optional<NegState> neg_state;
  std::optional<Bytes> supported_mech;  // OID content octets
  std::optional<Bytes> response_token;
  std::optional<Bytes> mech_list_mic;
  friend bool operator==(const NegTokenResp&, const NegTokenResp&) = default;
};

// What a SESSION_SETUP security buffer holds.
struct Token {
  enum class Kind { Init, Resp, RawNtlmssp } kind = Kind::Init;
  NegTokenInit init;    // Kind::Init
  NegTokenResp resp;    // Kind::Resp
  Bytes raw;            // Kind::RawNtlmssp: the buffer itself (starts with "NTLMSSP\0")
};

// An InitialContextToken (60 ... with the SPNEGO OID) carrying a negTokenInit.
Result<NegTokenInit> parse_init(ByteSpan token);
// A bare negTokenResp (a1 ...).
Result<NegTokenResp> parse_resp(ByteSpan token);
// Either of the two, or a raw NTLMSSP message (some clients send one without SPNEGO).
Result<Token> parse(ByteSpan token);
// Without copying, for the decoder: the mechanism token inside `token` as a view into it (the
// negTokenInit's mechToken, the negTokenResp's responseToken, or `token` itself when it is raw
// NTLMSSP), and the negTokenResp's negState (nullopt: not a well-formed negTokenResp, or none).
Result<ByteSpan> mech_token_of(ByteSpan token);
std::optional<NegState> neg_state_of(ByteSpan token);

// The NEGOTIATE response security buffer: InitialContextToken with a NegTokenInit2 offering
// `mechs` (OID content octets) and, when `hint` is not empty, negHints hintName = hint.
Bytes encode_init2(const std::vector<Bytes>& mechs, std::string_view hint);
// A client's InitialContextToken (tests, the fuzz corpus): mechTypes, mechToken, mechListMIC [3].
Bytes encode_init(const NegTokenInit& m);
// A bare negTokenResp with the fields that are set, in field order.
Bytes encode_resp(const NegTokenResp& m);

}  // namespace pxe::wire::spnego
