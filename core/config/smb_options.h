// `pxekit serve`'s SMB flags put together: --smb-conf FILE (an smb.conf, config/smb_conf.h), then
// --share NAME=PATH, --smb-user USER:PASS, --smb-port N and --smb-signing over it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "config/smb_settings.h"

namespace pxe::config {

struct SmbOptions {
  std::string conf_path;                 // --smb-conf; empty: none
  std::vector<std::string> shares;       // --share NAME=PATH, each
  std::vector<std::string> users;        // --smb-user USER:PASS, each
  std::optional<std::uint16_t> port;     // --smb-port
  std::string signing;                   // --smb-signing auto|required|disabled; empty: the conf's

  bool any() const { return !conf_path.empty() || !shares.empty() || !users.empty() || port || !signing.empty(); }
};

// The SMB settings the flags describe, or nullopt when no SMB flag was given (no SMB service).
// Errors (the user's to fix): the smb.conf does not read; a --share or --smb-user is malformed;
// a share name given twice (also against the conf's, case-insensitively); an unknown
// --smb-signing value; SMB flags without any share to serve. Warnings of the conf stay in
// SmbSettings::warnings for the caller to log.
Result<std::optional<SmbSettings>> smb_settings(const SmbOptions& options);

}  // namespace pxe::config
