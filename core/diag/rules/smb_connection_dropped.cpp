// An SMB connection that ends before the client is done with it: the server closes or resets it
// mid-session (smb-server-hangup), or the client hangs up right after the server's NEGOTIATE
// response, before any SESSION_SETUP (smb-negotiate-hangup): "System error 58" in `net use`.
#include <map>

#include "diag/rules/common.h"

namespace pxe::diag::rules {

void smb_connection_dropped(const ClientContext& c, std::vector<Finding>& out) {
  struct Conn {
    const Event* last_request = nullptr;  // the client's last SMB2 request
    const Event* negotiated = nullptr;    // a successful NEGOTIATE response
    bool session_setup = false;           // the client sent a SESSION_SETUP
    bool closed = false;                  // one side closed already (FIN/RST)
  };
  std::map<std::uint16_t, Conn> conns;
  for (const Event* e : c.smb) {
    if (e->kind == EventKind::TcpOpen) continue;  // the handshake is smb_no_server's
    Conn& k = conns[smb_connection(*e)];
    if (e->kind != EventKind::TcpClose) {
      // A NEGOTIATE request starts a connection (the port may be reused); after a close, later
      // requests (the client not yet aware of it) are answered by RSTs: one finding, not two.
      if (smb::is_negotiate_request(*e)) k = Conn{};
      if (k.closed) continue;
      if (!e->is_response) k.last_request = e;
      if (e->kind == EventKind::SmbOther && e->smb_command == 0 && e->is_response && e->status == 0) k.negotiated = e;
      if (e->kind == EventKind::SmbSessionSetup && !e->is_response) k.session_setup = true;
      continue;
    }
    if (k.closed) continue;
    k.closed = true;
    const char* how = e->rst ? "reset" : "closed";
    if (!e->from_client && k.last_request) {
      Finding f;
      f.id = "smb-server-hangup";
      f.severity = Severity::Failure;
      f.screen = "System error 64 has occurred. The specified network name is no longer available. (System error 58 "
                 "when it happens during net use's logon)";
      f.cause = fmt::format("the SMB server {} the TCP connection while the client was still using it", how);
      f.evidence.push_back(evidence(k.last_request, "the client's last SMB2 request"));
      f.evidence.push_back(evidence(e, fmt::format("server {} the connection", how)));
      f.fix_dnsmasq = "look at the SMB server's log at that moment (smbd's log.%m: a crash, a restart, deadtime, or a "
                      "request it answers by dropping the connection)";
      f.fix_pxekit = "pxekit serve --log-level debug logs why its SMB service closed the connection (and whether it "
                     "was stopped or restarted)";
      out.push_back(std::move(f));
    } else if (e->from_client && k.negotiated && !k.session_setup) {
      Finding f;
      f.id = "smb-negotiate-hangup";
      f.severity = Severity::Failure;
      f.screen = "System error 58 has occurred. The specified server cannot perform the requested operation.";
      f.cause = "the client hung up right after the server's NEGOTIATE response, without a SESSION_SETUP: nothing "
                "the server offered suits it (dialect, signing or encryption policy, or a security mechanism: e.g. a "
                "Kerberos-only client and an NTLM-only server)";
      f.evidence.push_back(evidence(k.negotiated, "NEGOTIATE response"));
      f.evidence.push_back(evidence(e, fmt::format("client {} the connection", how)));
      f.fix_dnsmasq = "let the client log on with NTLM (net use /user:<user> <password> with a server-local account; "
                      "Kerberos needs the server in the domain) and check server min/max protocol and server signing "
                      "in smb.conf against the client's policy";
      f.fix_pxekit = "pxekit serve speaks SMB 2.0.2 to 3.1.1 with NTLM only: net use /user:user pass with an "
                     "--smb-user account";
      out.push_back(std::move(f));
    }
  }
}

}  // namespace pxe::diag::rules
