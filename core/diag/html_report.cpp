#include "diag/html_report.h"

#include <fmt/format.h>

#include "diag/html_ladder.h"

namespace pxe::diag {
namespace {

constexpr std::string_view kStyle = R"(
:root{--fail:#c62828;--fail-bg:#fdecea;--ok:#2e7d32;--ok-bg:#e8f5e9;--warn:#b26a00;--warn-bg:#fff4e0;
--info:#455a64;--ink:#1f2933;--muted:#6b7780;--line:#d5dbe1;--req:#1f5fbf;--rep:#00796b}
*{box-sizing:border-box}
body{margin:0;padding:24px 32px 48px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,
"DejaVu Sans",sans-serif;color:var(--ink);background:#f6f7f9}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:18px;margin:0 0 6px;display:flex;gap:10px;align-items:center;flex-wrap:wrap}
h3{font-size:15px;margin:18px 0 8px}
.meta{color:var(--muted);margin:0 0 18px}
code,pre,.mono{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12.5px}
section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:16px 20px;
margin:0 0 20px;box-shadow:0 1px 2px rgba(0,0,0,.04)}
table.summary{border-collapse:collapse;width:100%}
.summary th{text-align:left;font-weight:600;color:var(--muted);font-size:12px;
text-transform:uppercase;letter-spacing:.04em;border-bottom:2px solid var(--line);padding:6px 10px}
.summary td{padding:8px 10px;border-bottom:1px solid var(--line);vertical-align:top}
.summary tr.failed td:first-child{box-shadow:inset 4px 0 0 var(--fail)}
.summary tr.ok td:first-child{box-shadow:inset 4px 0 0 var(--ok)}
.summary a{color:inherit}
.badge{display:inline-block;font-weight:700;font-size:12px;padding:1px 8px;border-radius:10px;
letter-spacing:.03em}
.badge.failed{background:var(--fail);color:#fff}.badge.ok{background:var(--ok);color:#fff}
.pxe-code{font-weight:700;color:var(--fail);margin:0 6px}
.screen{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12.5px;
background:#111820;color:#e8eef2;padding:1px 6px;border-radius:4px;
-webkit-box-decoration-break:clone;box-decoration-break:clone;line-height:1.7}
.detail{color:var(--muted);font-size:12px}
.client-meta{color:var(--muted);margin:0 0 12px}
.ladder-wrap{overflow-x:auto;border:1px solid var(--line);border-radius:8px;background:#fcfdfe}
svg.ladder{display:block;font:12px system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
svg .lane rect{fill:#eef2f6;stroke:#9aa8b5}
svg .lane-title{font-weight:700;text-anchor:middle;font-family:"DejaVu Sans Mono",monospace;font-size:12px}
svg .lane-role{text-anchor:middle;fill:var(--muted);font-size:10.5px}
svg .col{fill:var(--muted);font-size:10.5px;text-transform:uppercase}
svg .num{text-anchor:end}
svg .lifeline{stroke:#b8c2cc;stroke-dasharray:4 4}
svg .row{fill:transparent}
svg .arrow:hover .row{fill:#eef3fb}
svg .arrow line{stroke-width:1.6}
svg .t,svg .f{fill:var(--muted);font-family:"DejaVu Sans Mono",monospace;font-size:11px}
svg .label{text-anchor:middle;fill:var(--ink)}
svg .req line{stroke:var(--req)}svg .req polygon{fill:var(--req)}
svg .rep line{stroke:var(--rep)}svg .rep polygon{fill:var(--rep)}
svg .bcast line{stroke-dasharray:6 3}
svg .noise{opacity:.45}
svg .noise line{stroke:#8a949e}svg .noise polygon{fill:#8a949e}svg .noise .label{fill:#6b7780}
svg .failing line{stroke:var(--fail);stroke-width:2.6}svg .failing polygon{fill:var(--fail)}
svg .failing .label{fill:var(--fail);font-weight:700}
svg .failing .row{fill:var(--fail-bg)}svg .failing .t,svg .failing .f{fill:var(--fail);font-weight:700}
svg .gap text{fill:var(--muted);font-style:italic;text-anchor:middle}
.note{color:var(--muted);font-style:italic;margin:6px 0 0}
.legend{color:var(--muted);font-size:12px;margin:8px 0 0}
.legend span{margin-right:14px}
.legend .sw{display:inline-block;width:22px;height:0;border-top:2px solid;vertical-align:middle;margin-right:5px}
.finding{border:1px solid var(--line);border-left:5px solid var(--info);border-radius:8px;
padding:10px 14px;margin:0 0 12px}
.finding.failure{border-left-color:var(--fail);background:#fffafa}
.finding.warning{border-left-color:var(--warn);background:#fffcf5}
.finding.info{opacity:.85}
.finding h4{margin:0 0 4px;font-size:14px;display:flex;gap:8px;align-items:center;flex-wrap:wrap}
.sev{font-size:11px;text-transform:uppercase;font-weight:700;padding:1px 7px;border-radius:9px;
color:#fff;background:var(--info)}
.failure .sev{background:var(--fail)}.warning .sev{background:var(--warn)}
.finding .cause{margin:4px 0 6px}
.evidence{margin:4px 0 8px;padding-left:20px}
.evidence li{margin:1px 0}
.evidence .mono{color:var(--muted)}
.fix{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px;margin:6px 0 0}
.fix dt{color:var(--muted);font-size:12px;padding-top:5px}
.fix dd{margin:0}
.fix pre{margin:0;background:#f1f4f7;border:1px solid var(--line);border-radius:6px;padding:5px 8px;
white-space:pre-wrap;word-break:break-all}
.none{color:var(--muted)}
)";

using Out = std::back_insert_iterator<std::string>;

// The code shown with a failed verdict: the first failure finding that names one.
std::string_view verdict_code(const ClientReport& c) {
  for (const auto& f : c.findings)
    if (f.severity == Severity::Failure && !f.code.empty()) return f.code;
  return {};
}

void verdict(Out out, const ClientReport& c) {
  fmt::format_to(out, "<span class=\"badge {0}\">{1}</span>", c.failed ? "failed" : "ok",
                 c.failed ? "FAILED" : "OK");
  if (c.failed && !verdict_code(c).empty())
    fmt::format_to(out, "<span class=\"pxe-code\">{}</span>", html_escape(verdict_code(c)));
  if (!c.screen.empty()) fmt::format_to(out, " <span class=\"screen\">{}</span>", html_escape(c.screen));
}

// "iPXE" and what identified it (option 60, 77): below it in the table, after it in a header.
std::string firmware_text(const ClientReport& c, bool below) {
  std::string s = "<b>" + html_escape(firmware_name(c.firmware)) + "</b>";
  if (!c.firmware_detail.empty())
    s += std::string(below ? "<br>" : " ") + "<span class=\"mono detail\">" +
         html_escape(c.firmware_detail) + "</span>";
  return s;
}

void finding(Out out, const Finding& f, Timestamp origin) {
  std::string_view sev = severity_name(f.severity);
  fmt::format_to(out, "<div class=\"finding {0}\"><h4><span class=\"sev\">{0}</span><code>{1}</code>",
                 html_escape(sev), html_escape(f.id));
  if (!f.code.empty()) fmt::format_to(out, "<span class=\"pxe-code\">{}</span>", html_escape(f.code));
  fmt::format_to(out, "</h4>\n");
  if (!f.cause.empty()) fmt::format_to(out, "<p class=\"cause\">{}</p>\n", html_escape(f.cause));
  if (!f.screen.empty())
    fmt::format_to(out, "<p>Screen: <span class=\"screen\">{}</span></p>\n", html_escape(f.screen));
  if (!f.evidence.empty()) {
    fmt::format_to(out, "<ol class=\"evidence\">\n");
    for (const auto& e : f.evidence)
      fmt::format_to(out, "<li><span class=\"mono\">frame {} \u00b7 {} s</span> \u2014 {}</li>\n",
                     e.frame, html::relative_seconds(e.time, origin), html_escape(e.what));
    fmt::format_to(out, "</ol>\n");
  }
  if (!f.fix_dnsmasq.empty() || !f.fix_pxekit.empty()) {
    fmt::format_to(out, "<dl class=\"fix\">");
    if (!f.fix_dnsmasq.empty())
      fmt::format_to(out, "<dt>dnsmasq.conf</dt><dd><pre><code>{}</code></pre></dd>",
                     html_escape(f.fix_dnsmasq));
    if (!f.fix_pxekit.empty())
      fmt::format_to(out, "<dt>pxekit serve</dt><dd><pre><code>{}</code></pre></dd>",
                     html_escape(f.fix_pxekit));
    fmt::format_to(out, "</dl>\n");
  }
  fmt::format_to(out, "</div>\n");
}

void client_section(Out out, const ClientReport& c, std::size_t index, const HtmlOptions& options) {
  fmt::format_to(out, "<section class=\"client\" id=\"client-{}\">\n<h2><span class=\"mono\">{}</span>",
                 index + 1, html_escape(c.key));
  verdict(out, c);
  fmt::format_to(out, "</h2>\n<p class=\"client-meta\">");
  std::string ips;
  for (const auto& ip : c.ips) ips += (ips.empty() ? "" : ", ") + ip.str();
  fmt::format_to(out, "{} \u00b7 last stage: <b>{}</b>{}{}</p>\n", firmware_text(c, false),
                 html_escape(stage_name(c.last_stage)), ips.empty() ? "" : " \u00b7 address ",
                 html_escape(ips));
  if (c.ladder.empty()) {
    fmt::format_to(out, "<p class=\"none\">No packets of this client to draw.</p>\n");
  } else {
    fmt::format_to(out, "<div class=\"ladder-wrap\">\n{}</div>\n",
                   html::ladder_svg(c, options.max_steps));
    if (c.ladder.size() > options.max_steps)
      fmt::format_to(out,
                     "<p class=\"note\">\u2026 {} more steps not drawn (the ladder keeps {} steps "
                     "and every failing one).</p>\n",
                     c.ladder.size() - options.max_steps, options.max_steps);
    fmt::format_to(
        out,
        "<p class=\"legend\"><span><i class=\"sw\" style=\"border-color:var(--req)\"></i>from "
        "the client</span><span><i class=\"sw\" style=\"border-color:var(--rep)\"></i>to the "
        "client</span><span><i class=\"sw\" style=\"border-color:var(--fail);border-top-width:"
        "3px\"></i>failing step</span><span><i class=\"sw\" style=\"border-color:#8a949e;"
        "opacity:.45\"></i>benign noise</span><span><i class=\"sw\" style=\"border-color:"
        "var(--req);border-top-style:dashed\"></i>broadcast</span></p>\n");
  }
  fmt::format_to(out, "<h3>Findings</h3>\n");
  if (c.findings.empty()) fmt::format_to(out, "<p class=\"none\">None.</p>\n");
  const Timestamp origin = html::origin_of(c);
  for (const auto& f : c.findings) finding(out, f, origin);
  fmt::format_to(out, "</section>\n");
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        // Bytes off the wire: no control characters in the page (NUL is not even allowed).
        if ((c < 0x20 && ch != '\n' && ch != '\t') || c == 0x7f) out += "\uFFFD";
        else out += ch;
    }
  }
  return out;
}

std::string render_html(const Report& report, const HtmlOptions& options) {
  std::string page;
  auto out = std::back_inserter(page);
  std::size_t failed = 0;
  for (const auto& c : report.clients) failed += c.failed ? 1 : 0;
  fmt::format_to(out,
                 "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                 "<title>pxekit diagnose \u2014 {}</title>\n<style>{}</style>\n</head>\n<body>\n",
                 html_escape(report.source), kStyle);
  fmt::format_to(out,
                 "<h1>pxekit diagnose</h1>\n<p class=\"meta\"><span class=\"mono\">{}</span> "
                 "\u00b7 {} frames \u00b7 {} client{} \u00b7 <b>{} failed</b></p>\n",
                 html_escape(report.source), report.frames, report.clients.size(),
                 report.clients.size() == 1 ? "" : "s", failed);

  fmt::format_to(out, "<section class=\"overview\">\n<table class=\"summary\">\n<thead><tr>"
                            "<th>Client</th><th>Firmware</th><th>Last stage</th><th>Verdict</th>"
                            "</tr></thead>\n<tbody>\n");
  for (std::size_t i = 0; i < report.clients.size(); ++i) {
    const auto& c = report.clients[i];
    fmt::format_to(out, "<tr class=\"{}\"><td><a class=\"mono\" href=\"#client-{}\">{}</a></td>"
                        "<td>{}</td><td>{}</td><td class=\"verdict\">",
                   c.failed ? "failed" : "ok", i + 1, html_escape(c.key), firmware_text(c, true),
                   html_escape(stage_name(c.last_stage)));
    verdict(out, c);
    fmt::format_to(out, "</td></tr>\n");
  }
  if (report.clients.empty())
    fmt::format_to(out, "<tr><td colspan=\"4\" class=\"none\">No PXE client seen.</td></tr>\n");
  fmt::format_to(out, "</tbody>\n</table>\n</section>\n");

  if (!report.network.empty()) {
    fmt::format_to(out, "<section class=\"network\">\n<h2>Network</h2>\n");
    Timestamp origin;
    for (const auto& f : report.network)
      if (!f.evidence.empty()) {
        origin = f.evidence.front().time;
        break;
      }
    for (const auto& f : report.network) finding(out, f, origin);
    fmt::format_to(out, "</section>\n");
  }
  for (std::size_t i = 0; i < report.clients.size(); ++i)
    client_section(out, report.clients[i], i, options);
  fmt::format_to(out, "</body>\n</html>\n");
  return page;
}

}  // namespace pxe::diag
