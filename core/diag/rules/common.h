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

// One SMB connection of a client: its TCP port (the side that is not the server's, 445/139 or
// the port the capture's dissector found SMB on).
inline std::uint16_t smb_connection(const Event& e) {
  return to_smb_server(e) ? e.sport : e.dport;
}
namespace smb {
inline constexpr std::uint16_t kSessionGuest = 1, kSessionNull = 2;  // SESSION_SETUP response SessionFlags
inline constexpr std::uint16_t kNegotiate = 0;                       // SMB2 command
inline bool is_negotiate_request(const Event& e) {
  return e.kind == EventKind::SmbOther && e.smb_command == kNegotiate && !e.is_response;
}
// A guest or anonymous session: the client's anonymous AUTHENTICATE, or a successful
// SESSION_SETUP response with IS_GUEST or IS_NULL.
inline bool is_guest_session(const Event& e) {
  if (e.kind != EventKind::SmbSessionSetup) return false;
  if (!e.is_response) return e.has_authenticate && e.anonymous;
  return e.status == 0 && (e.session_flags & (kSessionGuest | kSessionNull));
}
// "status 0x... for \\server\share" for a TREE_CONNECT response whose request named `share`.
inline std::string status_text(const Event& e, Text share) {
  return share.empty() ? fmt::format("status 0x{:08X}", e.status) : fmt::format("status 0x{:08X} for {}", e.status, share);
}
}  // namespace smb

inline bool is_config_search(std::string_view file) {
  return file.find("pxelinux.cfg/") != std::string_view::npos || file.find("pxelinux.cfg\\") != std::string_view::npos;
}

inline std::string offer_text(const Offer& o) {
  return fmt::format("{} {} from {}{}", o.proxy ? "proxy DHCPOFFER" : "DHCPOFFER",
                     o.proxy ? std::string("(no address)") : o.ev->yiaddr.str(), o.server().str(),
                     o.has_bootfile() ? ", file " + o.ev->bootfile : " without a boot file");
}

}  // namespace pxe::diag::rules
