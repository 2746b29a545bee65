// dnsmasq.conf DHCP and PXE lines: dhcp-range, dhcp-host, dhcp-boot, dhcp-match,
// dhcp-vendorclass/userclass, tag-if, pxe-service, pxe-prompt.
#include <algorithm>
#include <cctype>
#include <charconv>

#include "base/text.h"
#include "config/dnsmasq_lines.h"

namespace pxe::config::dnsmasq {

namespace {

std::string lower(std::string s) {
  for (auto& ch : s) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

// PXE client system architecture names (dnsmasq's CSA names; values as option 93, RFC 4578).
std::optional<std::uint16_t> parse_csa(const std::string& name) {
  static const std::pair<const char*, std::uint16_t> names[] = {
      {"x86pc", 0},      {"pc98", 1},          {"ia64_efi", 2},  {"alpha", 3},
      {"arc_x86", 4},    {"intel_lean_client", 5}, {"ia32_efi", 6}, {"x86-64_efi", 7},
      {"xscale_efi", 8}, {"bc_efi", 9},        {"arm32_efi", 10}, {"arm64_efi", 11}};
  auto l = lower(name);
  for (auto& [n, v] : names)
    if (l == n) return v;
  auto n = parse_number(name);
  if (n && *n <= 0xffff) return std::uint16_t(*n);
  return std::nullopt;
}

}  // namespace

std::vector<std::string> split_fields(std::string_view value) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (char ch : value) {
    if (ch == '"') {
      quoted = !quoted;
      continue;
    }
    if (ch == ',' && !quoted) {
      out.emplace_back(trim(cur));
      cur.clear();
      continue;
    }
    cur += ch;
  }
  out.emplace_back(trim(cur));  // an unterminated quote runs to the end of the line
  return out;
}

void take_tags(std::vector<std::string>& fields, TagConditions* tags, std::vector<std::string>* sets) {
  while (!fields.empty()) {
    const std::string& f = fields.front();
    if ((f.rfind("tag:", 0) == 0 || f.rfind("net:", 0) == 0) && tags) {
      std::string name = f.substr(4);
      bool neg = !name.empty() && name[0] == '!';
      tags->push_back({neg ? name.substr(1) : name, neg});
    } else if (f.rfind("set:", 0) == 0 && sets) {
      sets->push_back(f.substr(4));
    } else {
      break;
    }
    fields.erase(fields.begin());
  }
}

std::optional<std::uint64_t> parse_number(std::string_view text) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
    base = 16;
  }
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v, base);
  if (ec != std::errc() || p != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

std::optional<std::uint32_t> parse_lease_time(std::string_view text) {
  if (text == "infinite") return kInfiniteLease;
  if (text.empty()) return std::nullopt;
  std::uint64_t mult = 1;
  switch (text.back()) {
    case 's': case 'S': mult = 1; break;
    case 'm': case 'M': mult = 60; break;
    case 'h': case 'H': mult = 3600; break;
    case 'd': case 'D': mult = 86400; break;
    case 'w': case 'W': mult = 604800; break;
    default: mult = 0;
  }
  if (mult) text.remove_suffix(1); else mult = 1;
  auto n = parse_number(text);
  if (!n || *n * mult >= kInfiniteLease) return std::nullopt;
  // dnsmasq's floor: leases shorter than two minutes are raised to two minutes.
  return std::uint32_t(std::max<std::uint64_t>(*n * mult, 120));
}

std::string parse_dhcp_range(std::string_view value, DhcpSettings& s) {
  auto f = split_fields(value);
  DhcpRange r;
  std::vector<std::string> sets;
  take_tags(f, &r.tags, &sets);
  if (sets.size() > 1) return "at most one set: tag";
  if (!sets.empty()) r.set_tag = sets[0];
  if (f.empty()) return "expected START,END or NET,proxy";
  auto start = Ipv4::parse(f[0]);
  if (!start) return "expected an IPv4 start address, found '" + f[0] + "'";
  r.start = r.end = *start;
  std::size_t i = 1;
  if (i < f.size() && (f[i] == "proxy" || f[i] == "static")) {
    r.proxy = f[i] == "proxy";
    r.static_only = !r.proxy;
    ++i;
  } else {
    auto end = i < f.size() ? Ipv4::parse(f[i]) : std::nullopt;
    if (!end) return "expected an IPv4 end address after '" + f[0] + "'";
    if (*end < *start) return "end address " + end->str() + " is before start " + start->str();
    r.end = *end;
    ++i;
  }
  if (i < f.size()) {
    if (auto mask = Ipv4::parse(f[i])) {
      r.netmask = *mask;
      ++i;
    }
  }
  if (i < f.size() && !r.proxy) {
    auto t = parse_lease_time(f[i]);
    if (!t) return "expected a lease time (e.g. 12h, 45m, infinite), found '" + f[i] + "'";
    r.lease_s = *t;
    ++i;
  }
  if (i < f.size()) return "unexpected field '" + f[i] + "'";
  s.ranges.push_back(r);
  return {};
}

std::string parse_dhcp_host(std::string_view value, DhcpSettings& s) {
  auto f = split_fields(value);
  DhcpHost h;
  for (std::size_t i = 0; i < f.size(); ++i) {
    const auto& x = f[i];
    if (x.rfind("id:", 0) == 0) {
      std::string id = x.substr(3);
      if (id.empty()) return "expected a client id after 'id:'";
      if (id == "*") h.ignore_client_id = true;
      else if (auto b = parse_hex_bytes(id)) h.client_id = *b;
      else h.client_id.assign(id.begin(), id.end());
    } else if (auto mac = i == 0 ? Mac::parse(x) : std::nullopt) {
      h.mac = *mac;
      h.has_mac = true;
    } else if (x.rfind("set:", 0) == 0) h.set_tag = x.substr(4);
    else if (x == "ignore") h.ignore = true;
    else if (auto ip = Ipv4::parse(x)) h.ip = *ip;
    else if (auto t = parse_lease_time(x); t && !x.empty() && std::isdigit(static_cast<unsigned char>(x[0]))) h.lease_s = *t;
    else if (x == "infinite") h.lease_s = kInfiniteLease;
    else if (h.hostname.empty() && x.find(':') == std::string::npos) h.hostname = x;
    else return "unexpected field '" + x + "' (not a MAC address, id:, address, lease time or name)";
  }
  if (h.ignore_client_id && !h.has_mac) return "id:* needs a MAC address";
  if (!h.has_mac && h.client_id.empty() && h.hostname.empty())
    return "expected a MAC address, id:CLIENT_ID or a host name to match";
  s.hosts.push_back(h);
  return {};
}

std::string parse_dhcp_boot(std::string_view value, DhcpSettings& s) {
  auto f = split_fields(value);
  DhcpBoot b;
  take_tags(f, &b.tags, nullptr);
  if (f.empty() || f[0].empty()) return "expected a boot file name";
  if (f.size() > 3) return "expected FILE[,SNAME[,SERVER]]";
  b.file = f[0];
  if (f.size() > 1) b.sname = f[1];
  if (f.size() > 2) {
    auto ip = Ipv4::parse(f[2]);
    if (!ip) return "expected a server address, found '" + f[2] + "'";
    b.server = *ip;
  }
  s.boots.push_back(b);
  return {};
}

std::string parse_dhcp_match(std::string_view value, DhcpSettings& s) {
  auto f = split_fields(value);
  std::vector<std::string> sets;
  take_tags(f, nullptr, &sets);
  if (sets.size() != 1) return "expected set:TAG first";
  if (f.empty()) return "expected an option after set:" + sets[0];
  auto code = parse_option_code(f[0]);
  if (!code) return "unknown option '" + f[0] + "'";
  DhcpMatch m;
  m.set_tag = sets[0];
  m.code = *code;
  if (f.size() == 2) {
    if (auto n = parse_number(f[1])) {
      m.kind = DhcpMatch::Kind::Number;
      m.number = *n;
    } else {
      m.kind = DhcpMatch::Kind::Text;
      m.bytes.assign(f[1].begin(), f[1].end());
    }
  } else if (f.size() > 2) {
    return "expected set:TAG,OPTION[,VALUE]";
  }
  s.matches.push_back(m);
  return {};
}

std::string parse_class_match(std::string_view value, std::uint8_t code, DhcpSettings& s) {
  auto f = split_fields(value);
  std::vector<std::string> sets;
  take_tags(f, nullptr, &sets);
  if (sets.size() != 1 || f.size() != 1) return "expected set:TAG,STRING";
  DhcpMatch m;
  m.set_tag = sets[0];
  m.code = code;
  m.kind = DhcpMatch::Kind::Text;
  m.bytes.assign(f[0].begin(), f[0].end());
  s.matches.push_back(m);
  return {};
}

std::string parse_tag_if(std::string_view value, DhcpSettings& s) {
  auto f = split_fields(value);
  TagIf t;
  take_tags(f, &t.when, &t.set_tags);
  if (!f.empty()) return "unexpected field '" + f[0] + "' (expected set:TAG or tag:TAG)";
  if (t.set_tags.empty()) return "expected at least one set:TAG";
  s.tag_ifs.push_back(t);
  return {};
}

std::string parse_pxe_service(std::string_view value, DhcpSettings& s) {
  auto f = split_fields(value);
  PxeService p;
  take_tags(f, &p.tags, nullptr);
  if (f.size() < 2) return "expected CSA,\"MENU TEXT\"[,BASENAME][,SERVER]";
  auto csa = parse_csa(f[0]);
  if (!csa) return "unknown client system architecture '" + f[0] + "'";
  p.csa = *csa;
  p.menu_text = f[1];
  if (f.size() > 2) {
    // A number is a boot server type served elsewhere; "0" (or nothing) boots from local disk.
    if (auto n = parse_number(f[2])) {
      if (*n > 0xffff) return "boot server type above 65535";
      p.type = std::uint16_t(*n);
    } else {
      p.basename = f[2];
      // Our own numbering for services we serve: vendor-use types (PXE spec: 32768-65534).
      p.type = std::uint16_t(0x8000 + s.pxe_services.size());
    }
  }
  if (f.size() > 3) {
    auto ip = Ipv4::parse(f[3]);
    if (!ip) return "expected a boot server address, found '" + f[3] + "'";
    p.server = *ip;
  }
  if (f.size() > 4) return "unexpected field '" + f[4] + "'";
  s.pxe_services.push_back(p);
  return {};
}

std::string parse_pxe_prompt(std::string_view value, DhcpSettings& s) {
  auto f = split_fields(value);
  PxePrompt p;
  take_tags(f, &p.tags, nullptr);
  if (f.empty() || f.size() > 2) return "expected \"PROMPT\"[,TIMEOUT]";
  p.text = f[0];
  if (f.size() == 2) {
    auto n = parse_number(f[1]);
    if (!n || *n > 255) return "expected a timeout 0-255, found '" + f[1] + "'";
    p.timeout = std::uint8_t(*n);
  }
  s.pxe_prompts.push_back(p);
  return {};
}

}  // namespace pxe::config::dnsmasq
