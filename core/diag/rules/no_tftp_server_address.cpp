// PXE-E7B: a boot file but no server to fetch it from (siaddr 0, no 43, no proxy), and the
// related warning that option 66 alone is ignored by PXE ROMs, EDK2 and pxelinux.
#include "diag/rules/common.h"

namespace pxe::diag::rules {

void no_tftp_server_address(const ClientContext& c, std::vector<Finding>& out) {
  if (c.firmware == Firmware::LinuxDhcp || c.firmware == Firmware::WinPe) return;
  const Offer* chosen = nullptr;
  for (const auto& o : c.offers)
    if (!o.proxy && o.has_bootfile()) chosen = &o;
  if (!chosen) return;
  const Event* e = chosen->ev;
  if (!e->siaddr.is_zero()) return;
  bool proxy = std::any_of(c.offers.begin(), c.offers.end(), [](const Offer& o) { return o.proxy; });
  // Option 43 with a boot server list/menu names the servers; with only discovery control bit 3
  // ("use the boot file in the offer", what pxekit serve sends) the file is fetched from siaddr.
  bool use_bootfile = e->pxe_discovery_control & 0x08;
  if (proxy || (e->has_pxe_options && !use_bootfile)) return;
  // iPXE also asks port 4011 of a server whose offer says PXEClient: a boot server ACK with an
  // siaddr would tell it where to go.
  for (const Event* r : c.boot_replies)
    if (!r->siaddr.is_zero()) return;
  if (!e->tftp_server.empty()) {
    Finding w;
    w.id = "option66-ignored";
    w.severity = Severity::Warning;
    w.cause = "the offer names the TFTP server only in option 66 (\"" + e->tftp_server +
              "\") with siaddr 0.0.0.0: PXE ROMs, EDK2 and pxelinux ignore option 66 and use siaddr or the DHCP server's address";
    w.evidence.push_back(evidence(e, offer_text(*chosen)));
    w.fix_dnsmasq = "dhcp-boot=pxelinux.0,,<tftp-server-ip> (sets siaddr/next-server)";
    w.fix_pxekit = "dhcp-boot=pxelinux.0,,<tftp-server-ip> in the config given to pxekit serve -C";
    out.push_back(std::move(w));
  }
  if (!c.transfers.empty()) return;  // it fell back to option 54 and fetched something
  Finding f = failure("no-tftp-server-address", "PXE-E7B", c,
                      "the offer has a boot file but siaddr is 0.0.0.0, and neither a proxy offer nor a boot server list "
                      "(option 43) names a server: the firmware does not know which one to fetch it from");
  f.evidence.push_back(evidence(e, offer_text(*chosen)));
  f.fix_dnsmasq = "dhcp-boot=pxelinux.0,,<tftp-server-ip>";
  f.fix_pxekit = "dhcp-boot=pxelinux.0,,<tftp-server-ip> in the config given to pxekit serve -C";
  out.push_back(std::move(f));
}

}  // namespace pxe::diag::rules
