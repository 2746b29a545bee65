// PXE-E51: the client kept discovering and no offer reached it.
#include "diag/rules/common.h"

namespace pxe::diag::rules {

void no_offer(const ClientContext& c, std::vector<Finding>& out) {
  if (c.discovers.empty() || !c.offers.empty() || !c.acks.empty() || c.from_log) return;
  // One DISCOVER at the very end of a capture proves nothing: the offer may come next.
  const Event* first = c.discovers.front();
  if (c.discovers.size() < 2 && seconds(c.capture_end - first->time) < 4) return;
  Finding f = failure("no-offer", "PXE-E51", c,
                      fmt::format("{} DHCPDISCOVERs over {:.1f} s and no DHCP or proxyDHCP offer reached the client",
                                  c.discovers.size(), seconds(c.discovers.back()->time - first->time)));
  for (const Event* e : c.discovers) f.evidence.push_back(evidence(e, fmt::format("DHCPDISCOVER xid 0x{:08x}", e->xid)));
  f.fix_dnsmasq = "dhcp-range=192.168.42.10,192.168.42.20,12h (a DHCP server must answer on this segment; check interface=, the firewall for UDP 67/68 and the relay's ip helper-address)";
  f.fix_pxekit = "pxekit serve --interface <iface> (or -C dnsmasq.conf with a dhcp-range for this subnet)";
  out.push_back(std::move(f));
}

}  // namespace pxe::diag::rules
