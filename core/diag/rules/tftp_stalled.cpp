// PXE-E35: a transfer that started and then stopped without an error or its last block.
// The silence that matters is the server's: a stalled client keeps re-sending its last ACK
// (iPXE, EDK2), so the transfer's latest packet may be recent while no DATA has come for long.
#include "diag/rules/common.h"

namespace pxe::diag::rules {

void tftp_stalled(const ClientContext& c, std::vector<Finding>& out) {
  if (c.from_log) return;
  for (const auto& t : c.transfers) {
    if (!t.answered || t.completed || t.server_error || t.client_error || !t.last_server) continue;
    double idle = seconds(c.capture_end - t.last_server->time);
    if (idle < 5) continue;  // the capture simply ended during the transfer
    // ACK events come merged into runs (event_builder), so a retry shows as the run's latest
    // ACK arriving after the server's last packet.
    const Event* last_retry = nullptr;
    for (const Event* e : c.events)
      if (e->kind == EventKind::TftpAck && e->time > t.last_server->time && e->dst == t.server &&
          e->sport == t.client_port && (!last_retry || e->time > last_retry->time))
        last_retry = e;
    Finding f = failure("tftp-transfer-stalled", "PXE-E35", c,
                        fmt::format("the transfer of {} stopped after {} blocks ({} bytes): the server sent nothing more "
                                    "for {:.0f} s",
                                    t.file, t.blocks, t.bytes, idle));
    if (last_retry)
      f.cause += fmt::format(" although the client kept re-sending its ACK of block {} for {:.0f} s (the server hung, "
                             "lost its route, or a firewall dropped the transfer port)",
                             last_retry->block, seconds(last_retry->time - t.last_server->time));
    if (t.fragmented)
      f.cause += fmt::format("; its {}-byte blocks were IP-fragmented, and one lost fragment loses the whole block", t.blksize);
    f.evidence.push_back(evidence(t.request, "RRQ " + t.file));
    f.evidence.push_back(evidence(t.last_server, fmt::format("last packet from the server ({} blocks)", t.blocks)));
    if (last_retry) f.evidence.push_back(evidence(last_retry, fmt::format("the client's last ACK {} retry", last_retry->block)));
    f.fix_dnsmasq = "tftp-mtu=1500 (cap blksize to the path MTU) or tftp-no-blocksize; check that the TFTP server is alive";
    f.fix_pxekit = "tftp-mtu=1500 in the config given to pxekit serve -C; check that pxekit serve is alive";
    out.push_back(std::move(f));
  }
}

}  // namespace pxe::diag::rules
