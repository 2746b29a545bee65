#include "client/screen.h"

#include <array>
#include <fmt/format.h>

#include "proto/smb2/client.h"

namespace pxe::client {

namespace {

constexpr std::array kFailureNames = {
    std::pair{Failure::NoOffer, "no-offer"},
    std::pair{Failure::OnlyProxyOffers, "only-proxy-offers"},
    std::pair{Failure::NoBootFile, "no-boot-filename"},
    std::pair{Failure::BootServerSilent, "boot-server-unanswered"},
    std::pair{Failure::ProxyRequestSilent, "proxy-4011-unanswered"},
    std::pair{Failure::NoServerAddress, "no-tftp-server-address"},
    std::pair{Failure::ArpUnanswered, "arp-unanswered"},
    std::pair{Failure::TftpOpenTimeout, "tftp-open-timeout"},
    std::pair{Failure::FileNotFound, "tftp-file-not-found"},
    std::pair{Failure::AccessViolation, "tftp-access-violation"},
    std::pair{Failure::TftpError, "tftp-error"},
    std::pair{Failure::TftpTimeout, "tftp-transfer-stalled"},
    std::pair{Failure::ModuleMissing, "module-missing"},
    std::pair{Failure::ConfigNotFound, "pxelinux-config-missing"},
    std::pair{Failure::ConfigInvalid, "pxelinux-config-invalid"},
    std::pair{Failure::WinpeNoOffer, "winpe-no-offer"},
    std::pair{Failure::WrongArchitecture, "wrong-architecture"},
    std::pair{Failure::NetUseFailed, "net-use-failed"},
};

// iPXE (BIOS build) error URLs, as the ROM in captures/bios-*.console.txt prints them.
constexpr std::string_view kIpxeNoConfig = "No configuration methods succeeded (http://ipxe.org/040ee119)";
constexpr std::string_view kIpxeNothingToBoot = "Nothing to boot: No such file or directory (http://ipxe.org/2d03e13b)";
constexpr std::string_view kIpxeDhcpTimeout = "Connection timed out (http://ipxe.org/4c106035)";
constexpr std::string_view kIpxeTftpTimeout = "Connection timed out (http://ipxe.org/4c126035)";
constexpr std::string_view kIpxeNotFound = "No such file or directory (http://ipxe.org/2d12603b)";
constexpr std::string_view kIpxeDenied = "Permission denied (http://ipxe.org/0212603c)";
constexpr std::string_view kIpxeNotSupported = "Operation not supported (http://ipxe.org/3c126003)";
constexpr std::string_view kIpxeTail = "No more network devices";

constexpr std::string_view kIntelExit = "PXE-M0F: Exiting Intel PXE ROM.";
constexpr std::string_view kPxelinuxBootFailed = "Boot failed: press a key to retry, or wait for reset...";

// iPXE brings up IPv6 too and prints the EUI-64 link-local address (RFC 4291 App. A).
std::string ipv6_link_local(const Mac& m) {
  const auto& o = m.octets;
  return fmt::format("fe80::{:x}:{:x}:{:x}:{:x}", (o[0] ^ 2) << 8 | o[1], o[2] << 8 | 0xff, 0xfe00 | o[3],
                     o[4] << 8 | o[5]);
}

std::string ipxe_tftp_url(const ScreenFacts& s) {
  return fmt::format("tftp://{}/{}...", s.next_server.str(), s.filename);
}

std::vector<std::string> ipxe_failure(Failure why, const ScreenFacts& s) {
  std::vector<std::string> out;
  switch (why) {
    case Failure::NetUseFailed: break;  // Windows' words, not the firmware's (net_use_result_lines)
    case Failure::NoOffer:
    case Failure::OnlyProxyOffers:
    case Failure::WinpeNoOffer:
      out.push_back(fmt::format("Configuring (net0 {})... {}", s.mac.str(), kIpxeNoConfig));
      break;
    case Failure::NoBootFile:
    case Failure::NoServerAddress:
    case Failure::ProxyRequestSilent:  // iPXE gives up on a silent proxy and has no boot file
      out.push_back(std::string(kIpxeNothingToBoot));
      break;
    case Failure::BootServerSilent:
      out.push_back("PXEBS (net0 type 128)... " + std::string(kIpxeDhcpTimeout));
      break;
    case Failure::ArpUnanswered:
    case Failure::TftpOpenTimeout:
    case Failure::TftpTimeout:
      out.push_back(ipxe_tftp_url(s) + " " + std::string(kIpxeTftpTimeout));
      break;
    case Failure::FileNotFound:
      out.push_back(ipxe_tftp_url(s) + " " + std::string(kIpxeNotFound));
      break;
    case Failure::AccessViolation:
      out.push_back(ipxe_tftp_url(s) + " " + std::string(kIpxeDenied));
      break;
    case Failure::TftpError:
    case Failure::ModuleMissing:
    case Failure::ConfigNotFound:
    case Failure::ConfigInvalid:
      out.push_back(ipxe_tftp_url(s) + " " + std::string(kIpxeNotSupported));
      break;
    case Failure::WrongArchitecture:
      // iPXE loads it, says what it guesses, and the machine sits there (bios-efi-nbp).
      out.push_back(ipxe_tftp_url(s) + " ok");
      out.push_back(fmt::format("{} : {} bytes [PXE-NBP (may be EFI?)]", s.filename, s.size));
      return out;
  }
  out.push_back(std::string(kIpxeTail));
  return out;
}

std::vector<std::string> intel_failure(Failure why, const ScreenFacts& s) {
  std::vector<std::string> out;
  auto tftp_error = [&](std::string_view e) {
    // PXE-T0n: the server's own ERROR text, then the ROM's code (pxe-netboot.md §2.1).
    out.push_back(fmt::format("PXE-T{:02X}: {}", s.tftp_code, s.tftp_message));
    out.push_back(std::string(e));
  };
  switch (why) {
    case Failure::NetUseFailed: break;  // Windows' words, not the firmware's (net_use_result_lines)
    case Failure::NoOffer:
    case Failure::WinpeNoOffer:
      out.push_back("PXE-E51: No DHCP or proxyDHCP offers were received.");
      break;
    case Failure::OnlyProxyOffers:
      out.push_back("PXE-E52: proxyDHCP offers were received. No DHCP offers were received.");
      break;
    case Failure::NoBootFile: out.push_back("PXE-E53: No boot filename received"); break;
    case Failure::BootServerSilent: out.push_back("PXE-E78: Could not locate boot server."); break;
    case Failure::ProxyRequestSilent:
      out.push_back("PXE-E55: proxyDHCP service did not reply to request on port 4011.");
      break;
    case Failure::NoServerAddress: out.push_back("PXE-E7B: Missing MTFTP server IP address."); break;
    case Failure::ArpUnanswered: out.push_back("PXE-E11: ARP timeout"); break;
    case Failure::TftpOpenTimeout: out.push_back("PXE-E32: TFTP open timeout"); break;
    case Failure::FileNotFound: tftp_error("PXE-E3B: TFTP Error - File Not found"); break;
    case Failure::AccessViolation: tftp_error("PXE-E3C: TFTP Error - Access Violation"); break;
    case Failure::TftpError:
    case Failure::ModuleMissing:
    case Failure::ConfigNotFound:
    case Failure::ConfigInvalid:
      tftp_error("PXE-E36: Error received from TFTP server");
      break;
    case Failure::TftpTimeout: out.push_back("PXE-E35: TFTP read timeout"); break;
    case Failure::WrongArchitecture: return out;  // the ROM jumps into it; nothing more is printed
  }
  out.push_back(std::string(kIntelExit));
  return out;
}

std::vector<std::string> edk2_failure(Failure why, const ScreenFacts& s) {
  std::vector<std::string> out;
  const bool tftp_stage = why == Failure::ArpUnanswered || why == Failure::TftpOpenTimeout ||
                          why == Failure::FileNotFound || why == Failure::AccessViolation ||
                          why == Failure::TftpError || why == Failure::TftpTimeout;
  // EDK2 prints where it got to first (§2.4: the last progress line tells the stage); the
  // address lines (dhcp_done_lines) are on the screen already when a transfer fails.
  if (why == Failure::BootServerSilent || why == Failure::ProxyRequestSilent) out.push_back(fmt::format("  Station IP address is {}", s.ip.str()));
  if (tftp_stage) {
    if (why == Failure::TftpTimeout) {
      out.push_back(fmt::format("  NBP filesize is {} Bytes", s.size));
      out.push_back(" Downloading NBP file...");
    } else {
      out.push_back("  NBP filesize is 0 Bytes");  // the tsize probe got nothing
    }
  }
  switch (why) {
    case Failure::NetUseFailed: break;  // Windows' words, not the firmware's (net_use_result_lines)
    case Failure::NoOffer:  // zero offers: the DHCP timeout
    case Failure::WinpeNoOffer:
    case Failure::BootServerSilent:  // boot server discovery (43.71) unanswered
    case Failure::ArpUnanswered:
    case Failure::TftpOpenTimeout:
    case Failure::TftpTimeout:
      out.push_back("  PXE-E18: Server response timeout.");
      break;
    case Failure::OnlyProxyOffers:
    case Failure::NoBootFile:
    case Failure::ProxyRequestSilent:  // the selected proxy offer's 4011 request failed
    case Failure::NoServerAddress:
      out.push_back("  PXE-E16: No valid offer received.");
      break;
    case Failure::FileNotFound:
    case Failure::AccessViolation:
    case Failure::TftpError:
    case Failure::ModuleMissing:
    case Failure::ConfigNotFound:
    case Failure::ConfigInvalid:
      out.push_back("  PXE-E23: Client received TFTP error from server.");
      break;
    case Failure::WrongArchitecture: {
      // The download succeeded; the boot manager cannot start a BIOS image (edk2-bios-nbp).
      std::string mac;
      for (auto o : s.mac.octets) mac += fmt::format("{:02X}", o);
      out.push_back(fmt::format("BdsDxe: failed to load Boot0002 \"UEFI PXEv4 (MAC:{0})\" from PciRoot(0x0)/Pci(0x3,0x0)/"
                                "MAC({0},0x1)/IPv4(0.0.0.0,0x0,DHCP,0.0.0.0,0.0.0.0,0.0.0.0): Not Found",
                                mac));
      break;
    }
  }
  return out;
}

std::vector<std::string> pxelinux_failure(Failure why, const ScreenFacts& s) {
  std::vector<std::string> out;
  switch (why) {
    case Failure::NetUseFailed: break;  // Windows' words, not the firmware's (net_use_result_lines)
    case Failure::ModuleMissing:
      if (s.module.starts_with("ldlinux") || s.module.empty()) {
        out.push_back("Failed to load " + (s.module.empty() ? std::string("ldlinux.c32") : s.module));
        out.push_back(std::string(kPxelinuxBootFailed));
      } else {
        out.push_back("Failed to load COM32 file " + s.module);
        out.push_back("boot:");
      }
      break;
    case Failure::ConfigNotFound:
      out.push_back("Unable to locate configuration file");
      out.push_back(std::string(kPxelinuxBootFailed));
      break;
    case Failure::ConfigInvalid:
      out.push_back(fmt::format("Could not find kernel image: {}", s.filename));
      out.push_back("boot:");
      break;
    case Failure::FileNotFound:
    case Failure::AccessViolation:
    case Failure::TftpError:
    case Failure::TftpOpenTimeout:
    case Failure::TftpTimeout:
    case Failure::ArpUnanswered:
      out.push_back(fmt::format("Loading {}...failed: No such file or directory", s.filename));
      out.push_back("boot:");
      break;
    default:
      out.push_back(std::string(kPxelinuxBootFailed));
      break;
  }
  return out;
}

}  // namespace

std::string_view firmware_name(Firmware f) {
  switch (f) {
    case Firmware::IntelPxe: return "intel-pxe";
    case Firmware::Ipxe: return "ipxe";
    case Firmware::Edk2: return "edk2";
    case Firmware::Pxelinux: return "pxelinux";
  }
  return "?";
}

std::string_view failure_name(Failure f) {
  for (const auto& [k, v] : kFailureNames)
    if (k == f) return v;
  return "?";
}

std::optional<Failure> failure_from_name(std::string_view name) {
  for (const auto& [k, v] : kFailureNames)
    if (name == v) return k;
  return std::nullopt;
}

std::vector<std::string> dhcp_done_lines(Firmware f, const ScreenFacts& s) {
  switch (f) {
    case Firmware::Ipxe: {
      std::vector<std::string> out = {
          fmt::format("Configuring (net0 {})... ok", s.mac.str()),
          fmt::format("net0: {}/{} gw {}", s.ip.str(), s.netmask.str(), s.gateway.str()),
          fmt::format("net0: {}/64", ipv6_link_local(s.mac)),
      };
      if (s.proxy_menu) {
        out.push_back("Booting from PXE menu");
        if (!s.menu_prompt.empty()) out.push_back(s.menu_prompt);
        out.push_back("PXEBS (net0 type 128)... ok");
      }
      if (!s.next_server.is_zero()) out.push_back("Next server: " + s.next_server.str());
      if (!s.filename.empty()) out.push_back("Filename: " + s.filename);
      return out;
    }
    case Firmware::IntelPxe: {
      std::string mac;
      for (auto o : s.mac.octets) mac += fmt::format("{}{:02X}", mac.empty() ? "" : " ", o);
      std::string guid = s.uuid ? "  GUID: " + *s.uuid : "";
      return {
          "CLIENT MAC ADDR: " + mac + guid,
          fmt::format("CLIENT IP: {}  MASK: {}  DHCP IP: {}", s.ip.str(), s.netmask.str(), s.dhcp_server.str()),
          fmt::format("GATEWAY IP: {}", s.gateway.str()),
      };
    }
    case Firmware::Edk2:
      return {
          fmt::format("  Station IP address is {}", s.ip.str()),
          fmt::format("  Server IP address is {}", s.next_server.str()),
          fmt::format("  NBP filename is {}", s.filename),
      };
    case Firmware::Pxelinux:
      return {fmt::format("My IP address seems to be {:08X} {}", s.ip.value, s.ip.str())};
  }
  return {};
}

std::vector<std::string> nbp_loaded_lines(Firmware f, const ScreenFacts& s) {
  switch (f) {
    case Firmware::Ipxe:
      return {ipxe_tftp_url(s) + " ok", fmt::format("{} : {} bytes [PXE-NBP]", s.filename, s.size)};
    case Firmware::IntelPxe:
      return {};  // the Intel ROM prints nothing more; the NBP's banner follows
    case Firmware::Edk2:
      return {fmt::format("  NBP filesize is {} Bytes", s.size), " Downloading NBP file...",
              "  NBP file downloaded successfully."};
    case Firmware::Pxelinux:
      return {loading_line(s.filename)};
  }
  return {};
}

std::string pxelinux_banner() {
  return "PXELINUX 6.04 PXE 20200816 Copyright (C) 1994-2015 H. Peter Anvin et al";
}

std::vector<std::string> menu_lines(const MenuScreen& m) {
  std::vector<std::string> out;
  out.push_back(m.title);
  for (std::size_t i = 0; i < m.items.size(); ++i)
    out.push_back(fmt::format("{} {}", i == m.selected ? '>' : ' ', m.items[i]));
  if (m.timeout_tenths > 0)
    out.push_back(fmt::format("Automatic boot in {} seconds...", (m.timeout_tenths + 9) / 10));
  out.push_back("Press [Tab] to edit options");
  return out;
}

std::string loading_line(std::string_view file) { return fmt::format("Loading {}... ok", file); }

std::string winpe_prompt(std::string_view command) { return fmt::format("X:\\windows\\system32>{}", command); }

std::vector<std::string> net_use_result_lines(const ScreenFacts& s) {
  if (s.system_error == 0) return {"The command completed successfully."};
  return {fmt::format("System error {} has occurred.", s.system_error), "",
          std::string(proto::smb2::system_error_text(s.system_error))};
}

std::vector<std::string> failure_lines(Firmware f, Failure why, const ScreenFacts& s) {
  if (why == Failure::NetUseFailed) return net_use_result_lines(s);
  switch (f) {
    case Firmware::IntelPxe: return intel_failure(why, s);
    case Firmware::Ipxe: return ipxe_failure(why, s);
    case Firmware::Edk2: return edk2_failure(why, s);
    case Firmware::Pxelinux: return pxelinux_failure(why, s);
  }
  return {};
}

std::vector<std::string> normalize_console(std::string_view raw) {
  // 1. Escapes and control bytes out, keeping line breaks.
  std::string text;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '\x1b') {
      if (i + 1 < raw.size() && raw[i + 1] == '[') {
        std::size_t j = i + 2;
        while (j < raw.size() && !((raw[j] >= 'A' && raw[j] <= 'Z') || (raw[j] >= 'a' && raw[j] <= 'z'))) ++j;
        i = j;
      } else {
        ++i;  // ESC c and other two-byte sequences
      }
      continue;
    }
    if (c == '\n' || (c >= 0x20 && c < 0x7f)) text += c;
  }
  // 2. Lines; a line of exactly 80 columns was wrapped by the terminal: join the next one.
  std::vector<std::string> lines;
  std::string cur;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t nl = text.find('\n', start);
    std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    cur += line;
    if (line.size() != 80 || nl == std::string::npos) {
      lines.push_back(cur);
      cur.clear();
    }
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  // 3. Dots shortened, trailing blanks cut, empty lines dropped.
  std::vector<std::string> out;
  for (auto& l : lines) {
    std::string n;
    for (std::size_t i = 0; i < l.size();) {
      if (l[i] == '.') {
        std::size_t j = i;
        while (j < l.size() && l[j] == '.') ++j;
        n += (j - i >= 3) ? std::string("...") : l.substr(i, j - i);
        i = j;
      } else {
        n += l[i++];
      }
    }
    while (!n.empty() && (n.back() == ' ' || n.back() == '\t')) n.pop_back();
    if (!n.empty()) out.push_back(n);
  }
  return out;
}

}  // namespace pxe::client
