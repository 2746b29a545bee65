// dhcp-option / dhcp-option-force lines: option names (`option:router`) and value encoding by
// the option's type.
#include <string>

#include "config/dnsmasq_lines.h"

namespace pxe::config::dnsmasq {

namespace {

enum class Kind { Ips, Ip, Text, U8, U16, U32, Bool, Raw };

struct Named {
  const char* name;
  std::uint8_t code;
  Kind kind;
};

// Names as dnsmasq's `option:` spelling (facts from its --help dhcp list; the set a PXE user
// writes), with the RFC 2132 / RFC 4578 value type.
constexpr Named kNames[] = {
    {"netmask", 1, Kind::Ip},          {"time-offset", 2, Kind::U32},
    {"router", 3, Kind::Ips},          {"dns-server", 6, Kind::Ips},
    {"log-server", 7, Kind::Ips},      {"lpr-server", 9, Kind::Ips},
    {"hostname", 12, Kind::Text},      {"boot-file-size", 13, Kind::U16},
    {"domain-name", 15, Kind::Text},   {"swap-server", 16, Kind::Ip},
    {"root-path", 17, Kind::Text},     {"extension-path", 18, Kind::Text},
    {"ip-forward-enable", 19, Kind::Bool}, {"default-ttl", 23, Kind::U8},
    {"mtu", 26, Kind::U16},            {"broadcast", 28, Kind::Ip},
    {"router-discovery", 31, Kind::Bool}, {"static-route", 33, Kind::Ips},
    {"nis-domain", 40, Kind::Text},    {"nis-server", 41, Kind::Ips},
    {"ntp-server", 42, Kind::Ips},     {"vendor-encap", 43, Kind::Raw},
    {"netbios-ns", 44, Kind::Ips},     {"netbios-dd", 45, Kind::Ips},
    {"netbios-nodetype", 46, Kind::U8}, {"netbios-scope", 47, Kind::Text},
    {"x-windows-fs", 48, Kind::Ips},   {"x-windows-dm", 49, Kind::Ips},
    {"requested-address", 50, Kind::Ip}, {"lease-time", 51, Kind::U32},
    {"option-overload", 52, Kind::U8}, {"message-type", 53, Kind::U8},
    {"server-identifier", 54, Kind::Ip}, {"parameter-request", 55, Kind::Raw},
    {"message", 56, Kind::Text},       {"max-message-size", 57, Kind::U16},
    {"T1", 58, Kind::U32},             {"T2", 59, Kind::U32},
    {"vendor-class", 60, Kind::Text},  {"client-id", 61, Kind::Raw},
    {"nis+-domain", 64, Kind::Text},   {"nis+-server", 65, Kind::Ips},
    {"tftp-server", 66, Kind::Text},   {"bootfile-name", 67, Kind::Text},
    {"mobile-ip-home", 68, Kind::Ips}, {"smtp-server", 69, Kind::Ips},
    {"pop3-server", 70, Kind::Ips},    {"nntp-server", 71, Kind::Ips},
    {"irc-server", 74, Kind::Ips},     {"user-class", 77, Kind::Raw},
    {"FQDN", 81, Kind::Raw},           {"agent-id", 82, Kind::Raw},
    {"client-arch", 93, Kind::U16},    {"client-interface-id", 94, Kind::Raw},
    {"client-machine-id", 97, Kind::Raw}, {"subnet-select", 118, Kind::Ip},
    {"domain-search", 119, Kind::Raw}, {"sip-server", 120, Kind::Ips},
    {"classless-static-route", 121, Kind::Raw}, {"vendor-id-encap", 125, Kind::Raw},
    {"tftp-server-address", 150, Kind::Ips}, {"server-ip-address", 255, Kind::Ip},
};

const Named* find_named(std::string_view name) {
  for (auto& n : kNames)
    if (name == n.name) return &n;
  return nullptr;
}

const Named* find_code(std::uint8_t code) {
  for (auto& n : kNames)
    if (code == n.code && code != 255) return &n;
  return nullptr;
}

}  // namespace

std::optional<Bytes> parse_hex_bytes(const std::string& v) {
  if (v.find(':') == std::string::npos) return std::nullopt;
  Bytes out;
  std::size_t i = 0;
  while (i < v.size()) {
    auto colon = v.find(':', i);
    auto part = v.substr(i, colon == std::string::npos ? std::string::npos : colon - i);
    if (part.empty() || part.size() > 2) return std::nullopt;
    auto n = parse_number("0x" + part);
    if (!n) return std::nullopt;
    out.push_back(std::uint8_t(*n));
    if (colon == std::string::npos) break;
    i = colon + 1;
  }
  return out;
}

namespace {

void put_uint(Bytes& out, std::uint64_t v, int width) {
  for (int i = width - 1; i >= 0; --i) out.push_back(std::uint8_t(v >> (8 * i)));
}

}  // namespace

std::optional<std::uint8_t> parse_option_code(std::string_view text) {
  if (text.rfind("option:", 0) == 0) {
    auto* n = find_named(text.substr(7));
    if (!n || n->code == 255) return std::nullopt;
    return n->code;
  }
  auto n = parse_number(text);
  if (!n || *n == 0 || *n >= 255) return std::nullopt;
  return std::uint8_t(*n);
}

std::string parse_dhcp_option(std::string_view value, bool force, DhcpSettings& s) {
  auto f = split_fields(value);
  DhcpOptionValue o;
  o.force = force;
  take_tags(f, &o.tags, nullptr);
  if (!f.empty() && f[0].rfind("vi-encap:", 0) == 0)
    return "vendor-identifying options (vi-encap:, option 125) are not supported yet";
  if (!f.empty() && f[0].rfind("encap:", 0) == 0) {
    auto n = parse_number(std::string_view(f[0]).substr(6));
    if (!n || *n == 0 || *n >= 255) return "expected an option code after 'encap:', found '" + f[0] + "'";
    o.encap = std::uint8_t(*n);
    f.erase(f.begin());
  } else if (!f.empty() && f[0].rfind("vendor:", 0) == 0) {
    o.vendor_class = f[0].substr(7);
    if (o.vendor_class.empty()) return "expected a vendor class after 'vendor:'";
    o.encap = 43;  // vendor-specific information, RFC 2132 §8.4
    f.erase(f.begin());
  }
  if (f.empty()) return "expected an option code or option:NAME";
  // A sub-option is a number: its type is not the top-level option's of the same code.
  std::optional<std::uint8_t> code;
  if (!o.encap) code = parse_option_code(f[0]);
  else if (auto n = parse_number(f[0]); n && *n > 0 && *n < 255) code = std::uint8_t(*n);
  if (!code) return (o.encap ? "expected a sub-option number 1-254, found '" : "unknown option '") + f[0] + "'";
  o.code = *code;
  std::vector<std::string> values(f.begin() + 1, f.end());
  const Named* named = o.encap ? nullptr : find_code(o.code);
  Kind kind = named ? named->kind : Kind::Raw;
  if (kind == Kind::Raw) {
    // Unknown type: addresses if every value is one, else hex bytes, else a number, else text.
    bool all_ips = !values.empty();
    for (auto& v : values) all_ips = all_ips && Ipv4::parse(v).has_value();
    if (all_ips) kind = Kind::Ips;
    else if (values.size() == 1 && parse_hex_bytes(values[0])) kind = Kind::Raw;
    else if (values.size() == 1 && parse_number(values[0])) kind = Kind::U8;
    else kind = Kind::Text;
    if (kind == Kind::U8 && *parse_number(values[0]) > 0xff)
      kind = *parse_number(values[0]) > 0xffff ? Kind::U32 : Kind::U16;
  }
  if (values.empty() && kind != Kind::Text) return "option " + std::to_string(o.code) + " needs a value";
  switch (kind) {
    case Kind::Ip:
    case Kind::Ips:
      if (kind == Kind::Ip && values.size() != 1) return "option " + f[0] + " takes one address";
      for (auto& v : values) {
        auto ip = Ipv4::parse(v);
        if (!ip) return "expected an IPv4 address, found '" + v + "'";
        // 0.0.0.0: this server's address, for top-level options (a sub-option keeps it as
        // written: `vendor:PXEClient,1,0.0.0.0` is the PXE multicast-TFTP address "none").
        if (ip->is_zero() && !o.encap) o.self_address_at.push_back(o.value.size());
        put_uint(o.value, ip->value, 4);
      }
      break;
    case Kind::Text: {
      std::string joined;
      for (std::size_t i = 0; i < values.size(); ++i) joined += (i ? "," : "") + values[i];
      o.value.assign(joined.begin(), joined.end());
      break;
    }
    case Kind::U8: case Kind::U16: case Kind::U32: case Kind::Bool: {
      int width = kind == Kind::U16 ? 2 : kind == Kind::U32 ? 4 : 1;
      for (auto& v : values) {
        auto n = parse_number(v);
        if (!n || *n >> (8 * width)) return "expected a " + std::to_string(8 * width) + "-bit number, found '" + v + "'";
        put_uint(o.value, *n, width);
      }
      break;
    }
    case Kind::Raw: {
      auto b = parse_hex_bytes(values.size() == 1 ? values[0] : std::string());
      if (!b) return "expected hex bytes like 01:02:03 for option " + std::to_string(o.code);
      o.value = *b;
      break;
    }
  }
  if (o.value.size() > 255 && (o.code != 43 || o.encap)) return "value longer than 255 bytes";
  s.options.push_back(o);
  return {};
}

}  // namespace pxe::config::dnsmasq
