// `net use \\server\name` for a share the server does not have: TREE_CONNECT answered
// STATUS_BAD_NETWORK_NAME.
#include <map>

#include "diag/rules/common.h"

namespace pxe::diag::rules {

namespace {
constexpr std::uint32_t kBadNetworkName = 0xC00000CC;
}  // namespace

void smb_bad_share(const ClientContext& c, std::vector<Finding>& out) {
  std::map<std::uint16_t, Text> share;  // per connection: the last TREE_CONNECT request's path
  for (const Event* e : c.smb) {
    if (e->kind != EventKind::SmbTreeConnect) continue;
    Text& s = share[smb_connection(*e)];
    if (!e->is_response) {
      s = e->path;
      continue;
    }
    if (e->status != kBadNetworkName) continue;
    Finding f;
    f.id = "smb-bad-share";
    f.severity = Severity::Failure;
    f.screen = "System error 67 has occurred. The network name cannot be found.";
    f.cause = "the share named in net use does not exist on the server (STATUS_BAD_NETWORK_NAME)";
    f.evidence.push_back(evidence(e, smb::status_text(*e, s)));
    f.fix_dnsmasq = "use the share's exact name from smb.conf ([guest] -> \\\\server\\guest)";
    f.fix_pxekit = "use a share pxekit serves: a section of --smb-conf or NAME of --share NAME=DIR (\\\\server\\NAME)";
    out.push_back(std::move(f));
  }
}

}  // namespace pxe::diag::rules
