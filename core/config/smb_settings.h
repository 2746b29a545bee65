// SMB server settings: filled from an smb.conf ([global] and share sections, config/smb_conf.h)
// or from `pxekit serve --share NAME=PATH --smb-user USER:PASS`, consumed by the SMB2 server.
// Defaults are Samba's where it has one, so a share behaves as it did under smbd.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/text.h"

namespace pxe::config {

// The dialects `server min protocol` / `server max protocol` name, ordered oldest first. The SMB2
// ones carry their DialectRevision (MS-SMB2 2.2.3). Nt1 is no SMB2 dialect: as a minimum it lets a
// client start with the SMB1 multi-protocol NEGOTIATE and be upgraded to SMB2.
enum class SmbDialect : std::uint16_t {
  Nt1 = 0x0001,
  Smb2_02 = 0x0202,
  Smb2_10 = 0x0210,
  Smb3_00 = 0x0300,
  Smb3_02 = 0x0302,
  Smb3_11 = 0x0311,
};

// The name smb.conf gives a dialect.
constexpr std::string_view dialect_name(SmbDialect d) {
  switch (d) {
    case SmbDialect::Nt1: return "NT1";
    case SmbDialect::Smb2_02: return "SMB2_02";
    case SmbDialect::Smb2_10: return "SMB2_10";
    case SmbDialect::Smb3_00: return "SMB3_00";
    case SmbDialect::Smb3_02: return "SMB3_02";
    case SmbDialect::Smb3_11: return "SMB3_11";
  }
  return "?";
}

// `map to guest`: when a logon that fails becomes a guest session.
enum class MapToGuest {
  Never,        // a failed logon is refused (STATUS_LOGON_FAILURE)
  BadUser,      // an unknown user name becomes guest; a known one with a wrong password is refused
  BadPassword,  // any failed logon becomes guest, a wrong password included
};

// `server signing`.
enum class SmbSigning {
  Auto,      // signing offered; used when the client asks for it (Samba's "default"/"auto")
  Required,  // every authenticated session signs ("mandatory"/"required")
  Disabled,  // never required by us; a client that requires it still gets it on its sessions
};

struct SmbShare {
  std::string name;                      // as written between [ ]; looked up case-insensitively
  std::string path;                      // the directory served (every path is confined to it)
  bool read_only = true;                 // `read only` (`writable` is its inverse); pxekit only reads
  bool guest_ok = false;                 // `guest ok` / `public`: guest sessions may connect
  bool browseable = true;                // `browseable`: listed by NetShareEnum
  std::string comment;                   // `comment`
  std::vector<std::string> valid_users;  // `valid users` as written (names, @group); empty: anyone
  std::size_t line = 0;                  // where its section starts (0: from the command line)
};

// An account that logs on with NTLMv2 (`--smb-user USER:PASS`).
struct SmbAccount {
  std::string user;
  std::string password;
};

struct SmbSettings {
  std::string workgroup = "WORKGROUP";  // upper-cased, as Samba does
  std::string netbios_name;             // upper-cased; empty: the host name
  std::string server_string;            // as written (%-macros are not expanded); empty: "pxekit"
  std::string guest_account = "nobody";  // the Unix account guest sessions read files as
  MapToGuest map_to_guest = MapToGuest::Never;
  SmbDialect min_protocol = SmbDialect::Smb2_02;  // Samba's server default
  SmbDialect max_protocol = SmbDialect::Smb3_11;
  SmbSigning signing = SmbSigning::Auto;
  // `server multi channel support`: SMB2_GLOBAL_CAP_MULTI_CHANNEL for 3.x and session binding.
  // On by default, as in Samba 4.17 on Linux.
  bool multi_channel = true;
  std::uint16_t port = 445;             // `smb ports` (its first port) or --smb-port
  std::vector<SmbShare> shares;         // in file order; names unique (case-insensitively)
  std::vector<SmbAccount> accounts;     // --smb-user
  std::vector<std::string> warnings;    // FILE:LINE: what was ignored, and why

  const SmbShare* find_share(std::string_view name) const {
    for (const auto& s : shares)
      if (iequals(s.name, name)) return &s;
    return nullptr;
  }
};

}  // namespace pxe::config
