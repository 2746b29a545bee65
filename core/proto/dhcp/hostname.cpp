#include "proto/dhcp/hostname.h"

namespace pxe::proto::dhcp {

namespace {

bool label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

bool legal_label(std::string_view l) {
  if (l.empty() || l.size() > 63 || l.front() == '-' || l.back() == '-') return false;
  for (char c : l)
    if (!label_char(c)) return false;
  return true;
}

}  // namespace

std::optional<std::string> legal_hostname(std::string_view sent) {
  while (!sent.empty() && sent.back() == '\0') sent.remove_suffix(1);
  if (sent.size() > 253) return std::nullopt;
  std::string_view first = sent.substr(0, sent.find('.'));
  if (!legal_label(first)) return std::nullopt;
  // The domain part must be a domain name too (a trailing dot is allowed): a name like
  // "pc.\x1b[2J" is refused whole rather than half taken.
  for (std::string_view rest = sent.size() > first.size() ? sent.substr(first.size() + 1) : std::string_view();
       !rest.empty();) {
    std::string_view l = rest.substr(0, rest.find('.'));
    if (!legal_label(l)) return std::nullopt;
    rest = l.size() < rest.size() ? rest.substr(l.size() + 1) : std::string_view();
  }
  return std::string(first);
}

}  // namespace pxe::proto::dhcp
