// WinPE's `net use` against an SMB server: an anonymous/guest session the client then drops
// ("System error 58"), logon failure, access denied, a missing share.
#include "diag/rules/common.h"

#include <map>

namespace pxe::diag::rules {

namespace {
constexpr std::uint32_t kLogonFailure = 0xC000006D, kAccessDenied = 0xC0000022, kBadNetworkName = 0xC00000CC;
constexpr std::uint16_t kGuest = 1, kNull = 2;
}  // namespace

void smb_session(const ClientContext& c, std::vector<Finding>& out) {
  struct Conn {
    const Event* anon = nullptr;  // the last anonymous/guest session set up on it
    bool tree = false;            // a TREE_CONNECT followed it
    bool signing_required = false;  // the client's NEGOTIATE: smb_guest_signing_required's case
    Text share;                     // the last TREE_CONNECT request's path
  };
  std::map<std::uint16_t, Conn> conns;
  for (const Event* e : c.smb) {
    Conn& k = conns[smb_connection(*e)];
    if (e->kind == EventKind::SmbOther && e->smb_command == 0 && !e->is_response) k.signing_required = e->signing_required;
    if (e->kind == EventKind::SmbSessionSetup && !e->is_response && e->has_authenticate && e->anonymous) {
      k.anon = e;
      k.tree = false;
    }
    if (e->kind == EventKind::SmbSessionSetup && e->is_response && e->status == 0 && (e->session_flags & (kGuest | kNull))) {
      if (!k.anon) k.anon = e;
      k.tree = false;
    }
    if (e->kind == EventKind::SmbTreeConnect && !e->is_response) {
      k.tree = true;
      k.share = e->path;
    }
    if (e->kind == EventKind::TcpClose && e->from_client && k.anon && !k.tree && !k.signing_required) {
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
    if (e->kind == EventKind::TcpClose) k = Conn{};
    if (!e->is_response) continue;
    auto add = [&](std::string id, std::string screen, std::string cause, std::string fix_smb_conf, std::string fix_pxekit) {
      Finding f;
      f.id = std::move(id);
      f.severity = Severity::Failure;
      f.screen = std::move(screen);
      f.cause = std::move(cause);
      bool tree = e->kind == EventKind::SmbTreeConnect && !k.share.empty();
      f.evidence.push_back(evidence(e, tree ? fmt::format("status 0x{:08X} for {}", e->status, k.share)
                                            : fmt::format("status 0x{:08X}", e->status)));
      f.fix_dnsmasq = std::move(fix_smb_conf);
      f.fix_pxekit = std::move(fix_pxekit);
      out.push_back(std::move(f));
    };
    if (e->kind == EventKind::SmbSessionSetup && e->status == kLogonFailure)
      add("smb-logon-failure", "System error 1326 has occurred. The user name or password is incorrect.",
          "the SMB server rejected the user name or password (STATUS_LOGON_FAILURE)",
          "smb.conf: map to guest = Bad User (unknown users become guest), or use an existing account in net use /user:",
          "net use /user:<user> <password> exactly as given to pxekit serve --smb-user user:password (a known name "
          "with a wrong password is refused; unknown names become guest with map to guest = Bad User)");
    if (e->kind == EventKind::SmbTreeConnect && e->status == kAccessDenied) {
      if (k.anon)  // the session on this connection is a guest/anonymous one
        add("smb-access-denied", "System error 5 has occurred. Access is denied.",
            "the share refuses guests (no guest ok) and the client's session is a guest/anonymous one "
            "(STATUS_ACCESS_DENIED on TREE_CONNECT)",
            "smb.conf: guest ok = yes on the share, or net use /user:<user> <password> with an account in valid users",
            "guest ok = yes in the share's section of --smb-conf (--share NAME=DIR shares admit no guests), or "
            "net use /user:user pass with an --smb-user account");
      else
        add("smb-access-denied", "System error 5 has occurred. Access is denied.",
            "the SMB server denied access to the share (STATUS_ACCESS_DENIED)",
            "smb.conf: guest ok = yes on the share, or valid users = <the user>",
            "guest ok = yes on the share in --smb-conf, or valid users = <the user>");
    }
    if (e->kind == EventKind::SmbTreeConnect && e->status == kBadNetworkName)
      add("smb-bad-share", "System error 67 has occurred. The network name cannot be found.",
          "the share named in net use does not exist on the server (STATUS_BAD_NETWORK_NAME)",
          "use the share's exact name from smb.conf ([guest] -> \\\\server\\guest)",
          "use a share pxekit serves: a section of --smb-conf or NAME of --share NAME=DIR (\\\\server\\NAME)");
  }
}

}  // namespace pxe::diag::rules
