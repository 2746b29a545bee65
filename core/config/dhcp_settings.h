// DHCP server settings (dnsmasq.conf's DHCP lines and pxekit serve flags). The DHCP server's
// owner extends this struct; pxekit serve only passes it through.
#pragma once

#include <string>
#include <vector>

namespace pxe::config {

struct DhcpSettings {
  bool enabled = false;                 // a dhcp-range (or --interface quick start) was given
  std::vector<std::string> interfaces;  // interface=
  bool bind_interfaces = false;         // bind-interfaces
  std::string lease_db;                 // dhcp-leasefile / --db (SQLite)
  bool log_dhcp = false;                // log-dhcp
};

}  // namespace pxe::config
