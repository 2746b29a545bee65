#include "wire/smb2/ntlmssp.h"

#include <algorithm>
#include <cstdio>

#include "wire/smb2/spnego.h"
#include "wire/smb2/utf16.h"

namespace pxe::wire::ntlmssp {
namespace {

constexpr std::uint8_t kSignature[8] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};

struct Field {
  std::uint16_t len = 0;
  std::uint32_t offset = 0;
  std::size_t at = 0;  // where the field descriptor itself sits
};

Field read_field(ByteReader& r) {
  Field f;
  f.at = r.offset();
  f.len = r.u16le();
  r.skip(2);  // MaxLen
  f.offset = r.u32le();
  return f;
}

Result<ByteSpan> field_bytes(ByteSpan blob, const Field& f, std::string_view what) {
  if (f.len == 0) return ByteSpan{};
  if (f.offset > blob.size() || f.len > blob.size() - f.offset)
    return make_error("NTLMSSP " + std::string(what) + ": offset " + std::to_string(f.offset) +
                          " length " + std::to_string(f.len) + " outside the " +
                          std::to_string(blob.size()) + "-byte message",
                      f.at);
  return blob.subspan(f.offset, f.len);
}

std::string text(ByteSpan b, bool unicode) {
  return unicode ? smb2::utf16le_to_utf8(b) : std::string(b.begin(), b.end());
}

Bytes to_wire(std::string_view s, bool unicode) {
  return unicode ? smb2::utf8_to_utf16le(s) : Bytes(s.begin(), s.end());
}

// Writes payload buffers after a fixed part and patches their field descriptors.
class PayloadWriter {
 public:
  explicit PayloadWriter(ByteWriter& w) : w_(w) {}
  std::size_t field() {
    std::size_t at = w_.size();
    w_.zeros(8);
    return at;
  }
  void put(std::size_t field_at, ByteSpan data) {
    auto len = std::uint16_t(data.size());
    w_.put_u16le_at(field_at, len);
    w_.put_u16le_at(field_at + 2, len);
    w_.put_u32le_at(field_at + 4, std::uint32_t(w_.size()));
    w_.bytes(data);
  }
  // A UTF-16 string's field: starts at an even offset (a zero byte of padding after an odd-length
  // field before it, as an anonymous logon's one-byte LM response), which is where readers such
  // as Wireshark expect it. Messages whose fields are all of even length are unchanged.
  void put_utf16(std::size_t field_at, ByteSpan data) {
    if (w_.size() % 2 != 0 && !data.empty()) w_.zeros(1);
    put(field_at, data);
  }

 private:
  ByteWriter& w_;
};

template <std::size_t N>
std::array<std::uint8_t, N> to_array(ByteSpan s) {
  std::array<std::uint8_t, N> a{};
  for (std::size_t i = 0; i < N && i < s.size(); ++i) a[i] = s[i];
  return a;
}

Result<Negotiate> parse_negotiate(ByteSpan blob, ByteReader& r) {
  Negotiate m;
  m.flags = r.u32le();
  Field domain = read_field(r);
  Field ws = read_field(r);
  if (r.failed()) return make_error("NTLMSSP NEGOTIATE: truncated", r.fail_offset());
  if (m.flags & flag::kVersion && r.remaining() >= 8) m.version = to_array<8>(r.take(8));
  auto d = field_bytes(blob, domain, "NEGOTIATE domain");
  if (!d) return d.error();
  auto w = field_bytes(blob, ws, "NEGOTIATE workstation");
  if (!w) return w.error();
  m.domain = text(*d, false);
  m.workstation = text(*w, false);
  return m;
}

}  // namespace

Result<std::vector<AvPair>> parse_av_pairs(ByteSpan info, std::size_t base) {
  std::vector<AvPair> out;
  ByteReader r(info);
  while (!r.at_end()) {
    std::size_t at = r.offset();
    AvPair p;
    p.id = r.u16le();
    std::uint16_t len = r.u16le();
    ByteSpan v = r.take(len);
    if (r.failed()) return make_error("NTLMSSP target info: AV pair runs past the end", base + at);
    p.value.assign(v.begin(), v.end());
    out.push_back(std::move(p));
    if (out.back().id == av_id::kEol) break;
  }
  return out;
}

