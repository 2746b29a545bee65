// PXE-E53: offers carried an address but no boot file name, and no proxyDHCP/PXE information.
#include "diag/rules/common.h"

namespace pxe::diag::rules {

void no_boot_filename(const ClientContext& c, std::vector<Finding>& out) {
  if (c.firmware == Firmware::LinuxDhcp || c.firmware == Firmware::WinPe) return;  // not a PXE boot
  std::vector<const Offer*> dhcp;
  for (const auto& o : c.offers) {
    if (o.proxy || o.has_bootfile() || o.ev->has_pxe_options) return;  // something to boot from
    dhcp.push_back(&o);
  }
  for (const Event* a : c.acks)
    if (!a->bootfile.empty()) return;
  if (dhcp.empty() && c.acks.empty()) return;
  if (!c.transfers.empty()) return;  // it found something to download after all
  Finding f = failure("no-boot-filename", "PXE-E53", c,
                      "the DHCP offers give an address but no boot file name (empty `file`, no option 67) and no "
                      "proxyDHCP server answered, so the firmware has nothing to download");
  if (c.from_log)
    f.cause += " (a log shows one server's view: if a proxyDHCP server runs elsewhere, pass its log too)";
  for (const Offer* o : dhcp) f.evidence.push_back(evidence(o->ev, offer_text(*o)));
  for (const Event* a : c.acks) f.evidence.push_back(evidence(a, "DHCPACK " + a->yiaddr.str() + " without a boot file"));
  if (c.is_uefi()) {
    f.fix_dnsmasq = "dhcp-match=set:efi-x86_64,option:client-arch,7\ndhcp-boot=tag:efi-x86_64,syslinux.efi";
    f.fix_pxekit = "the same two lines in the dnsmasq.conf given to pxekit serve -C (boot file by architecture)";
  } else {
    f.fix_dnsmasq = "dhcp-boot=pxelinux.0";
    f.fix_pxekit = "dhcp-boot=pxelinux.0 in the config given to pxekit serve -C (or pxekit serve --tftp-root DIR, which picks the boot file from the root)";
  }
  out.push_back(std::move(f));
}

}  // namespace pxe::diag::rules
