// SMB2 SESSION_SETUP authentication, server side, sans I/O: SPNEGO ([RFC 4178]) around NTLMSSP
// ([MS-NLMP]), NTLMv2 verified for the configured accounts (proto/smb2/ntlm.h).
//
//   request 1  negTokenInit { mechTypes [NTLMSSP], mechToken NEGOTIATE }   (or raw NEGOTIATE)
//   reply 1    MORE_PROCESSING_REQUIRED, negTokenResp { accept-incomplete, NTLMSSP, CHALLENGE }
//   request 2  negTokenResp { responseToken AUTHENTICATE, [mechListMIC] }  (or raw AUTHENTICATE)
//   reply 2    SUCCESS, negTokenResp { accept-completed, [mechListMIC] }   (raw: empty buffer)
//              or LOGON_FAILURE (no token)
//
// Who gets what (../shared/reference/smb2-server.md 2.4, 3):
//   configured user, right NTLMv2      -> user session, session key = ExportedSessionKey
//   configured user, wrong password    -> LOGON_FAILURE (guest under map to guest = Bad Password)
//   unknown user                       -> guest under Bad User / Bad Password, else LOGON_FAILURE
//   empty user and empty responses     -> anonymous (the caller sets SessionFlags IS_NULL)
//   NTLMv1 / LM only, bad MIC          -> as a wrong password
// The mechListMIC ([MS-SPNG] 3.1.5.1): checked when the client sends one (a wrong one fails the
// logon); ours is sent when the client sent one, and only for a user session (guest and
// anonymous have no key).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/random.h"
#include "config/smb_settings.h"
#include "proto/smb2/crypto/primitives.h"

namespace pxe::proto::smb2 {

struct Identity {
  std::string user, domain, workstation;
  bool guest = false, anonymous = false;
};

struct AuthResult {
  enum class State { Continue, Done, Failed } state = State::Failed;
  Bytes token;                               // security buffer of the SESSION_SETUP response
  std::uint32_t status = 0;                  // MORE_PROCESSING_REQUIRED / SUCCESS / LOGON_FAILURE ...
  Identity identity;                         // with Done
  std::optional<crypto::Key16> session_key;  // the ExportedSessionKey of a verified NTLMv2 user
  std::string why;                           // for the log when Failed, or why a logon became
                                             // guest (never sent)
};

struct AuthSettings {  // from config::SmbSettings
  std::vector<config::SmbAccount> accounts;
  config::MapToGuest map_to_guest = config::MapToGuest::Never;
  std::string netbios_name, workgroup, dns_name;  // for the CHALLENGE's target info
};

class Authenticator {  // one per SESSION_SETUP exchange (one session)
 public:
  Authenticator(const AuthSettings&, Random&, std::uint64_t filetime_now);
  // SPNEGO or raw NTLMSSP in, response token out. After Done or Failed every further step
  // fails.
  AuthResult step(ByteSpan security_buffer);

  // The CHALLENGE message sent (empty before the first step); for tests and the log.
  const Bytes& challenge_message() const { return challenge_; }

 private:
  enum class Stage { ExpectNegotiate, ExpectAuthenticate, Finished };
  AuthResult on_negotiate(ByteSpan ntlmssp);
  AuthResult on_authenticate(ByteSpan ntlmssp, const std::optional<Bytes>& mech_list_mic);
  AuthResult fail(std::uint32_t status, std::string why);
  AuthResult done(Identity id, std::optional<crypto::Key16> key, std::optional<Bytes> mech_list_mic);

  AuthSettings settings_;
  Random& random_;
  std::uint64_t filetime_now_;
  Stage stage_ = Stage::ExpectNegotiate;
  bool spnego_ = true;        // the client wrapped its tokens in SPNEGO
  bool mic_required_ = false; // NTLMSSP was not the client's first mech: mechListMIC mandatory
  bool mech_selected_ = false; // supportedMech sent before the NTLMSSP exchange began
  Bytes mech_types_der_;      // from the client's negTokenInit (mechListMIC input)
  Bytes negotiate_;           // raw NTLMSSP NEGOTIATE (MIC input)
  Bytes challenge_;           // raw NTLMSSP CHALLENGE we sent
  std::uint32_t negotiated_flags_ = 0;
  std::array<std::uint8_t, 8> server_challenge_{};
};

Bytes negotiate_security_blob();  // NEGOTIATE response security buffer (SPNEGO init)

}  // namespace pxe::proto::smb2
