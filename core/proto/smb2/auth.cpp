#include "proto/smb2/auth.h"

#include "wire/smb2/status.h"

namespace pxe::proto::smb2 {

Authenticator::Authenticator(const AuthSettings& s, Random& random, std::uint64_t filetime_now)
    : settings_(s), random_(random), filetime_now_(filetime_now) {}

AuthResult Authenticator::step(ByteSpan) {
  AuthResult r;
  r.state = AuthResult::State::Failed;
  r.status = wire::smb2::status::kLogonFailure;
  r.why = "not implemented yet";
  return r;
}

Bytes negotiate_security_blob() { return {}; }

}  // namespace pxe::proto::smb2
