#include "proto/smb2/auth.h"

#include <algorithm>
#include <utility>

#include "base/text.h"
#include "proto/smb2/ntlm.h"
#include "wire/smb2/ntlmssp.h"
#include "wire/smb2/spnego.h"
#include "wire/smb2/status.h"
#include "wire/smb2/utf16.h"

namespace pxe::proto::smb2 {

namespace ntlmssp = wire::ntlmssp;
namespace spnego = wire::spnego;
namespace status = wire::smb2::status;

namespace {

// What a CHALLENGE may echo of the client's NEGOTIATE flags ([MS-NLMP] 3.2.5.1.1); the rest
// (LM key, datagram, identify, OEM-supplied names) is not offered.
constexpr std::uint32_t kMirrored =
    ntlmssp::flag::kUnicode | ntlmssp::flag::kRequestTarget | ntlmssp::flag::kSign |
    ntlmssp::flag::kSeal | ntlmssp::flag::kNtlm | ntlmssp::flag::kAlwaysSign |
    ntlmssp::flag::kExtendedSessionSecurity | ntlmssp::flag::kVersion | ntlmssp::flag::k128 |
    ntlmssp::flag::kKeyExchange | ntlmssp::flag::k56;

// Windows 7 / Server 2008 R2 build 0, NTLM revision 15: what Samba announces.
constexpr ntlmssp::Version kVersion = {0x06, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0f};

std::string to_lower(std::string s) {
  for (char& ch : s) ch = ascii_lower(ch);
  return s;
}

Bytes ntlmssp_oid() { return Bytes(spnego::kNtlmsspOid.begin(), spnego::kNtlmsspOid.end()); }

ntlmssp::AvPair av_name(std::uint16_t id, std::string_view name) {
  return {id, wire::smb2::utf8_to_utf16le(name)};
}

}  // namespace

Authenticator::Authenticator(const AuthSettings& s, Random& random, std::uint64_t filetime_now)
    : settings_(s), random_(random), filetime_now_(filetime_now) {}

AuthResult Authenticator::fail(std::uint32_t code, std::string why) {
  stage_ = Stage::Finished;
  AuthResult r;
  r.state = AuthResult::State::Failed;
  r.status = code;
  r.why = std::move(why);
  return r;
}

AuthResult Authenticator::step(ByteSpan buffer) {
  if (stage_ == Stage::Finished)
    return fail(status::kLogonFailure, "SESSION_SETUP after the exchange finished");
  auto token = spnego::parse(buffer);
  if (!token) return fail(status::kInvalidParameter, token.error().what);

  using Kind = spnego::Token::Kind;
  if (stage_ == Stage::ExpectNegotiate) {
    switch (token->kind) {
      case Kind::RawNtlmssp:
        spnego_ = false;
        return on_negotiate(token->raw);
      case Kind::Init: {
        auto& init = token->init;
        mech_types_der_ = init.mech_types_der;
        if (!init.offers(spnego::kNtlmsspOid))
          return fail(status::kLogonFailure, "the client offers no NTLMSSP mechanism");
        bool first = std::equal(init.mech_types[0].begin(), init.mech_types[0].end(),
                                spnego::kNtlmsspOid.begin(), spnego::kNtlmsspOid.end());
        if (first && init.mech_token) return on_negotiate(*init.mech_token);
        // NTLMSSP offered but not first (Kerberos preferred) or no optimistic token: select it
        // and ask for its first token ([RFC 4178] 3.2). Choosing other than the client's first
        // mechanism makes the mechListMIC mandatory (5, and MS-SPNG 3.2.5.1).
        mech_selected_ = true;
        mic_required_ = !first;
        spnego::NegTokenResp resp;
        resp.neg_state = spnego::NegState::AcceptIncomplete;
        resp.supported_mech = ntlmssp_oid();
        AuthResult r;
        r.state = AuthResult::State::Continue;
        r.status = status::kMoreProcessingRequired;
        r.token = spnego::encode_resp(resp);
        return r;
      }
      case Kind::Resp:
        if (!mech_selected_ || !token->resp.response_token)
          return fail(status::kInvalidParameter, "negTokenResp before the mechanism was chosen");
        return on_negotiate(*token->resp.response_token);
    }
  }

  // Stage::ExpectAuthenticate
  switch (token->kind) {
    case Kind::RawNtlmssp:
      if (spnego_) return fail(status::kInvalidParameter, "raw NTLMSSP in a SPNEGO exchange");
      return on_authenticate(token->raw, std::nullopt);
    case Kind::Init:
      return fail(status::kInvalidParameter, "a second negTokenInit");
    case Kind::Resp:
      if (!spnego_) return fail(status::kInvalidParameter, "SPNEGO in a raw NTLMSSP exchange");
      if (token->resp.neg_state == spnego::NegState::Reject)
        return fail(status::kLogonFailure, "the client rejected the negotiation");
      if (!token->resp.response_token)
        return fail(status::kInvalidParameter, "negTokenResp without a responseToken");
      return on_authenticate(*token->resp.response_token, token->resp.mech_list_mic);
  }
  return fail(status::kInvalidParameter, "unexpected token");
}

AuthResult Authenticator::on_negotiate(ByteSpan blob) {
  auto m = ntlmssp::parse(blob);
  if (!m) return fail(status::kInvalidParameter, "NTLMSSP: " + m.error().what);
  if (m->type != ntlmssp::MessageType::Negotiate)
    return fail(status::kInvalidParameter,
                "expected NTLMSSP NEGOTIATE, got " +
                    std::string(ntlmssp::message_type_name(m->type)));
  negotiate_.assign(blob.begin(), blob.end());

  std::uint32_t client = m->negotiate.flags;
  std::uint32_t flags = (client & kMirrored) | ntlmssp::flag::kTargetInfo |
                        ntlmssp::flag::kTargetTypeServer;
  if (!(client & ntlmssp::flag::kUnicode)) flags |= ntlmssp::flag::kOem;
  negotiated_flags_ = flags;

  for (int i = 0; i < 2; ++i) {
    std::uint32_t v = random_.next();
    for (int b = 0; b < 4; ++b) server_challenge_[i * 4 + b] = std::uint8_t(v >> (8 * b));
  }

  const std::string& nb = settings_.netbios_name;
  std::string dns_computer = settings_.dns_name.empty() ? to_lower(nb) : settings_.dns_name;
  auto dot = dns_computer.find('.');
  std::string dns_domain = dot == std::string::npos ? "" : dns_computer.substr(dot + 1);
  std::string nb_domain = settings_.workgroup.empty() ? nb : settings_.workgroup;

  ntlmssp::Challenge c;
  c.flags = flags;
  c.server_challenge = server_challenge_;
  c.target_name = nb;
  c.target_info.push_back(av_name(ntlmssp::av_id::kNbDomainName, nb_domain));
  c.target_info.push_back(av_name(ntlmssp::av_id::kNbComputerName, nb));
  c.target_info.push_back(av_name(ntlmssp::av_id::kDnsDomainName, dns_domain));
  c.target_info.push_back(av_name(ntlmssp::av_id::kDnsComputerName, dns_computer));
  ByteWriter ts;
  ts.u64le(filetime_now_);
  c.target_info.push_back({ntlmssp::av_id::kTimestamp, ts.take()});
  c.target_info.push_back({ntlmssp::av_id::kEol, {}});
  if (flags & ntlmssp::flag::kVersion) c.version = kVersion;
  challenge_ = ntlmssp::encode(c);
  stage_ = Stage::ExpectAuthenticate;

  AuthResult r;
  r.state = AuthResult::State::Continue;
  r.status = status::kMoreProcessingRequired;
  if (spnego_) {
    spnego::NegTokenResp resp;
    resp.neg_state = spnego::NegState::AcceptIncomplete;
    if (!mech_selected_) resp.supported_mech = ntlmssp_oid();  // said once, when selected
    resp.response_token = challenge_;
    r.token = spnego::encode_resp(resp);
  } else {
    r.token = challenge_;
  }
  return r;
}

AuthResult Authenticator::done(Identity id, std::optional<crypto::Key16> key,
                               std::optional<Bytes> mech_list_mic) {
  stage_ = Stage::Finished;
  AuthResult r;
  r.state = AuthResult::State::Done;
  r.status = status::kSuccess;
  r.identity = std::move(id);
  r.session_key = key;
  if (spnego_) {
    spnego::NegTokenResp resp;
    resp.neg_state = spnego::NegState::AcceptCompleted;
    resp.mech_list_mic = std::move(mech_list_mic);
    r.token = spnego::encode_resp(resp);
  }
  return r;
}

AuthResult Authenticator::on_authenticate(ByteSpan blob, const std::optional<Bytes>& client_mic) {
  auto m = ntlmssp::parse(blob);
  if (!m) return fail(status::kInvalidParameter, "NTLMSSP: " + m.error().what);
  if (m->type != ntlmssp::MessageType::Authenticate)
    return fail(status::kInvalidParameter,
                "expected NTLMSSP AUTHENTICATE, got " +
                    std::string(ntlmssp::message_type_name(m->type)));
  const auto& a = m->authenticate;
  Identity id{a.user, a.domain, a.workstation, false, false};

  if (a.anonymous()) {
    id.anonymous = true;
    return done(std::move(id), std::nullopt, std::nullopt);
  }

  auto guest = [&](std::string why) -> AuthResult {
    id.guest = true;
    AuthResult r = done(std::move(id), std::nullopt, std::nullopt);
    r.why = std::move(why);
    return r;
  };

  const config::SmbAccount* account = nullptr;
  for (const auto& acc : settings_.accounts)
    if (iequals(acc.user, a.user)) account = &acc;
  if (!account) {
    if (settings_.map_to_guest == config::MapToGuest::Never)
      return fail(status::kLogonFailure, "unknown user '" + a.user + "'");
    return guest("unknown user '" + a.user + "' mapped to guest");
  }

  auto v = ntlm::verify_ntlmv2(ntlm::nt_hash(account->password), server_challenge_, a,
                               {negotiate_, challenge_, blob});
  if (!v) {
    if (settings_.map_to_guest == config::MapToGuest::BadPassword) return guest("user '" + a.user + "': " + v.error().what + "; mapped to guest");
    return fail(status::kLogonFailure, "user '" + a.user + "': " + v.error().what);
  }

  // The SPNEGO mechListMIC over the client's MechTypeList ([MS-SPNG] 3.1.5.1): checked when
  // sent, ours sent back then (and whenever the selection made it mandatory).
  std::optional<Bytes> ours;
  if (spnego_ && (client_mic || mic_required_)) {
    bool key_exch = a.flags & ntlmssp::flag::kKeyExchange;
    if (client_mic) {
      auto want = ntlm::mac(v->exported_session_key, false, 0, mech_types_der_, key_exch);
      if (!crypto::equal_ct(want, *client_mic))
        return fail(status::kLogonFailure, "user '" + a.user + "': wrong SPNEGO mechListMIC");
    } else {
      return fail(status::kLogonFailure,
                  "user '" + a.user + "': no SPNEGO mechListMIC though NTLMSSP was not the "
                  "client's first mechanism");
    }
    auto mine = ntlm::mac(v->exported_session_key, true, 0, mech_types_der_, key_exch);
    ours = Bytes(mine.begin(), mine.end());
  }
  return done(std::move(id), v->exported_session_key, std::move(ours));
}

Bytes negotiate_security_blob() {
  return spnego::encode_init2({ntlmssp_oid()}, spnego::kIgnoreHint);
}

}  // namespace pxe::proto::smb2
