// PXE boot decisions: what a PXE client is told in an OFFER/ACK (option 43 menu or a direct
// boot file) and what the port-4011 boot server answers to a boot-item request (43.71).
#pragma once

#include <optional>
#include <string>

#include "config/dhcp_settings.h"
#include "proto/dhcp/classify.h"
#include "wire/dhcp/pxe_options.h"

namespace pxe::proto::dhcp {

struct PxeBoot {
  std::optional<wire::dhcp::PxeOptions> option43;  // absent: no option 43 at all
  std::string file;                                // for the `file` field (and option 67)
  std::string sname;
  std::optional<Ipv4> siaddr;                      // absent: this server
  bool redirect_4011 = false;                      // UEFI in proxy mode: BINL-style, no menu
  std::string service;                             // menu text of the chosen service, for logs
};

// The boot file for menu item `basename` at PXE `layer`: "basename.<layer>" unless the name
// already has an extension (dnsmasq's convention for pxe-service basenames).
std::string pxe_file_for_layer(const std::string& basename, std::uint16_t layer);

// The pxe-prompt line that applies to these tags (the first whose tags hold), if any.
std::optional<wire::dhcp::PxeMenuPrompt> configured_prompt(const config::DhcpSettings& s, const Tags& tags);

// The dhcp-boot line that applies to these tags (the first whose tags hold), if any.
const config::DhcpBoot* select_dhcp_boot(const config::DhcpSettings& s, const Tags& tags);

// What a PXE client gets in an OFFER (proxy or full) or ACK. nullopt: nothing PXE to say (in
// proxy mode: do not answer).
std::optional<PxeBoot> pxe_offer(const config::DhcpSettings& s, const Client& c, const Tags& tags,
                                 bool proxy);

// The boot server's answer to a port-4011 request. `item` absent: the BINL-style request of a
// UEFI client redirected without a menu. nullopt: nothing to boot (local boot, unknown type).
std::optional<PxeBoot> pxe_boot_server(const config::DhcpSettings& s, const Client& c, const Tags& tags,
                                       const std::optional<wire::dhcp::PxeBootItem>& item);

}  // namespace pxe::proto::dhcp
