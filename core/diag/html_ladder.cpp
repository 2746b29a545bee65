#include "diag/html_ladder.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "diag/html_report.h"

namespace pxe::diag::html {
namespace {

// Geometry, in SVG user units (pixels at 100 %).
constexpr int kRow = 24;        // one step per row
constexpr int kTop = 60;        // below the lane headers
constexpr int kTimeX = 8;       // "+0.123" column
constexpr int kFrameX = 118;    // frame number column, right-aligned
constexpr int kClientX = 232;   // the client's lane
constexpr int kLaneBox = 160;   // width of a lane header
constexpr double kCharWidth = 6.8;  // average glyph width of the 12 px label font
constexpr std::string_view kBroadcast = "255.255.255.255";

bool unknown_peer(const std::string& peer) { return peer.empty() || peer == "0.0.0.0"; }

// Drawn across every lane: a broadcast, or the client's own address (its ARP probe for the
// address it was given is no conversation with a server).
bool broadcast_peer(const ClientReport& client, const std::string& peer) {
  if (peer == kBroadcast) return true;
  for (const auto& ip : client.ips)
    if (ip.str() == peer) return true;
  return false;
}

// Server lanes in order of first appearance; a broadcast goes to the farthest lane.
std::vector<std::string> lanes_of(const ClientReport& client) {
  std::vector<std::string> lanes;
  bool broadcast = false;
  for (const auto& s : client.ladder) {
    if (broadcast_peer(client, s.peer)) {
      broadcast = true;
      continue;
    }
    std::string name = unknown_peer(s.peer) ? "(unknown)" : s.peer;
    if (std::find(lanes.begin(), lanes.end(), name) == lanes.end()) lanes.push_back(name);
  }
  if (lanes.empty()) lanes.push_back(broadcast ? "(broadcast)" : "(no server)");
  return lanes;
}

// Which steps to draw: all when they fit; else every failing step, the steps around them,
// then the earliest others until max_steps.
std::vector<bool> steps_to_draw(const std::vector<LadderStep>& steps, std::size_t max_steps) {
  std::vector<bool> keep(steps.size(), steps.size() <= max_steps);
  if (steps.size() <= max_steps) return keep;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < steps.size(); ++i)
    if (steps[i].failing) keep[i] = true, ++kept;
  auto take = [&](std::size_t i) {
    if (i < steps.size() && !keep[i] && kept < max_steps) keep[i] = true, ++kept;
  };
  for (std::size_t i = 0; i < steps.size(); ++i)
    if (steps[i].failing)
      for (std::size_t d = 1; d <= 2; ++d) {
        if (i >= d) take(i - d);
        take(i + d);
      }
  for (std::size_t i = 0; i < steps.size() && kept < max_steps; ++i) take(i);
  return keep;
}

void lane_header(std::string& out, int x, const std::string& title, std::string_view role) {
  fmt::format_to(std::back_inserter(out),
                 "<g class=\"lane\"><rect x=\"{}\" y=\"6\" width=\"{}\" height=\"38\" rx=\"6\"/>"
                 "<text class=\"lane-title\" x=\"{}\" y=\"23\">{}</text>"
                 "<text class=\"lane-role\" x=\"{}\" y=\"38\">{}</text></g>\n",
                 x - kLaneBox / 2, kLaneBox, x, html_escape(shorten(title, 22)), x, role);
}

}  // namespace

std::string relative_seconds(Timestamp t, Timestamp origin) {
  return fmt::format("{:+.3f}", double((t - origin).count()) / 1e6);
}

std::string shorten(std::string_view text, std::size_t max_chars) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;  // continuation byte
    if (chars == max_chars) return std::string(text.substr(0, i)) + "\u2026";
    ++chars;
  }
  return std::string(text);
}

Timestamp origin_of(const ClientReport& client) {
  if (!client.ladder.empty()) return client.ladder.front().time;
  for (const auto& f : client.findings)
    if (!f.evidence.empty()) return f.evidence.front().time;
  return {};
}

