// SESSION_SETUP ([MS-SMB2] 3.3.5.5) — reference section 2.4: SPNEGO/NTLMSSP through the
// Authenticator, session flags (IS_GUEST, IS_NULL), signing keys and the final response's
// signature, the 3.1.1 session pre-auth hash.
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

std::uint64_t new_session_id(ConnState& c) {
  while (true) {
    std::uint64_t id = std::uint64_t(c.ctx->random->next()) << 32 | c.ctx->random->next();
    if (id != 0 && id != ~0ull && !c.session(id)) return id;
  }
}

}  // namespace

void handle_session_setup(ConnState& c, Request& rq, Reply& rp) {
  auto req = wire::smb2::parse_session_setup_request(rq.pdu);
  if (!req) return rp.fail(st::kInvalidParameter);
  // Binding a session to a second channel needs MULTI_CHANNEL, which we do not offer.
  if (req->flags & wire::smb2::kSessionSetupBinding) return rp.fail(st::kRequestNotAccepted);

  Session* s = nullptr;
  if (rq.hdr.session_id == 0) {
    std::size_t live = c.sessions.size();
    if (live >= c.ctx->limits.max_sessions_per_connection)
      return rp.fail(st::kInsufficientResources);
    std::uint64_t id = new_session_id(c);
    s = &c.sessions[id];
    s->id = id;
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
        std::uint64_t id = s->id;
        c.sessions.erase(id);
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
  bool first = s->state != Session::State::Valid;
  s->state = Session::State::Valid;

  std::string who = r.identity.anonymous ? std::string("anonymous")
                    : "user '" + r.identity.user + "'" +
                          (r.identity.domain.empty() ? "" : " (" + r.identity.domain + ")") +
                          (r.identity.guest ? " as guest" : "");
  std::string signing = !user ? "unsigned" : s->signing_required ? "signed" : "signing available";
  emit(rp.after, Event{std::string(first ? "session " : "re-authenticated session ") +
                       hex_id(s->id) + " " + who + " SMB " +
                       wire::smb2::dialect_str(c.dialect) + " " + signing});

  rp.status = st::kSuccess;
  body.session_flags = s->session_flags;
  body.security_buffer = std::move(r.token);
  wire::smb2::encode_session_setup_response(body, rp.body());
}

}  // namespace pxe::proto::smb2
