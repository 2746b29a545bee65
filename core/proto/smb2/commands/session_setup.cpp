// SESSION_SETUP ([MS-SMB2] 3.3.5.5) — reference section 2.4: SPNEGO/NTLMSSP through the
// Authenticator, session flags (IS_GUEST, IS_NULL), signing keys and the final response's
// signature, the 3.1.1 session pre-auth hash.
#include "base/text.h"
#include "proto/smb2/auth.h"
#include "proto/smb2/dispatch.h"
#include "wire/smb2/session_setup.h"
#include "wire/smb2/status.h"

namespace pxe::proto::smb2 {
namespace {

namespace st = wire::smb2::status;

AuthSettings auth_settings(const ServerContext& ctx) {
  const config::SmbSettings& s = ctx.settings;
  AuthSettings a;
  a.dns_name = ctx.dns_name;
  a.accounts = s.accounts;
  a.map_to_guest = s.map_to_guest;
  a.netbios_name = s.netbios_name.empty() ? "PXEKIT" : s.netbios_name;
  a.workgroup = s.workgroup;
  return a;
}

std::string who(const Identity& id) {
  return id.anonymous ? std::string("anonymous")
                      : "user '" + id.user + "'" + (id.domain.empty() ? "" : " (" + id.domain + ")") +
                            (id.guest ? " as guest" : "");
}

// SESSION_SETUP with SMB2_SESSION_FLAG_BINDING: a further channel of a session set up on another
// connection ([MS-SMB2] 3.3.5.5 step 4, 3.3.5.5.2/.3). The checks and their statuses are the
// specification's: unknown session USER_SESSION_DELETED; other dialect, or the request unsigned,
// INVALID_PARAMETER; session not yet set up REQUEST_NOT_ACCEPTED; guest or anonymous session
// NOT_SUPPORTED (no key to sign with); a bad signature (Session.SigningKey) ACCESS_DENIED; another
// ClientGuid USER_SESSION_DELETED; already bound here REQUEST_NOT_ACCEPTED; the 33rd channel
// INSUFFICIENT_RESOURCES (Windows' limit). Then NTLMSSP again: the same account must log on, and
// the channel's signing key comes from this authentication's session key (3.1.1: with the
// pre-auth hash of this connection's exchange).
void bind_session(ConnState& c, Request& rq, const wire::smb2::SessionSetupRequest& req, Reply& rp) {
  const std::uint64_t id = rq.hdr.session_id;
  Session* s = c.registry.find(id);
  auto pending = c.bindings.find(id);
  if (!s) {
    if (pending != c.bindings.end()) c.bindings.erase(pending);
    return rp.fail(st::kUserSessionDeleted);
  }
  const bool first = pending == c.bindings.end();
  if (first && c.dialect != s->dialect) return rp.fail(st::kInvalidParameter);
  if (!rq.hdr.is_signed()) return rp.fail(st::kInvalidParameter);
  if (first && s->state != Session::State::Valid) return rp.fail(st::kRequestNotAccepted);
  if (!s->user()) return rp.fail(st::kNotSupported);
  if (!s->signer->verify(rq.pdu)) {
    emit(rp.after, Event{"binding to session " + hex_id(id) + " refused: bad signature"});
    return rp.fail(st::kAccessDenied);
  }
  // From here on the responses are signed with Session.SigningKey, the final success excepted.
  rp.sign_with = s->signer;
  rp.sign = Reply::Sign::Always;
  if (first) {
    if (s->client_guid != c.client_guid) return rp.fail(st::kUserSessionDeleted);
    if (s->channel(&c)) return rp.fail(st::kRequestNotAccepted);
    if (s->channels.size() >= c.registry.max_channels ||
        c.sessions.size() + c.bindings.size() >= c.ctx->limits.max_sessions_per_connection)
      return rp.fail(st::kInsufficientResources);
    Binding& b = c.bindings[id];
    b.auth = std::make_unique<Authenticator>(auth_settings(*c.ctx), *c.ctx->random, c.filetime_now);
    b.preauth = c.preauth;
    pending = c.bindings.find(id);
  }
  Binding& b = pending->second;
  if (c.dialect == wire::smb2::dialect::k311) b.preauth.update(rq.pdu);
  AuthResult r = b.auth->step(req.security_buffer);
  wire::smb2::SessionSetupResponse body;
  if (r.state == AuthResult::State::Continue) {
    rp.status = st::kMoreProcessingRequired;
    body.security_buffer = std::move(r.token);
    wire::smb2::encode_session_setup_response(body, rp.body());
    return;
  }
  signing::PreauthHash hash = b.preauth.value();
  c.bindings.erase(pending);
  if (r.state == AuthResult::State::Failed) {
    emit(rp.after, Event{"binding to session " + hex_id(id) + " refused: logon failure: " + r.why});
    return rp.fail(r.status ? r.status : st::kLogonFailure);
  }
  if (!r.session_key || r.identity.guest || r.identity.anonymous ||
      !iequals(r.identity.user, s->identity.user) || !iequals(r.identity.domain, s->identity.domain)) {
    emit(rp.after, Event{"binding to session " + hex_id(id) + " refused: " + who(r.identity) +
                         " is not the session's " + who(s->identity)});
    return rp.fail(st::kAccessDenied);
  }
  if (s->channels.size() >= c.registry.max_channels) return rp.fail(st::kInsufficientResources);
  c.add_channel(*s, signing::Signer::for_session(c.dialect, *r.session_key, hash,
                                                 c.signing_algorithm_311));
  // The final response is signed with the new channel's key (3.3.4.1.1).
  rp.sign_with.reset();
  emit(rp.after, Event{"bound session " + hex_id(id) + " " + who(s->identity) + " (channel " +
                       std::to_string(s->channels.size()) + ")"});
  rp.status = st::kSuccess;
  body.session_flags = s->session_flags;
  body.security_buffer = std::move(r.token);
  wire::smb2::encode_session_setup_response(body, rp.body());
}

}  // namespace

void handle_session_setup(ConnState& c, Request& rq, Reply& rp) {
  auto req = wire::smb2::parse_session_setup_request(rq.pdu);
  if (!req) return rp.fail(st::kInvalidParameter);
  if (req->flags & wire::smb2::kSessionSetupBinding) {
    // Binding needs 3.x and MULTI_CHANNEL offered (3.3.5.5 step 4); otherwise it is refused.
    if (c.dialect < wire::smb2::dialect::k300 || !c.ctx->settings.multi_channel)
      return rp.fail(st::kRequestNotAccepted);
    return bind_session(c, rq, *req, rp);
  }

  Session* s = nullptr;
  if (rq.hdr.session_id == 0) {
    std::size_t live = c.sessions.size() + c.bindings.size();
    if (live >= c.ctx->limits.max_sessions_per_connection)
      return rp.fail(st::kInsufficientResources);
    s = &c.new_session();
    s->preauth = c.preauth;
  } else {
    s = c.session(rq.hdr.session_id);
    if (!s) return rp.fail(st::kUserSessionDeleted);
    if (s->state == Session::State::Valid && !s->auth) {
      // Re-authentication: a new exchange on the live session; the 3.1.1 hash starts again.
      s->preauth = c.preauth;
    }
  }
  rp.session_id = s->id;
  if (!s->auth) s->auth = std::make_unique<Authenticator>(auth_settings(*c.ctx),
                                                          *c.ctx->random, c.filetime_now);
  if (c.dialect == wire::smb2::dialect::k311) s->preauth.update(rq.pdu);

  AuthResult r = s->auth->step(req->security_buffer);
  wire::smb2::SessionSetupResponse body;
  switch (r.state) {
    case AuthResult::State::Continue:
      rp.status = st::kMoreProcessingRequired;
      body.security_buffer = std::move(r.token);
      wire::smb2::encode_session_setup_response(body, rp.body());
      return;
    case AuthResult::State::Failed: {
      std::uint32_t status = r.status ? r.status : st::kLogonFailure;
      emit(rp.after, Event{"logon failure: " + r.why});
      bool was_valid = s->state == Session::State::Valid;
      if (was_valid) {
        s->auth.reset();  // a failed re-authentication leaves the session as it was
      } else {
        c.drop_session(s->id, rp.after);
      }
      return rp.fail(status);
    }
    case AuthResult::State::Done:
      break;
  }

  s->auth.reset();
  s->identity = r.identity;
  s->session_flags = r.identity.anonymous ? wire::smb2::session_flag::kIsNull
                     : r.identity.guest   ? wire::smb2::session_flag::kIsGuest
                                          : 0;
  const bool user = r.session_key && !r.identity.guest && !r.identity.anonymous;
  if (user) {
    s->signer = signing::Signer::for_session(c.dialect, *r.session_key, s->preauth.value(),
                                             c.signing_algorithm_311);
    s->signing_required =
        (req->security_mode & wire::smb2::security_mode::kSigningRequired) ||
        c.ctx->settings.signing == config::SmbSigning::Required;
    // 3.x clients check the final response's signature on a user session (3.2.5.3.1).
    if (c.dialect >= wire::smb2::dialect::k300) rp.sign = Reply::Sign::Always;
  } else {
    s->signer.reset();
    s->signing_required = false;
    rp.sign = Reply::Sign::Never;
  }
  // The channel the session was set up on signs with the session's key; a re-authentication on
  // a session with further channels leaves their keys as they are.
  if (Channel* ch = s->channel(&c); ch && s->channels.size() == 1) ch->signer = s->signer;
  bool first = s->state != Session::State::Valid;
  s->state = Session::State::Valid;

  std::string signing = !user ? "unsigned" : s->signing_required ? "signed" : "signing available";
  emit(rp.after, Event{std::string(first ? "session " : "re-authenticated session ") +
                       hex_id(s->id) + " " + who(r.identity) + " SMB " +
                       wire::smb2::dialect_str(c.dialect) + " " + signing});

  rp.status = st::kSuccess;
  body.session_flags = s->session_flags;
  body.security_buffer = std::move(r.token);
  wire::smb2::encode_session_setup_response(body, rp.body());
}

}  // namespace pxe::proto::smb2
