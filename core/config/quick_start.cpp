#include "config/quick_start.h"

#include <filesystem>

namespace pxe::config {

namespace {

std::string first_existing(const std::string& root, std::initializer_list<const char*> names) {
  if (root.empty()) return {};
  std::error_code ec;
  for (const char* n : names)
    if (std::filesystem::is_regular_file(std::filesystem::path(root) / n, ec)) return n;
  return {};
}

}  // namespace

DhcpSettings quick_start(const std::string& interface, Ipv4 address, Ipv4 netmask, const std::string& tftp_root) {
  DhcpSettings s;
  s.enabled = true;
  s.interfaces = {interface};
  s.bind_interfaces = true;
  std::uint32_t net = address.value & netmask.value;
  std::uint32_t bcast = net | ~netmask.value;
  std::uint32_t hosts = bcast - net;
  DhcpRange r;
  r.start = Ipv4(net + (hosts > 40 ? 10 : 1));
  r.end = Ipv4(bcast - 1);
  r.netmask = netmask;
  s.ranges.push_back(r);
  std::string bios = first_existing(tftp_root, {"pxelinux.0", "undionly.kpxe", "lpxelinux.0"});
  std::string efi = first_existing(tftp_root, {"syslinux.efi", "ipxe.efi", "grubx64.efi", "bootx64.efi"});
  if (!efi.empty()) {
    for (std::uint64_t arch : {7u, 9u}) {
      DhcpMatch m;
      m.set_tag = "efi-x86_64";
      m.code = 93;
      m.kind = DhcpMatch::Kind::Number;
      m.number = arch;
      s.matches.push_back(m);
    }
    DhcpBoot b;
    b.tags = {{"efi-x86_64", false}};
    b.file = efi;
    s.boots.push_back(b);
  }
  if (!bios.empty()) {
    DhcpBoot b;
    if (!efi.empty()) b.tags = {{"efi-x86_64", true}};
    b.file = bios;
    s.boots.push_back(b);
  }
  return s;
}

}  // namespace pxe::config
