// PXE-E52: only proxyDHCP offers (no address) arrived; nothing gave the client an address.
#include "diag/rules/common.h"

namespace pxe::diag::rules {

void only_proxy_offers(const ClientContext& c, std::vector<Finding>& out) {
  if (c.offers.empty() || !c.acks.empty() || !c.transfers.empty()) return;
  if (!std::all_of(c.offers.begin(), c.offers.end(), [](const Offer& o) { return o.proxy; })) return;
  if (seconds(c.capture_end - c.offers.back().ev->time) < 4 && c.discovers.size() < 2) return;
  Finding f = failure("only-proxy-offers", "PXE-E52", c,
                      "only proxyDHCP offers (yiaddr 0.0.0.0, PXEClient) arrived; no DHCP server gave the client an address");
  for (const auto& o : c.offers) f.evidence.push_back(evidence(o.ev, offer_text(o)));
  f.fix_dnsmasq = "dhcp-range=192.168.42.10,192.168.42.20,12h (a real DHCP range; or fix the existing DHCP server: pool exhausted, MAC filtered, relay missing)";
  f.fix_pxekit = "pxekit serve with a dhcp-range that is not ',proxy', or repair the site's DHCP server";
  out.push_back(std::move(f));
}

}  // namespace pxe::diag::rules
