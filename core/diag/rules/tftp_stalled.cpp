// PXE-E35: a transfer that started and then stopped without an error or its last block.
#include "diag/rules/common.h"

namespace pxe::diag::rules {

void tftp_stalled(const ClientContext& c, std::vector<Finding>& out) {
  if (c.from_log) return;
  for (const auto& t : c.transfers) {
    if (!t.answered || t.completed || t.server_error || t.client_error || !t.last) continue;
    double idle = seconds(c.capture_end - t.last->time);
    if (idle < 5) continue;  // the capture simply ended during the transfer
    Finding f = failure("tftp-transfer-stalled", "PXE-E35", c,
                        fmt::format("the transfer of {} stopped after {} blocks ({} bytes) and nothing followed for {:.0f} s",
                                    t.file, t.blocks, t.bytes, idle));
    if (t.fragmented)
      f.cause += fmt::format("; its {}-byte blocks were IP-fragmented, and one lost fragment loses the whole block", t.blksize);
    f.evidence.push_back(evidence(t.request, "RRQ " + t.file));
    f.evidence.push_back(evidence(t.last, "last packet of the transfer"));
    f.fix_dnsmasq = "tftp-mtu=1500 (cap blksize to the path MTU) or tftp-no-blocksize";
    f.fix_pxekit = "tftp-mtu=1500 in the config given to pxekit serve -C";
    out.push_back(std::move(f));
  }
}

}  // namespace pxe::diag::rules
