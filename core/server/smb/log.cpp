#include "server/smb/log.h"

namespace pxe::server::smb {

std::shared_ptr<spdlog::logger> log() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    if (auto existing = spdlog::get("smb")) return existing;
    auto l = spdlog::default_logger()->clone("smb");
    spdlog::register_logger(l);
    return l;
  }();
  return logger;
}

std::string event_line(std::string_view peer, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(peer.size() + 1 + text.size());
  out.append(peer);
  out.push_back(' ');
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

}  // namespace pxe::server::smb
