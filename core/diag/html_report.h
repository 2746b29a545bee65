// The diagnosis as one self-contained HTML page (inline CSS and SVG, no scripts, nothing
// fetched): a summary table with one verdict per client, then per client a ladder diagram
// (client lane on the left, one lane per server, one arrow per LadderStep, failing steps in red,
// benign noise dimmed) and its findings with evidence and fixes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "diag/report.h"

namespace pxe::diag {

struct HtmlOptions {
  // Arrows drawn per client; the rest are left out (failing steps always stay) with a note.
  std::size_t max_steps = 400;
};

std::string render_html(const Report& report, const HtmlOptions& options = {});

// Text for HTML content or a quoted attribute: & < > " ' escaped, control characters replaced.
std::string html_escape(std::string_view text);

}  // namespace pxe::diag
