// PXE-E11: the client ARPs for its TFTP / boot server and nobody answers.
#include "diag/rules/common.h"

#include <map>
#include <set>

namespace pxe::diag::rules {

namespace {

// Where this client was told to fetch its boot files: next-server (siaddr) of its ACKs and of
// its proxy/boot-server replies, option 66 when it is an address, the DHCP server itself when
// siaddr is 0 (what PXE ROMs fall back to), and the servers its RRQs went to. An ARP for any
// other host (a printer, a neighbour, a conflict check) says nothing about the boot.
std::set<std::uint32_t> boot_servers(const ClientContext& c) {
  std::set<std::uint32_t> s;
  auto from_reply = [&s](const Event* e) {
    if (!e->siaddr.is_zero()) s.insert(e->siaddr.value);
    else if (!e->server_id.is_zero()) s.insert(e->server_id.value);
    if (auto ip = Ipv4::parse(e->tftp_server.view())) s.insert(ip->value);
  };
  for (const Event* e : c.acks) from_reply(e);
  for (const Event* e : c.boot_replies) from_reply(e);
  for (const Offer& o : c.offers)
    if (o.proxy) from_reply(o.ev);
  for (const Transfer& t : c.transfers)
    if (!t.server.is_zero()) s.insert(t.server.value);
  return s;
}

}  // namespace

void arp_unanswered(const ClientContext& c, std::vector<Finding>& out) {
  if (c.acks.empty() || c.from_log) return;
  std::set<std::uint32_t> servers = boot_servers(c);
  std::map<std::uint32_t, std::vector<const Event*>> asked;
  for (const Event* e : c.arp_requests)
    if (e->src != e->dst && !e->src.is_zero() && servers.count(e->dst.value))  // not probes/announcements
      asked[e->dst.value].push_back(e);
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
