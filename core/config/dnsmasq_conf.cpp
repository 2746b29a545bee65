// The dnsmasq.conf reader: comments, `key[=value]` lines, one handler per supported key.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "base/text.h"
#include "config/dnsmasq_lines.h"
#include "config/serve_config.h"

namespace pxe::config {

namespace {

using Handler = std::function<std::string(std::string_view value, bool has_value, ServeConfig&)>;

Handler flag(std::function<void(ServeConfig&)> set) {
  return [set](std::string_view, bool has_value, ServeConfig& c) -> std::string {
    if (has_value) return "takes no value";
    set(c);
    return {};
  };
}

Handler text(std::function<void(ServeConfig&, std::string)> set) {
  return [set](std::string_view v, bool has_value, ServeConfig& c) -> std::string {
    if (!has_value || v.empty()) return "needs a value";
    set(c, std::string(v));
    return {};
  };
}

Handler number(std::uint64_t max, std::function<void(ServeConfig&, std::uint64_t)> set) {
  return [max, set](std::string_view v, bool has_value, ServeConfig& c) -> std::string {
    auto n = has_value ? dnsmasq::parse_number(v) : std::nullopt;
    if (!n || *n > max) return "expected a number up to " + std::to_string(max) + ", found '" + std::string(v) + "'";
    set(c, *n);
    return {};
  };
}

Handler dhcp(std::function<std::string(std::string_view, DhcpSettings&)> parse) {
  return [parse](std::string_view v, bool has_value, ServeConfig& c) -> std::string {
    if (!has_value || v.empty()) return "needs a value";
    return parse(v, c.dhcp);
  };
}

const std::map<std::string, Handler, std::less<>>& handlers() {
  using namespace dnsmasq;
  static const std::map<std::string, Handler, std::less<>> h = {
      // pxekit has no DNS server: port=0 (dnsmasq's "DNS off") is the only accepted value.
      {"port", [](std::string_view v, bool, ServeConfig&) -> std::string {
         return v == "0" ? "" : "pxekit serves no DNS: only port=0 is accepted";
       }},
      {"interface", text([](ServeConfig& c, std::string v) {
         for (auto& f : split_fields(v)) { c.dhcp.interfaces.push_back(f); c.tftp.interfaces.push_back(f); }
       })},
      {"except-interface", text([](ServeConfig& c, std::string v) { c.dhcp.except_interfaces.push_back(v); })},
      {"bind-interfaces", flag([](ServeConfig& c) { c.dhcp.bind_interfaces = true; })},
      {"bind-dynamic", flag([](ServeConfig& c) { c.dhcp.bind_interfaces = true; })},
      {"log-dhcp", flag([](ServeConfig& c) { c.dhcp.log_dhcp = true; })},
      {"log-queries", flag([](ServeConfig&) {})},  // DNS only: nothing to log
      {"no-ping", flag([](ServeConfig& c) { c.dhcp.ping_check = false; })},
      {"dhcp-lease-max", number(0xfffffffe, [](ServeConfig& c, std::uint64_t n) { c.dhcp.lease_max = std::uint32_t(n); })},
      {"dhcp-authoritative", flag([](ServeConfig& c) { c.dhcp.authoritative = true; })},
      {"dhcp-leasefile", text([](ServeConfig& c, std::string v) { c.dhcp.lease_db = v; })},
      {"domain", text([](ServeConfig& c, std::string v) { c.dhcp.domain = split_fields(v).at(0); })},
      {"dhcp-pxe-vendor", text([](ServeConfig& c, std::string v) {
         c.dhcp.pxe_vendors = split_fields(v);
       })},
      {"dhcp-range", dhcp([](std::string_view v, DhcpSettings& s) {
         s.enabled = true;
         return parse_dhcp_range(v, s);
       })},
      {"dhcp-host", dhcp(parse_dhcp_host)},
      {"dhcp-hostsfile", text([](ServeConfig& c, std::string v) { c.dhcp.hostsfiles.push_back(v); })},
      {"dhcp-optsfile", text([](ServeConfig& c, std::string v) { c.dhcp.optsfiles.push_back(v); })},
      {"user", text([](ServeConfig& c, std::string v) { c.user = v; })},
      {"group", text([](ServeConfig& c, std::string v) { c.group = v; })},
      {"dhcp-boot", dhcp(parse_dhcp_boot)},
      {"dhcp-match", dhcp(parse_dhcp_match)},
      {"dhcp-vendorclass", dhcp([](std::string_view v, DhcpSettings& s) { return parse_class_match(v, 60, s); })},
      {"dhcp-userclass", dhcp([](std::string_view v, DhcpSettings& s) { return parse_class_match(v, 77, s); })},
      {"tag-if", dhcp(parse_tag_if)},
      {"pxe-service", dhcp(parse_pxe_service)},
      {"pxe-prompt", dhcp(parse_pxe_prompt)},
      {"dhcp-option", dhcp([](std::string_view v, DhcpSettings& s) { return parse_dhcp_option(v, false, s); })},
      {"dhcp-option-force", dhcp([](std::string_view v, DhcpSettings& s) { return parse_dhcp_option(v, true, s); })},
      // TFTP lines, read into TftpSettings.
      {"enable-tftp", [](std::string_view v, bool has_value, ServeConfig& c) -> std::string {
         c.tftp.enabled = true;
         if (has_value) for (auto& f : split_fields(v)) c.tftp.interfaces.push_back(f);
         return {};
       }},
      {"tftp-root", text([](ServeConfig& c, std::string v) { c.tftp.root = split_fields(v).at(0); })},
      {"tftp-no-blocksize", flag([](ServeConfig& c) { c.tftp.no_blocksize = true; })},
      {"tftp-max", number(65535, [](ServeConfig& c, std::uint64_t n) { c.tftp.max_transfers = std::uint32_t(n); })},
      // pxekit's own limits (dnsmasq has none of these): tftp-max-per-client=N (0: no per-client
      // cap), tftp-first-answer-timeout=SECONDS, tftp-idle-timeout=SECONDS.
      {"tftp-max-per-client", number(65535, [](ServeConfig& c, std::uint64_t n) { c.tftp.max_per_client = n ? std::uint32_t(n) : UINT32_MAX; })},
      {"tftp-first-answer-timeout", number(255, [](ServeConfig& c, std::uint64_t n) { c.tftp.first_answer_ms = std::uint32_t(n ? n * 1000 : 1000); })},
      {"tftp-idle-timeout", number(86400, [](ServeConfig& c, std::uint64_t n) { c.tftp.idle_timeout_s = std::uint32_t(n ? n : 1); })},
      {"tftp-mtu", number(65535, [](ServeConfig& c, std::uint64_t n) { c.tftp.mtu = std::uint32_t(n); })},
      {"tftp-lowercase", flag([](ServeConfig& c) { c.tftp.lowercase = true; })},
      {"tftp-secure", flag([](ServeConfig& c) { c.tftp.secure = true; })},
      {"tftp-max-upload-size", number(UINT64_MAX, [](ServeConfig& c, std::uint64_t n) { c.tftp.max_upload_size = n; })},
      {"tftp-port-range", [](std::string_view v, bool, ServeConfig& c) -> std::string {
         auto f = split_fields(v);
         auto lo = f.size() == 2 ? parse_number(f[0]) : std::nullopt;
         auto hi = f.size() == 2 ? parse_number(f[1]) : std::nullopt;
         if (!lo || !hi || *lo == 0 || *lo > *hi || *hi > 65535) return "expected LOW,HIGH ports, found '" + std::string(v) + "'";
         c.tftp.port_range_low = std::uint16_t(*lo);
         c.tftp.port_range_high = std::uint16_t(*hi);
         return {};
       }},
  };
  return h;
}

}  // namespace

Result<ServeConfig> load_dnsmasq_conf(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(path + ": cannot open");
  auto cfg = parse_dnsmasq_conf(in, path);
  if (!cfg) return cfg;
  if (auto r = read_dhcp_files(cfg->dhcp); !r) return r.error();
  return cfg;
}

namespace {

// A hosts/opts file is small text written by an admin or a script; more is a mistake (or
// /dev/zero), not a configuration.
constexpr std::uintmax_t kMaxDhcpFileBytes = 16u << 20;

// The files a dhcp-hostsfile / dhcp-optsfile path stands for: itself, or a directory's regular
// files in name order (skipping dotfiles and editor backups, as dnsmasq does).
Result<std::vector<std::string>> files_of(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return std::vector<std::string>{path};
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(path, ec)) {
    auto name = e.path().filename().string();
    if (name.empty() || name[0] == '.' || name.back() == '~' || !e.is_regular_file(ec)) continue;
    out.push_back(e.path().string());
  }
  if (ec) return make_error(path + ": " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

// Each non-comment line of `file` is handed to `line` (value, "FILE:LINE: " prefix).
Result<void> read_lines(const std::string& file, const std::function<std::string(std::string_view)>& line) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return make_error(file + ": not a regular file (or missing)");
  if (std::filesystem::file_size(file, ec) > kMaxDhcpFileBytes)
    return make_error(file + ": larger than " + std::to_string(kMaxDhcpFileBytes >> 20) + " MiB");
  std::ifstream in(file);
  if (!in) return make_error(file + ": cannot open");
  std::string raw;
  for (int lineno = 1; std::getline(in, raw); ++lineno) {
    std::string value(trim(strip_comment(raw)));
    if (value.empty()) continue;
    if (auto err = line(value); !err.empty()) return make_error(file + ":" + std::to_string(lineno) + ": " + err);
  }
  return {};
}

}  // namespace

Result<void> read_dhcp_files(DhcpSettings& s) {
  DhcpSettings next = s;
  std::erase_if(next.hosts, [](const DhcpHost& h) { return !h.from_file.empty(); });
  std::erase_if(next.options, [](const DhcpOptionValue& o) { return !o.from_file.empty(); });
  for (const auto& path : s.hostsfiles) {
    auto files = files_of(path);
    if (!files) return files.error();
    for (const auto& f : *files) {
      auto r = read_lines(f, [&](std::string_view v) {
        std::size_t before = next.hosts.size();
        auto err = dnsmasq::parse_dhcp_host(v, next);
        for (std::size_t i = before; i < next.hosts.size(); ++i) next.hosts[i].from_file = f;
        return err.empty() ? err : "dhcp-host: " + err;
      });
      if (!r) return r;
    }
  }
  for (const auto& path : s.optsfiles) {
    auto files = files_of(path);
    if (!files) return files.error();
    for (const auto& f : *files) {
      auto r = read_lines(f, [&](std::string_view v) {
        std::size_t before = next.options.size();
        auto err = dnsmasq::parse_dhcp_option(v, false, next);
        for (std::size_t i = before; i < next.options.size(); ++i) next.options[i].from_file = f;
        return err.empty() ? err : "dhcp-option: " + err;
      });
      if (!r) return r;
    }
  }
  s = std::move(next);
  return {};
}

Result<ServeConfig> parse_dnsmasq_conf(std::istream& in, const std::string& path) {
  ServeConfig cfg;
  std::string raw;
  int lineno = 0;
  while (std::getline(in, raw)) {
    ++lineno;
    std::string line(trim(strip_comment(raw)));
    if (line.empty()) continue;
    auto eq = line.find('=');
    std::string key(trim(line.substr(0, eq)));
    bool has_value = eq != std::string::npos;
    std::string value = has_value ? std::string(trim(line.substr(eq + 1))) : std::string();
    auto where = path + ":" + std::to_string(lineno) + ": ";
    auto it = handlers().find(key);
    if (it == handlers().end()) return make_error(where + "unsupported option '" + key + "'");
    std::string err = it->second(value, has_value, cfg);
    if (!err.empty()) return make_error(where + key + ": " + err);
  }
  return cfg;
}

}  // namespace pxe::config
