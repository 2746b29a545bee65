// The smb.conf reader (`pxekit serve --smb-conf FILE`) and the command-line forms of a share and an
// account. What each line means is in docs/smb-conf.md; in short:
//   - `[global]` and one section per share; `[homes]`, `[printers]` and `[IPC$]` are skipped with a
//     warning (pxekit serves IPC$ itself and has no home or printer shares);
//   - keys compare as Samba compares them: case and spaces do not matter (`guest ok` = `GuestOK`);
//     a share key in [global] is the default of every share, as in Samba;
//   - `#` or `;` at the start of a line is a comment; ` # ...` after a value is one too (a choice:
//     see smb_conf.cpp), and a line ending in `\` goes on on the next one;
//   - a line pxekit does not use is skipped with a warning `FILE:LINE: ...` naming its key;
//   - a malformed line (a key before any section, `[` without `]`, a value that is no boolean, no
//     protocol, no `map to guest` or `server signing` value) is an error `FILE:LINE: reason`, and
//     nothing is returned half-read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>
#include <string_view>

#include "base/result.h"
#include "config/smb_settings.h"

namespace pxe::config {

// Reads the file at `path` (at most kMaxSmbConfBytes).
Result<SmbSettings> load_smb_conf(const std::string& path);
// The same from a stream; `name` stands for the file in errors and warnings. Error::offset is the
// byte offset where the failing line starts.
Result<SmbSettings> parse_smb_conf(std::istream& in, const std::string& name);

// An smb.conf is a page of text; more is a mistake (or /dev/zero), not a configuration.
inline constexpr std::uintmax_t kMaxSmbConfBytes = 1u << 20;

// Why a client could not ask for a share of this name, or empty when it can: not empty, at most
// kMaxShareNameLength bytes, no control character and none Windows refuses in a share name
// (\ / [ ] : | < > + = ; , * ? ").
std::string share_name_problem(std::string_view name);
inline constexpr std::size_t kMaxShareNameLength = 80;

// `--share NAME=PATH`: a read-only share with Samba's defaults (guests refused unless the caller
// says otherwise), split at the first '='; the path may not be empty, and the name must pass
// share_name_problem().
Result<SmbShare> parse_share_arg(std::string_view arg);
// `--smb-user USER:PASSWORD`, split at the first ':' (a password may hold ':'; a user name may
// not). The user may not be empty; the password may.
Result<SmbAccount> parse_smb_user_arg(std::string_view arg);

}  // namespace pxe::config
