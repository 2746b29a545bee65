// A boot file for the wrong architecture: option 93 says UEFI and the offer names a BIOS NBP,
// or the reverse.
#include "diag/rules/common.h"

namespace pxe::diag::rules {

namespace {

bool bios_nbp(std::string_view f) {
  std::string b = basename(f);
  return b.ends_with(".0") || b.ends_with(".kpxe") || b.ends_with(".kkpxe") || b.ends_with(".pxe") ||
         b.ends_with(".com") || b.ends_with(".n12");
}

std::string mac_digits(const Mac& m) {
  std::string s = m.str();
  s.erase(std::remove(s.begin(), s.end(), ':'), s.end());
  for (auto& ch : s) ch = char(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

}  // namespace

void wrong_architecture(const ClientContext& c, std::vector<Finding>& out) {
  if (c.arch.empty()) return;
  bool uefi = c.is_uefi();
  // A boot program of the right kind arrived: whatever else was offered did not stop the boot.
  for (const auto& t : c.transfers)
    if (t.completed && basename(t.file).ends_with(".efi") == uefi && !(uefi && bios_nbp(t.file))) return;
  for (const auto& o : c.offers) {
    if (!o.has_bootfile()) continue;
    // Judge an offer only against the request it answers: a later stage (syslinux.efi's own
    // DHCP) may ask without option 93 and legitimately get the default file.
    bool answers_arch_request = std::any_of(c.events.begin(), c.events.end(), [&](const Event* e) {
      return e->kind == EventKind::DhcpFromClient && e->xid == o.ev->xid && !e->arch.empty();
    });
    if (!answers_arch_request) continue;
    Text file = o.ev->bootfile;
    bool efi_file = basename(file).ends_with(".efi");
    if (uefi == efi_file || (uefi && !bios_nbp(file))) continue;
    Finding f;
    f.id = "wrong-architecture";
    f.severity = Severity::Failure;
    f.code = "";  // no PXE-Exx: the download works, the firmware cannot run what it got
    // EDK2 (edk2-bios-nbp.console.txt): "NBP file downloaded successfully." and then the boot
    // manager's "BdsDxe: failed to load Boot0002 "UEFI PXEv4 (MAC:...)" ...: Not Found".
    f.screen = uefi ? "NBP file downloaded successfully. BdsDxe: failed to load Boot000x \"UEFI PXEv4 (MAC:" +
                          mac_digits(c.mac) + ")\" ...: Not Found"
                    : "the BIOS runs the EFI file as an NBP and hangs or reboots";
    if (!uefi && c.firmware == Firmware::Ipxe) {
      // iPXE notices the PE header, warns, and runs it as a real-mode NBP anyway: the screen stops.
      const Transfer* got = nullptr;
      for (const auto& t : c.transfers)
        if (t.completed && t.file == file) got = &t;
      f.screen = got ? fmt::format("{} : {} bytes [PXE-NBP (may be EFI?)] (then nothing: it hangs)", basename(file), got->bytes)
                     : "iPXE runs the EFI file as a PXE NBP and hangs";
    }
    f.cause = fmt::format("the client's option 93 is {} ({}) but the offer names {}, a {} boot program", c.arch.front(),
                          uefi ? "UEFI" : "BIOS", file, uefi ? "BIOS" : "UEFI");
    if (uefi)
      f.cause += "; match UEFI x86-64 as client-arch 7 (RFC 4578 errata: 7 is x64 UEFI, 9 is EBC, though some firmware sends 9)";
    f.evidence.push_back(evidence(o.ev, offer_text(o)));
    f.fix_dnsmasq = "dhcp-match=set:efi-x86_64,option:client-arch,7\ndhcp-match=set:efi-x86_64,option:client-arch,9\n"
                    "dhcp-boot=tag:efi-x86_64,syslinux.efi\ndhcp-boot=tag:!efi-x86_64,pxelinux.0";
    f.fix_pxekit = "the same lines in the config given to pxekit serve -C (boot file by architecture)";
    out.push_back(std::move(f));
    return;
  }
}

}  // namespace pxe::diag::rules
