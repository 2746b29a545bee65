// Everything `pxekit serve` runs, from a dnsmasq.conf (-C) and/or flags.
#pragma once

#include <string>

#include "base/result.h"
#include "config/dhcp_settings.h"
#include "config/tftp_settings.h"

namespace pxe::config {

struct ServeConfig {
  DhcpSettings dhcp;
  TftpSettings tftp;
};

// Reads a dnsmasq.conf; an unknown or malformed line is an error naming the file, the line
// number and the reason, and nothing is returned half-configured.
Result<ServeConfig> load_dnsmasq_conf(const std::string& path);

}  // namespace pxe::config