namespace {

Result<Challenge> parse_challenge(ByteSpan blob, ByteReader& r) {
  Challenge m;
  Field target = read_field(r);
  m.flags = r.u32le();
  m.server_challenge = to_array<8>(r.take(8));
  m.reserved = r.u64le();
  Field info = read_field(r);
  if (r.failed()) return make_error("NTLMSSP CHALLENGE: truncated", r.fail_offset());
  if (m.flags & flag::kVersion && r.remaining() >= 8) m.version = to_array<8>(r.take(8));
  auto t = field_bytes(blob, target, "CHALLENGE target name");
  if (!t) return t.error();
  m.target_name = text(*t, m.flags & flag::kUnicode);
  auto i = field_bytes(blob, info, "CHALLENGE target info");
  if (!i) return i.error();
  auto pairs = parse_av_pairs(*i, info.offset);
  if (!pairs) return pairs.error();
  m.target_info = std::move(pairs.value());
  return m;
}

Result<Authenticate> parse_authenticate(ByteSpan blob, ByteReader& r) {
  Authenticate m;
  Field lm = read_field(r), nt = read_field(r), domain = read_field(r), user = read_field(r),
        ws = read_field(r), key = read_field(r);
  m.flags = r.u32le();
  if (r.failed()) return make_error("NTLMSSP AUTHENTICATE: truncated", r.fail_offset());
  // Version (at 64) and MIC (at 72) are there when the payload starts late enough.
  std::size_t first = blob.size();
  for (const Field* f : {&lm, &nt, &domain, &user, &ws, &key})
    if (f->len) first = std::min<std::size_t>(first, f->offset);
  if (first >= 72 && r.remaining() >= 8) m.version = to_array<8>(r.take(8));
  if (first >= 88 && r.remaining() >= 16) m.mic = to_array<16>(r.take(16));
  bool unicode = m.flags & flag::kUnicode;
  auto bytes = [&](const Field& f, const char* what, Bytes& out) -> Result<void> {
    auto b = field_bytes(blob, f, what);
    if (!b) return b.error();
    out.assign(b->begin(), b->end());
    return {};
  };
  auto str = [&](const Field& f, const char* what, std::string& out) -> Result<void> {
    auto b = field_bytes(blob, f, what);
    if (!b) return b.error();
    out = text(*b, unicode);
    return {};
  };
  if (auto s = bytes(lm, "AUTHENTICATE LM response", m.lm_response); !s) return s.error();
  if (auto s = bytes(nt, "AUTHENTICATE NT response", m.nt_response); !s) return s.error();
  if (auto s = str(domain, "AUTHENTICATE domain", m.domain); !s) return s.error();
  if (auto s = str(user, "AUTHENTICATE user", m.user); !s) return s.error();
  if (auto s = str(ws, "AUTHENTICATE workstation", m.workstation); !s) return s.error();
  if (auto s = bytes(key, "AUTHENTICATE session key", m.encrypted_random_session_key); !s)
    return s.error();
  return m;
}

void header(ByteWriter& w, MessageType t) {
  w.bytes(kSignature);
  w.u32le(std::uint32_t(t));
}

}  // namespace

std::string flags_str(std::uint32_t f) {
  static constexpr std::pair<std::uint32_t, const char*> kBits[] = {
      {flag::kUnicode, "unicode"}, {flag::kOem, "oem"}, {flag::kRequestTarget, "request-target"},
      {flag::kSign, "sign"}, {flag::kSeal, "seal"}, {flag::kDatagram, "datagram"},
      {flag::kLmKey, "lm-key"}, {flag::kNtlm, "ntlm"}, {flag::kAnonymous, "anonymous"},
      {flag::kOemDomainSupplied, "domain-supplied"},
      {flag::kOemWorkstationSupplied, "workstation-supplied"},
      {flag::kAlwaysSign, "always-sign"}, {flag::kTargetTypeDomain, "target-domain"},
      {flag::kTargetTypeServer, "target-server"}, {flag::kExtendedSessionSecurity, "ess"},
      {flag::kIdentify, "identify"}, {flag::kRequestNonNtSessionKey, "non-nt-key"},
      {flag::kTargetInfo, "target-info"}, {flag::kVersion, "version"}, {flag::k128, "128"},
      {flag::kKeyExchange, "key-exch"}, {flag::k56, "56"}};
  std::string out;
  for (auto [bit, name] : kBits) {
    if (!(f & bit)) continue;
    if (!out.empty()) out += ',';
    out += name;
  }
  return out;
}

std::string_view message_type_name(MessageType t) {
  switch (t) {
    case MessageType::Negotiate: return "NEGOTIATE";
    case MessageType::Challenge: return "CHALLENGE";
    case MessageType::Authenticate: return "AUTHENTICATE";
  }
  return "?";
}

std::optional<std::string> Challenge::av_string(std::uint16_t id) const {
  for (const auto& p : target_info)
    if (p.id == id) return smb2::utf16le_to_utf8(p.value);
  return std::nullopt;
}

std::optional<std::uint64_t> Challenge::timestamp() const {
  for (const auto& p : target_info) {
    if (p.id != av_id::kTimestamp || p.value.size() != 8) continue;
    ByteReader r(p.value);
    return r.u64le();
  }
  return std::nullopt;
}

bool Authenticate::anonymous() const {
  bool lm_empty = lm_response.empty() || (lm_response.size() == 1 && lm_response[0] == 0);
  return user.empty() && nt_response.empty() && lm_empty;
}

