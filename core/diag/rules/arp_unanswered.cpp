// PXE-E11: the client ARPs for its TFTP server (or gateway) and nobody answers.
#include "diag/rules/common.h"

#include <map>

namespace pxe::diag::rules {

void arp_unanswered(const ClientContext& c, std::vector<Finding>& out) {
  if (c.acks.empty() || c.from_log) return;
  std::map<std::uint32_t, std::vector<const Event*>> asked;
  for (const Event* e : c.arp_requests)
    if (e->src != e->dst && !e->src.is_zero()) asked[e->dst.value].push_back(e);  // not probes/announcements
  for (auto& [target, reqs] : asked) {
    bool answered = std::any_of(c.arp_replies.begin(), c.arp_replies.end(),
                                [t = target](const Event* r) { return r->src.value == t; });
    // Talking to the target afterwards also proves resolution (the reply may not be captured).
    answered |= std::any_of(c.transfers.begin(), c.transfers.end(),
                            [t = target](const Transfer& x) { return x.server.value == t && x.answered; });
    if (answered || reqs.size() < 4) continue;
    Finding f = failure("arp-unanswered", "PXE-E11", c,
                        fmt::format("{} ARP requests for {} went unanswered: the boot server or gateway is not on this segment "
                                    "or not up", reqs.size(), Ipv4(target).str()));
    for (const Event* e : reqs) f.evidence.push_back(evidence(e, "ARP who-has " + e->dst.str()));
    f.fix_dnsmasq = "dhcp-boot=pxelinux.0,,<tftp-server-ip reachable on this segment> and dhcp-option=3,<router>";
    f.fix_pxekit = "the same dhcp-boot/next-server in the config given to pxekit serve -C";
    out.push_back(std::move(f));
  }
}

}  // namespace pxe::diag::rules
