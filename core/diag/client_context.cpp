#include "diag/client_context.h"

#include <fmt/format.h>

namespace pxe::diag {

bool ClientContext::is_uefi() const {
  for (auto a : arch)
    if (a != 0) return true;
  return firmware == Firmware::UefiPxe;
}

std::string ClientContext::screen_for(std::string_view code) const {
  // What each firmware family prints for the same wire failure (reference §2.2, §2.4, §2.5, §7).
  struct Row {
    std::string_view code, bios, uefi, ipxe;
  };
  static constexpr Row kRows[] = {
      {"PXE-E51", "PXE-E51: No DHCP or proxyDHCP offers were received.", "PXE-E18: Server response timeout.",
       "No configuration methods succeeded (http://ipxe.org/040ee119)"},
      {"PXE-E52", "PXE-E52: proxyDHCP offers were received. No DHCP offers were received.",
       "PXE-E16: No valid offer received.", "No configuration methods succeeded (http://ipxe.org/040ee119)"},
      {"PXE-E53", "PXE-E53: No boot filename received.", "PXE-E16: No valid offer received.",
       "Nothing to boot: No such file or directory (http://ipxe.org/2d03e13b)"},
      {"PXE-E55", "PXE-E55: proxyDHCP service did not reply to request on port 4011.",
       "PXE-E16: No valid offer received.", "Nothing to boot: No such file or directory (http://ipxe.org/2d03e13b)"},
      {"PXE-E78", "PXE-E78: Could not locate boot server.", "PXE-E18: Server response timeout.",
       "PXEBS ... Connection timed out (http://ipxe.org/4c106035)"},
      {"PXE-E7B", "PXE-E7B: Missing MTFTP server IP address.", "PXE-E18: Server response timeout.",
       "Nothing to boot: No such file or directory (http://ipxe.org/2d03e13b)"},
      {"PXE-E11", "PXE-E11: ARP timeout.", "PXE-E18: Server response timeout.",
       "Connection timed out (http://ipxe.org/4c126035)"},
      {"PXE-E32", "PXE-E32: TFTP open timeout.", "PXE-E18: Server response timeout.",
       "Connection timed out (http://ipxe.org/4c126035)"},
      {"PXE-E3B", "PXE-E3B: TFTP Error - File Not Found", "PXE-E23: Client received TFTP error from server.",
       "No such file or directory (http://ipxe.org/2d12603b)"},
      {"PXE-E3C", "PXE-E3C: TFTP Error - Access Violation", "PXE-E23: Client received TFTP error from server.",
       "Permission denied (http://ipxe.org/0212603c)"},
      {"PXE-E36", "PXE-E36: Error received from TFTP server.", "PXE-E23: Client received TFTP error from server.",
       "Operation not supported (http://ipxe.org/3c126003)"},
      {"PXE-E35", "PXE-E35: TFTP read timeout.", "PXE-E18: Server response timeout.",
       "Connection timed out (http://ipxe.org/4c126035)"},
  };
  for (const auto& r : kRows) {
    if (r.code != code) continue;
    switch (firmware) {
      case Firmware::Ipxe: return std::string(r.ipxe);
      case Firmware::UefiPxe: return std::string(r.uefi);
      default: return std::string(is_uefi() ? r.uefi : r.bios);
    }
  }
  return std::string(code);
}

Evidence evidence(const Event* e, std::string what) { return Evidence{e->frame, e->time, std::move(what)}; }

std::string basename(std::string_view path) {
  auto p = path.find_last_of("/\\");
  return std::string(p == std::string_view::npos ? path : path.substr(p + 1));
}

}  // namespace pxe::diag
