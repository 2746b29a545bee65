// PXE-E55 (the proxyDHCP server's port 4011 silent) and PXE-E78 (boot server discovery
// unanswered). Both go to UDP 4011; what tells them apart is the request: boot server discovery
// names a menu item (option 43 sub-option 71, "PXEBS" in iPXE), the proxyDHCP request does not
// (EDK2 asks the proxy on 4011 for the boot file of the offer it took).
#include "diag/rules/common.h"

namespace pxe::diag::rules {

namespace {

// From the DHCP server's and the proxy's logs together: the proxy offered PXE, the DHCP server
// acknowledged an address, and then the proxy logged nothing more for this client -- no
// port-4011 line, no TFTP. A packet dropped on its way to 4011 never reaches the log, so its
// absence is the evidence (captures bios-bootserver-silent, bios-/edk2-proxy-4011-silent).
void from_logs(const ClientContext& c, std::vector<Finding>& out) {
  if (!c.boot_requests.empty() || !c.transfers.empty()) return;
  const Offer* proxy = nullptr;
  for (const auto& o : c.offers)
    if (o.proxy) proxy = &o;
  const Event* ack = nullptr;
  for (const Event* a : c.acks)
    if (!a->yiaddr.is_zero()) ack = a;
  if (!proxy || !ack || ack->time < proxy->ev->time) return;
  // A boot menu (discovery control without bit 3, "use the boot file") sends PXE ROMs and iPXE to
  // boot server discovery (43.71); EDK2 and a menu-less proxy get a plain proxyDHCP request.
  bool discovery = c.firmware != Firmware::UefiPxe && proxy->ev->has_pxe_options &&
                   !(proxy->ev->pxe_discovery_control & 0x08);
  Ipv4 server = proxy->server();
  Finding f = discovery ? failure("boot-server-unanswered", "PXE-E78", c,
                                  "the proxy " + server.str() + " offered a boot menu and the client got its address, but "
                                  "no boot server request (UDP 4011) from it reached the proxy's log: dropped on the way or "
                                  "never sent")
                        : failure("proxy-4011-unanswered", "PXE-E55", c,
                                  "the proxy " + server.str() + " offered PXE and the client got its address, but no "
                                  "proxyDHCP request (UDP 4011) from it reached the proxy's log: dropped on the way or "
                                  "never sent");
  f.evidence.push_back(evidence(proxy->ev, offer_text(*proxy)));
  f.evidence.push_back(evidence(ack, "DHCPACK " + ack->yiaddr.str() + " from " + ack->src.str()));
  f.fix_dnsmasq = "open UDP 4011 to the proxyDHCP server " + server.str() +
                  " (its firewall, and the relay if the client is on another subnet)";
  f.fix_pxekit = "pxekit serve with dhcp-range=<net>,proxy answers 4011 itself; open UDP 4011 to it";
  out.push_back(std::move(f));
}

}  // namespace

void boot_server_unanswered(const ClientContext& c, std::vector<Finding>& out) {
  if (c.from_log) return from_logs(c, out);
  if (c.boot_requests.empty() || !c.boot_replies.empty()) return;
  bool discovery = std::all_of(c.boot_requests.begin(), c.boot_requests.end(),
                               [](const Event* e) { return e->pxe_boot_item; });
  const Event* first = c.boot_requests.front();
  Finding f = discovery
                  ? failure("boot-server-unanswered", "PXE-E78", c,
                            fmt::format("boot server discovery (option 43.71 boot item requests to {}:{}) got no "
                                        "answer after {} tries: the boot server named in the proxy's menu is not "
                                        "listening or UDP {} is blocked",
                                        first->dst.str(), first->dport, c.boot_requests.size(), first->dport))
                  : failure("proxy-4011-unanswered", "PXE-E55", c,
                            fmt::format("the client asked the proxyDHCP server {} on UDP 4011 for its boot file {} times "
                                        "and got no answer",
                                        first->dst.str(), c.boot_requests.size()));
  for (const Event* e : c.boot_requests)
    f.evidence.push_back(evidence(e, fmt::format("DHCPREQUEST{} to {}:{} unanswered", e->pxe_boot_item ? " (boot item)" : "",
                                                 e->dst.str(), e->dport)));
  if (discovery) {
    f.fix_dnsmasq = fmt::format("the boot server {} must answer UDP {}: open it in its firewall; a pxe-service line "
                                "naming another server (pxe-service=x86PC,\"PXE boot\",pxelinux,<ip>) needs a boot "
                                "server running there",
                                first->dst.str(), first->dport);
    f.fix_pxekit = "pxekit serve answers 4011 as a boot server itself (dhcp-range=<net>,proxy plus pxe-service lines); open UDP 4011 to it";
  } else {
    f.fix_dnsmasq = fmt::format("the proxyDHCP server {} must answer UDP 4011 (dnsmasq with dhcp-range=<net>,proxy "
                                "does): open 4011 in its firewall and forward it across relays, or remove option 60 "
                                "PXEClient from the DHCP server if no proxyDHCP runs",
                                first->dst.str());
    f.fix_pxekit = "pxekit serve with dhcp-range=<net>,proxy answers 4011 itself; open UDP 4011 to it";
  }
  out.push_back(std::move(f));
}

}  // namespace pxe::diag::rules
