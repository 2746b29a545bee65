// TREE_CONNECT answered STATUS_ACCESS_DENIED: after a guest/anonymous session on the same
// connection, a share without `guest ok` refusing the guest; otherwise the user is not admitted.
#include <map>

#include "diag/rules/common.h"

namespace pxe::diag::rules {

namespace {
constexpr std::uint32_t kAccessDenied = 0xC0000022;
}  // namespace

void smb_access_denied(const ClientContext& c, std::vector<Finding>& out) {
  struct Conn {
    bool guest = false;  // the session on it is a guest/anonymous one
    Text share;          // the last TREE_CONNECT request's path
  };
  std::map<std::uint16_t, Conn> conns;
  for (const Event* e : c.smb) {
    Conn& k = conns[smb_connection(*e)];
    if (smb::is_negotiate_request(*e) || e->kind == EventKind::TcpClose) k = Conn{};
    if (smb::is_guest_session(*e)) k.guest = true;
    if (e->kind == EventKind::SmbTreeConnect && !e->is_response) k.share = e->path;
    if (e->kind != EventKind::SmbTreeConnect || !e->is_response || e->status != kAccessDenied) continue;
    Finding f;
    f.id = "smb-access-denied";
    f.severity = Severity::Failure;
    f.screen = "System error 5 has occurred. Access is denied.";
    f.evidence.push_back(evidence(e, smb::status_text(*e, k.share)));
    if (k.guest) {
      f.cause = "the share refuses guests (no guest ok) and the client's session is a guest/anonymous one "
                "(STATUS_ACCESS_DENIED on TREE_CONNECT)";
      f.fix_dnsmasq = "smb.conf: guest ok = yes on the share, or net use /user:<user> <password> with an account in valid users";
      f.fix_pxekit = "guest ok = yes in the share's section of --smb-conf (--share NAME=DIR shares admit no guests), or "
                     "net use /user:user pass with an --smb-user account";
    } else {
      f.cause = "the SMB server denied access to the share (STATUS_ACCESS_DENIED)";
      f.fix_dnsmasq = "smb.conf: guest ok = yes on the share, or valid users = <the user>";
      f.fix_pxekit = "guest ok = yes on the share in --smb-conf, or valid users = <the user>";
    }
    out.push_back(std::move(f));
  }
}

}  // namespace pxe::diag::rules