Result<Message> parse(ByteSpan blob) {
  ByteReader r(blob);
  ByteSpan sig = r.take(8);
  if (r.failed() || !std::equal(sig.begin(), sig.end(), kSignature))
    return make_error("NTLMSSP: signature \"NTLMSSP\\0\" not found", 0);
  std::uint32_t type = r.u32le();
  if (r.failed()) return make_error("NTLMSSP: MessageType truncated", r.fail_offset());
  Message m;
  switch (type) {
    case 1: {
      auto n = parse_negotiate(blob, r);
      if (!n) return n.error();
      m.type = MessageType::Negotiate;
      m.negotiate = std::move(n.value());
      return m;
    }
    case 2: {
      auto c = parse_challenge(blob, r);
      if (!c) return c.error();
      m.type = MessageType::Challenge;
      m.challenge = std::move(c.value());
      return m;
    }
    case 3: {
      auto a = parse_authenticate(blob, r);
      if (!a) return a.error();
      m.type = MessageType::Authenticate;
      m.authenticate = std::move(a.value());
      return m;
    }
    default:
      return make_error("NTLMSSP: MessageType " + std::to_string(type) + ", expected 1, 2 or 3", 8);
  }
}

Bytes encode(const Negotiate& m) {
  ByteWriter w;
  header(w, MessageType::Negotiate);
  w.u32le(m.flags);
  PayloadWriter p(w);
  std::size_t domain = p.field(), ws = p.field();
  if (m.version) w.bytes(*m.version);
  p.put(domain, to_wire(m.domain, false));
  p.put(ws, to_wire(m.workstation, false));
  return w.take();
}

Bytes encode(const Challenge& m) {
  ByteWriter w;
  header(w, MessageType::Challenge);
  PayloadWriter p(w);
  std::size_t target = p.field();
  w.u32le(m.flags);
  w.bytes(m.server_challenge);
  w.u64le(m.reserved);
  std::size_t info = p.field();
  if (m.version) w.bytes(*m.version);
  p.put(target, to_wire(m.target_name, m.flags & flag::kUnicode));
  ByteWriter pairs;
  for (const auto& a : m.target_info) {
    pairs.u16le(a.id);
    pairs.u16le(std::uint16_t(a.value.size()));
    pairs.bytes(a.value);
  }
  p.put(info, pairs.data());
  return w.take();
}

Bytes encode(const Authenticate& m) {
  ByteWriter w;
  header(w, MessageType::Authenticate);
  PayloadWriter p(w);
  std::size_t lm = p.field(), nt = p.field(), domain = p.field(), user = p.field(),
              ws = p.field(), key = p.field();
  w.u32le(m.flags);
  if (m.version || m.mic) w.bytes(m.version.value_or(Version{}));
  if (m.mic) w.bytes(*m.mic);
  bool unicode = m.flags & flag::kUnicode;
  p.put(lm, m.lm_response);
  p.put(nt, m.nt_response);
  if (unicode) {
    p.put_utf16(domain, to_wire(m.domain, true));
    p.put_utf16(user, to_wire(m.user, true));
    p.put_utf16(ws, to_wire(m.workstation, true));
  } else {
    p.put(domain, to_wire(m.domain, false));
    p.put(user, to_wire(m.user, false));
    p.put(ws, to_wire(m.workstation, false));
  }
  p.put(key, m.encrypted_random_session_key);
  return w.take();
}

std::optional<ByteSpan> find_in_spnego(ByteSpan token) {
  auto starts_ntlmssp = [](ByteSpan b) {
    return b.size() >= sizeof kSignature && std::equal(std::begin(kSignature), std::end(kSignature), b.begin());
  };
  // A well-formed token: its mechanism token, when that is NTLMSSP (not Kerberos, say).
  if (auto inner = spnego::mech_token_of(token)) {
    if (!starts_ntlmssp(*inner)) return std::nullopt;
    return token.subspan(std::size_t(inner->data() - token.data()));
  }
  // Not well-formed DER (a frame cut short by the capture's snap length): the signature tells
  // where the message starts, so the decoder still shows what arrived.
  auto it = std::search(token.begin(), token.end(), std::begin(kSignature), std::end(kSignature));
  if (it == token.end()) return std::nullopt;
  return token.subspan(std::size_t(it - token.begin()));
}

std::optional<std::uint8_t> spnego_neg_result(ByteSpan token) {
  auto s = spnego::neg_state_of(token);
  if (!s) return std::nullopt;
  return std::uint8_t(*s);
}

std::string_view neg_result_name(std::uint8_t r) {
  switch (r) {
    case 0: return "accept-completed";
    case 1: return "accept-incomplete";
    case 2: return "reject";
    case 3: return "request-mic";
    default: return "?";
  }
}

}  // namespace pxe::wire::ntlmssp
