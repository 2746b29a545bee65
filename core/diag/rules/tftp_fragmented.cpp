// TFTP blocks larger than the path MTU arrive as IP fragments: fine on a LAN, fatal where a
// firewall or NAT drops fragments (the transfer stalls, PXE-E35).
#include "diag/rules/common.h"

namespace pxe::diag::rules {

void tftp_fragmented(const ClientContext& c, std::vector<Finding>& out) {
  for (const auto& t : c.transfers) {
    if (!t.fragmented) continue;
    Finding f;
    f.id = "tftp-blocks-fragmented";
    f.severity = Severity::Warning;
    f.cause = fmt::format("{} was sent in {}-byte blocks, larger than the path MTU, so every block travelled as IP fragments",
                          t.file, t.blksize);
    f.evidence.push_back(evidence(t.request, "RRQ " + t.file));
    f.fix_dnsmasq = "tftp-mtu=1500 (dnsmasq caps blksize at MTU-32)";
    f.fix_pxekit = "pxekit serve clamps blksize to the interface MTU by default; set tftp-mtu for the path";
    out.push_back(std::move(f));
  }
}

}  // namespace pxe::diag::rules
