// The command-line forms of an SMB share and account (`pxekit serve --share NAME=PATH
// --smb-user USER:PASS`), and the share-name rule the smb.conf reader applies too.
#include <string>

#include "base/text.h"
#include "config/smb_conf.h"

namespace pxe::config {

namespace {

// Windows refuses these in a share name (and `\` `/` would make the UNC path another one).
constexpr std::string_view kBadShareChars = "\\/[]:|<>+=;,*?\"";

}  // namespace

std::string share_name_problem(std::string_view name) {
  if (name.empty()) return "empty share name";
  if (name.size() > kMaxShareNameLength) return "share name longer than " + std::to_string(kMaxShareNameLength) + " characters";
  for (char c : name) {
    if (kBadShareChars.find(c) != std::string_view::npos)
      return "share name '" + log_safe(name, 120) + "' holds '" + std::string(1, c) + "', which a client cannot ask for";
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return "share name '" + log_safe(name, 120) + "' holds a control character";
  }
  return {};
}

Result<SmbShare> parse_share_arg(std::string_view arg) {
  auto eq = arg.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == arg.size())
    return make_error("--share: expected NAME=PATH, found '" + log_safe(arg, 120) + "'");
  std::string_view name = arg.substr(0, eq);
  if (auto bad = share_name_problem(name); !bad.empty()) return make_error("--share: " + bad);
  SmbShare s;
  s.name = std::string(name);
  s.path = std::string(arg.substr(eq + 1));
  return s;
}

Result<SmbAccount> parse_smb_user_arg(std::string_view arg) {
  // The errors never show the argument: it holds a password, and they may reach a log.
  auto colon = arg.find(':');
  if (colon == std::string_view::npos) return make_error("--smb-user: expected USER:PASSWORD, found no ':'");
  if (colon == 0) return make_error("--smb-user: the user name is empty");
  return SmbAccount{std::string(arg.substr(0, colon)), std::string(arg.substr(colon + 1))};
}

}  // namespace pxe::config
