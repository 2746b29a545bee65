#include "diag/report.h"

#include <algorithm>

namespace pxe::diag {

std::string_view firmware_name(Firmware f) {
  switch (f) {
    case Firmware::Unknown: return "unknown";
    case Firmware::BiosPxeRom: return "BIOS PXE ROM";
    case Firmware::UefiPxe: return "UEFI PXE";
    case Firmware::Ipxe: return "iPXE";
    case Firmware::Pxelinux: return "pxelinux";
    case Firmware::WinPe: return "WinPE";
    case Firmware::LinuxDhcp: return "Linux DHCP client";
  }
  return "unknown";
}

std::string_view stage_name(Stage s) {
  switch (s) {
    case Stage::Link: return "link";
    case Stage::DhcpDiscovery: return "DHCP discovery";
    case Stage::OfferSelection: return "offer selection";
    case Stage::BootServer: return "boot server (4011)";
    case Stage::Arp: return "ARP";
    case Stage::TftpNbp: return "TFTP of the boot program";
    case Stage::NbpLoaded: return "boot program loaded";
    case Stage::PxelinuxConfig: return "pxelinux config search";
    case Stage::Modules: return "pxelinux modules";
    case Stage::KernelInitrd: return "kernel/initrd";
    case Stage::WinPeDhcp: return "WinPE DHCP";
    case Stage::Smb: return "SMB";
  }
  return "?";
}

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::Failure: return "failure";
    case Severity::Warning: return "warning";
    case Severity::Info: return "info";
  }
  return "?";
}

bool Report::any_failed() const {
  return std::any_of(clients.begin(), clients.end(), [](const ClientReport& c) { return c.failed; });
}

}  // namespace pxe::diag