std::string ladder_svg(const ClientReport& client, std::size_t max_steps) {
  const auto& steps = client.ladder;
  std::vector<std::string> lanes = lanes_of(client);
  const int n = static_cast<int>(lanes.size());
  const int spacing = n == 1 ? 560 : std::max(200, 800 / n);  // fits 1280 px up to 4 servers
  auto lane_x = [&](const std::string& peer) {
    if (broadcast_peer(client, peer)) return kClientX + spacing * n;
    std::string name = unknown_peer(peer) ? "(unknown)" : peer;
    auto it = std::find(lanes.begin(), lanes.end(), name);
    return kClientX + spacing * (1 + int(it - lanes.begin()));
  };
  const int width = kClientX + spacing * n + kLaneBox / 2 + 40;

  std::vector<bool> keep = steps_to_draw(steps, max_steps);
  int rows = 0;
  for (std::size_t i = 0; i < steps.size(); ++i)
    if (keep[i] || i == 0 || keep[i - 1]) ++rows;  // a step, or the first of a run left out
  const int height = kTop + rows * kRow + 12;

  std::string out;
  auto it = std::back_inserter(out);
  fmt::format_to(it,
                 "<svg class=\"ladder\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" "
                 "height=\"{1}\" viewBox=\"0 0 {0} {1}\" role=\"img\" aria-label=\"ladder "
                 "diagram of {2}\">\n",
                 width, height, html_escape(client.key));
  fmt::format_to(it, "<text class=\"col\" x=\"{}\" y=\"38\">time (s)</text>"
                     "<text class=\"col num\" x=\"{}\" y=\"38\">frame</text>\n",
                 kTimeX, kFrameX);
  lane_header(out, kClientX, client.key, "client");
  for (const auto& name : lanes) lane_header(out, lane_x(name == "(unknown)" ? "" : name), name,
                                             "server");
  for (int i = 0; i <= n; ++i) {
    int x = kClientX + spacing * i;
    fmt::format_to(it, "<line class=\"lifeline\" x1=\"{0}\" y1=\"44\" x2=\"{0}\" y2=\"{1}\"/>\n",
                   x, height - 6);
  }

  const Timestamp origin = origin_of(client);
  int row = 0;
  std::size_t skipped = 0;
  auto gap = [&] {
    if (!skipped) return;
    int y = kTop + row * kRow;
    fmt::format_to(it,
                   "<g class=\"gap\"><text x=\"{}\" y=\"{}\">\u22ef {} step{} not drawn "
                   "\u22ef</text></g>\n",
                   kClientX + spacing * n / 2, y + 16, skipped, skipped == 1 ? "" : "s");
    ++row;
    skipped = 0;
  };
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const LadderStep& s = steps[i];
    if (!keep[i]) {
      ++skipped;
      continue;
    }
    gap();
    const int y = kTop + row * kRow;
    const int line_y = y + 16;
    const int server_x = lane_x(s.peer);
    const int x1 = s.from_client ? kClientX : server_x;
    const int x2 = s.from_client ? server_x : kClientX;
    const int dir = x2 > x1 ? 1 : -1;
    std::string cls = s.from_client ? "arrow req" : "arrow rep";
    if (s.failing) cls += " failing";
    else if (s.noise) cls += " noise";
    if (broadcast_peer(client, s.peer)) cls += " bcast";
    const std::string when = relative_seconds(s.time, origin);
    const auto max_chars = static_cast<std::size_t>((server_x - kClientX - 24) / kCharWidth);
    fmt::format_to(it,
                   "<g class=\"{}\" data-frame=\"{}\"><title>frame {} \u00b7 {} s \u00b7 {}</title>"
                   "<rect class=\"row\" x=\"0\" y=\"{}\" width=\"{}\" height=\"{}\"/>"
                   "<text class=\"t\" x=\"{}\" y=\"{}\">{}</text>"
                   "<text class=\"f num\" x=\"{}\" y=\"{}\">{}</text>"
                   "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>"
                   "<polygon points=\"{},{} {},{} {},{}\"/>"
                   "<text class=\"label\" x=\"{}\" y=\"{}\">{}</text></g>\n",
                   cls, s.frame, s.frame, when, html_escape(s.label),
                   y + 1, width, kRow - 2,
                   kTimeX, y + 16, when,
                   kFrameX, y + 16, s.frame,
                   x1, line_y, x2 - dir * 8, line_y,
                   x2, line_y, x2 - dir * 10, line_y - 5, x2 - dir * 10, line_y + 5,
                   (x1 + x2) / 2, line_y - 5, html_escape(shorten(s.label, max_chars)));
    ++row;
  }
  gap();
  out += "</svg>\n";
  return out;
}

}  // namespace pxe::diag::html
