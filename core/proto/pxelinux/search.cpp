#include "proto/pxelinux/search.h"

#include <cstdio>

namespace pxe::proto::pxelinux {

std::string path_prefix(const BootInfo& info) {
  if (info.path_prefix_210) return *info.path_prefix_210;
  auto slash = info.boot_file.rfind('/');
  return slash == std::string::npos ? std::string() : info.boot_file.substr(0, slash + 1);
}

std::string resolve(std::string_view prefix, std::string_view name) {
  if (!name.empty() && name.front() == '/') return std::string(name);
  std::string out(prefix);
  out += name;
  return out;
}

std::optional<std::string> uuid_name(ByteSpan uuid_97) {
  ByteSpan u = uuid_97;
  if (u.size() == 17 && u[0] == 0) u = u.subspan(1);
  if (u.size() != 16) return std::nullopt;
  if (u[6] < 0x10 || u[6] >= 0xF0) return std::nullopt;
  static constexpr int kGroups[] = {4, 2, 2, 2, 6};
  std::string out;
  std::size_t i = 0;
  for (int g : kGroups) {
    if (!out.empty()) out += '-';
    out += hex(u.subspan(i, static_cast<std::size_t>(g)));
    i += static_cast<std::size_t>(g);
  }
  return out;
}

std::string mac_name(const Mac& mac) { return "01-" + hex(mac.octets, '-'); }

std::vector<std::string> config_search(const BootInfo& info) {
  const std::string prefix = path_prefix(info);
  std::vector<std::string> names;
  // Option 209 is tried first; when that file is missing pxelinux goes on with its own search.
  if (info.config_file_209) names.push_back(resolve(prefix, *info.config_file_209));
  const std::string dir = prefix + "pxelinux.cfg/";
  if (info.uuid_97)
    if (auto u = uuid_name(*info.uuid_97)) names.push_back(dir + *u);
  names.push_back(dir + mac_name(info.mac));
  if (!info.ip.is_zero()) {
    char ip[9];
    std::snprintf(ip, sizeof ip, "%08X", static_cast<unsigned>(info.ip.value));
    for (std::size_t n = 8; n >= 1; --n) names.push_back(dir + std::string(ip, n));
  }
  names.push_back(dir + "default");
  return names;
}

std::vector<std::string> ldlinux_search(const BootInfo& info, std::string_view module) {
  std::vector<std::string> names{resolve(path_prefix(info), module)};
  for (std::string_view dir : {"/boot/isolinux/", "/isolinux/", "/boot/syslinux/", "/syslinux/", "/"})
    names.push_back(std::string(dir) + std::string(module));
  return names;
}

}  // namespace pxe::proto::pxelinux
