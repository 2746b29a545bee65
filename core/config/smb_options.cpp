#include "config/smb_options.h"

#include "base/text.h"
#include "config/smb_conf.h"

namespace pxe::config {

Result<std::optional<SmbSettings>> smb_settings(const SmbOptions& options) {
  if (!options.any()) return std::optional<SmbSettings>();
  SmbSettings s;
  if (!options.conf_path.empty()) {
    auto loaded = load_smb_conf(options.conf_path);
    if (!loaded) return loaded.error();
    s = std::move(*loaded);
  }
  for (const auto& arg : options.shares) {
    auto share = parse_share_arg(arg);
    if (!share) return share.error();
    if (const auto* prev = s.find_share(share->name))
      return make_error("--share " + share->name + ": a share named '" + prev->name + "' is already configured" +
                        (prev->line ? " (" + options.conf_path + ":" + std::to_string(prev->line) + ")" : ""));
    s.shares.push_back(std::move(*share));
  }
  for (const auto& arg : options.users) {
    auto account = parse_smb_user_arg(arg);
    if (!account) return account.error();
    for (const auto& a : s.accounts)
      if (iequals(a.user, account->user)) return make_error("--smb-user " + log_safe(a.user, 64) + " given twice");
    s.accounts.push_back(std::move(*account));
  }
  if (options.port) {
    if (*options.port == 0) return make_error("--smb-port: 0 is no port");
    s.port = *options.port;
  }
  if (!options.signing.empty()) {
    if (options.signing == "auto") s.signing = SmbSigning::Auto;
    else if (options.signing == "required") s.signing = SmbSigning::Required;
    else if (options.signing == "disabled") s.signing = SmbSigning::Disabled;
    else return make_error("--smb-signing: expected auto, required or disabled, found '" + log_safe(options.signing, 40) + "'");
  }
  if (s.shares.empty())
    return make_error(options.conf_path.empty() ? "SMB flags given but no share: add --share NAME=PATH"
                                                : options.conf_path + ": no share section to serve (and no --share)");
  return std::optional<SmbSettings>(std::move(s));
}

}  // namespace pxe::config
