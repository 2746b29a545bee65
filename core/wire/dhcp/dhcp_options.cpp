#include "wire/dhcp/dhcp_options.h"

namespace pxe::wire::dhcp {

std::string_view message_type_name(std::uint8_t type) {
  static constexpr std::string_view kNames[] = {
      "",     "Discover", "Offer",   "Request", "Decline", "ACK", "NACK", "Release", "Inform",
      "",  // 9 FORCERENEW: tcpdump has no name for it
      "LeaseQuery", "LeaseUnassigned", "LeaseUnknown", "LeaseActive"};
  return type < std::size(kNames) ? kNames[type] : std::string_view{};
}

std::string_view client_arch_name(std::uint16_t arch) {
  // IANA Processor Architecture Types (shared by DHCPv4 option 93 and DHCPv6 option 61).
  static constexpr std::string_view kNames[] = {
      "x86 BIOS",                 // 0x00
      "NEC/PC98",                 // 0x01 (deprecated)
      "EFI Itanium",              // 0x02
      "DEC Alpha",                // 0x03 (deprecated)
      "Arc x86",                  // 0x04 (deprecated)
      "Intel Lean Client",        // 0x05 (deprecated)
      "x86 UEFI",                 // 0x06 IA32
      "x64 UEFI",                 // 0x07 (RFC 4578 first said "EFI BC"; errata: x86-64)
      "EFI Xscale",               // 0x08 (deprecated)
      "EBC",                      // 0x09 (RFC 4578 first said "EFI x86-64"; errata: EBC)
      "ARM 32-bit UEFI",          // 0x0a
      "ARM 64-bit UEFI",          // 0x0b
      "PowerPC Open Firmware",    // 0x0c
      "PowerPC ePAPR",            // 0x0d
      "POWER OPAL v3",            // 0x0e
      "x86 UEFI HTTP",            // 0x0f
      "x64 UEFI HTTP",            // 0x10
      "EBC HTTP",                 // 0x11
      "ARM 32-bit UEFI HTTP",     // 0x12
      "ARM 64-bit UEFI HTTP",     // 0x13
      "PC/AT BIOS HTTP",          // 0x14
      "ARM 32-bit U-Boot",        // 0x15
      "ARM 64-bit U-Boot",        // 0x16
      "ARM 32-bit U-Boot HTTP",   // 0x17
      "ARM 64-bit U-Boot HTTP",   // 0x18
      "RISC-V 32-bit UEFI",       // 0x19
      "RISC-V 32-bit UEFI HTTP",  // 0x1a
      "RISC-V 64-bit UEFI",       // 0x1b
      "RISC-V 64-bit UEFI HTTP",  // 0x1c
      "RISC-V 128-bit UEFI",      // 0x1d
      "RISC-V 128-bit UEFI HTTP", // 0x1e
      "s390 Basic",               // 0x1f
      "s390 Extended",            // 0x20
      "MIPS 32-bit UEFI",         // 0x21
      "MIPS 64-bit UEFI",         // 0x22
      "Sunway 32-bit UEFI",       // 0x23
      "Sunway 64-bit UEFI",       // 0x24
      "LoongArch 32-bit UEFI",    // 0x25
      "LoongArch 32-bit UEFI HTTP",  // 0x26
      "LoongArch 64-bit UEFI",    // 0x27
      "LoongArch 64-bit UEFI HTTP",  // 0x28
  };
  return arch < std::size(kNames) ? kNames[arch] : std::string_view{};
}

std::string_view pxe_suboption_name(std::uint8_t code) {
  switch (code) {
    case 1: return "MTFTP-IP";
    case 2: return "MTFTP-Client-Port";
    case 3: return "MTFTP-Server-Port";
    case 4: return "MTFTP-Timeout";
    case 5: return "MTFTP-Delay";
    case 6: return "Discovery-Control";
    case 7: return "Discovery-Mcast-Addr";
    case 8: return "Boot-Servers";
    case 9: return "Boot-Menu";
    case 10: return "Menu-Prompt";
    case 11: return "Mcast-Addrs-Alloc";
    case 12: return "Credential-Types";
    case 71: return "Boot-Item";
    case 255: return "End";
    default: return {};
  }
}

std::string_view agent_suboption_name(std::uint8_t code) {
  switch (code) {
    case 1: return "Circuit-ID";
    case 2: return "Remote-ID";
    case 6: return "Subscriber-ID";
    default: return {};
  }
}

std::string_view ipxe_suboption_name(std::uint8_t code) {
  switch (code) {
    case 0x01: return "priority";
    case 0x08: return "keep-san";
    case 0x09: return "skip-san-boot";
    case 0x10: return "pxe-ext";
    case 0x11: return "iscsi";
    case 0x12: return "aoe";
    case 0x13: return "http";
    case 0x14: return "https";
    case 0x15: return "tftp";
    case 0x16: return "ftp";
    case 0x17: return "dns";
    case 0x18: return "bzimage";
    case 0x19: return "multiboot";
    case 0x1a: return "slam";
    case 0x1b: return "srp";
    case 0x20: return "nbi";
    case 0x21: return "pxe";
    case 0x22: return "elf";
    case 0x23: return "comboot";
    case 0x24: return "efi";
    case 0x25: return "fcoe";
    case 0x26: return "vlan";
    case 0x27: return "menu";
    case 0x28: return "sdi";
    case 0x29: return "nfs";
    case 0xb0: return "no-pxedhcp";
    case 0xb1: return "bus-id";
    case 0xbd: return "bios-drive";
    case 0xbe: return "username";
    case 0xbf: return "password";
    case 0xc0: return "reverse-username";
    case 0xc1: return "reverse-password";
    case 0xeb: return "version";
    default: return {};
  }
}

TlvStep TlvCursor::next(Tlv& out) {
  if (stopped_ || pos_ >= area_.size()) return TlvStep::Done;
  const std::size_t start = pos_;
  const std::uint8_t code = area_[pos_];
  out = Tlv{code, {}, start, 0};
  if (pads_and_end_ && (code == 0 || code == 255)) {
    ++pos_;
    return code == 0 ? TlvStep::Pad : TlvStep::End;
  }
  if (area_.size() - start < 2) {  // no length byte
    stopped_ = true;
    pos_ = area_.size();
    return TlvStep::Truncated;
  }
  const std::size_t len = area_[start + 1];
  out.length = len;
  const std::size_t have = area_.size() - start - 2;
  if (have < len) {
    out.data = area_.subspan(start + 2, have);
    stopped_ = true;
    pos_ = area_.size();
    return TlvStep::Truncated;
  }
  out.data = area_.subspan(start + 2, len);
  pos_ = start + 2 + len;
  return TlvStep::Item;
}

}  // namespace pxe::wire::dhcp
