// PXE-E55 (proxyDHCP on port 4011 silent) and PXE-E78 (boot server discovery unanswered).
#include "diag/rules/common.h"

namespace pxe::diag::rules {

void boot_server_unanswered(const ClientContext& c, std::vector<Finding>& out) {
  if (c.boot_requests.empty() || !c.boot_replies.empty()) return;
  bool proxy = std::any_of(c.offers.begin(), c.offers.end(), [](const Offer& o) { return o.proxy; });
  bool to_4011 = c.boot_requests.front()->dport == 4011;
  Finding f = proxy || to_4011
                  ? failure("proxy-4011-unanswered", "PXE-E55", c,
                            fmt::format("the client asked the proxyDHCP/boot server on UDP 4011 {} times and got no answer",
                                        c.boot_requests.size()))
                  : failure("boot-server-unanswered", "PXE-E78", c,
                            "boot server discovery (option 43.71 requests) got no answer");
  for (const Event* e : c.boot_requests)
    f.evidence.push_back(evidence(e, fmt::format("DHCPREQUEST to {}:{} unanswered", e->dst.str(), e->dport)));
  f.fix_dnsmasq = "pxe-service=x86PC,\"PXE boot\",pxelinux (the proxy must run the boot server; open UDP 4011 in the firewall and relay it across subnets), or remove option 60 PXEClient from the DHCP server if no PXE server runs there";
  f.fix_pxekit = "pxekit serve answers 4011 itself: dhcp-range=<net>,proxy plus pxe-service lines";
  out.push_back(std::move(f));
}

}  // namespace pxe::diag::rules
