// Which files pxelinux asks the TFTP server for before it shows a menu, as pure functions of what
// the PXE ROM's cached DHCP packets told it (pxelinux does no DHCP of its own). Facts from
// syslinux's doc/pxelinux.txt and the project's captures (bios-pxelinux-menu, bios-no-ldlinux,
// bios-no-pxelinux-cfg):
//
//   ldlinux.c32   relative to the path prefix, then /boot/isolinux/, /isolinux/, /boot/syslinux/,
//                 /syslinux/ and / (absolute names, sent with their leading slash)
//   config        option 209's file (if any), pxelinux.cfg/<uuid>, pxelinux.cfg/01-<mac>,
//                 pxelinux.cfg/<hex ip> shortened one digit per try (8 names), pxelinux.cfg/default
//
// The path prefix is option 210 when the ROM got it, else the boot file's folder ("boot/" for
// "boot/pxelinux.0", "" for "pxelinux.0"); relative names are joined to it, names starting with
// '/' are left alone.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/addr.h"
#include "base/bytes.h"

namespace pxe::proto::pxelinux {

struct BootInfo {
  std::string boot_file;                       // the NBP's name as the ROM fetched it (option 67 / file)
  std::optional<std::string> config_file_209;  // pxelinux.configfile
  std::optional<std::string> path_prefix_210;  // pxelinux.pathprefix
  std::optional<Bytes> uuid_97;                // option 97's value: type 0 + 16 bytes (16 bytes also taken)
  Mac mac;
  Ipv4 ip;                                     // yiaddr
};

// Option 210, else the boot file's folder (up to and including its last '/').
std::string path_prefix(const BootInfo& info);

// `name` as pxelinux asks for it: absolute names unchanged, relative ones after the prefix.
std::string resolve(std::string_view prefix, std::string_view name);

// The UUID as pxelinux names its config: lower-case hex of the 16 bytes in wire order, grouped
// 4-2-2-2-6. Empty when there is no usable UUID: not 16 bytes (after a type 0 byte), or byte 6
// outside 0x10..0xEF (all zeros, all ones: pxelinux skips those).
std::optional<std::string> uuid_name(ByteSpan uuid_97);

// "01-" + the MAC in lower case with dashes (01 = Ethernet's ARP hardware type).
std::string mac_name(const Mac& mac);

// The config files pxelinux tries, in order, each resolved against the prefix. The first one the
// server sends is the config; when none is found pxelinux says "Unable to locate configuration file".
std::vector<std::string> config_search(const BootInfo& info);

// Where pxelinux looks for its core module, in order. `module` is "ldlinux.c32" for BIOS
// pxelinux.0, "ldlinux.e64" for syslinux.efi (x86-64 UEFI).
std::vector<std::string> ldlinux_search(const BootInfo& info, std::string_view module = "ldlinux.c32");

}  // namespace pxe::proto::pxelinux
