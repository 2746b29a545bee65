#include "diag/render.h"

#include <fmt/format.h>

#include "base/json_writer.h"

namespace pxe::diag {

namespace {

std::string rel_time(Timestamp t, Timestamp origin) { return fmt::format("{:.3f}s", double((t - origin).count()) / 1e6); }

void text_finding(const Finding& f, Timestamp origin, std::string& out) {
  out += fmt::format("  [{}] {}{}\n", severity_name(f.severity), f.id, f.code.empty() ? "" : " (" + f.code + ")");
  if (!f.screen.empty() && f.severity == Severity::Failure) out += fmt::format("    screen:   {}\n", f.screen);
  out += fmt::format("    cause:    {}\n", f.cause);
  for (const auto& e : f.evidence)
    out += fmt::format("    evidence: frame {} at {}: {}\n", e.frame, rel_time(e.time, origin), e.what);
  auto lines = [&out](const char* label, const std::string& s) {
    if (s.empty()) return;
    std::size_t start = 0;
    bool first = true;
    while (start <= s.size()) {
      std::size_t nl = s.find('\n', start);
      std::string line = s.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
      out += fmt::format("    {:<9} {}\n", first ? label : "", line);
      first = false;
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
  };
  lines("fix:", f.fix_dnsmasq);
  lines("pxekit:", f.fix_pxekit);
}

Timestamp origin_of(const Report& r) {
  Timestamp o{INT64_MAX};
  for (const auto& c : r.clients)
    for (const auto& s : c.ladder) o = std::min(o, s.time);
  for (const auto& f : r.network)
    for (const auto& e : f.evidence) o = std::min(o, e.time);
  return o.us == INT64_MAX ? Timestamp{} : o;
}

}  // namespace

std::string render_text(const Report& r) {
  std::string out;
  Timestamp origin = origin_of(r);
  out += fmt::format("{}: {} client(s)\n", r.source, r.clients.size());
  for (const auto& c : r.clients) {
    out += fmt::format("\nclient {}{}\n", c.key, c.ips.empty() ? "" : " (" + c.ips.front().str() + ")");
    out += fmt::format("  firmware:   {}{}\n", firmware_name(c.firmware),
                       c.firmware_detail.empty() ? "" : " (" + c.firmware_detail + ")");
    out += fmt::format("  reached:    {}\n", stage_name(c.last_stage));
    out += fmt::format("  verdict:    {}\n", c.failed ? "FAILED" : "ok as far as the capture shows");
    out += fmt::format("  {}  {}\n", c.failed ? "screen:  " : "outcome: ", c.screen);
    for (const auto& f : c.findings)
      if (f.severity != Severity::Info) text_finding(f, origin, out);
    for (const auto& f : c.findings)
      if (f.severity == Severity::Info) text_finding(f, origin, out);
  }
  if (!r.network.empty()) {
    out += "\nnetwork\n";
    for (const auto& f : r.network) text_finding(f, origin, out);
  }
  return out;
}

std::string render_json(const Report& r) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.field("source", r.source);
  w.field("frames", r.frames);
  w.field("failed", r.any_failed());
  auto finding = [&w](const Finding& f) {
    w.begin_object();
    w.field("id", f.id);
    w.field("severity", severity_name(f.severity));
    w.field("code", f.code);
    w.field("firmware_message", f.screen);
    w.field("cause", f.cause);
    w.key("evidence").begin_array();
    for (const auto& e : f.evidence) {
      w.begin_object();
      w.field("frame", e.frame);
      w.field("time", double(e.time.us) / 1e6);
      w.field("what", e.what);
      w.end_object();
    }
    w.end_array();
    w.field("fix_dnsmasq", f.fix_dnsmasq);
    w.field("fix_pxekit", f.fix_pxekit);
    w.end_object();
  };
  w.key("clients").begin_array();
  for (const auto& c : r.clients) {
    w.begin_object();
    w.field("client", c.key);
    w.field("mac", c.mac.is_zero() ? std::string() : c.mac.str());
    w.key("ips").begin_array();
    for (auto ip : c.ips) w.value(ip.str());
    w.end_array();
    w.field("firmware", firmware_name(c.firmware));
    w.field("firmware_detail", c.firmware_detail);
    w.field("stage", stage_name(c.last_stage));
    w.field("failed", c.failed);
    w.field("screen", c.screen);
    w.key("findings").begin_array();
    for (const auto& f : c.findings) finding(f);
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.key("network").begin_array();
  for (const auto& f : r.network) finding(f);
  w.end_array();
  w.end_object();
  out.push_back('\n');
  return out;
}

}  // namespace pxe::diag
