// A client that requires signing (its NEGOTIATE says SIGNING_REQUIRED) gets a guest or anonymous
// session, which has no session key and so can never be signed: it hangs up before any
// TREE_CONNECT. Windows 11 24H2 and Server 2025 require signing by default (WinPE from the 24H2
// ADK too): `net use` shows System error 58 or 1272 against a guest-only share.
#include <map>

#include "diag/rules/common.h"

namespace pxe::diag::rules {

void smb_guest_signing_required(const ClientContext& c, std::vector<Finding>& out) {
  struct Conn {
    const Event* negotiate = nullptr;  // the client's NEGOTIATE, when it required signing
    const Event* guest = nullptr;      // the guest/anonymous session that followed
    bool tree = false;
  };
  std::map<std::uint16_t, Conn> conns;
  for (const Event* e : c.smb) {
    Conn& k = conns[smb_connection(*e)];
    if (smb::is_negotiate_request(*e)) {
      k = Conn{};
      if (e->signing_required) k.negotiate = e;
    }
    if (smb::is_guest_session(*e) && k.negotiate) k.guest = e;
    if (e->kind == EventKind::SmbTreeConnect && !e->is_response) k.tree = true;
    if (e->kind == EventKind::TcpClose) {
      if (e->from_client && k.negotiate && k.guest && !k.tree) {
        Finding f;
        f.id = "smb-guest-signing-required";
        f.severity = Severity::Failure;
        f.screen = "System error 1272 has occurred. You can't access this shared folder because your organization's "
                   "security policies block unauthenticated guest access. (or System error 58)";
        f.cause = "the client requires SMB signing and the server gave it a guest/anonymous session, which has no "
                  "session key and cannot be signed: the client hung up before connecting to the share (Windows 11 "
                  "24H2 and WinPE from its ADK require signing by default)";
        f.evidence.push_back(evidence(k.negotiate, "NEGOTIATE: client requires signing"));
        f.evidence.push_back(evidence(k.guest, k.guest->is_response
                                                   ? fmt::format("SESSION_SETUP: {} session",
                                                                 k.guest->session_flags & smb::kSessionGuest ? "guest" : "anonymous")
                                                   : "SESSION_SETUP anonymous"));
        f.evidence.push_back(evidence(e, e->rst ? "client reset the connection" : "client closed the connection"));
        f.fix_dnsmasq =
            "log on with a real account: smbpasswd -a <user> on the Samba server, then net use I: \\\\server\\share "
            "/user:<user> <password> (a guest mapping cannot be signed; turning RequireSecuritySignature off in the "
            "client's registry works too but weakens it)";
        f.fix_pxekit =
            "pxekit serve --smb-user user:pass, then net use I: \\\\server\\share /user:user pass (a real account gets a "
            "signed session)";
        out.push_back(std::move(f));
      }
      k = Conn{};
    }
  }
}

}  // namespace pxe::diag::rules
