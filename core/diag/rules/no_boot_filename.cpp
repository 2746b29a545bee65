// PXE-E53: offers carried an address but no boot file name, and no proxyDHCP/PXE information.
#include "diag/rules/common.h"

namespace pxe::diag::rules {

namespace {

// The proxyDHCP/boot server answered the client's port-4011 request, but with no boot file: it
// has no pxe-service for the client's architecture (dnsmasq drops services whose CSA does not
// match option 93). EDK2 then prints PXE-E21.
bool boot_server_gave_no_file(const ClientContext& c, std::vector<Finding>& out) {
  if (c.boot_replies.empty() || !c.transfers.empty()) return false;
  for (const Event* r : c.boot_replies)
    if (!r->bootfile.empty()) return false;
  const Event* first = c.boot_replies.front();
  Finding f = failure("no-boot-filename", "PXE-E53", c,
                      fmt::format("the proxyDHCP/boot server {} answered the port-4011 request without a boot file: it "
                                  "has no boot service for this client's architecture (option 93 = {})",
                                  first->src.str(), c.arch.empty() ? 0 : c.arch.front()));
  if (c.firmware == Firmware::UefiPxe) f.screen = "PXE-E21: Remote boot cancelled.";
  for (const Event* e : c.boot_requests) f.evidence.push_back(evidence(e, "DHCPREQUEST to " + e->dst.str() + ":4011"));
  for (const Event* r : c.boot_replies) f.evidence.push_back(evidence(r, "DHCPACK from " + r->src.str() + ":4011 without a boot file"));
  std::sort(f.evidence.begin(), f.evidence.end(), [](const Evidence& a, const Evidence& b) { return a.frame < b.frame; });
  if (c.is_uefi()) {
    f.fix_dnsmasq = "pxe-service=x86-64_EFI,\"UEFI Netboot\",efi64/syslinux.efi (on the proxyDHCP server)";
    f.fix_pxekit = "the same pxe-service line in the config given to pxekit serve -C";
  } else {
    f.fix_dnsmasq = "pxe-service=x86PC,\"PXE Netboot\",pxelinux (on the proxyDHCP server)";
    f.fix_pxekit = "the same pxe-service line in the config given to pxekit serve -C";
  }
  out.push_back(std::move(f));
  return true;
}

}  // namespace

void no_boot_filename(const ClientContext& c, std::vector<Finding>& out) {
  if (c.firmware == Firmware::LinuxDhcp || c.firmware == Firmware::WinPe) return;  // not a PXE boot
  if (boot_server_gave_no_file(c, out)) return;
  // The firmware went on to ask port 4011 for its boot file (the offer said PXEClient, as a DHCP
  // server with option 60 but no PXE service does: MS KB 259670) and nobody answered: that is
  // PXE-E55/E78 (boot_server_unanswered.cpp), not E53.
  if (!c.boot_requests.empty() && c.boot_replies.empty()) return;
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
