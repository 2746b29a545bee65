// Everything `pxekit serve` runs, from a dnsmasq.conf (-C) and/or flags.
#pragma once

#include <istream>
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
// The same from a stream; `name` stands for the file in error messages.
Result<ServeConfig> parse_dnsmasq_conf(std::istream& in, const std::string& name);

}  // namespace pxe::config
