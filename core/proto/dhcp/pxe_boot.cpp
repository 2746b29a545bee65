#include "proto/dhcp/pxe_boot.h"

#include <vector>

namespace pxe::proto::dhcp {

namespace wd = wire::dhcp;

namespace {

// UEFI firmware (option 93 >= 6: IA32, EBC, x86-64, ARM EFI).
bool is_uefi(const Client& c) { return c.arch >= 6; }

std::vector<const config::PxeService*> services_for(const config::DhcpSettings& s, const Client& c,
                                                    const Tags& tags) {
  std::vector<const config::PxeService*> v;
  for (const auto& svc : s.pxe_services)
    if (svc.csa == c.arch && tags_match(svc.tags, tags)) v.push_back(&svc);
  return v;
}

PxeBoot direct(const config::PxeService& svc) {
  PxeBoot b;
  b.file = pxe_file_for_layer(svc.basename, 0);
  b.siaddr = svc.server;
  b.service = svc.menu_text;
  return b;
}

}  // namespace

std::string pxe_file_for_layer(const std::string& basename, std::uint16_t layer) {
  auto slash = basename.rfind('/');
  auto last = slash == std::string::npos ? basename : basename.substr(slash + 1);
  if (last.find('.') != std::string::npos) return basename;
  return basename + "." + std::to_string(layer);
}

std::optional<wd::PxeMenuPrompt> configured_prompt(const config::DhcpSettings& s, const Tags& tags) {
  for (const auto& p : s.pxe_prompts)
    if (tags_match(p.tags, tags)) return wd::PxeMenuPrompt{p.timeout, p.text};
  return std::nullopt;
}

const config::DhcpBoot* select_dhcp_boot(const config::DhcpSettings& s, const Tags& tags) {
  // Lines with tags are more specific than lines without: prefer them.
  const config::DhcpBoot* untagged = nullptr;
  for (const auto& b : s.boots) {
    if (!tags_match(b.tags, tags)) continue;
    if (!b.tags.empty()) return &b;
    if (!untagged) untagged = &b;
  }
  return untagged;
}

std::optional<PxeBoot> pxe_offer(const config::DhcpSettings& s, const Client& c, const Tags& tags,
                                 bool proxy) {
  auto services = services_for(s, c, tags);
  if (services.empty()) {
    // A full DHCP server with a dhcp-boot line and no menu answers a PXE client as any other
    // client: boot file, siaddr, and nothing PXE (no 60, 43 or 97). PXE firmware boots from such
    // a "DHCP-only" offer (pxe-netboot.md §3.5), and dnsmasq 2.90 answers so
    // (bios-pxelinux-menu.pcap, edk2-syslinux-menu.pcap).
    if (!proxy) return std::nullopt;
    // A proxy has to say it is one: "just use the file" (43.6 bit 3), with the configured
    // prompt, as dnsmasq's proxy does (bios-proxy-4011-silent.pcap); the client then asks the
    // proxy on port 4011 for the file.
    const auto* boot = select_dhcp_boot(s, tags);
    if (!boot) return std::nullopt;
    PxeBoot b;
    b.file = boot->file;
    b.sname = boot->sname;
    b.siaddr = boot->server;
    wd::PxeOptions o;
    o.discovery_control = wd::kPxeUseBootfile;
    o.menu_prompt = configured_prompt(s, tags);
    b.option43 = o;
    return b;
  }
  // UEFI in proxy mode: no option 43; the client then asks the boot server on 4011 (BINL), even
  // for a single service, as dnsmasq's proxy does (proxydhcp-uefi.pcap: EDK2 boots so).
  if (is_uefi(c) && proxy) {
    PxeBoot b;
    b.redirect_4011 = true;
    return b;
  }
  // dnsmasq's UEFI workaround: many UEFI menus are broken; with exactly one bootable item, put
  // it straight into file/siaddr and send no menu.
  if (is_uefi(c) && services.size() == 1 && !services[0]->basename.empty()) return direct(*services[0]);
  wd::PxeOptions o;
  bool all_served = true;
  for (const auto* svc : services) {
    o.boot_menu.push_back({svc->type, svc->menu_text});
    if (svc->type == 0) continue;  // local boot: no server
    if (svc->basename.empty() && !svc->server) all_served = false;
    wd::PxeBootServer bs{svc->type, {}};
    if (svc->server) bs.addresses.push_back(*svc->server);
    bool seen = false;
    for (const auto& e : o.boot_servers) seen = seen || e.type == svc->type;
    if (!seen) o.boot_servers.push_back(bs);
  }
  // Only use listed servers (no broadcast/multicast discovery) unless a type has no known server.
  o.discovery_control = all_served ? std::uint8_t(wd::kPxeNoBroadcast | wd::kPxeNoMulticast)
                                   : std::uint8_t(wd::kPxeNoMulticast);
  // Without a pxe-prompt line: wait for a choice when there is one to make, else boot at once.
  o.menu_prompt = configured_prompt(s, tags).value_or(
      wd::PxeMenuPrompt{std::uint8_t(services.size() > 1 ? 255 : 0), "PXE"});
  PxeBoot b;
  b.option43 = o;
  return b;
}

std::optional<PxeBoot> pxe_boot_server(const config::DhcpSettings& s, const Client& c, const Tags& tags,
                                       const std::optional<wd::PxeBootItem>& item) {
  if (!item) {
    for (const auto* svc : services_for(s, c, tags))
      if (!svc->basename.empty()) return direct(*svc);
    const auto* boot = select_dhcp_boot(s, tags);
    if (!boot) return std::nullopt;
    PxeBoot b;
    b.file = boot->file;
    b.sname = boot->sname;
    b.siaddr = boot->server;
    return b;
  }
  for (const auto& svc : s.pxe_services) {
    if (svc.type != item->type || svc.basename.empty() || !tags_match(svc.tags, tags)) continue;
    PxeBoot b;
    b.file = pxe_file_for_layer(svc.basename, std::uint16_t(item->layer & 0x7fff));
    b.siaddr = svc.server;
    b.service = svc.menu_text;
    wd::PxeOptions o;
    o.boot_item = item;
    // dnsmasq's boot server repeats the configured prompt beside the item (proxydhcp-bios.pcap).
    o.menu_prompt = configured_prompt(s, tags);
    b.option43 = o;
    return b;
  }
  return std::nullopt;
}

}  // namespace pxe::proto::dhcp
