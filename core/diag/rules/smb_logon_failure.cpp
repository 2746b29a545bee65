// `net use /user:...` with a wrong password: SESSION_SETUP answered STATUS_LOGON_FAILURE.
#include "diag/rules/common.h"

namespace pxe::diag::rules {

namespace {
constexpr std::uint32_t kLogonFailure = 0xC000006D;
}  // namespace

void smb_logon_failure(const ClientContext& c, std::vector<Finding>& out) {
  for (const Event* e : c.smb) {
    if (e->kind != EventKind::SmbSessionSetup || !e->is_response || e->status != kLogonFailure) continue;
    Finding f;
    f.id = "smb-logon-failure";
    f.severity = Severity::Failure;
    f.screen = "System error 1326 has occurred. The user name or password is incorrect.";
    f.cause = "the SMB server rejected the user name or password (STATUS_LOGON_FAILURE)";
    f.evidence.push_back(evidence(e, smb::status_text(*e, {})));
    f.fix_dnsmasq = "smb.conf: map to guest = Bad User (unknown users become guest), or use an existing account in net use /user:";
    f.fix_pxekit = "net use /user:<user> <password> exactly as given to pxekit serve --smb-user user:password (a known name "
                   "with a wrong password is refused; unknown names become guest with map to guest = Bad User)";
    out.push_back(std::move(f));
  }
}

}  // namespace pxe::diag::rules
