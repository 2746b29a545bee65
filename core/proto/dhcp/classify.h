// What the engine knows about one request before it answers: who the client is (RFC 2131 §4.2
// binding key), whether it is a PXE ROM or iPXE, and which dnsmasq tags apply to it.
#pragma once

#include <optional>
#include <set>
#include <string>

#include "config/dhcp_settings.h"
#include "wire/dhcp/dhcp.h"

namespace pxe::proto::dhcp {

using Tags = std::set<std::string, std::less<>>;

struct Client {
  std::string key;                  // "id:<hex>" from option 61, else (or dhcp-host id:*) "mac:<chaddr>"
  Mac mac;
  bool pxe = false;                 // option 60 starts with a PXE vendor string ("PXEClient")
  std::uint16_t arch = 0;           // first option 93 value (0 = BIOS x86 when absent)
  bool has_arch = false;
  bool ipxe = false;                // option 77 "iPXE" or option 175 present
  const config::DhcpHost* host = nullptr;  // dhcp-host matched by client id, MAC or name
};

Client classify_client(const wire::dhcp::Message& m, const config::DhcpSettings& s);

bool tags_match(const config::TagConditions& when, const Tags& tags);

// Tags from the receiving interface, dhcp-host and dhcp-match/vendorclass/userclass lines.
Tags base_tags(const wire::dhcp::Message& m, const Client& c, const config::DhcpSettings& s,
               const std::string& interface);
// Adds the range's set: tag, then applies tag-if lines in order.
void finish_tags(Tags& tags, const config::DhcpRange* range, const config::DhcpSettings& s);

}  // namespace pxe::proto::dhcp
