// Everything `pxekit serve` runs, from a dnsmasq.conf (-C) and/or flags.
#pragma once

#include <istream>
#include <string>

#include "base/result.h"
#include <optional>

#include "config/dhcp_settings.h"
#include "config/smb_settings.h"
#include "config/tftp_settings.h"

namespace pxe::config {

struct ServeConfig {
  DhcpSettings dhcp;
  TftpSettings tftp;
  // SMB (--smb-conf / --share ...): served when set, on smb_address (--listen-address).
  std::optional<SmbSettings> smb;
  std::string smb_address = "0.0.0.0";
  // user= / group= (-u / -g): who the server runs as once its sockets and files are open, when
  // started as root. Empty user: "nobody" (dnsmasq's default); empty group: the user's primary
  // group. user=root keeps root (not advised).
  std::string user;
  std::string group;
};

// Reads a dnsmasq.conf, then the dhcp-hostsfile / dhcp-optsfile files it names; an unknown or
// malformed line is an error naming the file, the line number and the reason, and nothing is
// returned half-configured.
Result<ServeConfig> load_dnsmasq_conf(const std::string& path);
// The conf's own lines from a stream (the hosts/opts files are named, not read); `name` stands
// for the file in error messages.
Result<ServeConfig> parse_dnsmasq_conf(std::istream& in, const std::string& name);
// (Re-)reads every dhcp-hostsfile / dhcp-optsfile: replaces the dhcp-host / dhcp-option values an
// earlier read took from them, keeps the conf's own. A path that is a directory: every file in
// it, in name order. On error `s` is unchanged. SIGHUP calls this, as dnsmasq re-reads them.
Result<void> read_dhcp_files(DhcpSettings& s);

}  // namespace pxe::config
