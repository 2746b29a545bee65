// WinPE's `net use` without /user: an anonymous/guest session the client then drops before any
// TREE_CONNECT ("System error 58"). A client whose NEGOTIATE required signing is
// smb_guest_signing_required's case.
#include <map>

#include "diag/rules/common.h"

namespace pxe::diag::rules {

void smb_anonymous_hangup(const ClientContext& c, std::vector<Finding>& out) {
  struct Conn {
    const Event* anon = nullptr;    // the anonymous/guest session set up on it
    bool tree = false;              // a TREE_CONNECT followed it
    bool signing_required = false;  // the client's NEGOTIATE
  };
  std::map<std::uint16_t, Conn> conns;
  for (const Event* e : c.smb) {
    Conn& k = conns[smb_connection(*e)];
    if (smb::is_negotiate_request(*e)) k.signing_required = e->signing_required;
    if (smb::is_guest_session(*e)) {
      if (!k.anon) k.anon = e;
      k.tree = false;
    }
    if (e->kind == EventKind::SmbTreeConnect && !e->is_response) k.tree = true;
    if (e->kind != EventKind::TcpClose) continue;
    if (e->from_client && k.anon && !k.tree && !k.signing_required) {
      Finding f;
      f.id = "smb-anonymous-hangup";
      f.severity = Severity::Failure;
      f.screen = "System error 58 has occurred. The specified server cannot perform the requested operation.";
      f.cause = "the client got an anonymous/guest SMB session it cannot sign or validate and hung up before connecting "
                "to the share (WinPE's net use without /user)";
      f.evidence.push_back(evidence(k.anon, "SESSION_SETUP anonymous/guest"));
      f.evidence.push_back(evidence(e, e->rst ? "client reset the connection" : "client closed the connection"));
      f.fix_dnsmasq = "net use I: \\\\server\\share /user:user pass (any name and password; smb.conf: map to guest = Bad User)";
      f.fix_pxekit = "net use with /user:user pass against pxekit's SMB server (guest mapping for unknown users)";
      out.push_back(std::move(f));
    }
    k = Conn{};
  }
}

}  // namespace pxe::diag::rules
