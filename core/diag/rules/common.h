// Helpers shared by the rules.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "diag/rules/rules.h"

namespace pxe::diag::rules {

inline double seconds(Duration d) { return double(d.count()) / 1e6; }

inline Finding failure(std::string id, std::string code, const ClientContext& c, std::string cause) {
  Finding f;
  f.id = std::move(id);
  f.severity = Severity::Failure;
  f.screen = c.screen_for(code);
  f.code = std::move(code);
  f.cause = std::move(cause);
  return f;
}

// One SMB connection of a client: its TCP port (the side that is not 445/139).
inline std::uint16_t smb_connection(const Event& e) {
  return (e.dport == 445 || e.dport == 139) ? e.sport : e.dport;
}

inline bool is_config_search(std::string_view file) {
  return file.find("pxelinux.cfg/") != std::string_view::npos || file.find("pxelinux.cfg\\") != std::string_view::npos;
}

inline std::string offer_text(const Offer& o) {
  return fmt::format("{} {} from {}{}", o.proxy ? "proxy DHCPOFFER" : "DHCPOFFER",
                     o.proxy ? std::string("(no address)") : o.ev->yiaddr.str(), o.server().str(),
                     o.has_bootfile() ? ", file " + o.ev->bootfile : " without a boot file");
}

}  // namespace pxe::diag::rules
