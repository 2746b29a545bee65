#include "proto/dhcp/classify.h"

#include <algorithm>

#include "base/text.h"
#include "proto/dhcp/hostname.h"

namespace pxe::proto::dhcp {

namespace wd = wire::dhcp;

namespace {

// dhcp-match with a number: equal to one element of the option, elements being 16-bit for
// option 93 (RFC 4578 lists of architectures) and the whole value for short options.
bool number_matches(const Bytes& v, std::uint8_t code, std::uint64_t n) {
  std::size_t width = code == wd::opt::kClientArch ? 2 : (v.size() <= 4 ? v.size() : 1);
  if (width == 0) return false;
  for (std::size_t i = 0; i + width <= v.size(); i += width) {
    std::uint64_t x = 0;
    for (std::size_t j = 0; j < width; ++j) x = x << 8 | v[i + j];
    if (x == n) return true;
  }
  return false;
}

bool option_matches(const wd::Message& m, const config::DhcpMatch& match) {
  auto v = m.option(match.code);
  if (!v) return false;
  switch (match.kind) {
    case config::DhcpMatch::Kind::Present: return true;
    case config::DhcpMatch::Kind::Number: return number_matches(*v, match.code, match.number);
    case config::DhcpMatch::Kind::Text:
      return std::search(v->begin(), v->end(), match.bytes.begin(), match.bytes.end()) != v->end();
    case config::DhcpMatch::Kind::Bytes:
      return v->size() >= match.bytes.size() && std::equal(match.bytes.begin(), match.bytes.end(), v->begin());
  }
  return false;
}

}  // namespace

Client classify_client(const wd::Message& m, const config::DhcpSettings& s) {
  Client c;
  c.mac = m.client_mac();
  if (auto id = m.client_id(); id && !id->empty()) c.key = "id:" + hex(*id, ':');
  else c.key = "mac:" + c.mac.str();
  if (auto vc = m.vendor_class()) {
    for (const auto& v : s.pxe_vendors)
      if (vc->rfind(v, 0) == 0) c.pxe = true;
  }
  if (auto arch = m.client_arch(); arch && !arch->empty()) {
    c.arch = arch->front();
    c.has_arch = true;
  }
  if (auto uc = m.user_class()) {
    for (const auto& cls : uc->classes)
      if (cls == "iPXE") c.ipxe = true;
  }
  if (m.has_option(wd::opt::kIpxeEncap)) c.ipxe = true;
  // dhcp-host: by client id, else by MAC, else (lines with neither) by the name sent in 12.
  auto id = m.client_id();
  for (const auto& h : s.hosts)
    if (!c.host && !h.client_id.empty() && id && *id == h.client_id) c.host = &h;
  for (const auto& h : s.hosts)
    if (!c.host && h.has_mac && h.mac == c.mac) c.host = &h;
  if (!c.host)
    if (auto sent = m.hostname())
      if (auto name = legal_hostname(*sent))  // "laptop.lan" is laptop; an illegal name matches nothing
        for (const auto& h : s.hosts)
          if (!c.host && !h.has_mac && h.client_id.empty() && iequals(h.hostname, *name)) c.host = &h;
  if (c.host && c.host->ignore_client_id) c.key = "mac:" + c.mac.str();
  return c;
}

bool tags_match(const config::TagConditions& when, const Tags& tags) {
  for (const auto& t : when)
    if (tags.contains(t.name) == t.negated) return false;
  return true;
}

Tags base_tags(const wd::Message& m, const Client& c, const config::DhcpSettings& s,
               const std::string& interface) {
  Tags tags;
  if (!interface.empty()) tags.insert(interface);
  if (c.host) {
    tags.insert("known");
    if (!c.host->set_tag.empty()) tags.insert(c.host->set_tag);
  }
  for (const auto& match : s.matches)
    if (option_matches(m, match)) tags.insert(match.set_tag);
  return tags;
}

void finish_tags(Tags& tags, const config::DhcpRange* range, const config::DhcpSettings& s) {
  if (range && !range->set_tag.empty()) tags.insert(range->set_tag);
  for (const auto& t : s.tag_ifs)
    if (tags_match(t.when, tags))
      for (const auto& name : t.set_tags) tags.insert(name);
}

}  // namespace pxe::proto::dhcp
